//! The replayed world: entities, name indexes, per-place timelines, retractions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use annals_model::{
    normalize_name, ActorId, ActorKind, CoupOutcome, Date, Event, EventId, EventKind, PlaceId,
    PlaceKind, Recorded, RefKind, SourceId,
};
use chrono::NaiveDate;

/// A source as the log describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    pub id: SourceId,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<Date>,
    pub url: Option<String>,
}

/// An actor as the log describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ActorInfo {
    pub id: ActorId,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: Option<ActorKind>,
}

/// A place as the log describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceInfo {
    pub id: PlaceId,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: Option<PlaceKind>,
    pub within: Option<PlaceId>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// Something in the replayed events that does not fit: reported by `verify`,
/// never a reason to stop.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anomaly {
    /// An event refers to an id that names nothing of the right kind.
    Dangling { event: EventId, field: &'static str, kind: RefKind, id: String },
    /// Two records carry the same event id (the log prevents this).
    DuplicateId { id: EventId },
    /// A retraction retracts another retraction; it is ignored.
    RetractsRetraction { retraction: EventId, target: EventId },
    /// An event other than an entity or retraction has no date; it is ignored.
    Undated { event: EventId },
}

impl std::fmt::Display for Anomaly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Anomaly::Dangling { event, field, kind, id } => {
                write!(
                    f,
                    "event `{event}`: field `{field}` names `{id}`, which is no {}",
                    kind.as_str()
                )
            }
            Anomaly::DuplicateId { id } => write!(f, "event id `{id}` is stored more than once"),
            Anomaly::RetractsRetraction { retraction, target } => {
                write!(
                    f,
                    "retraction `{retraction}` retracts `{target}`, itself a retraction; ignored"
                )
            }
            Anomaly::Undated { event } => write!(f, "event `{event}` has no date; ignored"),
        }
    }
}

/// One control fact of a place, with its valid-time interval cached.
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub taken: bool,
    pub actor: ActorId,
    /// Index into `World::records`.
    pub record: usize,
}

impl Fact {
    fn new(date: Date, taken: bool, actor: &ActorId, record: usize) -> Fact {
        Fact {
            earliest: date.earliest(),
            latest: date.latest(),
            taken,
            actor: actor.clone(),
            record,
        }
    }
}

/// The outcome of looking a name up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolve<T> {
    /// Nothing has this id, name or alias; close names, if any.
    NotFound { query: String, suggestions: Vec<T> },
    /// Several things share this name: every candidate id, sorted.
    Ambiguous { query: String, candidates: Vec<T> },
}

/// One line of a place's history.
#[derive(Clone, Debug)]
pub struct HistoryEntry<'w> {
    pub record: &'w Recorded,
    /// The retraction that withdrew this event, if any.
    pub retracted_by: Option<&'w EventId>,
}

/// The state of the world replayed from a set of events.
#[derive(Debug, Default)]
pub struct World {
    pub(crate) records: Vec<Recorded>,
    by_id: HashMap<EventId, usize>,
    sources: BTreeMap<SourceId, SourceInfo>,
    actors: BTreeMap<ActorId, ActorInfo>,
    places: BTreeMap<PlaceId, PlaceInfo>,
    place_names: HashMap<String, BTreeSet<PlaceId>>,
    actor_names: HashMap<String, BTreeSet<ActorId>>,
    /// Control facts per place, sorted by (earliest, latest, event id); retracted ones removed.
    pub(crate) control: HashMap<PlaceId, Vec<Fact>>,
    /// Every control and attack event per place, retracted ones included.
    timeline: HashMap<PlaceId, Vec<usize>>,
    /// Government facts per state (`government`, successful `coup`), sorted like `control`.
    pub(crate) governments: HashMap<ActorId, Vec<Fact>>,
    /// Every `government` and `coup` event per state, retracted ones included.
    state_timeline: HashMap<ActorId, Vec<usize>>,
    retracted: HashMap<EventId, EventId>,
    anomalies: Vec<Anomaly>,
}

impl World {
    /// Replays events in any order; the same set of events gives the same world.
    pub fn replay(records: impl IntoIterator<Item = Recorded>) -> World {
        let mut world = World::default();
        for rec in records {
            world.add(rec);
        }
        world.finish();
        world
    }

