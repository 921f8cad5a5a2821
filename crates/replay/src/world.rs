//! The replayed world: entities, name indexes, per-place timelines, retractions.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hash};

use annals_model::{
    normalize_name, ActorId, ActorKind, AgreementId, Date, Entity, Event, EventId, EventKind,
    Linked, PlaceId, PlaceKind, Recorded, RefKind, SourceId,
};
use chrono::NaiveDate;
use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashMap, HashTable};

use crate::facts::{Dissolved, Fact, Kept, Tag};
use crate::keyed::{number, Keyed};
use crate::links::Sets;

use crate::relations::{KeyRef, Node, NodeRef, RelationKey, RelationKind, Temporal};

mod ids;
mod joined;
mod withdrawn;
pub use withdrawn::Withdrawal;

/// A source as the log describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    pub id: SourceId,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<Date>,
    pub url: Option<String>,
    /// The release of a dataset this source is, if it is one.
    pub release: Option<String>,
    /// The period the source covers, if it says.
    pub covers: Option<Date>,
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
    /// A closing event (`membership_ended`, `alliance_ended`, ...) names a
    /// relation that no opening event began; it closes nothing.
    EndsNothing { event: EventId, relation: String },
    /// An event relates two ids that a `same_as` link makes one (an
    /// alliance of an actor with itself); the relation is ignored.
    RelatesLinked { event: EventId, relation: String },
    /// An event dated after the dissolution of an actor it makes hold,
    /// relate or inherit; it counts for nothing.
    AfterDissolution { event: EventId, actor: ActorId, dissolution: EventId },
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
            Anomaly::EndsNothing { event, relation } => {
                write!(f, "event `{event}` ends {relation}, which no event began")
            }
            Anomaly::RelatesLinked { event, relation } => {
                write!(
                    f,
                    "event `{event}` states {relation}, whose ends are linked as one; ignored"
                )
            }
            Anomaly::AfterDissolution { event, actor, dissolution } => {
                write!(
                    f,
                    "event `{event}` is dated after the dissolution of `{actor}` (`{dissolution}`); it counts for nothing"
                )
            }
        }
    }
}

/// One line of a place's (or a state's) history. The world keeps what
/// orders and retracts an event, not the event: the record is the one
/// numbered `seq` among those replayed (in a log, `Log::get(seq)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry<'w> {
    pub seq: u64,
    pub event: &'w EventId,
    /// The retraction that withdrew this event, if any.
    pub retracted_by: Option<&'w EventId>,
}

/// An entity's identifiers in other catalogues: (scheme, value), sorted.
pub(crate) type Identifiers = Vec<(String, String)>;

