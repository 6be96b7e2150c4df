//! Check behaviour through the public API, one `check()` helper for all areas.

use scenario_lab_core::{Code, Diagnostic, Report, Workspace, preflight};

const DISCOVER: &str = include_str!("../../../examples/autonoma/discover.json");
const AUDIT: &str = include_str!("../../../examples/autonoma/entity-audit.md");

/// A recipes file with one recipe `standard` whose `create` is `create_json`.
fn recipes_with(create_json: &str, variables_json: Option<&str>) -> String {
    let variables = variables_json
        .map(|v| format!(r#","variables":{v}"#))
        .unwrap_or_default();
    format!(
        r#"{{"version":1,"source":{{"discoverPath":"d","scenariosPath":"s"}},"validationMode":"endpoint-lifecycle","recipes":[{{"name":"standard","description":"d","create":{create_json}{variables},"validation":{{"status":"validated","method":"endpoint-up-down","phase":"ok"}}}}]}}"#
    )
}

struct Checked {
    source: String,
    report: Report,
}

/// Runs the preflight on a `create` map against the reference discover and audit.
fn check(create_json: &str) -> Checked {
    check_with(create_json, None)
}

fn check_with(create_json: &str, variables_json: Option<&str>) -> Checked {
    let source = recipes_with(create_json, variables_json);
    let report = preflight(&Workspace {
        recipes: Some(&source),
        discover: Some(DISCOVER),
        entity_audit: Some(AUDIT),
        ..Workspace::default()
    });
    Checked { source, report }
}

impl Checked {
    fn find(&self, code: Code) -> Vec<&Diagnostic> {
        self.report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .collect()
    }
    /// Asserts a diagnostic with `code` whose span covers exactly `text`.
    fn expect(&self, code: Code, text: &str) -> &Diagnostic {
        let found = self.find(code);
        found
            .into_iter()
            .find(|d| &self.source[d.span.start..d.span.end] == text)
            .unwrap_or_else(|| panic!("no {code} on {text:?} in {:#?}", self.report.diagnostics))
    }
    fn expect_none(&self, code: Code) -> &Self {
        assert!(
            self.find(code).is_empty(),
            "unexpected {code}: {:#?}",
            self.find(code)
        );
        self
    }
    fn fixed(&self, diagnostic: &Diagnostic) -> String {
        diagnostic.fix.as_ref().map_or_else(
            || panic!("no fix on {diagnostic:?}"),
            |f| f.apply(&self.source),
        )
    }
}

const ORG: &str = r#""Organization":[{"_alias":"org","name":"Acme","slug":"acme-{{testRunId}}"}]"#;

fn user(alias: &str, org_ref: &str) -> String {
    format!(
        r#"{{"_alias":"{alias}","name":"U","email":"{alias}+{{{{testRunId}}}}@a.test","password":"p","organizationId":{{"_ref":"{org_ref}"}}}}"#
    )
}

#[test]
fn unknown_alias_suggests_the_closest() {
    let checked = check(&format!(r#"{{{ORG},"User":[{}]}}"#, user("olivia", "orgg")));
    let d = checked.expect(Code::RECIPE_UNKNOWN_ALIAS, "\"orgg\"");
    assert_eq!(d.help.as_deref(), Some("did you mean `org`?"));
}

#[test]
fn duplicate_alias_points_at_both() {
    let checked = check(&format!(
        r#"{{{ORG},"User":[{},{}]}}"#,
        user("u", "org"),
        user("u", "org")
    ));
    let found = checked.find(Code::RECIPE_DUPLICATE_ALIAS);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].labels.len(), 1);
    assert!(found[0].labels[0].span.start < found[0].span.start);
}

#[test]
fn records_must_reach_the_scope_entity() {
    let checked = check(&format!(r#"{{{ORG},"User":[{}]}}"#, user("olivia", "org")));
    checked
        .expect_none(Code::RECIPE_NOT_ROOTED)
        .expect_none(Code::RECIPE_UNKNOWN_ALIAS);
    let orphan = check(
        r#"{"Organization":[{"_alias":"org","name":"A","slug":"a"}],"Task":[{"title":"t","projectId":"p1","assigneeId":"u1"}]}"#,
    );
    orphan.expect(Code::RECIPE_NOT_ROOTED, "\"title\"");
    let no_scope = check(r#"{"Project":[{"name":"P","status":"ACTIVE","organizationId":"o"}]}"#);
    assert_eq!(
        no_scope.find(Code::RECIPE_NOT_ROOTED).len(),
        1,
        "one error: the recipe has no scope record"
    );
}

#[test]
fn dropped_nested_child_fix_flattens_it() {
    let checked = check(
        r#"{"Organization":[{"name":"Acme","slug":"a","projects":[{"name":"X","status":"ACTIVE"}]}]}"#,
    );
    let d = checked.expect(Code::RECIPE_DROPPED_NESTED_CHILD, "\"projects\"");
    let fixed = checked.fixed(d);
    let value: serde_json::Value = serde_json::from_str(&fixed).expect("valid JSON after the fix");
    let create = &value["recipes"][0]["create"];
    assert_eq!(create["Organization"][0]["_alias"], "organization");
    assert!(create["Organization"][0].get("projects").is_none());
    assert_eq!(
        create["Project"][0]["organizationId"]["_ref"],
        "organization"
    );
    assert_eq!(create["Project"][0]["name"], "X");
    let after = preflight(&Workspace {
        recipes: Some(&fixed),
        discover: Some(DISCOVER),
        ..Workspace::default()
    });
    assert_eq!(after.errors(), 0, "{:#?}", after.diagnostics);
}

#[test]
fn token_checks() {
    let checked = check_with(
        &format!(
            r#"{{{ORG},"User":[{{"_alias":"u","name":"{{{{index}}}}","email":"{{{{owner_emial}}}}","password":"p","organizationId":{{"_ref":"org"}}}}]}}"#
        ),
        Some(
            r#"{"owner_email":{"strategy":"derived","source":"testRunId","format":"o+{testRunId}@a.test"}}"#,
        ),
    );
    let index = checked.expect(Code::RECIPE_UNDECLARED_TOKEN, "{{index}}");
    assert!(
        index
            .help
            .as_deref()
            .is_some_and(|h| h.contains("only by the SDK"))
    );
    let typo = checked.expect(Code::RECIPE_UNDECLARED_TOKEN, "{{owner_emial}}");
    assert!(checked.fixed(typo).contains("{{owner_email}}"));
    checked.expect(Code::RECIPE_UNUSED_VARIABLE, "\"owner_email\"");
    let builtin = checked.expect(Code::RECIPE_UNDECLARED_TOKEN, "{{testRunId}}");
    assert_eq!(
        builtin.severity,
        scenario_lab_core::Severity::Warning,
        "only the plugin requires declaring built-ins"
    );
}

#[test]
fn variable_definitions() {
    let checked = check_with(
        &format!(
            r#"{{{ORG},"User":[{{"_alias":"u","name":"{{{{who}}}}","email":"{{{{mail}}}}","password":"{{{{pw}}}}","organizationId":{{"_ref":"org"}}}}]}}"#
        ),
        Some(
            r#"{"who":{"strategy":"faker","generator":"person.fullName"},"mail":{"strategy":"derived","source":"testRunId","format":"{env}-{testRunId}"},"pw":{"strategy":"literal","value":"TODO"},"testRunId":{"strategy":"derived","source":"testRunId","format":"{testRunId}"}}"#,
        ),
    );
    checked.expect(Code::RECIPE_UNKNOWN_FAKER, "\"person.fullName\"");
    checked.expect(Code::RECIPE_BAD_DERIVED_FORMAT, "\"{env}-{testRunId}\"");
    checked.expect(Code::RECIPE_PLACEHOLDER_VALUE, "\"TODO\"");
}

#[test]
fn fields_and_types() {
    let checked = check(&format!(
        r#"{{{ORG},"Project":[{{"name":42,"status":"ACTIVE","organizationId":{{"_ref":"org"}},"owner":"x"}}],"Projet":[]}}"#
    ));
    checked.expect(Code::RECIPE_TYPE_MISMATCH, "42");
    checked.expect(Code::RECIPE_UNKNOWN_FIELD, "\"owner\"");
    let model = checked.expect(Code::RECIPE_UNKNOWN_MODEL, "\"Projet\"");
    assert!(
        model
            .help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `Project`?"))
    );
    let missing = check(r#"{"Organization":[{"_alias":"org","name":"A"}]}"#);
    missing.expect(Code::RECIPE_MISSING_FIELD, "\"_alias\"");
}

#[test]
fn pure_dependents_have_no_factory() {
    let checked = check(&format!(
        r#"{{{ORG},"OnboardingChecklist":[{{"organizationId":{{"_ref":"org"}}}}]}}"#
    ));
    checked
        .expect(Code::AUDIT_FACTORY_MISSING, "\"OnboardingChecklist\"")
        .help
        .as_deref()
        .expect("help");
}

#[test]
fn a_ref_to_an_alias_in_nested_data_names_the_upload_gate() {
    let checked = check(
        r#"{"Organization":[{"_alias":"org","name":"A","slug":"a","settings":[{"inner":[{"_alias":"deep"}]}]}],
            "User":[{"name":"U","email":"u@x","password":"p","organizationId":{"_ref":"deep"}}]}"#,
    );
    let diagnostic = checked.expect(Code::RECIPE_UNKNOWN_ALIAS, "\"deep\"");
    let help = diagnostic.help.as_deref().unwrap_or_default();
    assert!(help.contains("upload gate"), "{help}");
    assert!(!help.contains("the endpoint does not register"), "{help}");
}

#[test]
fn a_recipe_without_the_scope_entity_suggests_the_scope_field_only_where_it_exists() {
    // Task has no organizationId: the help must not tell the user to add one.
    let checked =
        check(r#"{"Task":[{"title":"T","projectId":{"_ref":"p"},"assigneeId":{"_ref":"u"}}]}"#);
    let help = checked
        .find(Code::RECIPE_NOT_ROOTED)
        .iter()
        .find(|d| d.message.contains("creates no"))
        .and_then(|d| d.help.clone())
        .unwrap_or_else(|| panic!("{:#?}", checked.report.diagnostics));
    assert!(
        help.contains("through `_ref`s") && !help.contains("organizationId"),
        "{help}"
    );
}

#[test]
fn a_ref_of_a_record_without_alias_that_teardown_breaks_is_flagged_with_its_fix() {
    // Projects are first created before Tasks, so `down` deletes Task before Project; the
    // second project has no `_alias` and references a task, so nothing reorders that.
    let checked = check(
        r#"{"Organization":[{"_alias":"org","name":"A","slug":"a"}],
            "User":[{"_alias":"u","name":"U","email":"u@x","password":"p","organizationId":{"_ref":"org"}}],
            "Project":[{"_alias":"p1","name":"P","status":"ACTIVE","organizationId":{"_ref":"org"}},
                       {"name":"Q","status":"ACTIVE","organizationId":{"_ref":"org"},"leadTaskId":{"_ref":"t"}}],
            "Task":[{"_alias":"t","title":"T","projectId":{"_ref":"p1"},"assigneeId":{"_ref":"u"}}]}"#,
    );
    let diagnostic = checked.expect(Code::RECIPE_TEARDOWN_ORDER, "\"t\"");
    let fix = diagnostic.fix.clone().unwrap_or_else(|| panic!("a fix"));
    let fixed = fix.apply(&checked.source);
    assert!(fixed.contains("\"_alias\": \"project-2\""), "{fixed}");
    // The example recipes (Members without aliases) are torn down in a safe order.
    check(r#"{"Organization":[{"_alias":"org","name":"A","slug":"a"}],
              "User":[{"_alias":"u","name":"U","email":"u@x","password":"p","organizationId":{"_ref":"org"}}],
              "Member":[{"role":"OWNER","organizationId":{"_ref":"org"},"userId":{"_ref":"u"}}]}"#)
        .expect_none(Code::RECIPE_TEARDOWN_ORDER);
}

/// Scalar types follow the SDK discover names: zod (TypeScript) coerces nothing, Pydantic
/// (Python) takes numeric strings and yes/no.
#[test]
fn scalar_types_follow_the_sdk_that_answered_discover() {
    let discover = |language: &str| {
        format!(
            r#"{{"sdk":{{"language":"{language}"}},"schema":{{"models":[{{"name":"Clinic","fields":[{{"name":"id","type":"string","isRequired":false,"isId":true,"hasDefault":true}},{{"name":"slots","type":"number","isRequired":true,"isId":false,"hasDefault":false}},{{"name":"open","type":"boolean","isRequired":true,"isId":false,"hasDefault":false}}]}}],"edges":[],"relations":[],"scopeField":"clinicId"}}}}"#
        )
    };
    let recipes = recipes_with(r#"{"Clinic":[{"slots":"45","open":"no"}]}"#, None);
    let run = |language: &str| {
        let discover = discover(language);
        preflight(&Workspace {
            recipes: Some(&recipes),
            discover: Some(&discover),
            ..Workspace::default()
        })
        .diagnostics
        .into_iter()
        .filter(|d| d.code == Code::RECIPE_TYPE_MISMATCH)
        .map(|d| d.message)
        .collect::<Vec<_>>()
    };
    let typescript = run("typescript");
    assert_eq!(typescript.len(), 2, "{typescript:#?}");
    assert!(
        typescript
            .iter()
            .all(|m| m.contains("TypeScript SDK's zod")),
        "{typescript:#?}"
    );
    assert!(run("python").is_empty());
}
