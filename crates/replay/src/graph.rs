//! The temporal graph: every relation between actors, places and agreements,
//! held in petgraph with the events that open and close it, and its dated views.
//!
//! Each edge of the temporal graph is one relation over time (`member_of` from
//! the MNLA to the CMA, say) with the events that opened and closed it. Whether
//! it holds on day X follows the same holder-timeline rule as control
//! ([`crate::control`]): the settled events at the greatest position decide;
//! an event that is not yet settled on X makes the edge *uncertain*. So an edge
//! opened by a year-precision event is uncertain inside that year, and a
//! relation opened and closed on the same day does not hold after that day.
//!
//! `controls` and `governs` are not judged edge by edge: they come from the
//! place's (or state's) whole timeline through [`World::control`] and
//! [`World::government`], so `graph` never disagrees with `control`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};

use annals_model::{ActorId, AgreementId, Claim, Date, EventId, PlaceId, SourceId};
use chrono::NaiveDate;
use hashbrown::{Equivalent, HashMap, HashSet};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::unionfind::UnionFind;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;

use crate::control::{Change, Holding, Status};
use crate::index::{HoldingIndex, Timeline};
use crate::world::{Fact, World};

/// A node of the graph: an actor, a place or an agreement.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Actor(ActorId),
    Place(PlaceId),
    Agreement(AgreementId),
}

impl Node {
    /// The id, as the log spells it.
    pub fn id(&self) -> &str {
        match self {
            Node::Actor(a) => a.as_str(),
            Node::Place(p) => p.as_str(),
            Node::Agreement(a) => a.as_str(),
        }
    }

    /// `actor`, `place` or `agreement`.
    pub fn category(&self) -> &'static str {
        match self {
            Node::Actor(_) => "actor",
            Node::Place(_) => "place",
            Node::Agreement(_) => "agreement",
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The kinds of relation (edge kinds) of MISSION.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationKind {
    /// member → group.
    MemberOf,
    /// Between two actors, either way round.
    AlliedWith,
    /// Between two actors, either way round.
    HostileTo,
    /// actor → place.
    Controls,
    /// actor → state.
    Governs,
    /// intervener → host state.
    IntervenesIn,
    /// signatory → agreement.
    Signed,
}

impl RelationKind {
    pub const ALL: [RelationKind; 7] = [
        RelationKind::MemberOf,
        RelationKind::AlliedWith,
        RelationKind::HostileTo,
        RelationKind::Controls,
        RelationKind::Governs,
        RelationKind::IntervenesIn,
        RelationKind::Signed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::MemberOf => "member_of",
            RelationKind::AlliedWith => "allied_with",
            RelationKind::HostileTo => "hostile_to",
            RelationKind::Controls => "controls",
            RelationKind::Governs => "governs",
            RelationKind::IntervenesIn => "intervenes_in",
            RelationKind::Signed => "signed",
        }
    }

    pub fn parse(s: &str) -> Option<RelationKind> {
        RelationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// False for the symmetric relations (alliance, hostility): their source is
    /// the smaller id, and the direction means nothing.
    pub fn is_directed(self) -> bool {
        !matches!(self, RelationKind::AlliedWith | RelationKind::HostileTo)
    }
}

impl fmt::Display for RelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifies one relation: its kind, ends, and the alliance (for
/// `allied_with`: the actor naming the pact) or operation (for
/// `intervenes_in`) that tells two relations between the same ends apart.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RelationKey {
    pub kind: RelationKind,
    pub source: Node,
    pub target: Node,
    pub qualifier: Option<String>,
}

impl RelationKey {
    pub(crate) fn as_ref(&self) -> KeyRef<'_> {
        KeyRef {
            kind: self.kind,
            source: self.source.as_ref(),
            target: self.target.as_ref(),
            qualifier: self.qualifier.as_deref(),
        }
    }
}

/// Hashed as its borrowed form, so that replay finds it by a borrowed key.
impl Hash for RelationKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state)
    }
}

