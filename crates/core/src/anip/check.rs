//! The offline check of a pack: references, order, captures, capabilities, coverage, brittleness.

use super::manifest::Manifest;
use super::pack::{Negative, Pack, Request, Scenario, ScenarioClass};
use super::parse::Syntax;
use crate::checks::nearest::did_you_mean;
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, Span, TextEdit};
use std::collections::{BTreeMap, BTreeSet};

/// Every finding of the offline check (parse diagnostics come from the parser).
pub fn check(
    pack: &Pack,
    text: &str,
    syntax: Syntax,
    manifest: Option<&Manifest>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ids = unique_ids(pack, &mut out);
    prior_references(pack, &ids, &mut out);
    cycles(pack, &ids, &mut out);
    captures(pack, &ids, &mut out);
    references(pack, &mut out);
    capabilities(pack, manifest, &mut out);
    missing_classes(pack, &mut out);
    if let Some(manifest) = manifest {
        missing_negatives(pack, manifest, &mut out);
    }
    brittle(pack, text, syntax, &mut out);
    super::paths::check(pack, text, &mut out);
    if let Some(manifest) = manifest {
        pinned_digest(pack, text, syntax, manifest, &mut out);
    }
    out
}

/// `service.digest` against the saved manifest's normalized digest: the fix pins the file's.
fn pinned_digest(
    pack: &Pack,
    text: &str,
    syntax: Syntax,
    manifest: &Manifest,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(pinned), Some(saved)) = (&pack.service.digest, &manifest.digest) else {
        return;
    };
    if pinned.value == *saved {
        return;
    }
    let raw = text
        .get(pinned.span.start..pinned.span.end)
        .unwrap_or_default();
    let new_text = if syntax == Syntax::Json || raw.starts_with('"') {
        format!("\"{saved}\"")
    } else if raw.starts_with('\'') {
        format!("'{saved}'")
    } else {
        saved.clone()
    };
    out.push(
        Diagnostic::error(
            Code::PACK_DIGEST_MISMATCH,
            FileKind::Pack,
            pinned.span,
            format!(
                "`service.digest` pins {}, but the saved manifest's normalized digest is {saved}",
                pinned.value
            ),
        )
        .with_help(
            "the service changed since the pin, or the pin predates the current normalization; \
             compare with `scenario-lab anip parity URL anip/manifest.json` before re-pinning",
        )
        .with_fix(Fix {
            message: "pin the saved manifest's digest".to_owned(),
            file: FileKind::Pack,
            edits: vec![TextEdit {
                span: pinned.span,
                new_text,
            }],
        }),
    );
}

fn unique_ids<'p>(pack: &'p Pack, out: &mut Vec<Diagnostic>) -> BTreeMap<&'p str, usize> {
    let mut ids = BTreeMap::new();
    for (index, scenario) in pack.scenarios.iter().enumerate() {
        if let Some(&first) = ids.get(scenario.id.value.as_str()) {
            let first: &Scenario = &pack.scenarios[first];
            out.push(
                Diagnostic::error(
                    Code::PACK_DUPLICATE_ID,
                    FileKind::Pack,
                    scenario.id.span,
                    format!("scenario id `{}` is used twice", scenario.id.value),
                )
                .with_label(FileKind::Pack, first.id.span, "first used here")
                .with_help(
                    "give each scenario its own id (reports and `prior` name scenarios by id)",
                ),
            );
        } else {
            ids.insert(scenario.id.value.as_str(), index);
        }
    }
    ids
}

fn prior_references(pack: &Pack, ids: &BTreeMap<&str, usize>, out: &mut Vec<Diagnostic>) {
    for scenario in &pack.scenarios {
        for prior in &scenario.prior {
            if !ids.contains_key(prior.value.as_str()) {
                out.push(
                    Diagnostic::error(
                        Code::PACK_UNKNOWN_PRIOR,
                        FileKind::Pack,
                        prior.span,
                        format!("no scenario has the id `{}`", prior.value),
                    )
                    .with_help(did_you_mean(
                        &prior.value,
                        ids.keys().copied(),
                        "scenario id",
                    )),
                );
            }
        }
    }
}

