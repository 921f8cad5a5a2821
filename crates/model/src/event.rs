//! Events: past-tense facts about the world, each dated, sourced and carrying a claim status.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::date::Date;
use crate::id::{ActorId, AgreementId, EventId, PlaceId, SourceId};

/// How firmly a statement is held.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Claim {
    /// Independently confirmed.
    Confirmed,
    /// Reported by a source (the default).
    #[default]
    Reported,
    /// Claimed by a party (`claimed_by`).
    Claimed,
    /// Sources disagree.
    Disputed,
}

impl Claim {
    pub const ALL: [Claim; 4] =
        [Claim::Confirmed, Claim::Reported, Claim::Claimed, Claim::Disputed];

    pub fn as_str(self) -> &'static str {
        match self {
            Claim::Confirmed => "confirmed",
            Claim::Reported => "reported",
            Claim::Claimed => "claimed",
            Claim::Disputed => "disputed",
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum!(
    /// What sort of actor.
    ActorKind {
        State = "state",
        Government = "government",
        ArmedForce = "armed_force",
        ArmedGroup = "armed_group",
        Coalition = "coalition",
        Pmc = "pmc",
        InternationalOrg = "international_org",
        Mission = "mission",
        Person = "person",
        Other = "other",
    }
);

keyword_enum!(
    /// What sort of place.
    PlaceKind {
        Country = "country",
        Region = "region",
        Town = "town",
        Base = "base",
        Site = "site",
    }
);

keyword_enum!(
    /// How a coup ended. `conspiracy` is a plot that was discovered or
    /// abandoned before any attempt to seize power (the Cline Center's
    /// third kind of event).
    CoupOutcome {
        Successful = "successful",
        Failed = "failed",
        Conspiracy = "conspiracy",
    }
);

impl CoupOutcome {
    /// Whether the coup put its perpetrator in power: only a successful one
    /// does; a failed attempt and a conspiracy are on the timeline but
    /// change no government.
    pub fn changes_government(self) -> bool {
        self == CoupOutcome::Successful
    }
}

/// The deaths a dataset counts for some hostilities: its best estimate and,
/// when it gives them, its low and high ones. Kept as the dataset states
/// them: UCDP's low and high estimates are not always on either side of
/// its best one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fatalities {
    pub best: u64,
    pub low: Option<u64>,
    pub high: Option<u64>,
}

/// One event of the log, as the historian stated it.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub id: EventId,
    /// Valid time: when it happened in the world. Required for everything but entities.
    pub date: Option<Date>,
    pub sources: Vec<SourceId>,
    pub claim: Claim,
    pub claimed_by: Option<ActorId>,
    pub note: Option<String>,
    pub kind: EventKind,
}

