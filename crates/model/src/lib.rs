//! The domain of annals: ids, dates with precision, events with their claims and
//! sources, and interchange format v1. Pure: no I/O, no clock, no storage.
//!
//! ```
//! use annals_model::{v1, EventKind};
//! let line = r#"{"type":"control_taken","id":"cma-bamba","place":"bamba","actor":"cma","date":"2023-10-01"}"#;
//! let event = v1::parse_line(line).unwrap().event;
//! assert!(matches!(event.kind, EventKind::ControlTaken { .. }));
//! assert_eq!(event.date.unwrap().earliest().to_string(), "2023-10-01");
//! ```

mod date;
mod event;
mod id;
mod known;
pub mod states;
mod text;
pub mod v1;

pub use date::{parse_day, CalendarError, Date, DateError, Point, Precision, Qualifier};
pub use event::{
    is_coordinate, ActorKind, Claim, CoupOutcome, Entity, Event, EventKind, Fatalities, IdScheme,
    Linked, PlaceKind, Recorded, RefKind, Reference, ID_SCHEMES, LATITUDE_LIMIT, LONGITUDE_LIMIT,
};
pub use id::{check_slug, ActorId, AgreementId, EventId, IdError, Interner, PlaceId, SourceId};
pub use known::{KnownAt, KnownAtError};
pub use text::{normalization_difference, normalize_name, NormalizationDifference};