/// The state of the world replayed from a set of events.
#[derive(Debug, Default)]
pub struct World {
    /// What is kept of each event, in the order replayed.
    pub(crate) kept: Vec<Kept>,
    /// Positions in `kept` by event id, hashed with `hasher` on the kept
    /// ids, so the index holds no copy of an id.
    by_id: HashTable<u32>,
    hasher: DefaultHashBuilder,
    pub(crate) sources: BTreeMap<SourceId, SourceInfo>,
    /// Each list of sources some event cites, once: an event keeps its
    /// list's number (4 bytes, where a list of its own took about 50).
    pub(crate) source_lists: Keyed<Box<[SourceId]>, ()>,
    /// Each actor some event is claimed by (`claimed_by`), once.
    claimants: Keyed<ActorId, ()>,
    pub(crate) actors: BTreeMap<ActorId, ActorInfo>,
    pub(crate) places: BTreeMap<PlaceId, PlaceInfo>,
    /// The ids of `sources`, `actors` and `places`, for checking references
    /// as events arrive, with the events that name each actor or place id
    /// (what a retraction of the entity withdraws; 4 bytes a reference).
    ids: ids::Ids,
    /// References that named nothing when their event arrived: checked again
    /// once every event is in, since what they name may come later.
    unresolved: Vec<(EventId, &'static str, RefKind, String)>,
    /// Every retraction: (retraction, retracted).
    retractions: Vec<(EventId, EventId)>,
    /// The new version each revision (a retraction with `replaced_by`)
    /// names, by the revision's id.
    replacements: HashMap<EventId, EventId>,
    pub(crate) place_names: BTreeMap<String, BTreeSet<PlaceId>>,
    pub(crate) actor_names: BTreeMap<String, BTreeSet<ActorId>>,
    /// Control facts per place, sorted by (earliest, latest, event id); retracted ones removed.
    pub(crate) control: Keyed<PlaceId, Vec<Fact>>,
    /// Every control and attack event per place, retracted ones included.
    pub(crate) timeline: HashMap<PlaceId, Vec<u32>>,
    /// Government facts per state (`government`, successful `coup`), sorted like `control`.
    pub(crate) governments: Keyed<ActorId, Vec<Fact>>,
    /// Every `government` and `coup` event per state, retracted ones included.
    pub(crate) state_timeline: HashMap<ActorId, Vec<u32>>,
    /// Opening and closing facts per relation, while replaying; moved into `temporal`.
    pub(crate) relation_facts: HashMap<RelationKey, Vec<Fact>>,
    /// `agreement_ended` without signatories: it closes every signatory's edge.
    agreement_ends: Vec<(AgreementId, u32)>,
    /// Agreement names, from the earliest signing that gives one.
    agreements: BTreeMap<AgreementId, (Option<NaiveDate>, EventId, String)>,
    /// The temporal graph of every relation.
    pub(crate) temporal: Temporal,
    pub(crate) retracted: HashMap<EventId, EventId>,
    pub(crate) anomalies: Vec<Anomaly>,
    /// Events that no longer count because of a retracted entity, sorted.
    withdrawals: Vec<Withdrawal>,
    /// `actor_dissolved` events, while replaying.
    pub(crate) dissolutions: Vec<Dissolved>,
    /// The live dissolutions by actor, earliest first.
    pub(crate) dissolved: BTreeMap<ActorId, Vec<Dissolved>>,
    /// Every `same_as` event while replaying: (index into `kept`, what it links).
    same_as: Vec<(usize, Linked)>,
    /// Every `identifiers` event while replaying: (index into `kept`, of
    /// what, the identifiers); then the live ones of each entity.
    identifier_events: Vec<(usize, Entity, Identifiers)>,
    pub(crate) identifiers: BTreeMap<Entity, Identifiers>,
    /// The sets of linked actors and places, from the live `same_as` events.
    pub(crate) actor_sets: Sets<ActorId>,
    pub(crate) place_sets: Sets<PlaceId>,
    /// The interval index, once asked for ([`World::index`]).
    pub(crate) intervals: std::sync::OnceLock<crate::timeline::Intervals>,
    /// The places directly within each place, sorted, once asked for
    /// ([`World::places_within`]).
    pub(crate) within: std::sync::OnceLock<HashMap<PlaceId, Vec<PlaceId>>>,
}

impl World {
    /// Replays events in any order; the same set of events gives the same world.
    pub fn replay(records: impl IntoIterator<Item = Recorded>) -> World {
        let mut world = World::default();
        let records = records.into_iter();
        // An upper bound is exact for a log's records; reserving it avoids
        // holding the old and the new buffer at once while growing (pages
        // reserved but never filled cost address space, not memory).
        let (least, most) = records.size_hint();
        let expected = most.unwrap_or(least).min(1 << 25);
        world.kept.reserve(expected);
        // Growing the id table rehashes every id it holds (their text is
        // read again from `kept`): a tenth of `add` at 1M events.
        let (kept, hasher) = (&world.kept, &world.hasher);
        world.by_id.reserve(expected, |&i: &u32| hasher.hash_one(kept[i as usize].id.as_str()));
        for rec in records {
            world.add(rec);
        }
        world.finish();
        world
    }

