//! The pack language service: completion and hover in `scenario-pack/v1` files (the format's
//! keys, capability ids and their parameters from the saved manifest, actors, probes, `prior`
//! ids, `${captures}`, classes and outcomes). Pure, positions in bytes, like `crate::language`.

use super::locate::{PackCursor, cursor_at, node_at};
use super::manifest::{CapabilityDecl, Manifest};
use super::pack::{Negative, Pack, ScenarioClass};
use super::parse::{Syntax, parse_pack_and_tree};
use super::schema::{self, EVENT_CLASSES, OUTCOMES, Place};
use crate::diagnostic::Span;
use crate::language::locate::Seg;
use crate::language::{Completion, CompletionKind, Hover};
use crate::yaml::YamlNode;
use std::fmt::Write;

/// What the service reads of one pack: its text, syntax, model and tree, and the manifest.
struct Context<'a> {
    text: &'a str,
    syntax: Syntax,
    pack: Pack,
    tree: Option<YamlNode>,
    manifest: Option<&'a Manifest>,
}

impl<'a> Context<'a> {
    fn new(text: &'a str, syntax: Syntax, manifest: Option<&'a Manifest>) -> Self {
        let (pack, tree) = parse_pack_and_tree(text, syntax);
        Context {
            text,
            syntax,
            pack: pack.value,
            tree,
            manifest,
        }
    }

    fn capability(&self, id: &str) -> Option<&'a CapabilityDecl> {
        self.manifest?.capabilities.get(id)
    }

    /// The scalar at `path` of the tree, if it is one.
    fn scalar_at(&self, path: &[Seg]) -> Option<String> {
        node_at(self.tree.as_ref()?, path)?.scalar_text()
    }

    /// The keys the mapping at `path` already has.
    fn present_keys(&self, path: &[Seg]) -> Vec<String> {
        self.tree
            .as_ref()
            .and_then(|root| node_at(root, path))
            .and_then(YamlNode::as_mapping)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|(k, _)| k.scalar_text())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The keys of a path, indices left out (`scenarios.request.invoke`).
