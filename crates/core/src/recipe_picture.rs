//! Each recipe as the endpoint sees it, for people: its records in creation order, their
//! `_alias`/`_ref` dependencies laid out in columns, and the SVG picture of that graph (the
//! editor's Graph tab and the HTML report draw the same picture). Recipes too large to draw are
//! summarised per model.

use crate::diagnostic::FileKind;
use crate::discover::Discover;
use crate::json;
use crate::recipes::{self, CreateGraph};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Grid coordinates (at most a few hundred) as pixels.
fn px(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Recipes with more records than this are drawn per model instead of per record.
pub const MAX_DRAWN: usize = 150;
const NODE_W: f64 = 170.0;
const NODE_H: f64 = 34.0;
const GAP_X: f64 = 60.0;
const GAP_Y: f64 = 14.0;

/// One record of a recipe's `create` map.
#[derive(Clone, Debug, PartialEq)]
pub struct PictureRecord {
    /// Its model.
    pub model: String,
    /// Its `_alias`, if any.
    pub alias: Option<String>,
    /// The aliases it references.
    pub refs: Vec<String>,
    /// The references no record of the recipe declares.
    pub unresolved: Vec<String>,
    /// The nesting parent (legacy nested children).
    pub parent: Option<usize>,
    /// Nesting depth.
    pub depth: usize,
    /// Position in the endpoint's creation order (1-based); `None` inside a cycle.
    pub order: Option<usize>,
    /// Indices of the records it waits for.
    pub deps: Vec<usize>,
    /// Byte offset of the record in the recipes file.
    pub offset: usize,
    /// Fields written (reserved keys aside).
    pub fields: usize,
}

/// One recipe and its records.
#[derive(Clone, Debug, PartialEq)]
pub struct RecipePicture {
    /// The recipe's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Its records in payload order.
    pub records: Vec<PictureRecord>,
    /// Whether a cycle makes the endpoint refuse it.
    pub has_cycle: bool,
}

/// The recipes of a recipes file (none when it does not parse).
pub fn recipe_pictures(recipes_text: &str, discover: Option<&Discover>) -> Vec<RecipePicture> {
    let parsed = json::parse(FileKind::Recipes, recipes_text);
    let Some(root) = parsed.value.as_ref() else {
        return Vec::new();
    };
    recipes::recipes(root)
        .iter()
        .map(|recipe| {
            let graph = recipe
                .create
                .map(|c| CreateGraph::build(c, discover))
                .unwrap_or_default();
            RecipePicture {
                name: recipe.name.unwrap_or_default().to_owned(),
                description: recipe
                    .node
                    .get("description")
                    .and_then(json::Node::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                has_cycle: graph.graph.has_cycle(),
                records: picture_records(&graph),
            }
        })
        .collect()
}

fn picture_records(graph: &CreateGraph<'_>) -> Vec<PictureRecord> {
    let mut order = vec![None; graph.records.len()];
    for (position, &i) in graph.graph.order.iter().enumerate() {
        order[i] = Some(position + 1);
    }
    let mut depth = vec![0; graph.records.len()];
    let mut out = Vec::with_capacity(graph.records.len());
    for (i, record) in graph.records.iter().enumerate() {
        depth[i] = record.parent.map_or(0, |p| depth[p] + 1);
        let refs: Vec<String> = record.refs.iter().map(|(a, _)| (*a).to_owned()).collect();
        out.push(PictureRecord {
            model: record.model.to_owned(),
            alias: record.alias.map(|(a, _)| a.to_owned()),
            unresolved: refs
                .iter()
                .filter(|a| !graph.aliases.contains_key(a.as_str()))
                .cloned()
                .collect(),
            refs,
            parent: record.parent,
            depth: depth[i],
            order: order[i],
            deps: graph.graph.deps[i].clone(),
            offset: record.node.span.start,
            fields: record
                .node
                .as_object()
                .map_or(0, |m| m.iter().filter(|m| !m.key.starts_with('_')).count()),
        });
    }
    out
}

/// Where each record sits: column = longest dependency chain before it, row = creation order
/// within the column.
pub fn layout(picture: &RecipePicture) -> Vec<(usize, usize)> {
    let n = picture.records.len();
    let mut layer = vec![0usize; n];
    // Relax along dependencies; a cycle stops after n rounds.
    for _ in 0..n {
        let mut changed = false;
        for i in 0..n {
            for &d in &picture.records[i].deps {
                if d < n && layer[i] < layer[d] + 1 && layer[d] < n {
                    layer[i] = layer[d] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut rows_used: BTreeMap<usize, usize> = BTreeMap::new();
    let mut by_order: Vec<usize> = (0..n).collect();
    by_order.sort_by_key(|&i| (picture.records[i].order.unwrap_or(usize::MAX), i));
    let mut position = vec![(0, 0); n];
    for i in by_order {
        let row = rows_used.entry(layer[i]).or_default();
        position[i] = (layer[i], *row);
        *row += 1;
    }
    position
}

/// Records and the edges between them, per model (what a recipe too large to draw becomes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelSummary {
    /// Records per model, in first-appearance order.
    pub models: Vec<(String, usize)>,
    /// `(from model, to model) -> references`, the referencing model first.
    pub edges: BTreeMap<(String, String), usize>,
}

/// The per-model summary of a recipe.
pub fn model_summary(picture: &RecipePicture) -> ModelSummary {
    let mut summary = ModelSummary::default();
    for record in &picture.records {
        match summary.models.iter_mut().find(|(m, _)| *m == record.model) {
            Some((_, n)) => *n += 1,
            None => summary.models.push((record.model.clone(), 1)),
        }
        for &d in &record.deps {
            if let Some(target) = picture.records.get(d) {
                *summary
                    .edges
                    .entry((record.model.clone(), target.model.clone()))
                    .or_default() += 1;
            }
        }
    }
    summary
}

/// The recipe as an SVG picture: per record, or per model when it has more than
/// [`MAX_DRAWN`] records. Edges run in the gaps between nodes, never under them.
pub fn svg(picture: &RecipePicture) -> String {
    if picture.records.len() > MAX_DRAWN {
        return svg(&summary_picture(picture));
    }
    let positions = layout(picture);
    let at = |i: usize| {
        let (column, row) = positions[i];
        (
            px(column) * (NODE_W + GAP_X) + 4.0,
            px(row) * (NODE_H + GAP_Y) + GAP_Y,
        )
    };
    let columns = positions.iter().map(|p| p.0 + 1).max().unwrap_or(1);
    let rows = positions.iter().map(|p| p.1 + 1).max().unwrap_or(1);
    let width = px(columns) * (NODE_W + GAP_X);
    let height = px(rows) * (NODE_H + GAP_Y) + GAP_Y;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="dependency graph of {}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>"#,
        escape(&picture.name)
    );
    for (i, record) in picture.records.iter().enumerate() {
        for &d in record.deps.iter().filter(|&&d| d < positions.len()) {
            let _ = write!(
                out,
                r#"<path class="edge" d="{}" marker-end="url(#arrow)"></path>"#,
                route(at(d), at(i))
            );
        }
    }
    for (i, record) in picture.records.iter().enumerate() {
        node(&mut out, record, at(i));
    }
    out.push_str("</svg>");
    out
}

/// An orthogonal path from the right side of `from` to the left side of `to`, through the gap
/// column after `from`, the gap row above `to` and the gap column before `to`.
fn route(from: (f64, f64), to: (f64, f64)) -> String {
    let (start_x, start_y) = (from.0 + NODE_W, from.1 + NODE_H / 2.0);
    let (end_x, end_y) = (to.0, to.1 + NODE_H / 2.0);
    let out_x = start_x + GAP_X / 2.0;
    let in_x = end_x - GAP_X / 2.0;
    if (in_x - out_x).abs() < 1.0 {
        return format!("M{start_x:.0},{start_y:.0} H{out_x:.0} V{end_y:.0} H{end_x:.0}");
    }
    let lane = to.1 - GAP_Y / 2.0;
    format!("M{start_x:.0},{start_y:.0} H{out_x:.0} V{lane:.0} H{in_x:.0} V{end_y:.0} H{end_x:.0}")
}

fn node(out: &mut String, record: &PictureRecord, (x, y): (f64, f64)) {
    let label = match &record.alias {
        Some(alias) => format!("{} \"{alias}\"", record.model),
        None => record.model.clone(),
    };
    let order = record.order.map_or("∞".to_owned(), |o| o.to_string());
    let class = match (record.order, record.unresolved.is_empty()) {
        (None, _) => "node cycle",
        (_, false) => "node unresolved",
        _ => "node",
    };
    let title = if record.unresolved.is_empty() {
        String::new()
    } else {
        format!(
            "<title>unresolved _ref: {}</title>",
            escape(&record.unresolved.join(", "))
        )
    };
    let _ = write!(
        out,
        r#"<g class="{class}">{title}<rect x="{x:.0}" y="{y:.0}" width="{NODE_W:.0}" height="{NODE_H:.0}" rx="5"></rect><text x="{:.0}" y="{:.0}" class="order">{order}</text><text x="{:.0}" y="{:.0}">{}{}</text></g>"#,
        x + 8.0,
        y + 22.0,
        x + 30.0,
        y + 22.0,
        escape(&label),
        if record.unresolved.is_empty() {
            ""
        } else {
            " ?"
        }
    );
}

/// A recipe whose records are its models (with counts), linked by the references between them.
fn summary_picture(picture: &RecipePicture) -> RecipePicture {
    let summary = model_summary(picture);
    let index = |model: &str| summary.models.iter().position(|(m, _)| m == model);
    let records = summary
        .models
        .iter()
        .enumerate()
        .map(|(i, (model, count))| PictureRecord {
            model: format!("{model} ×{count}"),
            alias: None,
            refs: Vec::new(),
            unresolved: Vec::new(),
            parent: None,
            depth: 0,
            order: Some(i + 1),
            deps: summary
                .edges
                .keys()
                .filter(|(from, to)| from == model && from != to)
                .filter_map(|(_, to)| index(to))
                .collect(),
            offset: 0,
            fields: 0,
        })
        .collect();
    RecipePicture {
        name: format!("{} (per model)", picture.name),
        description: picture.description.clone(),
        records,
        has_cycle: picture.has_cycle,
    }
}

/// Text for SVG and HTML: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture(create: &str) -> RecipePicture {
        let text = format!(r#"{{"recipes":[{{"name":"r<1>","create":{create}}}]}}"#);
        recipe_pictures(&text, None).remove(0)
    }

    #[test]
    fn records_are_ordered_laid_out_and_drawn_escaped() {
        let p = picture(
            r#"{"Task":[{"projectId":{"_ref":"p"}}],"Project":[{"_alias":"p","organizationId":{"_ref":"o"}}],"Organization":[{"_alias":"o"}]}"#,
        );
        assert_eq!(p.records[0].order, Some(3));
        assert_eq!(layout(&p), vec![(2, 0), (1, 0), (0, 0)]);
        let drawn = svg(&p);
        assert!(
            drawn.contains("r&lt;1&gt;") && drawn.matches("class=\"edge\"").count() == 2,
            "{drawn}"
        );
    }

    #[test]
    fn unresolved_refs_are_flagged_and_large_recipes_summarised() {
        let p = picture(r#"{"User":[{"organizationId":{"_ref":"nope"}}]}"#);
        assert_eq!(p.records[0].unresolved, ["nope"]);
        assert!(svg(&p).contains("node unresolved"));
        let tasks = (0..200)
            .map(|_| r#"{"projectId":{"_ref":"p"}}"#)
            .collect::<Vec<_>>()
            .join(",");
        let big = picture(&format!(
            r#"{{"Project":[{{"_alias":"p"}}],"Task":[{tasks}]}}"#
        ));
        let summary = model_summary(&big);
        assert_eq!(
            summary.models,
            [("Project".to_owned(), 1), ("Task".to_owned(), 200)]
        );
        assert_eq!(
            summary.edges[&("Task".to_owned(), "Project".to_owned())],
            200
        );
        assert!(svg(&big).contains("Task ×200"));
    }
}
