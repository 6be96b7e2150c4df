//! Each recipe as a tree of records and as an SVG picture of its `_alias`/`_ref` dependencies, numbered in creation order.

use crate::analysis;
use crate::state::{EditorState, Tab};
use leptos::prelude::*;
use scenario_lab_core::FileKind;
use scenario_lab_core::recipe_picture::{self, RecipePicture};

/// Longer trees start folded.
const OPEN_TREE_UP_TO: usize = 60;

#[component]
pub fn RecipeGraphs() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let trees = state.tab_view(Tab::Graph, analysis::recipe_trees);
    view! {
        <section class="graphs">
            {move || {
                let trees = trees.get();
                if trees.is_empty() {
                    return view! { <p class="empty">"No recipes to draw: scenario-recipes.json is missing or does not parse."</p> }.into_any();
                }
                trees.into_iter().map(|tree| view! { <RecipeCard tree=tree /> }).collect_view().into_any()
            }}
        </section>
    }
}

#[component]
fn RecipeCard(tree: RecipePicture) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let records = tree.records.clone();
    let tree_rows = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let offset = r.offset;
            let order = r.order.map_or("cycle".to_owned(), |o| format!("#{o}"));
            let alias = r.alias.clone().map(|a| format!(" _alias \"{a}\"")).unwrap_or_default();
            let refs = if r.refs.is_empty() {
                String::new()
            } else {
                format!(" → {}", r.refs.join(", "))
            };
            view! {
                <li style:padding-left=format!("{}em", r.depth * 2) data-record=i>
                    <button class="link" on:click=move |_| state.go_to(FileKind::Recipes, offset, offset)>
                        <span class="order">{order}</span>" "<strong>{r.model.clone()}</strong>{alias}
                        <span class="refs">{refs}</span>
                        <span class="fields">{format!(" ({} fields)", r.fields)}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
    let picture = graph_svg(&tree);
    view! {
        <article class="recipe-card" data-recipe=tree.name.clone()>
            <h3>{tree.name.clone()}{tree.has_cycle.then_some(" (cycle: the endpoint refuses it)")}</h3>
            <p>{tree.description.clone()}</p>
            <div class="recipe-views">
                <details class="tree" open=records.len() <= OPEN_TREE_UP_TO>
                    <summary>{format!("{} records in creation order", records.len())}</summary>
                    <ol class="tree">{tree_rows}</ol>
                </details>
                {picture}
            </div>
        </article>
    }
}

/// The core's picture of the recipe (the HTML report draws the same one).
fn graph_svg(tree: &RecipePicture) -> AnyView {
    view! { <div class="graph-picture" inner_html=recipe_picture::svg(tree)></div> }.into_any()
}
