//! The interval index: every place's control timeline (and every state's
//! government timeline) cut into the intervals between the days on which an
//! answer can change, each with its answer precomputed.
//!
//! An answer on day X rests on the facts settled by X (`latest <= X`) and the
//! facts pending on X (`earliest <= X < latest`). Both sets change only on a
//! day that is some fact's `earliest` or `latest`, so between two such days
//! the answer is the same (but for the day it names). The index keeps those
//! days sorted, and for each interval the state's kind, its facts and the
//! pending facts, as indexes into the timeline. A lookup is a hash of the
//! place id and a binary search; the full [`Holding`] is built from the
//! interval by the same code as [`World::control`], which stays the
//! reference (a property test holds the two equal on every day).
//!
//! Building it sweeps each timeline once, in day order, folding groups as
//! they settle. A group settles on its `latest`, and it folds in order of
//! `earliest`, so a group settling late but starting early (a seizure "in
//! 2023" settles on 31 December) folds before groups already folded: the sweep
//! keeps the state after each settled group and refolds from the first one
//! the new group precedes. Cost: one fold step per settled group, plus one
//! per group nested inside a wider one.

use std::collections::BTreeSet;

use annals_model::ActorId;
use chrono::NaiveDate;
use hashbrown::HashMap;

use crate::control::{groups, pending, status_of, step, Kind, State, Status};
use crate::facts::Fact;

/// One interval of a timeline and the answer that holds throughout it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Interval {
    pub(crate) status: Status,
    pub(crate) kind: Kind,
    /// The fact naming the controller, for a controlled answer.
    pub(crate) controller: Option<u32>,
    /// The state's facts and the pending facts, as ranges of `Timeline::pool`.
    pub(crate) group: (u32, u32),
    pub(crate) pending: (u32, u32),
}

impl Interval {
    pub(crate) const NOTHING: Interval = Interval {
        status: Status::Unknown,
        kind: Kind::Unknown,
        controller: None,
        group: (0, 0),
        pending: (0, 0),
    };
}

/// The intervals of one timeline. `intervals[0]` holds before `days[0]`;
/// `intervals[i + 1]` from `days[i]` until `days[i + 1]`.
///
/// For the graph's sweeps over time it also keeps the facts in the order
/// their windows close, and how far the windows of each prefix of the facts
/// reach.
#[derive(Debug)]
pub(crate) struct Timeline {
    pub(crate) days: Vec<NaiveDate>,
    pub(crate) intervals: Vec<Interval>,
    pub(crate) pool: Vec<u32>,
    /// Fact indexes sorted by `(latest, index)`.
    pub(crate) closing: Vec<u32>,
    /// `reach[i]`: the largest `latest` of facts `0..=i`.
    pub(crate) reach: Vec<NaiveDate>,
    /// Per fact, its actor numbered within this timeline.
    pub(crate) actors: Vec<u32>,
    /// Each interval holding a settling day (some fact's `latest`), with the
    /// first such day, in order.
    pub(crate) settles: Vec<(u32, NaiveDate)>,
    /// Per interval, the fact that decides its answer (`u32::MAX`: none),
    /// for a control or government timeline of the interval index
    /// (`index::timelines`); empty otherwise.
    pub(crate) deciders: Vec<u32>,
}

