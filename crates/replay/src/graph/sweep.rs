//! Relations over time: the days each one begins and stops holding, swept
//! from the interval index instead of refolded day by day (`diff`, `spans`).

use std::collections::BTreeSet;

use annals_model::{ActorId, Claim, Date, EventId, SourceId};
use chrono::NaiveDate;

use super::dated::{held, source_actor, DatedEdge, EdgeStatus};
use crate::control::Status;
use crate::facts::Fact;
use crate::index::HoldingIndex;
use crate::relations::{Node, Relation, RelationKey, RelationKind};
use crate::timeline::Timeline;
use crate::world::World;

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
    /// True if a later change of the same relation within the window undoes
    /// this one (taken and lost again, ended and begun again), or if the
    /// relation began and ended in events of one date: its net effect over
    /// the window is nil.
    pub cancelled: bool,
}

/// A day on which a relation begins or stops holding.
pub(crate) struct Turn {
    day: NaiveDate,
    /// The edge from that day on, or `None`: it stopped.
    edge: Option<DatedEdge>,
    /// For an end: the event that ended it.
    ended_by: Option<EventId>,
}

impl World {
    /// The relations that began or ended in `(from, to]`: each change counts on
    /// the day its event is settled, so an event dated "2024" counts when 2024
    /// is over. Sorted by the events' dates. Changes that cancel out within
    /// the window are listed too, marked `cancelled`: a relation that began
    /// and ended in events of one date (a camp taken and left the same day),
    /// and changes a later one of the same relation undoes.
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
                        sources: self.cited(e).to_vec(),
                        cancelled: false,
                    });
                }
            }
        }
        let turned: BTreeSet<(&RelationKey, NaiveDate)> =
            out.iter().map(|t| (&t.key, t.settled)).collect();
        let passing = self.passing(from, to, &turned);
        out.extend(passing);
        super::undone::mark_cancelled(&mut out);
        // Within one date, what began before what ended.
        out.sort_by(|a, b| {
            (a.date.earliest(), a.date.latest(), !a.began, &a.event, &a.key).cmp(&(
                b.date.earliest(),
                b.date.latest(),
                !b.began,
                &b.event,
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
    pub(crate) fn changes(
        &self,
        relation: &Relation,
        index: &HoldingIndex<'_>,
        window: Option<(NaiveDate, NaiveDate)>,
    ) -> Vec<Turn> {
        let Some(Judged { facts, timeline, actor, who }) = self.judged(relation, index) else {
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
}

/// What a relation is judged on: the facts of its timeline (the place's or
/// state's for `controls` and `governs`), their intervals, and its actor
/// (numbered within the timeline).
pub(crate) struct Judged<'a> {
    pub facts: &'a [Fact],
    pub timeline: Intervals<'a>,
    pub actor: &'a ActorId,
    pub who: u32,
}

/// A timeline of the index, or one built for a relation's own facts.
pub(crate) enum Intervals<'a> {
    Indexed(&'a Timeline),
    Own(Box<Timeline>),
}

impl std::ops::Deref for Intervals<'_> {
    type Target = Timeline;

    fn deref(&self) -> &Timeline {
        match self {
            Intervals::Indexed(t) => t,
            Intervals::Own(t) => t,
        }
    }
}

impl World {
    /// The timeline `relation` is judged on, from `index` for places and
    /// states; `None` if its actor has no fact on it.
    pub(crate) fn judged<'a>(
        &'a self,
        relation: &'a Relation,
        index: &'a HoldingIndex<'_>,
    ) -> Option<Judged<'a>> {
        let (facts, timeline) = match (&relation.key.kind, &relation.key.target) {
            (RelationKind::Controls, Node::Place(p)) => {
                (self.timeline_of(relation), Intervals::Indexed(index.control_timeline(p)?))
            }
            (RelationKind::Governs, Node::Actor(s)) => {
                (self.timeline_of(relation), Intervals::Indexed(index.government_timeline(s)?))
            }
            _ => (
                relation.facts.as_slice(),
                Intervals::Own(Box::new(Timeline::build(&relation.facts))),
            ),
        };
        let actor = source_actor(relation)?;
        // A `controls` or `governs` relation's own facts are among the place's
        // (state's): finding one is cheaper than comparing ids down the list.
        let who = timeline.actor_number(facts, actor, relation.facts.first())?;
        Some(Judged { facts, timeline, actor, who })
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
