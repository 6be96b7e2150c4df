//! The preflight for JavaScript: converts inputs and outputs, decides nothing.

pub mod dto;
pub mod kept;
pub mod language;

use dto::{FilesDto, ReportDto, ScenariosDto};
use language::Request;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[cfg_attr(
    any(feature = "exports", feature = "packs"),
    wasm_bindgen(typescript_custom_section)
)]
#[cfg_attr(not(any(feature = "exports", feature = "packs")), allow(dead_code))]
#[allow(clippy::redundant_static_lifetimes)] // wasm-bindgen's custom section wants the spelled-out type
const TYPES: &'static str = r#"
/** File contents by name. Only `recipes` is required. */
export interface PreflightInput {
  recipes: string;
  scenarios?: string;
  discover?: string;
  entityAudit?: string;
  validation?: string;
  /** The names in the folder the files came from (`recipe.json`, `.pipeline-state.json`, ...): they decide the layout and so which tooling's rules apply. Absent: a plugin workspace. */
  folder?: string[];
}

export type Dialect = "plugin" | "planner" | "hand-made" | "free-form" | "unrecognised";
export type Layout = "plugin" | "planner-live" | "planner-copy" | "hand-made";
export type Form = "envelope" | "create-wrapper" | "bare-create-map" | "discover-answer" | "bare-schema";

export type FileName = "scenarios.md" | "entity-audit.md" | "discover.json" | "scenario-recipes.json" | ".scenario-validation.json" | "scenario.pack.yaml" | "manifest.json";
export type Severity = "error" | "warning" | "info";

