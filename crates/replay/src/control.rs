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
use std::ops::Range;

use annals_model::{ActorId, Claim, Date, EventId, SourceId};
use chrono::NaiveDate;

use crate::facts::Fact;

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
    /// The event's interchange `type`: `control_taken`, `control_lost`,
    /// `government`, `coup`, or `actor_dissolved` (the holder dissolved:
    /// its loss, and its successor's take).
    pub kind: &'static str,
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

/// What the settled events leave, before pending ones are weighed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// No settled event yet.
    Unknown,
    /// The last holders gave up control.
    Withdrawn,
    /// One actor's takes decide.
    Controlled,
    /// Several actors' takes tie.
    Contested,
}

/// A state: its kind and the facts behind it, as ascending indexes into the
/// timeline's facts (empty for `Unknown`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct State {
    pub kind: Kind,
    pub group: Vec<u32>,
}

impl State {
    pub const UNKNOWN: State = State { kind: Kind::Unknown, group: Vec::new() };

    fn holders<'f>(&self, facts: &'f [Fact]) -> BTreeSet<&'f ActorId> {
        match self.kind {
            Kind::Controlled | Kind::Contested => {
                self.group.iter().map(|&i| &facts[i as usize].actor).collect()
            }
            Kind::Unknown | Kind::Withdrawn => BTreeSet::new(),
        }
    }

    fn from_takes(facts: &[Fact], takes: Vec<u32>) -> State {
        let actors: BTreeSet<&ActorId> = takes.iter().map(|&i| &facts[i as usize].actor).collect();
        let kind = match actors.len() {
            0 => Kind::Unknown,
            1 => Kind::Controlled,
            _ => Kind::Contested,
        };
        State { kind, group: takes }
    }
}

/// The groups of a timeline: runs of facts sharing one `(earliest, latest)`.
/// Facts are sorted by that pair, so a group is contiguous, and it settles
/// whole, on its `latest`.
pub(crate) fn groups(facts: &[Fact]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=facts.len() {
        if i == facts.len()
            || (facts[i].earliest, facts[i].latest) != (facts[start].earliest, facts[start].latest)
        {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// Folds one settled group into the state before it.
pub(crate) fn step(facts: &[Fact], state: State, group: Range<usize>) -> State {
    let members = || group.clone().map(|i| i as u32);
    let left: BTreeSet<&ActorId> =
        members().filter(|&i| !facts[i as usize].taken).map(|i| &facts[i as usize].actor).collect();
    let holders = state.holders(facts);
    let counts = |i: u32| {
        let f = &facts[i as usize];
        f.taken && (!f.inherits || succeeds_holder(facts, group.clone(), f, &holders))
    };
    let takes: Vec<u32> = members().filter(|&i| counts(i)).collect();
    if !takes.is_empty() && takes.iter().all(|&i| facts[i as usize].inherits) {
        // Only successors take: the dissolved holders hand over, the other
        // holders keep their hold.
        let mut group: Vec<u32> = match state.kind {
            Kind::Controlled | Kind::Contested => state
                .group
                .iter()
                .copied()
                .filter(|&i| !left.contains(&facts[i as usize].actor))
                .collect(),
            Kind::Unknown | Kind::Withdrawn => Vec::new(),
        };
        group.extend(takes);
        group.sort_unstable();
        return State::from_takes(facts, group);
    }
    if !takes.is_empty() {
        let (stayed, gone): (Vec<u32>, Vec<u32>) =
            takes.into_iter().partition(|&i| !left.contains(&facts[i as usize].actor));
        return if stayed.is_empty() {
            // The evidence keeps both the seizures and the withdrawals.
            let group = members()
                .filter(|&i| {
                    gone.iter().any(|&g| facts[g as usize].actor == facts[i as usize].actor)
                })
                .collect();
            State { kind: Kind::Withdrawn, group }
        } else {
            State::from_takes(facts, stayed)
        };
    }
    // (A successor's take that did not count is no loss.)
    let losses: Vec<u32> = members()
        .filter(|&i| !facts[i as usize].taken && holders.contains(&facts[i as usize].actor))
        .collect();
    if losses.is_empty() {
        return state;
    }
    let losers: BTreeSet<&ActorId> = losses.iter().map(|&i| &facts[i as usize].actor).collect();
    match state.kind {
        Kind::Controlled | Kind::Contested => {
            let kept: Vec<u32> = state
                .group
                .into_iter()
                .filter(|&i| !losers.contains(&facts[i as usize].actor))
                .collect();
            if kept.is_empty() {
                State { kind: Kind::Withdrawn, group: losses }
            } else {
                State::from_takes(facts, kept)
            }
        }
        Kind::Unknown | Kind::Withdrawn => state,
    }
}

/// Whether the inheriting take `f` succeeds a holder: the actor that its
/// record dissolves (the loss of the same record among `within`) is one of
/// `holders`.
fn succeeds_holder(
    facts: &[Fact],
    within: Range<usize>,
    f: &Fact,
    holders: &BTreeSet<&ActorId>,
) -> bool {
    facts[within].iter().any(|g| g.record == f.record && !g.taken && holders.contains(&g.actor))
}

/// The events of `candidates` (facts not yet settled whose window holds the
/// day) that could change `state`: a take by anyone but a sole holder, a loss
/// by a holder.
pub(crate) fn pending(
    facts: &[Fact],
    state: &State,
    candidates: impl Iterator<Item = u32>,
) -> Vec<u32> {
    let holders = state.holders(facts);
    candidates
        .filter(|&i| {
            let f = &facts[i as usize];
            if f.inherits {
                // Its dissolved predecessor's loss shares its window.
                succeeds_holder(facts, 0..facts.len(), f, &holders)
            } else if f.taken {
                holders.len() != 1 || !holders.contains(&f.actor)
            } else {
                holders.contains(&f.actor)
            }
        })
        .collect()
}

/// The status an answer with this state and these pending events has.
pub(crate) fn status_of(kind: Kind, pending: bool) -> Status {
    match (kind, pending) {
        (_, true) => Status::Uncertain,
        (Kind::Controlled, false) => Status::Controlled,
        (Kind::Contested, false) => Status::Contested,
        (Kind::Unknown | Kind::Withdrawn, false) => Status::Unknown,
    }
}
