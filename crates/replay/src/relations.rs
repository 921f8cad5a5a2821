//! The relations between actors, places and agreements, and the temporal
//! graph that holds each one with the facts that open and close it: built
//! once by replay, in sorted order, so that node and edge indexes never
//! depend on the order of the log.

use std::fmt;
use std::hash::{Hash, Hasher};

use annals_model::{ActorId, AgreementId, PlaceId};
use hashbrown::{Equivalent, HashMap, HashSet};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use crate::facts::Fact;

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

impl Node {
    pub(crate) fn as_ref(&self) -> NodeRef<'_> {
        match self {
            Node::Actor(a) => NodeRef::Actor(a),
            Node::Place(p) => NodeRef::Place(p),
            Node::Agreement(a) => NodeRef::Agreement(a),
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
    pub(crate) fn to_owned(self) -> Node {
        match self {
            NodeRef::Actor(a) => Node::Actor(a.clone()),
            NodeRef::Place(p) => Node::Place(p.clone()),
            NodeRef::Agreement(a) => Node::Agreement(a.clone()),
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

/// The temporal graph: nodes for every actor, place and agreement, one edge
/// per relation, built in sorted order so indexes never depend on log order.
#[derive(Debug, Default)]
pub(crate) struct Temporal {
    pub(crate) graph: StableDiGraph<Node, Relation>,
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

    /// The index of `node`, if it is in the graph.
    pub(crate) fn node(&self, node: &Node) -> Option<NodeIndex> {
        self.index.get(node).copied()
    }

    pub(crate) fn relations(&self) -> impl Iterator<Item = (EdgeIndex, &Relation)> {
        (&self.graph).edge_references().map(|e| (e.id(), e.weight()))
    }
}
