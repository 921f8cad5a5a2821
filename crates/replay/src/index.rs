//! Answers from the interval index ([`crate::timeline`]): a hash of the
//! place id and a binary search instead of a fold. The full [`Holding`] is
//! built from the interval by the same code as [`World::control`], which
//! stays the reference (a property test holds the two equal on every day).

use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};

use annals_model::{ActorId, PlaceId};
use chrono::NaiveDate;

use crate::answers::Headline;
use crate::control::{Holding, Kind, Status};
use crate::facts::Fact;
use crate::keyed::Keyed;
use crate::timeline::{Interval, Intervals, Timeline};
use crate::world::World;

impl Timeline {
    /// The whole answer on `date`, which falls in interval `i`.
    pub(crate) fn holding(
        &self,
        world: &World,
        facts: &[Fact],
        i: usize,
        date: NaiveDate,
    ) -> Holding {
        self.answer(world, facts, &self.intervals[i], date)
    }

    fn answer(
        &self,
        world: &World,
        facts: &[Fact],
        interval: &Interval,
        date: NaiveDate,
    ) -> Holding {
        let (group, pending) = (self.slice(interval.group), self.slice(interval.pending));
        world.answer(facts, interval.kind, group, pending, date)
    }
}

/// Control and government answers precomputed per interval; built from a
/// replayed [`World`] with [`World::index`].
#[derive(Clone, Copy, Debug)]
pub struct HoldingIndex<'w> {
    world: &'w World,
    intervals: &'w Intervals,
}

impl Intervals {
    fn build(world: &World) -> Intervals {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        Intervals {
            control: timelines(world, &world.control, threads),
            government: timelines(world, &world.governments, threads),
        }
    }
}

/// The timeline of each list of facts, in the order of their numbers,
/// built on up to `threads` threads. Each thread takes the next list left,
/// the longest first (places follow a Zipf law: the busiest holds a large
/// share of the facts), so no thread is left with the long ones at the
/// end. The timelines do not depend on the order they are built in.
fn timelines<K: Clone + Eq + Hash + Sync>(
    world: &World,
    lists: &Keyed<K, Vec<Fact>>,
    threads: usize,
) -> Vec<Timeline> {
    // Each interval's deciding fact, as `World::headline` picks it, so
    // that a map's headline is read, not searched for.
    let build = |facts: &[Fact]| {
        let mut timeline = Timeline::build(facts);
        let deciders = timeline.intervals.iter().map(|interval| {
            let group = timeline.slice(interval.group);
            world.decider(facts, interval.kind, group).map_or(u32::MAX, |i| i as u32)
        });
        timeline.deciders = deciders.collect();
        timeline
    };
    let threads = threads.min(lists.len()).max(1);
    if threads == 1 {
        return lists.values().map(|facts| build(facts)).collect();
    }
    let mut all: Vec<(usize, &Vec<Fact>)> = lists.values().enumerate().collect();
    all.sort_unstable_by_key(|(_, facts)| std::cmp::Reverse(facts.len()));
    let next = AtomicUsize::new(0);
    let take = || {
        let mut built = Vec::new();
        while let Some(&(i, facts)) = all.get(next.fetch_add(1, Ordering::Relaxed)) {
            built.push((i, build(facts)));
        }
        built
    };
    let mut built = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(take)).collect();
        let mut built = take();
        for other in others {
            built.extend(other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        built
    });
    built.sort_unstable_by_key(|&(i, _)| i);
    built.into_iter().map(|(_, timeline)| timeline).collect()
}

/// An answer from the index: its status and controller without building
/// anything, the whole [`Holding`] on demand.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'a> {
    world: &'a World,
    facts: &'a [Fact],
    timeline: Option<&'a Timeline>,
    interval: &'a Interval,
    /// The position of `interval` in its timeline.
    position: usize,
    date: NaiveDate,
}

impl<'a> Answer<'a> {
    pub fn status(&self) -> Status {
        self.interval.status
    }

    /// The controller (or government) of a `Controlled` answer.
    pub fn controller(&self) -> Option<&'a ActorId> {
        self.interval.controller.map(|i| &self.facts[i as usize].actor)
    }

    /// The answer's status, controller, since, event and claim, without
    /// building its evidence.
    pub fn headline(&self) -> Headline<'a> {
        match self.timeline {
            // The deciding fact as the index found it when it was built.
            Some(t) => {
                let pending = self.interval.pending.0 != self.interval.pending.1;
                let decider = Some(t.deciders[self.position]).filter(|&d| d != u32::MAX);
                self.world.headline_of(self.facts, self.interval.kind, pending, decider)
            }
            None => Headline::UNKNOWN,
        }
    }

    /// The whole answer, as [`World::control`] gives it.
    pub fn holding(&self) -> Holding {
        match self.timeline {
            Some(t) => t.answer(self.world, self.facts, self.interval, self.date),
            None => self.world.answer(self.facts, Kind::Unknown, &[], &[], self.date),
        }
    }
}

impl World {
    /// The interval index of every control and government timeline: built
    /// by the first call (tens of milliseconds per 100 000 events), then
    /// shared by every later one, from any thread.
    pub fn index(&self) -> HoldingIndex<'_> {
        let intervals = self.intervals.get_or_init(|| Intervals::build(self));
        HoldingIndex { world: self, intervals }
    }

    /// The interval index if [`World::index`] has built it, else `None`:
    /// for answers that are cheaper folded unless the index is already
    /// there (a server builds it once; a command answers a few questions).
    pub fn built_index(&self) -> Option<HoldingIndex<'_>> {
        self.intervals.get().map(|intervals| HoldingIndex { world: self, intervals })
    }

    /// [`World::control`]'s answer, from the interval index when it is
    /// built (microseconds), else folded from the place's facts.
    pub fn control_answer(&self, place: &PlaceId, date: NaiveDate) -> Holding {
        match self.built_index() {
            Some(index) => index.control(place, date).holding(),
            None => self.control(place, date),
        }
    }

    /// [`World::government`]'s answer, from the interval index when it is
    /// built, else folded.
    pub fn government_answer(&self, state: &ActorId, date: NaiveDate) -> Holding {
        match self.built_index() {
            Some(index) => index.government(state, date).holding(),
            None => self.government(state, date),
        }
    }
}

