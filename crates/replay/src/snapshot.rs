//! The place index: what a `control` (or `government`) answer needs to find
//! its records without replaying the log, small enough to checkpoint as a
//! snapshot.
//!
//! For every place it keeps the sequence numbers of its control events and
//! of its attacks, for every state those of its `government` and `coup`
//! events, for every actor those of its dissolutions (gathered with any
//! record that names the actor: a dissolution ends holdings), and for every
//! event the retractions that name it; names resolve as in
//! [`World::resolve_place`] and [`World::resolve_actor`].
//! [`PlaceIndex::control_world`] replays only the
//! records an answer rests on (the place, its control events, their
//! retractions, and everything they cite, by id), and that gives the same
//! answer as replaying the whole log: the control of a place depends on
//! nothing else, and the government of a state likewise
//! ([`PlaceIndex::government_world`]); a place's history also needs its
//! attacks ([`PlaceIndex::history_world`]). The property tests check this
//! for snapshots taken at every point of generated logs.
//!
//! The index is built in log order ([`PlaceIndex::add`]), so a snapshot of the
//! first `n` records plus the records after `n` equals the index of them all.

use std::collections::{BTreeMap, BTreeSet};

use annals_model::{normalize_name, ActorId, Entity, Event, EventKind, PlaceId, Recorded, RefKind};
use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

use crate::names::resolve;
use crate::seqs::Seqs;
use crate::world::World;

/// Per-place control events, per-state government events, and retractions
/// by target, by sequence number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceIndex {
    /// Place id → the record of its `place` event.
    places: BTreeMap<String, u64>,
    /// Normalized name or alias → the places that bear it.
    names: BTreeMap<String, BTreeSet<String>>,
    /// Place id → its `control_taken` and `control_lost` records, in log order.
    control: BTreeMap<String, Seqs>,
    /// Place id → its `attack` records, in log order (for `history` only:
    /// attacks change no control answer).
    attacks: BTreeMap<String, Seqs>,
    /// Event id → the retractions that name it, in log order.
    retractions: BTreeMap<String, Seqs>,
    /// Actor id → the record of its `actor` event.
    actors: BTreeMap<String, u64>,
    /// Normalized actor name or alias → the actors that bear it.
    actor_names: BTreeMap<String, BTreeSet<String>>,
    /// State (actor) id → its `government` and `coup` records, in log order.
    governments: BTreeMap<String, Seqs>,
    /// Actor id → the `actor_dissolved` records that end it, in log order:
    /// gathered with every answer whose records name the actor.
    dissolutions: BTreeMap<String, Seqs>,
    /// The last record added (0: none).
    last_seq: u64,
    /// How many `same_as` records were added, and identifiers that a second
    /// entity bears: an answer under links rests
    /// on more than one place's or state's records, which this index does
    /// not gather.
    links: u64,
    /// `kind scheme value` → the entities whose `identifiers` give it.
    identified: BTreeMap<String, BTreeSet<String>>,
}

impl PlaceIndex {
    /// The snapshot name of this index.
    pub const NAME: &'static str = "places";
    /// The version of this index's layout; a snapshot of another is rebuilt.
    /// Schema 2 adds actors, their names and each state's government records;
    /// schema 3 each place's attacks; schema 4 stores each list of records
    /// as differences ([`Seqs`]); schema 5 counts links (`same_as`
    /// records and shared identifiers); schema 6 each actor's dissolutions.
    pub const SCHEMA: u32 = 6;

