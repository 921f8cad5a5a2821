//! The place snapshot policy: when the place index is read from its
//! snapshot, rebuilt or saved, and which records of busy places are kept as
//! copies; and the answers gathered from it, replaying only the records one
//! place's (or state's) answer rests on.

use annals_log::Snapshot;
use annals_model::{ActorId, KnownAt, PlaceId, Recorded};
use annals_replay::{PlaceIndex, World};

use crate::{Annals, Error, Warning};

/// A snapshot that has fallen this many records behind the log is saved again.
const SNAPSHOT_EVERY: u64 = 10_000;

/// A place with this many control records keeps copies of them together
/// in the log ([`Log::copy_groups`]): a cold `control` of it then reads a
/// few values instead of a block per record (the busiest place of a 1M
/// log rests on 40 000 records in 30 000 of its 62 500 blocks).
const COPY_AT: usize = 4096;
/// Copies are appended once this many of a busy place's records are not
/// yet copied; fewer are read from the log.
const COPY_TAIL: usize = 256;

/// Which records of a place the index gathers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Gather {
    /// Those its control answers rest on.
    Control,
    /// Those and its attacks: its whole history.
    History,
}

impl Annals {
    /// The place index: the newest snapshot plus the records after it, or,
    /// when there is no snapshot or it does not match the log, a rebuild
    /// from the whole log. Saved when rebuilt, when far behind, or when
    /// `save` says so.
    pub(crate) fn place_index(&self, save: bool) -> Result<PlaceIndex, Error> {
        let log = self.log();
        let (mut index, stale) = match log
            .load_snapshot::<PlaceIndex>(PlaceIndex::NAME, PlaceIndex::SCHEMA)?
        {
            Snapshot::Fresh { state, last_seq } if state.last_seq() == last_seq => (state, false),
            // Missing, stale, damaged, or a state that disagrees with its header.
            _ => (PlaceIndex::default(), true),
        };
        let snapshot_seq = index.last_seq();
        for rec in log.iter_from(snapshot_seq + 1) {
            let rec = rec.map_err(Error::Damaged)?;
            index.add(rec.seq, &rec.event);
        }
        let behind = index.last_seq() - snapshot_seq;
        if stale || behind >= SNAPSHOT_EVERY || (save && behind > 0) {
            self.save_index(&index)?;
        }
        Ok(index)
    }

    /// Saves `index` as the place snapshot, and copies of the records of
    /// its busy places. A failure to copy is a warning: queries then read
    /// those records from the log, as for any other place.
    pub(crate) fn save_index(&self, index: &PlaceIndex) -> Result<(), Error> {
        let log = self.log();
        log.save_snapshot(PlaceIndex::NAME, PlaceIndex::SCHEMA, index.last_seq(), index)?;
        let busy: Vec<(&str, Vec<u64>)> = index.busy_places(COPY_AT).collect();
        if let Err(e) = log.copy_groups(&busy, COPY_TAIL) {
            self.warn(Warning::CopiesNotUpdated(e));
        }
        Ok(())
    }