/// A [`RelationKey`] borrowed from an event: replay finds a relation's facts
/// with it and copies the ids only for a relation it has not seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct KeyRef<'a> {
    pub kind: RelationKind,
    pub source: NodeRef<'a>,
    pub target: NodeRef<'a>,
    pub qualifier: Option<&'a str>,
}

impl KeyRef<'_> {
    pub(crate) fn to_owned(self) -> RelationKey {
        RelationKey {
            kind: self.kind,
            source: self.source.to_owned(),
            target: self.target.to_owned(),
            qualifier: self.qualifier.map(str::to_string),
        }
    }
}

impl Equivalent<RelationKey> for KeyRef<'_> {
    fn equivalent(&self, key: &RelationKey) -> bool {
        *self == key.as_ref()
    }
}

/// A borrowed [`Node`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NodeRef<'a> {
    Actor(&'a ActorId),
    Place(&'a PlaceId),
    Agreement(&'a AgreementId),
}

impl NodeRef<'_> {
    fn to_owned(self) -> Node {
        match self {
            NodeRef::Actor(a) => Node::Actor(a.clone()),
            NodeRef::Place(p) => Node::Place(p.clone()),
            NodeRef::Agreement(a) => Node::Agreement(a.clone()),
        }
    }
}

impl Node {
    fn as_ref(&self) -> NodeRef<'_> {
        match self {
            Node::Actor(a) => NodeRef::Actor(a),
            Node::Place(p) => NodeRef::Place(p),
            Node::Agreement(a) => NodeRef::Agreement(a),
        }
    }
}

/// One edge of the temporal graph: a relation and every fact about it.
#[derive(Clone, Debug)]
pub struct Relation {
    pub key: RelationKey,
    /// Opening (`taken`) and closing facts, sorted like control facts; for
    /// `controls` and `governs`, only this actor's facts on the timeline.
    pub(crate) facts: Vec<Fact>,
}

/// How an edge holds on the day asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeStatus {
    /// Settled events say it holds.
    Valid,
    /// `controls`/`governs`: one of several actors whose claims tie.
    Contested,
    /// An event not yet settled on the day may open or close it.
    Uncertain,
}

impl EdgeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeStatus::Valid => "valid",
            EdgeStatus::Contested => "contested",
            EdgeStatus::Uncertain => "uncertain",
        }
    }
}

/// One relation as it stands on a day, with the evidence behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct DatedEdge {
    pub key: RelationKey,
    pub status: EdgeStatus,
    /// The date of the deciding event.
    pub since: Option<Date>,
    /// The date of the next event that would end it, if the log knows one.
    pub until: Option<Date>,
    /// The deciding event first, then the other events behind the edge.
    pub events: Vec<EventId>,
    /// The claim of the deciding event (none when uncertain or contested).
    pub claim: Option<Claim>,
    pub sources: Vec<SourceId>,
}

/// The graph of the relations that hold on one day, in petgraph.
#[derive(Debug)]
pub struct DatedGraph {
    pub date: NaiveDate,
    graph: StableDiGraph<Node, DatedEdge>,
    index: HashMap<Node, NodeIndex>,
}

/// The temporal graph: nodes for every actor, place and agreement, one edge
/// per relation, built in sorted order so indexes never depend on log order.
#[derive(Debug, Default)]
pub(crate) struct Temporal {
    graph: StableDiGraph<Node, Relation>,
    index: HashMap<Node, NodeIndex>,
}

impl Temporal {
    pub(crate) fn build(
        nodes: impl IntoIterator<Item = Node>,
        relations: HashMap<RelationKey, Vec<Fact>>,
    ) -> Temporal {
        let mut t = Temporal::default();
        let mut nodes: Vec<Node> = nodes.into_iter().collect();
        // Sorted, so that edge indexes do not depend on the order of the log.
        let mut relations: Vec<(RelationKey, Vec<Fact>)> = relations.into_iter().collect();
        relations.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // A relation's ends are nearly always among `nodes` (a dangling
        // reference aside): found by hash, not by a search of a sorted set.
        let known: HashSet<&Node> = nodes.iter().collect();
        let ends = relations.iter().flat_map(|(key, _)| [&key.source, &key.target]);
        let missing: Vec<Node> = ends.filter(|n| !known.contains(n)).cloned().collect();
        drop(known);
        nodes.extend(missing);
        // Stable sort: `nodes` comes sorted, with the few missing ones after.
        nodes.sort();
        nodes.dedup();
        for node in nodes {
            let i = t.graph.add_node(node.clone());
            t.index.insert(node, i);
        }
        for (key, facts) in relations {
            let (s, d) = (t.index[&key.source], t.index[&key.target]);
            t.graph.add_edge(s, d, Relation { key, facts });
        }
        t
    }