impl Timeline {
    pub(crate) fn build(facts: &[Fact]) -> Timeline {
        let mut timeline = Timeline {
            days: Vec::new(),
            intervals: vec![Interval::NOTHING],
            pool: Vec::new(),
            closing: Vec::new(),
            reach: Vec::with_capacity(facts.len()),
            actors: Vec::with_capacity(facts.len()),
            settles: Vec::new(),
            deciders: Vec::new(),
        };
        let mut numbers: HashMap<&ActorId, u32> = HashMap::new();
        for f in facts {
            let next = numbers.len() as u32;
            timeline.actors.push(*numbers.entry(&f.actor).or_insert(next));
            let before = timeline.reach.last().copied().unwrap_or(f.latest);
            timeline.reach.push(before.max(f.latest));
        }
        let groups = groups(facts);
        let mut days: Vec<NaiveDate> = facts.iter().flat_map(|f| [f.earliest, f.latest]).collect();
        days.sort_unstable();
        days.dedup();
        // Groups in the order they settle; facts in the order their window closes.
        let mut settling: Vec<usize> = (0..groups.len()).collect();
        settling.sort_by_key(|&g| (facts[groups[g].start].latest, g));
        let mut closing: Vec<u32> = (0..facts.len() as u32).collect();
        closing.sort_by_key(|&i| facts[i as usize].latest);

        // The settled groups in fold order, and the state after each.
        let mut settled: Vec<usize> = Vec::new();
        let mut after: Vec<State> = Vec::new();
        let mut open: BTreeSet<u32> = BTreeSet::new();
        let unknown = State::UNKNOWN;
        let (mut next_start, mut next_close, mut next_settle) = (0, 0, 0);
        for day in days {
            // Facts are sorted by `earliest`: those starting today open.
            while next_start < facts.len() && facts[next_start].earliest == day {
                if facts[next_start].latest > day {
                    open.insert(next_start as u32);
                }
                next_start += 1;
            }
            while next_close < closing.len() && facts[closing[next_close] as usize].latest == day {
                open.remove(&closing[next_close]);
                next_close += 1;
            }
            let mut refold_from = usize::MAX;
            while next_settle < settling.len()
                && facts[groups[settling[next_settle]].start].latest == day
            {
                let g = settling[next_settle];
                let at = settled.partition_point(|&s| s < g);
                settled.insert(at, g);
                refold_from = refold_from.min(at);
                next_settle += 1;
            }
            if refold_from != usize::MAX {
                after.truncate(refold_from);
                let mut state = after.last().cloned().unwrap_or(State::UNKNOWN);
                for &g in &settled[refold_from..] {
                    state = step(facts, state, groups[g].clone());
                    after.push(state.clone());
                }
            }
            let state = after.last().unwrap_or(&unknown);
            let pending = pending(facts, state, open.iter().copied());
            timeline.push(day, facts, state, &pending);
        }
        for &i in &closing {
            let day = facts[i as usize].latest;
            let interval = timeline.interval_at(day) as u32;
            if timeline.settles.last().is_none_or(|&(last, _)| last != interval) {
                timeline.settles.push((interval, day));
            }
        }
        timeline.closing = closing;
        timeline
    }

    /// The intervals holding a settling day, each with the first such day.
    pub(crate) fn settles(&self) -> &[(u32, NaiveDate)] {
        &self.settles
    }

    /// The number of `actor` in this timeline, if it has a fact in it.
    /// `hint`, one of the actor's facts, is found by binary search (facts
    /// are sorted by valid time); without it, or if it is not here, the
    /// facts are scanned.
    pub(crate) fn actor_number(
        &self,
        facts: &[Fact],
        actor: &ActorId,
        hint: Option<&Fact>,
    ) -> Option<u32> {
        if let Some(h) = hint {
            let when = (h.earliest, h.latest);
            let start = facts.partition_point(|f| (f.earliest, f.latest) < when);
            let found = facts[start..]
                .iter()
                .take_while(|f| (f.earliest, f.latest) == when)
                .position(|f| f.record == h.record && f.actor == h.actor);
            if let (Some(i), true) = (found, &h.actor == actor) {
                return Some(self.actors[start + i]);
            }
        }
        facts.iter().position(|f| &f.actor == actor).map(|i| self.actors[i])
    }

    /// The interval `date` falls in.
    pub(crate) fn interval_at(&self, date: NaiveDate) -> usize {
        self.days.partition_point(|d| *d <= date)
    }

    /// The status of interval `i` if actor number `who` is among the holders
    /// its settled events leave (the state before the window, when it is
    /// uncertain); `None` if it is not.
    pub(crate) fn held_by(&self, i: usize, who: u32) -> Option<Status> {
        let holds = self.holders(i).iter().any(|&f| self.actors[f as usize] == who);
        holds.then_some(self.intervals[i].status)
    }

    /// The facts of the holders the settled events of interval `i` leave
    /// (none unless it is controlled or contested).
    fn holders(&self, i: usize) -> &[u32] {
        let interval = &self.intervals[i];
        match interval.kind {
            Kind::Controlled | Kind::Contested => self.slice(interval.group),
            Kind::Unknown | Kind::Withdrawn => &[],
        }
    }

    /// The facts whose actors may have an edge in interval `i`: the
    /// holders' ([`Timeline::held_by`]) and the pending ones.
    pub(crate) fn may_hold_facts(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.holders(i).iter().chain(self.slice(self.intervals[i].pending)).copied()
    }

