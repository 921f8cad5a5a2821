//! Queries: which world answers each question (the place snapshot's
//! gathered records, or a full replay), and names resolved to ids.

use annals_model::{ActorId, KnownAt, PlaceId};
use annals_replay::{DatedGraph, HistoryEntry, Node, RelationKind, Resolve, World};
use chrono::NaiveDate;

use crate::error::{Asked, Unresolved};
use crate::places::{Gather, Namesakes};
use crate::similar::closest;
use crate::{shown, Annals, Error, Line};

/// The timeline `history` shows, with a world that holds it.
#[derive(Debug)]
pub enum Timeline {
    Place(PlaceId, World),
    State(ActorId, World),
}

/// What `graph --on` draws: the relation kinds kept (all when empty), and
/// the node whose neighbourhood, `depth` relations deep, is kept.
#[derive(Clone, Debug, Default)]
pub struct GraphQuery<'q> {
    pub kinds: &'q [RelationKind],
    pub around: Option<&'q str>,
    pub depth: usize,
}

impl Annals {
    /// Replays the log, as of `known_at` (recorded time) when given.
    ///
    /// Records stream from the log into the world (no second copy of
    /// them), read and decoded on a second thread while the world takes
    /// them in.
    pub fn replay(&self, known_at: Option<&KnownAt>) -> Result<World, Error> {
        let log = self.log();
        let mut damage = None;
        let world = log.iter_ahead(1, |records| {
            World::replay(
                records
                    .take(log.len() as usize)
                    .map_while(|rec| rec.map_err(|e| damage = Some(e)).ok())
                    .filter(|rec| known_at.is_none_or(|c| c.includes(rec))),
            )
        });
        match damage {
            Some(e) => Err(Error::Damaged(e)),
            None => Ok(world),
        }
    }

    /// The place `query` names and a world that answers `control` for it,
    /// as the log knew things at `known_at`, with what finds the places
    /// that share its name ([`Annals::place_namesakes`]). From the place
    /// index, replaying only the records the answer rests on (those of
    /// every place linked to it included); names that resolve to no place
    /// or to several go to a full replay, which words the error the same
    /// way every query does.
    pub fn control_world(
        &self,
        query: &str,
        known_at: Option<&KnownAt>,
    ) -> Result<(PlaceId, World, Namesakes), Error> {
        let index = self.place_index(false)?;
        if let Some((place, world)) =
            self.indexed_place(&index, query, known_at, Gather::Control)?
        {
            return Ok((place, world, Namesakes(Some(index))));
        }
        let world = self.replay(known_at)?;
        let place = resolve_place(&world, query)?;
        Ok((place, world, Namesakes(None)))
    }

    /// [`answer::within`](crate::answer::within) for an answer from the
    /// place index, which gathers one place's records only: when the
    /// places within are asked, the index gathers theirs too
    /// ([`PlaceIndex::within_world`](annals_replay::PlaceIndex::within_world)),
    /// as known at `known_at`, and they answer as in a full replay.
    pub fn within(
        &self,
        place: &PlaceId,
        answer: &annals_replay::Holding,
        known_at: Option<&KnownAt>,
    ) -> Result<Vec<serde_json::Value>, Error> {
        if crate::answer::rests_on_own_events(answer) {
            return Ok(Vec::new());
        }
        let index = self.place_index(false)?;
        let log = self.log();
        let keep = |r: &annals_model::Recorded| known_at.is_none_or(|c| c.includes(r));
        let fetch = self.fetch_for(&index.linked_places(&index.within_places(place)));
        let world =
            index.within_world(place, keep, fetch, |id| log.lookup(id)).map_err(Error::Damaged)?;
        Ok(crate::answer::within(&world, place, answer))
    }

    /// The state `query` names and a world that answers `government` for
    /// it, as the log knew things at `known_at`: like
    /// [`Annals::control_world`], from the index when the name resolves to
    /// one actor known then, else by a full replay.
    pub fn government_world(
        &self,
        query: &str,
        known_at: Option<&KnownAt>,
    ) -> Result<(ActorId, World), Error> {
        let index = self.place_index(false)?;
        if let Some(found) = self.indexed_state(&index, query, known_at)? {
            return Ok(found);
        }
        let world = self.replay(known_at)?;
        let state = resolve_actor(&world, query, Asked::State)?;
        Ok((state, world))
    }

    /// What `history QUERY` shows: the place `query` names, unless it names
    /// no place or one without events, and a state with a government
    /// timeline answers instead. From the place index when the names
    /// resolve there (see [`Annals::control_world`]), else by a full replay.
    pub fn history_world(
        &self,
        query: &str,
        known_at: Option<&KnownAt>,
    ) -> Result<Timeline, Error> {
        let index = self.place_index(false)?;
        match self.indexed_place(&index, query, known_at, Gather::History)? {
            Some((place, world)) if !world.history(&place).is_empty() => {
                return Ok(Timeline::Place(place, world));
            }
            // Known, without events, or no one place then: a state may
            // answer.
            Some(_) | None => {}
        }
        match self.indexed_state(&index, query, known_at)? {
            Some((state, world)) if !world.government_history(&state).is_empty() => {
                Ok(Timeline::State(state, world))
            }
            _ => self.history_replayed(query, known_at),
        }
    }