    pub(crate) fn relations(&self) -> impl Iterator<Item = (EdgeIndex, &Relation)> {
        (&self.graph).edge_references().map(|e| (e.id(), e.weight()))
    }
}

/// A relation that began or ended between two days.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub key: RelationKey,
    /// True if it began, false if it ended.
    pub began: bool,
    /// The day by which the change is settled (the event's latest day).
    pub settled: NaiveDate,
    /// The event that made the change.
    pub event: EventId,
    pub date: Date,
    pub claim: Claim,
    pub sources: Vec<SourceId>,
}

/// A day on which a relation begins or stops holding.
struct Turn {
    day: NaiveDate,
    /// The edge from that day on, or `None`: it stopped.
    edge: Option<DatedEdge>,
    /// For an end: the event that ended it.
    ended_by: Option<EventId>,
}

/// Per-query cache of holder answers, so a place's timeline is folded once.
#[derive(Default)]
struct Holdings {
    control: HashMap<PlaceId, Holding>,
    government: HashMap<ActorId, Holding>,
}

impl World {
    /// Every relation the log knows, each with its key: the temporal graph's edges.
    pub fn relations(&self) -> impl Iterator<Item = &RelationKey> {
        self.temporal.relations().map(|(_, r)| &r.key)
    }

    /// The graph of the relations that hold (or may hold: uncertain) on `date`.
    /// Nodes are the ends of those edges.
    pub fn graph_on(&self, date: NaiveDate) -> DatedGraph {
        let mut cache = Holdings::default();
        let graph = self.temporal.graph.filter_map(
            |_, node| Some(node.clone()),
            |_, relation| self.edge_on(relation, date, &mut cache),
        );
        let mut dated = DatedGraph { date, graph, index: HashMap::new() };
        dated.drop_isolated();
        dated
    }

