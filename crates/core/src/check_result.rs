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

    /// What this check observed, as a diagnosis reads it: its id, the answer it judged and
    /// its message.
    pub fn symptom(&self) -> crate::diagnosis::Symptom<'_> {
        let answer = self.answer.as_ref();
        crate::diagnosis::Symptom {
            check: &self.id,
            status: answer.map(|a| a.status),
            code: answer.and_then(|a| a.code.as_deref()),
            gated: answer.is_some_and(|a| a.gated),
            message: &self.message,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_observed_answer_decides_not_words_in_the_message() {
        use crate::diagnosis::diagnose;
        let gate =
            CheckResult::fail("discover.shape", "the app is switched off").with_answer(Answered {
                status: 503,
                code: Some("AUTONOMA_DISABLED".into()),
                gated: true,
            });
        let found = diagnose(&gate.symptom()).map(|d| d.cause);
        assert_eq!(found.as_deref(), Some("gated"));
        // A message that merely quotes "HTTP 401" is no answer: discover's shape is then
        // undiagnosed rather than blamed on a secret.
        let quoted = CheckResult::fail("discover.shape", "HTTP 401 mentioned in a body");
        assert_eq!(diagnose(&quoted.symptom()), None);
        let signed = CheckResult::fail("up.status", "HTTP 401 INVALID_SIGNATURE: bad").with_answer(
            Answered {
                status: 401,
                code: Some("INVALID_SIGNATURE".into()),
                gated: false,
            },
        );
        let found = diagnose(&signed.symptom()).map(|d| d.cause);
        assert_eq!(found.as_deref(), Some("secret-mismatch"));
    }
}
