//! The place index: what a `control` (or `government`) answer needs to find
//! its records without replaying the log, small enough to checkpoint as a
//! snapshot.
//!
//! For every place it keeps the sequence numbers of its control events and
//! of its attacks, for every state those of its `government` and `coup`
//! events, for every actor those of its dissolutions (gathered with any
//! record that names the actor: a dissolution ends holdings), for every
//! actor and place its link records (`same_as`, `identifiers`), and for
//! every event the retractions that name it; names are looked up as in
//! [`World::resolve_place`] and [`World::resolve_actor`].
//! [`PlaceIndex::control_world`] replays only the records an answer rests
//! on (the place, its control events, their retractions, everything they
//! cite, by id, and the few sources of dataset releases, which say what
//! period the data cover), and that gives the same answer as replaying the whole
//! log: the control of a place depends on nothing else, and the government
//! of a state likewise ([`PlaceIndex::government_world`]); a place's history
//! also needs its attacks ([`PlaceIndex::history_world`]).
//!
//! Links make one answer of the records of several ids. The index does not
//! decide which links hold (a retraction, or `--known-at`, may undo one):
//! it gathers the records of every id that any link record could join with
//! the one asked about, transitively, and every link record that names an
//! id gathered, so that replay of them decides, as a full replay would.
//! Link records are few next to events, and a linked set small, so this
//! over-gathering costs little. A name is looked up the same way: the
//! world of every place that bears it ([`PlaceIndex::place_candidates`])
//! resolves it as a full replay does, links making several places one.
//! The property tests check all this for snapshots taken at every point of
//! generated logs with links.
//!
//! The index is built in log order ([`PlaceIndex::add`]), so a snapshot of the
//! first `n` records plus the records after `n` equals the index of them all.

use std::collections::{BTreeMap, BTreeSet};

use annals_model::{
    normalize_name, ActorId, Entity, Event, EventKind, Linked, PlaceId, Recorded, RefKind,
};
use hashbrown::{HashMap, HashSet};
use serde::{Deserialize, Serialize};

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
    /// Actor or place id → the `same_as` records that name it, in log order.
    same_as: BTreeMap<String, Seqs>,
    /// Actor or place id → the other ids its `same_as` records name.
    linked: BTreeMap<String, BTreeSet<String>>,
    /// Actor or place id → its `identifiers` records, in log order.
    identifiers: BTreeMap<String, Seqs>,
    /// Actor or place id → `kind scheme value` of each identifier its
    /// `identifiers` records give.
    identifier_keys: BTreeMap<String, BTreeSet<String>>,
    /// `kind scheme value` → the entities whose `identifiers` give it.
    identified: BTreeMap<String, BTreeSet<String>>,
    /// The `source` records that name a dataset's release or the period a
    /// source covers, in log order: gathered with every answer, which says
    /// whether the day asked lies past what its datasets cover.
    releases: Seqs,
    /// Place id → the places whose `place` records say they lie within it
    /// (any record, retracted or not: [`PlaceIndex::within_world`] gathers
    /// more than it needs rather than less).
    children: BTreeMap<String, BTreeSet<String>>,
}

