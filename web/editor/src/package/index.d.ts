import type { Extension, StateEffectType } from "@codemirror/state";

/** A workspace file the extension edits or reads. */
export type FileName = "scenario-recipes.json" | "discover.json" | "scenarios.md" | "entity-audit.md" | ".scenario-validation.json";

/** The other workspace files' texts, by `PreflightInput` key. */
export interface Workspace {
  recipes?: string;
  discover?: string;
  scenarios?: string;
  entityAudit?: string;
  validation?: string;
  /** The names in the folder the files came from: they decide which tooling's rules apply. */
  folder?: string[];
}

/** An edit of another file (UTF-16 offsets into it). */
export interface TextEdit {
  from: number;
  to: number;
  newText: string;
}

export interface ScenarioLabOptions {
  /** The file this view edits. */
  file: FileName;
  /** The other files' texts (update them later with `setWorkspace`). */
  workspace?: Workspace;
  /** Edits a rename or a fix makes to another file (also a `scenario-lab-workspace-edit` DOM event). */
  onWorkspaceEdit?: (file: FileName, edits: TextEdit[]) => void;
  /** A definition in another file (also a `scenario-lab-navigate` DOM event). */
  onNavigate?: (place: { file: FileName; from: number; to: number }) => void;
  /** Short messages for the user ("no definition here", "renamed 3 place(s) to …"). */
  onNotice?: (text: string) => void;
}

/** Scenario Lab's recipe editor: language, live preflight, quick fixes, completion, hover, navigation, rename. */
export function scenarioLab(options: ScenarioLabOptions): Extension;

/** Replaces the other workspace files: `view.dispatch({ effects: setWorkspace.of({ discover, scenarios }) })`. */
export const setWorkspace: StateEffectType<Workspace>;
