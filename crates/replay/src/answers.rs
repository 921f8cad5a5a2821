//! The answers of [`World::control`] and [`World::government`]: the fold
//! of a holder timeline by the semantics of [`crate::control`], and the
//! [`Holding`] built from the state it ends in.

use std::collections::BTreeSet;

use annals_model::{ActorId, Claim, Date, EventId, PlaceId, SourceId};
use chrono::NaiveDate;

use crate::control::{
    groups, pending, step, Candidate, Change, Holding, Kind, Prior, State, Status,
};
use crate::facts::{Fact, Tag};
use crate::world::World;

impl World {
    /// Who controlled `place` on `date` (valid time), by the semantics above.
    ///
    /// This folds the place's timeline on every call: it is the reference.
    /// [`HoldingIndex`](crate::HoldingIndex) answers the same from
    /// precomputed intervals.
    pub fn control(&self, place: &PlaceId, date: NaiveDate) -> Holding {
        let place = self.place_sets.representative(place);
        self.holding(self.control.get(place).map(Vec::as_slice).unwrap_or(&[]), date)
    }

    /// Who governed `state` on `date`: the same timeline logic over `government`
    /// events and successful coups (a failed coup changes no government).
    pub fn government(&self, state: &ActorId, date: NaiveDate) -> Holding {
        let state = self.actor_sets.representative(state);
        self.holding(self.governments.get(state).map(Vec::as_slice).unwrap_or(&[]), date)
    }

    pub(crate) fn holding(&self, facts: &[Fact], date: NaiveDate) -> Holding {
        let (state, pending) = fold(facts, date);
        self.answer(facts, state.kind, &state.group, &pending, date)
    }

    /// [`World::control`]'s status, controller, since, event and claim,
    /// without its evidence: what a map shows of each place. From the
    /// interval index when it is built, else folded.
    pub fn control_headline(&self, place: &PlaceId, date: NaiveDate) -> Headline<'_> {
        if let Some(index) = self.built_index() {
            return index.control(place, date).headline();
        }
        let place = self.place_sets.representative(place);
        let facts = self.control.get(place).map(Vec::as_slice).unwrap_or(&[]);
        let (state, pending) = fold(facts, date);
        self.headline(facts, state.kind, &state.group, &pending)
    }

    /// The headline of the answer [`World::answer`] gives for the same
    /// state, found without building its candidates.
    pub(crate) fn headline<'w>(
        &'w self,
        facts: &'w [Fact],
        kind: Kind,
        group: &[u32],
        pending: &[u32],
    ) -> Headline<'w> {
        let decider = match pending.is_empty() {
            true => self.decider(facts, kind, group),
            false => None,
        };
        self.headline_of(facts, kind, !pending.is_empty(), decider.map(|d| d as u32))
    }

    /// The deciding fact of a state (an index into `facts`), as
    /// `answer_for` picks it among its sorted candidates: the least
    /// (claim, event), ties in candidate order; `None` for `Unknown`.
    pub(crate) fn decider(&self, facts: &[Fact], kind: Kind, group: &[u32]) -> Option<usize> {
        if kind == Kind::Unknown {
            return None;
        }
        let decider = group
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| kind != Kind::Withdrawn || !facts[i].taken)
            .min_by(|&i, &j| {
                let (fa, fb) = (&facts[i], &facts[j]);
                let (a, b) = (&self.kept[fa.record as usize], &self.kept[fb.record as usize]);
                (a.claim, &a.id, &fa.actor, !fa.taken).cmp(&(b.claim, &b.id, &fb.actor, !fb.taken))
            })
            .expect("a state holds at least one event");
        Some(decider)
    }

    /// The headline of a state whose deciding fact is `decider`, with or
    /// without `pending` facts.
    pub(crate) fn headline_of<'w>(
        &'w self,
        facts: &'w [Fact],
        kind: Kind,
        pending: bool,
        decider: Option<u32>,
    ) -> Headline<'w> {
        let mut headline = Headline::UNKNOWN;
        if pending {
            // The settled answer moves into `before`, which a headline omits.
            headline.status = Status::Uncertain;
            return headline;
        }
        let Some(decider) = decider else { return headline };
        let fact = &facts[decider as usize];
        let kept = &self.kept[fact.record as usize];
        headline.since = kept.date;
        match kind {
            Kind::Controlled => {
                headline.status = Status::Controlled;
                headline.controller = Some(&fact.actor);
                headline.event = Some(&kept.id);
                headline.claim = Some(kept.claim);
            }
            Kind::Withdrawn => {
                headline.event = Some(&kept.id);
                headline.claim = Some(kept.claim);
            }
            Kind::Contested => headline.status = Status::Contested,
            Kind::Unknown => unreachable!("an unknown state has no decider"),
        }
        headline
    }

    /// The whole answer for a state and its pending events: what both
    /// [`World::holding`] and the interval index hand out.
    pub(crate) fn answer(
        &self,
        facts: &[Fact],
        kind: Kind,
        group: &[u32],
        pending: &[u32],
        date: NaiveDate,
    ) -> Holding {
        let mut answer = self.answer_for(facts, kind, group, date);
        if !pending.is_empty() {
            let before = Prior {
                status: answer.status,
                controller: answer.controller.take(),
                since: answer.since.take(),
                event: answer.event.take(),
            };
            answer.status = Status::Uncertain;
            answer.claim = None;
            let pending: Vec<&Fact> = pending.iter().map(|&i| &facts[i as usize]).collect();
            answer.candidates.extend(pending.iter().map(|f| self.candidate(f, true)));
            answer.window = Some((
                pending.iter().map(|f| f.earliest).min().expect("non-empty"),
                pending.iter().map(|f| f.latest).max().expect("non-empty"),
            ));
            answer.before = Some(before);
            answer.sources = sorted_sources(&answer.candidates);
        }
        answer
    }

    fn answer_for(&self, facts: &[Fact], kind: Kind, group: &[u32], date: NaiveDate) -> Holding {
        let mut answer = Holding {
            date,
            status: Status::Unknown,
            controller: None,
            since: None,
            event: None,
            claim: None,
            sources: Vec::new(),
            candidates: Vec::new(),
            before: None,
            window: None,
        };
        if kind == Kind::Unknown {
            return answer;
        }
        answer.candidates =
            group.iter().map(|&i| self.candidate(&facts[i as usize], false)).collect();
        answer
            .candidates
            .sort_by_key(|c| (c.actor.clone(), c.change == Change::Lost, c.claim, c.event.clone()));
        answer.sources = sorted_sources(&answer.candidates);
        // The deciding event: the best attested (confirmed before reported
        // before claimed before disputed), then the smallest id; the
        // headline says what it decides.
        let decider = self.decider(facts, kind, group).map(|d| d as u32);
        let headline = self.headline_of(facts, kind, false, decider);
        answer.status = headline.status;
        answer.controller = headline.controller.cloned();
        answer.since = headline.since;
        answer.event = headline.event.cloned();
        answer.claim = headline.claim;
        answer
    }

    fn candidate(&self, fact: &Fact, pending: bool) -> Candidate {
        let e = &self.kept[fact.record as usize];
        Candidate {
            actor: fact.actor.clone(),
            change: if fact.taken { Change::Taken } else { Change::Lost },
            event: e.id.clone(),
            kind: match (e.tag, fact.taken) {
                (Tag::Government, _) => "government",
                (Tag::Coup, _) => "coup",
                (Tag::Dissolution, _) => "actor_dissolved",
                (_, true) => "control_taken",
                (_, false) => "control_lost",
            },
            date: e.date.expect("control facts are dated"),
            claim: e.claim,
            claimed_by: self.claimant(e).cloned(),
            sources: self.cited(e).to_vec(),
            pending,
        }
    }
}

