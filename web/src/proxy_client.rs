//! The editor's only way out: `/api` calls to the local proxy with the session token, and the validation's event stream.

use gloo_net::http::{Request, Response};
use scenario_lab_core::api::{
    ApiErrorBody, PackRunEvent, PackRunOutcome, RunPackRequest, ValidateEvent, ValidateOutcome,
    ValidateRequest, WriteFileAnswer,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Why a proxy call did not give an answer the editor can use.
#[derive(Clone, Debug, PartialEq)]
pub enum ProxyError {
    /// No token in the page's URL: the editor runs offline.
    NoToken,
    /// Nothing answered (the proxy is not running, or the page is not served by it).
    Unreachable(String),
    /// The proxy refused the session token.
    Unauthorized(String),
    /// The proxy answered with an error (its message).
    Failed(u16, String),
}

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxyError::NoToken => f.write_str(
                "no proxy session: open the editor: URL that `scenario-lab serve` (or `scenario-lab demo`) printed; offline preflight works without it",
            ),
            ProxyError::Unreachable(e) => write!(
                f,
                "the proxy is not reachable ({e}): start `scenario-lab serve --dir autonoma` and open the URL it prints"
            ),
            ProxyError::Unauthorized(e) => write!(
                f,
                "the proxy refused the session token ({e}): open the exact editor: URL printed by the running proxy"
            ),
            ProxyError::Failed(status, e) => write!(f, "the proxy answered {status}: {e}"),
        }
    }
}

/// A connection to the proxy that served the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Proxy {
    pub token: Option<String>,
}

impl Proxy {
    /// The token from the page URL's `?token=`.
    pub fn from_location() -> Self {
        let token = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
            .and_then(|params| params.get("token"))
            .filter(|t| !t.is_empty());
        Proxy { token }
    }

    fn token(&self) -> Result<&str, ProxyError> {
        self.token.as_deref().ok_or(ProxyError::NoToken)
    }

    /// Decodes a 2xx answer as `T`, or the proxy's error body.
    async fn answer<T: DeserializeOwned>(response: Response) -> Result<T, ProxyError> {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        if (200..300).contains(&status) {
            return serde_json::from_str(&text).map_err(|e| {
                ProxyError::Failed(status, format!("an answer the editor cannot read: {e}"))
            });
        }
        let message = serde_json::from_str::<ApiErrorBody>(&text)
            .map_or_else(|_| "no message".to_owned(), |body| body.error);
        match status {
            401 | 403 => Err(ProxyError::Unauthorized(message)),
            _ => Err(ProxyError::Failed(status, message)),
        }
    }