impl PlaceIndex {
    /// The snapshot name of this index.
    pub const NAME: &'static str = "places";
    /// The version of this index's layout; a snapshot of another is rebuilt.
    /// Schema 2 adds actors, their names and each state's government records;
    /// schema 3 each place's attacks; schema 4 stores each list of records
    /// as differences ([`Seqs`]); schema 5 counts links (`same_as`
    /// records and shared identifiers); schema 6 each actor's dissolutions;
    /// schema 7 keeps, instead of that count, the `same_as` and
    /// `identifiers` records of each actor and place, the ids each `same_as`
    /// names together and the identifiers each entity bears, so that an
    /// answer gathers the records of every id links may join with the one
    /// asked about; schema 8 the places within each place, so that
    /// `control`'s `within` is answered from the index too; schema 9 the
    /// sources that name a release or a period covered.
    pub const SCHEMA: u32 = 9;

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
            EventKind::Place { name, aliases, within, .. } => {
                let id = event.id.as_str();
                self.places.insert(id.to_string(), seq);
                if let Some(parent) = within {
                    let children = self.children.entry(parent.as_str().to_string()).or_default();
                    children.insert(id.to_string());
                }
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
            EventKind::SameAs { linked } => {
                let ids: BTreeSet<&str> = match linked {
                    Linked::Actors(ids) => ids.iter().map(ActorId::as_str).collect(),
                    Linked::Places(ids) => ids.iter().map(PlaceId::as_str).collect(),
                };
                for &id in &ids {
                    push(&mut self.same_as, id, seq);
                    let others = ids.iter().filter(|&&o| o != id).map(|o| o.to_string());
                    self.linked.entry(id.to_string()).or_default().extend(others);
                }
            }
            EventKind::Identifiers { entity, ids } => {
                let (kind, id) = match entity {
                    Entity::Actor(a) => ("actor", a.as_str()),
                    Entity::Place(p) => ("place", p.as_str()),
                };
                push(&mut self.identifiers, id, seq);
                for (scheme, value) in ids {
                    let key = format!("{kind} {scheme} {value}");
                    self.identified.entry(key.clone()).or_default().insert(id.to_string());
                    self.identifier_keys.entry(id.to_string()).or_default().insert(key);
                }
            }
            EventKind::ActorDissolved { actor, .. } => {
                push(&mut self.dissolutions, actor.as_str(), seq)
            }
            EventKind::Source { release, covers, .. } if release.is_some() || covers.is_some() => {
                self.releases.push(seq)
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

    /// The places other than `place` that bear one of `names` (normalized
    /// here), sorted by id.
    pub fn places_named<'n>(
        &self,
        place: &PlaceId,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Vec<PlaceId> {
        let mut out = BTreeSet::new();
        for name in names {
            for other in self.names.get(&normalize_name(name)).into_iter().flatten() {
                if other.as_str() != place.as_str() && self.places.contains_key(other) {
                    out.extend(PlaceId::new(other).ok());
                }
            }
        }
        out.into_iter().collect()
    }

    /// The last record included (0: none).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Every place `query` may name at any `--known-at`, sorted: the place
    /// whose id it is, and the places that bear it as a name or alias
    /// (normalized), as [`World::resolve_place`] looks them up. A world
    /// gathered for them ([`PlaceIndex::control_world`]) resolves `query`
    /// as a full replay does.
    pub fn place_candidates(&self, query: &str) -> Vec<PlaceId> {
        candidates(query, &self.places, &self.names)
            .filter_map(|id| PlaceId::new(id).ok())
            .collect()
    }

    /// Every actor `query` may name, as [`PlaceIndex::place_candidates`].
    pub fn actor_candidates(&self, query: &str) -> Vec<ActorId> {
        candidates(query, &self.actors, &self.actor_names)
            .filter_map(|id| ActorId::new(id).ok())
            .collect()
    }

    /// The places that links may join with one of `places` (these
    /// included), sorted: every id reached by following `same_as` records
    /// and identifiers shared with a place, retracted or not, at any
    /// `--known-at`. A linked set as the log knows it at any point lies
    /// within.
    pub fn linked_places(&self, places: &[PlaceId]) -> Vec<PlaceId> {
        self.reach(places.iter().map(PlaceId::as_str))
            .iter()
            .filter_map(|id| PlaceId::new(id.as_str()).ok())
            .collect()
    }

    /// The world of the records the control answers for `places` rest on:
    /// for every place links may join with one of them
    /// ([`PlaceIndex::linked_places`]), its `place` event (and those it
    /// lies within) and its control events; the retractions of any of
    /// these; every source, actor and place they cite; and every link
    /// record (`same_as`, `identifiers`) that may join an actor or place
    /// gathered with another. It answers `control` (and describes the
    /// place, the actors and the sources) for the places `places` are
    /// candidates for ([`PlaceIndex::place_candidates`]), exactly as a
    /// full replay does, under the links the log holds. `keep` filters
    /// records (for `--known-at`); `fetch` reads the records of ascending
    /// sequence numbers (those that exist), `lookup` finds an id's record.
    /// Records are fetched in rounds (the places' own first, then what
    /// they lead to), so a store that reads many records at once better
    /// than one by one can; sled 0.34 cannot (see `Log::get_many`).
    pub fn control_world<E>(
        &self,
        places: &[PlaceId],
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        self.place_world(places, &[&self.control], keep, fetch, lookup)
    }

    /// The world that answers `control` for `place` and for every place
    /// that lies within it: [`PlaceIndex::control_world`] of them all. The
    /// places within are those any `place` record ever put there (a
    /// retracted or later record may have moved one since; the world
    /// gathered holds the records that say where each lies as the log
    /// knew it), so the places this world has within `place`, and their
    /// answers, are those of a full replay. Arguments as for
    /// [`PlaceIndex::control_world`].
    pub fn within_world<E>(
        &self,
        place: &PlaceId,
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        let places = self.within_places(place);
        self.place_world(&places, &[&self.control], keep, fetch, lookup)
    }

    /// `place` and the places any `place` record puts within it, sorted.
    pub fn within_places(&self, place: &PlaceId) -> Vec<PlaceId> {
        let children = self.children.get(place.as_str()).into_iter().flatten();
        let mut out: Vec<PlaceId> = children.filter_map(|c| PlaceId::new(c).ok()).collect();
        out.push(place.clone());
        out.sort();
        out.dedup();
        out
    }

    /// Like [`PlaceIndex::control_world`], with the places' attacks too:
    /// the world answers `history` (and `control`) for them.
    pub fn history_world<E>(
        &self,
        places: &[PlaceId],
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        self.place_world(places, &[&self.control, &self.attacks], keep, fetch, lookup)
    }

    /// The world of the `place` events of `places` (and of those they lie
    /// within), with their links: it answers which place a name means,
    /// and which others bear it ([`World::place_namesakes`]), as a full
    /// replay does for these places.
    pub fn places_world<E>(
        &self,
        places: &[PlaceId],
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        self.place_world(places, &[], keep, fetch, lookup)
    }

    /// The world of the records a government answer for `states` rests on:
    /// for every actor links may join with one of them, its `actor` event
    /// and its `government` and `coup` events; the retractions of any of
    /// these; every source, actor and place they cite; and the link
    /// records, as for [`PlaceIndex::control_world`]. It answers
    /// `government` and `history` (and describes the actors and sources)
    /// for the states `states` are candidates for
    /// ([`PlaceIndex::actor_candidates`]). Arguments as for
    /// [`PlaceIndex::control_world`].
    pub fn government_world<E>(
        &self,
        states: &[ActorId],
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        let members = self.reach(states.iter().map(ActorId::as_str));
        let start =
            members.iter().filter_map(|s| self.governments.get(s)).flat_map(Seqs::iter).collect();
        let entities = members.iter().map(|s| (RefKind::Actor, s.as_str())).collect();
        Ok(World::replay(self.gather(start, entities, keep, fetch, lookup)?))
    }

    /// The world of every place links may join with one of `places`: its
    /// `place` event, its records in each of `lists`, and everything they
    /// lead to ([`PlaceIndex::gather`]).
    fn place_world<E>(
        &self,
        places: &[PlaceId],
        lists: &[&BTreeMap<String, Seqs>],
        keep: impl Fn(&Recorded) -> bool,
        fetch: impl FnMut(&[u64]) -> Result<Vec<Recorded>, E>,
        lookup: impl FnMut(&str) -> Result<Option<u64>, E>,
    ) -> Result<World, E> {
        let members = self.reach(places.iter().map(PlaceId::as_str));
        let start = members
            .iter()
            .flat_map(|p| lists.iter().filter_map(|l| l.get(p)))
            .flat_map(Seqs::iter)
            .collect();
        let entities = members.iter().map(|p| (RefKind::Place, p.as_str())).collect();
        Ok(World::replay(self.gather(start, entities, keep, fetch, lookup)?))
    }

    /// The ids links may join with one of `ids` (these included): the
    /// closure over the ids a `same_as` record names with one, and the
    /// entities that share an identifier with one.
    fn reach<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> BTreeSet<String> {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut todo: Vec<String> = ids.into_iter().map(str::to_string).collect();
        while let Some(id) = todo.pop() {
            if seen.contains(&id) {
                continue;
            }
            let linked = self.linked.get(&id).into_iter().flatten();
            let shared = self.sharing(&id);
            todo.extend(linked.chain(shared).filter(|o| !seen.contains(*o)).cloned());
            seen.insert(id);
        }
        seen
    }

    /// The entities (`id` among them) that bear an identifier `id` bears.
    fn sharing<'a>(&'a self, id: &str) -> impl Iterator<Item = &'a String> + 'a {
        let keys = self.identifier_keys.get(id).into_iter().flatten();
        keys.flat_map(|key| self.identified.get(key).into_iter().flatten())
    }

    /// The records that come with an actor or a place `id`: its own (when
    /// this index holds it), its dissolutions (an actor's dissolution ends
    /// what it holds), the `same_as` records that name it, and its
    /// `identifiers` records and those of every entity that shares an
    /// identifier with it (each of which leads to that entity in turn).
    /// `false` when this index holds no record of `id` itself.
    fn entity_records(&self, kind: RefKind, id: &str, out: &mut Vec<u64>) -> bool {
        let own = match kind {
            RefKind::Actor => self.actors.get(id),
            RefKind::Place => self.places.get(id),
            _ => None,
        };
        out.extend(own);
        if kind == RefKind::Actor {
            out.extend(self.dissolutions.get(id).into_iter().flat_map(Seqs::iter));
        }
        out.extend(self.same_as.get(id).into_iter().flat_map(Seqs::iter));
        let bearers = std::iter::once(id).chain(self.sharing(id).map(String::as_str));
        for bearer in bearers {
            out.extend(self.identifiers.get(bearer).into_iter().flat_map(Seqs::iter));
        }
        own.is_some()
    }

    /// The records `start` and those of `entities` ([`PlaceIndex::entity_records`]),
    /// and everything they lead to: their retractions, and the records of
    /// every id they cite.
    fn gather<E>(
        &self,
        mut wanted: Vec<u64>,
        entities: Vec<(RefKind, &str)>,
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
        wanted.extend(self.releases.iter());
        for (kind, id) in entities {
            looked_up.insert(id.to_string());
            self.entity_records(kind, id, &mut wanted);
        }
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
                        if !self.entity_records(r.kind, r.id, &mut next) {
                            next.extend(lookup(r.id)?);
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

/// The ids `query` may name: the id it is (trimmed, or normalized), and the
/// ids that bear it (normalized) as a name or alias, sorted.
fn candidates<'a>(
    query: &str,
    by_id: &'a BTreeMap<String, u64>,
    by_name: &'a BTreeMap<String, BTreeSet<String>>,
) -> impl Iterator<Item = &'a str> {
    let trimmed = query.trim();
    let key = normalize_name(trimmed);
    let mut out: BTreeSet<&'a str> = BTreeSet::new();
    for id in [trimmed, key.as_str()] {
        out.extend(by_id.get_key_value(id).map(|(id, _)| id.as_str()));
    }
    if !key.is_empty() {
        out.extend(by_name.get(&key).into_iter().flatten().map(String::as_str));
    }
    out.into_iter()
}

/// Adds `seq` to the list of `key`, copying the key only for a new list.
fn push(lists: &mut BTreeMap<String, Seqs>, key: &str, seq: u64) {
    match lists.get_mut(key) {
        Some(list) => list.push(seq),
        None => lists.entry(key.to_string()).or_default().push(seq),
    }
}
