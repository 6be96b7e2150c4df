//! "Did you mean" suggestions: the closest known name to a misspelt one.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (c, strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())))
        .filter(|(c, score)| *score >= 0.85 || c.eq_ignore_ascii_case(name))
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
        None => {
            let known: Vec<String> = candidates
                .into_iter()
                .take(12)
                .map(|c| format!("`{c}`"))
                .collect();
            if known.is_empty() {
                format!("no {what} is declared")
            } else {
                format!("known {what}s: {}", known.join(", "))
            }
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
    }
}