    /// [`Annals::history_world`] by a full replay, which also words every
    /// refusal.
    fn history_replayed(&self, query: &str, known_at: Option<&KnownAt>) -> Result<Timeline, Error> {
        let world = self.replay(known_at)?;
        // A state with a government timeline, unless a place answers with events.
        let place_events = world.resolve_place(query).map(|p| world.history(&p).len());
        if place_events.is_err() || place_events == Ok(0) {
            if let Ok(state) = world.resolve_actor(query) {
                if !world.government_history(&state).is_empty() {
                    return Ok(Timeline::State(state, world));
                }
            }
        }
        let place = resolve_place(&world, query)?;
        Ok(Timeline::Place(place, world))
    }

    /// The records of a timeline's entries, read from the log (the world
    /// keeps what orders them, not the events), each with the retraction
    /// that withdrew it.
    pub fn timeline<'w>(&self, entries: &[HistoryEntry<'w>]) -> Result<Vec<Line<'w>>, Error> {
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
        let records = self.log().get_many(&seqs).map_err(Error::Damaged)?;
        if records.len() != entries.len() {
            return Err(Error::Inconsistent(format!(
                "the log holds {} of the {} records replayed; run `annals verify`",
                records.len(),
                entries.len()
            )));
        }
        Ok(records.into_iter().zip(entries).map(|(r, e)| (r, e.retracted_by)).collect())
    }

    /// Every stored record in log order, with the retraction that withdrew
    /// it (as a full replay of `world` says).
    pub fn records<'w>(
        &'w self,
        world: &'w World,
    ) -> impl Iterator<Item = Result<Line<'w>, Error>> + 'w {
        self.log().iter().map(move |rec| {
            let rec = rec?;
            let by = world.retracted_by(rec.event.id.as_str());
            Ok((rec, by))
        })
    }
}

/// The graph of `day` that `query` asks for, and its title.
pub fn dated_graph(
    world: &World,
    day: NaiveDate,
    query: &GraphQuery<'_>,
) -> Result<(DatedGraph, String), Error> {
    let mut title = format!("annals: relations on {day}");
    let graph = match query.around {
        Some(around) => {
            let center = resolve_node(world, around)?;
            title.push_str(&format!(" around {}", world.node_name(&center)));
            world.graph_around(day, query.kinds, &center, query.depth)
        }
        None => world.graph_of_kinds(day, query.kinds),
    };
    Ok((graph, title))
}

/// `Bamba (bamba, in Gao Region)`.
pub fn place_label(world: &World, id: &PlaceId) -> String {
    let Some(p) = world.place(id.as_str()) else { return id.to_string() };
    match p.within.as_ref().and_then(|w| world.place(w.as_str())) {
        Some(parent) => format!("{} ({}, in {})", shown(&p.name), p.id, shown(&parent.name)),
        None => format!("{} ({})", shown(&p.name), p.id),
    }
}

/// How many close names an unknown name's error suggests at most.
const SUGGESTED: usize = 8;

/// An entity's id, name and aliases, the names a mistyped name is compared with.
fn names<'a>(id: &'a str, name: &'a str, aliases: &'a [String]) -> Vec<&'a str> {
    let mut all = vec![id, name];
    all.extend(aliases.iter().map(String::as_str));
    all
}

/// The place `query` names, by id, name or alias.
pub fn resolve_place(world: &World, query: &str) -> Result<PlaceId, Unresolved> {
    let labels = |ids: Vec<PlaceId>| ids.iter().map(|p| place_label(world, p)).collect();
    world.resolve_place(query).map_err(|r| match r {
        Resolve::NotFound { query, mut suggestions } => {
            if suggestions.is_empty() {
                let names =
                    world.places().map(|p| (&p.id, names(p.id.as_str(), &p.name, &p.aliases)));
                suggestions = closest(&query, names, SUGGESTED);
            }
            Unresolved::NoPlace { query, suggestions: labels(suggestions) }
        }
        Resolve::Ambiguous { query, candidates } => {
            Unresolved::Places { query, candidates: labels(candidates) }
        }
    })
}

/// The actor `query` names, by id, name or alias; `asked` words the error.
pub fn resolve_actor(world: &World, query: &str, asked: Asked) -> Result<ActorId, Unresolved> {
    let ids = |ids: Vec<ActorId>| ids.iter().map(|a| a.as_str().to_string()).collect();
    world.resolve_actor(query).map_err(|r| match r {
        Resolve::NotFound { query, mut suggestions } => {
            if suggestions.is_empty() {
                let names =
                    world.actors().map(|a| (&a.id, names(a.id.as_str(), &a.name, &a.aliases)));
                suggestions = closest(&query, names, SUGGESTED);
            }
            Unresolved::NoActor { asked, query, suggestions: ids(suggestions) }
        }
        Resolve::Ambiguous { query, candidates } => {
            Unresolved::Actors { query, candidates: ids(candidates) }
        }
    })
}

/// An actor, or else a place, by id, name or alias.
pub fn resolve_node(world: &World, query: &str) -> Result<Node, Unresolved> {
    if let Ok(actor) = world.resolve_actor(query) {
        return Ok(Node::Actor(actor));
    }
    match world.resolve_place(query) {
        Ok(place) => Ok(Node::Place(place)),
        Err(Resolve::NotFound { .. }) => {
            resolve_actor(world, query, Asked::ActorOrPlace).map(Node::Actor)
        }
        Err(_) => resolve_place(world, query).map(Node::Place),
    }
}
