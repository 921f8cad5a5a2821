//! Relations over time as `graph_on` shows them: every day a relation is in
//! the graph of that day, valid, contested or uncertain, in stretches over
//! which it shows the same way. Unlike the spans of [`World::spans`] (what
//! settled events say), a stretch also covers the days an event not yet
//! settled may open or close the relation: the exports that play a conflict
//! over time (Gephi's timeline, a map's time slider) show what `graph --on`
//! shows on each day.

use chrono::NaiveDate;

use super::dated::{edge_status, DatedEdge};
use super::sweep::Judged;
use crate::index::HoldingIndex;
use crate::relations::{Relation, RelationKey};
use crate::world::World;

/// Days over which `graph_on` shows a relation the same way: the same status,
/// deciding date, claim and expected end.
#[derive(Clone, Debug, PartialEq)]
pub struct Stretch {
    /// The first day.
    pub start: NaiveDate,
    /// The last day (inclusive), or `None`: it still holds after every event.
    pub last: Option<NaiveDate>,
    /// The edge as `graph_on` gives it on `start`, with the events and
    /// sources of every day of the stretch.
    pub edge: DatedEdge,
}

impl World {
    /// Every relation `graph_on` shows on some day, with the stretches of
    /// days over which it shows the same way, in day order; sorted by key.
    /// On every day `graph_on` shows an edge, it lies in a stretch of its
    /// relation whose edge has the same status, `since`, `claim` and `until`;
    /// on every other day, in none.
    pub fn stretches(&self) -> Vec<(&RelationKey, Vec<Stretch>)> {
        let index = self.index();
        let mut out: Vec<(&RelationKey, Vec<Stretch>)> = self
            .temporal
            .relations()
            .map(|(_, relation)| (&relation.key, self.stretches_of(relation, &index)))
            .filter(|(_, list)| !list.is_empty())
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The stretches of one relation: between two days on which some fact of
    /// its timeline opens or settles, the answer is the same, so each
    /// interval of the timeline is judged once, on its first day; only the
    /// edge's `until` moves on inside it, as facts that would end it settle.
    fn stretches_of(&self, relation: &Relation, index: &HoldingIndex<'_>) -> Vec<Stretch> {
        let Some(Judged { facts, timeline, actor, who }) = self.judged(relation, index) else {
            return Vec::new();
        };
        let mut out: Vec<Stretch> = Vec::new();
        for (i, start, next) in timeline.intervals() {
            if !timeline.may_hold(i, who) {
                continue;
            }
            let h = timeline.holding(self, facts, i, start);
            let Some(status) = edge_status(&h, actor) else { continue };
            let later = &facts[timeline.first_open_after(start)..];
            let edge = self.edge(relation, &h, actor, status, later, start);
            let mut from = start;
            for day in timeline.settling_between(facts, start, next) {
                let mut e = edge.clone();
                e.until = self.next_end(later, actor, from);
                add(&mut out, from, day.pred_opt(), e);
                from = day;
            }
            let mut e = edge;
            e.until = self.next_end(later, actor, from);
            add(&mut out, from, next.and_then(|d| d.pred_opt()), e);
        }
        out
    }
}

/// Adds the days `start..=last` on which `edge` shows to `out`: to the last
/// stretch if it ends the day before and shows the same way.
fn add(out: &mut Vec<Stretch>, start: NaiveDate, last: Option<NaiveDate>, edge: DatedEdge) {
    match out.last_mut() {
        Some(s) if s.last.and_then(|l| l.succ_opt()) == Some(start) && same(&s.edge, &edge) => {
            s.last = last;
            for event in edge.events {
                if !s.edge.events.contains(&event) {
                    s.edge.events.push(event);
                }
            }
            s.edge.sources.extend(edge.sources);
            s.edge.sources.sort();
            s.edge.sources.dedup();
        }
        _ => out.push(Stretch { start, last, edge }),
    }
}

/// Whether two edges of one relation show the same way.
fn same(a: &DatedEdge, b: &DatedEdge) -> bool {
    (a.status, a.since, a.claim, a.until) == (b.status, b.since, b.claim, b.until)
}
