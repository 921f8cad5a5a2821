//! "Who controlled place P on day X?" — the control semantics of MISSION.md.
//!
//! Control events of P that are not retracted each cover a valid-time interval
//! `[earliest, latest]`. By day X an event is *settled* when `latest <= X` and
//! *pending* when `earliest <= X < latest`; later events do not count.
//!
//! Settled events are folded in order of `earliest`, ties broken by `latest`
//! (an event that may have happened later counts as later: a seizure on
//! 2023-10-01 and a withdrawal "in 2023-10" read as seizure, then withdrawal).
//! The events sharing one `(earliest, latest)` position form a group that acts
//! together:
//! - takes by one actor: that actor controls, since the group's date;
//! - takes by several actors: contested between them;
//! - an actor that both takes and loses within the group took and then left;
//!   if every taker left, no one holds the place (withdrawn);
//! - only losses: each loss by a current holder removes it (no holder left:
//!   withdrawn, reported as unknown); a loss by anyone else changes nothing.
//!
//! If a pending event could change that state, the answer is *uncertain*: the
//! state before, and each possible state after, with the window they fall in.

use std::collections::BTreeSet;

use annals_model::{ActorId, Claim, Date, EventId, PlaceId, SourceId};
use chrono::NaiveDate;

use crate::world::{Fact, World};

/// The four answers to "who controlled P on X".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Controlled,
    Contested,
    Uncertain,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Controlled => "controlled",
            Status::Contested => "contested",
            Status::Uncertain => "uncertain",
            Status::Unknown => "unknown",
        }
    }
}

/// Whether an event took or gave up control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Taken,
    Lost,
}

/// One event behind an answer: a holder's claim, a rival's, or a possible change.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The actor that took control (or gave it up, for `Change::Lost`).
    pub actor: ActorId,
    pub change: Change,
    pub event: EventId,
    pub date: Date,
    pub claim: Claim,
    pub claimed_by: Option<ActorId>,
    pub sources: Vec<SourceId>,
    /// For an uncertain answer: true for the events that might have changed the
    /// state within the window, false for those behind the state before.
    pub pending: bool,
}

/// The state before the window of an uncertain answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Prior {
    pub status: Status,
    pub controller: Option<ActorId>,
    pub since: Option<Date>,
    pub event: Option<EventId>,
}

/// Who held a place (control) or a state (government) on `date`, with its evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Holding {
    pub date: NaiveDate,
    pub status: Status,
    pub controller: Option<ActorId>,
    /// The date of the deciding event (or of the tie, or the withdrawal).
    pub since: Option<Date>,
    /// The deciding event: the best-attested event of the deciding group, or the withdrawal.
    pub event: Option<EventId>,
    pub claim: Option<Claim>,
    /// Every source behind the answer, sorted, without repeats.
    pub sources: Vec<SourceId>,
    /// The events behind the answer: the holder's, the rivals', or (uncertain)
    /// the state before and the possible changes.
    pub candidates: Vec<Candidate>,
    /// Uncertain answers: the state before the window.
    pub before: Option<Prior>,
    /// Uncertain answers: the days within which the pending changes fall.
    pub window: Option<(NaiveDate, NaiveDate)>,
}

enum State<'f> {
    /// No settled event yet.
    Unknown,
    /// The last holders gave up control.
    Withdrawn(Vec<&'f Fact>),
    /// One actor's takes decide.
    Controlled(Vec<&'f Fact>),
    /// Several actors' takes tie.
    Contested(Vec<&'f Fact>),
}

impl<'f> State<'f> {
    fn holders(&self) -> BTreeSet<&'f ActorId> {
        match self {
            State::Controlled(g) | State::Contested(g) => g.iter().map(|f| &f.actor).collect(),
            State::Unknown | State::Withdrawn(_) => BTreeSet::new(),
        }
    }

    fn from_takes(takes: Vec<&'f Fact>) -> State<'f> {
        let actors: BTreeSet<&ActorId> = takes.iter().map(|f| &f.actor).collect();
        match actors.len() {
            0 => State::Unknown,
            1 => State::Controlled(takes),
            _ => State::Contested(takes),
        }
    }
}

/// Folds settled facts (sorted by `earliest`) into the state they leave.
fn fold<'f>(settled: &[&'f Fact]) -> State<'f> {
    let mut state = State::Unknown;
    for group in settled.chunk_by(|a, b| (a.earliest, a.latest) == (b.earliest, b.latest)) {
        let left: BTreeSet<&ActorId> =
            group.iter().filter(|f| !f.taken).map(|f| &f.actor).collect();
        let takes: Vec<&Fact> = group.iter().copied().filter(|f| f.taken).collect();
        if !takes.is_empty() {
            let (stayed, gone): (Vec<&Fact>, Vec<&Fact>) =
                takes.into_iter().partition(|f| !left.contains(&f.actor));
            state = if stayed.is_empty() {
                // The evidence keeps both the seizures and the withdrawals.
                State::Withdrawn(
                    group
                        .iter()
                        .copied()
                        .filter(|f| gone.iter().any(|g| g.actor == f.actor))
                        .collect(),
                )
            } else {
                State::from_takes(stayed)
            };
            continue;
        }
        let holders = state.holders();
        let losses: Vec<&Fact> =
            group.iter().copied().filter(|f| holders.contains(&f.actor)).collect();
        if losses.is_empty() {
            continue;
        }
        let losers: BTreeSet<&ActorId> = losses.iter().map(|f| &f.actor).collect();
        state = match state {
            State::Controlled(g) | State::Contested(g) => {
                let kept: Vec<&Fact> =
                    g.into_iter().filter(|f| !losers.contains(&f.actor)).collect();
                if kept.is_empty() {
                    State::Withdrawn(losses)
                } else {
                    State::from_takes(kept)
                }
            }
            other => other,
        };
    }
    state
}

