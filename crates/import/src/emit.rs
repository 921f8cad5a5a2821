//! Making a file's events: each entity once, before the first event that
//! names it and only if the log lacks it; each event once its references
//! are known; an id used twice only for one content. Shared by every
//! importer of a dataset.

use std::collections::{HashMap, HashSet, VecDeque};

use annals_model::v1;
use annals_model::{normalize_name, Claim, Event, EventId, EventKind, RefKind};

use crate::records::Errors;
use crate::{Catalog, Problem, Refused};

/// What a reading asks about ids the file itself does not define.
#[derive(Clone, Copy)]
pub(crate) enum Known<'k> {
    /// The first reading: the log, as the caller sees it.
    Log(&'k Catalog<'k>),
    /// A reading again: everything exists but the entities the first
    /// reading found missing (and created).
    New(&'k HashSet<String>),
}

impl Known<'_> {
    pub(crate) fn exists(&self, kind: RefKind, id: &str) -> bool {
        match self {
            Known::Log(catalog) => (catalog.exists)(kind, id),
            Known::New(created) => !created.contains(id),
        }
    }

    /// Where the log puts the place `id` (its `lat`, `lon`), if it holds
    /// it with coordinates; a reading again asks nothing of the log.
    pub(crate) fn place_at(&self, id: &str) -> Option<(f64, f64)> {
        match self {
            Known::Log(catalog) => (catalog.place_at)(id),
            Known::New(_) => None,
        }
    }
}

/// Builds the events of a file, entities first, and checks every reference.
pub(crate) struct Emitter<'k> {
    pub(crate) known: Known<'k>,
    /// Events made and not yet handed on, with their lines.
    pub(crate) out: VecDeque<(usize, Event)>,
    /// Every id this file uses: what it names and where it is first used.
    pub(crate) ids: HashMap<String, Seen>,
    /// The entities made because the log lacks them.
    pub(crate) new_entities: HashSet<String>,
}

/// An id the file uses.
pub(crate) struct Seen {
    /// What it names; `None` for an event.
    pub(crate) kind: Option<RefKind>,
    pub(crate) line: usize,
    /// For an event that is no entity, [`fingerprint`] of the event.
    pub(crate) fingerprint: Option<u128>,
}