/// Each cycle of `prior` once, reported at the scenario of the cycle that comes first in the file.
fn cycles(pack: &Pack, ids: &BTreeMap<&str, usize>, out: &mut Vec<Diagnostic>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        at: usize,
        pack: &Pack,
        ids: &BTreeMap<&str, usize>,
        marks: &mut [Mark],
        path: &mut Vec<usize>,
        out: &mut Vec<Diagnostic>,
    ) {
        marks[at] = Mark::Open;
        path.push(at);
        for prior in &pack.scenarios[at].prior {
            let Some(&next) = ids.get(prior.value.as_str()) else {
                continue;
            };
            match marks[next] {
                Mark::Open => {
                    let from = path.iter().position(|&p| p == next).unwrap_or(0);
                    let names: Vec<&str> = path[from..]
                        .iter()
                        .map(|&i| pack.scenarios[i].id.value.as_str())
                        .collect();
                    out.push(
                        Diagnostic::error(
                            Code::PACK_PRIOR_CYCLE,
                            FileKind::Pack,
                            prior.span,
                            format!("`prior` forms a cycle: {} → {}", names.join(" → "), prior.value),
                        )
                        .with_help("a scenario can only use what runs before it; remove one `prior` of the cycle"),
                    );
                }
                Mark::New => visit(next, pack, ids, marks, path, out),
                Mark::Done => {}
            }
        }
        path.pop();
        marks[at] = Mark::Done;
    }
    let mut marks = vec![Mark::New; pack.scenarios.len()];
    for (index, scenario) in pack.scenarios.iter().enumerate() {
        if marks[index] == Mark::New && ids.get(scenario.id.value.as_str()) == Some(&index) {
            visit(index, pack, ids, &mut marks, &mut Vec::new(), out);
        }
    }
}

/// The scenarios run before `at` by `prior`, transitively (cycles cut); `ids` as `unique_ids`
/// gives them.
fn ancestors(pack: &Pack, ids: &BTreeMap<&str, usize>, at: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![at];
    while let Some(next) = stack.pop() {
        for prior in &pack.scenarios[next].prior {
            if let Some(&i) = ids.get(prior.value.as_str())
                && i != at
                && seen.insert(i)
            {
                stack.push(i);
            }
        }
    }
    seen
}

fn captures(pack: &Pack, ids: &BTreeMap<&str, usize>, out: &mut Vec<Diagnostic>) {
    let mut captured_by: BTreeMap<&str, &str> = BTreeMap::new();
    for scenario in &pack.scenarios {
        for capture in &scenario.capture {
            captured_by
                .entry(capture.name.value.as_str())
                .or_insert(scenario.id.value.as_str());
        }
    }
    for (index, scenario) in pack.scenarios.iter().enumerate() {
        if scenario.uses.is_empty() || ids.get(scenario.id.value.as_str()) != Some(&index) {
            continue;
        }
        let before = ancestors(pack, ids, index);
        let defined: BTreeSet<&str> = before
            .iter()
            .flat_map(|&i| {
                pack.scenarios[i]
                    .capture
                    .iter()
                    .map(|c| c.name.value.as_str())
            })
            .collect();
        for used in &scenario.uses {
            if defined.contains(used.value.as_str()) {
                continue;
            }
            let help = match captured_by.get(used.value.as_str()) {
                Some(by) => format!("`{by}` captures it: add `{by}` to this scenario's `prior`"),
                None => {
                    "no scenario captures it: add a `capture` to the scenario whose answer holds it"
                        .to_owned()
                }
            };
            out.push(
                Diagnostic::error(
                    Code::PACK_CAPTURE_BEFORE_DEFINITION,
                    FileKind::Pack,
                    used.span,
                    format!(
                        "`${{{}}}` is not captured by any scenario that runs before this one",
                        used.value
                    ),
                )
                .with_help(help),
            );
        }
    }
}

fn references(pack: &Pack, out: &mut Vec<Diagnostic>) {
    let actors = || pack.actors.keys().map(String::as_str);
    let mut unknown_actor = |name: &crate::anip::pack::Spanned<String>| {
        if !pack.actors.contains_key(&name.value) {
            out.push(
                Diagnostic::error(
                    Code::PACK_UNKNOWN_REFERENCE,
                    FileKind::Pack,
                    name.span,
                    format!("no actor is named `{}`", name.value),
                )
                .with_help(did_you_mean(&name.value, actors(), "actor")),
            );
        }
    };
    for scenario in &pack.scenarios {
        if let Some(actor) = &scenario.token.actor {
            unknown_actor(actor);
        }
    }
    for probe in pack.probes.values() {
        if let super::pack::ProbeSource::Invoke {
            actor: Some(actor), ..
        } = &probe.source
        {
            unknown_actor(actor);
        }
    }
    for scenario in &pack.scenarios {
        for (probe, _) in &scenario.expect.mutation {
            if !pack.probes.contains_key(&probe.value) {
                out.push(
                    Diagnostic::error(
                        Code::PACK_UNKNOWN_REFERENCE,
                        FileKind::Pack,
                        probe.span,
                        format!("no probe is named `{}`", probe.value),
                    )
                    .with_help(did_you_mean(
                        &probe.value,
                        pack.probes.keys().map(String::as_str),
                        "probe",
                    )),
                );
            }
        }
    }
}