    /// Builds the index of records given in log order.
    pub fn build<'r>(records: impl IntoIterator<Item = &'r Recorded>) -> PlaceIndex {
        let mut index = PlaceIndex::default();
        for rec in records {
            index.add(rec.seq, &rec.event);
        }
        index
    }

    /// Adds record `seq`; records must come in increasing sequence order.
    pub fn add(&mut self, seq: u64, event: &Event) {
        debug_assert!(seq > self.last_seq, "records come in log order");
        self.last_seq = seq;
        match &event.kind {
            EventKind::Place { name, aliases, .. } => {
                let id = event.id.as_str();
                self.places.insert(id.to_string(), seq);
                for n in std::iter::once(name).chain(aliases) {
                    self.names.entry(normalize_name(n)).or_default().insert(id.to_string());
                }
            }
            EventKind::ControlTaken { place, .. } | EventKind::ControlLost { place, .. } => {
                push(&mut self.control, place.as_str(), seq)
            }
            EventKind::Attack { place, .. } => push(&mut self.attacks, place.as_str(), seq),
            EventKind::Retraction { retracts, .. } => {
                push(&mut self.retractions, retracts.as_str(), seq)
            }
            EventKind::Actor { name, aliases, .. } => {
                let id = event.id.as_str();
                self.actors.insert(id.to_string(), seq);
                for n in std::iter::once(name).chain(aliases) {
                    self.actor_names.entry(normalize_name(n)).or_default().insert(id.to_string());
                }
            }
            EventKind::Government { state, .. } | EventKind::Coup { state, .. } => {
                push(&mut self.governments, state.as_str(), seq)
            }
            EventKind::SameAs { .. } => self.links += 1,
            EventKind::Identifiers { entity, ids } => {
                let (kind, id) = match entity {
                    Entity::Actor(a) => ("actor", a.as_str()),
                    Entity::Place(p) => ("place", p.as_str()),
                };
                for (scheme, value) in ids {
                    let bearers =
                        self.identified.entry(format!("{kind} {scheme} {value}")).or_default();
                    // A second bearer makes a link (a retraction may undo
                    // it: counting it anyway only costs a full replay).
                    if bearers.insert(id.to_string()) && bearers.len() == 2 {
                        self.links += 1;
                    }
                }
            }
            EventKind::ActorDissolved { actor, .. } => {
                push(&mut self.dissolutions, actor.as_str(), seq)
            }
            _ => {}
        }
    }

    /// The records of the retractions that name event `id`, in log order.
    pub fn retractions_of(&self, id: &str) -> impl Iterator<Item = u64> + '_ {
        self.retractions.get(id).into_iter().flat_map(Seqs::iter)
    }

    /// Every id some retraction names.
    pub fn retraction_targets(&self) -> impl Iterator<Item = &str> + '_ {
        self.retractions.keys().map(String::as_str)
    }

    /// The places with at least `at_least` control records, with those
    /// records in log order: the places whose answers rest on most records.
    pub fn busy_places(&self, at_least: usize) -> impl Iterator<Item = (&str, Vec<u64>)> {
        self.control
            .iter()
            .filter(move |(_, seqs)| seqs.len() >= at_least)
            .map(|(place, seqs)| (place.as_str(), seqs.to_vec()))
    }

    /// Whether the log holds `same_as` links (retracted or not): then an
    /// answer may rest on the records of several places or states, and only
    /// a full replay gives it.
    pub fn has_links(&self) -> bool {
        self.links > 0
    }

    /// The places other than `place` that bear one of `names` (normalized
    /// here), each with the record of its `place` event, sorted by id.
    pub fn places_named<'n>(
        &self,
        place: &PlaceId,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Vec<(PlaceId, u64)> {
        let mut out = BTreeMap::new();
        for name in names {
            for other in self.names.get(&normalize_name(name)).into_iter().flatten() {
                if other.as_str() != place.as_str() {
                    if let (Some(&seq), Ok(id)) = (self.places.get(other), PlaceId::new(other)) {
                        out.insert(id, seq);
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// The last record included (0: none).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The place `query` names, when it names exactly one: by id, then by name
    /// or alias, exactly as [`World::resolve_place`] does. `None` when it names
    /// none or several; ask a full replay for the error and its suggestions.
    pub fn resolve(&self, query: &str) -> Option<PlaceId> {
        resolve(query, &self.places, &self.names).ok().and_then(|id| PlaceId::new(id).ok())
    }

    /// The actor `query` names, when it names exactly one, as
    /// [`World::resolve_actor`] finds it; `None` when it names none or several.
    pub fn resolve_actor(&self, query: &str) -> Option<ActorId> {
        resolve(query, &self.actors, &self.actor_names).ok().and_then(|id| ActorId::new(id).ok())
    }

    /// The world of the records a control answer for `place` rests on: its
    /// `place` event (and those it lies within), its control events, the
    /// retractions of any of these, and every source, actor and place they
    /// cite. It answers `control` (and describes the place, the actors and
    /// the sources) for `place` alone. `keep` filters records (for
    /// `--known-at`); `fetch` reads the records of ascending sequence
    /// numbers (those that exist), `lookup` finds an id's record. Records
    /// are fetched in rounds (the place's own first, then what they lead
    /// to), so a store that reads many records at once better than one by
    /// one can; sled 0.34 cannot (see `Log::get_many`).
    pub fn control_world<E>(
        &self,
        place: &PlaceId,
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        self.place_world(place, &[&self.control], keep, fetch, lookup)
    }

    /// Like [`PlaceIndex::control_world`], with the place's attacks too: the
    /// world answers `history` (and `control`) for `place` alone.
    pub fn history_world<E>(
        &self,
        place: &PlaceId,
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        self.place_world(place, &[&self.control, &self.attacks], keep, fetch, lookup)
    }

    /// The world of the records a government answer for `state` rests on:
    /// its `actor` event, its `government` and `coup` events, the
    /// retractions of any of these, and every source, actor and place they
    /// cite. It answers `government` and `history` (and describes the actors
    /// and sources) for `state` alone. Arguments as for
    /// [`PlaceIndex::control_world`].
    pub fn government_world<E>(
        &self,
        state: &ActorId,
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        let mut start: Vec<u64> =
            self.governments.get(state.as_str()).map(Seqs::to_vec).unwrap_or_default();
        start.extend(self.actors.get(state.as_str()));
        Ok(World::replay(self.gather(start, keep, fetch, lookup)?))
    }

    /// The world of the `place` event of `place`, its records in each of
    /// `lists`, and everything they lead to ([`PlaceIndex::gather`]).
    fn place_world<E>(
        &self,
        place: &PlaceId,
        lists: &[&BTreeMap<String, Seqs>],
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        let mut start: Vec<u64> =
            lists.iter().filter_map(|l| l.get(place.as_str())).flat_map(Seqs::iter).collect();
        start.extend(self.places.get(place.as_str()));
        Ok(World::replay(self.gather(start, keep, fetch, lookup)?))
    }

    /// The records `start` and everything they lead to: their retractions,
    /// and the records of every id they cite.
    fn gather<E>(
        &self,
        mut wanted: Vec<u64>,
        keep: impl Fn(&Recorded) -> bool,
        mut fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        mut lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<Vec<Recorded>, E> {
        let mut seen = BTreeSet::new();
        // Busy places cite the same actors and sources thousands of times:
        // look each up once. This set is asked once per reference gathered,
        // and the retractions once per record (40 000 records for the
        // busiest place of a 1M log), so both by hash, not by a search of
        // sorted texts; indexing the retractions costs a few ms at 10M.
        let mut looked_up: HashSet<String> = HashSet::new();
        let retractions: HashMap<&str, &Seqs> =
            self.retractions.iter().map(|(id, seqs)| (id.as_str(), seqs)).collect();
        let mut out = Vec::new();
        while !wanted.is_empty() {
            wanted.sort_unstable();
            wanted.retain(|&seq| seen.insert(seq));
            let mut next = Vec::new();
            for rec in fetch(&wanted)? {
                if !keep(&rec) {
                    continue;
                }
                next.extend(
                    retractions.get(rec.event.id.as_str()).into_iter().flat_map(|s| s.iter()),
                );
                for r in rec.event.references() {
                    // A retraction's target is already here: it is why the retraction is.
                    if r.kind != RefKind::Event && !looked_up.contains(r.id) {
                        looked_up.insert(r.id.to_string());
                        // Actors and places are in this index; sources
                        // only in the log's.
                        let known = match r.kind {
                            RefKind::Actor => self.actors.get(r.id),
                            RefKind::Place => self.places.get(r.id),
                            _ => None,
                        };
                        match known {
                            Some(&seq) => next.push(seq),
                            None => next.extend(lookup(r.id)?),
                        }
                        // An actor's dissolution ends what it holds.
                        if r.kind == RefKind::Actor {
                            next.extend(
                                self.dissolutions.get(r.id).into_iter().flat_map(Seqs::iter),
                            );
                        }
                    }
                }
                out.push(rec);
            }
            wanted = next;
        }
        out.sort_by_key(|r| r.seq);
        Ok(out)
    }
}

/// Adds `seq` to the list of `key`, copying the key only for a new list.
fn push(lists: &mut BTreeMap<String, Seqs>, key: &str, seq: u64) {
    match lists.get_mut(key) {
        Some(list) => list.push(seq),
        None => lists.entry(key.to_string()).or_default().push(seq),
    }
}
