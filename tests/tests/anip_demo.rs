//! The demo's embedded ANIP service held to the real Python runtime (anip-service + anip-fastapi
//! 0.24.13): the same requests to both give the same statuses, failure types and answer shapes;
//! the starter pack the demo writes passes on both with no outcome drift; parity finds their
//! manifests equal.

use scenario_lab_tests::{
    ANIP_APPROVER_KEY, ANIP_REQUESTER_KEY, AnipService, anip, example_workspace, http_json,
    start_demo, text,
};
use serde_json::{Value, json};

/// What must be equal between two services: the status, the failure type, and the keys of the
/// answer and of the objects a runner reads.
fn shape(status: u16, body: &Value) -> Value {
    let keys = |v: &Value| -> Vec<String> {
        let mut keys: Vec<String> = v
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    };
    json!({
        "status": status,
        "type": body["failure"]["type"],
        "keys": keys(body),
        "failure": keys(&body["failure"]),
        "resolution": keys(&body["failure"]["resolution"]),
        "approval_required": keys(&body["failure"]["approval_required"]),
        "result": keys(&body["result"]),
    })
}

/// One service under comparison: JSON requests with a Bearer header.
struct Peer<'a> {
    url: &'a str,
}

impl Peer<'_> {
    fn post(&self, path: &str, bearer: &str, body: &Value) -> (u16, Value) {
        let auth = format!("Bearer {bearer}");
        let headers: &[(&str, &str)] = if bearer.is_empty() {
            &[]
        } else {
            &[("authorization", &auth)]
        };
        let (status, answer, _) = http_json(self.url, "POST", path, headers, &body.to_string());
        (status, answer)
    }

    /// A JWT for the bootstrap credential `key`.
    fn jwt(&self, key: &str, body: &Value) -> String {
        let (_, answer) = self.post("/anip/tokens", key, body);
        answer["token"].as_str().unwrap_or_default().to_owned()
    }

    fn invoke(&self, jwt: &str, capability: &str, body: &Value) -> (u16, Value) {
        self.post(&format!("/anip/invoke/{capability}"), jwt, body)
    }
}