    fn add(&mut self, rec: Recorded) {
        let index = number(self.kept.len());
        self.check_references(&rec.event);
        let Recorded { seq, event, .. } = rec;
        let Event { id, date, sources, claim, claimed_by, note: _, kind } = event;
        self.index_id(&id, index);
        let tag = match &kind {
            EventKind::Retraction { .. } => Tag::Retraction,
            EventKind::Government { .. } => Tag::Government,
            EventKind::Coup { .. } => Tag::Coup,
            EventKind::ActorDissolved { .. } => Tag::Dissolution,
            _ => Tag::Other,
        };
        match kind {
            EventKind::Source { title, publisher, published, url, release, covers } => {
                self.ids.introduce(&id, RefKind::Source);
                let id = SourceId::of_event(&id);
                let info = SourceInfo {
                    id: id.clone(),
                    title,
                    publisher,
                    published,
                    url,
                    release,
                    covers,
                };
                self.sources.insert(id, info);
            }
            EventKind::Actor { name, aliases, kind } => {
                self.ids.introduce(&id, RefKind::Actor);
                let id = ActorId::of_event(&id);
                for n in std::iter::once(&name).chain(&aliases) {
                    self.actor_names.entry(normalize_name(n)).or_default().insert(id.clone());
                }
                self.actors.insert(id.clone(), ActorInfo { id, name, aliases, kind });
            }
            EventKind::Place { name, aliases, kind, within, lat, lon } => {
                self.ids.introduce(&id, RefKind::Place);
                let id = PlaceId::of_event(&id);
                for n in std::iter::once(&name).chain(&aliases) {
                    self.place_names.entry(normalize_name(n)).or_default().insert(id.clone());
                }
                let info = PlaceInfo { id: id.clone(), name, aliases, kind, within, lat, lon };
                self.places.insert(id, info);
            }
            EventKind::ControlTaken { ref place, ref actor, .. }
            | EventKind::ControlLost { ref place, ref actor } => {
                push(&mut self.timeline, place, index);
                let taken = matches!(kind, EventKind::ControlTaken { .. });
                match date {
                    Some(date) => {
                        self.control.push(place, Fact::new(date, taken, actor, index));
                        if taken {
                            let key = KeyRef {
                                kind: RelationKind::Controls,
                                source: NodeRef::Actor(actor),
                                target: NodeRef::Place(place),
                                qualifier: None,
                            };
                            let fact = Fact::new(date, true, actor, index);
                            add_fact(&mut self.relation_facts, key, fact);
                        }
                    }
                    None => self.anomalies.push(Anomaly::Undated { event: id.clone() }),
                }
            }
            EventKind::Attack { ref place, .. } => push(&mut self.timeline, place, index),
            EventKind::Government { ref state, ref actor }
            | EventKind::Coup { ref state, perpetrator: ref actor, .. } => {
                // A failed attempt and a conspiracy are on the timeline but
                // put nobody in power.
                let changes_government = match kind {
                    EventKind::Coup { outcome, .. } => outcome.changes_government(),
                    _ => true,
                };
                self.add_government(&id, date, state, actor, changes_government, index);
            }
            EventKind::Retraction { retracts, replaced_by, .. } => {
                if let Some(by) = replaced_by {
                    self.replacements.insert(id.clone(), by);
                }
                self.retractions.push((id.clone(), retracts));
            }
            EventKind::SameAs { linked } => self.same_as.push((index as usize, linked)),
            EventKind::Identifiers { entity, ids } => {
                self.identifier_events.push((index as usize, entity, ids))
            }
            EventKind::ActorDissolved { actor, into } => match date {
                Some(_) => self.dissolutions.push(Dissolved { record: index, actor, into }),
                None => self.anomalies.push(Anomaly::Undated { event: id.clone() }),
            },
            kind => self.relate(&id, date, &kind, index),
        }
        let sources = self.source_lists.intern(sources.as_slice(), |s| Box::from(s));
        let claimed_by =
            claimed_by.map_or(Kept::UNCLAIMED, |c| self.claimants.intern(&c, Clone::clone));
        self.kept.push(Kept { seq, id, date, sources, claimed_by, claim, tag });
    }

