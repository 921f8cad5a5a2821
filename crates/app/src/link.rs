//! Links: `same_as` events that say several ids name one actor or one
//! place, appended by hand (`annals link A B --source S`), and the links a
//! review of the log suggests (`annals link --suggest`), written as lines of
//! format v1 for a historian to check and import.

use std::collections::{BTreeMap, BTreeSet};

use annals_model::{
    normalize_name, v1, ActorId, Claim, Event, EventId, EventKind, Linked, PlaceId, SourceId,
};
use annals_replay::{PlaceInfo, World};
use chrono::{DateTime, Utc};

use crate::{Annals, Error};

/// A link appended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkAppended {
    /// The id of the `same_as` event (derived from its content).
    pub link: EventId,
    /// `actors` or `places`.
    pub of: &'static str,
    /// The ids linked, as given.
    pub ids: Vec<String>,
    /// Its sequence number; `None` when the log already held this link.
    pub seq: Option<u64>,
}

/// Places of one name at most this far apart are suggested as one place.
pub const NEAR_KM: f64 = 20.0;

impl Annals {
    /// Appends a `same_as` event joining `ids` (two or more ids, all of
    /// actors or all of places), citing `sources`, recorded at `now`.
    pub fn link(
        &mut self,
        ids: &[String],
        sources: &[String],
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<LinkAppended, Error> {
        self.writable("link")?;
        if ids.len() < 2 {
            return Err(Error::Usage("`link` joins two or more ids".into()));
        }
        if sources.is_empty() {
            return Err(Error::Usage(
                "--source must name the source that says these ids name one thing".into(),
            ));
        }
        let world = self.replay(None)?;
        let linked = linked(&world, ids)?;
        let mut cited = Vec::new();
        for s in sources {
            match world.source(s) {
                Some(info) => cited.push(info.id.clone()),
                None => {
                    return Err(Error::Usage(format!(
                        "no source `{s}` in the log; import its `source` line first"
                    )))
                }
            }
        }
        let of = match linked {
            Linked::Actors(_) => "actors",
            Linked::Places(_) => "places",
        };
        let mut event = Event {
            id: EventId::new("pending").expect("a slug"),
            date: None,
            sources: cited,
            claim: Claim::Reported,
            claimed_by: None,
            note: note.map(str::to_string),
            kind: EventKind::SameAs { linked },
        };
        event.id = v1::derive_id(&event);
        let outcome =
            self.log_mut().append_from(std::slice::from_ref(&event), now, Some("link"))?;
        let seq = outcome.seqs.map(|(first, _)| first);
        Ok(LinkAppended { link: event.id, of, ids: ids.to_vec(), seq })
    }

    /// The links a review of the log suggests, as `same_as` events citing
    /// the sources of the entities they join, each with its evidence in its
    /// note: places of one name (or alias) at most [`NEAR_KM`] apart, and
    /// actors of one name from different datasets (or one from a dataset
    /// and one of the historian's own). Ids already linked are not
    /// suggested again.
    pub fn suggest_links(&self) -> Result<Vec<Event>, Error> {
        let world = self.replay(None)?;
        let mut out = suggest_places(&world);
        out.extend(suggest_actors(&world));
        Ok(out)
    }
}

/// The ids as one `Linked`: every one an actor's or every one a place's.
fn linked(world: &World, ids: &[String]) -> Result<Linked, Error> {
    let unique: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    if unique.len() != ids.len() {
        return Err(Error::Usage("an id is given twice".into()));
    }
    let places = ids.iter().all(|id| world.place(id).is_some());
    let actors = ids.iter().all(|id| world.actor(id).is_some());
    let some = |ids: &[String], known: &dyn Fn(&str) -> bool| -> Vec<String> {
        ids.iter().filter(|id| !known(id)).cloned().collect()
    };
    if places {
        return Ok(Linked::Places(ids.iter().map(|i| PlaceId::new(i).expect("known")).collect()));
    }
    if actors {
        return Ok(Linked::Actors(ids.iter().map(|i| ActorId::new(i).expect("known")).collect()));
    }
    let neither = some(ids, &|id| world.place(id).is_some() || world.actor(id).is_some());
    if !neither.is_empty() {
        return Err(Error::Usage(format!(
            "no actor or place has the id {}; `annals find` lists ids",
            neither.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    Err(Error::Usage("a link joins actors or places, not both".into()))
}

/// Places of one name at most [`NEAR_KM`] apart that no link joins yet.
fn suggest_places(world: &World) -> Vec<Event> {
    let mut by_name: BTreeMap<String, Vec<&PlaceInfo>> = BTreeMap::new();
    for p in world.places() {
        for n in std::iter::once(&p.name).chain(&p.aliases) {
            by_name.entry(normalize_name(n)).or_default().push(p);
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (name, places) in &by_name {
        for (i, a) in places.iter().enumerate() {
            for b in &places[i + 1..] {
                let Some(km) = distance_km(a, b) else { continue };
                let linked = world.linked_places(&a.id).contains(&b.id);
                if a.id == b.id || linked || km > NEAR_KM || !seen.insert((&a.id, &b.id)) {
                    continue;
                }
                let note = format!(
                    "suggested by `annals link --suggest`: both named “{name}”, {km:.1} km apart; review before importing"
                );
                let ids = vec![a.id.clone(), b.id.clone()];
                let sources = cited(world, &[a.id.as_str(), b.id.as_str()]);
                out.push(link_event(Linked::Places(ids), sources, note));
            }
        }
    }
    out
}

/// Actors of one name (or alias) whose ids come from different datasets
/// (the part before `:`, or none for the historian's own) that no link
/// joins yet.
fn suggest_actors(world: &World) -> Vec<Event> {
    let mut by_name: BTreeMap<String, BTreeSet<&ActorId>> = BTreeMap::new();
    for a in world.actors() {
        for n in std::iter::once(&a.name).chain(&a.aliases) {
            by_name.entry(normalize_name(n)).or_default().insert(&a.id);
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (name, actors) in &by_name {
        let actors: Vec<&ActorId> = actors.iter().copied().collect();
        for (i, a) in actors.iter().enumerate() {
            for b in &actors[i + 1..] {
                let linked = world.linked_actors(a).contains(b);
                if namespace(a) == namespace(b) || linked || !seen.insert((*a, *b)) {
                    continue;
                }
                let note = format!(
                    "suggested by `annals link --suggest`: both named “{name}”, from different datasets; review before importing"
                );
                let ids = vec![(*a).clone(), (*b).clone()];
                let sources = cited(world, &[a.as_str(), b.as_str()]);
                out.push(link_event(Linked::Actors(ids), sources, note));
            }
        }
    }
    out
}

/// The dataset an id comes from: the part before its first `:`, if any.
fn namespace(id: &ActorId) -> &str {
    id.as_str().split_once(':').map_or("", |(ns, _)| ns)
}

/// The sources the entity events of `ids` cite, without repeats.
fn cited(world: &World, ids: &[&str]) -> Vec<SourceId> {
    let mut out: Vec<SourceId> = Vec::new();
    for id in ids {
        for s in world.event_sources(id) {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

fn link_event(linked: Linked, sources: Vec<SourceId>, note: String) -> Event {
    let mut event = Event {
        id: EventId::new("pending").expect("a slug"),
        date: None,
        sources,
        claim: Claim::Reported,
        claimed_by: None,
        note: Some(note),
        kind: EventKind::SameAs { linked },
    };
    event.id = v1::derive_id(&event);
    event
}

/// The great-circle distance between two places, if both have coordinates.
fn distance_km(a: &PlaceInfo, b: &PlaceInfo) -> Option<f64> {
    let (lat1, lon1, lat2, lon2) = (a.lat?, a.lon?, b.lat?, b.lon?);
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    Some(2.0 * 6371.0 * h.sqrt().min(1.0).asin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(id: &str, lat: f64, lon: f64) -> PlaceInfo {
        PlaceInfo {
            id: PlaceId::new(id).unwrap(),
            name: id.into(),
            aliases: vec![],
            kind: None,
            within: None,
            lat: Some(lat),
            lon: Some(lon),
        }
    }

    #[test]
    fn distances_are_great_circle_kilometres() {
        // Bamako to Timbuktu: about 710 km.
        let d = distance_km(&place("a", 12.6392, -8.0029), &place("b", 16.7666, -3.0026)).unwrap();
        assert!((690.0..730.0).contains(&d), "{d}");
        let same = distance_km(&place("a", 16.0, -1.0), &place("b", 16.0, -1.0)).unwrap();
        assert!(same.abs() < 1e-9);
    }
}