fn capabilities(pack: &Pack, manifest: Option<&Manifest>, out: &mut Vec<Diagnostic>) {
    let known: Vec<&str> = match manifest {
        Some(m) => m.capabilities.keys().map(String::as_str).collect(),
        None => pack
            .service
            .capabilities
            .iter()
            .map(|c| c.value.as_str())
            .collect(),
    };
    if known.is_empty() {
        return;
    }
    let source = if manifest.is_some() {
        "the manifest"
    } else {
        "`service.capabilities`"
    };
    let mut named = Vec::new();
    for scenario in &pack.scenarios {
        // A scenario proving a capability is *not* exposed names one the service lacks.
        let refused = scenario
            .expect
            .outcome
            .as_ref()
            .is_some_and(|o| o.value == "unknown_capability");
        if !refused {
            named.extend(scenario.invoked());
        }
        named.extend(scenario.grant_for.as_ref());
        named.extend(scenario.token.capability.as_ref());
        named.extend(scenario.expect.capability.as_ref());
    }
    for probe in pack.probes.values() {
        if let super::pack::ProbeSource::Invoke { capability, .. } = &probe.source {
            named.push(capability);
        }
    }
    for name in named {
        if !known.contains(&name.value.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::PACK_UNKNOWN_CAPABILITY,
                    FileKind::Pack,
                    name.span,
                    format!("{source} declares no capability `{}`", name.value),
                )
                .with_help(did_you_mean(
                    &name.value,
                    known.iter().copied(),
                    "capability",
                )),
            );
        }
    }
    if let Some(manifest) = manifest {
        for scenario in &pack.scenarios {
            parameters(scenario, manifest, out);
        }
    }
}

fn parameters(scenario: &Scenario, manifest: &Manifest, out: &mut Vec<Diagnostic>) {
    let Some(Request::Invoke(invoke)) = &scenario.request else {
        return;
    };
    let Some(decl) = manifest.capabilities.get(&invoke.capability.value) else {
        return;
    };
    let drift = scenario
        .negative
        .as_ref()
        .is_some_and(|n| n.value == Negative::ParameterDrift);
    let given = invoke.parameters.value.as_object();
    let declared: Vec<&str> = decl.inputs.iter().map(|i| i.name.as_str()).collect();
    for name in given.into_iter().flat_map(serde_json::Map::keys) {
        if !drift && !declared.contains(&name.as_str()) {
            out.push(
                Diagnostic::error(
                    Code::PACK_PARAMETER_MISMATCH,
                    FileKind::Pack,
                    invoke.parameters.span,
                    format!("`{}` declares no input `{name}`", invoke.capability.value),
                )
                .with_help(did_you_mean(name, declared.iter().copied(), "input")),
            );
        }
    }
    for input in &decl.inputs {
        let present = given.is_some_and(|g| g.contains_key(&input.name));
        if input.required && input.default.is_none() && !present && invoke.approval_grant.is_none()
        {
            out.push(
                Diagnostic::error(
                    Code::PACK_PARAMETER_MISMATCH,
                    FileKind::Pack,
                    invoke.parameters.span,
                    format!(
                        "`{}` requires the input `{}`",
                        invoke.capability.value, input.name
                    ),
                )
                .with_help(format!("add `{}` to `parameters`", input.name)),
            );
        }
    }
}

/// One warning per seed class with no scenario (the wording: each is a decision unproven).
fn missing_classes(pack: &Pack, out: &mut Vec<Diagnostic>) {
    let present: BTreeSet<ScenarioClass> = pack
        .scenarios
        .iter()
        .filter_map(|s| s.class.as_ref().map(|c| c.value))
        .collect();
    for class in ScenarioClass::SEED.iter().filter(|c| !present.contains(c)) {
        out.push(
            Diagnostic::warning(
                Code::PACK_MISSING_CLASS,
                FileKind::Pack,
                pack.scenarios_key,
                format!("no scenario of the class `{}`", class.as_str()),
            )
            .with_help("each of the seed's nine classes proves a different governed decision; add one, or say in `notes` why it does not apply"),
        );
    }
}