    /// `GET path`, decoded as `T`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ProxyError> {
        let response = Request::get(path)
            .header("authorization", &format!("Bearer {}", self.token()?))
            .send()
            .await
            .map_err(unreachable)?;
        Self::answer(response).await
    }

    /// Sends a JSON body with the session token; the raw response.
    async fn send_json<B: Serialize>(&self, path: &str, body: &B) -> Result<Response, ProxyError> {
        Request::post(path)
            .header("authorization", &format!("Bearer {}", self.token()?))
            .json(body)
            .map_err(|e| ProxyError::Failed(0, e.to_string()))?
            .send()
            .await
            .map_err(unreachable)
    }

    /// `POST path` with a JSON body, decoded as `T`.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ProxyError> {
        Self::answer(self.send_json(path, body).await?).await
    }

    /// `PUT path` with a text body (and `headers`), decoded as `T`.
    async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        contents: &str,
        headers: &[(&str, &str)],
    ) -> Result<T, ProxyError> {
        let mut request = Request::put(path)
            .header("authorization", &format!("Bearer {}", self.token()?))
            .header("content-type", "text/plain; charset=utf-8");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .body(contents.to_owned())
            .map_err(|e| ProxyError::Failed(0, e.to_string()))?
            .send()
            .await
            .map_err(unreachable)?;
        Self::answer(response).await
    }

    /// Writes one ANIP pack (`PUT /api/packs/{name}`).
    pub async fn put_pack(
        &self,
        name: &str,
        contents: &str,
    ) -> Result<scenario_lab_core::api::PackText, ProxyError> {
        self.put(&format!("/api/packs/{name}"), contents, &[]).await
    }

    /// Writes one workspace file through the proxy, unless it changed on disk since `base` (the
    /// version the editor loaded; `None` for a new file) was read: then a 409.
    pub async fn put_file(
        &self,
        name: &str,
        contents: &str,
        base: Option<&str>,
    ) -> Result<WriteFileAnswer, ProxyError> {
        let base = base.map(scenario_lab_core::file_version::fingerprint);
        let fingerprint = ("x-base-fingerprint", base.as_deref().unwrap_or_default());
        self.put(&format!("/api/files/{name}"), contents, &[fingerprint])
            .await
    }

    /// `POST /api/validate`: calls `on_event` for every progress line and step, returns the
    /// final outcome.
    pub async fn validate(
        &self,
        request: &ValidateRequest,
        on_event: impl Fn(ValidateEvent),
    ) -> Result<ValidateOutcome, ProxyError> {
        let mut outcome = None;
        self.stream(
            "/api/validate",
            request,
            |name, data| match ValidateEvent::parse(name, data) {
                Some(ValidateEvent::Report(report)) => outcome = Some(report),
                Some(event) => on_event(event),
                None => {}
            },
        )
        .await?;
        outcome.ok_or_else(|| {
            ProxyError::Failed(200, "the validation stream ended without a report".into())
        })
    }

    /// `POST /api/packs/run`: calls `on_event` for each service start and scenario verdict,
    /// returns how the run ended.
    pub async fn run_pack(
        &self,
        request: &RunPackRequest,
        on_event: impl Fn(PackRunEvent),
    ) -> Result<PackRunOutcome, ProxyError> {
        let mut outcome = None;
        self.stream(
            "/api/packs/run",
            request,
            |name, data| match PackRunEvent::parse(name, data) {
                Some(PackRunEvent::Report(report)) => outcome = Some(*report),
                Some(event) => on_event(event),
                None => {}
            },
        )
        .await?;
        outcome.ok_or_else(|| {
            ProxyError::Failed(200, "the run's stream ended without a report".into())
        })
    }

    /// POSTs `request` and feeds each server-sent event `(name, data)` to `on_event` until the
    /// stream ends (an error answer before the stream is the proxy's error).
    async fn stream<B: Serialize>(
        &self,
        path: &str,
        request: &B,
        mut on_event: impl FnMut(&str, &str),
    ) -> Result<(), ProxyError> {
        let response = self.send_json(path, request).await?;
        if !response.ok() {
            return Self::answer::<serde_json::Value>(response)
                .await
                .map(|_| ());
        }
        let stream = response
            .body()
            .ok_or_else(|| ProxyError::Failed(response.status(), "empty answer".into()))?;
        let reader: web_sys::ReadableStreamDefaultReader = stream
            .get_reader()
            .dyn_into()
            .map_err(|_| ProxyError::Failed(0, "the answer is not a stream".into()))?;
        let mut events = EventStream::default();
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|e| ProxyError::Unreachable(js_message(&e)))?;
            let done = js_sys::Reflect::get(&chunk, &"done".into())
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                return Ok(());
            }
            let bytes = js_sys::Reflect::get(&chunk, &"value".into())
                .map(|v| js_sys::Uint8Array::new(&v).to_vec())
                .unwrap_or_default();
            for (name, data) in events.push(&bytes) {
                on_event(&name, &data);
            }
        }
    }
}

/// A failed fetch: the proxy is gone (or never answered).
fn unreachable(error: gloo_net::Error) -> ProxyError {
    ProxyError::Unreachable(match error {
        gloo_net::Error::JsError(js) => js.message,
        other => other.to_string(),
    })
}

/// The message of a JavaScript error value.
fn js_message(value: &wasm_bindgen::JsValue) -> String {
    value.dyn_ref::<js_sys::Error>().map_or_else(
        || "the connection to the proxy broke".to_owned(),
        |e| String::from(e.message()),
    )
}

/// Splits a server-sent event stream into `(event, data)` pairs as bytes arrive.
#[derive(Debug, Default)]
pub struct EventStream {
    buffer: Vec<u8>,
}

impl EventStream {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<(String, String)> {
        self.buffer.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let mut event = String::from("message");
            let mut data: Vec<&str> = Vec::new();
            for line in text.lines() {
                if let Some(name) = line.strip_prefix("event:") {
                    name.trim().clone_into(&mut event);
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push(value.strip_prefix(' ').unwrap_or(value));
                }
            }
            if !data.is_empty() {
                out.push((event, data.join("\n")));
            }
        }
        out
    }
}
