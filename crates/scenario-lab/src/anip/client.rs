//! The HTTP client for one ANIP service: typed bodies, capped answers, and the time spent waiting.

use scenario_lab_core::anip::wire::{
    AuditAnswer, DiscoveryDocument, GrantIssue, InvokeRequest, TokenAnswer, TokenRequest,
};
use scenario_lab_core::json_budget;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Answers larger than this are refused before they are parsed.
const MAX_BYTES: usize = 8_000_000;
/// And answers with more JSON values than this.
const MAX_VALUES: usize = 400_000;

/// Why a call to the service gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the service refused the bootstrap credential of `{actor}` ({env}): {failure}")]
    Authentication {
        actor: String,
        env: String,
        failure: String,
    },
    #[error("{url} answered HTTP {status} with a body that is not the expected JSON: {reason}")]
    Decode {
        url: String,
        status: u16,
        reason: String,
    },
    #[error("{url} answered more than {MAX_BYTES} bytes or {MAX_VALUES} JSON values")]
    TooLarge { url: String },
}

/// A raw answer: status, body bytes, parsed JSON and the signature header if any.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub bytes: Vec<u8>,
    pub json: Value,
    pub signature: Option<String>,
}

/// One service.
#[derive(Clone, Debug)]
pub struct AnipClient {
    base: String,
    http: reqwest::Client,
    waiting: Arc<Mutex<Waiting>>,
}

/// Time with at least one request in flight (parallel requests count once).
#[derive(Debug, Default)]
struct Waiting {
    in_flight: usize,
    since: Option<Instant>,
    total_us: u64,
}

impl AnipClient {
    /// A client for the service at `base` (no trailing slash needed).
    pub fn new(base: &str) -> AnipClient {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_mins(1))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        AnipClient {
            base: base.trim_end_matches('/').to_owned(),
            http,
            waiting: Arc::default(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Microseconds with a round trip in flight so far (for the overhead figure).
    pub fn waited_us(&self) -> u64 {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = waiting.since.map_or(0, |since| micros(since.elapsed()));
        waiting.total_us + current
    }

    fn started(&self) {
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if waiting.in_flight == 0 {
            waiting.since = Some(Instant::now());
        }
        waiting.in_flight += 1;
    }

    fn ended(&self) {
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        waiting.in_flight = waiting.in_flight.saturating_sub(1);
        if waiting.in_flight == 0
            && let Some(since) = waiting.since.take()
        {
            waiting.total_us += micros(since.elapsed());
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<Answer, ClientError> {
        self.started();
        let result = Self::read(request, url).await;
        self.ended();
        result
    }

    async fn read(request: reqwest::RequestBuilder, url: &str) -> Result<Answer, ClientError> {
        let unreachable = |e: reqwest::Error| ClientError::Unreachable {
            url: url.to_owned(),
            reason: e.without_url().to_string(),
        };
        let mut response = request.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let signature = response
            .headers()
            .get("x-anip-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if bytes.len() + chunk.len() > MAX_BYTES {
                return Err(ClientError::TooLarge {
                    url: url.to_owned(),
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        json_budget::count_values(&bytes, MAX_VALUES).map_err(|_| ClientError::TooLarge {
            url: url.to_owned(),
        })?;
        let json = serde_json::from_slice(&bytes).map_err(|e| ClientError::Decode {
            url: url.to_owned(),
            status,
            reason: e.to_string(),
        })?;
        Ok(Answer {
            status,
            bytes,
            json,
            signature,
        })
    }

    /// `GET path` (no credential).
    pub async fn get(&self, path: &str) -> Result<Answer, ClientError> {
        let url = self.url(path);
        self.send(self.http.get(&url), &url).await
    }

    /// `GET path` with a Bearer token.
    pub async fn get_with(&self, path: &str, bearer: &str) -> Result<Answer, ClientError> {
        let url = self.url(path);
        self.send(self.http.get(&url).bearer_auth(bearer), &url)
            .await
    }

    async fn post<B: Serialize>(
        &self,
        path: &str,
        bearer: &str,
        body: &B,
    ) -> Result<Answer, ClientError> {
        let url = self.url(path);
        self.send(self.http.post(&url).bearer_auth(bearer).json(body), &url)
            .await
    }

    /// `POST url` with a JSON body and no credential (the agent app).
    pub async fn post_json<B: Serialize>(
        &self,
        url: &str,
        body: &B,
    ) -> Result<Answer, ClientError> {
        let url = self.url(url);
        self.send(self.http.post(&url).json(body), &url).await
    }

    /// `GET /.well-known/anip`.
    pub async fn discovery(&self) -> Result<DiscoveryDocument, ClientError> {
        let answer = self.get("/.well-known/anip").await?;
        decode(&answer, "/.well-known/anip")
    }

    /// `POST /anip/tokens` with an actor's bootstrap credential; the JWT on success, the
    /// service's failure as [`ClientError::Authentication`] otherwise.
    pub async fn token(
        &self,
        (actor, env, credential): (&str, &str, &str),
        request: &TokenRequest,
    ) -> Result<TokenAnswer, ClientError> {
        let answer = self.post("/anip/tokens", credential, request).await?;
        let token: TokenAnswer = decode(&answer, "/anip/tokens")?;
        if token.issued && !token.token.is_empty() {
            return Ok(token);
        }
        let failure = answer
            .json
            .pointer("/failure/type")
            .and_then(Value::as_str)
            .unwrap_or("no token issued");
        Err(ClientError::Authentication {
            actor: actor.to_owned(),
            env: env.to_owned(),
            failure: format!("HTTP {}: {failure}", answer.status),
        })
    }

    /// `POST /anip/invoke/{capability}`.
    pub async fn invoke(
        &self,
        jwt: &str,
        capability: &str,
        request: &InvokeRequest,
    ) -> Result<Answer, ClientError> {
        self.post(&format!("/anip/invoke/{capability}"), jwt, request)
            .await
    }

    /// `POST /anip/approval_grants`.
    pub async fn grant(&self, jwt: &str, request: &GrantIssue) -> Result<Answer, ClientError> {
        self.post("/anip/approval_grants", jwt, request).await
    }

    /// `POST /anip/audit?query` as the token's root principal.
    pub async fn audit(
        &self,
        jwt: &str,
        query: &[(&str, &str)],
    ) -> Result<AuditAnswer, ClientError> {
        let url = self.url("/anip/audit");
        let request = self
            .http
            .post(&url)
            .bearer_auth(jwt)
            .query(query)
            .json(&serde_json::Map::new());
        let answer = self.send(request, &url).await?;
        decode(&answer, "/anip/audit")
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// An answer's JSON as `T`.
pub fn decode<T: DeserializeOwned>(answer: &Answer, what: &str) -> Result<T, ClientError> {
    T::deserialize(&answer.json).map_err(|e| ClientError::Decode {
        url: what.to_owned(),
        status: answer.status,
        reason: e.to_string(),
    })
}
