//! Component tests of the editor in headless Chromium: the example workspace, a dangling `_ref` found at its line and fixed in place, jumps, the overview, the graphs, offline status, stored edits and conflicts.

#![cfg(target_arch = "wasm32")]
// Offsets of small test texts become UTF-16 positions.
#![allow(clippy::cast_possible_truncation)]

use leptos::prelude::*;
use scenario_lab_core::FileKind;
use scenario_lab_web::Editor;
use scenario_lab_web::analysis::{self, Texts};
use scenario_lab_web::persistence::{self, Restore, StoredEdit};
use scenario_lab_web::proxy_client::{EventStream, Proxy};
use scenario_lab_web::state::EditorState;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn example() -> Texts {
    Texts::from([
        (
            FileKind::Scenarios,
            include_str!("../../examples/autonoma/scenarios.md").to_owned(),
        ),
        (
            FileKind::EntityAudit,
            include_str!("../../examples/autonoma/entity-audit.md").to_owned(),
        ),
        (
            FileKind::Discover,
            include_str!("../../examples/autonoma/discover.json").to_owned(),
        ),
        (
            FileKind::Recipes,
            include_str!("../../examples/autonoma/scenario-recipes.json").to_owned(),
        ),
    ])
}

/// Lets timers, effects and the renderer run.
async fn settle(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Mounts an offline editor (no proxy token) in a fresh container and loads `texts`.
async fn check(storage_key: &str, texts: Texts) -> (EditorState, web_sys::HtmlElement) {
    let document = web_sys::window()
        .expect("window")
        .document()
        .expect("document");
    let container: web_sys::HtmlElement = document
        .create_element("div")
        .expect("div")
        .dyn_into()
        .expect("html element");
    document
        .body()
        .expect("body")
        .append_child(&container)
        .expect("append");
    let state = EditorState::new(Proxy { token: None });
    state.storage_key.set(storage_key.to_owned());
    let handle =
        leptos::mount::mount_to(container.clone(), move || view! { <Editor state=state /> });
    std::mem::forget(handle);
    state.load_texts(texts, false);
    settle(20).await;
    (state, container)
}

fn query(root: &web_sys::HtmlElement, selector: &str) -> Option<web_sys::HtmlElement> {
    root.query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
}

fn count(root: &web_sys::HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector).map_or(0, |l| l.length())
}

fn textarea(root: &web_sys::HtmlElement) -> web_sys::HtmlTextAreaElement {
    root.query_selector("textarea.source")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into().ok())
        .expect("textarea")
}

