//! Whose fault a failed live check is (the handler's, the scenario's or the environment's),
//! which cause, and where to look: one type for every report and the editor.

use serde::{Deserialize, Serialize};

/// Who has to change something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    /// The backend's handler: a factory, a teardown, the auth callback.
    Handler,
    /// The scenario: its recipe or `scenarios.md`.
    Scenario,
    /// Neither: secrets, reachability, a gate in front of the endpoint.
    Environment,
}

impl Side {
    /// For the terminal: "the scenario".
    pub const fn label(self) -> &'static str {
        match self {
            Side::Handler => "the handler",
            Side::Scenario => "the scenario",
            Side::Environment => "the environment",
        }
    }
}

/// A place to look: a file and a line (and column).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The file, as the report names files.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Place {
    /// `file:line:column` (or `file:line`).
    pub fn label(&self) -> String {
        match self.column {
            Some(column) => format!("{}:{}:{column}", self.file, self.line),
            None => format!("{}:{}", self.file, self.line),
        }
    }
}

/// The diagnosis of one failed check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// Whose fault it is.
    pub side: Side,
    /// A stable id: `unique-collision`, `teardown-missing`, ...
    pub cause: String,
    /// Where to look, the likeliest first.
    #[serde(default)]
    pub places: Vec<Place>,
    /// What to do.
    pub help: String,
    /// A mechanical repair, when there is one (for people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Diagnosis {
    /// A diagnosis without places.
    pub fn new(side: Side, cause: &str, help: impl Into<String>) -> Diagnosis {
        Diagnosis {
            side,
            cause: cause.to_owned(),
            places: Vec::new(),
            help: help.into(),
            fix: None,
        }
    }

    /// The terminal's lead: "the scenario: scenario-recipes.json:18:20".
    pub fn lead(&self) -> String {
        match self.places.first() {
            Some(place) => format!("{}: {} ({})", self.side.label(), place.label(), self.cause),
            None => format!("{} ({})", self.side.label(), self.cause),
        }
    }
}

/// What a failed check observed.
#[derive(Clone, Copy, Debug)]
pub struct Symptom<'a> {
    /// The check id (`up.status`, `db.gone`, ...).
    pub check: &'a str,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// The error code read from the answer.
    pub code: Option<&'a str>,
    /// The app answered before the SDK (a switch, a missing secret, a vendor gate).
    pub gated: bool,
    /// The check's message (already redacted): the handler's own words, for causes only they
    /// tell (a unique violation, a missing factory).
    pub message: &'a str,
}

fn contains_any(text: &str, needles: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    needles.iter().any(|n| lower.contains(n))
}

/// The cause of a failed `up`/`down` answer.
fn answer_cause(symptom: &Symptom<'_>) -> Diagnosis {
    let message = symptom.message;
    if symptom.status == Some(401) || symptom.code == Some("INVALID_SIGNATURE") {
        return Diagnosis::new(
            Side::Environment,
            "secret-mismatch",
            "AUTONOMA_SHARED_SECRET here differs from the endpoint's: export the endpoint's value",
        );
    }
    if symptom.gated {
        return Diagnosis::new(
            Side::Environment,
            "gated",
            "enable the endpoint for tests (its gate answers before the SDK)",
        );
    }
    if contains_any(message, &["unique", "duplicate key", "duplicate entry"]) {
        return Diagnosis::new(
            Side::Scenario,
            "unique-collision",
            "two records of this run resolve to the same value in a unique column: give the second its own derived variable (`scenario-lab preflight` predicts this as recipe/duplicate-value)",
        );
    }
    if contains_any(message, &["foreign key", "foreignkeyviolation"]) {
        return Diagnosis::new(
            Side::Handler,
            "fk-unresolved",
            "the factory stores a foreign key the database cannot resolve: make it use the `_ref`'s id it is given (or create the parent first)",
        );
    }
    if contains_any(
        message,
        &["no factory registered", "no factories registered"],
    ) {
        return Diagnosis::new(
            Side::Handler,
            "factory-missing",
            "register a factory for this model on the handler (`define_factory` / `defineFactory`), or remove the model from the recipe if the app has none",
        );
    }
    if contains_any(
        message,
        &[
            "validation error",
            "invalid input for",
            "field required",
            "expected",
        ],
    ) {
        return Diagnosis::new(
            Side::Scenario,
            "type-rejected",
            "the factory's input schema refuses a value of the recipe: match the field's type in discover (`scenario-lab preflight` shows recipe/type-mismatch)",
        );
    }
    if contains_any(
        message,
        &[
            "unknown field",
            "unexpected keyword",
            "has no attribute",
            "extra inputs",
            "unrecognized key",
        ],
    ) {
        return Diagnosis::new(
            Side::Scenario,
            "unknown-field",
            "the recipe sets a field the model does not have: remove it or use discover's name",
        );
    }
    if symptom.code == Some("INVALID_BODY") {
        return Diagnosis::new(
            Side::Scenario,
            "invalid-body",
            "the SDK refused the recipe's shape: run `scenario-lab preflight` for the place",
        );
    }
    Diagnosis::new(
        Side::Handler,
        "handler-crash",
        "the handler failed while creating the records: read the error above and fix the factory",
    )
}

/// `db.gone`'s "Model: N of M still present" with N = M for every model: no teardown ran at all.
fn nothing_deleted(message: &str) -> bool {
    let counts: Vec<bool> = message
        .split("; ")
        .filter_map(|part| {
            let before = part.strip_suffix(" still present")?;
            let (left, total) = before.rsplit_once(" of ")?;
            let present = left.rsplit(' ').next()?;
            Some(present == total)
        })
        .collect();
    !counts.is_empty() && counts.iter().all(|all| *all)
}

