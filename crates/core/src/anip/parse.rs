//! Reads a pack from YAML or JSON into [`Pack`]: never fails, every problem a `pack/*` diagnostic.

use super::pack::{
    Actor, ApprovalExpect, Ask, AuditExpect, Brittle, Capture, Expect, FORMAT, GrantRequest,
    Invoke, Negative, Pack, Probe, ProbeSource, Request, Scenario, ScenarioClass, Service, Spanned,
    TokenContext,
};
use super::schema::{Place, names};
use crate::checks::nearest::did_you_mean;
use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use crate::yaml::{YamlKind, YamlNode};
use serde_json::Value;

/// Which syntax a pack is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `*.pack.yaml`.
    Yaml,
    /// `*.pack.json`.
    Json,
}

impl Syntax {
    /// From a file name (`.json` → JSON, anything else YAML).
    pub fn of_path(path: &str) -> Syntax {
        if std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Syntax::Json
        } else {
            Syntax::Yaml
        }
    }
}

/// Whether a file name (or path) names a pack: `*.pack.yaml`, `*.pack.yml` or `*.pack.json`.
pub fn is_pack_file(name: &str) -> bool {
    [".pack.yaml", ".pack.yml", ".pack.json"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// Keys that assert something that changes across runtimes or runs.
pub const BRITTLE_KEYS: [&str; 8] = [
    "detail",
    "summary",
    "http_status",
    "status_code",
    "timestamp",
    "issued_at",
    "expires_at",
    "key_order",
];

/// Parses a pack's text (the tree, then the model).
pub fn parse_pack(text: &str, syntax: Syntax) -> Parsed<Pack> {
    parse_pack_and_tree(text, syntax).0
}

/// The pack and the tree it was read from, as far as it reads (the language service asks both).
pub fn parse_pack_and_tree(text: &str, syntax: Syntax) -> (Parsed<Pack>, Option<YamlNode>) {
    let tree = match syntax {
        Syntax::Yaml => crate::yaml::parse(FileKind::Pack, text, 0),
        Syntax::Json => {
            let parsed = crate::json::parse(FileKind::Pack, text);
            Parsed {
                value: parsed.value.as_ref().map(YamlNode::from_json),
                diagnostics: parsed.diagnostics,
            }
        }
    };
    let mut reader = Reader {
        text,
        diagnostics: tree.diagnostics,
    };
    let mut pack = Pack::default();
    match &tree.value {
        Some(root) => reader.pack(root, &mut pack),
        None if reader.diagnostics.is_empty() => reader.schema(Span::at(0), "the pack is empty"),
        None => {}
    }
    for (name, env) in [
        ("requester", "ANIP_BEARER"),
        ("approver", "ANIP_APPROVER_BEARER"),
    ] {
        pack.actors.entry(name.to_owned()).or_insert(Actor {
            credential_env: env.to_owned(),
            span: Span::default(),
        });
    }
    let parsed = Parsed {
        value: pack,
        diagnostics: reader.diagnostics,
    };
    (parsed, tree.value)
}

type Entries = [(YamlNode, YamlNode)];

struct Reader<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn schema(&mut self, span: Span, message: impl Into<String>) {
        self.diagnostics.push(
            Diagnostic::error(Code::PACK_SCHEMA, FileKind::Pack, span, message)
                .with_help("see `scenario-pack/v1` in the README"),
        );
    }

    /// The entries of a mapping, with a warning for each key not in `known` (an empty `known`
    /// takes any key: names chosen by the author).
    fn mapping<'n>(&mut self, node: &'n YamlNode, what: &str, known: &[&str]) -> &'n Entries {
        let Some(entries) = node.as_mapping() else {
            if !matches!(node.kind, YamlKind::Null) {
                self.schema(
                    node.span,
                    format!("{what} must be a mapping, not a {}", node.type_name()),
                );
            }
            return &[];
        };
        for (key, _) in entries {
            let name = key.scalar_text().unwrap_or_default();
            if !known.is_empty() && !known.contains(&name.as_str()) {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::PACK_UNKNOWN_KEY,
                        FileKind::Pack,
                        key.span,
                        format!("unknown key `{name}` in {what}"),
                    )
                    .with_help(did_you_mean(
                        &name,
                        known.iter().copied(),
                        "key",
                    )),
                );
            }
        }
        entries
    }

    fn string(&mut self, node: &YamlNode, what: &str) -> Option<Spanned<String>> {
        match &node.kind {
            YamlKind::String(s) => Some(Spanned::new(s.clone(), node.span)),
            YamlKind::Int(_) | YamlKind::Float(_) | YamlKind::Bool(_) => Some(Spanned::new(
                node.scalar_text().unwrap_or_default(),
                node.span,
            )),
            _ => {
                self.schema(
                    node.span,
                    format!("{what} must be a string, not a {}", node.type_name()),
                );
                None
            }
        }
    }

    fn strings(&mut self, node: &YamlNode, what: &str) -> Vec<Spanned<String>> {
        match node.as_sequence() {
            Some(items) => items.iter().filter_map(|i| self.string(i, what)).collect(),
            None => self.string(node, what).into_iter().collect(),
        }
    }

    fn uint(&mut self, node: &YamlNode, what: &str) -> Option<u64> {
        let value = node.as_i64().and_then(|i| u64::try_from(i).ok());
        if value.is_none() {
            self.schema(node.span, format!("{what} must be a whole number ≥ 0"));
        }
        value
    }

    fn required<'n>(
        &mut self,
        entries: &'n Entries,
        key: &str,
        at: Span,
        what: &str,
    ) -> Option<&'n YamlNode> {
        let found = get(entries, key);
        if found.is_none() {
            self.schema(at, format!("{what} has no `{key}`"));
        }
        found
    }

    fn pack(&mut self, root: &YamlNode, pack: &mut Pack) {
        let entries = self.mapping(root, "the pack", &names(Place::Pack));
        if root.as_mapping().is_none() {
            return;
        }
        pack.format = self
            .required(entries, "format", Span::at(root.span.start), "the pack")
            .and_then(|n| self.string(n, "`format`"));
        if let Some(format) = &pack.format
            && format.value != FORMAT
        {
            self.schema(
                format.span,
                format!(
                    "unknown format `{}`; this tool reads `{FORMAT}`",
                    format.value
                ),
            );
        }
        if let Some(node) = get(entries, "service") {
            pack.service = self.service(node);
        }
        if let Some(node) = get(entries, "actors") {
            for (key, value) in self.mapping(node, "`actors`", &[]) {
                let Some(name) = key.scalar_text() else {
                    continue;
                };
                let actor = value.as_str().map(str::to_owned).or_else(|| {
                    let fields = self.mapping(value, "an actor", &names(Place::Actor));
                    get(fields, "credential_env")
                        .and_then(|n| self.string(n, "`credential_env`"))
                        .map(|s| s.value)
                });
                if let Some(credential_env) = actor {
                    pack.actors.insert(
                        name,
                        Actor {
                            credential_env,
                            span: key.span,
                        },
                    );
                }
            }
        }
        if let Some(node) = get(entries, "outcome") {
            let fields = self.mapping(node, "`outcome`", &names(Place::Outcome));
            if let Some(sources) = get(fields, "sources") {
                pack.outcome_sources = self.strings(sources, "an outcome source");
            }
        }
        if let Some(node) = get(entries, "probes") {
            for (key, value) in self.mapping(node, "`probes`", &[]) {
                let Some(name) = key.scalar_text() else {
                    continue;
                };
                if let Some(probe) = self.probe(key.span, value) {
                    pack.probes.insert(name, probe);
                }
            }
        }
        match self.required(entries, "scenarios", Span::at(root.span.start), "the pack") {
            Some(node) => {
                pack.scenarios_key = entry_key(entries, "scenarios").unwrap_or(node.span);
                match node.as_sequence() {
                    Some(items) => {
                        pack.scenarios = items.iter().filter_map(|i| self.scenario(i)).collect();
                    }
                    None => self.schema(node.span, "`scenarios` must be a list"),
                }
            }
            None => pack.scenarios_key = Span::at(root.span.start),
        }
    }

    fn service(&mut self, node: &YamlNode) -> Service {
        let entries = self.mapping(node, "`service`", &names(Place::Service));
        Service {
            url: get(entries, "url").and_then(|n| self.string(n, "`service.url`")),
            protocol: get(entries, "protocol").and_then(|n| self.string(n, "`service.protocol`")),
            capabilities: get(entries, "capabilities")
                .map(|n| self.strings(n, "a capability id"))
                .unwrap_or_default(),
            digest: get(entries, "digest").and_then(|n| self.string(n, "`service.digest`")),
        }
    }

    fn probe(&mut self, key: Span, node: &YamlNode) -> Option<Probe> {
        let entries = self.mapping(node, "a probe", &names(Place::Probe));
        // A SQL probe reads the first column of the first row; the others need a JSONPath.
        let path = match get(entries, "path") {
            Some(path) => self.string(path, "`path`")?,
            None if get(entries, "sql").is_some() => Spanned::new("$".to_owned(), key),
            None => {
                self.schema(key, "the probe has no `path`");
                return None;
            }
        };
        let source = if let Some(invoke) = get(entries, "invoke") {
            let fields = self.mapping(invoke, "`invoke`", &names(Place::ProbeInvoke));
            ProbeSource::Invoke {
                capability: self
                    .required(fields, "capability", invoke.span, "`invoke`")
                    .and_then(|n| self.string(n, "`capability`"))?,
                parameters: get(fields, "parameters")
                    .map_or(Value::Object(serde_json::Map::new()), YamlNode::to_json),
                actor: get(fields, "actor").and_then(|n| self.string(n, "`actor`")),
            }
        } else if let Some(http) = get(entries, "http") {
            ProbeSource::Http {
                url: self.string(http, "`http`")?.value,
            }
        } else if let Some(sql) = get(entries, "sql") {
            let fields = self.mapping(sql, "`sql`", &names(Place::ProbeSql));
            ProbeSource::Sql {
                query: self
                    .required(fields, "query", sql.span, "`sql`")
                    .and_then(|n| self.string(n, "`query`"))?
                    .value,
                database_url_env: get(fields, "database_url_env")
                    .and_then(|n| self.string(n, "`database_url_env`"))
                    .map_or_else(|| "DATABASE_URL".to_owned(), |s| s.value),
            }
        } else {
            self.schema(key, "a probe needs one of `invoke`, `http` or `sql`");
            return None;
        };
        Some(Probe {
            source,
            path,
            span: key,
        })
    }

    fn scenario(&mut self, node: &YamlNode) -> Option<Scenario> {
        let entries = self.mapping(node, "a scenario", &names(Place::Scenario));
        node.as_mapping()?;
        let id = self
            .required(entries, "id", Span::at(node.span.start), "a scenario")
            .and_then(|n| self.string(n, "`id`"))?;
        let class = self
            .required(entries, "class", id.span, "the scenario")
            .and_then(|n| {
                let text = self.string(n, "`class`")?;
                let class = ScenarioClass::parse(&text.value);
                if class.is_none() {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::PACK_SCHEMA,
                            FileKind::Pack,
                            n.span,
                            format!("unknown class `{}`", text.value),
                        )
                        .with_help(did_you_mean(
                            &text.value,
                            ScenarioClass::ALL.iter().map(|c| c.as_str()),
                            "class",
                        )),
                    );
                }
                class.map(|c| Spanned::new(c, n.span))
            });
        let negative = get(entries, "negative").and_then(|n| {
            let text = self.string(n, "`negative`")?;
            let negative = Negative::parse(&text.value);
            if negative.is_none() {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::PACK_SCHEMA,
                        FileKind::Pack,
                        n.span,
                        format!("unknown negative `{}`", text.value),
                    )
                    .with_help(did_you_mean(
                        &text.value,
                        Negative::ALL.iter().map(|c| c.as_str()),
                        "negative",
                    )),
                );
            }
            negative.map(|v| Spanned::new(v, n.span))
        });
        let mut uses = Vec::new();
        let request = self
            .required(entries, "request", id.span, "the scenario")
            .and_then(|n| self.request(n, &mut uses));
        Some(Scenario {
            id,
            span: node.span,
            class,
            negative,
            grant_for: get(entries, "grant_for").and_then(|n| self.string(n, "`grant_for`")),
            request,
            token: get(entries, "token")
                .map(|n| self.token(n))
                .unwrap_or_default(),
            prior: get(entries, "prior")
                .map(|n| self.strings(n, "a prior scenario id"))
                .unwrap_or_default(),
            wait_seconds: get(entries, "wait_seconds")
                .and_then(|n| self.uint(n, "`wait_seconds`"))
                .unwrap_or(0),
            expect: get(entries, "expect")
                .map(|n| self.expect(n))
                .unwrap_or_default(),
            capture: get(entries, "capture")
                .map(|n| self.captures(n))
                .unwrap_or_default(),
            uses,
            notes: get(entries, "notes").and_then(YamlNode::scalar_text),
        })
    }

    fn request(&mut self, node: &YamlNode, uses: &mut Vec<Spanned<String>>) -> Option<Request> {
        let entries = self.mapping(node, "`request`", &names(Place::Request));
        if entries.len() != 1 {
            self.schema(
                node.span,
                "`request` needs exactly one of `invoke`, `grant`, `ask` or `manifest`",
            );
        }
        let (key, value) = entries.first()?;
        self.collect_uses(value, uses);
        match key.as_str()? {
            "invoke" => {
                let fields = self.mapping(value, "`invoke`", &names(Place::Invoke));
                let capability = self
                    .required(fields, "capability", key.span, "`invoke`")
                    .and_then(|n| self.string(n, "`capability`"))?;
                let parameters = get(fields, "parameters").map_or_else(
                    || Spanned::new(Value::Object(serde_json::Map::new()), capability.span),
                    |n| {
                        if n.as_mapping().is_none() {
                            self.schema(n.span, "`parameters` must be a mapping");
                        }
                        Spanned::new(n.to_json(), n.span)
                    },
                );
                let parallel = get(fields, "parallel")
                    .and_then(|n| self.uint(n, "`parallel`"))
                    .map_or(1, |n| u32::try_from(n.clamp(1, 64)).unwrap_or(1));
                Some(Request::Invoke(Invoke {
                    capability,
                    parameters,
                    approval_grant: get(fields, "approval_grant")
                        .and_then(|n| self.string(n, "`approval_grant`")),
                    parallel,
                    requested_effects: get(fields, "requested_effects")
                        .map(|n| {
                            self.strings(n, "an effect")
                                .into_iter()
                                .map(|s| s.value)
                                .collect()
                        })
                        .unwrap_or_default(),
                }))
            }
            "grant" => {
                let fields = self.mapping(value, "`grant`", &names(Place::Grant));
                Some(Request::Grant(GrantRequest {
                    approval_request: self
                        .required(fields, "approval_request", key.span, "`grant`")
                        .and_then(|n| self.string(n, "`approval_request`"))?,
                    grant_type: get(fields, "grant_type")
                        .and_then(|n| self.string(n, "`grant_type`"))
                        .map(|s| s.value),
                    expires_in_seconds: get(fields, "expires_in_seconds")
                        .and_then(|n| self.uint(n, "`expires_in_seconds`")),
                    max_uses: get(fields, "max_uses").and_then(|n| self.uint(n, "`max_uses`")),
                    session: get(fields, "session")
                        .and_then(|n| self.string(n, "`session`"))
                        .map(|s| s.value),
                }))
            }
            "ask" => {
                let fields = self.mapping(value, "`ask`", &names(Place::Ask));
                Some(Request::Ask(Ask {
                    question: self
                        .required(fields, "question", key.span, "`ask`")
                        .and_then(|n| self.string(n, "`question`"))?,
                    history: get(fields, "history")
                        .map(|n| {
                            self.strings(n, "a prior turn")
                                .into_iter()
                                .map(|s| s.value)
                                .collect()
                        })
                        .unwrap_or_default(),
                }))
            }
            "manifest" => Some(Request::Manifest),
            _ => None,
        }
    }

    /// Every `${name}` in the strings under `node`, spanned on its exact bytes where it can be.
    fn collect_uses(&self, node: &YamlNode, uses: &mut Vec<Spanned<String>>) {
        match &node.kind {
            YamlKind::String(value) => {
                let source = self
                    .text
                    .get(node.span.start..node.span.end)
                    .unwrap_or_default();
                let mut rest = value.as_str();
                while let Some(start) = rest.find("${") {
                    let Some(len) = rest[start..].find('}') else {
                        break;
                    };
                    let token = &rest[start..=start + len];
                    let span = source.find(token).map_or(node.span, |at| {
                        Span::new(node.span.start + at, node.span.start + at + token.len())
                    });
                    uses.push(Spanned::new(token[2..token.len() - 1].to_owned(), span));
                    rest = &rest[start + len + 1..];
                }
            }
            YamlKind::Sequence(items) => {
                for item in items {
                    self.collect_uses(item, uses);
                }
            }
            YamlKind::Mapping(entries) => {
                for (_, value) in entries {
                    self.collect_uses(value, uses);
                }
            }
            _ => {}
        }
    }

    fn token(&mut self, node: &YamlNode) -> TokenContext {
        let entries = self.mapping(node, "`token`", &names(Place::Token));
        TokenContext {
            actor: get(entries, "actor").and_then(|n| self.string(n, "`actor`")),
            scope: get(entries, "scope").map(|n| {
                self.strings(n, "a scope")
                    .into_iter()
                    .map(|s| s.value)
                    .collect()
            }),
            capability: get(entries, "capability").and_then(|n| self.string(n, "`capability`")),
            session: get(entries, "session")
                .and_then(|n| self.string(n, "`session`"))
                .map(|s| s.value),
            ttl_hours: get(entries, "ttl_hours").and_then(|n| self.uint(n, "`ttl_hours`")),
        }
    }

    fn expect(&mut self, node: &YamlNode) -> Expect {
        let mut known = names(Place::Expect);
        known.extend(BRITTLE_KEYS);
        let entries = self.mapping(node, "`expect`", &known);
        let mut expect = Expect {
            capability: get(entries, "capability").and_then(|n| self.string(n, "`capability`")),
            outcome: get(entries, "outcome").and_then(|n| self.string(n, "`outcome`")),
            clarification_field: get(entries, "clarification_field")
                .and_then(|n| self.string(n, "`clarification_field`")),
            successes: get(entries, "successes").and_then(|n| self.uint(n, "`successes`")),
            signature: get(entries, "signature").and_then(YamlNode::as_bool),
            ..Expect::default()
        };
        if let Some(node) = get(entries, "approval") {
            let fields = self.mapping(node, "`approval`", &names(Place::Approval));
            expect.approval = Some(ApprovalExpect {
                present: get(fields, "present")
                    .and_then(YamlNode::as_bool)
                    .unwrap_or(true),
                grant_policy: get(fields, "grant_policy").map(YamlNode::to_json),
            });
        }
        if let Some(node) = get(entries, "mutation") {
            for (key, value) in self.mapping(node, "`mutation`", &[]) {
                let Some(name) = key.scalar_text() else {
                    continue;
                };
                match value.as_i64() {
                    Some(delta) => expect.mutation.push((Spanned::new(name, key.span), delta)),
                    None => self.schema(value.span, "a mutation delta must be a whole number"),
                }
            }
        }
        if let Some(node) = get(entries, "audit") {
            let fields = self.mapping(node, "`audit`", &names(Place::Audit));
            expect.audit = Some(AuditExpect {
                event_class: get(fields, "event_class").and_then(YamlNode::scalar_text),
                grant_linked: get(fields, "grant_linked")
                    .and_then(YamlNode::as_bool)
                    .unwrap_or(false),
            });
        }
        if let Some(node) = get(entries, "result") {
            for (key, value) in self.mapping(node, "`result`", &[]) {
                if let Some(path) = key.scalar_text() {
                    expect
                        .result
                        .push((Spanned::new(path, key.span), value.to_json()));
                }
            }
        }
        for (key, value) in entries {
            if let Some(name) = key.as_str().filter(|k| BRITTLE_KEYS.contains(k)) {
                expect.brittle.push(Brittle {
                    key: Spanned::new(name.to_owned(), key.span),
                    entry: Span::new(key.span.start, value.span.end.max(key.span.end)),
                });
            }
        }
        expect
    }

    fn captures(&mut self, node: &YamlNode) -> Vec<Capture> {
        let mut captures = Vec::new();
        for (key, value) in self.mapping(node, "`capture`", &[]) {
            let Some(name) = key.scalar_text() else {
                continue;
            };
            // Whether it is a JSONPath is the check's (`pack/json-path`, on the bad byte).
            if let Some(path) = self.string(value, "a capture path") {
                captures.push(Capture {
                    name: Spanned::new(name, key.span),
                    path,
                });
            }
        }
        captures
    }
}

fn get<'n>(entries: &'n Entries, key: &str) -> Option<&'n YamlNode> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(_, v)| v)
}

fn entry_key(entries: &Entries, key: &str) -> Option<Span> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == Some(key))
        .map(|(k, _)| k.span)
}
