//! The signed HTTP client for an Environment Factory endpoint: timeouts on the whole answer,
//! cold-start retries, redirects re-POSTed with the same body and signature, and answers capped
//! in bytes and in JSON values before anything is built from them.

use crate::cli::{EndpointArgs, exit};
use scenario_lab_core::json_budget::{self, BudgetError};
use scenario_lab_core::protocol::{
    Action, DownAnswer, ErrorBody, ErrorReading, Request, read_error,
};
use scenario_lab_core::redact::redact;
use scenario_lab_core::signing::sign_body;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

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
            down: Duration::from_mins(1),
        }
    }
}

/// How large an answer may be: bytes, and JSON values (a tree costs tens of bytes per value, so
/// a small answer of millions of tiny arrays is refused as well as a huge one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerLimits {
    pub max_bytes: usize,
    pub max_values: usize,
}

impl AnswerLimits {
    /// Default size of `--max-answer-mb`.
    pub const DEFAULT_MB: usize = 32;

    /// `mb` megabytes and 50,000 JSON values per megabyte.
    pub fn megabytes(mb: usize) -> AnswerLimits {
        AnswerLimits {
            max_bytes: mb.saturating_mul(1_000_000),
            max_values: mb.saturating_mul(50_000),
        }
    }
}

impl Default for AnswerLimits {
    fn default() -> Self {
        AnswerLimits::megabytes(AnswerLimits::DEFAULT_MB)
    }
}

/// What the endpoint answered.
#[derive(Clone, Debug)]
pub struct EndpointResponse {
    pub status: u16,
    /// The whole body as text (invalid UTF-8 replaced).
    pub text: String,
    /// Whether the body is one JSON document.
    pub is_json: bool,
    pub content_type: Option<String>,
    pub elapsed_ms: u64,
    /// Set when the endpoint redirected (e.g. FastAPI's trailing slash) and the request was
    /// re-sent there.
    pub redirected_to: Option<String>,
    pub attempts: u32,
}

/// The part of a body kept in reports: 4,000 characters, as the platform keeps.
const RAW_LIMIT: usize = 4000;

impl EndpointResponse {
    /// The body decoded as `T` (a protocol answer).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.text)
    }

    /// The SDK's error body, when the answer is one.
    pub fn error_body(&self) -> Option<ErrorBody> {
        if !self.is_json {
            return None;
        }
        self.decode().ok()
    }

    /// The error answer read in the dialects real endpoints speak (FastAPI's `detail`, vendor
    /// gates; `planner.md` §7).
    pub fn reading(&self) -> ErrorReading {
        read_error(self.status, &self.text)
    }

    /// The error code: top-level, or unwrapped from FastAPI's `detail`.
    pub fn error_code(&self) -> Option<String> {
        if self.status == 200 {
            return self.error_body()?.code;
        }
        self.reading().code
    }

    /// The answer as a check records it for diagnosis (status, code, whether a gate answered).
    pub fn answered(&self) -> scenario_lab_core::check_result::Answered {
        scenario_lab_core::check_result::Answered {
            status: self.status,
            code: self.error_code(),
            gated: self.reading().gated,
        }
    }

    /// A gate's status and code, or the start of its body: "503 AUTONOMA_NOT_CONFIGURED".
    pub fn gate_label(&self) -> String {
        let reading = self.reading();
        match (reading.code, reading.message) {
            (Some(code), _) => redact(&format!("{} {code}", self.status)),
            (None, Some(message)) => format!(
                "{} {}",
                self.status,
                message.chars().take(80).collect::<String>()
            ),
            (None, None) => format!(
                "{} {}",
                self.status,
                self.text.chars().take(80).collect::<String>()
            ),
        }
    }

    /// HTTP 200 with `"ok": true` (how `down` confirms a teardown).
    pub fn confirms_teardown(&self) -> bool {
        self.status == 200
            && self
                .decode::<DownAnswer>()
                .is_ok_and(|a| a.ok == Some(true))
    }

    /// The start of the body, for reports, its secrets masked.
    pub fn raw(&self) -> String {
        redact(&self.text.chars().take(RAW_LIMIT).collect::<String>())
    }

    /// A one-line description for reports: status, code and message or the start of the body,
    /// with password, secret, token, hash and key values and SQL parameter blocks masked.
    pub fn describe(&self) -> String {
        redact(&self.describe_unmasked())
    }

    fn describe_unmasked(&self) -> String {
        let reading = self.reading();
        match (reading.code, reading.message) {
            (Some(code), message) => format!(
                "HTTP {} {code}: {}{}",
                self.status,
                message.unwrap_or_default(),
                if reading.unwrapped {
                    " (unwrapped from FastAPI's `detail`)"
                } else {
                    ""
                }
            ),
            (None, Some(message)) if self.is_json => {
                format!("HTTP {}: {message}", self.status)
            }
            _ if !self.is_json => format!(
                "HTTP {} with a non-JSON body: {}",
                self.status,
                self.text.chars().take(200).collect::<String>()
            ),
            _ => format!("HTTP {}", self.status),
        }
    }
}

