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

use std::borrow::Cow;

use annals_replay::{DatedEdge, Node, World};

pub use cite::{bibtex, csl_json};
pub use csv::{event_columns, event_csv_row, events_csv_header};
pub use dot::{graph_dot, large_graph_hint, LARGE_GRAPH};
pub use geojson::timeline_geojson;
pub use gexf::{graph_gexf, timeline_gexf};
pub use graphml::graph_graphml;
pub use json::{edge_json, graph_json, graph_node_json, node_json, timeline_json};

/// What starts the node id of an agreement ([`node_id`]).
pub const AGREEMENT_PREFIX: &str = "agreement::";

/// The id of a node in every graph format (JSON, GraphML, GEXF, DOT), and
/// of an edge's ends: an actor's or a place's own id (`fama`, `bamba`), an
/// agreement's slug after [`AGREEMENT_PREFIX`] (`agreement::algiers`).
///
/// An actor and a place never share an id: an entity's id is the id of
/// the event that declares it, and event ids are unique in a log (import
/// refuses a second event with an id, and a reference to an undeclared
/// entity). An agreement is no entity but a slug that `agreement_signed`
/// events name, which may be an actor's id; no id holds `::` (two joining
/// characters in a row, [`annals_model::check_slug`]), so the prefixed
/// slug is no entity's id, and it is still an XML name token (GraphML's
/// type of ids).
pub fn node_id(node: &Node) -> Cow<'_, str> {
    match node {
        Node::Agreement(a) => Cow::Owned(format!("{AGREEMENT_PREFIX}{a}")),
        Node::Actor(_) | Node::Place(_) => Cow::Borrowed(node.id()),
    }
}

/// What a node is drawn as: its declared kind, else its category
/// (`actor`, `place`, `agreement`), for [`style::node_style`].
pub(crate) fn drawn_kind(world: &World, node: &Node) -> &'static str {
    world.node_kind(node).unwrap_or(node.category())
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

#[cfg(test)]
mod tests {
    use annals_model::{check_slug, ActorId, AgreementId, PlaceId};
    use proptest::prelude::*;

    use super::*;

    fn world(lines: &str) -> World {
        World::replay(annals_testkit::recorded(annals_testkit::parse_lines(lines)))
    }

    /// An XML name token (GraphML's type of ids), of ASCII characters.
    fn nmtoken(s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
    }

    proptest! {
        /// No entity can take an agreement's node id: it is no id at all.
        #[test]
        fn an_agreement_node_id_is_never_an_entity_id(slug in "[a-z0-9]{1,6}([-_.:][a-z0-9]{1,6}){0,3}") {
            let id = AgreementId::new(slug.as_str()).unwrap();
            let agreement = node_id(&Node::Agreement(id)).into_owned();
            prop_assert_eq!(agreement.to_string(), format!("agreement::{slug}"));
            prop_assert!(check_slug(&agreement).is_err());
            prop_assert!(nmtoken(&agreement));
            let actor = Node::Actor(ActorId::new(slug.as_str()).unwrap());
            prop_assert_eq!(node_id(&actor).to_string(), slug.clone());
            let place = Node::Place(PlaceId::new(slug.as_str()).unwrap());
            prop_assert_eq!(node_id(&place).to_string(), slug);
        }
    }

    #[test]
    fn a_node_has_its_declared_kind_or_none_and_its_category() {
        let w = world(concat!(
            "{\"type\":\"source\",\"id\":\"s\",\"title\":\"T\"}\n",
            "{\"type\":\"actor\",\"id\":\"algiers\",\"name\":\"Delegation\"}\n",
            "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\",\"kind\":\"coalition\"}\n",
            "{\"type\":\"place\",\"id\":\"kidal\",\"name\":\"Kidal\",\"kind\":\"town\"}",
        ));
        let node = |n: Node| json::node_json(&w, &n).to_string();
        let actor = |id: &str| Node::Actor(ActorId::new(id).unwrap());
        assert_eq!(
            node(actor("algiers")),
            r#"{"category":"actor","id":"algiers","kind":null,"name":"Delegation"}"#
        );
        assert_eq!(
            node(actor("cma")),
            r#"{"category":"actor","id":"cma","kind":"coalition","name":"CMA"}"#
        );
        assert_eq!(
            node(Node::Place(PlaceId::new("kidal").unwrap())),
            r#"{"category":"place","id":"kidal","kind":"town","name":"Kidal"}"#
        );
        assert_eq!(
            node(Node::Agreement(AgreementId::new("algiers").unwrap())),
            r#"{"category":"agreement","id":"agreement::algiers","kind":null,"name":"algiers"}"#
        );
    }
}
