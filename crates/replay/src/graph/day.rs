//! The graph of one day, built from what can hold on it: a relation is
//! judged in full only if its actor is among the holders of the day's
//! interval (or has a fact pending on it), and only the nodes that end up
//! with an edge are made.
//!
//! For `controls` and `governs`, the interval index (when it is built)
//! says in a binary search whether the actor can hold the place or state
//! on the day; the place's whole answer is built once, for the places where
//! some actor may. Other relations are folded from their own few facts, and
//! their answer is built only when the fold leaves the actor holding (or
//! pending). Either way the edge is made by [`World::edge`] from the same
//! answer as before, so it is the same edge.

use annals_model::ActorId;
use chrono::NaiveDate;
use hashbrown::HashMap;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;

use super::dated::{edge_status, source_actor, DatedEdge, DatedGraph};
use crate::answers::fold;
use crate::control::{Holding, Kind};
use crate::facts::Fact;
use crate::index::HoldingIndex;
use crate::relations::{Node, Relation, RelationKind};
use crate::timeline::Timeline;
use crate::world::World;

impl World {
    /// The graph of the relations that hold (or may hold: uncertain) on `date`.
    /// Nodes are the ends of those edges.
    pub fn graph_on(&self, date: NaiveDate) -> DatedGraph {
        self.graph_of_kinds(date, &[])
    }

    /// [`World::graph_on`] with only the relations of `kinds` (all when
    /// empty): what `graph_on` and then [`DatedGraph::retain_kinds`] give,
    /// without judging the relations of other kinds first (on a large log,
    /// most edges are `controls`).
    pub fn graph_of_kinds(&self, date: NaiveDate, kinds: &[RelationKind]) -> DatedGraph {
        let wanted = |kind: &RelationKind| kinds.is_empty() || kinds.contains(kind);
        let mut day = Day::new(self, date);
        let relations = (&self.temporal.graph).edge_references();
        let edges = relations.filter(|r| wanted(&r.weight().key.kind)).filter_map(|r| {
            let edge = day.edge(r.weight(), r.source(), r.target())?;
            Some((r.source(), r.target(), edge))
        });
        let edges: Vec<_> = edges.collect();
        self.day_graph(date, edges)
    }

    /// The edges of `node` on `date` and the nodes at their other ends:
    /// what [`World::graph_on`] gives for [`DatedGraph::edges_of`] `node`,
    /// without judging the relations of other nodes. Empty when `node` has
    /// no edge on the day.
    pub fn graph_of_node(&self, date: NaiveDate, node: &Node) -> DatedGraph {
        let graph = &self.temporal.graph;
        let mut ids: Vec<EdgeIndex> = match self.temporal.node(node) {
            Some(n) => graph
                .edges_directed(n, Direction::Outgoing)
                .chain(graph.edges_directed(n, Direction::Incoming))
                .map(|e| e.id())
                .collect(),
            None => Vec::new(),
        };
        // In the temporal graph's order, as `graph_of_kinds` adds them; a
        // relation of a node with itself is seen from both ends.
        ids.sort_unstable();
        ids.dedup();
        let mut day = Day::new(self, date);
        let edges = ids.into_iter().filter_map(|id| {
            let (source, target) = graph.edge_endpoints(id)?;
            Some((source, target, day.edge(&graph[id], source, target)?))
        });
        let edges: Vec<_> = edges.collect();
        self.day_graph(date, edges)
    }