/// What happened. The variants mirror the `type`s of interchange format v1.
#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    Source {
        title: String,
        publisher: Option<String>,
        published: Option<Date>,
        url: Option<String>,
        /// Which release of a dataset this source is (`V2022.11.29`, `22.1`).
        release: Option<String>,
        /// The period the source covers, as a date (often an interval:
        /// `1950/2022`): answers past it rest on no evidence from it.
        covers: Option<Date>,
    },
    Actor {
        name: String,
        aliases: Vec<String>,
        kind: Option<ActorKind>,
    },
    Place {
        name: String,
        aliases: Vec<String>,
        kind: Option<PlaceKind>,
        within: Option<PlaceId>,
        lat: Option<f64>,
        lon: Option<f64>,
    },
    MembershipBegan {
        member: ActorId,
        group: ActorId,
    },
    MembershipEnded {
        member: ActorId,
        group: ActorId,
    },
    AllianceFormed {
        actors: Vec<ActorId>,
        alliance: Option<ActorId>,
    },
    AllianceEnded {
        actors: Vec<ActorId>,
        alliance: Option<ActorId>,
    },
    HostilitiesBegan {
        actors: [ActorId; 2],
        /// The deaths a dataset counts for the hostilities this event opens.
        fatalities: Option<Fatalities>,
    },
    HostilitiesEnded {
        actors: [ActorId; 2],
        /// The deaths a dataset counts for the hostilities this event closes.
        fatalities: Option<Fatalities>,
    },
    AgreementSigned {
        agreement: AgreementId,
        name: Option<String>,
        signatories: Vec<ActorId>,
    },
    AgreementEnded {
        agreement: AgreementId,
        name: Option<String>,
        signatories: Vec<ActorId>,
    },
    Government {
        state: ActorId,
        actor: ActorId,
    },
    Coup {
        state: ActorId,
        perpetrator: ActorId,
        ousted: Option<ActorId>,
        outcome: CoupOutcome,
    },
    InterventionBegan {
        intervener: ActorId,
        host: ActorId,
        operation: Option<String>,
        supporting: Option<ActorId>,
    },
    InterventionEnded {
        intervener: ActorId,
        host: ActorId,
        operation: Option<String>,
        supporting: Option<ActorId>,
    },
    ControlTaken {
        place: PlaceId,
        actor: ActorId,
        from: Option<ActorId>,
    },
    ControlLost {
        place: PlaceId,
        actor: ActorId,
    },
    Attack {
        attacker: ActorId,
        target: Option<ActorId>,
        place: PlaceId,
        fatalities: Option<u64>,
    },
    /// Withdraws `retracts`. With `replaced_by` it is a revision: the
    /// event named there is the new version of the one withdrawn (a
    /// dataset's newer release changed it).
    Retraction {
        retracts: EventId,
        reason: String,
        replaced_by: Option<EventId>,
    },
    /// Several ids name one actor, or one place: the world answers for all
    /// of them from the events of each. Not dated (an identity holds
    /// whenever its members do); retracted, the ids are apart again.
    SameAs {
        linked: Linked,
    },
    /// Identifiers of an actor or a place in other catalogues (`wikidata`,
    /// `geonames`, `cow`, `gw`, `iso3`, or a dataset's own), sorted by
    /// scheme. Entities of one kind that share an identifier are one, as if
    /// linked. Not dated.
    Identifiers {
        entity: Entity,
        ids: Vec<(String, String)>,
    },
    /// The actor ceased to exist on `date` (dissolved, or merged `into`
    /// another actor): from then on it holds nothing, and its relations end.
    ActorDissolved {
        actor: ActorId,
        into: Option<ActorId>,
    },
}

/// One actor or one place.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Entity {
    Actor(ActorId),
    Place(PlaceId),
}

/// One identifier scheme whose values annals checks: its name, what a value
/// looks like, and whether a value has that form.
pub type IdScheme = (&'static str, &'static str, fn(&str) -> bool);

/// The identifier schemes annals checks the form of.
pub const ID_SCHEMES: &[IdScheme] = &[
    ("wikidata", "a Wikidata item such as Q912", |v| {
        v.len() > 1
            && v.starts_with('Q')
            && v[1..].bytes().all(|b| b.is_ascii_digit())
            && !v[1..].starts_with('0')
    }),
    ("geonames", "a GeoNames id (digits)", digits),
    ("cow", "a Correlates of War state number (digits)", digits),
    ("gw", "a Gleditsch–Ward state number (digits)", digits),
    ("iso3", "an ISO 3166-1 alpha-3 code such as MLI", |v| {
        v.len() == 3 && v.bytes().all(|b| b.is_ascii_uppercase())
    }),
];

fn digits(v: &str) -> bool {
    !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit())
}

/// The entities a `same_as` link joins: all actors or all places, two or
/// more, distinct.
#[derive(Clone, Debug, PartialEq)]
pub enum Linked {
    Actors(Vec<ActorId>),
    Places(Vec<PlaceId>),
}

