//! Fingerprints of file contents, so the editor and the proxy can tell whether a file changed on disk.

use sha2::{Digest, Sha256};

/// A short fingerprint of a text: the first 12 bytes of its SHA-256, in hex.
pub fn fingerprint(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_a_fingerprint_and_others_do_not() {
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("a"), fingerprint("a "));
        assert_eq!(fingerprint("").len(), 24);
    }
}