    /// Indexes event `id` at `index`; a repeated id is an anomaly, and the
    /// later record answers for it, as a map insert would.
    fn index_id(&mut self, id: &EventId, index: u32) {
        let (kept, hasher) = (&self.kept, &self.hasher);
        let rehash = |&i: &u32| hasher.hash_one(kept[i as usize].id.as_str());
        let text = id.as_str();
        let same = |&i: &u32| kept[i as usize].id.as_str() == text;
        match self.by_id.entry(hasher.hash_one(text), same, rehash) {
            Entry::Occupied(mut slot) => {
                *slot.get_mut() = index;
                self.anomalies.push(Anomaly::DuplicateId { id: id.clone() });
            }
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }

    /// A `government` or `coup` event (at `index`): on the state's
    /// timeline, and, when it puts `actor` in power, a government fact and
    /// a `governs` relation.
    fn add_government(
        &mut self,
        id: &EventId,
        date: Option<Date>,
        state: &ActorId,
        actor: &ActorId,
        changes_government: bool,
        index: u32,
    ) {
        push(&mut self.state_timeline, state, index);
        match date {
            Some(date) if changes_government => {
                self.governments.push(state, Fact::new(date, true, actor, index));
                let key = KeyRef {
                    kind: RelationKind::Governs,
                    source: NodeRef::Actor(actor),
                    target: NodeRef::Actor(state),
                    qualifier: None,
                };
                add_fact(&mut self.relation_facts, key, Fact::new(date, true, actor, index));
            }
            Some(_) => {}
            None => self.anomalies.push(Anomaly::Undated { event: id.clone() }),
        }
    }

    /// Checks that every id `e` refers to names something; what names
    /// nothing yet is checked again once every event is in.
    fn check_references(&mut self, e: &Event) {
        let mut unresolved = std::mem::take(&mut self.unresolved);
        let counts = !matches!(
            e.kind,
            EventKind::Source { .. }
                | EventKind::Actor { .. }
                | EventKind::Place { .. }
                | EventKind::Retraction { .. }
        );
        let index = counts.then_some(self.kept.len() as u32);
        e.visit_references(|r| {
            let known = match r.kind {
                RefKind::Event => self.position(r.id).is_some(),
                kind => self.ids.refer(kind, r.id, index),
            };
            if !known {
                unresolved.push((e.id.clone(), r.field, r.kind, r.id.to_string()));
            }
        });
        self.unresolved = unresolved;
    }

    /// Whether `id` names a source, actor, place or event (as `kind` says)
    /// among the events replayed so far.
    fn names_something(&self, kind: RefKind, id: &str) -> bool {
        match kind {
            RefKind::Event => self.position(id).is_some(),
            kind => self.ids.is(kind, id),
        }
    }

    /// Records the opening or closing facts of the relations an event states.
    fn relate(&mut self, id: &EventId, date: Option<Date>, kind: &EventKind, index: u32) {
        let Some(date) = date else {
            self.anomalies.push(Anomaly::Undated { event: id.clone() });
            return;
        };
        let actor = NodeRef::Actor;
        let mut add =
            |kind, source: &ActorId, target: NodeRef<'_>, qualifier: Option<&str>, opens| {
                let key = KeyRef { kind, source: NodeRef::Actor(source), target, qualifier };
                add_fact(&mut self.relation_facts, key, Fact::new(date, opens, source, index));
            };
        match kind {
            EventKind::MembershipBegan { member, group }
            | EventKind::MembershipEnded { member, group } => {
                let opens = matches!(kind, EventKind::MembershipBegan { .. });
                add(RelationKind::MemberOf, member, actor(group), None, opens);
            }
            EventKind::AllianceFormed { actors, alliance }
            | EventKind::AllianceEnded { actors, alliance } => {
                let opens = matches!(kind, EventKind::AllianceFormed { .. });
                let pact = alliance.as_ref().map(ActorId::as_str);
                let sorted: BTreeSet<&ActorId> = actors.iter().collect();
                let sorted: Vec<&ActorId> = sorted.into_iter().collect();
                for (i, a) in sorted.iter().enumerate() {
                    for b in &sorted[i + 1..] {
                        add(RelationKind::AlliedWith, a, actor(b), pact, opens);
                    }
                }
            }
            EventKind::HostilitiesBegan { actors, .. }
            | EventKind::HostilitiesEnded { actors, .. } => {
                let opens = matches!(kind, EventKind::HostilitiesBegan { .. });
                let (a, b) = if actors[0] <= actors[1] {
                    (&actors[0], &actors[1])
                } else {
                    (&actors[1], &actors[0])
                };
                add(RelationKind::HostileTo, a, actor(b), None, opens);
            }
            EventKind::AgreementSigned { agreement, name, signatories }
            | EventKind::AgreementEnded { agreement, name, signatories } => {
                let opens = matches!(kind, EventKind::AgreementSigned { .. });
                for s in signatories {
                    add(RelationKind::Signed, s, NodeRef::Agreement(agreement), None, opens);
                }
                if !opens && signatories.is_empty() {
                    self.agreement_ends.push((agreement.clone(), index));
                }
                if let (true, Some(name)) = (opens, name) {
                    let candidate = (Some(date.earliest()), id.clone(), name.clone());
                    let slot = self
                        .agreements
                        .entry(agreement.clone())
                        .or_insert_with(|| candidate.clone());
                    if candidate < *slot {
                        *slot = candidate;
                    }
                }
            }
            EventKind::InterventionBegan { intervener, host, operation, .. }
            | EventKind::InterventionEnded { intervener, host, operation, .. } => {
                let opens = matches!(kind, EventKind::InterventionBegan { .. });
                add(
                    RelationKind::IntervenesIn,
                    intervener,
                    actor(host),
                    operation.as_deref(),
                    opens,
                );
            }
            _ => {}
        }
    }