impl World {
    /// Who controlled `place` on `date` (valid time), by the semantics above.
    pub fn control(&self, place: &PlaceId, date: NaiveDate) -> Holding {
        self.holding(self.control.get(place).map(Vec::as_slice).unwrap_or(&[]), date)
    }

    /// Who governed `state` on `date`: the same timeline logic over `government`
    /// events and successful coups (a failed coup changes no government).
    pub fn government(&self, state: &ActorId, date: NaiveDate) -> Holding {
        self.holding(self.governments.get(state).map(Vec::as_slice).unwrap_or(&[]), date)
    }

    pub(crate) fn holding(&self, facts: &[Fact], date: NaiveDate) -> Holding {
        let settled: Vec<&Fact> = facts.iter().filter(|f| f.latest <= date).collect();
        let state = fold(&settled);

        let holders = state.holders();
        let pending: Vec<&Fact> = facts
            .iter()
            .filter(|f| f.earliest <= date && date < f.latest)
            .filter(|f| {
                if f.taken {
                    holders.len() != 1 || !holders.contains(&f.actor)
                } else {
                    holders.contains(&f.actor)
                }
            })
            .collect();

        let mut answer = self.answer_for(date, &state);
        if !pending.is_empty() {
            let before = Prior {
                status: answer.status,
                controller: answer.controller.take(),
                since: answer.since.take(),
                event: answer.event.take(),
            };
            answer.status = Status::Uncertain;
            answer.claim = None;
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

    fn answer_for(&self, date: NaiveDate, state: &State<'_>) -> Holding {
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
        let group = match state {
            State::Unknown => return answer,
            State::Withdrawn(g) | State::Controlled(g) | State::Contested(g) => g,
        };
        answer.candidates = group.iter().map(|f| self.candidate(f, false)).collect();
        answer
            .candidates
            .sort_by_key(|c| (c.actor.clone(), c.change == Change::Lost, c.claim, c.event.clone()));
        answer.sources = sorted_sources(&answer.candidates);
        // The deciding event: the best attested (confirmed before reported before
        // claimed before disputed), then the smallest id.
        let decider = answer
            .candidates
            .iter()
            .filter(|c| !matches!(state, State::Withdrawn(_)) || c.change == Change::Lost)
            .min_by(|a, b| (a.claim, &a.event).cmp(&(b.claim, &b.event)))
            .expect("a state holds at least one event");
        answer.since = Some(decider.date);
        match state {
            State::Controlled(_) => {
                answer.status = Status::Controlled;
                answer.controller = Some(decider.actor.clone());
                answer.event = Some(decider.event.clone());
                answer.claim = Some(decider.claim);
            }
            State::Withdrawn(_) => {
                answer.status = Status::Unknown;
                answer.event = Some(decider.event.clone());
                answer.claim = Some(decider.claim);
            }
            State::Contested(_) => answer.status = Status::Contested,
            State::Unknown => unreachable!("handled above"),
        }
        answer
    }

    fn candidate(&self, fact: &Fact, pending: bool) -> Candidate {
        let e = &self.records[fact.record].event;
        Candidate {
            actor: fact.actor.clone(),
            change: if fact.taken { Change::Taken } else { Change::Lost },
            event: e.id.clone(),
            date: e.date.expect("control facts are dated"),
            claim: e.claim,
            claimed_by: e.claimed_by.clone(),
            sources: e.sources.clone(),
            pending,
        }
    }
}

fn sorted_sources(candidates: &[Candidate]) -> Vec<SourceId> {
    let set: BTreeSet<&SourceId> = candidates.iter().flat_map(|c| &c.sources).collect();
    set.into_iter().cloned().collect()
}
