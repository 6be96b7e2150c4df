//! Masks secrets in an endpoint's error text (password, secret, token, hash and key values, SQL
//! parameter blocks) before any report, log or editor shows it.

/// Field names whose values are never shown (matched inside the name: `password_hash`, `apiKey`).
const SENSITIVE: [&str; 7] = [
    "password", "passwd", "secret", "token", "hash", "apikey", "key",
];

/// What a masked value becomes.
pub const MASK: &str = "****";

/// `text` with every sensitive value masked.
pub fn redact(text: &str) -> String {
    mask_values(&mask_parameter_blocks(text))
}

/// SQLAlchemy's `[parameters: {...}]` (and `[parameters: (...)]`): everything up to the last `]`
/// of the line.
fn mask_parameter_blocks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[parameters:") {
        let head = at + "[parameters:".len();
        out.push_str(&rest[..head]);
        let line_end = rest[head..].find('\n').map_or(rest.len(), |n| head + n);
        out.push(' ');
        out.push_str(MASK);
        // Up to the block's closing `]`, or the end of the line when it is cut off.
        let close = rest[head..line_end]
            .rfind(']')
            .map_or(line_end, |c| head + c);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace(['_', '-'], "");
    SENSITIVE.iter().any(|word| name.contains(word))
}

/// `name: value`, `"name": "value"`, `'name': 'value'` and `name=value` for sensitive names.
fn mask_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if !is_name_char(c) || (i > 0 && text[..i].chars().next_back().is_some_and(is_name_char)) {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let end = text[i..]
            .find(|c: char| !is_name_char(c))
            .map_or(text.len(), |n| i + n);
        let name = &text[i..end];
        out.push_str(name);
        i = end;
        if !is_sensitive(name) {
            continue;
        }
        if let Some((value_start, value_end)) = value_after(text, end) {
            out.push_str(&text[end..value_start]);
            if value_end > value_start {
                out.push_str(MASK);
            }
            i = value_end;
        }
    }
    out
}

/// After a name ending at `at`: an optional closing quote, spaces, `:` or `=`, spaces, then the
/// value. Returns where the value starts and ends, quotes excluded.
fn value_after(text: &str, at: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut j = at;
    if matches!(bytes.get(j), Some(b'"' | b'\'')) {
        j += 1;
    }
    while bytes.get(j) == Some(&b' ') {
        j += 1;
    }
    if !matches!(bytes.get(j), Some(b':' | b'=')) {
        return None;
    }
    j += 1;
    while bytes.get(j) == Some(&b' ') {
        j += 1;
    }
    match bytes.get(j) {
        Some(&q @ (b'"' | b'\'')) => {
            let start = j + 1;
            let mut k = start;
            while k < bytes.len() && bytes[k] != q && bytes[k] != b'\n' {
                k += if bytes[k] == b'\\' { 2 } else { 1 };
            }
            Some((start, k.min(bytes.len())))
        }
        Some(b'{' | b'[') | None => None,
        Some(_) => {
            let end = text[j..]
                .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ')' | ']' | '&' | ';'))
                .map_or(text.len(), |n| j + n);
            Some((j, end))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sdk_crash_loses_its_hash_and_parameters_but_keeps_the_duplicate_key() {
        let text = "(psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"users_email_key\"\nDETAIL:  Key (email)=(owner+standard-1-a4f28d@example.test) already exists.\n[SQL: INSERT INTO users (email, password_hash) VALUES (%(email)s, %(password_hash)s)]\n[parameters: {'email': 'owner@example.test', 'password_hash': 'pbkdf2_sha256$60000$cb13'}]";
        let masked = redact(text);
        assert!(!masked.contains("pbkdf2"), "{masked}");
        assert!(masked.contains("[parameters: ****]"), "{masked}");
        assert!(
            masked.contains("Key (email)=(owner+standard-1-a4f28d@example.test)"),
            "{masked}"
        );
        assert!(masked.contains("\"users_email_key\""), "{masked}");
    }

    #[test]
    fn sensitive_fields_are_masked_in_every_notation() {
        assert_eq!(
            redact(r#"{"password": "hunter2", "name": "Ana"}"#),
            r#"{"password": "****", "name": "Ana"}"#
        );
        assert_eq!(redact("apiKey=abc123&x=1"), "apiKey=****&x=1");
        assert_eq!(
            redact("refresh_token: eyJhbGci.x.y rest"),
            "refresh_token: **** rest"
        );
        assert_eq!(redact("'secret': 'a\\'b'"), "'secret': '****'");
        assert_eq!(redact("no secrets here: ok"), "no secrets here: ok");
        assert_eq!(redact("tokens are fine alone"), "tokens are fine alone");
        assert_eq!(redact("Zoë password=é"), "Zoë password=****");
    }
}