    fn finish(&mut self) {
        // Retractions: a retraction of a retraction is ignored (import refuses them).
        let mut retractions = std::mem::take(&mut self.retractions);
        retractions.sort();
        for (retraction, target) in retractions {
            let target_is_retraction =
                self.position(target.as_str()).is_some_and(|i| self.kept[i].tag == Tag::Retraction);
            if target_is_retraction {
                self.anomalies.push(Anomaly::RetractsRetraction { retraction, target });
            } else {
                // Sorted, so the smallest retraction id wins deterministically.
                self.retracted.entry(target).or_insert(retraction);
            }
        }
        self.withdraw_what_rests_on_retracted_entities();

        // Links first, so that a dissolution ends what every id of the
        // actor's set holds; then each set's ids are joined.
        self.build_sets();
        self.apply_dissolutions();
        self.join_sets();
        self.finish_relations();

        // References that named nothing when their event arrived, and still do.
        for (event, field, kind, id) in std::mem::take(&mut self.unresolved) {
            if !self.names_something(kind, &id) {
                self.anomalies.push(Anomaly::Dangling { event, field, kind, id });
            }
        }
        self.anomalies.sort();

        let kept = &self.kept;
        let retracted = &self.retracted;
        for facts in self.control.values_mut().chain(self.governments.values_mut()) {
            facts.retain(|f| !retracted.contains_key(&kept[f.record as usize].id));
            facts.sort_by(|a, b| fact_order(kept, a, b));
        }
        for entries in self.timeline.values_mut().chain(self.state_timeline.values_mut()) {
            // Dates first, read once per entry; ids only to break ties.
            let mut keyed: Vec<_> = entries
                .iter()
                .map(|&i| {
                    let date = kept[i as usize].date;
                    (date.map(|d| d.earliest()), date.map(|d| d.latest()), i)
                })
                .collect();
            keyed.sort_unstable_by(|a, b| {
                (a.0, a.1)
                    .cmp(&(b.0, b.1))
                    .then_with(|| (&kept[a.2 as usize].id, a.2).cmp(&(&kept[b.2 as usize].id, b.2)))
            });
            entries.clear();
            entries.extend(keyed.into_iter().map(|(_, _, i)| i));
        }
    }

