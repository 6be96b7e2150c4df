//! The scenarios overview: `scenarios.md`'s frontmatter as a table, each row linked to its recipe.

use crate::analysis::{self, recipe_offset};
use crate::state::{EditorState, Tab};
use leptos::prelude::*;
use scenario_lab_core::FileKind;

#[component]
pub fn Overview() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let table = state.tab_view(Tab::Overview, analysis::scenario_rows);
    let open_recipe = move |name: String| {
        let offset = state.texts.with_untracked(|t| recipe_offset(t, &name));
        match offset {
            Some(offset) => state.go_to(FileKind::Recipes, offset, offset),
            None => state.notice.set(Some(format!(
                "scenario-recipes.json has no recipe named `{name}`"
            ))),
        }
    };
    view! {
        <section class="overview">
            <h2>"Scenarios"</h2>
            {move || {
                let (rows, entity_types) = table.get();
                if rows.is_empty() {
                    return view! { <p class="empty">"No scenarios: open a workspace with a scenarios.md whose frontmatter lists them."</p> }.into_any();
                }
                view! {
                    <table class="scenarios">
                        <thead><tr>
                            <th>"Scenario"</th><th>"Description"</th><th>"Entity types"</th>
                            <th>"Entities"</th><th>"Variable fields"</th><th>"Recipe"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|row| {
                                let name = row.name.clone();
                                view! {
                                    <tr data-scenario=row.name.clone()>
                                        <td><strong>{row.name.clone()}</strong></td>
                                        <td>{row.description.clone()}</td>
                                        <td class="num">{row.entity_types.map(|n| n.to_string()).unwrap_or_default()}</td>
                                        <td class="num">{row.total_entities.map(|n| n.to_string()).unwrap_or_default()}</td>
                                        <td>{row.variables.iter().map(|v| view! { <code>{v.clone()}</code>" " }).collect_view()}</td>
                                        <td>{if row.has_recipe {
                                            view! { <button class="link" on:click=move |_| open_recipe(name.clone())>"open recipe"</button> }.into_any()
                                        } else {
                                            view! { <span class="missing">"no recipe"</span> }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="entity-types">"Entity types: " {entity_types.join(", ")}</p>
                }.into_any()
            }}
        </section>
    }
}
