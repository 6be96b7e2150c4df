//! Where the records an `up` creates are proven: the read-only SQL database, or the HTTP read
//! probes of an app without one (`[probes]` in `scenario-lab.toml`). Both answer the same
//! questions, so `db.created`, `db.gone` and `db.untouched` are one set of checks.

use crate::database::{DbContext, DbError, ModelIds, TableCounts, id_text, record_ids};
use crate::endpoint::AnswerLimits;
use crate::json_path;
use crate::settings::ProbeSettings;
use reqwest::Url;
use serde_json::{Map, Value};
use serde_json_path::JsonPath;
use std::collections::BTreeMap;

/// Where records are read.
#[derive(Clone, Debug)]
pub enum RecordStore {
    Sql(DbContext),
    Probes(HttpProbes),
}

/// A read that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Probe(String),
}

impl RecordStore {
    /// The SQL database, when that is the store (conformance compares its row counts).
    pub fn sql(&self) -> Option<&DbContext> {
        match self {
            RecordStore::Sql(db) => Some(db),
            RecordStore::Probes(_) => None,
        }
    }

    /// How records are proven, for reports.
    pub fn proof(&self) -> scenario_lab_core::run_report::RecordsProof {
        match self {
            RecordStore::Sql(_) => scenario_lab_core::run_report::RecordsProof::Database,
            RecordStore::Probes(_) => scenario_lab_core::run_report::RecordsProof::Probes,
        }
    }

    /// Row counts per table, or records per probed model (`probe:Model`).
    pub async fn snapshot(&self) -> Result<TableCounts, StoreError> {
        match self {
            RecordStore::Sql(db) => Ok(db.snapshot().await?),
            RecordStore::Probes(probes) => probes.snapshot().await.map_err(StoreError::Probe),
        }
    }

    /// For each model of `refs`: its ids and which of them the store holds.
    pub async fn found(&self, refs: &Map<String, Value>) -> Result<Vec<ModelIds>, StoreError> {
        match self {
            RecordStore::Sql(db) => Ok(db.found(refs).await?),
            RecordStore::Probes(probes) => probes.found(refs).await.map_err(StoreError::Probe),
        }
    }

    /// The models of `refs` the store can read (one query each per phase).
    pub fn mapped_models(&self, refs: &Map<String, Value>) -> usize {
        match self {
            RecordStore::Sql(db) => db.mapped_models(refs),
            RecordStore::Probes(probes) => {
                refs.keys().filter(|m| probes.probe(m).is_some()).count()
            }
        }
    }
}

/// The GET probes of `[probes]`: a URL and a JSONPath to the ids per model.
#[derive(Clone, Debug)]
pub struct HttpProbes {
    http: reqwest::Client,
    default: Option<(String, JsonPath)>,
    models: BTreeMap<String, (String, JsonPath)>,
    header: Option<(String, String)>,
    /// The models a snapshot lists (discover's, else the recipes').
    listed: Vec<String>,
    limits: AnswerLimits,
}

/// What `HttpProbes::new` needs besides the settings.
#[derive(Debug)]
pub struct ProbeScope<'a> {
    /// The models a snapshot lists.
    pub models: Vec<String>,
    /// The endpoint's URL: its origin may receive `${VAR}` values.
    pub endpoint: &'a str,
    /// Origins the user named with `--probe-origin`.
    pub trusted: &'a [String],
    pub limits: AnswerLimits,
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `${VAR}` in `text` replaced from `env`; `Err` names a variable that is not set.
fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        let value = env(name).ok_or_else(|| {
            format!("[probes] header uses ${{{name}}}, which is not set in the environment")
        })?;
        out.push_str(&rest[..start]);
        out.push_str(&value);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