    /// Drops retracted relation facts, closes agreements ended without a list
    /// of signatories, and builds the temporal graph.
    fn finish_relations(&mut self) {
        let kept = &self.kept;
        let retracted = &self.retracted;
        let live = |i: u32| !retracted.contains_key(&kept[i as usize].id);
        let mut relations = std::mem::take(&mut self.relation_facts);
        // The signatories of each agreement, found once (not once per ending).
        let mut signed: HashMap<AgreementId, Vec<RelationKey>> = HashMap::new();
        for key in relations.keys().filter(|k| k.kind == RelationKind::Signed) {
            if let (Node::Agreement(a), Node::Actor(_)) = (&key.target, &key.source) {
                signed.entry(a.clone()).or_default().push(key.clone());
            }
        }
        for (agreement, index) in std::mem::take(&mut self.agreement_ends) {
            let date = kept[index as usize].date.expect("relation facts are dated");
            for key in signed.get(&agreement).into_iter().flatten() {
                let Node::Actor(signatory) = &key.source else { continue };
                let facts = relations.get_mut(key).expect("collected from these relations");
                facts.push(Fact::new(date, false, signatory, index));
            }
        }
        relations.retain(|key, facts| {
            let had_opening = facts.iter().any(|f| f.taken);
            facts.retain(|f| live(f.record));
            if !had_opening {
                let mut ids: Vec<&EventId> =
                    facts.iter().map(|f| &kept[f.record as usize].id).collect();
                ids.sort();
                ids.dedup();
                for id in ids {
                    self.anomalies.push(Anomaly::EndsNothing {
                        event: id.clone(),
                        relation: format!("{} {} → {}", key.kind, key.source, key.target)
                            + &key
                                .qualifier
                                .as_ref()
                                .map(|q| format!(" ({q})"))
                                .unwrap_or_default(),
                    });
                }
            }
            facts.sort_by(|a, b| fact_order(kept, a, b));
            facts.iter().any(|f| f.taken)
        });
        // A set of linked ids is one node, under its representative.
        let (linked_actors, linked_places) = (&self.actor_sets, &self.place_sets);
        let nodes = self
            .actors
            .keys()
            .filter(|a| linked_actors.representative(a) == *a)
            .map(|a| Node::Actor(a.clone()))
            .chain(
                self.places
                    .keys()
                    .filter(|p| linked_places.representative(p) == *p)
                    .map(|p| Node::Place(p.clone())),
            )
            .chain(self.agreements.keys().map(|a| Node::Agreement(a.clone())));
        self.temporal = Temporal::build(nodes, relations);
    }

    /// The name of an agreement, from its earliest signing.
    pub fn agreement_name(&self, id: &str) -> Option<&str> {
        self.agreements.get(id).map(|(_, _, name)| name.as_str())
    }

    /// Number of records replayed.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// What did not fit, sorted.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// The events that no longer count because a source, actor or place
    /// they rest on is retracted, sorted: not a fault of the log, the
    /// consequence of its retractions.
    pub fn withdrawals(&self) -> &[Withdrawal] {
        &self.withdrawals
    }

    /// The sequence number of the record holding event `id`: the log (or
    /// the records replayed) holds the event itself.
    pub fn seq(&self, id: &str) -> Option<u64> {
        self.position(id).map(|i| self.kept[i].seq)
    }

    /// What is kept of event `id`.
    pub(crate) fn kept(&self, id: &str) -> Option<&Kept> {
        self.position(id).map(|i| &self.kept[i])
    }

