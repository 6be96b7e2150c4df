//! "Did you mean" suggestions: the closest known name to a misspelt one.

/// How close (Jaro-Winkler) a candidate must be to count as a likely typo.
const CLOSE: f64 = 0.85;

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    closest(
        name,
        &lower,
        candidates.into_iter().map(|c| (c, c.to_ascii_lowercase())),
    )
}

fn closest<'a, L: AsRef<str>>(
    name: &str,
    lower: &str,
    candidates: impl Iterator<Item = (&'a str, L)>,
) -> Option<&'a str> {
    candidates
        .filter(|(c, _)| *c != name)
        .map(|(c, l)| (c, strsim::jaro_winkler(lower, l.as_ref())))
        .filter(|(c, score)| *score >= CLOSE || c.eq_ignore_ascii_case(name))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c)
}

/// `help` text suggesting the nearest candidate, or listing what is known.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    match nearest(name, candidates.clone()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => known_list(candidates, what),
    }
}

/// "known aliases: `a`, `b`, ..." (the first 12), or "no alias is declared".
fn known_list<'a>(candidates: impl IntoIterator<Item = &'a str>, what: &str) -> String {
    let known: Vec<String> = candidates
        .into_iter()
        .take(12)
        .map(|c| format!("`{c}`"))
        .collect();
    if known.is_empty() {
        format!("no {what} is declared")
    } else {
        let plural = if what.ends_with('s') { "es" } else { "s" };
        format!("known {what}{plural}: {}", known.join(", "))
    }
}

/// Many look-ups against one candidate list (the aliases of a large recipe): the candidates are
/// lowercased once and each distinct name is compared once, however often it is misspelt.
#[derive(Debug)]
pub struct Suggester<'a> {
    candidates: Vec<(&'a str, String)>,
    cache: rustc_hash::FxHashMap<&'a str, Option<&'a str>>,
}

impl<'a> Suggester<'a> {
    /// Prepares `candidates`.
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Self {
        Suggester {
            candidates: candidates
                .into_iter()
                .map(|c| (c, c.to_ascii_lowercase()))
                .collect(),
            cache: rustc_hash::FxHashMap::default(),
        }
    }

    /// [`nearest`], remembered per name.
    pub fn nearest(&mut self, name: &'a str) -> Option<&'a str> {
        if let Some(found) = self.cache.get(name) {
            return *found;
        }
        let lower = name.to_ascii_lowercase();
        let found = closest(
            name,
            &lower,
            self.candidates.iter().map(|(c, l)| (*c, l.as_str())),
        );
        self.cache.insert(name, found);
        found
    }

    /// [`did_you_mean`], remembered per name.
    pub fn did_you_mean(&mut self, name: &'a str, what: &str) -> String {
        match self.nearest(name) {
            Some(best) => format!("did you mean `{best}`?"),
            None => known_list(self.candidates.iter().map(|(c, _)| *c), what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(nearest("orgg", ["org", "olivia"]), Some("org"));
        assert_eq!(nearest("zzz", ["org", "olivia"]), None);
        assert_eq!(
            nearest("organization", ["Organization"]),
            Some("Organization")
        );
        let mut suggester = Suggester::new(["org", "olivia"]);
        assert_eq!(suggester.nearest("orgg"), Some("org"));
        assert_eq!(
            suggester.did_you_mean("zzz", "alias"),
            "known aliases: `org`, `olivia`"
        );
        assert_eq!(
            Suggester::new([]).did_you_mean("x", "alias"),
            "no alias is declared"
        );
    }
}
