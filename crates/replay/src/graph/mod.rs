//! The dated views of the temporal graph ([`crate::relations`]): one day's
//! graph and the questions asked of it, and the sweep of every relation over time.
//!
//! Each edge of the temporal graph is one relation over time (`member_of` from
//! the MNLA to the CMA, say) with the events that opened and closed it. Whether
//! it holds on day X follows the same holder-timeline rule as control
//! ([`crate::control`]): the settled events at the greatest position decide;
//! an event that is not yet settled on X makes the edge *uncertain*. So an edge
//! opened by a year-precision event is uncertain inside that year, and a
//! relation opened and closed on the same day does not hold after that day.
//!
//! `controls` and `governs` are not judged edge by edge: they come from the
//! place's (or state's) whole timeline through [`World::control`] and
//! [`World::government`], so `graph` never disagrees with `control`.

mod algo;
mod dated;
mod day;
#[cfg(test)]
mod oracle;
mod stretches;
mod sweep;
mod undone;

pub use dated::{DatedEdge, DatedGraph, EdgeStatus};
pub use stretches::Stretch;
pub use sweep::{Span, Transition};
