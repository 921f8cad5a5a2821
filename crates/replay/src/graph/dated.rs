//! The graph of one day: the relations that hold (or may hold) on it, each
//! with the evidence behind it.

use std::collections::BTreeSet;

use annals_model::{ActorId, Claim, Date, EventId, SourceId};
use chrono::NaiveDate;
use hashbrown::HashMap;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use crate::control::{Change, Holding, Status};
use crate::facts::Fact;
use crate::relations::{Node, Relation, RelationKey, RelationKind};
use crate::world::World;

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
    pub(crate) graph: StableDiGraph<Node, DatedEdge>,
    pub(crate) index: HashMap<Node, NodeIndex>,
}

impl World {
    /// Every relation the log knows, each with its key: the temporal graph's edges.
    pub fn relations(&self) -> impl Iterator<Item = &RelationKey> {
        self.temporal.relations().map(|(_, r)| &r.key)
    }

    /// The timeline an edge is judged on: its own facts, or for `controls` and
    /// `governs`, the whole place's or state's.
    pub(crate) fn timeline_of<'a>(&'a self, relation: &'a Relation) -> &'a [Fact] {
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
    pub(crate) fn ending_event<'f>(
        &self,
        mut settled: impl Iterator<Item = &'f Fact> + Clone,
        actor: &ActorId,
    ) -> Option<EventId> {
        let ends = |f: &&Fact| (!f.taken && &f.actor == actor) || (f.taken && &f.actor != actor);
        let fact = settled.clone().find(ends).or_else(|| settled.next())?;
        Some(self.kept[fact.record as usize].id.clone())
    }

    /// The edge of `actor` in the answer `h` on `date`; `later` is a suffix of
    /// the timeline that holds every fact not settled by `date`.
    pub(crate) fn edge(
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
    pub(crate) fn next_end(
        &self,
        timeline: &[Fact],
        actor: &ActorId,
        date: NaiveDate,
    ) -> Option<Date> {
        let ends = |f: &&Fact| {
            f.latest > date && ((!f.taken && &f.actor == actor) || (f.taken && &f.actor != actor))
        };
        let fact = timeline.iter().find(ends)?;
        self.kept[fact.record as usize].date
    }
}

/// How `actor`'s edge stands in the answer `h`, or `None` if it does not hold.
pub(crate) fn edge_status(h: &Holding, actor: &ActorId) -> Option<EdgeStatus> {
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
pub(crate) fn held(h: &Holding, actor: &ActorId) -> Option<EdgeStatus> {
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
pub(crate) fn source_actor(relation: &Relation) -> Option<&ActorId> {
    match &relation.key.source {
        Node::Actor(a) => Some(a),
        Node::Place(_) | Node::Agreement(_) => None,
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

    /// The kind the log declares of a node: the actor's or place's kind
    /// (`state`, `town`, ...); `None` when it declares none, and for an
    /// agreement, whose category ([`Node::category`]) says what it is.
    pub fn node_kind(&self, node: &Node) -> Option<&'static str> {
        match node {
            Node::Actor(a) => self.actor(a.as_str()).and_then(|i| i.kind).map(|k| k.as_str()),
            Node::Place(p) => self.place(p.as_str()).and_then(|i| i.kind).map(|k| k.as_str()),
            Node::Agreement(_) => None,
        }
    }
}