impl Linked {
    /// The linked ids' texts, in the order given.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            Linked::Actors(ids) => ids.iter().map(|i| i.as_str()).collect(),
            Linked::Places(ids) => ids.iter().map(|i| i.as_str()).collect(),
        }
    }
}

impl EventKind {
    /// The interchange `type` of this event.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::Source { .. } => "source",
            EventKind::Actor { .. } => "actor",
            EventKind::Place { .. } => "place",
            EventKind::MembershipBegan { .. } => "membership_began",
            EventKind::MembershipEnded { .. } => "membership_ended",
            EventKind::AllianceFormed { .. } => "alliance_formed",
            EventKind::AllianceEnded { .. } => "alliance_ended",
            EventKind::HostilitiesBegan { .. } => "hostilities_began",
            EventKind::HostilitiesEnded { .. } => "hostilities_ended",
            EventKind::AgreementSigned { .. } => "agreement_signed",
            EventKind::AgreementEnded { .. } => "agreement_ended",
            EventKind::Government { .. } => "government",
            EventKind::Coup { .. } => "coup",
            EventKind::InterventionBegan { .. } => "intervention_began",
            EventKind::InterventionEnded { .. } => "intervention_ended",
            EventKind::ControlTaken { .. } => "control_taken",
            EventKind::ControlLost { .. } => "control_lost",
            EventKind::Attack { .. } => "attack",
            EventKind::Retraction { .. } => "retraction",
            EventKind::SameAs { .. } => "same_as",
            EventKind::Identifiers { .. } => "identifiers",
            EventKind::ActorDissolved { .. } => "actor_dissolved",
        }
    }

    /// True for `source`, `actor` and `place`: lines that introduce an entity.
    pub fn is_entity(&self) -> bool {
        matches!(self, EventKind::Source { .. } | EventKind::Actor { .. } | EventKind::Place { .. })
    }
}

/// What an id in an event refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RefKind {
    Source,
    Actor,
    Place,
    Event,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Source => "source",
            RefKind::Actor => "actor",
            RefKind::Place => "place",
            RefKind::Event => "event",
        }
    }
}

/// How far a place's latitude may lie from the equator, in degrees.
pub const LATITUDE_LIMIT: f64 = 90.0;
/// How far a place's longitude may lie from the prime meridian, in degrees.
pub const LONGITUDE_LIMIT: f64 = 180.0;

/// Whether `x` is a coordinate within `-limit..=limit` degrees (finite: not
/// NaN, not infinite). Import refuses others, and so does the decoder of
/// stored records.
pub fn is_coordinate(x: f64, limit: f64) -> bool {
    x.is_finite() && x.abs() <= limit
}

/// One reference from an event to another entity or event: the field it sits in,
/// what it must name, and the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    pub field: &'static str,
    pub kind: RefKind,
    pub id: &'a str,
}