/** A range: UTF-8 byte offsets, UTF-16 offsets (`from`/`to`, CodeMirror's and Monaco's model offsets) and 1-based line and UTF-16 column. */
export interface Range {
  start: number;
  end: number;
  from: number;
  to: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Label extends Range {
  file: FileName;
  message: string;
}

export interface TextEdit extends Range {
  newText: string;
}

export interface Fix {
  message: string;
  file: FileName;
  edits: TextEdit[];
}

export interface Diagnostic extends Range {
  /** Stable code such as `recipe/unknown-alias`. */
  code: string;
  severity: Severity;
  message: string;
  file: FileName;
  help?: string;
  labels: Label[];
  /** Zero or one mechanical fix. */
  fixes: Fix[];
}

export interface PreflightResult {
  diagnostics: Diagnostic[];
  skipped: { checks: string; reason: string }[];
  summary: { errors: number; warnings: number; infos: number };
  /** The folder's layout and each file's dialect (and shape, for files with several). */
  dialects: { layout: Layout; files: { file: FileName; dialect: Dialect; form?: Form; label: string }[] };
}

export interface ScenariosSummary {
  format: Dialect;
  scenarioCount: number | null;
  scenarios: { name: string; description: string | null; entityTypes: number | null; totalEntities: number | null }[];
  entityTypes: string[];
  variableFields: { token: string; entity: string | null; scenarios: string[] }[];
  sections: string[];
  diagnostics: Diagnostic[];
}

export type CompletionKind = "model" | "field" | "alias" | "token" | "generator" | "strategy" | "scenario" | "enumValue" | "keyword" | "capability" | "parameter" | "actor" | "probe" | "capture";

export interface Completion {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  insertText: string;
  /** What the insertion replaces; absent: the word at the cursor. */
  range?: Range;
}

export interface Hover {
  /** Markdown. */
  contents: string;
  range: Range;
}

export interface Location extends Range {
  file: FileName;
}

export interface FileEdit extends TextEdit {
  file: FileName;
}

export type SymbolKind = "recipe" | "model" | "record" | "field" | "section";

export interface DocumentSymbol {
  name: string;
  kind: SymbolKind;
  detail?: string;
  range: Range;
  /** The part to select (its name). */
  selection: Range;
  children: DocumentSymbol[];
}

/** The package version. */
export function version(): string;
"#;

/// The preflight package's functions (`@scenario-lab/preflight`).
#[cfg_attr(feature = "exports", wasm_bindgen(typescript_custom_section))]
#[cfg_attr(not(feature = "exports"), allow(dead_code))]
#[allow(clippy::redundant_static_lifetimes)]
const PREFLIGHT_FUNCTIONS: &'static str = r#"
/** Runs the whole offline preflight. */
export function preflight(input: PreflightInput): PreflightResult;
/** The create map the platform would send for a recipe object, a recipes file (first recipe) or a bare create map. Throws with the platform's message. */
export function resolveRecipe(recipeJson: string, testRunId: string): Record<string, unknown[]>;
/** The frontmatter summary and diagnostics of a scenarios.md. */
export function parseScenarios(markdown: string): ScenariosSummary;
/** Moves nested children to top-level keys with `_ref`s; returns the same kind of document. */
export function flatten(recipeJson: string, discoverJson: string): string;
/*
 * The language service. Each call takes every file the editor has (as `preflight` does), the
 * file the cursor is in, and the cursor as a UTF-16 offset into that file (CodeMirror's `pos`,
 * Monaco's `model.getOffsetAt`). Each is pure and synchronous: run it in a worker for big files.
 */
/** Completions at the cursor. */
export function complete(input: PreflightInput, file: FileName, offset: number): Completion[];
/** The hover card at the cursor, or null. */
export function hover(input: PreflightInput, file: FileName, offset: number): Hover | null;
/** Where the alias, variable, model or scenario at the cursor is declared. */
export function definition(input: PreflightInput, file: FileName, offset: number): Location[];
/** Every place the symbol at the cursor is written, its declaration first. */
export function references(input: PreflightInput, file: FileName, offset: number): Location[];
/** The edits renaming the alias or variable at the cursor across the files. Throws why a rename is refused. */
export function rename(input: PreflightInput, file: FileName, offset: number, newName: string): { edits: FileEdit[] };
/** The outline of a file. */
export function documentSymbols(input: PreflightInput, file: FileName): DocumentSymbol[];
/** The foldable ranges of a file. */
export function foldingRanges(input: PreflightInput, file: FileName): Range[];
/** The ranges around the cursor, innermost first (expand selection). */
export function selectionRanges(input: PreflightInput, file: FileName, offset: number): Range[];
/** The edits that format a JSON file with two-space indentation (none for a broken file). */
export function format(input: PreflightInput, file: FileName): TextEdit[];
/** The documentation of a diagnostic code (Markdown), or null. */
export function explain(code: string): string | undefined;
/** What changed in a kept workspace: texts (and `folder`) to set, files to drop; `reset` drops everything first. */
export interface WorkspaceChange {
  reset?: boolean;
  changed?: Partial<PreflightInput>;
  removed?: ("recipes" | "scenarios" | "discover" | "entityAudit" | "validation")[];
}
/** A workspace kept in wasm memory between calls (for a worker): send only what changed. */
export class KeptWorkspace {
  constructor();
  update(change: WorkspaceChange): void;
  /** `preflight()` of the kept files. */
  preflight(): PreflightResult;
  /** `complete`, `hover`, `definition`, `references` or `rename` (with `newName`) at a UTF-16 offset. */
  call(method: "complete" | "hover" | "definition" | "references" | "rename", file: FileName, offset: number, newName: string): unknown;
  free(): void;
}
"#;

/// The packs package's functions (`@scenario-lab/packs`).
#[cfg_attr(feature = "packs", wasm_bindgen(typescript_custom_section))]
#[cfg_attr(not(feature = "packs"), allow(dead_code))]
#[allow(clippy::redundant_static_lifetimes)]
const PACK_FUNCTIONS: &'static str = r"
/**
 * The offline check of an ANIP scenario pack (`scenario-pack/v1`): `fileName` picks YAML or JSON
 * (`*.json`), `manifest` is the text of `anip/manifest.json` when there is one. Diagnostics in the
 * pack have the file `scenario.pack.yaml`, those in the manifest `manifest.json`.
 */
export function checkPack(text: string, fileName: string, manifest?: string): PreflightResult;
/** Completions at the cursor (a UTF-16 offset) of a pack: the format's keys, capability ids and parameters from `manifest`, actors, probes, prior ids, captures, classes and outcomes. */
export function packComplete(text: string, fileName: string, manifest: string | undefined, offset: number): Completion[];
/** The hover card at the cursor of a pack, or null. */
export function packHover(text: string, fileName: string, manifest: string | undefined, offset: number): Hover | null;
";

/// The one conversion of any error into a JavaScript exception.
fn into_js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// Answers cross as JSON text parsed by the engine: smaller code than building objects field by
/// field through the bindings, and faster for the large diagnostic lists.
fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(into_js_error)?;
    js_parse(&text)
}