fn keys(path: &[Seg]) -> Vec<&str> {
    path.iter()
        .filter_map(|seg| match seg {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect()
}

/// The place of the mapping at `path`.
fn place(path: &[Seg]) -> Option<Place> {
    let keys = keys(path);
    Some(match keys.as_slice() {
        [] => Place::Pack,
        ["service"] => Place::Service,
        ["actors", _] => Place::Actor,
        ["outcome"] => Place::Outcome,
        ["probes", _] => Place::Probe,
        ["probes", _, "invoke"] => Place::ProbeInvoke,
        ["probes", _, "sql"] => Place::ProbeSql,
        ["scenarios"] if matches!(path.last(), Some(Seg::Index(_))) => Place::Scenario,
        ["scenarios", "request"] => Place::Request,
        ["scenarios", "request", "invoke"] => Place::Invoke,
        ["scenarios", "request", "grant"] => Place::Grant,
        ["scenarios", "request", "ask"] => Place::Ask,
        ["scenarios", "token"] => Place::Token,
        ["scenarios", "expect"] => Place::Expect,
        ["scenarios", "expect", "approval"] => Place::Approval,
        ["scenarios", "expect", "audit"] => Place::Audit,
        _ => return None,
    })
}

/// Lists whose items are scalars: a `- ` there starts a value, not a key.
const SCALAR_LISTS: [&str; 6] = [
    "prior",
    "capabilities",
    "sources",
    "history",
    "requested_effects",
    "scope",
];

/// Completions at `offset` of a pack; `manifest` is the saved `anip/manifest.json` when there is one.
pub fn complete(
    text: &str,
    syntax: Syntax,
    manifest: Option<&Manifest>,
    offset: usize,
) -> Vec<Completion> {
    let ctx = Context::new(text, syntax, manifest);
    let mut cursor = cursor_at(text, syntax, ctx.tree.as_ref(), offset);
    // `- word` in a list of scalars is an item being typed.
    if cursor.in_key
        && matches!(cursor.path.last(), Some(Seg::Index(_)))
        && keys(&cursor.path)
            .last()
            .is_some_and(|k| SCALAR_LISTS.contains(k))
    {
        cursor.in_key = false;
    }
    let mut items = if let Some(start) = open_capture(&cursor.prefix) {
        captures(&ctx, &cursor, start, offset.min(text.len()))
    } else if cursor.in_key {
        key_completions(&ctx, &cursor)
    } else {
        value_completions(&ctx, &cursor)
    };
    let typed = cursor.prefix.trim();
    items.retain(|c| c.label.starts_with(typed) || typed.is_empty() || typed.starts_with("${"));
    items
}

/// Where an unclosed `${` starts in the text typed so far.
fn open_capture(prefix: &str) -> Option<usize> {
    let start = prefix.rfind("${")?;
    (!prefix[start..].contains('}')).then_some(start)
}

fn item(
    label: &str,
    kind: CompletionKind,
    detail: Option<String>,
    doc: Option<String>,
) -> Completion {
    Completion {
        label: label.to_owned(),
        kind,
        detail,
        documentation: doc,
        insert_text: None,
        range: None,
    }
}

fn key_completions(ctx: &Context<'_>, cursor: &PackCursor) -> Vec<Completion> {
    let present = ctx.present_keys(&cursor.path);
    let followed_by_colon = ctx.text[cursor.token.end.min(ctx.text.len())..]
        .trim_start_matches('"')
        .starts_with(':');
    let insert = |key: &str| -> String {
        match (ctx.syntax, followed_by_colon) {
            (Syntax::Json, true) => format!("\"{key}\""),
            (Syntax::Json, false) => format!("\"{key}\": "),
            (Syntax::Yaml, true) => key.to_owned(),
            (Syntax::Yaml, false) => format!("{key}: "),
        }
    };
    let mut out: Vec<Completion> = match keys(&cursor.path).as_slice() {
        ["scenarios", "expect", "mutation"] => ctx
            .pack
            .probes
            .keys()
            .map(|p| item(p, CompletionKind::Probe, Some("probe".into()), None))
            .collect(),
        [.., "invoke", "parameters"] => {
            let invoke = &cursor.path[..cursor.path.len() - 1];
            let mut capability_path = invoke.to_vec();
            capability_path.push(Seg::Key("capability".into()));
            let decl = ctx
                .scalar_at(&capability_path)
                .and_then(|id| ctx.capability(&id));
            decl.map(|d| {
                d.inputs
                    .iter()
                    .map(|input| {
                        item(
                            &input.name,
                            CompletionKind::Parameter,
                            Some(input_detail(input)),
                            input.description.clone().filter(|d| !d.is_empty()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
        }
        _ => place(&cursor.path)
            .map(|place| {
                schema::keys(place)
                    .iter()
                    .map(|(key, doc)| {
                        item(key, CompletionKind::Keyword, None, Some((*doc).to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let under_cursor = cursor.prefix.as_str();
    out.retain(|c| !present.contains(&c.label) || c.label == under_cursor);
    for c in &mut out {
        c.insert_text = Some(insert(&c.label));
        c.range = Some(cursor.token);
    }
    out
}

fn input_detail(input: &super::manifest::InputDecl) -> String {
    let kind = input.kind.as_deref().unwrap_or("any");
    if input.required {
        format!("{kind}, required")
    } else {
        format!("{kind}, optional")
    }
}

fn value_completions(ctx: &Context<'_>, cursor: &PackCursor) -> Vec<Completion> {
    let path = &cursor.path;
    // The key the value belongs to (a list item: the list's key).
    let key = keys(path).last().copied().unwrap_or_default();
    let parent_len = path
        .iter()
        .rposition(|s| matches!(s, Seg::Key(k) if k == key))
        .unwrap_or(0);
    let parent = place(&path[..parent_len]);
    let values: Vec<Completion> = match (parent, key) {
        (Some(Place::Pack), "format") => vec![item(
            super::pack::FORMAT,
            CompletionKind::EnumValue,
            None,
            None,
        )],
        (Some(Place::Service), "capabilities")
        | (Some(Place::Invoke | Place::ProbeInvoke | Place::Token | Place::Expect), "capability") => {
            capabilities(ctx, false)
        }
        (Some(Place::Scenario), "grant_for") => capabilities(ctx, true),
        (Some(Place::Token | Place::ProbeInvoke), "actor") => ctx
            .pack
            .actors
            .iter()
            .map(|(name, actor)| {
                item(
                    name,
                    CompletionKind::Actor,
                    Some(format!("credential in ${}", actor.credential_env)),
                    None,
                )
            })
            .collect(),
        (Some(Place::Scenario), "class") => ScenarioClass::ALL
            .iter()
            .map(|c| {
                item(
                    c.as_str(),
                    CompletionKind::EnumValue,
                    None,
                    Some(c.doc().to_owned()),
                )
            })
            .collect(),
        (Some(Place::Scenario), "negative") => Negative::ALL
            .iter()
            .map(|n| {
                item(
                    n.as_str(),
                    CompletionKind::EnumValue,
                    None,
                    Some(n.doc().to_owned()),
                )
            })
            .collect(),
        (Some(Place::Scenario), "prior") => prior_ids(ctx, path),
        (Some(Place::Grant), "grant_type") => ["one_time", "session_bound"]
            .iter()
            .map(|t| item(t, CompletionKind::EnumValue, None, None))
            .collect(),
        (Some(Place::Expect), "outcome") => OUTCOMES
            .iter()
            .map(|o| item(o, CompletionKind::EnumValue, None, None))
            .collect(),
        (Some(Place::Audit), "event_class") => EVENT_CLASSES
            .iter()
            .map(|o| item(o, CompletionKind::EnumValue, None, None))
            .collect(),
        (Some(Place::Audit), "grant_linked")
        | (Some(Place::Approval), "present")
        | (Some(Place::Expect), "signature") => ["true", "false"]
            .iter()
            .map(|o| item(o, CompletionKind::EnumValue, None, None))
            .collect(),
        _ => Vec::new(),
    };
    values
        .into_iter()
        .map(|mut c| {
            c.insert_text = Some(match ctx.syntax {
                Syntax::Json if !matches!(c.label.as_str(), "true" | "false") => {
                    format!("\"{}\"", c.label)
                }
                _ => c.label.clone(),
            });
            c.range = Some(cursor.token);
            c
        })
        .collect()
}

fn capabilities(ctx: &Context<'_>, gated_only: bool) -> Vec<Completion> {
    let Some(manifest) = ctx.manifest else {
        // Without a manifest: the ids the pack itself pins.
        return ctx
            .pack
            .service
            .capabilities
            .iter()
            .map(|c| item(&c.value, CompletionKind::Capability, None, None))
            .collect();
    };
    manifest
        .capabilities
        .iter()
        .filter(|(_, d)| !gated_only || d.grant_policy.is_some())
        .map(|(id, decl)| {
            item(
                id,
                CompletionKind::Capability,
                Some(capability_detail(decl)),
                Some(capability_card(id, decl)),
            )
        })
        .collect()
}

fn capability_detail(decl: &CapabilityDecl) -> String {
    let effect = decl.side_effect.as_ref().map_or("?", |s| s.kind.as_str());
    if decl.grant_policy.is_some() {
        format!("{effect}, approval-gated")
    } else {
        effect.to_owned()
    }
}

/// A capability's declaration as Markdown.
fn capability_card(id: &str, decl: &CapabilityDecl) -> String {
    let mut card = format!("**{id}** ({})", capability_detail(decl));
    if let Some(description) = decl.description.as_deref().filter(|d| !d.is_empty()) {
        card.push_str("\n\n");
        card.push_str(description);
    }
    if !decl.minimum_scope.is_empty() {
        let _ = write!(
            card,
            "\n\nminimum scope: `{}`",
            decl.minimum_scope.join("`, `")
        );
    }
    if !decl.inputs.is_empty() {
        card.push_str("\n\ninputs:");
        for input in &decl.inputs {
            let _ = write!(card, "\n- `{}`: {}", input.name, input_detail(input));
        }
    }
    if let Some(policy) = &decl.grant_policy {
        let _ = write!(
            card,
            "\n\ngrant policy: {} (default {}), expires in {} s, at most {} use(s)",
            policy.allowed_grant_types.join(", "),
            policy.default_grant_type.as_deref().unwrap_or("none"),
            policy
                .expires_in_seconds
                .map_or_else(|| "?".to_owned(), |s| s.to_string()),
            policy
                .max_uses
                .map_or_else(|| "?".to_owned(), |s| s.to_string()),
        );
    }
    card
}

fn prior_ids(ctx: &Context<'_>, path: &[Seg]) -> Vec<Completion> {
    let own = match path.get(1) {
        Some(Seg::Index(i)) => ctx.scalar_at(&[
            Seg::Key("scenarios".into()),
            Seg::Index(*i),
            Seg::Key("id".into()),
        ]),
        _ => None,
    };
    ctx.pack
        .scenarios
        .iter()
        .filter(|s| Some(&s.id.value) != own.as_ref())
        .map(|s| {
            let class = s.class.as_ref().map(|c| c.value.as_str());
            item(
                &s.id.value,
                CompletionKind::Scenario,
                class.map(str::to_owned),
                None,
            )
        })
        .collect()
}

/// `${name}` completions: every capture of the pack (the check says which come too late).
fn captures(
    ctx: &Context<'_>,
    cursor: &PackCursor,
    start: usize,
    offset: usize,
) -> Vec<Completion> {
    let typed = &cursor.prefix[start + 2..];
    let at = ctx.text[..offset].rfind("${").unwrap_or(offset);
    let range = Span::new(at, at + 2 + typed.len());
    ctx.pack
        .scenarios
        .iter()
        .flat_map(|s| s.capture.iter().map(move |c| (s, c)))
        .filter(|(_, c)| c.name.value.starts_with(typed))
        .map(|(scenario, capture)| Completion {
            label: format!("${{{}}}", capture.name.value),
            kind: CompletionKind::Capture,
            detail: Some(format!("{} of `{}`", capture.path.value, scenario.id.value)),
            documentation: None,
            insert_text: Some(format!("${{{}}}", capture.name.value)),
            range: Some(range),
        })
        .collect()
}

/// The hover card at `offset` of a pack.
pub fn hover(
    text: &str,
    syntax: Syntax,
    manifest: Option<&Manifest>,
    offset: usize,
) -> Option<Hover> {
    let ctx = Context::new(text, syntax, manifest);
    let cursor = cursor_at(text, syntax, ctx.tree.as_ref(), offset);
    let token = cursor.token;
    let word = text
        .get(token.start..token.end)?
        .trim_matches(['"', '\'', ' ']);
    if word.is_empty() {
        return None;
    }
    if let Some(card) = capture_card(&ctx, text, token, offset) {
        return Some(card);
    }
    let contents = if cursor.in_key {
        key_card(&ctx, &cursor.path, word)?
    } else {
        value_card(&ctx, &cursor.path, word)?
    };
    Some(Hover {
        contents,
        range: token,
    })
}

fn key_card(ctx: &Context<'_>, path: &[Seg], word: &str) -> Option<String> {
    match keys(path).as_slice() {
        [.., "invoke", "parameters"] => {
            let mut capability_path = path[..path.len() - 1].to_vec();
            capability_path.push(Seg::Key("capability".into()));
            let id = ctx.scalar_at(&capability_path)?;
            let input = ctx
                .capability(&id)?
                .inputs
                .iter()
                .find(|i| i.name == word)?;
            Some(format!(
                "**{word}** ({}), an input of `{id}`",
                input_detail(input)
            ))
        }
        ["scenarios", "expect", "mutation"] => probe_card(ctx, word),
        _ => schema::doc(place(path)?, word).map(|doc| format!("**{word}**: {doc}")),
    }
}

fn value_card(ctx: &Context<'_>, path: &[Seg], word: &str) -> Option<String> {
    if let Some(decl) = ctx.capability(word) {
        return Some(capability_card(word, decl));
    }
    let key = keys(path).last().copied().unwrap_or_default();
    match key {
        "class" => ScenarioClass::parse(word).map(|c| format!("**{word}**: {}", c.doc())),
        "negative" => Negative::parse(word).map(|n| format!("**{word}**: {}", n.doc())),
        "prior" => ctx
            .pack
            .scenarios
            .iter()
            .find(|s| s.id.value == word)
            .map(|s| {
                let class = s.class.as_ref().map_or("no class", |c| c.value.as_str());
                format!("scenario **{word}** ({class})")
            }),
        "actor" => ctx.pack.actors.get(word).map(|a| {
            format!(
                "actor **{word}**: its credential is read from `${}`",
                a.credential_env
            )
        }),
        _ => None,
    }
}

fn probe_card(ctx: &Context<'_>, name: &str) -> Option<String> {
    let probe = ctx.pack.probes.get(name)?;
    let source = match &probe.source {
        super::pack::ProbeSource::Invoke { capability, .. } => {
            format!("invokes `{}`", capability.value)
        }
        super::pack::ProbeSource::Http { url } => format!("GET `{url}`"),
        super::pack::ProbeSource::Sql { query, .. } => format!("SQL `{query}`"),
    };
    Some(format!(
        "probe **{name}**: {source}, reads `{}`; the value is read before and after the request",
        probe.path.value
    ))
}

/// The card of a `${name}` under the cursor: which scenario captures it, and from where.
fn capture_card(ctx: &Context<'_>, text: &str, token: Span, offset: usize) -> Option<Hover> {
    let scalar = text.get(token.start..token.end)?;
    let mut from = 0;
    while let Some(open) = scalar[from..].find("${") {
        let start = from + open;
        let close = start + scalar[start..].find('}')?;
        let span = Span::new(token.start + start, token.start + close + 1);
        if span.start <= offset && offset <= span.end {
            let name = &scalar[start + 2..close];
            let (scenario, capture) = ctx.pack.scenarios.iter().find_map(|s| {
                s.capture
                    .iter()
                    .find(|c| c.name.value == name)
                    .map(|c| (s, c))
            })?;
            return Some(Hover {
                contents: format!(
                    "`${{{name}}}`: captured by **{}** from `{}`",
                    scenario.id.value, capture.path.value
                ),
                range: span,
            });
        }
        from = close + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anip::parse_manifest;

    const MANIFEST: &str =
        include_str!("../../../../tests/fixtures/anip/valid/approval-chain/manifest.json");

    const PACK: &str = "format: scenario-pack/v1
service:
  url: http://127.0.0.1:8765
probes:
  resets:
    invoke: {capability: fixture.count, parameters: {tenant: tenant-a}}
    path: $.result.resets
scenarios:
  - id: stop
    class: approval_stop
    request:
      invoke:
        capability: fixture.reset_tenant
        parameters: {tenant: tenant-a}
    expect: {outcome: approval_required, mutation: {resets: 0}}
    capture:
      request_id: $.failure.approval_required.approval_request_id
";

    fn manifest() -> Manifest {
        parse_manifest(MANIFEST)
            .value
            .expect("the fixture's manifest")
    }

    /// The completions' labels at the `$0` of `PACK` followed by `more`.
    fn labels_at(more: &str) -> Vec<String> {
        let text = format!("{PACK}{more}");
        let offset = text.find("$0").expect("a $0 marker");
        let text = text.replacen("$0", "", 1);
        complete(&text, Syntax::Yaml, Some(&manifest()), offset)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    fn hover_at(more: &str, word: &str) -> Option<String> {
        let text = format!("{PACK}{more}");
        let offset = text.find(word).expect("the word") + 1;
        hover(&text, Syntax::Yaml, Some(&manifest()), offset).map(|h| h.contents)
    }

    #[test]
    fn keys_of_the_format_where_the_cursor_is() {
        let scenario = labels_at("  - id: grant\n    $0\n");
        assert!(scenario.contains(&"request".to_owned()), "{scenario:?}");
        assert!(
            !scenario.contains(&"id".to_owned()),
            "present keys are left out: {scenario:?}"
        );
        let invoke = labels_at("  - id: x\n    request:\n      invoke:\n        par$0\n");
        assert_eq!(invoke, ["parameters", "parallel"]);
        let top = labels_at("act$0\n");
        assert_eq!(top, ["actors"]);
    }

    #[test]
    fn capabilities_parameters_actors_probes_and_prior_ids() {
        let caps = labels_at("  - id: x\n    request:\n      invoke:\n        capability: $0\n");
        assert_eq!(caps, ["fixture.count", "fixture.reset_tenant"]);
        let params = labels_at(
            "  - id: x\n    request:\n      invoke:\n        capability: fixture.count\n        parameters:\n          $0\n",
        );
        assert_eq!(params, ["tenant"]);
        let actors = labels_at("  - id: x\n    token:\n      actor: $0\n");
        assert_eq!(actors, ["approver", "requester"]);
        let probes = labels_at("  - id: x\n    expect:\n      mutation:\n        $0\n");
        assert_eq!(probes, ["resets"]);
        let prior = labels_at("  - id: grant\n    prior: [$0]\n");
        assert_eq!(prior, ["stop"]);
        let prior = labels_at("  - id: grant\n    prior:\n      - $0\n");
        assert_eq!(prior, ["stop"]);
        let gated = labels_at("  - id: x\n    grant_for: $0\n");
        assert_eq!(gated, ["fixture.reset_tenant"]);
    }

    #[test]
    fn classes_outcomes_and_captures() {
        let classes = labels_at("  - id: x\n    class: approval_$0\n");
        assert_eq!(
            classes,
            [
                "approval_stop",
                "approval_continuation",
                "approval_negative"
            ]
        );
        let outcomes = labels_at("  - id: x\n    expect:\n      outcome: grant_c$0\n");
        assert_eq!(outcomes, ["grant_consumed", "grant_capability_mismatch"]);
        let captures =
            labels_at("  - id: x\n    request:\n      grant: {approval_request: \"${re$0\"}\n");
        assert_eq!(captures, ["${request_id}"]);
    }

    #[test]
    fn json_packs_complete_too() {
        let text = r#"{"format": "scenario-pack/v1", "scenarios": [{"id": "x", "request": {"invoke": {"capability": "fix$0"}}}]}"#;
        let offset = text.find("$0").expect("marker");
        let text = text.replacen("$0", "", 1);
        let items = complete(&text, Syntax::Json, Some(&manifest()), offset);
        let labels: Vec<&str> = items.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, ["fixture.count", "fixture.reset_tenant"]);
        assert_eq!(items[0].insert_text.as_deref(), Some("\"fixture.count\""));
    }

    #[test]
    fn hovers_name_capabilities_inputs_keys_probes_and_captures() {
        let card = hover_at("", "fixture.reset_tenant").expect("a capability card");
        assert!(
            card.contains("approval-gated") && card.contains("`tenant`"),
            "{card}"
        );
        let card = hover_at("", "tenant: tenant-a}\n    expect").expect("an input card");
        assert!(
            card.contains("an input of `fixture.reset_tenant`"),
            "{card}"
        );
        let card = hover_at("", "capture:").expect("a key card");
        assert!(card.contains("`${name}`"), "{card}");
        let card = hover_at("", "resets: 0").expect("a probe card");
        assert!(card.contains("invokes `fixture.count`"), "{card}");
        let card = hover_at(
            "  - id: g\n    request: {grant: {approval_request: \"${request_id}\"}}\n",
            "request_id}",
        )
        .expect("a capture card");
        assert!(card.contains("captured by **stop**"), "{card}");
        let card = hover_at("", "approval_stop").expect("a class card");
        assert!(card.contains("before any side effect"), "{card}");
    }
}
