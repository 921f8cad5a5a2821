//! Exports of the dated graph for other tools: JSON for scripts, Graphviz DOT
//! for people. Pure functions from a replayed [`annals_replay::World`] and a
//! [`annals_replay::DatedGraph`] to text: no I/O here.

pub mod dot;
pub mod json;

pub use dot::graph_dot;
pub use json::{edge_json, graph_json, node_json};
