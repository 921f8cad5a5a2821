//! Identifiers: lowercase slugs (`cma`, `bamba-camp`), one newtype per kind of thing.
//!
//! An id holds its text in an `Arc<str>`: cloning one (into a timeline, an
//! index, a graph node) copies a pointer, and an [`Interner`] lets every event
//! that names the same actor or place share one copy of its text.

use std::fmt;
use std::sync::Arc;

use hashbrown::HashSet;

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
        #[derive(Clone, Debug, Eq)]
        pub struct $name(pub(crate) Arc<str>);

        /// Hashed as its text, so maps keyed by ids can be asked with a `&str`.
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }

        // Compared by text, as `String`s would be; two ids that share their
        // text (interned) are equal without reading it.
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                if Arc::ptr_eq(&self.0, &other.0) {
                    std::cmp::Ordering::Equal
                } else {
                    self.0.cmp(&other.0)
                }
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl $name {
            /// Checks the slug syntax.
            pub fn new(s: impl AsRef<str>) -> Result<Self, IdError> {
                let s = s.as_ref();
                check_slug(s)?;
                Ok($name(Arc::from(s)))
            }

            /// Checks the slug syntax the first time `interner` sees `s`; the
            /// id then shares its text with every other id of the same text.
            pub fn interned(s: &str, interner: &mut Interner) -> Result<Self, IdError> {
                interner.text(s).map($name)
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

/// Shared copies of id texts, each checked once: decoding a log of a million
/// events that name a few thousand actors and places keeps a few thousand
/// strings instead of millions. Holds only texts that are valid slugs.
#[derive(Debug, Default)]
pub struct Interner {
    texts: HashSet<Arc<str>>,
}

impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }

    fn text(&mut self, s: &str) -> Result<Arc<str>, IdError> {
        if let Some(text) = self.texts.get(s) {
            return Ok(Arc::clone(text));
        }
        check_slug(s)?;
        let text: Arc<str> = Arc::from(s);
        self.texts.insert(Arc::clone(&text));
        Ok(text)
    }

    /// How many distinct texts are held.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
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

macro_rules! entity_id {
    ($($name:ident),*) => {$(
        impl $name {
            /// The id of the entity that the event `id` introduces (a
            /// `source`, `actor` or `place` event has its entity's id): the
            /// same text, shared, not copied. An interned event id gives an
            /// entity id that shares its text with every interned reference
            /// to the entity.
            pub fn of_event(id: &EventId) -> $name {
                $name(Arc::clone(&id.0))
            }
        }
    )*};
}

entity_id!(SourceId, ActorId, PlaceId);

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

    #[test]
    fn interned_ids_share_their_text_and_are_checked_like_new_ones() {
        let mut interner = Interner::new();
        let a = ActorId::interned("cma", &mut interner).unwrap();
        let b = ActorId::interned("cma", &mut interner).unwrap();
        let place = PlaceId::interned("cma", &mut interner).unwrap();
        assert_eq!(a, ActorId::new("cma").unwrap());
        assert!(Arc::ptr_eq(&a.0, &b.0) && Arc::ptr_eq(&a.0, &place.0), "one copy of `cma`");
        assert!(!Arc::ptr_eq(&a.0, &ActorId::new("cma").unwrap().0));
        for bad in ["", "CMA", "a--b"] {
            assert!(ActorId::interned(bad, &mut interner).is_err(), "{bad}");
            assert!(ActorId::interned(bad, &mut interner).is_err(), "{bad}, asked again");
        }
        assert_eq!(interner.len(), 1, "only valid texts are kept");
    }

    #[test]
    fn an_entity_id_of_an_interned_event_id_shares_its_text_with_references() {
        let mut interner = Interner::new();
        let event = EventId::interned("bamba", &mut interner).unwrap();
        let place = PlaceId::of_event(&event);
        let reference = PlaceId::interned("bamba", &mut interner).unwrap();
        assert_eq!(place, PlaceId::new("bamba").unwrap());
        assert!(Arc::ptr_eq(&place.0, &reference.0), "one copy of `bamba`");
        let fresh = EventId::new("cma").unwrap();
        assert_eq!(ActorId::of_event(&fresh).as_str(), "cma");
        assert_eq!(SourceId::of_event(&fresh).as_str(), "cma");
    }

    #[test]
    fn ids_compare_and_hash_by_text_whether_shared_or_not() {
        use std::collections::{BTreeSet, HashSet};
        let mut interner = Interner::new();
        let mut shared = |s| ActorId::interned(s, &mut interner).unwrap();
        let (a, b) = (shared("fama"), shared("cma"));
        let (fresh_a, fresh_b) = (ActorId::new("fama").unwrap(), ActorId::new("cma").unwrap());
        assert_eq!(a.cmp(&fresh_a), std::cmp::Ordering::Equal);
        assert_eq!(a.cmp(&shared("fama")), std::cmp::Ordering::Equal, "shared text");
        assert!(a == shared("fama") && b != shared("fama"));
        assert_eq!(
            (a.cmp(&fresh_b), b.cmp(&fresh_a)),
            (std::cmp::Ordering::Greater, std::cmp::Ordering::Less)
        );
        assert_ne!(a, b);
        let by_hash: HashSet<ActorId> = [a.clone(), fresh_a.clone(), b.clone()].into();
        assert_eq!(by_hash.len(), 2);
        assert!(by_hash.contains("fama") && by_hash.contains("cma"), "asked with a &str");
        let sorted: Vec<_> =
            BTreeSet::from([a, b, fresh_b]).into_iter().map(|id| id.to_string()).collect();
        assert_eq!(sorted, ["cma", "fama"]);
    }
}
