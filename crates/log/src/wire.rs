//! Frozen wire types of stored records: format 1 (`v1`) and format 2 (`v2`).
//!
//! bincode encodes enum variants by their index and struct fields by position,
//! so these types are frozen: add enum variants only at the end; never reorder,
//! remove or retype anything. A breaking change is a new module with an
//! upcaster from the one before (`From<v1::Record> for v2::Record`).
//! `fixtures/log/golden-v1.bin` and `golden-v2.bin` must keep decoding.
//!
//! Strings are borrowed (`&str`): bincode writes a `&str` exactly as a
//! `String`, so the bytes are the same, and decoding reads them in place
//! instead of allocating a copy of every id only to intern it.

use serde::{Deserialize, Serialize};

pub mod v1 {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Record<'a> {
        /// Recorded time, microseconds since the Unix epoch, UTC.
        pub recorded_at_micros: i64,
        #[serde(borrow)]
        pub event: Event<'a>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Event<'a> {
        pub id: &'a str,
        pub date: Option<Date>,
        #[serde(borrow)]
        pub sources: Vec<&'a str>,
        /// 0 confirmed, 1 reported, 2 claimed, 3 disputed.
        pub claim: u8,
        #[serde(borrow)]
        pub claimed_by: Option<&'a str>,
        #[serde(borrow)]
        pub note: Option<&'a str>,
        #[serde(borrow)]
        pub kind: Kind<'a>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Date {
        pub start: Point,
        pub end: Option<Point>,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Point {
        pub year: u16,
        /// 0 when only the year is known.
        pub month: u8,
        /// 0 when the day is not known.
        pub day: u8,
        /// 0 exact, 1 uncertain (`?`), 2 approximate (`~`).
        pub qualifier: u8,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub enum Kind<'a> {
        Source {
            title: &'a str,
            #[serde(borrow)]
            publisher: Option<&'a str>,
            published: Option<Date>,
            #[serde(borrow)]
            url: Option<&'a str>,
        },
        Actor {
            name: &'a str,
            #[serde(borrow)]
            aliases: Vec<&'a str>,
            kind: Option<u8>,
        },
        Place {
            name: &'a str,
            #[serde(borrow)]
            aliases: Vec<&'a str>,
            kind: Option<u8>,
            #[serde(borrow)]
            within: Option<&'a str>,
            lat: Option<f64>,
            lon: Option<f64>,
        },
        MembershipBegan {
            member: &'a str,
            group: &'a str,
        },
        MembershipEnded {
            member: &'a str,
            group: &'a str,
        },
        AllianceFormed {
            #[serde(borrow)]
            actors: Vec<&'a str>,
            #[serde(borrow)]
            alliance: Option<&'a str>,
        },
        AllianceEnded {
            #[serde(borrow)]
            actors: Vec<&'a str>,
            #[serde(borrow)]
            alliance: Option<&'a str>,
        },
        HostilitiesBegan {
            #[serde(borrow)]
            actors: [&'a str; 2],
        },
        HostilitiesEnded {
            #[serde(borrow)]
            actors: [&'a str; 2],
        },
        AgreementSigned {
            agreement: &'a str,
            #[serde(borrow)]
            name: Option<&'a str>,
            #[serde(borrow)]
            signatories: Vec<&'a str>,
        },
        AgreementEnded {
            agreement: &'a str,
            #[serde(borrow)]
            name: Option<&'a str>,
            #[serde(borrow)]
            signatories: Vec<&'a str>,
        },
        Government {
            state: &'a str,
            actor: &'a str,
        },
        /// outcome: 0 successful, 1 failed, 2 conspiracy (a value added
        /// after format 4; earlier builds refuse it as invalid).
        Coup {
            state: &'a str,
            perpetrator: &'a str,
            #[serde(borrow)]
            ousted: Option<&'a str>,
            outcome: u8,
        },
        InterventionBegan {
            intervener: &'a str,
            host: &'a str,
            #[serde(borrow)]
            operation: Option<&'a str>,
            #[serde(borrow)]
            supporting: Option<&'a str>,
        },
        InterventionEnded {
            intervener: &'a str,
            host: &'a str,
            #[serde(borrow)]
            operation: Option<&'a str>,
            #[serde(borrow)]
            supporting: Option<&'a str>,
        },
        ControlTaken {
            place: &'a str,
            actor: &'a str,
            #[serde(borrow)]
            from: Option<&'a str>,
        },
        ControlLost {
            place: &'a str,
            actor: &'a str,
        },
        Attack {
            attacker: &'a str,
            #[serde(borrow)]
            target: Option<&'a str>,
            place: &'a str,
            fatalities: Option<u64>,
        },
        Retraction {
            retracts: &'a str,
            reason: &'a str,
        },
        /// A `Source` with a dataset's release or the period it covers. A
        /// source with neither is still written as `Source`, so its bytes
        /// do not change.
        SourceCovered {
            title: &'a str,
            #[serde(borrow)]
            publisher: Option<&'a str>,
            published: Option<Date>,
            #[serde(borrow)]
            url: Option<&'a str>,
            #[serde(borrow)]
            release: Option<&'a str>,
            covers: Option<Date>,
        },
        /// `HostilitiesBegan` with the deaths counted for them (without,
        /// still written as `HostilitiesBegan`).
        HostilitiesBeganCounted {
            #[serde(borrow)]
            actors: [&'a str; 2],
            fatalities: Fatalities,
        },
        /// `HostilitiesEnded` with the deaths counted for them.
        HostilitiesEndedCounted {
            #[serde(borrow)]
            actors: [&'a str; 2],
            fatalities: Fatalities,
        },
        /// `same_as`: the linked actors or the linked places (the other
        /// list is empty).
        SameAs {
            #[serde(borrow)]
            actors: Vec<&'a str>,
            #[serde(borrow)]
            places: Vec<&'a str>,
        },
        /// `identifiers`: of the actor, or of the place (the other is
        /// `None`), each (scheme, value), sorted by scheme.
        Identifiers {
            #[serde(borrow)]
            actor: Option<&'a str>,
            #[serde(borrow)]
            place: Option<&'a str>,
            #[serde(borrow)]
            ids: Vec<(&'a str, &'a str)>,
        },
        /// An actor that ceased to exist, optionally merged into another.
        ActorDissolved {
            actor: &'a str,
            #[serde(borrow)]
            into: Option<&'a str>,
        },
        /// A `Retraction` with the event that replaces the one withdrawn
        /// (a revision). A retraction without one is still written as
        /// `Retraction`, so its bytes do not change.
        Revision {
            retracts: &'a str,
            reason: &'a str,
            replaced_by: &'a str,
        },
    }

    /// Deaths counted: the best estimate, and the low and high ones if given.
    #[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Fatalities {
        pub best: u64,
        pub low: Option<u64>,
        pub high: Option<u64>,
    }
}

/// Format 2 (2026-11): the record says where it came from (`origin`: the file
/// an import read, `retract`, ...). Events are unchanged: `v1::Event`.
pub mod v2 {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Record<'a> {
        /// Recorded time, microseconds since the Unix epoch, UTC.
        pub recorded_at_micros: i64,
        /// How the record reached the log, if known. Records of format 1 have none.
        #[serde(borrow)]
        pub origin: Option<&'a str>,
        #[serde(borrow)]
        pub event: v1::Event<'a>,
    }

    /// The upcaster: a format 1 record read as format 2, with no origin.
    impl<'a> From<v1::Record<'a>> for Record<'a> {
        fn from(r: v1::Record<'a>) -> Record<'a> {
            Record { recorded_at_micros: r.recorded_at_micros, origin: None, event: r.event }
        }
    }
}

/// The header of a stored snapshot (format 1). The state follows it, encoded
/// by its owner's serde types; see `codec::encode_snapshot`.
pub mod snapshot {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Header {
        /// What the state is (`places`), so one snapshot is never read as another.
        pub name: String,
        /// The version of the state's own layout, owned by the code that builds it.
        pub schema: u32,
        /// The last record the state includes (0: none).
        pub last_seq: u64,
        /// The stored checksum of that record, to recognize the log it came from.
        pub last_crc: u32,
    }
}
