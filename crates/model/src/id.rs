//! Identifiers: lowercase slugs (`cma`, `bamba-camp`), one newtype per kind of thing.

use std::fmt;

/// Why a string is not an id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid id `{}`: ids are lowercase slugs of letters a-z, digits and `-`, `_`, `.` or `:` between them (like `cma` or `bamba-camp`)", crate::text::excerpt(.0))]
pub struct IdError(pub String);

/// Checks that `s` is a lowercase slug: `[a-z0-9]` runs joined by `-`, `_`, `.` or `:`.
pub fn check_slug(s: &str) -> Result<(), IdError> {
    let bytes = s.as_bytes();
    let is_word = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let is_join = |b: u8| matches!(b, b'-' | b'_' | b'.' | b':');
    let ok = !bytes.is_empty()
        && bytes.len() <= 200
        && is_word(bytes[0])
        && is_word(bytes[bytes.len() - 1])
        && bytes.iter().all(|&b| is_word(b) || is_join(b))
        && !bytes.windows(2).any(|w| is_join(w[0]) && is_join(w[1]));
    if ok {
        Ok(())
    } else {
        Err(IdError(s.to_string()))
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub(crate) String);

        impl $name {
            /// Checks the slug syntax.
            pub fn new(s: impl Into<String>) -> Result<Self, IdError> {
                let s = s.into();
                check_slug(&s)?;
                Ok($name(s))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// The id of a stored event. Entity events (`source`, `actor`, `place`) share
    /// their id with the entity they introduce.
    EventId
);
id_type!(
    /// The id of a `source` (a citation).
    SourceId
);
id_type!(
    /// The id of an `actor`.
    ActorId
);
id_type!(
    /// The id of a `place`.
    PlaceId
);
id_type!(
    /// The slug of an agreement (`agreement_signed`).
    AgreementId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["cma", "bamba-camp", "mli1234", "a", "ev-0f3a", "acled:mli1"] {
            assert!(check_slug(ok).is_ok(), "{ok}");
        }
        for bad in ["", "CMA", "bamba camp", "-cma", "cma-", "a--b", "é", "a/b"] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_huge_bad_id_makes_a_short_message() {
        let err = check_slug(&"X".repeat(10_000_000)).unwrap_err();
        assert_eq!(err.0.len(), 10_000_000, "the error keeps the whole id");
        let message = err.to_string();
        assert!(message.len() < 300, "{} bytes", message.len());
        assert!(message.contains("… (10000000 bytes)`"), "{message}");
    }
}