    /// The relations that began or ended in `(from, to]`: each change counts on
    /// the day its event is settled, so an event dated "2024" counts when 2024
    /// is over. Sorted by the events' dates.
    pub fn diff(&self, from: NaiveDate, to: NaiveDate) -> Vec<Transition> {
        let mut out = Vec::new();
        let index = self.index();
        for (_, relation) in self.temporal.relations() {
            for Turn { day, edge: now, ended_by } in
                self.changes(relation, &index, Some((from, to)))
            {
                let event = match &now {
                    Some(edge) => edge.events.first().cloned(),
                    None => ended_by,
                };
                if let Some(e) = event.and_then(|id| self.kept(id.as_str())) {
                    out.push(Transition {
                        key: relation.key.clone(),
                        began: now.is_some(),
                        settled: day,
                        event: e.id.clone(),
                        date: e.date.expect("relation facts are dated"),
                        claim: e.claim,
                        sources: e.sources.to_vec(),
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            (a.date.earliest(), a.date.latest(), &a.event, !a.began, &a.key).cmp(&(
                b.date.earliest(),
                b.date.latest(),
                &b.event,
                !b.began,
                &b.key,
            ))
        });
        out
    }

    /// The days a relation starts or stops holding, with the edge from then on
    /// (`None`: it stopped), alternating and starting with a start. A change
    /// counts on the day its event is settled; between those days what holds
    /// cannot change. `diff` and `spans` both read this.
    ///
    /// The answers come from the interval index (`index` for places and
    /// states, built here for a relation's own facts): only the first settling
    /// day of an interval is looked at (the answer is the same through it),
    /// whether the actor holds is read from the interval's state, and the
    /// whole answer is built only on the days the edge begins.
    ///
    /// With a `window` (`from`, `to`), only the turns after `from` up to `to`:
    /// whether the edge holds on `from` is read from the last settling day
    /// before, and the days outside are not looked at.
    fn changes(
        &self,
        relation: &Relation,
        index: &HoldingIndex<'_>,
        window: Option<(NaiveDate, NaiveDate)>,
    ) -> Vec<Turn> {
        let own;
        let (facts, timeline) = match (&relation.key.kind, &relation.key.target) {
            (RelationKind::Controls, Node::Place(p)) => {
                (self.timeline_of(relation), index.control_timeline(p))
            }
            (RelationKind::Governs, Node::Actor(s)) => {
                (self.timeline_of(relation), index.government_timeline(s))
            }
            _ => {
                own = Timeline::build(&relation.facts);
                (relation.facts.as_slice(), Some(&own))
            }
        };
        let (Some(timeline), Some(actor)) = (timeline, source_actor(relation)) else {
            return Vec::new();
        };
        // A `controls` or `governs` relation's own facts are among the place's
        // (state's): finding one is cheaper than comparing ids down the list.
        let Some(who) = timeline.actor_number(facts, actor, relation.facts.first()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let settles = timeline.settles();
        let (first, last) = match window {
            Some((from, to)) => {
                (settles.partition_point(|s| s.1 <= from), settles.partition_point(|s| s.1 <= to))
            }
            None => (0, settles.len()),
        };
        // Turns alternate, so before `first` the edge holds as it did on the
        // settling day just before.
        let mut holds = first > 0 && timeline.held_by(settles[first - 1].0 as usize, who).is_some();
        for &(i, day) in &settles[first..last] {
            let i = i as usize;
            let status = timeline.held_by(i, who).map(|status| match status {
                Status::Controlled => EdgeStatus::Valid,
                Status::Contested => EdgeStatus::Contested,
                Status::Uncertain => EdgeStatus::Uncertain,
                Status::Unknown => unreachable!("no one holds an unknown answer"),
            });
            if status.is_some() != holds {
                holds = status.is_some();
                let edge = status.map(|status| {
                    let h = timeline.holding(self, facts, i, day);
                    debug_assert_eq!(held(&h, actor), Some(status));
                    let start = timeline.first_open_after(day);
                    self.edge(relation, &h, actor, status, &facts[start..], day)
                });
                let ended_by = match edge {
                    Some(_) => None,
                    None => self.ending_event(timeline.settling_on(facts, day), actor),
                };
                out.push(Turn { day, edge, ended_by });
            }
        }
        out
    }

    /// The timeline an edge is judged on: its own facts, or for `controls` and
    /// `governs`, the whole place's or state's.
    fn timeline_of<'a>(&'a self, relation: &'a Relation) -> &'a [Fact] {
        match (&relation.key.kind, &relation.key.target) {
            (RelationKind::Controls, Node::Place(p)) => {
                self.control.get(p).map(Vec::as_slice).unwrap_or(&[])
            }
            (RelationKind::Governs, Node::Actor(s)) => {
                self.governments.get(s).map(Vec::as_slice).unwrap_or(&[])
            }
            _ => &relation.facts,
        }
    }

    /// The event that closed an edge on `day`: one settled that day, the
    /// actor's own withdrawal or a rival's seizure (or coup) first.
    fn ending_event<'f>(
        &self,
        mut settled: impl Iterator<Item = &'f Fact> + Clone,
        actor: &ActorId,
    ) -> Option<EventId> {
        let ends = |f: &&Fact| (!f.taken && &f.actor == actor) || (f.taken && &f.actor != actor);
        let fact = settled.clone().find(ends).or_else(|| settled.next())?;
        Some(self.kept[fact.record].id.clone())
    }

    fn holding_for<'c>(
        &self,
        relation: &Relation,
        date: NaiveDate,
        cache: &'c mut Holdings,
    ) -> std::borrow::Cow<'c, Holding> {
        use std::borrow::Cow;
        match (&relation.key.kind, &relation.key.target) {
            (RelationKind::Controls, Node::Place(p)) => Cow::Borrowed(
                cache.control.entry(p.clone()).or_insert_with(|| self.control(p, date)),
            ),
            (RelationKind::Governs, Node::Actor(s)) => Cow::Borrowed(
                cache.government.entry(s.clone()).or_insert_with(|| self.government(s, date)),
            ),
            _ => Cow::Owned(self.holding(&relation.facts, date)),
        }
    }

    /// One relation on `date`, or `None` if it does not hold.
    fn edge_on(
        &self,
        relation: &Relation,
        date: NaiveDate,
        cache: &mut Holdings,
    ) -> Option<DatedEdge> {
        let actor = source_actor(relation)?;
        let h = self.holding_for(relation, date, cache);
        let status = edge_status(&h, actor)?;
        Some(self.edge(relation, &h, actor, status, self.timeline_of(relation), date))
    }

    /// The edge of `actor` in the answer `h` on `date`; `later` is a suffix of
    /// the timeline that holds every fact not settled by `date`.
    fn edge(
        &self,
        relation: &Relation,
        h: &Holding,
        actor: &ActorId,
        status: EdgeStatus,
        later: &[Fact],
        date: NaiveDate,
    ) -> DatedEdge {
        let mine: Vec<_> = h.candidates.iter().filter(|c| &c.actor == actor).collect();
        // The deciding event first, then the rest of this actor's evidence.
        let mut events: Vec<EventId> = Vec::new();
        if status == EdgeStatus::Valid {
            events.extend(h.event.iter().cloned());
        }
        for c in &mine {
            if !events.contains(&c.event) {
                events.push(c.event.clone());
            }
        }
        let sources: BTreeSet<&SourceId> = mine.iter().flat_map(|c| &c.sources).collect();
        let since = match status {
            EdgeStatus::Uncertain => h.before.as_ref().and_then(|b| b.since),
            EdgeStatus::Contested => mine.iter().filter(|c| !c.pending).map(|c| c.date).next(),
            EdgeStatus::Valid => h.since,
        };
        let claim = (status == EdgeStatus::Valid).then_some(h.claim).flatten();
        DatedEdge {
            key: relation.key.clone(),
            status,
            since,
            until: self.next_end(later, actor, date),
            events,
            claim,
            sources: sources.into_iter().cloned().collect(),
        }
    }

    /// The date of the first event after `date` that would end this edge: the
    /// actor's own withdrawal, or for `controls`/`governs` a rival's seizure.
    fn next_end(&self, timeline: &[Fact], actor: &ActorId, date: NaiveDate) -> Option<Date> {
        let ends = |f: &&Fact| {
            f.latest > date && ((!f.taken && &f.actor == actor) || (f.taken && &f.actor != actor))
        };
        let fact = timeline.iter().find(ends)?;
        self.kept[fact.record].date
    }
}

/// How `actor`'s edge stands in the answer `h`, or `None` if it does not hold.
fn edge_status(h: &Holding, actor: &ActorId) -> Option<EdgeStatus> {
    let mut mine = h.candidates.iter().filter(|c| &c.actor == actor);
    match h.status {
        Status::Controlled if h.controller.as_ref() == Some(actor) => Some(EdgeStatus::Valid),
        Status::Contested if mine.next().is_some() => Some(EdgeStatus::Contested),
        Status::Uncertain => {
            let before = h.before.as_ref().expect("uncertain answers have a before");
            let held_before = before.controller.as_ref() == Some(actor)
                || (before.status == Status::Contested
                    && mine.clone().any(|c| !c.pending && c.change == Change::Taken));
            let may_take = mine.any(|c| c.pending && c.change == Change::Taken);
            (held_before || may_take).then_some(EdgeStatus::Uncertain)
        }
        _ => None,
    }
}

/// How `actor`'s edge stands in `h` as settled events have it (for an
/// uncertain day, the state before the window): what `diff` compares. The
/// sweep reads it from the interval (`Timeline::held_by`); this is the
/// definition, checked against it in debug builds.
fn held(h: &Holding, actor: &ActorId) -> Option<EdgeStatus> {
    let status = edge_status(h, actor)?;
    if status != EdgeStatus::Uncertain {
        return Some(status);
    }
    let before = h.before.as_ref()?;
    let held = match before.status {
        Status::Controlled => before.controller.as_ref() == Some(actor),
        Status::Contested => h.candidates.iter().any(|c| !c.pending && &c.actor == actor),
        Status::Uncertain | Status::Unknown => false,
    };
    held.then_some(status)
}

/// The actor whose facts make the edge: the member, the first of a pair, the
/// intervener, the signatory, the controller or the government.
fn source_actor(relation: &Relation) -> Option<&ActorId> {
    match &relation.key.source {
        Node::Actor(a) => Some(a),
        Node::Place(_) | Node::Agreement(_) => None,
    }
}

impl DatedGraph {
    fn drop_isolated(&mut self) {
        let isolated: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| self.graph.neighbors_undirected(n).next().is_none())
            .collect();
        for n in isolated {
            self.graph.remove_node(n);
        }
        self.reindex();
    }