    fn add(&mut self, rec: Recorded) {
        let index = self.records.len();
        if self.by_id.insert(rec.event.id.clone(), index).is_some() {
            self.anomalies.push(Anomaly::DuplicateId { id: rec.event.id.clone() });
        }
        let e = &rec.event;
        match &e.kind {
            EventKind::Source { title, publisher, published, url } => {
                let id = SourceId::new(e.id.as_str()).expect("event ids are slugs");
                self.sources.insert(
                    id.clone(),
                    SourceInfo {
                        id,
                        title: title.clone(),
                        publisher: publisher.clone(),
                        published: *published,
                        url: url.clone(),
                    },
                );
            }
            EventKind::Actor { name, aliases, kind } => {
                let id = ActorId::new(e.id.as_str()).expect("event ids are slugs");
                for n in std::iter::once(name).chain(aliases) {
                    self.actor_names.entry(normalize_name(n)).or_default().insert(id.clone());
                }
                self.actors.insert(
                    id.clone(),
                    ActorInfo { id, name: name.clone(), aliases: aliases.clone(), kind: *kind },
                );
            }
            EventKind::Place { name, aliases, kind, within, lat, lon } => {
                let id = PlaceId::new(e.id.as_str()).expect("event ids are slugs");
                for n in std::iter::once(name).chain(aliases) {
                    self.place_names.entry(normalize_name(n)).or_default().insert(id.clone());
                }
                let info = PlaceInfo {
                    id: id.clone(),
                    name: name.clone(),
                    aliases: aliases.clone(),
                    kind: *kind,
                    within: within.clone(),
                    lat: *lat,
                    lon: *lon,
                };
                self.places.insert(id, info);
            }
            EventKind::ControlTaken { place, actor, .. }
            | EventKind::ControlLost { place, actor } => {
                self.timeline.entry(place.clone()).or_default().push(index);
                match e.date {
                    Some(date) => {
                        let taken = matches!(e.kind, EventKind::ControlTaken { .. });
                        let fact = Fact::new(date, taken, actor, index);
                        self.control.entry(place.clone()).or_default().push(fact)
                    }
                    None => self.anomalies.push(Anomaly::Undated { event: e.id.clone() }),
                }
            }
            EventKind::Attack { place, .. } => {
                self.timeline.entry(place.clone()).or_default().push(index)
            }
            EventKind::Government { state, actor }
            | EventKind::Coup { state, perpetrator: actor, .. } => {
                self.state_timeline.entry(state.clone()).or_default().push(index);
                let changes_government =
                    !matches!(e.kind, EventKind::Coup { outcome: CoupOutcome::Failed, .. });
                match e.date {
                    Some(date) if changes_government => {
                        let fact = Fact::new(date, true, actor, index);
                        self.governments.entry(state.clone()).or_default().push(fact)
                    }
                    Some(_) => {}
                    None => self.anomalies.push(Anomaly::Undated { event: e.id.clone() }),
                }
            }
            _ => {}
        }
        self.records.push(rec);
    }

    fn finish(&mut self) {
        // Retractions: a retraction of a retraction is ignored (import refuses them).
        let mut retractions: Vec<(&EventId, &EventId)> = self
            .records
            .iter()
            .filter_map(|r| match &r.event.kind {
                EventKind::Retraction { retracts, .. } => Some((&r.event.id, retracts)),
                _ => None,
            })
            .collect();
        retractions.sort();
        for (retraction, target) in retractions {
            let target_is_retraction = self.by_id.get(target).is_some_and(|&i| {
                matches!(self.records[i].event.kind, EventKind::Retraction { .. })
            });
            if target_is_retraction {
                self.anomalies.push(Anomaly::RetractsRetraction {
                    retraction: retraction.clone(),
                    target: target.clone(),
                });
            } else {
                // Sorted, so the smallest retraction id wins deterministically.
                self.retracted.entry(target.clone()).or_insert_with(|| retraction.clone());
            }
        }

        // Dangling references.
        for rec in &self.records {
            for r in rec.event.references() {
                let exists = match r.kind {
                    RefKind::Source => self.sources.contains_key(r.id),
                    RefKind::Actor => self.actors.contains_key(r.id),
                    RefKind::Place => self.places.contains_key(r.id),
                    RefKind::Event => self.by_id.contains_key(r.id),
                };
                if !exists {
                    self.anomalies.push(Anomaly::Dangling {
                        event: rec.event.id.clone(),
                        field: r.field,
                        kind: r.kind,
                        id: r.id.to_string(),
                    });
                }
            }
        }
        self.anomalies.sort();

        let records = &self.records;
        let retracted = &self.retracted;
        for facts in self.control.values_mut().chain(self.governments.values_mut()) {
            facts.retain(|f| !retracted.contains_key(&records[f.record].event.id));
            facts.sort_by(|a, b| {
                (a.earliest, a.latest, &records[a.record].event.id).cmp(&(
                    b.earliest,
                    b.latest,
                    &records[b.record].event.id,
                ))
            });
        }
        for entries in self.timeline.values_mut().chain(self.state_timeline.values_mut()) {
            entries.sort_by(|&a, &b| {
                history_key(&records[a].event).cmp(&history_key(&records[b].event))
            });
        }
    }

