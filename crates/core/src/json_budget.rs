//! Counts the values of a JSON document without building it, so that an answer too complex to
//! hold in memory is refused before any tree is built (a tree costs tens of bytes per value).

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Why a document was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// Not JSON (or nested deeper than serde_json's recursion limit of 128).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// More values than the budget allows.
    #[error("more than {limit} JSON values")]
    TooManyValues {
        /// The budget.
        limit: usize,
    },
}

/// Counts every value (scalars, arrays, objects; keys not counted) of `bytes`, stopping as soon
/// as `limit` is exceeded. Memory use does not depend on the document.
///
/// # Errors
/// [`BudgetError::NotJson`] for a document serde_json rejects, [`BudgetError::TooManyValues`]
/// past `limit`.
pub fn count_values(bytes: &[u8], limit: usize) -> Result<usize, BudgetError> {
    let mut count = 0usize;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result = Counter {
        count: &mut count,
        limit,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    match result {
        Ok(()) => Ok(count),
        Err(_) if count > limit => Err(BudgetError::TooManyValues { limit }),
        Err(error) => Err(BudgetError::NotJson(error.to_string())),
    }
}

struct Counter<'a> {
    count: &'a mut usize,
    limit: usize,
}

impl Counter<'_> {
    fn bump<E: de::Error>(&mut self) -> Result<(), E> {
        *self.count += 1;
        if *self.count > self.limit {
            Err(E::custom("too many values"))
        } else {
            Ok(())
        }
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        self.bump()
    }
    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        self.bump()
    }
    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        self.bump()
    }
    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.bump()
    }
    fn visit_str<E: de::Error>(mut self, _: &str) -> Result<(), E> {
        self.bump()
    }
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.bump()
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.bump()?;
        while seq
            .next_element_seed(Counter {
                count: self.count,
                limit: self.limit,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.bump()?;
        while map.next_key::<de::IgnoredAny>()?.is_some() {
            map.next_value_seed(Counter {
                count: self.count,
                limit: self.limit,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_value_and_stops_at_the_budget() {
        assert_eq!(
            count_values(br#"{"a":[1,2,{"b":null}],"c":"x"}"#, 100),
            Ok(7)
        );
        assert_eq!(
            count_values(b"[[],[],[],[]]", 3),
            Err(BudgetError::TooManyValues { limit: 3 })
        );
        assert!(matches!(
            count_values(b"{not json", 10),
            Err(BudgetError::NotJson(_))
        ));
        assert!(matches!(
            count_values(b"[1] trailing", 10),
            Err(BudgetError::NotJson(_))
        ));
    }
}