/// A transcript of one approval chain and its misuses against the service at `url`.
fn transcript(url: &str) -> Vec<Value> {
    let peer = Peer { url };
    let mut out = Vec::new();
    let (status, discovery, _) = http_json(url, "GET", "/.well-known/anip", &[], "");
    out.push(json!({"discovery": status, "protocol": discovery["anip_discovery"]["protocol"]}));
    let (status, answer) = peer.post("/anip/tokens", "no-such-key", &json!({"scope": ["x"]}));
    out.push(shape(status, &answer));
    let jwt = peer.jwt(
        ANIP_REQUESTER_KEY,
        &json!({"scope": ["fixtures.write"], "capability": "fixture.reset_tenant"}),
    );
    let reset = json!({"parameters": {"tenant": "tenant-a"}, "client_reference_id": "diff"});
    let (status, stop) = peer.invoke(&jwt, "fixture.reset_tenant", &reset);
    out.push(shape(status, &stop));
    let request = stop["failure"]["approval_required"]["approval_request_id"].clone();
    let grant_body = json!({"approval_request_id": request, "grant_type": "one_time"});
    let (status, refused) = peer.post("/anip/approval_grants", &jwt, &grant_body);
    out.push(shape(status, &refused));
    let approver = peer.jwt(
        ANIP_APPROVER_KEY,
        &json!({"scope": ["approver:fixture.reset_tenant"], "capability": "fixture.reset_tenant"}),
    );
    let (status, grant) = peer.post("/anip/approval_grants", &approver, &grant_body);
    out.push(json!({"grant": status, "keys": sorted_keys(&grant)}));
    let (status, again) = peer.post("/anip/approval_grants", &approver, &grant_body);
    out.push(shape(status, &again));
    let mut continuation = reset.clone();
    continuation["approval_grant"] = grant["grant_id"].clone();
    let (status, done) = peer.invoke(&jwt, "fixture.reset_tenant", &continuation);
    out.push(shape(status, &done));
    let (status, replay) = peer.invoke(&jwt, "fixture.reset_tenant", &continuation);
    out.push(shape(status, &replay));
    out.extend(misuses(&peer, &jwt, &reset));
    out.extend(audit_links(
        &peer,
        [&jwt, &approver],
        [&stop, &done],
        &grant,
    ));
    out
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// An unknown capability, no token, a tampered token, and a token without the scope.
fn misuses(peer: &Peer<'_>, jwt: &str, reset: &Value) -> Vec<Value> {
    let empty = json!({"parameters": {}});
    let mut tampered = jwt.to_owned();
    tampered.insert(jwt.len() / 2, 'x');
    let reader = peer.jwt(ANIP_REQUESTER_KEY, &json!({"scope": ["fixtures.read"]}));
    [
        peer.invoke(jwt, "fixture.nothing", &empty),
        peer.invoke("", "fixture.count", &empty),
        peer.invoke(&tampered, "fixture.count", &empty),
        peer.invoke(&reader, "fixture.reset_tenant", reset),
    ]
    .iter()
    .map(|(status, answer)| shape(*status, answer))
    .collect()
}

/// The audit linkage a runner reads, as the requester and as the approver.
fn audit_links(
    peer: &Peer<'_>,
    [jwt, approver]: [&str; 2],
    [stop, done]: [&Value; 2],
    grant: &Value,
) -> Vec<Value> {
    let invocation = done["invocation_id"].as_str().unwrap_or_default();
    let (_, mine) = peer.post(
        &format!("/anip/audit?invocation_id={invocation}"),
        jwt,
        &json!({}),
    );
    let entry = &mine["entries"][0];
    let stop_id = stop["invocation_id"].as_str().unwrap_or_default();
    let (_, created) = peer.post(
        &format!("/anip/audit?parent_invocation_id={stop_id}"),
        jwt,
        &json!({}),
    );
    let (_, theirs) = peer.post("/anip/audit", approver, &json!({}));
    let request = &stop["failure"]["approval_required"]["approval_request_id"];
    let issued: Vec<&Value> = theirs["entries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["entry_type"] == "approval_grant_issued")
        .collect();
    vec![
        json!({
            "audit": mine["entries"].as_array().map(Vec::len),
            "keys": sorted_keys(entry),
            "event_class": entry["event_class"],
            "grant_linked": entry["approval_grant_id"] == grant["grant_id"],
        }),
        json!({
            "created": created["entries"].as_array().map(|e| e.iter().map(|e| e["entry_type"].clone()).collect::<Vec<_>>()),
            "request_linked": created["entries"][0]["approval_request_id"] == *request,
        }),
        json!({
            "issued": issued.len(),
            "keys": issued.first().map(|e| sorted_keys(e)),
            "request_linked": issued.first().map(|e| e["approval_request_id"] == *request),
        }),
    ]
}

#[test]
fn the_demo_service_answers_like_the_python_runtime() {
    let python = AnipService::start("", false);
    let workspace = example_workspace("anip-demo-differential");
    let demo = start_demo(&workspace, None, false);
    let (ours, theirs) = (transcript(&demo.anip), transcript(&python.url));
    assert_eq!(ours.len(), theirs.len());
    let differences: Vec<String> = ours
        .iter()
        .zip(&theirs)
        .filter(|(ours, theirs)| ours != theirs)
        .map(|(ours, theirs)| format!("demo   {ours}\npython {theirs}"))
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n\n"));

    // The starter pack the demo wrote passes on both, with the same outcome everywhere.
    let pack = workspace.0.join("anip/starter.pack.yaml");
    assert!(pack.is_file(), "the demo writes its starter pack");
    let out = anip(
        &workspace.0,
        &[
            "run",
            "anip/starter.pack.yaml",
            "--service",
            &demo.anip,
            "--service",
            &python.url,
            "--report-json",
            "both.json",
        ],
        ANIP_REQUESTER_KEY,
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.0.join("both.json")).unwrap_or_default(),
    )
    .unwrap_or(Value::Null);
    assert_eq!(
        report["services"].as_array().map(Vec::len),
        Some(2),
        "{all}"
    );
    assert!(
        report.get("outcome_drift").is_none(),
        "no outcome drift: {all}"
    );

    let parity = anip(
        &workspace.0,
        &["parity", &demo.anip, &python.url],
        ANIP_REQUESTER_KEY,
    );
    assert_eq!(parity.status.code(), Some(0), "{}", text(&parity));
}
