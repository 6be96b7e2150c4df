// Compiled with `tsc --noEmit` against the package's hand-written declarations.
import { preflight, resolveRecipe, parseScenarios, flatten, version } from "@scenario-lab/preflight";
import type { Diagnostic, PreflightResult, ScenariosSummary, Fix } from "@scenario-lab/preflight";

const result: PreflightResult = preflight({ recipes: "{}", discover: undefined });
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