impl<'k> Emitter<'k> {
    pub(crate) fn new(known: Known<'k>) -> Emitter<'k> {
        Emitter { known, out: VecDeque::new(), ids: HashMap::new(), new_entities: HashSet::new() }
    }

    /// Emits an entity unless the log or an earlier line already has it.
    pub(crate) fn entity(
        &mut self,
        line: usize,
        kind: RefKind,
        id: &str,
        make: impl FnOnce() -> EventKind,
    ) -> Result<(), Problem> {
        self.entity_with(line, kind, id, || entity_event(id, make()))
    }

    /// Like [`Emitter::entity`], for an entity made whole: with its note
    /// or sources.
    pub(crate) fn entity_with(
        &mut self,
        line: usize,
        kind: RefKind,
        id: &str,
        make: impl FnOnce() -> Result<Event, Problem>,
    ) -> Result<(), Problem> {
        if let Some(seen) = self.ids.get(id).map(|s| s.kind) {
            return if seen == Some(kind) {
                Ok(())
            } else {
                Err(Problem::TwoKinds { id: id.to_string(), first: seen, second: kind })
            };
        }
        self.ids.insert(id.to_string(), Seen { kind: Some(kind), line, fingerprint: None });
        if !self.known.exists(kind, id) {
            self.out.push_back((line, make()?));
            self.new_entities.insert(id.to_string());
        }
        Ok(())
    }

    /// Emits an event that is no entity, once every id it refers to is
    /// known (in the log or earlier in the file). An id seen before with the
    /// same content is emitted once; with other content it is an error
    /// naming `key` (what the dataset calls the event: ``event_id_cnty `X` ``)
    /// and the line it was first used on.
    pub(crate) fn push(
        &mut self,
        line: usize,
        event: Event,
        key: impl FnOnce() -> String,
    ) -> Result<(), Problem> {
        for r in event.references() {
            let found = match self.ids.get(r.id) {
                Some(seen) => seen.kind == Some(r.kind),
                None => self.known.exists(r.kind, r.id),
            };
            if !found {
                let (field, id, kind) = (r.field, r.id.to_string(), r.kind);
                return Err(Problem::UnknownReference { field, id, kind });
            }
        }
        let fingerprint = fingerprint(&event);
        if let Some(seen) = self.ids.get(event.id.as_str()) {
            return match seen.fingerprint {
                Some(earlier) if earlier == fingerprint => Ok(()),
                Some(_) => Err(Problem::DifferentEvent { what: key(), first_line: seen.line }),
                None => Err(Problem::EventIdTaken { id: event.id.to_string(), kind: seen.kind }),
            };
        }
        let seen = Seen { kind: None, line, fingerprint: Some(fingerprint) };
        self.ids.insert(event.id.as_str().to_string(), seen);
        self.out.push_back((line, event));
        Ok(())
    }
}

/// A 128-bit fingerprint of an event, to tell whether two events with one id
/// are the same without keeping the first: two SipHash digests of its line
/// of format v1 under different prefixes.
pub(crate) fn fingerprint(event: &Event) -> u128 {
    use std::hash::{Hash, Hasher};
    let line = v1::to_line(event);
    let digest = |prefix: u8| {
        let mut hasher = std::hash::DefaultHasher::new();
        prefix.hash(&mut hasher);
        line.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(digest(0)) << 64) | u128::from(digest(1))
}

pub(crate) fn entity_event(id: &str, kind: EventKind) -> Result<Event, Problem> {
    noted_entity(id, kind, None)
}

/// An entity (source, actor, place) with a note: undated, unsourced.
pub(crate) fn noted_entity(
    id: &str,
    kind: EventKind,
    note: Option<String>,
) -> Result<Event, Problem> {
    Ok(Event {
        id: EventId::new(id).map_err(|e| Problem::no_valid_id(id, e))?,
        date: None,
        sources: Vec::new(),
        claim: Claim::Reported,
        claimed_by: None,
        note,
        kind,
    })
}

// ---------------------------------------------------------------------------
// Passes

/// A reading of a file that makes events one at a time and lists its errors.
pub(crate) trait Pass {
    /// The next event; `None` at the end, or once the list of errors is full.
    fn next_event(&mut self) -> std::io::Result<Option<(usize, Event)>>;
    fn errors(&mut self) -> &mut Errors;
}

/// The first pass: hands every event to `each` (which may refuse it with a
/// problem of its own, listed at its line); the number of events handed
/// on, or every error.
pub(crate) fn first_pass(
    pass: &mut impl Pass,
    mut each: impl FnMut(usize, Event) -> Result<(), Problem>,
) -> Result<u64, Refused> {
    let mut events = 0;
    while let Some((line, event)) = pass.next_event()? {
        match each(line, event) {
            Ok(()) => events += 1,
            Err(problem) => pass.errors().push(line, problem),
        }
    }
    match std::mem::take(&mut pass.errors().list) {
        list if list.is_empty() => Ok(events),
        list => Err(Refused::Lines(list)),
    }
}

/// The next item of a second pass, which ends at its first error (a file
/// that changed since it was checked) or failure to read.
pub(crate) fn second_pass_next(
    pass: &mut impl Pass,
    failed: &mut bool,
) -> Option<Result<(usize, Event), Refused>> {
    if *failed {
        return None;
    }
    let next = pass.next_event();
    if let Some(first) = pass.errors().list.first() {
        *failed = true;
        return Some(Err(Refused::Lines(vec![first.clone()])));
    }
    *failed = next.is_err();
    next.map_err(Refused::Io).transpose()
}

// ---------------------------------------------------------------------------
// Ids

/// A name as an id part: accents folded, lowercase, each run of anything but
/// a-z and 0-9 made one `-`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in normalize_name(name).chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

pub(crate) fn slug_part(column: &str, name: &str) -> Result<String, Problem> {
    let s = slug(name);
    if s.is_empty() {
        Err(Problem::no_id_letters(column, name, "letters a-z or digits"))
    } else {
        Ok(s)
    }
}

pub(crate) fn slug_id(prefix: &str, column: &str, name: &str) -> Result<String, Problem> {
    let id = format!("{prefix}{}", slug_part(column, name)?);
    checked_id(column, name, id)
}

pub(crate) fn checked_id(column: &str, name: &str, id: String) -> Result<String, Problem> {
    annals_model::check_slug(&id)
        .map(|()| id)
        .map_err(|e| Problem::in_column(column, Problem::no_valid_id(name, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_collapse_punctuation() {
        assert_eq!(slug("Gourma-Rharous"), "gourma-rharous");
        assert_eq!(slug("N'Goutjina"), "n-goutjina");
        assert_eq!(slug("  Ségou  (Région) "), "segou-region");
        assert_eq!(slug("Military Forces of Mali (2013-)"), "military-forces-of-mali-2013");
        assert_eq!(slug("---"), "");
    }
}