    /// The position in `kept` of event `id`.
    fn position(&self, id: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        let found = self.by_id.find(hash, |&i| self.kept[i as usize].id.as_str() == id);
        found.map(|&i| i as usize)
    }

    /// The sources event `id` cites (none for an unknown id).
    pub fn event_sources(&self, id: &str) -> &[SourceId] {
        self.kept(id).map_or(&[], |k| self.cited(k))
    }

    /// The party a kept event is claimed by, if any.
    pub(crate) fn claimant(&self, kept: &Kept) -> Option<&ActorId> {
        (kept.claimed_by != Kept::UNCLAIMED).then(|| self.claimants.key(kept.claimed_by as usize))
    }

    /// The sources a kept event cites.
    pub(crate) fn cited(&self, kept: &Kept) -> &[SourceId] {
        self.source_lists.key(kept.sources as usize)
    }

    /// The new version that `retraction`, a revision, names (`replaced_by`).
    pub fn replaced_by(&self, retraction: &str) -> Option<&EventId> {
        self.replacements.get(retraction)
    }

    /// The retraction that withdrew event `id`, if any.
    pub fn retracted_by(&self, id: &str) -> Option<&EventId> {
        self.retracted.get(id)
    }

    /// The first and the last day the events' dates reach (the earliest day
    /// of the earliest, the latest day of the latest), retracted events
    /// included; `None` when no event is dated. A date slider's range.
    pub fn date_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.kept.iter().filter_map(|k| k.date.as_ref()).fold(None, |span, date| {
            let (first, last) = (date.earliest(), date.latest());
            Some(span.map_or((first, last), |(a, b): (NaiveDate, NaiveDate)| {
                (a.min(first), b.max(last))
            }))
        })
    }

    /// The control timeline of a place: control events and attacks in date
    /// order, retracted ones included and marked.
    pub fn history(&self, place: &PlaceId) -> Vec<HistoryEntry<'_>> {
        self.entries(self.timeline.get(self.place_sets.representative(place)))
    }

    /// The government timeline of a state: `government` and `coup` events
    /// (failed coups included) in date order, retracted ones marked.
    pub fn government_history(&self, state: &ActorId) -> Vec<HistoryEntry<'_>> {
        self.entries(self.state_timeline.get(self.actor_sets.representative(state)))
    }

    fn entries(&self, list: Option<&Vec<u32>>) -> Vec<HistoryEntry<'_>> {
        list.map(|entries| {
            entries
                .iter()
                .map(|&i| {
                    let Kept { seq, id, .. } = &self.kept[i as usize];
                    HistoryEntry { seq: *seq, event: id, retracted_by: self.retracted.get(id) }
                })
                .collect()
        })
        .unwrap_or_default()
    }
}

/// The order of a timeline's facts: by valid time, then by event id (read
/// from the record only when the dates tie).
fn fact_order(kept: &[Kept], a: &Fact, b: &Fact) -> std::cmp::Ordering {
    (a.earliest, a.latest)
        .cmp(&(b.earliest, b.latest))
        .then_with(|| kept[a.record as usize].id.cmp(&kept[b.record as usize].id))
}

/// Adds a fact to a relation, copying the key's ids only the first time.
fn add_fact(relations: &mut HashMap<RelationKey, Vec<Fact>>, key: KeyRef<'_>, fact: Fact) {
    match relations.get_mut(&key) {
        Some(facts) => facts.push(fact),
        None => {
            relations.insert(key.to_owned(), vec![fact]);
        }
    }
}

/// Appends to the list under `key`, copying the key only the first time.
fn push<K: Clone + Eq + Hash, V>(map: &mut HashMap<K, Vec<V>>, key: &K, value: V) {
    match map.get_mut(key) {
        Some(list) => list.push(value),
        None => {
            map.insert(key.clone(), vec![value]);
        }
    }
}