    /// Every interval after the first (which holds before any fact, so no
    /// one), with its first day and the first day of the next, if any.
    pub(crate) fn intervals(
        &self,
    ) -> impl Iterator<Item = (usize, NaiveDate, Option<NaiveDate>)> + '_ {
        (1..self.intervals.len()).map(|i| (i, self.days[i - 1], self.days.get(i).copied()))
    }

    /// Whether actor number `who` may have an edge in interval `i`: it is
    /// among the holders the settled events leave, or one of its facts is
    /// pending. (Whether it has one is the whole answer's to say.)
    pub(crate) fn may_hold(&self, i: usize, who: u32) -> bool {
        self.may_hold_facts(i).any(|f| self.actors[f as usize] == who)
    }

    /// The facts settled on `day` (`latest == day`), in timeline order.
    pub(crate) fn settling_on<'f>(
        &self,
        facts: &'f [Fact],
        day: NaiveDate,
    ) -> impl Iterator<Item = &'f Fact> + Clone + use<'f, '_> {
        let start = self.closing.partition_point(|&i| facts[i as usize].latest < day);
        let end = self.closing.partition_point(|&i| facts[i as usize].latest <= day);
        self.closing[start..end].iter().map(move |&i| &facts[i as usize])
    }

    /// The days after `from` and before `to` on which some fact settles
    /// (`latest`), ascending, each once; `to` `None`: no bound.
    pub(crate) fn settling_between<'s>(
        &'s self,
        facts: &'s [Fact],
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> impl Iterator<Item = NaiveDate> + 's {
        let start = self.closing.partition_point(|&i| facts[i as usize].latest <= from);
        let mut last = from;
        self.closing[start..]
            .iter()
            .map(move |&i| facts[i as usize].latest)
            .take_while(move |&d| to.is_none_or(|to| d < to))
            .filter(move |&d| std::mem::replace(&mut last, d) != d)
    }

    /// The first fact that may still be open after `date`: every fact before
    /// it is settled by then.
    pub(crate) fn first_open_after(&self, date: NaiveDate) -> usize {
        self.reach.partition_point(|r| *r <= date)
    }

    /// Adds the interval starting on `day`, unless it repeats the one before.
    fn push(&mut self, day: NaiveDate, facts: &[Fact], state: &State, pending: &[u32]) {
        let last = self.intervals.last().expect("the interval before any day");
        if last.kind == state.kind
            && self.slice(last.group) == state.group.as_slice()
            && self.slice(last.pending) == pending
        {
            return;
        }
        let status = status_of(state.kind, !pending.is_empty());
        let controller = (status == Status::Controlled).then(|| state.group[0]);
        debug_assert!(controller.is_none_or(|c| state
            .group
            .iter()
            .all(|&i| facts[i as usize].actor == facts[c as usize].actor)));
        let group = self.store(&state.group);
        let pending = self.store(pending);
        self.days.push(day);
        self.intervals.push(Interval { status, kind: state.kind, controller, group, pending });
    }

    fn store(&mut self, items: &[u32]) -> (u32, u32) {
        let start = self.pool.len() as u32;
        self.pool.extend_from_slice(items);
        (start, self.pool.len() as u32)
    }

    pub(crate) fn slice(&self, (start, end): (u32, u32)) -> &[u32] {
        &self.pool[start as usize..end as usize]
    }

    pub(crate) fn bytes(&self) -> usize {
        self.days.capacity() * std::mem::size_of::<NaiveDate>()
            + self.intervals.capacity() * std::mem::size_of::<Interval>()
            + (self.pool.capacity() + self.closing.capacity() + self.actors.capacity()) * 4
            + self.reach.capacity() * std::mem::size_of::<NaiveDate>()
            + self.settles.capacity() * std::mem::size_of::<(u32, NaiveDate)>()
            + self.deciders.capacity() * 4
    }
}

/// The timelines of a [`HoldingIndex`](crate::HoldingIndex), owned by the
/// world they index: built on the first [`World::index`](crate::World::index)
/// and kept, since a replayed world never changes.
#[derive(Debug, Default)]
pub(crate) struct Intervals {
    /// In the order of `World::control`'s numbers.
    pub(crate) control: Vec<Timeline>,
    /// In the order of `World::governments`' numbers.
    pub(crate) government: Vec<Timeline>,
}
