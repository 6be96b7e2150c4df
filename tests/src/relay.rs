//! A real HTTP relay in front of a service: it records the head of every request it receives and
//! can answer in another runtime's dialect of anip/0.24 (the TypeScript runtime's, as
//! `reference/anip.md` §9 records it), so one real Python service stands for both runtimes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// How the relay changes the service's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Answers pass unchanged.
    AsIs,
    /// Answers as the TypeScript runtime 0.24.13 gives them: `resolution` on grant failures,
    /// no `task_id` from `/anip/tokens` and `null` elsewhere, 409 for a second decision, JWT
    /// headers without `typ`, `…Z` millisecond timestamps, `"x"` quoting in `detail`, and the
    /// resolution and permission fields that runtime adds or omits.
    TypeScript,
}

#[derive(Debug, Default)]
struct Shared {
    /// Each request's head, as received.
    requests: Vec<String>,
    /// The JWTs handed out with a rewritten header → the service's own.
    tokens: BTreeMap<String, String>,
}

/// The running relay: its URL and what it saw.
#[derive(Debug)]
pub struct Relay {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
}

impl Relay {
    /// Starts relaying to `upstream` (`http://127.0.0.1:PORT`) on a free loopback port.
    pub fn start(upstream: &str, dialect: Dialect) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&state);
                let upstream = upstream.clone();
                std::thread::spawn(move || relay(stream, &upstream, dialect, &state));
            }
        });
        Relay {
            url: format!("http://127.0.0.1:{port}"),
            shared,
        }
    }

    /// The heads of the requests received so far.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn relay(mut client: TcpStream, upstream: &str, dialect: Dialect, shared: &Mutex<Shared>) {
    let (head, body) = crate::hostile::read_request(&mut client);
    let lock = || {
        shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    lock().requests.push(head.clone());
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    // The service's own JWT back in place of the one the relay handed out.
    let mut forwarded = String::new();
    for line in head.lines() {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") {
            continue;
        }
        match line
            .split_once("Bearer ")
            .or_else(|| line.split_once("bearer "))
        {
            Some((name, jwt)) if lower.starts_with("authorization:") => {
                let original = lock().tokens.get(jwt.trim()).cloned();
                let jwt = original.unwrap_or_else(|| jwt.trim().to_owned());
                forwarded.push_str(name);
                forwarded.push_str("Bearer ");
                forwarded.push_str(&jwt);
                forwarded.push_str("\r\n");
            }
            _ => {
                forwarded.push_str(line);
                forwarded.push_str("\r\n");
            }
        }
    }
    forwarded.push_str("connection: close\r\n\r\n");
    let Ok(mut service) = TcpStream::connect(upstream) else {
        return;
    };
    let _ = service.write_all(forwarded.as_bytes());
    let _ = service.write_all(&body);
    let mut answer = Vec::new();
    let _ = service.read_to_end(&mut answer);
    let (status, headers, body) = split_answer(&answer);
    let (status, body) = match (dialect, serde_json::from_slice::<Value>(&body)) {
        // The manifest is signed: its bytes pass as they are.
        (Dialect::TypeScript, Ok(mut json)) if !path.starts_with("/anip/manifest") => {
            let status = typescript(&path, status, &mut json, &mut lock().tokens);
            (status, serde_json::to_vec(&json).unwrap_or_default())
        }
        _ => (status, body),
    };
    let _ = write!(client, "HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        let _ = write!(client, "{name}: {value}\r\n");
    }
    let _ = write!(
        client,
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = client.write_all(&body);
}

/// Status, headers (without framing ones) and the de-chunked body of a raw HTTP/1.1 answer.
pub fn split_answer(raw: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw.get(split + 4..).unwrap_or_default().to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(502);
    let mut headers = Vec::new();
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let lower = name.trim().to_ascii_lowercase();
        if lower == "transfer-encoding" {
            chunked = value.to_ascii_lowercase().contains("chunked");
            continue;
        }
        if ["content-length", "connection"].contains(&lower.as_str()) {
            continue;
        }
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    if chunked {
        body = dechunk(&body);
    }
    (status, headers, body)
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&raw[..end])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        body.extend_from_slice(raw.get(start..start + size).unwrap_or_default());
        raw = raw.get(start + size + 2..).unwrap_or_default();
    }
    body
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Status",
    }
}

