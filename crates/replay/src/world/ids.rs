//! The ids of the world's sources, actors and places, and the events that
//! name each actor or place id, in one table: a reference is checked and
//! counted with one hash of its text and, when its text is the very copy
//! the entity's event holds (a decoder shares one copy of each id, see
//! `annals_model::Interner`), no comparison of texts.

use std::hash::BuildHasher;

use annals_model::{EventId, RefKind};
use hashbrown::hash_table::Entry as Slot;
use hashbrown::{DefaultHashBuilder, HashTable};

/// What an id is, as bits: one text may name several kinds of entity (two
/// entity events with one id are an anomaly, and both count).
const SOURCE: u8 = 1;
const ACTOR: u8 = 2;
const PLACE: u8 = 4;

fn bit(kind: RefKind) -> u8 {
    match kind {
        RefKind::Source => SOURCE,
        RefKind::Actor => ACTOR,
        RefKind::Place => PLACE,
        RefKind::Event => 0,
    }
}

/// An id's text as the table keeps it.
#[derive(Debug)]
enum Text {
    /// The id of the entity's own event: the text its references share.
    Entity(EventId),
    /// A copy of a reference's text, for an id no entity event introduced
    /// (yet): replaced by the entity's id when one does.
    Copy(Box<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Entity(id) => id.as_str(),
            Text::Copy(text) => text,
        }
    }
}

#[derive(Debug)]
struct Entry {
    text: Text,
    kinds: u8,
    /// The events that name this id as an actor or a place (positions in
    /// the world's records; entities and retractions left out).
    named: Vec<u32>,
}

/// Whether `key` is `text`: the same copy (pointer and length), else the
/// same bytes.
fn same(key: &str, text: &str) -> bool {
    std::ptr::eq(key, text) || key == text
}

/// The table of ids ([`Ids::introduce`], [`Ids::refer`]).
#[derive(Debug, Default)]
pub(crate) struct Ids {
    table: HashTable<Entry>,
    hasher: DefaultHashBuilder,
}

impl Ids {
    fn find(&self, text: &str) -> Option<&Entry> {
        let hash = self.hasher.hash_one(text);
        self.table.find(hash, |e| same(e.text.as_str(), text))
    }

    fn slot(&mut self, text: &str) -> Slot<'_, Entry> {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(text);
        let rehash = |e: &Entry| hasher.hash_one(e.text.as_str());
        self.table.entry(hash, |e| same(e.text.as_str(), text), rehash)
    }

    /// Records that the entity event `id` introduces a `kind` (source,
    /// actor or place) of that id.
    pub(crate) fn introduce(&mut self, id: &EventId, kind: RefKind) {
        match self.slot(id.as_str()) {
            Slot::Occupied(mut slot) => {
                let entry = slot.get_mut();
                entry.kinds |= bit(kind);
                if matches!(entry.text, Text::Copy(_)) {
                    entry.text = Text::Entity(id.clone());
                }
            }
            Slot::Vacant(slot) => {
                let entry =
                    Entry { text: Text::Entity(id.clone()), kinds: bit(kind), named: vec![] };
                slot.insert(entry);
            }
        }
    }

    /// Whether `id` names a `kind` (source, actor or place) introduced so far.
    pub(crate) fn is(&self, kind: RefKind, id: &str) -> bool {
        self.find(id).is_some_and(|e| e.kinds & bit(kind) != 0)
    }

    /// Whether `id` names a source, an actor or a place.
    pub(crate) fn is_entity(&self, id: &str) -> bool {
        self.find(id).is_some_and(|e| e.kinds != 0)
    }

    /// The reference to `id` as a `kind` (source, actor or place): whether
    /// it names one introduced so far; with `event`, an actor or place
    /// reference is also counted as naming `id` ([`Ids::named`]).
    pub(crate) fn refer(&mut self, kind: RefKind, id: &str, event: Option<u32>) -> bool {
        let event = event.filter(|_| matches!(kind, RefKind::Actor | RefKind::Place));
        let Some(event) = event else { return self.is(kind, id) };
        match self.slot(id) {
            Slot::Occupied(mut slot) => {
                let entry = slot.get_mut();
                entry.named.push(event);
                entry.kinds & bit(kind) != 0
            }
            Slot::Vacant(slot) => {
                slot.insert(Entry { text: Text::Copy(id.into()), kinds: 0, named: vec![event] });
                false
            }
        }
    }

    /// The events counted as naming `id` ([`Ids::refer`]), in the order
    /// they were counted, once per reference.
    pub(crate) fn named(&self, id: &str) -> &[u32] {
        self.find(id).map_or(&[], |e| &e.named)
    }

    /// Frees the lists of [`Ids::named`] (and forgets the ids that name
    /// nothing), once nothing asks for them.
    pub(crate) fn forget_named(&mut self) {
        self.table.retain(|e| e.kinds != 0);
        for entry in self.table.iter_mut() {
            entry.named = Vec::new();
        }
        self.table.shrink_to_fit(|e| self.hasher.hash_one(e.text.as_str()));
    }
}

#[cfg(test)]
mod tests;