impl Event {
    /// Every id this event refers to, in field order. Import checks that each
    /// exists; replay turns a dangling one into an anomaly.
    pub fn references(&self) -> Vec<Reference<'_>> {
        let mut out = Vec::new();
        self.visit_references(|r| out.push(r));
        out
    }

    /// Hands every id this event refers to to `out`, in field order, as
    /// [`Event::references`] lists them, without making a list (replay asks
    /// this of every event).
    pub fn visit_references<'a>(&'a self, mut out: impl FnMut(Reference<'a>)) {
        fn r<'a>(field: &'static str, kind: RefKind, id: &'a str) -> Reference<'a> {
            Reference { field, kind, id }
        }
        let actor = RefKind::Actor;
        self.sources.iter().for_each(|s| out(r("sources", RefKind::Source, s.as_str())));
        if let Some(a) = &self.claimed_by {
            out(r("claimed_by", actor, a.as_str()));
        }
        match &self.kind {
            EventKind::Source { .. } | EventKind::Actor { .. } => {}
            EventKind::Place { within, .. } => {
                within.iter().for_each(|w| out(r("within", RefKind::Place, w.as_str())));
            }
            EventKind::MembershipBegan { member, group }
            | EventKind::MembershipEnded { member, group } => {
                out(r("member", actor, member.as_str()));
                out(r("group", actor, group.as_str()));
            }
            EventKind::AllianceFormed { actors, alliance }
            | EventKind::AllianceEnded { actors, alliance } => {
                actors.iter().for_each(|a| out(r("actors", actor, a.as_str())));
                alliance.iter().for_each(|a| out(r("alliance", actor, a.as_str())));
            }
            EventKind::HostilitiesBegan { actors, .. }
            | EventKind::HostilitiesEnded { actors, .. } => {
                actors.iter().for_each(|a| out(r("actors", actor, a.as_str())));
            }
            EventKind::AgreementSigned { signatories, .. }
            | EventKind::AgreementEnded { signatories, .. } => {
                signatories.iter().for_each(|a| out(r("signatories", actor, a.as_str())));
            }
            EventKind::Government { state, actor: a } => {
                out(r("state", actor, state.as_str()));
                out(r("actor", actor, a.as_str()));
            }
            EventKind::Coup { state, perpetrator, ousted, .. } => {
                out(r("state", actor, state.as_str()));
                out(r("perpetrator", actor, perpetrator.as_str()));
                ousted.iter().for_each(|o| out(r("ousted", actor, o.as_str())));
            }
            EventKind::InterventionBegan { intervener, host, supporting, .. }
            | EventKind::InterventionEnded { intervener, host, supporting, .. } => {
                out(r("intervener", actor, intervener.as_str()));
                out(r("host", actor, host.as_str()));
                supporting.iter().for_each(|s| out(r("supporting", actor, s.as_str())));
            }
            EventKind::ControlTaken { place, actor: a, from } => {
                out(r("place", RefKind::Place, place.as_str()));
                out(r("actor", actor, a.as_str()));
                from.iter().for_each(|f| out(r("from", actor, f.as_str())));
            }
            EventKind::ControlLost { place, actor: a } => {
                out(r("place", RefKind::Place, place.as_str()));
                out(r("actor", actor, a.as_str()));
            }
            EventKind::Attack { attacker, target, place, .. } => {
                out(r("attacker", actor, attacker.as_str()));
                target.iter().for_each(|t| out(r("target", actor, t.as_str())));
                out(r("place", RefKind::Place, place.as_str()));
            }
            EventKind::Retraction { retracts, replaced_by, .. } => {
                out(r("retracts", RefKind::Event, retracts.as_str()));
                replaced_by.iter().for_each(|n| out(r("replaced_by", RefKind::Event, n.as_str())));
            }
            EventKind::SameAs { linked: Linked::Actors(ids) } => {
                ids.iter().for_each(|a| out(r("actors", actor, a.as_str())));
            }
            EventKind::SameAs { linked: Linked::Places(ids) } => {
                ids.iter().for_each(|p| out(r("places", RefKind::Place, p.as_str())));
            }
            EventKind::Identifiers { entity: Entity::Actor(a), .. } => {
                out(r("actor", actor, a.as_str()));
            }
            EventKind::Identifiers { entity: Entity::Place(p), .. } => {
                out(r("place", RefKind::Place, p.as_str()));
            }
            EventKind::ActorDissolved { actor: a, into } => {
                out(r("actor", actor, a.as_str()));
                into.iter().for_each(|i| out(r("into", actor, i.as_str())));
            }
        }
    }
}

/// An event as the log stored it: its place in the log and when the log learned it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    /// Position in the log, from 1, gap-free.
    pub seq: u64,
    /// Recorded time: when the log learned the event.
    pub recorded_at: DateTime<Utc>,
    /// How the event reached the log (`import chronicle.jsonl`, `retract`), if
    /// the log knows: records written before format 2 do not say. Shared by
    /// the records of one import when decoded together.
    pub origin: Option<Arc<str>>,
    pub event: Event,
}
