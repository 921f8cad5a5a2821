//! The graph of one day as GraphML, for networkx, yEd, Gephi and igraph.
//! Valid against the GraphML 1.0 XSD (`fixtures/schemas/`).
//!
//! Node ids are those of every graph format ([`crate::node_id`]: `cma`,
//! `bamba`, `agreement::algiers-agreement-2015`). Nodes carry `name`,
//! `kind` (when the log declares one), `category` (`actor`, `place` or
//! `agreement`), a `color` (`#rrggbb`, the DOT fill) and, for places that have
//! them, `latitude` and `longitude`; a node that links join with other ids
//! (drawn once, under the id its answers use) carries `same_as`, the ids
//! of its set joined with spaces, and each identifier its set bears in
//! another catalogue is an attribute `identifiers.SCHEME` (one key per
//! scheme in the graph). The graph is directed; the symmetric
//! relations (`allied_with`, `hostile_to`) carry `symmetric = true` rather
//! than a per-edge direction, which several readers refuse in a directed
//! graph. Edges carry the fields of GEXF and JSON, and their DOT `color`.

use std::fmt::Write;

use annals_replay::{DatedGraph, World};

use crate::style::{edge_style, node_style};
use crate::xml::escape;
use crate::{coordinates, drawn_kind, edge_fields, identity, node_id, EDGE_FIELDS};

const NODE_KEYS: [(&str, &str); 6] = [
    ("name", "string"),
    ("kind", "string"),
    ("category", "string"),
    ("latitude", "double"),
    ("longitude", "double"),
    ("color", "string"),
];

/// GraphML text of a dated graph.
pub fn graph_graphml(world: &World, g: &DatedGraph) -> String {
    let mut w = String::new();
    w.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
    for (k, ty) in NODE_KEYS {
        let _ =
            writeln!(w, "  <key id=\"n_{k}\" for=\"node\" attr.name=\"{k}\" attr.type=\"{ty}\"/>");
    }
    let nodes = g.nodes();
    let schemes = identity::schemes(world, nodes.iter().copied());
    for k in std::iter::once("same_as".to_string())
        .chain(schemes.iter().map(|s| format!("identifiers.{s}")))
    {
        let _ = writeln!(
            w,
            "  <key id=\"n_{k}\" for=\"node\" attr.name=\"{k}\" attr.type=\"string\"/>"
        );
    }
    for k in EDGE_FIELDS.into_iter().chain(["color"]) {
        let ty = if k == "symmetric" { "boolean" } else { "string" };
        let _ =
            writeln!(w, "  <key id=\"e_{k}\" for=\"edge\" attr.name=\"{k}\" attr.type=\"{ty}\"/>");
    }
    let _ = writeln!(w, "  <graph id=\"annals-{}\" edgedefault=\"directed\">", g.date);
    for n in nodes {
        let _ = writeln!(w, "    <node id=\"{}\">", escape(&node_id(n)));
        let (lat, lon) = coordinates(world, n).unzip();
        let values = [
            Some(world.node_name(n).to_string()),
            world.node_kind(n).map(str::to_string),
            Some(n.category().to_string()),
            lat.map(|x| x.to_string()),
            lon.map(|x| x.to_string()),
            Some(node_style(drawn_kind(world, n)).fill.hex()),
        ];
        for ((k, _), v) in NODE_KEYS.iter().zip(values) {
            if let Some(v) = v {
                let _ = writeln!(w, "      <data key=\"n_{k}\">{}</data>", escape(&v));
            }
        }
        let same_as = identity::same_as(world, n);
        if !same_as.is_empty() {
            let _ =
                writeln!(w, "      <data key=\"n_same_as\">{}</data>", escape(&same_as.join(" ")));
        }
        for (scheme, value) in identity::identifiers(world, n) {
            let _ =
                writeln!(w, "      <data key=\"n_identifiers.{scheme}\">{}</data>", escape(&value));
        }
        w.push_str("    </node>\n");
    }
    for (i, e) in g.edges().into_iter().enumerate() {
        let _ = writeln!(
            w,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\">",
            escape(&node_id(&e.key.source)),
            escape(&node_id(&e.key.target))
        );
        for (k, v) in edge_fields(e) {
            if let Some(v) = v {
                let _ = writeln!(w, "      <data key=\"e_{k}\">{}</data>", escape(&v));
            }
        }
        let color = edge_style(e.key.kind, Some(e.status)).color.hex();
        let _ = writeln!(w, "      <data key=\"e_color\">{color}</data>\n    </edge>");
    }
    w.push_str("  </graph>\n</graphml>\n");
    w
}