#[inline(never)]
fn js_parse(text: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(text).map_err(|_| JsError::new("the answer is not JSON"))
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn preflight(input: JsValue) -> Result<JsValue, JsError> {
    files_report(&files(input)?)
}

/// The preflight of `files` as `preflight()` answers it.
fn files_report(files: &FilesDto) -> Result<JsValue, JsError> {
    let workspace = files.workspace();
    let report = scenario_lab_core::preflight(&workspace);
    to_js(&ReportDto::from_report(&report, &workspace))
}

#[cfg_attr(feature = "packs", wasm_bindgen(js_name = checkPack, skip_typescript))]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn check_pack(
    text: &str,
    file_name: &str,
    manifest: Option<String>,
) -> Result<JsValue, JsError> {
    use scenario_lab_core::FileKind;
    use scenario_lab_core::anip::{Syntax, check_pack};
    let checked = check_pack(text, Syntax::of_path(file_name), manifest.as_deref());
    let mut texts = vec![(FileKind::Pack, text)];
    if let Some(manifest) = manifest.as_deref() {
        texts.push((FileKind::AnipManifest, manifest));
    }
    to_js(&ReportDto::with_positions(
        &checked.report,
        &dto::Positions::of(&texts),
    ))
}

/// A pack's language-service call at a UTF-16 offset.
#[derive(Clone, Copy, Debug)]
pub enum PackCall {
    Complete,
    Hover,
}

/// The answer to a pack language-service call (what `packComplete` and `packHover` return).
pub fn pack_answer(
    text: &str,
    file_name: &str,
    manifest: Option<&str>,
    utf16: usize,
    call: PackCall,
) -> Result<JsValue, JsError> {
    use scenario_lab_core::FileKind;
    use scenario_lab_core::anip::language as pack_language;
    use scenario_lab_core::anip::{Syntax, parse_manifest};
    let syntax = Syntax::of_path(file_name);
    let manifest = manifest.and_then(|m| parse_manifest(m).value);
    let positions = dto::Positions::of(&[(FileKind::Pack, text)]);
    let offset = positions.byte_offset(FileKind::Pack, utf16);
    match call {
        PackCall::Complete => to_js(&language::completion_dtos(
            pack_language::complete(text, syntax, manifest.as_ref(), offset),
            &positions,
            FileKind::Pack,
        )),
        PackCall::Hover => to_js(
            &pack_language::hover(text, syntax, manifest.as_ref(), offset).map(|h| {
                language::HoverDto {
                    contents: h.contents,
                    range: positions.range(FileKind::Pack, h.range),
                }
            }),
        ),
    }
}

#[cfg_attr(feature = "packs", wasm_bindgen(js_name = packComplete, skip_typescript))]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn pack_complete(
    text: &str,
    file_name: &str,
    manifest: Option<String>,
    offset: usize,
) -> Result<JsValue, JsError> {
    pack_answer(
        text,
        file_name,
        manifest.as_deref(),
        offset,
        PackCall::Complete,
    )
}

#[cfg_attr(feature = "packs", wasm_bindgen(js_name = packHover, skip_typescript))]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn pack_hover(
    text: &str,
    file_name: &str,
    manifest: Option<String>,
    offset: usize,
) -> Result<JsValue, JsError> {
    pack_answer(
        text,
        file_name,
        manifest.as_deref(),
        offset,
        PackCall::Hover,
    )
}

#[cfg_attr(feature = "exports", wasm_bindgen(js_name = resolveRecipe, skip_typescript))]
pub fn resolve_recipe(recipe_json: &str, test_run_id: &str) -> Result<JsValue, JsError> {
    let recipe: serde_json::Value = serde_json::from_str(recipe_json).map_err(into_js_error)?;
    let create =
        scenario_lab_core::tokens::resolve_recipe(&recipe, test_run_id).map_err(into_js_error)?;
    to_js(&create)
}

#[cfg_attr(feature = "exports", wasm_bindgen(js_name = parseScenarios, skip_typescript))]
pub fn parse_scenarios(markdown: &str) -> Result<JsValue, JsError> {
    let parsed = scenario_lab_core::scenarios::parse(markdown);
    to_js(&ScenariosDto::new(
        markdown,
        &parsed.value,
        &parsed.diagnostics,
    ))
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn flatten(recipe_json: &str, discover_json: &str) -> String {
    scenario_lab_core::fix_all::flatten_document(recipe_json, discover_json).0
}

#[cfg_attr(
    any(feature = "exports", feature = "packs"),
    wasm_bindgen(skip_typescript)
)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[inline(never)]
fn files(input: JsValue) -> Result<FilesDto, JsError> {
    serde_wasm_bindgen::from_value(input).map_err(into_js_error)
}

