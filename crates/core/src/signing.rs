//! Request signatures (HMAC-SHA256 of the body) and refs tokens (sign, verify, decode).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The fixed refs-token header `{"alg":"HS256","typ":"REFS"}`, base64url-encoded.
pub const REFS_TOKEN_HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IlJFRlMifQ";

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

fn hmac_bytes(secret: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = mac(secret);
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The `x-signature` header: lowercase hex HMAC-SHA256 of the exact body bytes.
pub fn sign_body(shared_secret: &str, body: &[u8]) -> String {
    hex::encode(hmac_bytes(shared_secret.as_bytes(), body))
}

/// Checks an `x-signature` the way the SDK does: lowercase hex only, constant time.
pub fn verify_body(shared_secret: &str, body: &[u8], signature: &str) -> bool {
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return false;
    }
    let Ok(expected) = hex::decode(signature) else {
        return false;
    };
    let mut mac = mac(shared_secret.as_bytes());
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Why a refs token was refused; `Display` gives the SDK's detail text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RefsTokenError {
    #[error("malformed token")]
    /// Not three dot-separated parts.
    Malformed,
    #[error("signature mismatch")]
    /// The signature does not match.
    SignatureMismatch,
    #[error("payload is not base64url JSON: {0}")]
    /// The payload is not base64url JSON.
    Payload(String),
}

/// Signs payload bytes into `header.payload.signature`.
pub fn sign_refs_bytes(signing_secret: &str, payload_json: &[u8]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload_json);
    let signing_input = format!("{REFS_TOKEN_HEADER}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(hmac_bytes(
        signing_secret.as_bytes(),
        signing_input.as_bytes(),
    ));
    format!("{signing_input}.{signature}")
}

/// Signs a payload serialised like the Python SDK (compact, `\uXXXX` escapes).
pub fn sign_refs(signing_secret: &str, payload: &Value) -> String {
    sign_refs_bytes(
        signing_secret,
        crate::json::to_python_compact(payload).as_bytes(),
    )
}

/// Verifies a token like the SDK (string comparison of the encoded signature, constant time),
/// then decodes its payload.
pub fn verify_refs(signing_secret: &str, token: &str) -> Result<Value, RefsTokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(RefsTokenError::Malformed);
    };
    let expected = URL_SAFE_NO_PAD.encode(hmac_bytes(
        signing_secret.as_bytes(),
        format!("{header}.{payload}").as_bytes(),
    ));
    if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(RefsTokenError::SignatureMismatch);
    }
    decode_payload(payload)
}

/// Labels real endpoints have keyed an HMAC of the shared secret with to make their signing
/// secret (`planner.md` §7.4), and suffixes they have appended to it.
const DERIVATION_LABELS: [&str; 8] = [
    "autonoma-signing-secret",
    "autonoma-signing",
    "autonoma-refs-token",
    "autonoma:signing",
    "signing-secret",
    "signing",
    "refs-token",
    "refs",
];
const DERIVATION_SUFFIXES: [&str; 4] = ["-internal-signing-v1", "-signing", ":signing", "-refs"];

/// Whether `token` is signed with a secret derived from `shared_secret` in one of the ways real
/// endpoints derive it; `Some` says how. Anyone holding the shared secret can then forge refs
/// tokens.
pub fn derived_signing_secret(shared_secret: &str, token: &str) -> Option<String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return None;
    };
    let input = format!("{header}.{payload}");
    let signs = |key: &[u8]| {
        let expected = URL_SAFE_NO_PAD.encode(hmac_bytes(key, input.as_bytes()));
        constant_time_eq(expected.as_bytes(), signature.as_bytes())
    };
    if signs(shared_secret.as_bytes()) {
        return Some("the shared secret itself".to_owned());
    }
    for suffix in DERIVATION_SUFFIXES {
        if signs(format!("{shared_secret}{suffix}").as_bytes()) {
            return Some(format!("the shared secret with `{suffix}` appended"));
        }
    }
    for label in DERIVATION_LABELS {
        let mac = hmac_bytes(shared_secret.as_bytes(), label.as_bytes());
        let forms = [hex::encode(&mac), URL_SAFE_NO_PAD.encode(&mac)];
        if signs(&mac) || forms.iter().any(|f| signs(f.as_bytes())) {
            return Some(format!(
                "HMAC-SHA256 of \"{label}\" keyed with the shared secret"
            ));
        }
    }
    None
}

