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
/// in the log ([`Log::copy_records`]): a cold `control` of it then reads a
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

    /// What `fetch` of [`PlaceIndex::control_world`] reads for `place`: the
    /// records kept as copies for it ([`Annals::save_index`]) from those,
    /// the others from the log. Damaged copies are a warning: they are
    /// removed (the next import copies those records again), and every
    /// record is read from the log.
    fn fetch_for<'l>(
        &'l self,
        place: &PlaceId,
    ) -> impl FnMut(&[u64]) -> Result<Vec<Recorded>, annals_log::Error> + 'l {
        let log = self.log();
        let copies = log.copies(place.as_str()).unwrap_or_else(|error| {
            let removed = log.remove_copies(place.as_str()).is_ok();
            self.warn(Warning::CopiesDamaged { error, removed });
            Vec::new()
        });
        log.get_many_with(copies)
    }

    /// The places that share a name or alias with `place` in `world` but are
    /// not linked to it, as the log knew them at `known_at`: a name that
    /// still means several things, which an answer mentions. From the place
    /// index (a world gathered for one place knows no other), unless the
    /// log holds links, and `world` then is a full replay.
    pub fn place_namesakes(
        &self,
        world: &World,
        place: &PlaceId,
        known_at: Option<&KnownAt>,
    ) -> Result<Vec<PlaceId>, Error> {
        let index = self.place_index(false)?;
        if index.has_links() {
            return Ok(world.place_namesakes(place));
        }
        let Some(info) = world.place(place.as_str()) else { return Ok(Vec::new()) };
        let names = std::iter::once(&info.name).chain(&info.aliases).map(String::as_str);
        let found = index.places_named(place, names);
        if known_at.is_none() {
            return Ok(found.into_iter().map(|(id, _)| id).collect());
        }
        let seqs: Vec<u64> = found.iter().map(|(_, seq)| *seq).collect();
        let records = self.log().get_many(&seqs).map_err(Error::Damaged)?;
        let known: Vec<u64> = records
            .iter()
            .filter(|r| known_at.is_none_or(|c| c.includes(r)))
            .map(|r| r.seq)
            .collect();
        Ok(found.into_iter().filter(|(_, seq)| known.contains(seq)).map(|(id, _)| id).collect())
    }

    /// The place `query` names in the place index, with the world of the
    /// records `gather` names, as the log knew them at `known_at`; `None`
    /// if the index names no one place, or one not yet known then.
    pub(crate) fn indexed_place(
        &self,
        index: &PlaceIndex,
        query: &str,
        known_at: Option<&KnownAt>,
        gather: Gather,
    ) -> Result<Option<(PlaceId, World)>, Error> {
        let log = self.log();
        from_index(
            index,
            known_at,
            |index| index.resolve(query),
            |index, place, keep| {
                let (fetch, lookup) = (self.fetch_for(place), |id: &str| log.lookup(id));
                match gather {
                    Gather::Control => index.control_world(place, keep, fetch, lookup),
                    Gather::History => index.history_world(place, keep, fetch, lookup),
                }
            },
            |world, place| world.place(place.as_str()).is_some(),
        )
    }

    /// The state `query` names in the place index, with the world of its
    /// government records as the log knew them at `known_at`; `None` as
    /// for [`Annals::indexed_place`].
    pub(crate) fn indexed_state(
        &self,
        index: &PlaceIndex,
        query: &str,
        known_at: Option<&KnownAt>,
    ) -> Result<Option<(ActorId, World)>, Error> {
        let log = self.log();
        from_index(
            index,
            known_at,
            |index| index.resolve_actor(query),
            |index, state, keep| {
                index.government_world(state, keep, |seqs| log.get_many(seqs), |id| log.lookup(id))
            },
            |world, state| world.actor(state.as_str()).is_some(),
        )
    }
}

/// What the place `index` `find`s, with the world `gather` replays for it
/// from the records kept at `known_at`; `None` if the log holds links (an
/// answer then rests on several places' records), if the index finds nothing,
/// or finds something the gathered world does not `know` (not yet recorded
/// then).
fn from_index<T>(
    index: &PlaceIndex,
    known_at: Option<&KnownAt>,
    find: impl Fn(&PlaceIndex) -> Option<T>,
    gather: impl Fn(&PlaceIndex, &T, &dyn Fn(&Recorded) -> bool) -> Result<World, annals_log::Error>,
    know: impl Fn(&World, &T) -> bool,
) -> Result<Option<(T, World)>, Error> {
    if index.has_links() {
        return Ok(None);
    }
    let Some(found) = find(index) else { return Ok(None) };
    let keep = |r: &Recorded| known_at.is_none_or(|c| c.includes(r));
    let world = gather(index, &found, &keep).map_err(Error::Damaged)?;
    Ok(know(&world, &found).then_some((found, world)))
}

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