/// Failures where no usable HTTP answer came back.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("endpoint unreachable at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("the endpoint did not finish answering `{}` within {seconds} s (timed out{})", action.as_str(), if *partial { " while the body was still arriving" } else { "" })]
    Timeout {
        action: Action,
        seconds: u64,
        /// The headers had arrived; the body did not finish (a slow drip).
        partial: bool,
    },
    #[error("the `{}` answer is larger than {mb} MB (raise the limit with --max-answer-mb)", action.as_str())]
    TooLarge { action: Action, mb: usize },
    #[error("the `{}` answer holds {detail} (raise the limit with --max-answer-mb)", action.as_str())]
    TooComplex { action: Action, detail: String },
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
    pub limits: AnswerLimits,
}

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
            limits: AnswerLimits::default(),
        }
    }

    /// The endpoint client, or the usage exit code after saying what is missing.
    pub fn from_args_or_usage(args: &EndpointArgs) -> Result<EndpointClient, u8> {
        Self::from_args(args).map_err(|message| {
            crate::terminal::eprint_safe(&format!("error: {message}\n"));
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
        Ok(Self::new(&url, &secret).configured(args))
    }

    /// This client with the timeouts, retries and limits of `args`.
    #[must_use]
    pub fn configured(mut self, args: &EndpointArgs) -> EndpointClient {
        self.timeouts = Timeouts {
            discover: Duration::from_secs(args.timeout_discover),
            up: Duration::from_secs(args.timeout_up),
            down: Duration::from_secs(args.timeout_down),
        };
        self.retries = args.retries;
        self.limits = AnswerLimits::megabytes(args.max_answer_mb);
        self
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// A client for the same endpoint with another secret (conformance probes).
    #[must_use]
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
    /// How `token` is signed with a secret derived from this client's shared secret, if it is.
    pub fn derived_signing(&self, token: &str) -> Option<String> {
        scenario_lab_core::signing::derived_signing_secret(&self.shared_secret, token)
    }

    pub fn sign(&self, body: &[u8]) -> String {
        sign_body(&self.shared_secret, body)
    }

    /// Signs and sends `request` (serialised once; the signature covers exactly these bytes).
    pub async fn call(&self, request: &Request) -> Result<EndpointResponse, EndpointError> {
        let bytes = request.to_bytes();
        let signature = self.sign(&bytes);
        self.send_raw(request.action(), bytes, Some(signature))
            .await
    }

    /// Sends raw bytes with an optional signature (conformance probes send bad ones); `action`
    /// picks the timeout.
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
                Err(error) if error.is_timeout() => return Err(self.timed_out(action, false)),
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
            if let Some(target) = redirect_target(&response).filter(|_| redirected_to.is_none()) {
                redirected_to = Some(target.clone());
                url = target;
                attempts = 0;
                continue;
            }
            let mut answer = self.read_answer(action, response).await?;
            answer.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            answer.redirected_to = redirected_to;
            answer.attempts = attempts;
            return Ok(answer);
        }
    }

    fn timed_out(&self, action: Action, partial: bool) -> EndpointError {
        EndpointError::Timeout {
            action,
            seconds: self.timeout(action).as_secs(),
            partial,
        }
    }

    /// Reads the body within the limits, then checks that it can be held as a tree.
    async fn read_answer(
        &self,
        action: Action,
        mut response: reqwest::Response,
    ) -> Result<EndpointResponse, EndpointError> {
        let too_large = || EndpointError::TooLarge {
            action,
            mb: self.limits.max_bytes / 1_000_000,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.limits.max_bytes as u64)
        {
            return Err(too_large());
        }
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > self.limits.max_bytes => {
                    return Err(too_large());
                }
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(error) if error.is_timeout() => return Err(self.timed_out(action, true)),
                Err(error) => {
                    return Err(EndpointError::Unreachable {
                        url: self.url.clone(),
                        detail: format!(
                            "the connection broke while the answer arrived: {}",
                            root_cause(&error)
                        ),
                    });
                }
            }
        }
        let is_json = match json_budget::count_values(&body, self.limits.max_values) {
            Ok(_) => true,
            Err(BudgetError::NotJson(_)) => false,
            Err(BudgetError::TooManyValues { limit }) => {
                return Err(EndpointError::TooComplex {
                    action,
                    detail: format!("more than {limit} JSON values"),
                });
            }
        };
        Ok(EndpointResponse {
            status,
            text: String::from_utf8_lossy(&body).into_owned(),
            is_json,
            content_type,
            elapsed_ms: 0,
            redirected_to: None,
            attempts: 0,
        })
    }
}

/// The absolute `Location` of a 307/308 (re-POSTed with the same body; never followed as GET).
fn redirect_target(response: &reqwest::Response) -> Option<String> {
    if !matches!(response.status().as_u16(), 307 | 308) {
        return None;
    }
    let location = response.headers().get("location")?.to_str().ok()?;
    Some(
        response
            .url()
            .join(location)
            .map_or_else(|_| location.to_owned(), |u| u.to_string()),
    )
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