fn missing_negatives(pack: &Pack, manifest: &Manifest, out: &mut Vec<Diagnostic>) {
    for (name, decl) in &manifest.capabilities {
        if decl.grant_policy.is_none() {
            continue;
        }
        for negative in Negative::ALL {
            if *negative == Negative::Race
                || (*negative == Negative::SessionMisuse && !decl.allows_session_grants())
            {
                continue;
            }
            let covered = pack.scenarios.iter().any(|s| {
                s.class
                    .as_ref()
                    .is_some_and(|c| c.value == ScenarioClass::ApprovalNegative)
                    && s.negative.as_ref().is_some_and(|n| n.value == *negative)
                    && s.grant_for
                        .as_ref()
                        .or(s.invoked())
                        .is_some_and(|c| &c.value == name)
            });
            if !covered {
                out.push(
                    Diagnostic::warning(
                        Code::PACK_MISSING_NEGATIVE,
                        FileKind::Pack,
                        pack.scenarios_key,
                        format!("no `{}` negative for `{name}`, which has a grant policy", negative.as_str()),
                    )
                    .with_help("`scenario-lab anip init` writes the whole approval chain with every negative"),
                );
            }
        }
    }
}

fn brittle(pack: &Pack, text: &str, syntax: Syntax, out: &mut Vec<Diagnostic>) {
    for scenario in &pack.scenarios {
        for entry in &scenario.expect.brittle {
            let key = entry.key.value.as_str();
            let instead = match key {
                "detail" | "summary" => {
                    "differs across runtimes and disclosure levels: assert `outcome` (the failure type)"
                }
                "http_status" | "status_code" => {
                    "differs across bindings (Python answers 400 where others answer 403 or 409): assert `outcome`"
                }
                "key_order" => "JSON objects have no order: assert values with `result`",
                _ => {
                    "changes on every run: assert that it exists with `result` on a stable field instead"
                }
            };
            out.push(
                Diagnostic::warning(
                    Code::PACK_BRITTLE_ASSERTION,
                    FileKind::Pack,
                    entry.key.span,
                    format!("`expect.{key}` is a brittle assertion"),
                )
                .with_help(format!("`{key}` {instead}"))
                .with_fix(Fix {
                    message: format!("remove `expect.{key}`"),
                    file: FileKind::Pack,
                    edits: vec![removal(text, entry.entry, syntax)],
                }),
            );
        }
        for (path, _) in &scenario.expect.result {
            let last = path.value.rsplit(['.', '[']).next().unwrap_or_default();
            if last.contains("timestamp") || last.ends_with("_at") || last == "detail" {
                out.push(
                    Diagnostic::warning(
                        Code::PACK_BRITTLE_ASSERTION,
                        FileKind::Pack,
                        path.span,
                        format!("`{}` changes on every run or runtime", path.value),
                    )
                    .with_help("assert a stable field (an id, a count, a status) instead"),
                );
            }
        }
    }
}

/// The edit that removes a mapping entry: its whole lines in YAML, the member and one comma in JSON.
fn removal(text: &str, entry: Span, syntax: Syntax) -> TextEdit {
    let bytes = text.as_bytes();
    let span = match syntax {
        Syntax::Yaml => {
            let start = text[..entry.start].rfind('\n').map_or(0, |i| i + 1);
            let end = text[entry.end..]
                .find('\n')
                .map_or(text.len(), |i| entry.end + i + 1);
            if text[start..entry.start].trim().is_empty() {
                Span::new(start, end)
            } else {
                entry
            }
        }
        Syntax::Json => {
            let mut end = entry.end;
            while end < bytes.len() && bytes[end].is_ascii_whitespace() {
                end += 1;
            }
            if bytes.get(end) == Some(&b',') {
                end += 1;
                while end < bytes.len() && bytes[end].is_ascii_whitespace() {
                    end += 1;
                }
                Span::new(entry.start, end)
            } else {
                let mut start = entry.start;
                while start > 0 && bytes[start - 1].is_ascii_whitespace() {
                    start -= 1;
                }
                if start > 0 && bytes[start - 1] == b',' {
                    start -= 1;
                }
                Span::new(start, entry.end)
            }
        }
    };
    TextEdit {
        span,
        new_text: String::new(),
    }
}
