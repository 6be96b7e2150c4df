//! What counts as a placeholder value left for a human to fill in (`TODO`, `<email>`, `{name}`),
//! shared by the field and the token checks.

/// A value that is obviously a placeholder left for a human to fill in.
pub fn placeholder_reason(value: &str) -> Option<&'static str> {
    let trimmed = value.trim();
    if trimmed.len() > 16 && !trimmed.starts_with(['<', '{']) {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    if [
        "todo",
        "tbd",
        "fixme",
        "changeme",
        "change-me",
        "change_me",
        "placeholder",
        "xxx",
        "lorem ipsum",
        "your-value-here",
    ]
    .contains(&lower.as_str())
    {
        return Some("a placeholder word");
    }
    if trimmed.len() > 2
        && trimmed.starts_with('<')
        && trimmed.ends_with('>')
        && !trimmed[1..trimmed.len() - 1].contains(['<', '>'])
    {
        return Some("an `<...>` placeholder");
    }
    if trimmed.len() > 2
        && trimmed.starts_with('{')
        && trimmed.ends_with('}')
        && !trimmed.starts_with("{{")
        && trimmed[1..trimmed.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Some("a single-brace `{name}` placeholder, which no resolver substitutes");
    }
    None
}
