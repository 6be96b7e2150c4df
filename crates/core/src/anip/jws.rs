//! ES256 JWS (RFC 7515): detached signatures over exact bytes keyed by `kid`, verified against
//! a JWKS; and, for the embedded demo service, signing, compact JWTs and the public JWK. The
//! caller brings the key (core draws no randomness).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use serde::Deserialize;
use serde_json::{Value, json};

/// Why a signature does not verify.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwsError {
    #[error("the signature is not a detached JWS (`header..signature`)")]
    /// Not `header..signature`.
    Shape,
    #[error("the JWS header is not base64url JSON with `alg` and `kid`")]
    /// An unreadable header.
    Header,
    #[error("the JWS algorithm is `{0}`, not ES256")]
    /// Another algorithm than ES256.
    Algorithm(String),
    #[error("the JWKS has no P-256 key with the kid `{0}`")]
    /// No key with that kid.
    UnknownKey(String),
    #[error("the key `{0}` is not a valid P-256 point")]
    /// A key that is not a P-256 point.
    BadKey(String),
    #[error("the signature does not match the bytes served")]
    /// The signature does not verify.
    Mismatch,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: String,
}

#[derive(Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    #[serde(default)]
    kid: String,
    #[serde(default)]
    crv: String,
    #[serde(default)]
    x: String,
    #[serde(default)]
    y: String,
}

/// Verifies `jws` over `body` with the key named by its `kid` in `jwks` (the JSON of
/// `/.well-known/jwks.json`); the kid on success.
pub fn verify_detached(
    jws: &str,
    body: &[u8],
    key_set: &serde_json::Value,
) -> Result<String, JwsError> {
    let (header_b64, signature_b64) = jws.split_once("..").ok_or(JwsError::Shape)?;
    let header: Header = URL_SAFE_NO_PAD
        .decode(header_b64)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(JwsError::Header)?;
    if header.alg != "ES256" {
        return Err(JwsError::Algorithm(header.alg));
    }
    let keys: Jwks =
        Jwks::deserialize(key_set).map_err(|_| JwsError::UnknownKey(header.kid.clone()))?;
    let entry = keys
        .keys
        .iter()
        .find(|k| k.kid == header.kid && k.crv == "P-256")
        .ok_or_else(|| JwsError::UnknownKey(header.kid.clone()))?;
    let bad_key = || JwsError::BadKey(header.kid.clone());
    let mut point = vec![4u8];
    point.extend(URL_SAFE_NO_PAD.decode(&entry.x).map_err(|_| bad_key())?);
    point.extend(URL_SAFE_NO_PAD.decode(&entry.y).map_err(|_| bad_key())?);
    let key = VerifyingKey::from_sec1_bytes(&point).map_err(|_| bad_key())?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64)
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or(JwsError::Mismatch)?;
    let signing_input = format!("{header_b64}.{}", URL_SAFE_NO_PAD.encode(body));
    key.verify(signing_input.as_bytes(), &signature)
        .map_err(|_| JwsError::Mismatch)?;
    Ok(header.kid)
}

/// `header` (with `alg` ES256 and `kid`, plus `extra`) as base64url JSON.
fn header_b64(kid: &str, extra: &[(&str, &str)]) -> String {
    let mut header = json!({"alg": "ES256", "kid": kid});
    for (key, value) in extra {
        header[*key] = Value::String((*value).to_owned());
    }
    URL_SAFE_NO_PAD.encode(header.to_string())
}

/// A detached ES256 JWS over `body` (`header..signature`), as the runtimes sign manifests and
/// grants.
pub fn sign_detached(key: &SigningKey, kid: &str, body: &[u8]) -> String {
    let header = header_b64(kid, &[]);
    let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(body));
    let signature: Signature = key.sign(signing_input.as_bytes());
    format!("{header}..{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// A compact ES256 JWT (`typ: JWT`) carrying `claims`.
pub fn sign_jwt(key: &SigningKey, kid: &str, claims: &Value) -> String {
    let header = header_b64(kid, &[("typ", "JWT")]);
    let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature: Signature = key.sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

/// The claims of a compact ES256 JWT whose signature `key` verifies; `None` for anything else.
pub fn verify_jwt(key: &VerifyingKey, jwt: &str) -> Option<Value> {
    let mut parts = jwt.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?).ok()?;
    key.verify(format!("{header}.{claims}").as_bytes(), &signature)
        .ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()
}

/// The public JWK of `key` (`use`: `sig` or `audit`).
pub fn public_jwk(key: &VerifyingKey, kid: &str, usage: &str) -> Value {
    let point = key.to_encoded_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| c.map(|b| URL_SAFE_NO_PAD.encode(b));
    json!({
        "kty": "EC",
        "crv": "P-256",
        "x": coordinate(point.x()),
        "y": coordinate(point.y()),
        "kid": kid,
        "alg": "ES256",
        "use": usage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_signed_verifies_and_what_is_changed_does_not() {
        let key = SigningKey::from_slice(&[7u8; 32]).expect("a valid scalar");
        let key_set = json!({"keys": [public_jwk(key.verifying_key(), "k1", "sig")]});
        let jws = sign_detached(&key, "k1", b"{\"a\":1}");
        assert_eq!(
            verify_detached(&jws, b"{\"a\":1}", &key_set),
            Ok("k1".to_owned())
        );
        assert_eq!(
            verify_detached(&jws, b"{\"a\":2}", &key_set),
            Err(JwsError::Mismatch)
        );
        let jwt = sign_jwt(&key, "k1", &json!({"sub": "alice"}));
        assert_eq!(
            verify_jwt(key.verifying_key(), &jwt),
            Some(json!({"sub": "alice"}))
        );
        let tampered = jwt.replacen('.', ".x", 1);
        assert_eq!(verify_jwt(key.verifying_key(), &tampered), None);
    }
}