/// The cause of a preflight error by its code: what the scenario must change.
pub fn preflight_cause(code: &str) -> &'static str {
    match code {
        "recipe/unknown-model" => "unknown-model",
        "recipe/unknown-field" => "unknown-field",
        "recipe/type-mismatch" => "type-rejected",
        "recipe/duplicate-value" => "unique-collision",
        "recipe/unknown-alias" => "unknown-alias",
        "scenarios/count-mismatch" => "count-mismatch",
        _ => "preflight-error",
    }
}

/// The diagnosis of a failed check, from what it observed; `None` for checks that passed or
/// were skipped, and for causes this cannot tell.
pub fn diagnose(symptom: &Symptom<'_>) -> Option<Diagnosis> {
    let message = symptom.message;
    let unreachable = |what: &str| {
        contains_any(
            message,
            &[
                "unreachable",
                "connection refused",
                "timed out",
                "could not connect",
            ],
        )
        .then(|| Diagnosis::new(Side::Environment, what, "start it, or fix the URL"))
    };
    Some(match symptom.check {
        "endpoint.reachable" => Diagnosis::new(
            Side::Environment,
            "endpoint-unreachable",
            "start the app, or fix the URL (FastAPI mounts need the trailing slash)",
        ),
        "up.status" | "down.status" => {
            if let Some(d) = unreachable("endpoint-unreachable") {
                return Some(d);
            }
            answer_cause(symptom)
        }
        "discover.shape" if symptom.status.is_some() => answer_cause(symptom),
        "db.connect" => unreachable("database-unreachable")?,
        "up.refs_token" if message.starts_with("no `refsToken`") => Diagnosis::new(
            Side::Handler,
            "refs-token-missing",
            "the handler must return the SDK's refsToken untouched (a wrapper dropped it, or the signing secret is missing)",
        ),
        "up.refs_token" => Diagnosis::new(
            Side::Environment,
            "secret-mismatch",
            "AUTONOMA_SIGNING_SECRET here differs from the endpoint's",
        ),
        "up.auth" => Diagnosis::new(
            Side::Handler,
            "auth-callback",
            "the auth callback returned nothing usable: return cookies, headers or credentials for the created user",
        ),
        "db.created" => Diagnosis::new(
            Side::Handler,
            "record-not-stored",
            "the factory returns an id it never stores: make it insert the record and return the stored id",
        ),
        "db.gone" if nothing_deleted(message) => Diagnosis::new(
            Side::Handler,
            "teardown-missing",
            "the model's teardown deletes nothing: give its factory a teardown that deletes the record by id",
        ),
        "db.gone" => Diagnosis::new(
            Side::Handler,
            "teardown-incomplete",
            "some records survive `down`: the teardown must delete every record up created",
        ),
        "db.untouched" if message.contains("deleted") => Diagnosis::new(
            Side::Handler,
            "collateral-delete",
            "a teardown deletes rows `up` did not create: scope its delete to the record's id",
        ),
        "db.untouched" => Diagnosis::new(
            Side::Handler,
            "orphans-from-trigger",
            "rows `up` created outside its refs (a side effect or trigger) stay after `down`: delete them in the owner's teardown",
        ),
        "discover.factories" | "discover.coverage" => Diagnosis::new(
            Side::Handler,
            "factory-missing",
            "register a factory for every independently created model of the entity audit",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(
        check: &str,
        status: Option<u16>,
        code: Option<&str>,
        message: &str,
    ) -> Option<Diagnosis> {
        diagnose(&Symptom {
            check,
            status,
            code,
            gated: false,
            message,
        })
    }

    #[test]
    fn each_symptom_names_its_side_and_cause() {
        let cause = |d: Option<Diagnosis>| d.map(|d| (d.side, d.cause));
        let unique = "HTTP 500 INTERNAL_ERROR: (psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"users_email_key\"";
        assert_eq!(
            cause(of("up.status", Some(500), Some("INTERNAL_ERROR"), unique)),
            Some((Side::Scenario, "unique-collision".into()))
        );
        assert_eq!(
            cause(of("up.status", Some(401), None, "HTTP 401")),
            Some((Side::Environment, "secret-mismatch".into()))
        );
        assert_eq!(
            cause(of(
                "up.status",
                Some(400),
                Some("INVALID_BODY"),
                "no factory registered for model \"Tag\""
            )),
            Some((Side::Handler, "factory-missing".into()))
        );
        assert_eq!(
            cause(of(
                "db.gone",
                None,
                None,
                "rows survived down: Board: 1 of 1 still present"
            )),
            Some((Side::Handler, "teardown-missing".into()))
        );
        assert_eq!(
            cause(of(
                "db.untouched",
                None,
                None,
                "probe:Note: 1 row deleted that up did not create"
            )),
            Some((Side::Handler, "collateral-delete".into()))
        );
        assert_eq!(
            cause(of(
                "db.gone",
                None,
                None,
                "rows survived down: Board: 1 of 2 still present"
            )),
            Some((Side::Handler, "teardown-incomplete".into()))
        );
        assert_eq!(
            cause(of(
                "up.refs_token",
                None,
                None,
                "no `refsToken` in the up response"
            )),
            Some((Side::Handler, "refs-token-missing".into()))
        );
        assert_eq!(of("repeat.concurrent", None, None, "x"), None);
    }
}
