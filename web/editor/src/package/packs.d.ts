import type { Extension, StateEffectType } from "@codemirror/state";

export interface ScenarioLabPackOptions {
  /** The pack's file name (`*.json` reads JSON, anything else YAML); default `scenario.pack.yaml`. */
  file?: string;
  /** The saved `anip/manifest.json` (capabilities, parameters and the pinned digest are checked against it). */
  manifest?: string;
  /** Short messages for the user. */
  onNotice?: (text: string) => void;
}

/** ANIP scenario packs: the offline check with quick fixes, completion and hover. */
export function scenarioLabPack(options?: ScenarioLabPackOptions): Extension;

/** Replaces the manifest: `view.dispatch({ effects: setManifest.of(text) })`. */
export const setManifest: StateEffectType<string | null>;
