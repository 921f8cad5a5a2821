//! What replay keeps of the events: the facts of holder timelines, and of
//! each event what dates, orders, retracts and cites it.

use annals_model::{ActorId, Claim, Date, EventId};
use chrono::NaiveDate;

/// One fact of a holder timeline (a place's control, a state's government, or
/// one relation's opening and closing), with its valid-time interval cached.
#[derive(Clone, Debug)]
pub(crate) struct Fact {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub taken: bool,
    /// A take that only succeeds a dissolved actor (its `into`): it counts
    /// only if the actor that the same record dissolves holds at that point.
    pub inherits: bool,
    pub actor: ActorId,
    /// Index into `World::kept`.
    pub record: u32,
}

impl Fact {
    pub(crate) fn new(date: Date, taken: bool, actor: &ActorId, record: u32) -> Fact {
        Fact {
            earliest: date.earliest(),
            latest: date.latest(),
            taken,
            inherits: false,
            actor: actor.clone(),
            record,
        }
    }
}

/// What the world keeps of each event: what dates, orders, retracts and
/// cites it. Entities' details are copied out into `SourceInfo`, `ActorInfo`
/// and `PlaceInfo`, relations into facts; the rest of the record (its note,
/// recorded time, origin, and what only a timeline shows) stays in the log,
/// found by `seq`. A whole `Recorded` is about three times the size.
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    pub seq: u64,
    pub id: EventId,
    pub date: Option<Date>,
    /// The sources it cites: a number of `World::source_lists` (most
    /// events cite one of a few lists; `World::cited` reads it).
    pub sources: u32,
    /// The party whose claim it is: a number of `World::claimants`, or
    /// [`Kept::UNCLAIMED`] (`World::claimant` reads it).
    pub claimed_by: u32,
    pub claim: Claim,
    pub tag: Tag,
}

impl Kept {
    /// `claimed_by` of an event that names no claimant.
    pub const UNCLAIMED: u32 = u32::MAX;
}

/// The few kinds of event replay tells apart after reading them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag {
    Retraction,
    Government,
    Coup,
    /// `actor_dissolved`: its facts close what the actor held.
    Dissolution,
    Other,
}

/// An `actor_dissolved` event while replaying: the position of its event
/// in `World::kept`, the actor it ends and its successor.
#[derive(Clone, Debug)]
pub(crate) struct Dissolved {
    pub record: u32,
    pub actor: ActorId,
    pub into: Option<ActorId>,
}
