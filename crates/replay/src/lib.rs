//! Replay: turns the events of the log into a [`World`] that answers questions
//! as of any valid date. Replay takes events, never a storage handle, and is
//! total: whatever it is given, it builds a world, and what does not fit
//! (a dangling reference, a retraction of nothing) becomes an [`Anomaly`].
//!
//! ```
//! use annals_model::{v1, Recorded, parse_day};
//! use annals_replay::{World, Status};
//! let lines = [
//!     r#"{"type":"source","id":"s","title":"A report"}"#,
//!     r#"{"type":"actor","id":"cma","name":"CMA"}"#,
//!     r#"{"type":"place","id":"bamba","name":"Bamba"}"#,
//!     r#"{"type":"control_taken","id":"t","place":"bamba","actor":"cma","date":"2023-10-01","sources":["s"]}"#,
//! ];
//! let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
//! let records = lines.iter().enumerate().map(|(i, l)| Recorded {
//!     seq: i as u64 + 1, recorded_at: t, origin: None, event: v1::parse_line(l).unwrap().event,
//! });
//! let world = World::replay(records);
//! let place = world.resolve_place("Bamba").unwrap();
//! let answer = world.control(&place, parse_day("2023-10-02").unwrap());
//! assert_eq!(answer.status, Status::Controlled);
//! assert_eq!(answer.controller.unwrap().as_str(), "cma");
//! ```

mod answers;
mod control;
mod dissolution;
mod facts;
mod graph;
mod index;
mod keyed;
mod links;
mod lookup;
mod names;
mod relations;
mod seqs;
mod snapshot;
mod timeline;
mod world;

pub use answers::Headline;
pub use control::{Candidate, Change, Holding, Prior, Status};
pub use dissolution::Dissolution;
pub use graph::{DatedEdge, DatedGraph, EdgeStatus, Span, Stretch, Transition};
pub use index::{Answer, HoldingIndex, PlaceKey};
pub use names::Resolve;
pub use relations::{Node, RelationKey, RelationKind};
pub use snapshot::PlaceIndex;
pub use world::{ActorInfo, Anomaly, HistoryEntry, PlaceInfo, SourceInfo, Withdrawal, World};
