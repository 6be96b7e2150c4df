//! The factory-body integrity grep (`reference/artifacts.md` §9): raw ORM or SQL writes inside the
//! `create` body of a factory for an independently created model (it must call the audited
//! creation function instead). Matches elsewhere (teardowns, helpers, dependents) are allowed.

use crate::handler_source::{HandlerSource, NoHandler};
use crate::workspace_dir::WorkspaceDir;
use regex::Regex;
use scenario_lab_core::audit::AuditDoc;
use scenario_lab_core::check_result::CheckResult;

/// One raw write found in a factory's create body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub model: String,
    /// 1-based line in the handler file.
    pub line: usize,
    pub text: String,
}

const TS_WRITES: &str = r"(prisma|db|tx|trx)\.[a-zA-Z_]+\.(create|createMany|upsert)\(|\b(drizzle|db|tx)\.insert\(|\bknex\([^)]*\)\.insert\(|\.models\.[A-Za-z_]+\.create\(|getRepository\([^)]*\)\.save\(|\bMongoose.*\.create\(";
const PY_WRITES: &str =
    r"\bsession\.(add|execute|bulk_insert_mappings)\(|\.objects\.create\(|\.save\(\)";
const RAW_SQL: &str = r#"(?i)"[^"]*INSERT\s+INTO\b|'[^']*INSERT\s+INTO\b"#;

fn regex(pattern: &str) -> Regex {
    // The patterns are constants of this module; they always compile.
    Regex::new(pattern).unwrap_or_else(|e| unreachable!("invalid built-in pattern: {e}"))
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

/// Findings in `source`, a handler file named `file_name` (the extension picks the stack), for
/// the factories of `independent` models. `None` when the language is not supported.
pub fn scan(file_name: &str, source: &str, independent: &[&str]) -> Option<Vec<Finding>> {
    let bodies = crate::handler_source::create_bodies(file_name, source)?;
    let writes = match file_name.rsplit('.').next().unwrap_or_default() {
        "py" => regex(PY_WRITES),
        _ => regex(TS_WRITES),
    };
    let raw_sql = regex(RAW_SQL);
    let mut findings = Vec::new();
    for (model, start, end) in bodies {
        if !independent.contains(&model.as_str()) {
            continue;
        }
        let body = &source[start..end];
        for found in writes.find_iter(body).chain(raw_sql.find_iter(body)) {
            let line = line_of(source, start + found.start());
            let text = source
                .lines()
                .nth(line - 1)
                .unwrap_or_default()
                .trim()
                .to_owned();
            if !findings.iter().any(|f: &Finding| f.line == line) {
                findings.push(Finding {
                    model: model.clone(),
                    line,
                    text,
                });
            }
        }
    }
    findings.sort_by_key(|f| f.line);
    Some(findings)
}

/// The factory-body integrity grep (`reference/artifacts.md` §9) on the handler named by
/// `.endpoint-implemented`: raw ORM or SQL writes inside the create body of a factory for an
/// independently created model.
pub fn check(dir: &WorkspaceDir, audit: Option<&AuditDoc>) -> CheckResult {
    let handler = match HandlerSource::read(dir) {
        Ok(handler) => handler,
        Err(NoHandler::NoSentinel) => {
            return CheckResult::skip("discover.integrity", ".endpoint-implemented not found");
        }
        Err(NoHandler::Unnamed) => {
            return CheckResult::fail(
                "discover.integrity",
                ".endpoint-implemented does not name the handler file (a line `handler: <path>`)",
            );
        }
        Err(NoHandler::Unreadable(message)) => {
            return CheckResult::fail("discover.integrity", message);
        }
    };
    let HandlerSource {
        path: handler,
        text: source,
    } = handler;
    let Some(audit) = audit else {
        return CheckResult::skip(
            "discover.integrity",
            "entity-audit.md not found: no independently created models to check",
        );
    };
    let independent = audit.independent_models();
    match scan(&handler, &source, &independent) {
        None => CheckResult::skip(
            "discover.integrity",
            format!("{handler}: only Python and TypeScript/JavaScript handlers are scanned"),
        ),
        Some(findings) if findings.is_empty() => CheckResult::pass(
            "discover.integrity",
            format!("no raw ORM or SQL writes in the create bodies of {handler}"),
        ),
        Some(findings) => CheckResult::fail(
            "discover.integrity",
            format!(
                "raw writes in factory create bodies (call the audited creation function instead): {}",
                findings
                    .iter()
                    .map(|f| format!("{handler}:{} ({}): {}", f.line, f.model, f.text))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_raw_writes_in_create_bodies_only() {
        let source = r#"
def create_org(data, ctx):
    return OrganizationService.create(data)

def create_user(data, ctx):
    session.add(User(**data))
    return {"id": 1}

def teardown_user(record, ctx):
    session.execute("DELETE FROM users")

def create_checklist(data, ctx):
    db.execute("INSERT INTO checklist VALUES (1)")

factories = {
    "Organization": define_factory(create=create_org, input_model=OrgIn),
    "User": define_factory(create=create_user, teardown=teardown_user, input_model=UserIn),
    "Checklist": define_factory(create=create_checklist, input_model=ChecklistIn),
}
"#;
        let findings =
            scan("handler.py", source, &["Organization", "User"]).expect("python is supported");
        assert_eq!(
            findings,
            vec![Finding {
                model: "User".into(),
                line: 6,
                text: "session.add(User(**data))".into()
            }]
        );
    }

    #[test]
    fn typescript_factory_bodies() {
        let source = "export const handler = {\n  Project: defineFactory({\n    create: async (data) => {\n      return prisma.project.create({ data });\n    },\n    teardown: async (r) => { await prisma.project.delete({ where: { id: r.id } }) },\n  }),\n  Task: defineFactory({\n    create(data) { return TaskService.create(data) },\n  }),\n};\n";
        let findings =
            scan("autonoma.handler.ts", source, &["Project", "Task"]).expect("ts is supported");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            (findings[0].model.as_str(), findings[0].line),
            ("Project", 4)
        );
        assert!(scan("handler.rb", source, &[]).is_none());
    }
}
