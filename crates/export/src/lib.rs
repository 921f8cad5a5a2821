//! Exports for other tools: of the dated graph, JSON for scripts, Graphviz
//! DOT for people, GraphML and GEXF (static or dynamic) for network tools,
//! GeoJSON of control over time for maps; of the events, CSV rows for
//! spreadsheets; of the sources, CSL-JSON and BibTeX for reference managers.
//! Pure functions from a replayed [`annals_replay::World`] (or the events)
//! to text: no I/O here.

pub mod cite;
pub mod csv;
pub mod dot;
pub mod geojson;
pub mod gexf;
pub mod graphml;
pub mod identity;
pub mod json;
pub mod style;
pub mod vocab;
mod xml;

use annals_replay::{DatedEdge, Node, World};

pub use cite::{bibtex, csl_json};
pub use csv::{event_columns, event_csv_row, events_csv_header};
pub use dot::{graph_dot, large_graph_hint, LARGE_GRAPH};
pub use geojson::timeline_geojson;
pub use gexf::{graph_gexf, timeline_gexf};
pub use graphml::graph_graphml;
pub use json::{edge_json, graph_json, graph_node_json, node_json, timeline_json};

/// The id of a node in DOT, GraphML and GEXF: `category:id`, so an agreement
/// and an actor sharing a slug stay two nodes.
pub fn node_key(node: &Node) -> String {
    format!("{}:{}", node.category(), node.id())
}

/// The names of the edge attributes of the XML formats, in [`edge_fields`] order.
pub(crate) const EDGE_FIELDS: [&str; 9] = [
    "relation",
    "status",
    "since",
    "until",
    "claim",
    "qualifier",
    "symmetric",
    "events",
    "sources",
];

/// An edge's attributes as (name, text) pairs, for the XML formats; lists are
/// joined with spaces (ids contain none).
pub(crate) fn edge_fields(e: &DatedEdge) -> [(&'static str, Option<String>); 9] {
    let join = |ids: Vec<&str>| (!ids.is_empty()).then(|| ids.join(" "));
    [
        ("relation", Some(e.key.kind.as_str().to_string())),
        ("status", Some(e.status.as_str().to_string())),
        ("since", e.since.map(|d| d.to_string())),
        ("until", e.until.map(|d| d.to_string())),
        ("claim", e.claim.map(|c| c.as_str().to_string())),
        ("qualifier", e.key.qualifier.clone()),
        ("symmetric", Some((!e.key.kind.is_directed()).to_string())),
        ("events", join(e.events.iter().map(|id| id.as_str()).collect())),
        ("sources", join(e.sources.iter().map(|id| id.as_str()).collect())),
    ]
}

/// The latitude and longitude of a place that has them.
pub(crate) fn coordinates(world: &World, node: &Node) -> Option<(f64, f64)> {
    let Node::Place(p) = node else { return None };
    let place = world.place(p.as_str())?;
    place.lat.zip(place.lon)
}

/// One edge standing for several of the same relation (its stretches or
/// spans, in order): the first, with the events and sources of all (events
/// in order of first mention, sources sorted) and the last one's `until`.
pub(crate) fn merged<'e>(edges: impl IntoIterator<Item = &'e DatedEdge>) -> DatedEdge {
    let mut edges = edges.into_iter();
    let mut e = edges.next().expect("a relation shows at least once").clone();
    for other in edges {
        for ev in &other.events {
            if !e.events.contains(ev) {
                e.events.push(ev.clone());
            }
        }
        e.sources.extend(other.sources.iter().cloned());
        e.until = other.until;
    }
    e.sources.sort();
    e.sources.dedup();
    e
}