    fn reindex(&mut self) {
        self.index = self.graph.node_indices().map(|i| (self.graph[i].clone(), i)).collect();
    }

    /// The nodes, sorted.
    pub fn nodes(&self) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self.graph.node_weights().collect();
        nodes.sort();
        nodes
    }

    /// The edges, sorted by key.
    pub fn edges(&self) -> Vec<&DatedEdge> {
        let mut edges: Vec<&DatedEdge> = self.graph.edge_weights().collect();
        edges.sort_by(|a, b| a.key.cmp(&b.key));
        edges
    }

    pub fn contains(&self, node: &Node) -> bool {
        self.index.contains_key(node)
    }

    /// The edges touching `node`, sorted by key.
    pub fn edges_of(&self, node: &Node) -> Vec<&DatedEdge> {
        let Some(&n) = self.index.get(node) else { return Vec::new() };
        let mut edges: Vec<&DatedEdge> = self
            .graph
            .edges_directed(n, Direction::Outgoing)
            .chain(self.graph.edges_directed(n, Direction::Incoming))
            .map(|e| e.weight())
            .collect();
        edges.sort_by(|a, b| a.key.cmp(&b.key));
        edges.dedup_by(|a, b| a.key == b.key);
        edges
    }

    /// Keeps only the edges of the given kinds (and the nodes they touch).
    pub fn retain_kinds(&mut self, kinds: &[RelationKind]) {
        self.graph.retain_edges(|g, e| kinds.contains(&g[e].key.kind));
        self.drop_isolated();
    }

    /// Keeps only `center` and what lies within `depth` relations of it, in
    /// either direction. `center` stays even without edges.
    pub fn retain_around(&mut self, center: &Node, depth: usize) {
        let near: HashMap<NodeIndex, usize> = match self.index.get(center) {
            Some(&start) => self.distances(start, depth),
            None => HashMap::new(),
        };
        self.graph.retain_nodes(|_, n| near.contains_key(&n));
        if self.graph.node_count() == 0 {
            self.graph.add_node(center.clone());
        }
        self.reindex();
    }

    /// Breadth-first distances from `start`, over edges in either direction.
    fn distances(&self, start: NodeIndex, limit: usize) -> HashMap<NodeIndex, usize> {
        let mut seen = HashMap::from([(start, 0)]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            let d = seen[&n];
            if d == limit {
                continue;
            }
            for m in self.graph.neighbors_undirected(n) {
                seen.entry(m).or_insert_with(|| {
                    queue.push_back(m);
                    d + 1
                });
            }
        }
        seen
    }

    /// Groups of actors tied by the given relations (connected components,
    /// ignoring direction), largest first; lone nodes are left out.
    pub fn blocs(&self, kinds: &[RelationKind]) -> Vec<Vec<&Node>> {
        let bound = self.graph.node_bound();
        let mut sets = UnionFind::<usize>::new(bound);
        for e in (&self.graph).edge_references() {
            if kinds.contains(&e.weight().key.kind) {
                sets.union(e.source().index(), e.target().index());
            }
        }
        let mut groups: BTreeMap<usize, Vec<&Node>> = BTreeMap::new();
        for n in self.graph.node_indices() {
            groups.entry(sets.find(n.index())).or_default().push(&self.graph[n]);
        }
        let mut blocs: Vec<Vec<&Node>> = groups.into_values().filter(|g| g.len() > 1).collect();
        for b in &mut blocs {
            b.sort();
        }
        blocs.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        blocs
    }

    /// A shortest chain of relations from `from` to `to`, ignoring direction:
    /// each step is the edge taken and the node it reaches. Among chains of the
    /// same length, the one through the smallest ids wins.
    pub fn path(&self, from: &Node, to: &Node) -> Option<Vec<(&DatedEdge, &Node)>> {
        let (&start, &goal) = (self.index.get(from)?, self.index.get(to)?);
        let mut back: HashMap<NodeIndex, (NodeIndex, EdgeIndex)> = HashMap::new();
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            if n == goal {
                break;
            }
            let mut steps: Vec<(NodeIndex, EdgeIndex)> = self
                .graph
                .edges_directed(n, Direction::Outgoing)
                .map(|e| (e.target(), e.id()))
                .chain(
                    self.graph.edges_directed(n, Direction::Incoming).map(|e| (e.source(), e.id())),
                )
                .collect();
            steps.sort_by(|a, b| {
                (&self.graph[a.0], &self.graph[a.1].key)
                    .cmp(&(&self.graph[b.0], &self.graph[b.1].key))
            });
            for (m, e) in steps {
                if seen.insert(m) {
                    back.insert(m, (n, e));
                    queue.push_back(m);
                }
            }
        }
        if !seen.contains(&goal) {
            return None;
        }
        let mut chain = Vec::new();
        let mut at = goal;
        while at != start {
            let (prev, e) = back[&at];
            chain.push((&self.graph[e], &self.graph[at]));
            at = prev;
        }
        chain.reverse();
        Some(chain)
    }
}

