//! `recipe/stale-date`: absolute dates and timestamps in recipe values, which nothing re-bases
//! when tests run later (the platform's recipe guidance since August 2026).

use super::RecipeUnderCheck;
use crate::diagnostic::{Code, Diagnostic, FileKind};
use crate::discover::Discover;

/// ## What it does
/// Flags a field value that is an ISO 8601 date (`2026-08-01`) or date-time
/// (`2026-08-01T09:00:00Z`), in a field discover types as a date or a timestamp, or in any field
/// whose value parses as one.
///
/// ## Why it matters
/// A recipe is replayed for months. "Due tomorrow" written as a date is overdue next week, and
/// tests asserting on upcoming or recent records start failing for no code change.
///
/// ## Fix
/// None automatic: express the date as an offset the factory applies to the run's time.
pub fn check(
    discover: Option<&Discover>,
    under: &RecipeUnderCheck<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for record in &under.graph.records {
        let model = discover.and_then(|d| d.model(record.model));
        for member in record.node.as_object().unwrap_or_default() {
            if member.key.starts_with('_') {
                continue;
            }
            let Some(value) = member.value.as_str() else {
                continue;
            };
            let Some(kind) = iso_kind(value) else {
                continue;
            };
            let typed = model
                .and_then(|m| m.field(&member.key))
                .map(|f| f.ty.to_ascii_lowercase())
                .filter(|t| t.contains("date") || t.contains("time"));
            let why = typed.map_or_else(
                || format!("`{}` holds an absolute {kind}", member.key),
                |ty| format!("`{}` ({ty}) holds an absolute {kind}", member.key),
            );
            diagnostics.push(
                Diagnostic::warning(Code::RECIPE_STALE_DATE, FileKind::Recipes, member.value.span, format!("{why}, which goes stale"))
                    .with_help(format!(
                        "nothing re-bases it when tests run later; express it as an offset the factory applies to the run's time (for example `\"{}InDays\": 7`), as the platform's recipe guidance asks",
                        member.key.trim_end_matches("At").trim_end_matches("Date")
                    )),
            );
        }
    }
}

/// `date` or `date-time` when `value` is an ISO 8601 calendar date or date-time.
fn iso_kind(value: &str) -> Option<&'static str> {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range.clone())
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
            .then(|| value[range].parse::<u32>().ok())
            .flatten()
    };
    let (_, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if bytes.get(4) != Some(&b'-')
        || bytes.get(7) != Some(&b'-')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    if bytes.len() == 10 {
        return Some("date");
    }
    if !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (hour, minute) = (digits(11..13)?, digits(14..16)?);
    if bytes.get(13) != Some(&b':') || hour > 23 || minute > 59 {
        return None;
    }
    let rest = &value[16..];
    let rest = rest.strip_prefix(':').map_or(rest, |r| {
        r.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
    });
    let zone_ok = rest.is_empty()
        || rest.eq_ignore_ascii_case("z")
        || (rest.starts_with(['+', '-'])
            && rest[1..].chars().all(|c| c.is_ascii_digit() || c == ':')
            && rest.len() >= 3);
    zone_ok.then_some("date-time")
}

#[cfg(test)]
mod tests {
    use super::iso_kind;

    #[test]
    fn reads_iso_dates_and_date_times_only() {
        assert_eq!(iso_kind("2026-08-01"), Some("date"));
        assert_eq!(iso_kind("2026-08-01T09:30:00Z"), Some("date-time"));
        assert_eq!(iso_kind("2026-08-01T09:30:00.123+02:00"), Some("date-time"));
        assert_eq!(iso_kind("2026-08-01 09:30"), Some("date-time"));
        for not in [
            "2026-13-01",
            "2026-08",
            "v2026-08-01",
            "2026-08-01x",
            "2026-08-01T25:00",
            "{{testRunId}}",
            "Q3 2026",
        ] {
            assert_eq!(iso_kind(not), None, "{not}");
        }
    }
}