    /// [`World::graph_of_kinds`] and then [`DatedGraph::retain_around`]
    /// `center` and `depth`: the nodes within `depth` edges of the day of
    /// `center` (which stays even without edges) and every edge among
    /// them, judging only the relations of the nodes reached.
    pub fn graph_around(
        &self,
        date: NaiveDate,
        kinds: &[RelationKind],
        center: &Node,
        depth: usize,
    ) -> DatedGraph {
        let graph = &self.temporal.graph;
        let wanted = |kind: &RelationKind| kinds.is_empty() || kinds.contains(kind);
        let mut day = Day::new(self, date);
        // Each relation judged once: its edge on the day, if it holds.
        let mut judged: HashMap<EdgeIndex, Option<DatedEdge>> = HashMap::new();
        let mut judge = |n: NodeIndex, near: &dyn Fn(NodeIndex) -> bool| {
            let mut reached = Vec::new();
            let incident = graph.edges_directed(n, Direction::Outgoing);
            for e in incident.chain(graph.edges_directed(n, Direction::Incoming)) {
                let other = if e.source() == n { e.target() } else { e.source() };
                if !wanted(&e.weight().key.kind) || !near(other) {
                    continue;
                }
                let edge = judged
                    .entry(e.id())
                    .or_insert_with(|| day.edge(e.weight(), e.source(), e.target()));
                if edge.is_some() {
                    reached.push(other);
                }
            }
            reached
        };
        // Breadth first from `center`: the distance of each node reached.
        let mut distance: HashMap<NodeIndex, usize> = HashMap::new();
        let mut frontier: Vec<NodeIndex> = self.temporal.node(center).into_iter().collect();
        distance.extend(frontier.iter().map(|&n| (n, 0)));
        for d in 1..=depth {
            let mut next = Vec::new();
            for n in frontier {
                for m in judge(n, &|_| true) {
                    if !distance.contains_key(&m) {
                        distance.insert(m, d);
                        next.push(m);
                    }
                }
            }
            frontier = next;
        }
        // The edges among the nodes at the last distance (or among them and
        // nearer ones) are judged last; every other edge of a node reached
        // is judged already.
        for n in frontier {
            judge(n, &|m| distance.contains_key(&m));
        }
        let mut kept: Vec<(EdgeIndex, DatedEdge)> = judged
            .into_iter()
            .filter_map(|(id, edge)| Some((id, edge?)))
            .filter(|(id, _)| {
                let (s, t) = graph.edge_endpoints(*id).expect("an edge of the graph");
                distance.contains_key(&s) && distance.contains_key(&t)
            })
            .collect();
        // In the temporal graph's order, as `graph_of_kinds` adds them.
        kept.sort_unstable_by_key(|(id, _)| *id);
        let edges = kept.into_iter().map(|(id, edge)| {
            let (s, t) = graph.edge_endpoints(id).expect("an edge of the graph");
            (s, t, edge)
        });
        let mut dated = self.day_graph(date, edges.collect());
        if dated.graph.node_count() == 0 {
            let n = dated.graph.add_node(center.clone());
            dated.index.insert(center.clone(), n);
        }
        dated
    }

    /// The dated graph of `edges`, given by their ends in the temporal graph:
    /// its nodes are those ends, added in the temporal graph's (sorted) order.
    fn day_graph(
        &self,
        date: NaiveDate,
        edges: Vec<(NodeIndex, NodeIndex, DatedEdge)>,
    ) -> DatedGraph {
        let temporal = &self.temporal.graph;
        let mut at: Vec<Option<NodeIndex>> = vec![None; temporal.node_bound()];
        for (source, target, _) in &edges {
            at[source.index()] = Some(NodeIndex::end());
            at[target.index()] = Some(NodeIndex::end());
        }
        let count = at.iter().filter(|n| n.is_some()).count();
        let mut graph = StableDiGraph::with_capacity(count, edges.len());
        let mut index = HashMap::with_capacity(count);
        for n in temporal.node_indices() {
            if let Some(slot) = at[n.index()].as_mut() {
                let node = temporal[n].clone();
                *slot = graph.add_node(node.clone());
                index.insert(node, *slot);
            }
        }
        for (source, target, edge) in edges {
            let ends = (at[source.index()], at[target.index()]);
            let (Some(source), Some(target)) = ends else { unreachable!("ends are marked") };
            graph.add_edge(source, target, edge);
        }
        DatedGraph { date, graph, index }
    }
}

/// The judge of one day's relations, with the holder answers (places' and
/// states') built so far, by the temporal graph's node.
struct Day<'w> {
    world: &'w World,
    date: NaiveDate,
    index: Option<HoldingIndex<'w>>,
    /// Without the index: the answers folded so far.
    holdings: HashMap<NodeIndex, Holding>,
    /// With the index: the timelines looked up so far (`None`: the place
    /// or state has none).
    holders: HashMap<NodeIndex, Option<Holder<'w>>>,
}

/// A place's (or state's) timeline as it stands on the day: its facts, its
/// timeline in the index, the day's interval, and its whole answer once
/// an edge needs it.
struct Holder<'w> {
    facts: &'w [Fact],
    timeline: &'w Timeline,
    interval: usize,
    /// The nodes of the actors that may hold on the day: among the holders
    /// the settled facts leave, or with a fact pending. (Whether one does
    /// is the whole answer's to say.)
    may_hold: Vec<NodeIndex>,
    holding: Option<Holding>,
}