/// Rewrites one answer as the TypeScript runtime gives it; returns its status.
fn typescript(
    path: &str,
    status: u16,
    json: &mut Value,
    tokens: &mut BTreeMap<String, String>,
) -> u16 {
    let mut status = status;
    if path.starts_with("/anip/tokens")
        && let Some(answer) = json.as_object_mut()
    {
        answer.remove("task_id");
        if let Some(Value::String(jwt)) = answer.get_mut("token") {
            let rewritten = without_typ(jwt);
            tokens.insert(rewritten.clone(), jwt.clone());
            *jwt = rewritten;
        }
    }
    if path.starts_with("/anip/permissions")
        && let Some(restricted) = json.get_mut("restricted").and_then(Value::as_array_mut)
    {
        for entry in restricted.iter_mut().filter_map(Value::as_object_mut) {
            entry.remove("unmet_token_requirements");
        }
    }
    if let Some(failure) = json.get_mut("failure").and_then(Value::as_object_mut) {
        let kind = failure
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if kind.starts_with("grant_") && !failure.contains_key("resolution") {
            failure.insert(
                "resolution".into(),
                json!({"action": "contact_service_owner", "recovery_class": "terminal"}),
            );
        }
        if kind == "approval_request_already_decided" {
            status = 409;
        }
        if let Some(resolution) = failure.get_mut("resolution").and_then(Value::as_object_mut) {
            match kind.as_str() {
                "approver_not_authorized" => {
                    resolution.insert("retry".into(), Value::Bool(false));
                    resolution.insert("grantable_by".into(), Value::Null);
                    resolution.insert("estimated_availability".into(), Value::Null);
                }
                "scope_insufficient" => {
                    resolution.remove("estimated_availability");
                    resolution.remove("recovery_target");
                }
                _ => {}
            }
        }
        if let Some(Value::String(detail)) = failure.get_mut("detail") {
            *detail = detail.replace('\'', "\"");
        }
    }
    walk(json);
    status
}

/// Every `task_id` to null and every Python timestamp to the TypeScript form, at any depth.
fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if key == "task_id" {
                    *value = Value::Null;
                } else {
                    walk(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        Value::String(text) => {
            if let Some(ts) = typescript_timestamp(text) {
                *text = ts;
            }
        }
        _ => {}
    }
}

/// `2026-12-02T10:11:25.211715+00:00` → `2026-12-02T10:11:25.211Z`.
fn typescript_timestamp(text: &str) -> Option<String> {
    let (stamp, zone) = text.split_at_checked(text.len().checked_sub(6)?)?;
    let (seconds, fraction) = stamp.split_once('.')?;
    let looks_like_date = seconds.len() == 19
        && seconds.as_bytes().get(10) == Some(&b'T')
        && seconds.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    (zone == "+00:00" && looks_like_date && fraction.len() >= 3)
        .then(|| format!("{seconds}.{}Z", &fraction[..3]))
}

/// The JWT with `typ` removed from its header (the signature no longer matches: the relay
/// swaps the service's own token back in on the way in).
fn without_typ(jwt: &str) -> String {
    let mut parts = jwt.splitn(2, '.');
    let (Some(header), Some(rest)) = (parts.next(), parts.next()) else {
        return jwt.to_owned();
    };
    let Some(mut decoded) = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
    else {
        return jwt.to_owned();
    };
    if let Some(map) = decoded.as_object_mut() {
        map.remove("typ");
    }
    let header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&decoded).unwrap_or_default());
    format!("{header}.{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_take_the_typescript_form() {
        assert_eq!(
            typescript_timestamp("2026-12-02T10:11:25.211715+00:00").as_deref(),
            Some("2026-12-02T10:11:25.211Z")
        );
        assert_eq!(typescript_timestamp("tenant-a"), None);
    }

    #[test]
    fn grant_failures_gain_a_resolution_and_a_second_decision_is_409() {
        let mut tokens = BTreeMap::new();
        let mut answer = json!({"success": false, "failure": {"type": "grant_consumed", "detail": "grant 'g' used"}, "task_id": "task-1"});
        assert_eq!(
            typescript("/anip/invoke/x", 400, &mut answer, &mut tokens),
            400
        );
        assert_eq!(
            answer["failure"]["resolution"]["recovery_class"],
            "terminal"
        );
        assert_eq!(answer["failure"]["detail"], "grant \"g\" used");
        assert_eq!(answer["task_id"], Value::Null);
        let mut decided = json!({"failure": {"type": "approval_request_already_decided"}});
        assert_eq!(
            typescript("/anip/approval_grants", 400, &mut decided, &mut tokens),
            409
        );
    }
}
