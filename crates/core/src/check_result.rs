//! One named check of a live validation and its outcome (`up.status`, `db.gone`, ...).

use serde::{Deserialize, Serialize};

/// One named check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable id, e.g. `db.untouched` or `conformance.unsigned`.
    pub id: String,
    /// Passed (or skipped).
    pub ok: bool,
    /// What was found, for people.
    pub message: String,
    /// The check did not run: it proves nothing and never counts as passed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
    /// Passed, with a risk worth reading (a signing secret derived from the shared one).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub warning: bool,
    /// For a failed check: whose fault it is, the cause and where to look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<crate::diagnosis::Diagnosis>,
    /// The endpoint's answer the check judged, when one came: what a diagnosis reads, so it
    /// never parses the status or code back out of the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answered>,
}

/// An endpoint's answer as a check observed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answered {
    /// The HTTP status.
    pub status: u16,
    /// The SDK's error code (top-level, or unwrapped from FastAPI's `detail`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The app answered before the SDK: a switch, a missing secret, a vendor gate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gated: bool,
}

impl CheckResult {
    /// A check with the given outcome.
    pub fn of(id: &str, ok: bool, message: impl Into<String>) -> Self {
        CheckResult {
            id: id.to_owned(),
            ok,
            message: message.into(),
            skipped: false,
            warning: false,
            diagnosis: None,
            answer: None,
        }
    }

    /// The same check, with the answer it judged.
    #[must_use]
    pub fn with_answer(self, answer: Answered) -> Self {
        CheckResult {
            answer: Some(answer),
            ..self
        }
    }

    /// A passed check.
    pub fn pass(id: &str, message: impl Into<String>) -> Self {
        Self::of(id, true, message)
    }

    /// A failed check.
    pub fn fail(id: &str, message: impl Into<String>) -> Self {
        Self::of(id, false, message)
    }

    /// A check that did not run, and why.
    pub fn skip(id: &str, message: impl Into<String>) -> Self {
        CheckResult {
            skipped: true,
            ..Self::of(id, true, message)
        }
    }

    /// A passed check with a warning.
    pub fn warn(id: &str, message: impl Into<String>) -> Self {
        CheckResult {
            warning: true,
            ..Self::of(id, true, message)
        }
    }

    /// `ok`, `FAIL`, `skip` or `warn`, as the terminal summary marks it.
    #[must_use]
    pub fn mark(&self) -> &'static str {
        match (self.ok, self.skipped, self.warning) {
            (_, true, _) => "skip",
            (true, false, true) => "warn",
            (true, false, false) => "ok",
            (false, false, _) => "FAIL",
        }
    }
}
