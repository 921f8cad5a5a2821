//! What an import refuses because of retractions, checked line by line on
//! the events new to the log (an event already stored is never refused, so
//! importing a file again stays harmless):
//!
//! - a second retraction of an event already retracted, in the log or on a
//!   line above, with the words of `annals retract`;
//! - an event that names a source, actor or place retracted in the log or
//!   on a line above. A retraction cannot be retracted, so the entity stays
//!   withdrawn: the message says to declare it again under a new id.

use std::collections::{HashMap, HashSet};

use annals_import::Problem;
use annals_log::Log;
use annals_model::{Event, EventKind, RefKind};
use annals_replay::PlaceIndex;

use crate::Error;

/// The retractions an import's lines are checked against.
pub(crate) struct Retractions<'a> {
    log: &'a Log,
    index: Option<&'a PlaceIndex>,
    /// Every id a stored retraction names (usually few): most lookups end here.
    in_log: HashSet<&'a str>,
    /// Ids retracted by lines above: id → the retraction.
    in_file: HashMap<String, String>,
}

impl<'a> Retractions<'a> {
    pub(crate) fn new(log: &'a Log, index: Option<&'a PlaceIndex>) -> Retractions<'a> {
        let in_log = index.map(|i| i.retraction_targets().collect()).unwrap_or_default();
        Retractions { log, index, in_log, in_file: HashMap::new() }
    }

    /// The problem with `event`, new to the log, if a retraction refuses
    /// it; a retraction is remembered for the lines below.
    pub(crate) fn check(&mut self, event: &Event) -> Result<Option<Problem>, Error> {
        if let EventKind::Retraction { retracts, .. } = &event.kind {
            if let Some(by) = self.retracted_by(retracts.as_str())? {
                let id = retracts.to_string();
                return Ok(Some(Problem::AlreadyRetracted { id, by }));
            }
            self.in_file.insert(retracts.as_str().to_string(), event.id.as_str().to_string());
            return Ok(None);
        }
        let mut named = Vec::new();
        event.visit_references(|r| {
            if r.kind != RefKind::Event {
                named.push((r.field, r.kind, r.id));
            }
        });
        for (field, kind, id) in named {
            if let Some(by) = self.retracted_by(id)? {
                let id = id.to_string();
                return Ok(Some(Problem::NamesRetracted { field, id, kind, by }));
            }
        }
        Ok(None)
    }

    /// The retraction that withdrew `id` (in the log: the smallest id, as
    /// replay names it), if any.
    fn retracted_by(&self, id: &str) -> Result<Option<String>, Error> {
        if let Some(by) = self.in_file.get(id) {
            return Ok(Some(by.clone()));
        }
        let (Some(index), true) = (self.index, self.in_log.contains(id)) else {
            return Ok(None);
        };
        let mut by: Option<String> = None;
        for seq in index.retractions_of(id) {
            if let Some(rec) = self.log.get(seq).map_err(Error::Damaged)? {
                let rid = rec.event.id.as_str().to_string();
                if by.as_ref().is_none_or(|b| rid < *b) {
                    by = Some(rid);
                }
            }
        }
        Ok(by)
    }
}
