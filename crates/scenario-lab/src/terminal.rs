//! Human output that a hostile endpoint or workspace file cannot use to drive the terminal:
//! control characters (ANSI/OSC escapes, carriage returns, bells) are shown escaped.

use std::io::Write;

/// `text` with every control character except line feed and tab escaped (`\u{1b}`), as well as
/// the C1 controls and the bidirectional overrides that can reorder what a reader sees.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Prints to standard output with control characters escaped.
pub fn print_safe(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(escape_controls(text).as_bytes());
    let _ = out.flush();
}

/// Prints to standard error with control characters escaped.
pub fn eprint_safe(text: &str) {
    let mut out = std::io::stderr().lock();
    let _ = out.write_all(escape_controls(text).as_bytes());
}

/// A progress sink that prints each line to standard error, escaped.
pub fn progress_to_stderr(line: &str) {
    eprint_safe(&format!("{line}\n"));
}

/// Standard error with control characters escaped, for the log (`tracing`'s writer).
#[derive(Clone, Copy, Debug, Default)]
pub struct EscapedStderr;

impl Write for EscapedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr().write_all(escape_controls(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_keeps_text() {
        assert_eq!(
            escape_controls("\u{1b}[2J\u{1b}]0;title\u{7}ok\r\n\tdone é"),
            "\\u{1b}[2J\\u{1b}]0;title\\u{7}ok\\u{d}\n\tdone é"
        );
        assert_eq!(escape_controls("plain"), "plain");
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
    }
}
