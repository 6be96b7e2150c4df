//! The starter pack `anip init` writes from a manifest: direct invokes, each gated capability's
//! whole approval chain with every negative, a scope denial and a manifest identity scenario.

use super::manifest::{CapabilityDecl, Manifest, capability_digest};
use super::pack::FORMAT;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// What `anip init` was given.
#[derive(Clone, Copy, Debug)]
pub struct StarterInput<'a> {
    /// The service's base URL.
    pub service: &'a str,
    /// The manifest as served.
    pub manifest: &'a Value,
    /// `{capability: parameters}`.
    pub samples: &'a BTreeMap<String, Value>,
    /// `(capability, JSONPath)` state probes.
    pub probes: &'a [(String, String)],
}

/// The pack (a JSON value, written as YAML or JSON by the caller) and the capabilities whose
/// required inputs had no sample (their parameters say `TODO`).
pub fn starter_pack(input: &StarterInput<'_>) -> (Value, Vec<String>) {
    let manifest: Manifest = Manifest::deserialize(input.manifest).unwrap_or_default();
    let capabilities = input
        .manifest
        .get("capabilities")
        .cloned()
        .unwrap_or(Value::Null);
    let mut todo = Vec::new();
    let mut params = BTreeMap::new();
    for (name, decl) in &manifest.capabilities {
        params.insert(
            name.clone(),
            parameters(name, decl, input.samples, &mut todo),
        );
    }
    let probes: Map<String, Value> = input
        .probes
        .iter()
        .map(|(capability, path)| {
            let parameters = params.get(capability).cloned().unwrap_or_else(|| json!({}));
            (slug(capability), json!({"invoke": {"capability": capability, "parameters": parameters}, "path": path}))
        })
        .collect();
    let probe = input.probes.first().map(|(c, _)| slug(c));
    let mut scenarios = Vec::new();
    for (name, decl) in &manifest.capabilities {
        let chain = Chain {
            name,
            decl,
            manifest: &manifest,
            params: &params,
            probe: probe.as_deref(),
        };
        if decl.grant_policy.is_some() {
            chain.approval(&mut scenarios);
        } else {
            scenarios.push(chain.direct());
        }
    }
    scenarios.push(json!({
        "id": "manifest-identity",
        "class": "manifest_parity",
        "request": {"manifest": {}},
        "expect": {"signature": true},
        "notes": "the capability id set, the protocol and the normalized capability digest are pinned under `service`",
    }));
    let scenarios: Vec<Value> = scenarios.into_iter().map(in_pack_order).collect();
    let pack = json!({
        "format": FORMAT,
        "service": {
            "url": input.service,
            "protocol": manifest.protocol.clone().unwrap_or_else(|| "anip/0.24".to_owned()),
            "capabilities": manifest.capabilities.keys().collect::<Vec<_>>(),
            "digest": capability_digest(&capabilities),
        },
        "actors": {
            "requester": {"credential_env": "ANIP_BEARER"},
            "approver": {"credential_env": "ANIP_APPROVER_BEARER"},
        },
        "probes": probes,
        "scenarios": scenarios,
    });
    (pack, todo)
}

fn parameters(
    name: &str,
    decl: &CapabilityDecl,
    samples: &BTreeMap<String, Value>,
    todo: &mut Vec<String>,
) -> Value {
    if let Some(sample) = samples.get(name) {
        return sample.clone();
    }
    let mut out = Map::new();
    for input in decl
        .inputs
        .iter()
        .filter(|i| i.required && i.default.is_none())
    {
        out.insert(input.name.clone(), Value::String("TODO".to_owned()));
    }
    if !out.is_empty() {
        todo.push(name.to_owned());
    }
    Value::Object(out)
}

/// A scenario's keys in the order the format documents them (the pack is read top to bottom).
fn in_pack_order(scenario: Value) -> Value {
    const ORDER: [&str; 11] = [
        "id",
        "class",
        "negative",
        "grant_for",
        "prior",
        "wait_seconds",
        "request",
        "token",
        "expect",
        "capture",
        "notes",
    ];
    let Value::Object(mut map) = scenario else {
        return scenario;
    };
    let mut out = Map::new();
    for key in ORDER {
        if let Some(value) = map.remove(key) {
            out.insert(key.to_owned(), value);
        }
    }
    out.extend(map);
    Value::Object(out)
}

