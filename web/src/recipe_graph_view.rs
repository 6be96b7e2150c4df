//! Each recipe as a tree of records and as an SVG picture of its `_alias`/`_ref` dependencies, numbered in creation order.

use crate::analysis::{self, RecipeTree};
use crate::state::{EditorState, Tab};
use leptos::prelude::*;
use scenario_lab_core::FileKind;

/// Recipes with more records than this get the tree only (a picture would be unreadable).
const MAX_DRAWN: usize = 150;
/// Longer trees start folded.
const OPEN_TREE_UP_TO: usize = 60;
const NODE_W: f64 = 170.0;
const NODE_H: f64 = 34.0;
const GAP_X: f64 = 60.0;
const GAP_Y: f64 = 14.0;

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
fn RecipeCard(tree: RecipeTree) -> impl IntoView {
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
    let picture = (records.len() <= MAX_DRAWN).then(|| graph_svg(&tree));
    view! {
        <article class="recipe-card" data-recipe=tree.name.clone()>
            <h3>{tree.name.clone()}{tree.has_cycle.then_some(" (cycle: the endpoint refuses it)")}</h3>
            <p>{tree.description.clone()}</p>
            <div class="recipe-views">
                <details class="tree" open=records.len() <= OPEN_TREE_UP_TO>
                    <summary>{format!("{} records in creation order", records.len())}</summary>
                    <ol class="tree">{tree_rows}</ol>
                </details>
                {picture.unwrap_or_else(|| view! { <p>"Too many records to draw; the tree lists them all."</p> }.into_any())}
            </div>
        </article>
    }
}

fn graph_svg(tree: &RecipeTree) -> AnyView {
    let layout = analysis::graph_layout(tree);
    let columns = layout.iter().map(|p| p.0 + 1).max().unwrap_or(1);
    let rows = layout.iter().map(|p| p.1 + 1).max().unwrap_or(1);
    let width = columns as f64 * (NODE_W + GAP_X);
    let height = rows as f64 * (NODE_H + GAP_Y) + GAP_Y;
    let at = |i: usize| {
        let (column, row) = layout[i];
        (
            column as f64 * (NODE_W + GAP_X) + 4.0,
            row as f64 * (NODE_H + GAP_Y) + GAP_Y,
        )
    };
    let edges = tree
        .records
        .iter()
        .enumerate()
        .flat_map(|(i, record)| record.deps.iter().map(move |&d| (d, i)))
        .filter(|(d, i)| *d < layout.len() && *i < layout.len())
        .map(|(from, to)| {
            let (x1, y1) = at(from);
            let (x2, y2) = at(to);
            let path = format!(
                "M{:.0},{:.0} C{:.0},{:.0} {:.0},{:.0} {:.0},{:.0}",
                x1 + NODE_W,
                y1 + NODE_H / 2.0,
                x1 + NODE_W + GAP_X / 2.0,
                y1 + NODE_H / 2.0,
                x2 - GAP_X / 2.0,
                y2 + NODE_H / 2.0,
                x2,
                y2 + NODE_H / 2.0
            );
            view! { <path d=path class="edge" marker-end="url(#arrow)"></path> }
        })
        .collect_view();
    let nodes = tree
        .records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let (x, y) = at(i);
            let label = match &record.alias {
                Some(alias) => format!("{} \"{alias}\"", record.model),
                None => record.model.clone(),
            };
            let order = record.order.map_or("∞".to_owned(), |o| o.to_string());
            let class = if record.order.is_none() {
                "node cycle"
            } else {
                "node"
            };
            view! {
                <g class=class>
                    <rect x=x y=y width=NODE_W height=NODE_H rx="5"></rect>
                    <text x=x + 8.0 y=y + 22.0 class="order">{order}</text>
                    <text x=x + 30.0 y=y + 22.0>{label}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="graph" width=width height=height viewBox=format!("0 0 {width} {height}") role="img"
            aria-label=format!("dependency graph of {}", tree.name)>
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z"></path>
                </marker>
            </defs>
            {edges}
            {nodes}
        </svg>
    }
    .into_any()
}
