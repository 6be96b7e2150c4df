//! The platform's deterministic faker generators (fixed word tables, SHA-256 picks).

use sha2::{Digest, Sha256};

const FIRST: [&str; 8] = [
    "Alex", "Jordan", "Taylor", "Morgan", "Riley", "Casey", "Avery", "Quinn",
];
const LAST: [&str; 8] = [
    "Smith", "Johnson", "Lee", "Garcia", "Patel", "Nguyen", "Brown", "Wilson",
];
const PREFIX: [&str; 8] = [
    "Acme",
    "Northstar",
    "Summit",
    "Atlas",
    "Pioneer",
    "Nimbus",
    "Beacon",
    "Harbor",
];
const SUFFIX: [&str; 8] = [
    "Labs",
    "Systems",
    "Works",
    "Collective",
    "Cloud",
    "Dynamics",
    "Studio",
    "Partners",
];
const WORDS: [&str; 10] = [
    "alpha", "beta", "gamma", "delta", "signal", "vector", "launch", "pixel", "orbit", "ember",
];

/// The only generator names the platform knows.
pub const GENERATORS: [&str; 5] = [
    "person.firstName",
    "person.lastName",
    "internet.email",
    "company.name",
    "lorem.words",
];

/// First 8 hex characters of SHA-256 of the UTF-8 text.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(&digest[..4])
}

fn pick<'a>(seed: &str, label: &str, list: &[&'a str]) -> &'a str {
    let digest = Sha256::digest(format!("{seed}:{label}").as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) as usize;
    list[n % list.len()]
}

/// Runs generator `name` for `seed` (`"<testRunId>:<tokenName>"`); `None` if unknown.
pub fn generate(name: &str, seed: &str) -> Option<String> {
    Some(match name {
        "person.firstName" => pick(seed, "first-name", &FIRST).to_owned(),
        "person.lastName" => pick(seed, "last-name", &LAST).to_owned(),
        "internet.email" => format!(
            "{}.{}.{}@example.test",
            pick(seed, "email-first", &FIRST).to_ascii_lowercase(),
            pick(seed, "email-last", &LAST).to_ascii_lowercase(),
            short_hash(&format!("{seed}:email-suffix"))
        ),
        "company.name" => format!(
            "{} {}",
            pick(seed, "company-prefix", &PREFIX),
            pick(seed, "company-suffix", &SUFFIX)
        ),
        "lorem.words" => format!(
            "{} {} {}",
            pick(seed, "lorem-0", &WORDS),
            pick(seed, "lorem-1", &WORDS),
            pick(seed, "lorem-2", &WORDS)
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden outputs from `reference/recipes.md` §6.
    #[test]
    fn golden_outputs() {
        let run = "00000000-0000-4000-8000-000000000000";
        let cases = [
            (run, "first", "person.firstName", "Alex"),
            (run, "last", "person.lastName", "Patel"),
            (
                run,
                "email",
                "internet.email",
                "alex.smith.636b2aa6@example.test",
            ),
            (run, "company", "company.name", "Harbor Labs"),
            (run, "words", "lorem.words", "beta pixel pixel"),
            (
                "run-42",
                "owner_email",
                "internet.email",
                "jordan.johnson.80ed320d@example.test",
            ),
            ("run-42", "org_name", "company.name", "Summit Works"),
        ];
        for (run, token, generator, expected) in cases {
            assert_eq!(
                generate(generator, &format!("{run}:{token}")).as_deref(),
                Some(expected),
                "{generator}"
            );
        }
        assert_eq!(generate("person.fullName", "x"), None);
    }
}