/// A capability name as an id part (`fixture.reset_tenant` → `fixture_reset_tenant`).
fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

struct Chain<'a> {
    name: &'a str,
    decl: &'a CapabilityDecl,
    manifest: &'a Manifest,
    params: &'a BTreeMap<String, Value>,
    probe: Option<&'a str>,
}

impl Chain<'_> {
    fn id(&self, what: &str) -> String {
        format!("{}-{what}", slug(self.name))
    }

    fn sample(&self) -> Value {
        self.params
            .get(self.name)
            .cloned()
            .unwrap_or_else(|| json!({}))
    }

    fn mutation(&self, delta: i64) -> Option<Value> {
        self.probe.map(|p| json!({ p: delta }))
    }

    fn expect(&self, outcome: &str, delta: Option<i64>) -> Value {
        let mut expect = json!({ "outcome": outcome });
        if let Some(mutation) = delta.and_then(|d| self.mutation(d)) {
            expect["mutation"] = mutation;
        }
        expect
    }

    fn direct(&self) -> Value {
        let read = self
            .decl
            .side_effect
            .as_ref()
            .is_some_and(|s| s.kind == "read");
        json!({
            "id": self.id("invoke"),
            "class": "capability_selection",
            "request": {"invoke": {"capability": self.name, "parameters": self.sample()}},
            "expect": self.expect("success", read.then_some(0)),
        })
    }

    fn invoke(&self, grant: Option<&str>) -> Value {
        let mut invoke = json!({"capability": self.name, "parameters": self.sample()});
        if let Some(grant) = grant {
            invoke["approval_grant"] = Value::String(format!("${{{grant}}}"));
        }
        json!({ "invoke": invoke })
    }

    /// A stop (capturing its request id) and a grant (capturing the grant id) named `tag`.
    fn stop_and_grant(
        &self,
        tag: &str,
        grant: Value,
        session: Option<&str>,
        out: &mut Vec<Value>,
    ) -> String {
        let (stop, issue) = (
            self.id(&format!("{tag}stop")),
            self.id(&format!("{tag}grant")),
        );
        let (request, grant_name) = (
            format!("{}_{tag}request", slug(self.name)),
            format!("{}_{tag}grant", slug(self.name)),
        );
        let mut stop_scenario = json!({
            "id": stop,
            "class": "approval_stop",
            "request": self.invoke(None),
            "expect": self.expect("approval_required", Some(0)),
            "capture": { &request: "$.failure.approval_required.approval_request_id" },
        });
        stop_scenario["expect"]["approval"] =
            json!({"present": true, "grant_policy": self.decl.grant_policy});
        if let Some(session) = session {
            stop_scenario["token"] = json!({ "session": session });
        }
        let mut grant = grant;
        grant["approval_request"] = Value::String(format!("${{{request}}}"));
        out.push(stop_scenario);
        out.push(json!({
            "id": issue,
            "class": "approval_continuation",
            "prior": [stop],
            "request": {"grant": grant},
            "token": {"actor": "approver"},
            "expect": {"outcome": "success"},
            "capture": { &grant_name: "$.grant_id" },
        }));
        grant_name
    }

    fn negative(
        &self,
        what: &str,
        kind: &str,
        prior: &[String],
        request: Value,
        outcome: &str,
    ) -> Value {
        let mut scenario = json!({
            "id": self.id(what),
            "class": "approval_negative",
            "negative": kind,
            "grant_for": self.name,
            "expect": self.expect(outcome, Some(0)),
        });
        scenario["request"] = request;
        if !prior.is_empty() {
            scenario["prior"] = json!(prior);
        }
        scenario
    }

    fn approval(&self, out: &mut Vec<Value>) {
        let grant = self.stop_and_grant("", json!({"grant_type": "one_time"}), None, out);
        let issued = self.id("grant");
        let mut drifted = self.invoke(Some(&grant));
        drift(&mut drifted["invoke"]["parameters"]);
        out.push(self.negative(
            "drift",
            "parameter_drift",
            std::slice::from_ref(&issued),
            drifted,
            "grant_param_drift",
        ));
        if let Some((other, _)) = self
            .manifest
            .capabilities
            .iter()
            .find(|(n, _)| n.as_str() != self.name)
        {
            let params = self.params.get(other).cloned().unwrap_or_else(|| json!({}));
            let request = json!({"invoke": {"capability": other, "parameters": params, "approval_grant": format!("${{{grant}}}")}});
            out.push(self.negative(
                "capability-mismatch",
                "capability_mismatch",
                std::slice::from_ref(&issued),
                request,
                "grant_capability_mismatch",
            ));
        }
        let mut continuation = json!({
            "id": self.id("continue"),
            "class": "approval_continuation",
            "prior": [issued],
            "request": self.invoke(Some(&grant)),
            "expect": self.expect("success", Some(1)),
        });
        continuation["expect"]["audit"] =
            json!({"event_class": "high_risk_success", "grant_linked": true});
        out.push(continuation);
        let replay_prior = [self.id("continue"), issued];
        out.push(self.negative(
            "replay",
            "reuse",
            &replay_prior,
            self.invoke(Some(&grant)),
            "grant_consumed",
        ));
        self.later_negatives(out);
    }

    /// The negatives that need their own stop and grant (expiry, session, race), the forged
    /// grant and the scope denial.
    fn later_negatives(&self, out: &mut Vec<Value>) {
        let expiring = self.stop_and_grant(
            "expiry-",
            json!({"grant_type": "one_time", "expires_in_seconds": 1}),
            None,
            out,
        );
        let mut expired = self.negative(
            "expired",
            "expiry",
            &[self.id("expiry-grant")],
            self.invoke(Some(&expiring)),
            "grant_expired",
        );
        expired["wait_seconds"] = json!(2);
        out.push(expired);
        if self.decl.allows_session_grants() {
            let bound =
                json!({"grant_type": "session_bound", "session": "scenario-lab-a", "max_uses": 1});
            let session = self.stop_and_grant("session-", bound, Some("scenario-lab-a"), out);
            let mut misuse = self.negative(
                "session-misuse",
                "session_misuse",
                &[self.id("session-grant")],
                self.invoke(Some(&session)),
                "grant_session_invalid",
            );
            misuse["token"] = json!({"session": "scenario-lab-b"});
            out.push(misuse);
        }
        let mut forged = self.invoke(None);
        forged["invoke"]["approval_grant"] = json!("grant_000000000000");
        out.push(self.negative("forged", "forged_grant", &[], forged, "grant_not_found"));
        let racing = self.stop_and_grant("race-", json!({"grant_type": "one_time"}), None, out);
        let mut race = self.invoke(Some(&racing));
        race["invoke"]["parallel"] = json!(4);
        let mut race = self.negative("race", "race", &[self.id("race-grant")], race, "success");
        race["expect"] = json!({"successes": 1});
        if let Some(mutation) = self.mutation(1) {
            race["expect"]["mutation"] = mutation;
        }
        out.push(race);
        let scope = self
            .manifest
            .capabilities
            .iter()
            .find(|(n, c)| n.as_str() != self.name && c.minimum_scope != self.decl.minimum_scope)
            .map_or_else(
                || vec!["scenario-lab.none".to_owned()],
                |(_, c)| c.minimum_scope.clone(),
            );
        out.push(json!({
            "id": self.id("scope-denied"),
            "class": "denial",
            "request": self.invoke(None),
            "token": {"scope": scope},
            "expect": self.expect("scope_insufficient", Some(0)),
        }));
    }
}

/// Changes the first string parameter (or adds one) so the digest differs from the approved one.
fn drift(parameters: &mut Value) {
    if let Some(map) = parameters.as_object_mut() {
        if let Some(Value::String(text)) = map.values_mut().find(|v| v.is_string()) {
            text.push_str("-drift");
        } else {
            map.insert("scenario_lab_drift".to_owned(), Value::Bool(true));
        }
    }
}