/// Decodes a token's payload without verifying it (for display only: never decide on it).
pub fn decode_refs_unverified(token: &str) -> Result<Value, RefsTokenError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err(RefsTokenError::Malformed);
    };
    decode_payload(payload)
}

fn decode_payload(payload: &str) -> Result<Value, RefsTokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| RefsTokenError::Payload(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| RefsTokenError::Payload(e.to_string()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The SDK's conformance fingerprint: first 16 hex chars of SHA-256 of compact JSON with
/// recursively sorted keys.
pub fn fingerprint(value: &Value) -> String {
    let digest = Sha256::digest(crate::json::to_python_compact(&sorted(value)).as_bytes());
    hex::encode(&digest[..8])
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod derived_tests {
    use super::*;

    #[test]
    fn secrets_derived_from_the_shared_one_are_found() {
        let payload = br#"{"refs":{}}"#;
        let suffixed = sign_refs_bytes("shh-internal-signing-v1", payload);
        assert!(
            derived_signing_secret("shh", &suffixed)
                .is_some_and(|how| how.contains("-internal-signing-v1"))
        );
        let key = hex::encode(hmac_bytes(b"shh", b"autonoma-signing"));
        let labelled = sign_refs_bytes(&key, payload);
        assert!(
            derived_signing_secret("shh", &labelled)
                .is_some_and(|how| how.contains("autonoma-signing"))
        );
        let independent = sign_refs_bytes("an-independent-secret", payload);
        assert_eq!(derived_signing_secret("shh", &independent), None);
    }
}

#[cfg(test)]
mod tests {
    //! Golden vectors from `reference/protocol.md` §11.
    use super::*;

    const R1: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IlJFRlMifQ.eyJyZWZzIjp7IlVzZXIiOlt7ImlkIjoidXNlci0xIiwiZW1haWwiOiJ0ZXN0QHRlc3QuY29tIn1dfSwidGVzdFJ1bklkIjoidGVzdC1ydW4tMTIzIiwiZW52aXJvbm1lbnQiOiJzdGFuZGFyZCJ9.b2340UY6iXALRK2SaBV0BzZLVbxC8J59_csCUEc-gOw";

    #[test]
    fn body_signatures() {
        let cases = [
            (
                "test-secret-key",
                r#"{"action":"discover"}"#,
                "2c5588170f06ff28479566d72d45969927913c56bcba01d36c3122f2284cbba2",
            ),
            (
                "test-secret-key",
                "",
                "d1011b593027040df27a8cdd7a95af3021523909894a214033c69b508fcb9b05",
            ),
            (
                "another-secret",
                r#"{"action":"up","environment":"standard"}"#,
                "ef2e8267e43842c889f86b436a407d62d3d29e43a82005b1f21a0b49d6e584c8",
            ),
            (
                "test-secret-key",
                r#"{"action": "discover"}"#,
                "50f58252f4d22a7266b3d1822fc1b756ba234c38da591d7b745f7cb33d358fee",
            ),
            (
                "test-secret-key",
                r#"{"action":"up","create":{"Organization":[{"_alias":"org","name":"Acme"}]},"testRunId":"run-1"}"#,
                "bcc5a9321743113268d9df93b9bb63e27c0634b513272ac1ba1ccda0408607db",
            ),
        ];
        for (secret, body, signature) in cases {
            assert_eq!(sign_body(secret, body.as_bytes()), signature);
            assert!(verify_body(secret, body.as_bytes(), signature));
        }
        let upper = cases[0].2.to_uppercase();
        assert!(!verify_body(
            "test-secret-key",
            cases[0].1.as_bytes(),
            &upper
        ));
    }

    #[test]
    fn refs_tokens() {
        let r1_payload = r#"{"refs":{"User":[{"id":"user-1","email":"test@test.com"}]},"testRunId":"test-run-123","environment":"standard"}"#;
        assert_eq!(sign_refs_bytes("signing-secret", r1_payload.as_bytes()), R1);
        let r2_payload = r#"{"refs":{"Organization":[{"id":"org_1","name":"Acme run-1"}],"Project":[{"id":"pro_2","title":"P 0 a","organizationId":"org_1"}]},"testRunId":"org_1","environment":"","aliasDependencies":{"org":[]},"aliasOwnerModel":{"org":"Organization"}}"#;
        let r2 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IlJFRlMifQ.eyJyZWZzIjp7Ik9yZ2FuaXphdGlvbiI6W3siaWQiOiJvcmdfMSIsIm5hbWUiOiJBY21lIHJ1bi0xIn1dLCJQcm9qZWN0IjpbeyJpZCI6InByb18yIiwidGl0bGUiOiJQIDAgYSIsIm9yZ2FuaXphdGlvbklkIjoib3JnXzEifV19LCJ0ZXN0UnVuSWQiOiJvcmdfMSIsImVudmlyb25tZW50IjoiIiwiYWxpYXNEZXBlbmRlbmNpZXMiOnsib3JnIjpbXX0sImFsaWFzT3duZXJNb2RlbCI6eyJvcmciOiJPcmdhbml6YXRpb24ifX0.LUdq1_X1UHdgiwoGvwRwOGEhiyQHmDnCOi4lKoALhLs";
        let r2_value: Value = serde_json::from_str(r2_payload).unwrap_or_default();
        assert_eq!(sign_refs("test-signing-secret", &r2_value), r2);
        let r3_value = serde_json::json!({"refs":{"User":[{"id":"u1","name":"Zo\u{eb}"}]},"testRunId":"u1","environment":""});
        assert_eq!(
            sign_refs("signing-secret", &r3_value),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IlJFRlMifQ.eyJyZWZzIjp7IlVzZXIiOlt7ImlkIjoidTEiLCJuYW1lIjoiWm9cdTAwZWIifV19LCJ0ZXN0UnVuSWQiOiJ1MSIsImVudmlyb25tZW50IjoiIn0.gR_mnoH1-tWlQJHdsDMyKYWtaTXc8Msi0FN4XJm0QWs"
        );
        let decoded = verify_refs("signing-secret", R1).expect("R1 verifies");
        assert_eq!(decoded["testRunId"], "test-run-123");
    }

    #[test]
    fn refs_token_failures() {
        let t1 = "eyJhbGciOiJIUzI1NiIsInR5cCI6IlJFRlMifQ.eyJyZWZzIjp7IlVzZXIiOlt7ImlkIjoidXNlci0xIiwiZW1haWwiOiJ0ZXN0QHRlc3QuY29tIn1dfSwidGVzdFJ1bklkIjoidGVzdC1ydW4tMTI0IiwiZW52aXJvbm1lbnQiOiJzdGFuZGFyZCJ9.b2340UY6iXALRK2SaBV0BzZLVbxC8J59_csCUEc-gOw";
        assert_eq!(
            verify_refs("signing-secret", t1),
            Err(RefsTokenError::SignatureMismatch)
        );
        assert_eq!(
            verify_refs("other-secret", R1),
            Err(RefsTokenError::SignatureMismatch)
        );
        let t3 = R1
            .rsplit_once('.')
            .map(|(head, _)| head)
            .unwrap_or_default();
        assert_eq!(
            verify_refs("signing-secret", t3),
            Err(RefsTokenError::Malformed)
        );
        let t4 = format!("{}W", R1.strip_suffix('w').unwrap_or_default());
        assert_eq!(
            verify_refs("signing-secret", &t4),
            Err(RefsTokenError::SignatureMismatch)
        );
        assert_eq!(
            RefsTokenError::SignatureMismatch.to_string(),
            "signature mismatch"
        );
    }

    #[test]
    fn fingerprints() {
        assert_eq!(
            fingerprint(&serde_json::json!({"name": "test"})),
            "7d9fd2051fc32b32"
        );
        assert_eq!(
            fingerprint(&serde_json::json!([1, 2, 3])),
            "a615eeaee21de517"
        );
        assert_eq!(
            fingerprint(&serde_json::json!({"b":1,"a":{"d":2,"c":[3,{"f":4,"e":5}]}})),
            "8832acbc74cc8fd7"
        );
    }
}