/// The state the settled facts of a timeline leave on `date`, and the
/// pending facts that could change it.
pub(crate) fn fold(facts: &[Fact], date: NaiveDate) -> (State, Vec<u32>) {
    let mut state = State::UNKNOWN;
    for group in groups(facts) {
        if facts[group.start].latest <= date {
            state = step(facts, state, group);
        }
    }
    let window = (0..facts.len() as u32).filter(|&i| {
        let f = &facts[i as usize];
        f.earliest <= date && date < f.latest
    });
    let pending = pending(facts, &state, window);
    (state, pending)
}

/// What a map shows of a [`Holding`]: its status, controller, since,
/// deciding event and claim, borrowed from the world; equal to those
/// fields of the whole answer ([`Headline::of`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Headline<'w> {
    pub status: Status,
    pub controller: Option<&'w ActorId>,
    pub since: Option<Date>,
    pub event: Option<&'w EventId>,
    pub claim: Option<Claim>,
}

impl<'w> Headline<'w> {
    /// No event settled, none pending.
    pub const UNKNOWN: Headline<'static> = Headline {
        status: Status::Unknown,
        controller: None,
        since: None,
        event: None,
        claim: None,
    };

    /// The headline of a whole answer.
    pub fn of(holding: &'w Holding) -> Headline<'w> {
        Headline {
            status: holding.status,
            controller: holding.controller.as_ref(),
            since: holding.since,
            event: holding.event.as_ref(),
            claim: holding.claim,
        }
    }
}

fn sorted_sources(candidates: &[Candidate]) -> Vec<SourceId> {
    let set: BTreeSet<&SourceId> = candidates.iter().flat_map(|c| &c.sources).collect();
    set.into_iter().cloned().collect()
}