    /// Number of records replayed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// What did not fit, sorted.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    pub fn source(&self, id: &str) -> Option<&SourceInfo> {
        self.sources.get(id)
    }

    pub fn actor(&self, id: &str) -> Option<&ActorInfo> {
        self.actors.get(id)
    }

    pub fn place(&self, id: &str) -> Option<&PlaceInfo> {
        self.places.get(id)
    }

    /// The record holding event `id`.
    pub fn event(&self, id: &str) -> Option<&Recorded> {
        self.by_id.get(id).map(|&i| &self.records[i])
    }

    /// The retraction that withdrew event `id`, if any.
    pub fn retracted_by(&self, id: &str) -> Option<&EventId> {
        self.retracted.get(id)
    }

    /// All places, sorted by id.
    pub fn places(&self) -> impl Iterator<Item = &PlaceInfo> {
        self.places.values()
    }

    /// Finds a place by id, or by name or alias (case- and accent-insensitive).
    /// An exact id always wins; a name shared by several places is ambiguous.
    pub fn resolve_place(&self, query: &str) -> Result<PlaceId, Resolve<PlaceId>> {
        resolve(query, &self.places, &self.place_names)
    }

    /// Finds an actor by id, or by name or alias.
    pub fn resolve_actor(&self, query: &str) -> Result<ActorId, Resolve<ActorId>> {
        resolve(query, &self.actors, &self.actor_names)
    }

    /// The control timeline of a place: control events and attacks in date
    /// order, retracted ones included and marked.
    pub fn history(&self, place: &PlaceId) -> Vec<HistoryEntry<'_>> {
        self.entries(self.timeline.get(place))
    }

    /// The government timeline of a state: `government` and `coup` events
    /// (failed coups included) in date order, retracted ones marked.
    pub fn government_history(&self, state: &ActorId) -> Vec<HistoryEntry<'_>> {
        self.entries(self.state_timeline.get(state))
    }

    fn entries(&self, list: Option<&Vec<usize>>) -> Vec<HistoryEntry<'_>> {
        list.map(|entries| {
            entries
                .iter()
                .map(|&i| {
                    let record = &self.records[i];
                    HistoryEntry { record, retracted_by: self.retracted.get(&record.event.id) }
                })
                .collect()
        })
        .unwrap_or_default()
    }
}

fn history_key(e: &Event) -> (Option<NaiveDate>, Option<NaiveDate>, &EventId) {
    (e.date.map(|d| d.earliest()), e.date.map(|d| d.latest()), &e.id)
}

fn resolve<T: Clone + Ord + std::borrow::Borrow<str>, I>(
    query: &str,
    by_id: &BTreeMap<T, I>,
    by_name: &HashMap<String, BTreeSet<T>>,
) -> Result<T, Resolve<T>> {
    let trimmed = query.trim();
    if let Some((id, _)) = by_id.get_key_value(trimmed) {
        return Ok(id.clone());
    }
    let key = normalize_name(trimmed);
    if let Some((id, _)) = by_id.get_key_value(key.as_str()) {
        return Ok(id.clone());
    }
    match by_name.get(&key) {
        Some(ids) if ids.len() == 1 => Ok(ids.iter().next().expect("one").clone()),
        Some(ids) if !ids.is_empty() => Err(Resolve::Ambiguous {
            query: query.to_string(),
            candidates: ids.iter().cloned().collect(),
        }),
        _ => {
            let mut suggestions: BTreeSet<T> = BTreeSet::new();
            if !key.is_empty() {
                for (name, ids) in by_name {
                    if name.contains(&key) || key.contains(name.as_str()) {
                        suggestions.extend(ids.iter().cloned());
                    }
                }
            }
            Err(Resolve::NotFound {
                query: query.to_string(),
                suggestions: suggestions.into_iter().take(8).collect(),
            })
        }
    }
}