impl<'w> Holder<'w> {
    /// The timeline `relation` (a `controls` or `governs` one) is judged
    /// on, on `date`; `None` if the index has none (no fact: no one holds).
    fn of(
        world: &'w World,
        relation: &'w Relation,
        index: &HoldingIndex<'w>,
        date: NaiveDate,
    ) -> Option<Holder<'w>> {
        let timeline = match &relation.key.target {
            Node::Place(p) => index.control_timeline(p),
            Node::Actor(s) => index.government_timeline(s),
            Node::Agreement(_) => None,
        }?;
        let facts = world.timeline_of(relation);
        let interval = timeline.interval_at(date);
        let who = timeline.may_hold_facts(interval);
        let nodes = who.map(|f| Node::Actor(facts[f as usize].actor.clone()));
        let mut may_hold: Vec<NodeIndex> =
            nodes.filter_map(|node| world.temporal.node(&node)).collect();
        may_hold.sort_unstable();
        may_hold.dedup();
        Some(Holder { facts, timeline, interval, may_hold, holding: None })
    }
}

impl<'w> Day<'w> {
    fn new(world: &'w World, date: NaiveDate) -> Day<'w> {
        let index = world.built_index();
        Day { world, date, index, holdings: HashMap::new(), holders: HashMap::new() }
    }

    /// `relation` on the day, or `None` if it does not hold; `source` and
    /// `target` are its ends' nodes in the temporal graph.
    fn edge(
        &mut self,
        relation: &'w Relation,
        source: NodeIndex,
        target: NodeIndex,
    ) -> Option<DatedEdge> {
        let actor = source_actor(relation)?;
        match (&relation.key.kind, &relation.key.target) {
            (RelationKind::Controls, Node::Place(_)) | (RelationKind::Governs, Node::Actor(_)) => {
                match self.index {
                    Some(index) => self.indexed(relation, actor, (source, target), &index),
                    None => self.folded(relation, actor, target),
                }
            }
            _ => self.own(relation, actor),
        }
    }

    /// A `controls` or `governs` edge from the interval index: whether the
    /// actor may hold is read from the day's interval of the place's (or
    /// state's) timeline, found once per place.
    fn indexed(
        &mut self,
        relation: &'w Relation,
        actor: &ActorId,
        (source, target): (NodeIndex, NodeIndex),
        index: &HoldingIndex<'w>,
    ) -> Option<DatedEdge> {
        let (world, date) = (self.world, self.date);
        let holder = self.holders.entry(target);
        let holder = holder.or_insert_with(|| Holder::of(world, relation, index, date)).as_mut()?;
        if !holder.may_hold.contains(&source) {
            return None;
        }
        let Holder { facts, timeline, interval, holding, .. } = holder;
        let (facts, timeline) = (*facts, *timeline);
        let h = holding.get_or_insert_with(|| timeline.holding(world, facts, *interval, date));
        let status = edge_status(h, actor)?;
        // Every fact before the first still open after `date` is settled by
        // then, so cannot end the edge later.
        let later = &facts[timeline.first_open_after(date)..];
        Some(world.edge(relation, h, actor, status, later, date))
    }

    /// A `controls` or `governs` edge without the interval index: the
    /// place's (state's) answer folded once per day.
    fn folded(
        &mut self,
        relation: &Relation,
        actor: &ActorId,
        target: NodeIndex,
    ) -> Option<DatedEdge> {
        let (world, date) = (self.world, self.date);
        let h = self.holdings.entry(target).or_insert_with(|| match &relation.key.target {
            Node::Place(p) => world.control_answer(p, date),
            Node::Actor(s) => world.government_answer(s, date),
            Node::Agreement(_) => unreachable!("a holder edge ends at a place or a state"),
        });
        let status = edge_status(h, actor)?;
        Some(world.edge(relation, h, actor, status, world.timeline_of(relation), date))
    }

    /// An edge judged on its own facts: the whole answer only if the fold
    /// leaves the actor among the holders or with a fact pending.
    fn own(&self, relation: &Relation, actor: &ActorId) -> Option<DatedEdge> {
        let (world, date, facts) = (self.world, self.date, relation.facts.as_slice());
        // Nothing settled and nothing pending: no one holds.
        if facts.iter().all(|f| f.earliest > date) {
            return None;
        }
        let (state, pending) = fold(facts, date);
        let holding = matches!(state.kind, Kind::Controlled | Kind::Contested)
            && mentions(facts, &state.group, actor);
        if !holding && !mentions(facts, &pending, actor) {
            return None;
        }
        let h = world.answer(facts, state.kind, &state.group, &pending, date);
        let status = edge_status(&h, actor)?;
        Some(world.edge(relation, &h, actor, status, facts, date))
    }
}

/// Whether one of the facts `among` is `actor`'s.
fn mentions(facts: &[Fact], among: &[u32], actor: &ActorId) -> bool {
    among.iter().any(|&i| &facts[i as usize].actor == actor)
}
