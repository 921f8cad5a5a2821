//! GEXF 1.3 for Gephi: the graph of one day, or the whole timeline
//! (`mode="dynamic"`, `timeformat="date"`) with each relation's spells, so
//! Gephi's timeline plays the conflict.
//!
//! Node ids are `category:id`, as in GraphML. A spell runs from the day a
//! relation starts to hold to the day it stops (left out while it still holds).
//! In the dynamic file a node starts with its first relation.

use std::collections::BTreeMap;
use std::fmt::Write;

use annals_replay::{DatedEdge, DatedGraph, Node, Span, World};
use chrono::NaiveDate;

use crate::xml::escape;
use crate::{edge_fields, node_key, EDGE_FIELDS};

const NODE_ATTRS: [&str; 2] = ["kind", "category"];

fn header(w: &mut String, mode: &str, description: &str) {
    w.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.push_str("<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n");
    let _ = writeln!(
        w,
        "  <meta>\n    <creator>annals</creator>\n    <description>{}</description>\n  </meta>",
        escape(description)
    );
    let time = if mode == "dynamic" { " timeformat=\"date\"" } else { "" };
    let _ = writeln!(w, "  <graph mode=\"{mode}\" defaultedgetype=\"directed\"{time}>");
    w.push_str("    <attributes class=\"node\">\n");
    for a in NODE_ATTRS {
        let _ = writeln!(w, "      <attribute id=\"{a}\" title=\"{a}\" type=\"string\"/>");
    }
    w.push_str("    </attributes>\n    <attributes class=\"edge\">\n");
    for a in EDGE_FIELDS {
        let ty = if a == "symmetric" { "boolean" } else { "string" };
        let _ = writeln!(w, "      <attribute id=\"{a}\" title=\"{a}\" type=\"{ty}\"/>");
    }
    w.push_str("    </attributes>\n");
}

fn node(w: &mut String, world: &World, n: &Node, start: Option<NaiveDate>) {
    let start = start.map(|d| format!(" start=\"{d}\"")).unwrap_or_default();
    let _ = writeln!(
        w,
        "      <node id=\"{}\" label=\"{}\"{start}>\n        <attvalues>\n          <attvalue for=\"kind\" value=\"{}\"/>\n          <attvalue for=\"category\" value=\"{}\"/>\n        </attvalues>\n      </node>",
        escape(&node_key(n)),
        escape(world.node_name(n)),
        escape(world.node_kind(n)),
        n.category()
    );
}

fn edge(w: &mut String, i: usize, e: &DatedEdge, spells: &[Span]) {
    let _ = writeln!(
        w,
        "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" label=\"{}\">\n        <attvalues>",
        escape(&node_key(&e.key.source)),
        escape(&node_key(&e.key.target)),
        e.key.kind
    );
    for (k, v) in edge_fields(e) {
        if let Some(v) = v {
            let _ = writeln!(w, "          <attvalue for=\"{k}\" value=\"{}\"/>", escape(&v));
        }
    }
    w.push_str("        </attvalues>\n");
    if !spells.is_empty() {
        w.push_str("        <spells>\n");
        for s in spells {
            let end = s.end.map(|d| format!(" end=\"{d}\"")).unwrap_or_default();
            let _ = writeln!(w, "          <spell start=\"{}\"{end}/>", s.start);
        }
        w.push_str("        </spells>\n");
    }
    w.push_str("      </edge>\n");
}

/// The graph of one day as static GEXF.
pub fn graph_gexf(world: &World, g: &DatedGraph) -> String {
    let mut w = String::new();
    header(&mut w, "static", &format!("annals: relations on {}", g.date));
    w.push_str("    <nodes>\n");
    for n in g.nodes() {
        node(&mut w, world, n, None);
    }
    w.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in g.edges().into_iter().enumerate() {
        edge(&mut w, i, e, &[]);
    }
    w.push_str("    </edges>\n  </graph>\n</gexf>\n");
    w
}

/// Every relation over the whole timeline as dynamic GEXF. An edge's
/// attributes are those of its first spell, with the events and sources of all.
pub fn timeline_gexf(world: &World) -> String {
    let spans = world.spans();
    let mut first: BTreeMap<&Node, NaiveDate> = BTreeMap::new();
    for (key, list) in &spans {
        let start = list[0].start;
        for n in [&key.source, &key.target] {
            let slot = first.entry(n).or_insert(start);
            *slot = (*slot).min(start);
        }
    }
    let mut w = String::new();
    header(&mut w, "dynamic", "annals: every relation over time");
    w.push_str("    <nodes>\n");
    for (n, start) in &first {
        node(&mut w, world, n, Some(*start));
    }
    w.push_str("    </nodes>\n    <edges>\n");
    for (i, (_, list)) in spans.iter().enumerate() {
        edge(&mut w, i, &merged(list), list);
    }
    w.push_str("    </edges>\n  </graph>\n</gexf>\n");
    w
}

/// The first spell's edge, with every spell's events and sources.
pub(crate) fn merged(spans: &[Span]) -> DatedEdge {
    let mut e = spans[0].edge.clone();
    e.until = spans.last().and_then(|s| s.end).map(annals_model::Date::day);
    for s in &spans[1..] {
        for ev in &s.edge.events {
            if !e.events.contains(ev) {
                e.events.push(ev.clone());
            }
        }
        e.sources.extend(s.edge.sources.iter().cloned());
    }
    e.sources.sort();
    e.sources.dedup();
    e
}