impl World {
    /// The display name of a node: the actor's, place's or agreement's name, or its id.
    pub fn node_name<'a>(&'a self, node: &'a Node) -> &'a str {
        let name = match node {
            Node::Actor(a) => self.actor(a.as_str()).map(|i| i.name.as_str()),
            Node::Place(p) => self.place(p.as_str()).map(|i| i.name.as_str()),
            Node::Agreement(a) => self.agreement_name(a.as_str()),
        };
        name.unwrap_or(node.id())
    }

    /// The kind of a node: the actor's or place's kind (`state`, `town`, ...),
    /// `agreement`, or the bare category when the log gives no kind.
    pub fn node_kind(&self, node: &Node) -> &'static str {
        let kind = match node {
            Node::Actor(a) => self.actor(a.as_str()).and_then(|i| i.kind).map(|k| k.as_str()),
            Node::Place(p) => self.place(p.as_str()).and_then(|i| i.kind).map(|k| k.as_str()),
            Node::Agreement(_) => None,
        };
        kind.unwrap_or(node.category())
    }
}

/// One stretch of time over which a relation holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// The first day it holds (the day its opening is settled).
    pub start: NaiveDate,
    /// The first day it no longer holds, if it ended.
    pub end: Option<NaiveDate>,
    /// The edge as it stood on `start`.
    pub edge: DatedEdge,
}

impl World {
    /// Every relation with the stretches of time over which it holds, judged
    /// like `diff`: a change counts on the day its event is settled. Relations
    /// that never held (every opening retracted or undone) are left out.
    pub fn spans(&self) -> Vec<(&RelationKey, Vec<Span>)> {
        let mut out = Vec::new();
        let index = self.index();
        for (_, relation) in self.temporal.relations() {
            let mut spans: Vec<Span> = Vec::new();
            for Turn { day, edge: now, .. } in self.changes(relation, &index, None) {
                match now {
                    Some(edge) => spans.push(Span { start: day, end: None, edge }),
                    None => spans.last_mut().expect("an end follows a start").end = Some(day),
                }
            }
            if !spans.is_empty() {
                out.push((&relation.key, spans));
            }
        }
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }
}
