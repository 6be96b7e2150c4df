//! Deterministic large workspaces for benchmarks and size tests (no randomness).

/// A valid recipes file in the reference example's domain with `projects` projects and four
/// tasks per project (plus one organization, user and member), pretty-printed like the examples.
pub fn large_recipes(projects: usize) -> String {
    let mut create = serde_json::Map::new();
    create.insert(
        "Organization".into(),
        serde_json::json!([{ "_alias": "org", "name": "Bulk Corp", "slug": "bulk-{{testRunId}}" }]),
    );
    create.insert(
        "User".into(),
        serde_json::json!([{ "_alias": "owner", "name": "Olivia Owner", "email": "owner+{{testRunId}}@bulk.test", "password": "Test1234!", "organizationId": { "_ref": "org" } }]),
    );
    create.insert(
        "Member".into(),
        serde_json::json!([{ "role": "OWNER", "organizationId": { "_ref": "org" }, "userId": { "_ref": "owner" } }]),
    );
    let statuses = ["ACTIVE", "PAUSED", "ARCHIVED", "DRAFT"];
    let priorities = ["LOW", "MEDIUM", "HIGH"];
    let project_list: Vec<serde_json::Value> = (1..=projects)
        .map(|i| serde_json::json!({ "_alias": format!("p{i}"), "name": format!("Project {i:04}"), "status": statuses[i % 4], "organizationId": { "_ref": "org" } }))
        .collect();
    let task_list: Vec<serde_json::Value> = (1..=projects)
        .flat_map(|i| {
            (1..=4).map(move |j| {
                serde_json::json!({ "title": format!("Task {i:04}-{j} for the quarterly planning board"), "priority": priorities[(i * 4 + j) % 3], "projectId": { "_ref": format!("p{i}") }, "assigneeId": { "_ref": "owner" } })
            })
        })
        .collect();
    create.insert("Project".into(), serde_json::Value::Array(project_list));
    create.insert("Task".into(), serde_json::Value::Array(task_list));
    let recipe = |name: &str, create: serde_json::Value| {
        serde_json::json!({
            "name": name,
            "description": format!("{name} scenario"),
            "create": create,
            "validation": { "status": "validated", "method": "endpoint-up-down", "phase": "ok", "up_ms": 1, "down_ms": 1 }
        })
    };
    let small = serde_json::json!({
        "Organization": [{ "_alias": "org", "name": "Small Co", "slug": "small-{{testRunId}}" }],
        "User": [{ "_alias": "owner", "name": "Olivia Owner", "email": "owner+{{testRunId}}@small.test", "password": "Test1234!", "organizationId": { "_ref": "org" } }]
    });
    let file = serde_json::json!({
        "version": 1,
        "source": { "discoverPath": "autonoma/discover.json", "scenariosPath": "autonoma/scenarios.md" },
        "validationMode": "endpoint-lifecycle",
        "recipes": [recipe("standard", small.clone()), recipe("empty", small), recipe("large", serde_json::Value::Object(create))]
    });
    serde_json::to_string_pretty(&file).unwrap_or_default()
}

/// [`large_recipes`] on one line (what `JSON.stringify` writes) with the assignee `_ref` of
/// every task misspelt: about 5 MB and 24,000 diagnostics on one line for 8,000 projects.
#[must_use]
pub fn minified_broken_recipes(projects: usize) -> String {
    let value: serde_json::Value =
        serde_json::from_str(&large_recipes(projects)).unwrap_or_default();
    value.to_string().replace(
        "\"assigneeId\":{\"_ref\":\"owner\"}",
        "\"assigneeId\":{\"_ref\":\"ownr\"}",
    )
}