/// A place as the interval index numbers it ([`HoldingIndex::place_key`]),
/// for asking about it on many days without looking it up each time.
/// It is valid only with the index (the world) it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceKey(u32);

impl PlaceKey {
    /// A place without control facts.
    const NONE: PlaceKey = PlaceKey(u32::MAX);
}

impl<'w> HoldingIndex<'w> {
    /// Who controlled `place` on `date`: the answer of [`World::control`].
    pub fn control(&self, place: &PlaceId, date: NaiveDate) -> Answer<'w> {
        self.control_at(self.place_key(place), date)
    }

    /// The key of `place` (or of its set of linked places) in this index.
    pub fn place_key(&self, place: &PlaceId) -> PlaceKey {
        let place = self.world.place_sets.representative(place);
        self.world.control.position(place).map_or(PlaceKey::NONE, |i| PlaceKey(i as u32))
    }

    /// [`HoldingIndex::control`] of the place `key` names: no lookup, a
    /// binary search of its days.
    pub fn control_at(&self, key: PlaceKey, date: NaiveDate) -> Answer<'w> {
        match key {
            PlaceKey::NONE => self.answer(&[], None, date),
            PlaceKey(i) => {
                let facts = self.world.control.value(i as usize);
                self.answer(facts, Some(&self.intervals.control[i as usize]), date)
            }
        }
    }

    /// The answers of the place `key` names, one per interval of its
    /// timeline: the day the interval starts on (none for the first, which
    /// holds before any fact) and its headline. The days are those of
    /// [`HoldingIndex::control_changes`]; on every day of an interval,
    /// [`HoldingIndex::control_at`] gives its headline.
    pub fn control_headlines(
        &self,
        key: PlaceKey,
    ) -> impl Iterator<Item = (Option<NaiveDate>, Headline<'w>)> + use<'w> {
        let (world, intervals) = (self.world, self.intervals);
        let timeline = (key != PlaceKey::NONE).then(|| &intervals.control[key.0 as usize]);
        let facts = timeline.map_or(&[][..], |_| world.control.value(key.0 as usize).as_slice());
        let count = timeline.map_or(1, |t| t.intervals.len());
        (0..count).map(move |position| {
            let interval = timeline.map_or(&Interval::NOTHING, |t| &t.intervals[position]);
            let start = position.checked_sub(1).map(|i| timeline.expect("a day").days[i]);
            let date = start.unwrap_or(NaiveDate::MIN);
            let answer = Answer { world, facts, timeline, interval, position, date };
            (start, answer.headline())
        })
    }

    /// Who governed `state` on `date`: the answer of [`World::government`].
    pub fn government(&self, state: &ActorId, date: NaiveDate) -> Answer<'w> {
        let state = self.world.actor_sets.representative(state);
        match self.world.governments.position(state) {
            Some(i) => {
                let facts = self.world.governments.value(i);
                self.answer(facts, Some(&self.intervals.government[i]), date)
            }
            None => self.answer(&[], None, date),
        }
    }

    fn answer(
        &self,
        facts: &'w [Fact],
        timeline: Option<&'w Timeline>,
        date: NaiveDate,
    ) -> Answer<'w> {
        let position = timeline.map_or(0, |t| t.interval_at(date));
        let interval = timeline.map_or(&Interval::NOTHING, |t| &t.intervals[position]);
        Answer { world: self.world, facts, timeline, interval, position, date }
    }

    /// The timeline of `place`, which names its set's representative.
    pub(crate) fn control_timeline(&self, place: &PlaceId) -> Option<&'w Timeline> {
        self.world.control.position(place).map(|i| &self.intervals.control[i])
    }

    /// The timeline of `state`, which names its set's representative.
    pub(crate) fn government_timeline(&self, state: &ActorId) -> Option<&'w Timeline> {
        self.world.governments.position(state).map(|i| &self.intervals.government[i])
    }

    /// The days on which some control answer of `place` changes, ascending:
    /// between two of them, every day's answer is the same.
    pub fn control_changes(&self, place: &PlaceId) -> &'w [NaiveDate] {
        let place = self.world.place_sets.representative(place);
        self.control_timeline(place).map_or(&[], |t| &t.days)
    }

    /// Intervals held, and the heap bytes they take (for the benchmarks).
    pub fn size(&self) -> (usize, usize) {
        let timelines = self.intervals.control.iter().chain(&self.intervals.government);
        timelines.fold((0, 0), |(n, bytes), t| (n + t.intervals.len(), bytes + t.bytes()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::World;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// The days a place's control answer changes on ascend, without
        /// repeats: `control` finds a day's interval by binary search
        /// among them.
        #[test]
        fn the_days_a_control_answer_changes_on_ascend(log in annals_testkit::control_log()) {
            let world = World::replay(annals_testkit::recorded(log));
            let index = world.index();
            for place in annals_testkit::PLACES {
                let id = world.resolve_place(place).unwrap();
                let changes = index.control_changes(&id);
                prop_assert!(changes.windows(2).all(|w| w[0] < w[1]), "{:?}", changes);
            }
        }
    }
}
