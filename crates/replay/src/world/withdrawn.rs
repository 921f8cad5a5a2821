//! What a retracted source, actor or place takes with it.
//!
//! - A retracted **source** is cited by no answer: it is taken out of every
//!   event's sources. An event that cited sources, all of them retracted,
//!   no longer counts (as if retracted by its first source's retraction),
//!   and is reported ([`Withdrawal::CitesOnlyRetracted`]); an event with
//!   another source left counts on it.
//! - A retracted **actor or place** is listed nowhere (no name or id finds
//!   it; `places`, `find`, the graph leave it out). Every event that names
//!   it (but entities and retractions) no longer counts, as if retracted by
//!   the entity's retraction, and is reported ([`Withdrawal::NamesRetracted`]).
//!
//! The set of retractions decides it, once every event is in: the same
//! events give the same world whatever their order, and a retraction
//! replayed before the entity it retracts does the same as one after.

use std::collections::BTreeMap;

use annals_model::{normalize_name, EventId, RefKind, SourceId};

use super::World;
use crate::facts::Tag;

/// An event that no longer counts because of a retracted entity
/// ([`World::withdrawals`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Withdrawal {
    /// The event names a retracted actor or place (`kind`, `id`), retracted
    /// by `retraction`.
    NamesRetracted { event: EventId, kind: RefKind, id: String, retraction: EventId },
    /// Every source the event cites is retracted.
    CitesOnlyRetracted { event: EventId, sources: Vec<SourceId> },
}

impl std::fmt::Display for Withdrawal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Withdrawal::NamesRetracted { event, kind, id, retraction } => write!(
                f,
                "event `{event}` names a retracted {} `{id}` (retracted by `{retraction}`); the event no longer counts",
                kind.as_str()
            ),
            Withdrawal::CitesOnlyRetracted { event, sources } => {
                let sources: Vec<String> = sources.iter().map(|s| format!("`{s}`")).collect();
                write!(
                    f,
                    "event `{event}`: every source it cites is retracted ({}); the event no longer counts",
                    sources.join(", ")
                )
            }
        }
    }
}

impl World {
    /// Withdraws what rests on retracted entities (module docs). Runs after
    /// the retractions are settled, before facts are filtered by them.
    pub(super) fn withdraw_what_rests_on_retracted_entities(&mut self) {
        let mut entities: BTreeMap<EventId, (RefKind, EventId)> = BTreeMap::new();
        for (target, retraction) in &self.retracted {
            let id = target.as_str();
            let kind = if self.ids.is(RefKind::Source, id) {
                RefKind::Source
            } else if self.ids.is(RefKind::Actor, id) {
                RefKind::Actor
            } else if self.ids.is(RefKind::Place, id) {
                RefKind::Place
            } else {
                continue;
            };
            entities.insert(target.clone(), (kind, retraction.clone()));
        }
        if entities.is_empty() {
            self.ids.forget_named();
            return;
        }
        // Sorted by entity id, so that an event naming several retracted
        // entities is withdrawn by the same retraction in any replay order.
        let mut withdrawn: Vec<(EventId, EventId)> = Vec::new();
        for (entity, (kind, retraction)) in &entities {
            if *kind == RefKind::Source {
                continue;
            }
            let mut events: Vec<u32> = self.ids.named(entity.as_str()).to_vec();
            events.sort_unstable();
            events.dedup();
            for i in events {
                let event = self.kept[i as usize].id.clone();
                if !self.retracted.contains_key(&event) {
                    withdrawn.push((event.clone(), retraction.clone()));
                }
                let id = entity.as_str().to_string();
                let retraction = retraction.clone();
                self.withdrawals.push(Withdrawal::NamesRetracted {
                    event,
                    kind: *kind,
                    id,
                    retraction,
                });
            }
        }
        let source_retraction = |s: &SourceId| match entities.get(s.as_str()) {
            Some((RefKind::Source, retraction)) => Some(retraction.clone()),
            _ => None,
        };
        self.ids.forget_named();
        let mut all = std::mem::take(&mut self.kept);
        for kept in &mut all {
            let cited = self.source_lists.key(kept.sources as usize);
            if !cited.iter().any(|s| source_retraction(s).is_some()) {
                continue;
            }
            let (gone, left): (Vec<SourceId>, Vec<SourceId>) =
                cited.iter().cloned().partition(|s| source_retraction(s).is_some());
            let none_left = left.is_empty();
            kept.sources = self.source_lists.intern(left.as_slice(), |s| Box::from(s));
            let counts = kept.tag != Tag::Retraction && !self.entity_ids_hold(kept.id.as_str());
            if none_left && counts {
                let first = gone.iter().min().expect("one was retracted");
                let retraction = source_retraction(first).expect("retracted");
                if !self.retracted.contains_key(&kept.id) {
                    withdrawn.push((kept.id.clone(), retraction));
                }
                let event = kept.id.clone();
                self.withdrawals.push(Withdrawal::CitesOnlyRetracted { event, sources: gone });
            }
        }
        self.kept = all;
        self.withdrawals.sort();
        for (event, retraction) in withdrawn {
            self.retracted.entry(event).or_insert(retraction);
        }
        self.hide(&entities);
    }

    /// Whether `id` is a source, actor or place.
    fn entity_ids_hold(&self, id: &str) -> bool {
        self.ids.is_entity(id)
    }

    /// Takes the retracted entities out of what lists and finds them (their
    /// ids still count as existing: a reference to one is no dangling one).
    fn hide(&mut self, entities: &BTreeMap<EventId, (RefKind, EventId)>) {
        for (entity, (kind, _)) in entities {
            match kind {
                RefKind::Source => {
                    self.sources.remove(entity.as_str());
                }
                RefKind::Actor => {
                    if let Some(actor) = self.actors.remove(entity.as_str()) {
                        let names = std::iter::once(&actor.name).chain(&actor.aliases);
                        unname(&mut self.actor_names, names, entity.as_str());
                    }
                }
                RefKind::Place => {
                    if let Some(place) = self.places.remove(entity.as_str()) {
                        let names = std::iter::once(&place.name).chain(&place.aliases);
                        unname(&mut self.place_names, names, entity.as_str());
                    }
                }
                RefKind::Event => {}
            }
        }
    }
}

/// Takes `id` out of the name index under each of `names`.
fn unname<'a, T: Ord + std::borrow::Borrow<str>>(
    index: &mut BTreeMap<String, std::collections::BTreeSet<T>>,
    names: impl Iterator<Item = &'a String>,
    id: &str,
) {
    for name in names {
        let key = normalize_name(name);
        if let Some(ids) = index.get_mut(&key) {
            ids.remove(id);
            if ids.is_empty() {
                index.remove(&key);
            }
        }
    }
}