/// Types into the textarea the way a user does: new value, then an `input` event.
fn type_text(root: &web_sys::HtmlElement, text: &str) {
    let area = textarea(root);
    area.set_value(text);
    let event = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .expect("event");
    area.dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn the_example_workspace_has_no_errors_and_shows_the_recipes_file() {
    let (state, root) = check("test-example", example()).await;
    assert_eq!(state.analysis.with_untracked(|a| a.errors), 0);
    let summary = query(&root, "[data-testid=diagnostics-summary]")
        .expect("summary")
        .inner_text();
    assert!(
        summary.contains("0 error(s)") || summary.contains("no problems"),
        "{summary}"
    );
    assert!(textarea(&root).value().contains("\"recipes\""));
    let lines = analysis::line_count(&example()[&FileKind::Recipes]);
    let numbers = query(&root, ".line-numbers").expect("gutter").inner_text();
    assert_eq!(numbers.lines().count(), lines);
}

#[wasm_bindgen_test]
async fn a_dangling_ref_is_marked_at_its_line_and_the_quick_fix_repairs_it() {
    let (state, root) = check("test-fix", example()).await;
    let original = example()[&FileKind::Recipes].clone();
    let broken = original.replacen("\"_ref\": \"olivia\"", "\"_ref\": \"olivai\"", 1);
    let expected_line = broken[..broken.find("olivai").expect("typo")]
        .matches('\n')
        .count()
        + 1;
    type_text(&root, &broken);
    settle(50).await;
    let item =
        query(&root, "li.diagnostic[data-code='recipe/unknown-alias']").expect("diagnostic shown");
    assert_eq!(
        item.get_attribute("data-line"),
        Some(expected_line.to_string())
    );
    assert!(
        item.inner_text()
            .contains(&format!("scenario-recipes.json:{expected_line}:"))
    );
    assert!(
        query(
            &root,
            &format!(".marker.error[data-line='{expected_line}']")
        )
        .is_some()
    );

    // Clicking the diagnostic selects the exact bytes of the `_ref` value.
    query(
        &root,
        "li.diagnostic[data-code='recipe/unknown-alias'] .jump",
    )
    .expect("jump")
    .click();
    settle(20).await;
    let area = textarea(&root);
    let selected = area
        .value()
        .chars()
        .skip(area.selection_start().ok().flatten().unwrap_or(0) as usize)
        .take(
            (area.selection_end().ok().flatten().unwrap_or(0)
                - area.selection_start().ok().flatten().unwrap_or(0)) as usize,
        )
        .collect::<String>();
    assert_eq!(selected, "\"olivai\"");

    query(
        &root,
        "li.diagnostic[data-code='recipe/unknown-alias'] .fix",
    )
    .expect("quick fix")
    .click();
    settle(50).await;
    assert!(query(&root, "li.diagnostic[data-code='recipe/unknown-alias']").is_none());
    assert_eq!(textarea(&root).value(), original);
    assert_eq!(state.analysis.with_untracked(|a| a.errors), 0);
}

#[wasm_bindgen_test]
async fn the_overview_lists_the_frontmatter_scenarios_with_their_recipes() {
    let (state, root) = check("test-overview", example()).await;
    state.tab.set(scenario_lab_web::state::Tab::Overview);
    settle(20).await;
    let (rows, _) = analysis::scenario_rows(&example());
    assert!(rows.len() >= 3);
    assert_eq!(count(&root, "table.scenarios tbody tr"), rows.len() as u32);
    for row in &rows {
        let tr = query(&root, &format!("tr[data-scenario='{}']", row.name)).expect("row");
        let text = tr.inner_text();
        assert!(text.contains("open recipe"), "{text}");
        for variable in &row.variables {
            assert!(text.contains(variable.as_str()), "{text}");
        }
        assert!(!text.contains("{{{"), "tokens are shown as written: {text}");
    }
}

#[wasm_bindgen_test]
async fn each_recipe_gets_a_tree_and_a_graph_in_creation_order() {
    let (state, root) = check("test-graph", example()).await;
    state.tab.set(scenario_lab_web::state::Tab::Graph);
    settle(20).await;
    let trees = analysis::recipe_trees(&example());
    assert_eq!(count(&root, "article.recipe-card"), trees.len() as u32);
    let first = &trees[0];
    let card = query(
        &root,
        &format!("article.recipe-card[data-recipe='{}']", first.name),
    )
    .expect("card");
    assert_eq!(count(&card, "svg.graph g.node"), first.records.len() as u32);
    let edges: usize = first.records.iter().map(|r| r.deps.len()).sum();
    assert_eq!(count(&card, "svg.graph path.edge"), edges as u32);
    // Every record waits only for records created before it.
    for record in &first.records {
        for &dep in &record.deps {
            assert!(first.records[dep].order < record.order);
        }
    }
}

#[wasm_bindgen_test]
async fn without_a_token_the_editor_says_it_is_offline() {
    let (state, root) = check("test-offline", example()).await;
    let status = query(&root, "[data-testid=proxy-status]")
        .expect("status")
        .inner_text();
    assert!(status.contains("offline"), "{status}");
    state.tab.set(scenario_lab_web::state::Tab::Lifecycle);
    settle(10).await;
    let offline = query(&root, ".lifecycle .offline")
        .expect("offline note")
        .inner_text();
    assert!(offline.contains("scenario-lab serve"), "{offline}");
}

#[wasm_bindgen_test]
async fn unsaved_edits_come_back_and_a_changed_disk_asks_first() {
    let disk = example();
    let recipes = disk[&FileKind::Recipes].clone();
    let edited = recipes.replacen("\"recipes\"", "\"recipes\" ", 1);
    // Same disk as when editing started: the edit is restored.
    assert_eq!(
        persistence::save(
            "test-restore",
            FileKind::Recipes,
            Some(&StoredEdit {
                text: edited.clone(),
                base: Some(persistence::fingerprint(&recipes)),
            }),
            |_| {},
        ),
        persistence::Saved::Stored
    );
    let (state, _) = check("test-restore", disk.clone()).await;
    assert_eq!(
        state
            .texts
            .with_untracked(|t| t[&FileKind::Recipes].clone()),
        edited
    );
    assert!(state.conflicts.with_untracked(Vec::is_empty));

    // The disk changed meanwhile: the editor keeps showing the edit, and asks.
    let mut changed = disk.clone();
    changed.insert(
        FileKind::Recipes,
        recipes.replacen("\"recipes\"", "\"recipes\"\t", 1),
    );
    let (state, root) = check("test-restore", changed.clone()).await;
    assert_eq!(
        state
            .texts
            .with_untracked(|t| t[&FileKind::Recipes].clone()),
        edited
    );
    assert!(query(&root, ".conflict[data-file='scenario-recipes.json']").is_some());
    // Typing during the conflict is kept, in the page and in the browser's storage.
    let typed = format!("{edited} ");
    state.edit(FileKind::Recipes, typed.clone());
    state.flush_unsaved();
    let stored = persistence::load("test-restore", FileKind::Recipes).expect("stored");
    assert_eq!(stored.text, typed);
    assert_eq!(
        stored.base,
        Some(persistence::fingerprint(&recipes)),
        "still the old base: a reload asks again"
    );
    let keep = query(&root, ".conflict button").expect("keep button");
    keep.click();
    settle(20).await;
    assert_eq!(
        state
            .texts
            .with_untracked(|t| t[&FileKind::Recipes].clone()),
        typed
    );
    assert!(query(&root, ".conflict").is_none());
}

#[wasm_bindgen_test]
fn restore_decides_between_disk_edit_and_conflict() {
    let edit = StoredEdit {
        text: "b".into(),
        base: Some(persistence::fingerprint("a")),
    };
    assert_eq!(persistence::restore(None, Some("a")), Restore::Disk);
    assert_eq!(
        persistence::restore(Some(&edit), Some("a")),
        Restore::Edit("b".into())
    );
    assert_eq!(persistence::restore(Some(&edit), Some("b")), Restore::Disk);
    assert_eq!(
        persistence::restore(Some(&edit), Some("c")),
        Restore::Conflict {
            edit: "b".into(),
            disk: "c".into()
        }
    );
}

#[wasm_bindgen_test]
fn server_sent_events_split_across_chunks() {
    let mut stream = EventStream::default();
    assert!(stream.push(b"event: progress\ndata: one").is_empty());
    let events = stream.push(b"\n\nevent: report\ndata: {\"exitCode\":0}\n\n");
    assert_eq!(
        events,
        vec![
            ("progress".to_owned(), "one".to_owned()),
            ("report".to_owned(), "{\"exitCode\":0}".to_owned())
        ]
    );
}

#[wasm_bindgen_test]
async fn a_label_jumps_to_the_related_place() {
    let (_, root) = check("test-label", example()).await;
    let original = example()[&FileKind::Recipes].clone();
    let first = original.find("\"_alias\": \"org\"").expect("org alias") + "\"_alias\": ".len();
    let first_line = original[..first].matches('\n').count() + 1;
    type_text(
        &root,
        &original.replacen("\"_alias\": \"web\"", "\"_alias\": \"org\"", 1),
    );
    settle(50).await;
    let item =
        query(&root, "li.diagnostic[data-code='recipe/duplicate-alias']").expect("duplicate alias");
    let label = query(&item, ".label button").expect("label link");
    assert_eq!(
        label.inner_text(),
        format!("scenario-recipes.json:{first_line}")
    );
    label.click();
    settle(20).await;
    let area = textarea(&root);
    let start = area.selection_start().ok().flatten().unwrap_or(0);
    assert_eq!(start as usize, original[..first].encode_utf16().count());
}

fn key(root: &web_sys::HtmlElement, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("keydown");
    textarea(root).dispatch_event(&event).expect("dispatch");
}

#[wasm_bindgen_test]
async fn f8_walks_the_problems_and_fix_all_repairs_them() {
    let (state, root) = check("test-fix-all", example()).await;
    let original = example()[&FileKind::Recipes].clone();
    let broken = original.replace("\"_ref\": \"olivia\"", "\"_ref\": \"olivai\"");
    type_text(&root, &broken);
    settle(50).await;
    let starts: Vec<usize> = broken.match_indices("\"olivai\"").map(|(i, _)| i).collect();
    assert!(
        starts.len() >= 2,
        "the example refers to olivia more than once"
    );
    assert_eq!(
        count(&root, "li.diagnostic[data-code='recipe/unknown-alias']"),
        starts.len() as u32
    );

    let area = textarea(&root);
    let _ = area.focus();
    let _ = area.set_selection_range(0, 0);
    for &start in &starts[..2] {
        key(&root, "F8");
        settle(20).await;
        let caret = area.selection_start().ok().flatten().unwrap_or(0) as usize;
        assert_eq!(caret, broken[..start].encode_utf16().count());
    }

    query(&root, "button[data-action=fix-all]")
        .expect("fix all")
        .click();
    settle(50).await;
    assert_eq!(textarea(&root).value(), original);
    assert_eq!(state.analysis.with_untracked(|a| a.errors), 0);
}
