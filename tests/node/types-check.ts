// Compiled with `tsc --noEmit` against the package's hand-written declarations.
import { preflight, resolveRecipe, parseScenarios, flatten, version } from "@scenario-lab/preflight";
import type { Diagnostic, PreflightResult, ScenariosSummary, Fix } from "@scenario-lab/preflight";

const result: PreflightResult = preflight({ recipes: "{}", discover: undefined });
const planner: PreflightResult = preflight({ recipes: "{}", folder: ["recipe.json"] });
const layout: "plugin" | "planner-live" | "planner-copy" | "hand-made" = planner.dialects.layout;
void layout;
const first: Diagnostic | undefined = result.diagnostics[0];
if (first) {
  const where: string = `${first.file}:${first.line}:${first.column}-${first.endLine}:${first.endColumn}`;
  const bytes: number = first.end - first.start;
  const fixes: Fix[] = first.fixes;
  const edit: string | undefined = fixes[0]?.edits[0]?.newText;
  const severity: "error" | "warning" | "info" = first.severity;
  console.log(where, bytes, edit, severity, first.help ?? "");
}
const errors: number = result.summary.errors;
const create: Record<string, unknown[]> = resolveRecipe("{}", "run-1");
const scenarios: ScenariosSummary = parseScenarios("---\n---\n");
const names: string[] = scenarios.scenarios.map((s) => s.name);
const text: string = flatten("{}", "{}");
const v: string = version();
console.log(errors, create, names, text, v);

// The language service.
import { complete, hover, definition, references, rename, documentSymbols, foldingRanges, selectionRanges, format, explain } from "@scenario-lab/preflight";
import type { Completion, Hover, Location, FileEdit, DocumentSymbol, Range, TextEdit } from "@scenario-lab/preflight";
const files = { recipes: "{}" };
const items: Completion[] = complete(files, "scenario-recipes.json", 0);
const replaced: number | undefined = items[0]?.range?.from;
const card: Hover | null = hover(files, "scenario-recipes.json", 0);
const places: Location[] = [...definition(files, "scenario-recipes.json", 0), ...references(files, "scenarios.md", 0)];
const edits: FileEdit[] = rename(files, "scenario-recipes.json", 0, "x").edits;
const outline: DocumentSymbol[] = documentSymbols(files, "scenario-recipes.json");
const folds: Range[] = [...foldingRanges(files, "scenario-recipes.json"), ...selectionRanges(files, "scenario-recipes.json", 0)];
const formatted: TextEdit[] = format(files, "scenario-recipes.json");
const doc: string | undefined = explain("recipe/unknown-alias");
console.log(replaced, card?.contents, places[0]?.file, edits[0]?.newText, outline[0]?.children, folds[0]?.to, formatted.length, doc);

// ANIP packs.
import { checkPack, packComplete, packHover } from "@scenario-lab/packs";
import type { Completion as PackCompletion, Hover as PackHover } from "@scenario-lab/packs";
const packReport: PreflightResult = checkPack("format: scenario-pack/v1\n", "x.pack.yaml", undefined);
const packItems: PackCompletion[] = packComplete("format: scenario-pack/v1\n", "x.pack.yaml", undefined, 0);
const packCard: PackHover | null = packHover("format: scenario-pack/v1\n", "x.pack.yaml", undefined, 0);
console.log(packReport.summary.errors, packItems[0]?.label, packCard?.contents);