    /// What `fetch` of [`PlaceIndex::control_world`] reads for `places`:
    /// the records kept as copies for them ([`Annals::save_index`]) from
    /// those, the others from the log. Damaged copies are a warning: they
    /// are removed (the next import copies those records again), and every
    /// record is read from the log.
    pub(crate) fn fetch_for<'l>(
        &'l self,
        places: &[PlaceId],
    ) -> impl FnMut(&[u64]) -> Result<Vec<Recorded>, annals_log::Error> + 'l {
        let log = self.log();
        let mut copies = Vec::new();
        for place in places {
            copies.extend(log.copies(place.as_str()).unwrap_or_else(|error| {
                let removed = log.remove_copies(place.as_str()).is_ok();
                self.warn(Warning::CopiesDamaged { error, removed });
                Vec::new()
            }));
        }
        copies.sort_by_key(|r| r.seq);
        copies.dedup_by_key(|r| r.seq);
        log.get_many_with(copies)
    }

    /// The places that share a name or alias with `place` in `world` but are
    /// not linked to it, one per linked set, as the log knew them at
    /// `known_at`: a name that still means several things, which an answer
    /// mentions. From the place index `world` was gathered from (which
    /// knows no other place), replaying the `place` events of the places
    /// that bear one of its names and their links; from `world` itself when
    /// it is a full replay.
    pub fn place_namesakes(
        &self,
        found: &Namesakes,
        world: &World,
        place: &PlaceId,
        known_at: Option<&KnownAt>,
    ) -> Result<Vec<PlaceId>, Error> {
        let Namesakes(Some(index)) = found else { return Ok(world.place_namesakes(place)) };
        let Some(info) = world.place(place.as_str()) else { return Ok(Vec::new()) };
        let names = std::iter::once(&info.name).chain(&info.aliases).map(String::as_str);
        let mut places = index.places_named(place, names);
        if places.is_empty() {
            return Ok(Vec::new());
        }
        places.push(place.clone());
        let log = self.log();
        let keep = |r: &Recorded| known_at.is_none_or(|c| c.includes(r));
        let named = index
            .places_world(&places, keep, |seqs| log.get_many(seqs), |id| log.lookup(id))
            .map_err(Error::Damaged)?;
        Ok(named.place_namesakes(place))
    }

    /// The place `query` names, with the world of the records `gather`
    /// names for it, as the log knew them at `known_at`, from the place
    /// index: the world gathered for every place the name may mean
    /// ([`PlaceIndex::place_candidates`]) resolves it as a full replay
    /// does. `None` if it names no place then, or several.
    pub(crate) fn indexed_place(
        &self,
        index: &PlaceIndex,
        query: &str,
        known_at: Option<&KnownAt>,
        gather: Gather,
    ) -> Result<Option<(PlaceId, World)>, Error> {
        let candidates = index.place_candidates(query);
        if candidates.is_empty() {
            return Ok(None);
        }
        let log = self.log();
        let keep = |r: &Recorded| known_at.is_none_or(|c| c.includes(r));
        let fetch = self.fetch_for(&index.linked_places(&candidates));
        let lookup = |id: &str| log.lookup(id);
        let world = match gather {
            Gather::Control => index.control_world(&candidates, keep, fetch, lookup),
            Gather::History => index.history_world(&candidates, keep, fetch, lookup),
        }
        .map_err(Error::Damaged)?;
        Ok(world.resolve_place(query).ok().map(|place| (place, world)))
    }

    /// The state `query` names, with the world of its government records as
    /// the log knew them at `known_at`; `None` as for
    /// [`Annals::indexed_place`].
    pub(crate) fn indexed_state(
        &self,
        index: &PlaceIndex,
        query: &str,
        known_at: Option<&KnownAt>,
    ) -> Result<Option<(ActorId, World)>, Error> {
        let candidates = index.actor_candidates(query);
        if candidates.is_empty() {
            return Ok(None);
        }
        let log = self.log();
        let keep = |r: &Recorded| known_at.is_none_or(|c| c.includes(r));
        let world = index
            .government_world(&candidates, keep, |seqs| log.get_many(seqs), |id| log.lookup(id))
            .map_err(Error::Damaged)?;
        Ok(world.resolve_actor(query).ok().map(|state| (state, world)))
    }
}

/// What finds the places that share a name with a `control` answer's place
/// ([`Annals::place_namesakes`]): the place index its world was gathered
/// from, which is then read once for both; none when that world is a full
/// replay, which knows every place itself.
#[derive(Debug)]
pub struct Namesakes(pub(crate) Option<PlaceIndex>);

/// Saves the snapshot after an import: `index`, grown with the stored
/// events, or else a rebuild. A failure is a warning: the next query
/// rebuilds it.
pub(crate) fn save_after_import(annals: &Annals, index: Option<&PlaceIndex>) {
    let saved = match index {
        Some(index) => annals.save_index(index),
        None => annals.place_index(true).map(drop),
    };
    if let Err(e) = saved {
        annals.warn(Warning::SnapshotNotSaved(chain(&e)));
    }
}

/// An error and its causes, as "what: why: why".
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
