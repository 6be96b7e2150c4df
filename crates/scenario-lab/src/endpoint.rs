//! The signed HTTP client for an Environment Factory endpoint: timeouts, cold-start retries,
//! redirects re-POSTed with the same body and signature, raw bodies kept for reports.

use crate::cli::{EndpointArgs, exit};
use scenario_lab_core::signing::sign_body;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The three protocol actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Discover,
    Up,
    Down,
}

/// Per-action timeouts (the platform's defaults: 90 s, 90 s, 60 s).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub discover: Duration,
    pub up: Duration,
    pub down: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            discover: Duration::from_secs(90),
            up: Duration::from_secs(90),
            down: Duration::from_secs(60),
        }
    }
}

/// What the endpoint answered.
#[derive(Clone, Debug)]
pub struct EndpointResponse {
    pub status: u16,
    /// The parsed body, when it was JSON.
    pub json: Option<Value>,
    /// The body as text, cut to 4,000 characters (what the platform keeps).
    pub raw: String,
    pub content_type: Option<String>,
    pub elapsed_ms: u64,
    /// Set when the endpoint redirected (e.g. FastAPI's trailing slash) and the request was
    /// re-sent there.
    pub redirected_to: Option<String>,
    pub attempts: u32,
}

impl EndpointResponse {
    /// The SDK's error code, if the body is an SDK error.
    pub fn error_code(&self) -> Option<&str> {
        self.json.as_ref()?.get("code")?.as_str()
    }
    pub fn error_message(&self) -> Option<&str> {
        self.json.as_ref()?.get("error")?.as_str()
    }
    /// Whether the body says `"ok": true` (how `down` confirms a teardown).
    pub fn ok_flag(&self) -> bool {
        self.json
            .as_ref()
            .and_then(|b| b.get("ok"))
            .and_then(Value::as_bool)
            == Some(true)
    }
    /// A one-line description for reports: status, code and message or the start of the body.
    pub fn describe(&self) -> String {
        match (self.error_code(), self.error_message()) {
            (Some(code), Some(message)) => format!("HTTP {} {code}: {message}", self.status),
            _ if self.json.is_none() => format!(
                "HTTP {} with a non-JSON body: {}",
                self.status,
                self.raw.chars().take(200).collect::<String>()
            ),
            _ => format!("HTTP {}", self.status),
        }
    }
}

/// Failures where no HTTP answer came back.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("endpoint unreachable at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("endpoint did not answer {action:?} within {seconds} s")]
    Timeout { action: Action, seconds: u64 },
}

/// A client for one endpoint URL with one shared secret.
#[derive(Clone, Debug)]
pub struct EndpointClient {
    url: String,
    shared_secret: String,
    http: reqwest::Client,
    pub timeouts: Timeouts,
    /// Extra attempts after connection errors and 502/503/504 (cold starts).
    pub retries: u32,
    pub backoff: Duration,
}

const RAW_LIMIT: usize = 4000;

impl EndpointClient {
    pub fn new(url: &str, shared_secret: &str) -> EndpointClient {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        EndpointClient {
            url: url.to_owned(),
            shared_secret: shared_secret.to_owned(),
            http,
            timeouts: Timeouts::default(),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }

    /// The endpoint client, or the usage exit code after saying what is missing.
    pub fn from_args_or_usage(args: &EndpointArgs) -> Result<EndpointClient, u8> {
        Self::from_args(args).map_err(|message| {
            eprintln!("error: {message}");
            exit::USAGE
        })
    }

    /// The endpoint client from flags and the environment; `Err` is a usage message.
    pub fn from_args(args: &EndpointArgs) -> Result<EndpointClient, String> {
        let url = args
            .endpoint
            .clone()
            .ok_or("no endpoint: pass --endpoint or set AUTONOMA_SDK_ENDPOINT")?;
        let secret = std::env::var("AUTONOMA_SHARED_SECRET").map_err(|_| {
            "AUTONOMA_SHARED_SECRET is not set (the endpoint's shared secret signs every request)"
                .to_owned()
        })?;
        let mut client = EndpointClient::new(&url, &secret);
        client.timeouts = Timeouts {
            discover: Duration::from_secs(args.timeout_discover),
            up: Duration::from_secs(args.timeout_up),
            down: Duration::from_secs(args.timeout_down),
        };
        client.retries = args.retries;
        Ok(client)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client for the same endpoint with another secret (conformance probes).
    pub fn with_secret(&self, secret: &str) -> EndpointClient {
        EndpointClient {
            shared_secret: secret.to_owned(),
            ..self.clone()
        }
    }

    fn timeout(&self, action: Action) -> Duration {
        match action {
            Action::Discover => self.timeouts.discover,
            Action::Up => self.timeouts.up,
            Action::Down => self.timeouts.down,
        }
    }

    /// The `x-signature` for `body` with this client's secret.
    pub fn sign(&self, body: &[u8]) -> String {
        sign_body(&self.shared_secret, body)
    }

    /// Signs and sends `body` (serialised once; the signature covers exactly these bytes).
    pub async fn call(
        &self,
        action: Action,
        body: &Value,
    ) -> Result<EndpointResponse, EndpointError> {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let signature = sign_body(&self.shared_secret, &bytes);
        self.send_raw(action, bytes, Some(signature)).await
    }

    /// Sends raw bytes with an optional signature (conformance probes send bad ones).
    pub async fn send_raw(
        &self,
        action: Action,
        bytes: Vec<u8>,
        signature: Option<String>,
    ) -> Result<EndpointResponse, EndpointError> {
        let started = Instant::now();
        let mut url = self.url.clone();
        let mut redirected_to = None;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let mut request = self
                .http
                .post(&url)
                .timeout(self.timeout(action))
                .header("content-type", "application/json")
                .body(bytes.clone());
            if let Some(signature) = &signature {
                request = request.header("x-signature", signature);
            }
            let result = request.send().await;
            let retryable = match &result {
                Err(error) if error.is_timeout() => {
                    return Err(EndpointError::Timeout {
                        action,
                        seconds: self.timeout(action).as_secs(),
                    });
                }
                Err(error) => error.is_connect() || error.is_request(),
                Ok(response) => matches!(response.status().as_u16(), 502..=504),
            };
            if retryable && attempts <= self.retries {
                tokio::time::sleep(self.backoff * attempts).await;
                continue;
            }
            let response = result.map_err(|error| EndpointError::Unreachable {
                url: url.clone(),
                detail: root_cause(&error),
            })?;
            let status = response.status().as_u16();
            if matches!(status, 307 | 308)
                && redirected_to.is_none()
                && let Some(location) = response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
            {
                let target = response
                    .url()
                    .join(location)
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| location.to_owned());
                redirected_to = Some(target.clone());
                url = target;
                attempts = 0;
                continue;
            }
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let text = response.text().await.unwrap_or_default();
            let json = serde_json::from_str::<Value>(&text).ok();
            return Ok(EndpointResponse {
                status,
                json,
                raw: text.chars().take(RAW_LIMIT).collect(),
                content_type,
                elapsed_ms: started.elapsed().as_millis() as u64,
                redirected_to,
                attempts,
            });
        }
    }
}

fn root_cause(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut last = error.to_string();
    while let Some(current) = source {
        last = current.to_string();
        source = current.source();
    }
    last
}
