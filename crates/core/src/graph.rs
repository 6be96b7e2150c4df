//! The `_alias`/`_ref` dependency graph: creation order (Kahn, payload order breaks ties) and cycles.

use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What the graph needs to know of one record, in payload order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordLinks<'a> {
    /// The record's model.
    pub model: &'a str,
    /// Its `_alias`, if any.
    pub alias: Option<&'a str>,
    /// Aliases this record references, in the order found.
    pub refs: Vec<&'a str>,
    /// The record this one is nested under (legacy nested trees only).
    pub parent: Option<usize>,
}

/// Dependencies resolved to record indices.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// `deps[i]`: records that must exist before record `i` (deduplicated, no self edges).
    pub deps: Vec<Vec<usize>>,
    /// Records in creation order; shorter than the record count when there is a cycle.
    pub order: Vec<usize>,
}

impl Graph {
    /// Builds the graph; refs to unknown aliases are ignored (reported by the checks).
    /// Aliases map to their first declaration.
    pub fn build(records: &[RecordLinks<'_>]) -> Graph {
        let mut alias_index: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, record) in records.iter().enumerate() {
            if let Some(alias) = record.alias {
                alias_index.entry(alias).or_insert(i);
            }
        }
        let mut deps: Vec<Vec<usize>> = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            let targets = record
                .refs
                .iter()
                .filter_map(|alias| alias_index.get(alias).copied());
            let mine = dependencies(i, record.parent.into_iter().chain(targets));
            deps.push(mine);
        }
        Graph::from_deps(deps)
    }

    /// Builds the graph from dependencies already resolved to record indices.
    pub fn from_deps(deps: Vec<Vec<usize>>) -> Graph {
        let order = kahn(&deps);
        Graph { deps, order }
    }

    /// Whether some records could not be ordered.
    pub fn has_cycle(&self) -> bool {
        self.order.len() != self.deps.len()
    }

    /// Records left unordered by Kahn's algorithm (on or behind a cycle), in payload order.
    pub fn unordered(&self) -> Vec<usize> {
        let mut placed = vec![false; self.deps.len()];
        for &i in &self.order {
            placed[i] = true;
        }
        (0..self.deps.len()).filter(|&i| !placed[i]).collect()
    }

    /// One cycle as a path of record indices `a -> b -> ... -> a` (first element repeated at the
    /// end), starting from the earliest record on a cycle.
    pub fn find_cycle(&self) -> Option<Vec<usize>> {
        let unordered = self.unordered();
        let in_rest = |i: usize| unordered.binary_search(&i).is_ok();
        for &start in &unordered {
            // Walk dependencies inside the unordered set until a record repeats.
            let mut path = vec![start];
            let mut current = start;
            while let Some(&next) = self.deps[current].iter().find(|&&d| in_rest(d)) {
                if let Some(pos) = path.iter().position(|&p| p == next) {
                    let mut cycle = path[pos..].to_vec();
                    cycle.push(next);
                    return Some(cycle);
                }
                path.push(next);
                current = next;
            }
        }
        None
    }

    /// For each record, whether it is a target or depends (transitively) on one. Records on a
    /// cycle count only when they are targets themselves.
    pub fn reaches(&self, targets: &[bool]) -> Vec<bool> {
        let mut reach: Vec<bool> = (0..self.deps.len())
            .map(|i| targets.get(i).copied().unwrap_or(false))
            .collect();
        for &i in &self.order {
            if !reach[i] {
                reach[i] = self.deps[i].iter().any(|&d| reach[d]);
            }
        }
        reach
    }
}

/// Record `i`'s dependencies: deduplicated, without itself.
pub fn dependencies(i: usize, targets: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut mine: Vec<usize> = Vec::new();
    for target in targets {
        if target != i && !mine.contains(&target) {
            mine.push(target);
        }
    }
    mine
}

fn kahn(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut in_degree = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, mine) in deps.iter().enumerate() {
        in_degree[i] = mine.len();
        for &d in mine {
            dependents[d].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| in_degree[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &next in &dependents[i] {
            in_degree[next] -= 1;
            if in_degree[next] == 0 {
                ready.push(Reverse(next));
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links<'a>(model: &'a str, alias: Option<&'a str>, refs: &[&'a str]) -> RecordLinks<'a> {
        RecordLinks {
            model,
            alias,
            refs: refs.to_vec(),
            parent: None,
        }
    }

    #[test]
    fn payload_order_breaks_ties() {
        let records = [
            links("Project", None, &["org"]),
            links("Organization", Some("org"), &[]),
        ];
        let graph = Graph::build(&records);
        assert_eq!(graph.order, [1, 0]);
    }

    #[test]
    fn finds_a_cycle_path() {
        let records = [
            links("A", Some("a"), &["b"]),
            links("B", Some("b"), &["a"]),
            links("C", None, &["a"]),
        ];
        let graph = Graph::build(&records);
        assert!(graph.has_cycle());
        assert_eq!(graph.unordered(), [0, 1, 2]);
        assert_eq!(graph.find_cycle(), Some(vec![0, 1, 0]));
    }

    #[test]
    fn self_references_are_ignored() {
        let graph = Graph::build(&[links("A", Some("a"), &["a"])]);
        assert!(!graph.has_cycle());
    }
}
