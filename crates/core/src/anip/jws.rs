//! Detached ES256 JWS (RFC 7515 with an empty payload part) over exact bytes, keyed by `kid`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;

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