impl HttpProbes {
    /// The probes of `settings`; `Err` names the setting at fault or the origin refused.
    pub fn new(
        settings: &ProbeSettings,
        scope: ProbeScope<'_>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<HttpProbes, String> {
        let place = "scenario-lab.toml: [probes]";
        let path = |ids: &Option<String>, at: &str| -> Result<Option<JsonPath>, String> {
            ids.as_deref()
                .map(|p| json_path::parse(p).map_err(|e| format!("{place}{at} ids: {e}")))
                .transpose()
        };
        let default_ids = path(&settings.ids, "")?;
        let default = match (&settings.url, default_ids.clone()) {
            (Some(url), Some(ids)) => Some((url.clone(), ids)),
            (Some(_), None) => {
                return Err(format!(
                    "{place}: `url` needs `ids`, the JSONPath to the records' ids (e.g. \"$.items[*].id\")"
                ));
            }
            _ => None,
        };
        let mut models = BTreeMap::new();
        for (model, probe) in &settings.models {
            let url = probe.url.clone().or_else(|| settings.url.clone());
            let ids = path(&probe.ids, &format!(".{model}"))?.or_else(|| default_ids.clone());
            match (url, ids) {
                (Some(url), Some(ids)) => {
                    models.insert(model.clone(), (url, ids));
                }
                _ => {
                    return Err(format!(
                        "{place}.{model}: needs `url` and `ids` (here or in [probes])"
                    ));
                }
            }
        }
        let header = match &settings.header {
            Some(line) => Some(Self::header(line, env, default.as_ref(), &models, &scope)?),
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok(HttpProbes {
            http,
            default,
            models,
            header,
            listed: scope.models,
            limits: scope.limits,
        })
    }

    /// The header line, expanded; refused when `${VAR}` values would leave for an origin that is
    /// neither the endpoint's, loopback, nor one the user named.
    fn header(
        line: &str,
        env: &dyn Fn(&str) -> Option<String>,
        default: Option<&(String, JsonPath)>,
        models: &BTreeMap<String, (String, JsonPath)>,
        scope: &ProbeScope<'_>,
    ) -> Result<(String, String), String> {
        let Some((name, value)) = line.split_once(':') else {
            return Err("scenario-lab.toml: [probes] header must be `name: value`".to_owned());
        };
        if value.contains("${") {
            let endpoint = Url::parse(scope.endpoint).ok().map(|u| origin(&u));
            let urls = default
                .iter()
                .map(|(u, _)| u)
                .chain(models.values().map(|(u, _)| u));
            for url in urls {
                let parsed = Url::parse(&url.replace("{model}", "m"))
                    .map_err(|e| format!("scenario-lab.toml: [probes] url `{url}`: {e}"))?;
                let at = origin(&parsed);
                if !is_loopback(&parsed)
                    && endpoint.as_deref() != Some(at.as_str())
                    && !scope.trusted.iter().any(|t| t.trim_end_matches('/') == at)
                {
                    return Err(format!(
                        "refused: scenario-lab.toml's [probes] header would send environment values to {at}, which is neither the endpoint's origin nor loopback; a workspace file travels between people, so name that origin yourself: --probe-origin {at}"
                    ));
                }
            }
        }
        Ok((name.trim().to_owned(), expand(value.trim(), env)?))
    }

    /// The URL and ids path for `model`.
    fn probe(&self, model: &str) -> Option<(String, &JsonPath)> {
        self.models
            .get(model)
            .map(|(url, ids)| (url.replace("{model}", model), ids))
            .or_else(|| {
                self.default
                    .as_ref()
                    .map(|(url, ids)| (url.replace("{model}", model), ids))
            })
    }

    /// The ids of `model`'s records as the app lists them now (as text).
    async fn ids(&self, model: &str) -> Result<Option<Vec<String>>, String> {
        let Some((url, path)) = self.probe(model) else {
            return Ok(None);
        };
        let mut request = self.http.get(&url);
        if let Some((name, value)) = &self.header {
            request = request.header(name.as_str(), value.as_str());
        }
        let failed = |why: String| format!("the probe GET {url} failed: {why}");
        let mut response = request.send().await.map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status().as_u16())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.to_string()))? {
            if body.len() + chunk.len() > self.limits.max_bytes {
                return Err(failed(format!(
                    "the answer is over {} MB (--max-answer-mb raises it)",
                    self.limits.max_bytes / 1_000_000
                )));
            }
            body.extend_from_slice(&chunk);
        }
        if scenario_lab_core::json_budget::count_values(&body, self.limits.max_values).is_err() {
            return Err(failed("the answer holds too many JSON values".to_owned()));
        }
        let value: Value =
            serde_json::from_slice(&body).map_err(|e| failed(format!("not JSON: {e}")))?;
        Ok(Some(
            json_path::all(&value, path)
                .into_iter()
                .filter_map(id_text)
                .collect(),
        ))
    }

    async fn snapshot(&self) -> Result<TableCounts, String> {
        let mut counts = TableCounts::new();
        for model in &self.listed {
            if let Some(ids) = self.ids(model).await? {
                counts.insert(
                    format!("probe:{model}"),
                    i64::try_from(ids.len()).unwrap_or(i64::MAX),
                );
            }
        }
        Ok(counts)
    }

    async fn found(&self, refs: &Map<String, Value>) -> Result<Vec<ModelIds>, String> {
        let mut out = Vec::new();
        for (model, records) in refs {
            let ids = record_ids(records);
            let listed = self.ids(model).await?;
            let present = listed.as_ref().map_or_else(Vec::new, |listed| {
                ids.iter()
                    .filter(|id| listed.contains(id))
                    .cloned()
                    .collect()
            });
            out.push(ModelIds {
                model: model.clone(),
                table: listed.map(|_| format!("probe:{model}")),
                ids,
                present,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope<'a>(endpoint: &'a str, trusted: &'a [String]) -> ProbeScope<'a> {
        ProbeScope {
            models: vec!["Card".into()],
            endpoint,
            trusted,
            limits: AnswerLimits::default(),
        }
    }

    fn settings(url: &str) -> ProbeSettings {
        ProbeSettings {
            url: Some(url.into()),
            ids: Some("$.items[*].id".into()),
            header: Some("authorization: Bearer ${PROBE_TOKEN}".into()),
            models: BTreeMap::new(),
        }
    }

    #[test]
    fn environment_values_go_only_to_the_endpoint_loopback_or_a_named_origin() {
        let env = |name: &str| (name == "PROBE_TOKEN").then(|| "s3cret".to_owned());
        let far = settings("https://probes.example.test/seeded/{model}");
        let refused = HttpProbes::new(&far, scope("http://127.0.0.1:8000/api", &[]), &env)
            .expect_err("refused");
        assert!(
            refused.contains("--probe-origin https://probes.example.test"),
            "{refused}"
        );
        assert!(!refused.contains("s3cret"));
        let trusted = ["https://probes.example.test".to_owned()];
        assert!(HttpProbes::new(&far, scope("http://127.0.0.1:8000/api", &trusted), &env).is_ok());
        assert!(HttpProbes::new(&far, scope("https://probes.example.test/api", &[]), &env).is_ok());
        let near = settings("http://127.0.0.1:3000/seeded/{model}");
        let probes =
            HttpProbes::new(&near, scope("https://app.example.test", &[]), &env).expect("loopback");
        assert_eq!(
            probes.header,
            Some(("authorization".into(), "Bearer s3cret".into()))
        );
        let unset = HttpProbes::new(&near, scope("x", &[]), &|_| None).expect_err("unset");
        assert!(unset.contains("PROBE_TOKEN"), "{unset}");
    }

    #[test]
    fn a_bad_jsonpath_is_named_with_its_place() {
        let mut bad = settings("http://127.0.0.1:3000/{model}");
        bad.ids = Some("$.items[".into());
        let error =
            HttpProbes::new(&bad, scope("x", &[]), &|_| Some(String::new())).expect_err("bad path");
        assert!(error.contains("[probes] ids"), "{error}");
    }
}