/// A language-service call at a UTF-16 offset of a file.
#[derive(Clone, Copy, Debug)]
pub enum Call<'a> {
    Complete,
    Hover,
    Definition,
    References,
    /// To the new name.
    Rename(&'a str),
}

/// The answer to `call` at `offset` (UTF-16) of `file` in `files`: what the exports below return,
/// for a caller that keeps the decoded files between calls (the editor's worker).
pub fn answer(
    files: &FilesDto,
    file: &str,
    offset: usize,
    call: Call<'_>,
) -> Result<JsValue, JsError> {
    use scenario_lab_core::language as service;
    let kind = language::file_kind(file).map_err(into_js_error)?;
    let request = Request::new(files, kind);
    let (ws, at) = (&request.workspace, request.offset(offset));
    match call {
        Call::Complete => to_js(&language::completions(&request, at)),
        Call::Hover => to_js(&language::hover(&request, at)),
        Call::Definition => to_js(&language::locations(
            &request,
            service::definition(ws, kind, at),
        )),
        Call::References => to_js(&language::locations(
            &request,
            service::references(ws, kind, at),
        )),
        Call::Rename(new_name) => {
            let edit = service::rename(ws, kind, at, new_name).map_err(into_js_error)?;
            to_js(&language::RenameDto {
                edits: language::workspace_edit(&request, edit),
            })
        }
    }
}

/// The files and the file of a language-service call.
#[inline(never)]
fn decode(input: JsValue, file: &str) -> Result<(FilesDto, scenario_lab_core::FileKind), JsError> {
    Ok((
        files(input)?,
        language::file_kind(file).map_err(into_js_error)?,
    ))
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn complete(input: JsValue, file: &str, offset: usize) -> Result<JsValue, JsError> {
    answer(&files(input)?, file, offset, Call::Complete)
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn hover(input: JsValue, file: &str, offset: usize) -> Result<JsValue, JsError> {
    answer(&files(input)?, file, offset, Call::Hover)
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn definition(input: JsValue, file: &str, offset: usize) -> Result<JsValue, JsError> {
    answer(&files(input)?, file, offset, Call::Definition)
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn references(input: JsValue, file: &str, offset: usize) -> Result<JsValue, JsError> {
    answer(&files(input)?, file, offset, Call::References)
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn rename(
    input: JsValue,
    file: &str,
    offset: usize,
    new_name: &str,
) -> Result<JsValue, JsError> {
    answer(&files(input)?, file, offset, Call::Rename(new_name))
}

#[cfg_attr(feature = "exports", wasm_bindgen(js_name = documentSymbols, skip_typescript))]
pub fn document_symbols(input: JsValue, file: &str) -> Result<JsValue, JsError> {
    let (files, kind) = decode(input, file)?;
    to_js(&language::symbols(&Request::new(&files, kind)))
}

#[cfg_attr(feature = "exports", wasm_bindgen(js_name = foldingRanges, skip_typescript))]
pub fn folding_ranges(input: JsValue, file: &str) -> Result<JsValue, JsError> {
    let (files, kind) = decode(input, file)?;
    let request = Request::new(&files, kind);
    let spans = scenario_lab_core::language::folding_ranges(&request.workspace, kind);
    to_js(&language::ranges(&request, spans))
}

#[cfg_attr(feature = "exports", wasm_bindgen(js_name = selectionRanges, skip_typescript))]
pub fn selection_ranges(input: JsValue, file: &str, offset: usize) -> Result<JsValue, JsError> {
    let (files, kind) = decode(input, file)?;
    let request = Request::new(&files, kind);
    let spans = scenario_lab_core::language::selection_ranges(
        &request.workspace,
        kind,
        request.offset(offset),
    );
    to_js(&language::ranges(&request, spans))
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn format(input: JsValue, file: &str) -> Result<JsValue, JsError> {
    let (files, kind) = decode(input, file)?;
    let request = Request::new(&files, kind);
    let edits = scenario_lab_core::language::format(&request.workspace, kind);
    to_js(&language::text_edits(&request, edits))
}

#[cfg_attr(feature = "exports", wasm_bindgen(skip_typescript))]
pub fn explain(code: &str) -> Option<String> {
    scenario_lab_core::language::code_documentation(code)
}
