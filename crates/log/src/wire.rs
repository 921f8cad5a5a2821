//! Frozen wire types of stored records: format 1 (`v1`) and format 2 (`v2`).
//!
//! bincode encodes enum variants by their index and struct fields by position,
//! so these types are frozen: add enum variants only at the end; never reorder,
//! remove or retype anything. A breaking change is a new module with an
//! upcaster from the one before (`From<v1::Record> for v2::Record`).
//! `fixtures/log/golden-v1.bin` and `golden-v2.bin` must keep decoding.

use serde::{Deserialize, Serialize};

pub mod v1 {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Record {
        /// Recorded time, microseconds since the Unix epoch, UTC.
        pub recorded_at_micros: i64,
        pub event: Event,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Event {
        pub id: String,
        pub date: Option<Date>,
        pub sources: Vec<String>,
        /// 0 confirmed, 1 reported, 2 claimed, 3 disputed.
        pub claim: u8,
        pub claimed_by: Option<String>,
        pub note: Option<String>,
        pub kind: Kind,
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
    pub enum Kind {
        Source {
            title: String,
            publisher: Option<String>,
            published: Option<Date>,
            url: Option<String>,
        },
        Actor {
            name: String,
            aliases: Vec<String>,
            kind: Option<u8>,
        },
        Place {
            name: String,
            aliases: Vec<String>,
            kind: Option<u8>,
            within: Option<String>,
            lat: Option<f64>,
            lon: Option<f64>,
        },
        MembershipBegan {
            member: String,
            group: String,
        },
        MembershipEnded {
            member: String,
            group: String,
        },
        AllianceFormed {
            actors: Vec<String>,
            alliance: Option<String>,
        },
        AllianceEnded {
            actors: Vec<String>,
            alliance: Option<String>,
        },
        HostilitiesBegan {
            actors: [String; 2],
        },
        HostilitiesEnded {
            actors: [String; 2],
        },
        AgreementSigned {
            agreement: String,
            name: Option<String>,
            signatories: Vec<String>,
        },
        AgreementEnded {
            agreement: String,
            name: Option<String>,
            signatories: Vec<String>,
        },
        Government {
            state: String,
            actor: String,
        },
        /// outcome: 0 successful, 1 failed.
        Coup {
            state: String,
            perpetrator: String,
            ousted: Option<String>,
            outcome: u8,
        },
        InterventionBegan {
            intervener: String,
            host: String,
            operation: Option<String>,
            supporting: Option<String>,
        },
        InterventionEnded {
            intervener: String,
            host: String,
            operation: Option<String>,
            supporting: Option<String>,
        },
        ControlTaken {
            place: String,
            actor: String,
            from: Option<String>,
        },
        ControlLost {
            place: String,
            actor: String,
        },
        Attack {
            attacker: String,
            target: Option<String>,
            place: String,
            fatalities: Option<u64>,
        },
        Retraction {
            retracts: String,
            reason: String,
        },
    }
}

/// Format 2 (2026-11): the record says where it came from (`origin`: the file
/// an import read, `retract`, ...). Events are unchanged: `v1::Event`.
pub mod v2 {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    pub struct Record {
        /// Recorded time, microseconds since the Unix epoch, UTC.
        pub recorded_at_micros: i64,
        /// How the record reached the log, if known. Records of format 1 have none.
        pub origin: Option<String>,
        pub event: v1::Event,
    }

    /// The upcaster: a format 1 record read as format 2, with no origin.
    impl From<v1::Record> for Record {
        fn from(r: v1::Record) -> Record {
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
