//! GEXF 1.3 for Gephi: the graph of one day, or the whole timeline
//! (`mode="dynamic"`, `timeformat="date"`), so Gephi's timeline plays the
//! conflict. Valid against GEXF 1.3's RELAX NG grammar (`fixtures/schemas/`).
//!
//! Node ids are those of every graph format ([`crate::node_id`]), as in
//! GraphML; so are `kind` (when the log declares one) and `category`. Places with coordinates carry
//! `latitude` and `longitude` (Gephi's GeoLayout reads them); a linked set
//! of ids, one node, carries `same_as` and its identifiers
//! (`identifiers.SCHEME`), as in GraphML. Symmetric
//! relations (`allied_with`, `hostile_to`) are `type="mutual"` edges in a
//! directed graph: readers that refuse graphs mixing directed and undirected
//! edges (networkx) read them as a pair of arcs. Colours, shapes and
//! thicknesses (`viz:`) follow the DOT styles.
//!
//! In the dynamic file an edge's spells are the days `graph --on` shows the
//! relation, valid, contested or uncertain; spells are inclusive, so a
//! closed spell ends on the last day the relation shows. Its `status`,
//! `since`, `until` and `claim` change over time, each value an `attvalue`
//! with its own `start` and `end`: the window in which an event not yet
//! settled may open the relation is kept, with status `uncertain`. A node's
//! spells are those of its edges, joined.

use std::collections::BTreeMap;
use std::fmt::Write;

use annals_replay::{DatedEdge, DatedGraph, Node, RelationKey, Stretch, World};
use chrono::NaiveDate;

use crate::style::{edge_style, node_style, Rgb};
use crate::xml::escape;
use crate::{coordinates, drawn_kind, edge_fields, identity, node_id, EDGE_FIELDS};

/// A stretch of days, the last one included (`None`: open-ended).
type Spell = (NaiveDate, Option<NaiveDate>);

/// The edge attributes that change over time in the dynamic file.
const DYNAMIC_FIELDS: [&str; 4] = ["status", "since", "until", "claim"];

fn header(w: &mut String, dynamic: bool, description: &str, schemes: &[String]) {
    w.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    w.push_str("<gexf xmlns=\"http://gexf.net/1.3\" xmlns:viz=\"http://gexf.net/1.3/viz\" version=\"1.3\">\n");
    let _ = writeln!(
        w,
        "  <meta>\n    <creator>annals</creator>\n    <description>{}</description>\n  </meta>",
        escape(description)
    );
    let (mode, time) = if dynamic { ("dynamic", " timeformat=\"date\"") } else { ("static", "") };
    let _ = writeln!(w, "  <graph mode=\"{mode}\" defaultedgetype=\"directed\"{time}>");
    let attribute = |w: &mut String, a: &str| {
        let ty = match a {
            "symmetric" => "boolean",
            "latitude" | "longitude" => "double",
            _ => "string",
        };
        let _ = writeln!(w, "      <attribute id=\"{a}\" title=\"{a}\" type=\"{ty}\"/>");
    };
    w.push_str("    <attributes class=\"node\" mode=\"static\">\n");
    for a in ["kind", "category", "latitude", "longitude", "same_as"] {
        attribute(w, a);
    }
    for scheme in schemes {
        attribute(w, &format!("identifiers.{scheme}"));
    }
    w.push_str("    </attributes>\n    <attributes class=\"edge\" mode=\"static\">\n");
    for a in EDGE_FIELDS.into_iter().filter(|a| !dynamic || !DYNAMIC_FIELDS.contains(a)) {
        attribute(w, a);
    }
    w.push_str("    </attributes>\n");
    if dynamic {
        w.push_str("    <attributes class=\"edge\" mode=\"dynamic\">\n");
        for a in DYNAMIC_FIELDS {
            attribute(w, a);
        }
        w.push_str("    </attributes>\n");
    }
}

fn color(w: &mut String, pad: &str, c: Rgb) {
    let _ = writeln!(w, "{pad}<viz:color r=\"{}\" g=\"{}\" b=\"{}\"/>", c.0, c.1, c.2);
}

fn spells(w: &mut String, pad: &str, list: &[Spell]) {
    let _ = writeln!(w, "{pad}<spells>");
    for (start, last) in list {
        let end = last.map(|d| format!(" end=\"{d}\"")).unwrap_or_default();
        let _ = writeln!(w, "{pad}  <spell start=\"{start}\"{end}/>");
    }
    let _ = writeln!(w, "{pad}</spells>");
}

fn node(w: &mut String, world: &World, n: &Node, when: Option<&[Spell]>) {
    let _ = writeln!(
        w,
        "      <node id=\"{}\" label=\"{}\">\n        <attvalues>",
        escape(&node_id(n)),
        escape(world.node_name(n)),
    );
    if let Some(kind) = world.node_kind(n) {
        let _ = writeln!(w, "          <attvalue for=\"kind\" value=\"{kind}\"/>");
    }
    let _ = writeln!(w, "          <attvalue for=\"category\" value=\"{}\"/>", n.category());
    if let Some((lat, lon)) = coordinates(world, n) {
        let _ = writeln!(w, "          <attvalue for=\"latitude\" value=\"{lat}\"/>");
        let _ = writeln!(w, "          <attvalue for=\"longitude\" value=\"{lon}\"/>");
    }
    let same_as = identity::same_as(world, n);
    if !same_as.is_empty() {
        let ids = escape(&same_as.join(" "));
        let _ = writeln!(w, "          <attvalue for=\"same_as\" value=\"{ids}\"/>");
    }
    for (scheme, value) in identity::identifiers(world, n) {
        let _ = writeln!(
            w,
            "          <attvalue for=\"identifiers.{scheme}\" value=\"{}\"/>",
            escape(&value)
        );
    }
    w.push_str("        </attvalues>\n");
    if let Some(list) = when {
        spells(w, "        ", list);
    }
    let style = node_style(drawn_kind(world, n));
    color(w, "        ", style.fill);
    let _ = writeln!(w, "        <viz:shape value=\"{}\"/>\n      </node>", style.viz_shape);
}

/// Opens an edge and its attribute values: every field of `e`, or in the
/// dynamic file only those that do not change over time.
fn edge_start(w: &mut String, i: usize, e: &DatedEdge, dynamic: bool) {
    let mutual = if e.key.kind.is_directed() { "" } else { " type=\"mutual\"" };
    let _ = writeln!(
        w,
        "      <edge id=\"{i}\" source=\"{}\" target=\"{}\" label=\"{}\"{mutual}>\n        <attvalues>",
        escape(&node_id(&e.key.source)),
        escape(&node_id(&e.key.target)),
        e.key.kind
    );
    for (k, v) in edge_fields(e) {
        if let (Some(v), false) = (v, dynamic && DYNAMIC_FIELDS.contains(&k)) {
            let _ = writeln!(w, "          <attvalue for=\"{k}\" value=\"{}\"/>", escape(&v));
        }
    }
}

/// Closes the attribute values, then the spells (if any) and the look of an edge.
fn edge_end(w: &mut String, e: &DatedEdge, when: Option<&[Spell]>, dynamic: bool) {
    w.push_str("        </attvalues>\n");
    if let Some(list) = when {
        spells(w, "        ", list);
    }
    // Over time a relation's look is its kind's; one day's edge is drawn as its status has it.
    let style = edge_style(e.key.kind, (!dynamic).then_some(e.status));
    color(w, "        ", style.color);
    let _ = writeln!(
        w,
        "        <viz:thickness value=\"{}\"/>\n        <viz:shape value=\"{}\"/>\n      </edge>",
        style.thickness(),
        style.line
    );
}

/// The graph of one day as static GEXF.
pub fn graph_gexf(world: &World, g: &DatedGraph) -> String {
    let mut w = String::new();
    let nodes = g.nodes();
    let schemes = identity::schemes(world, nodes.iter().copied());
    header(&mut w, false, &format!("annals: relations on {}", g.date), &schemes);
    w.push_str("    <nodes>\n");
    for n in nodes {
        node(&mut w, world, n, None);
    }
    w.push_str("    </nodes>\n    <edges>\n");
    for (i, e) in g.edges().into_iter().enumerate() {
        edge_start(&mut w, i, e, false);
        edge_end(&mut w, e, None, false);
    }
    w.push_str("    </edges>\n  </graph>\n</gexf>\n");
    w
}

/// Every relation over the whole timeline as dynamic GEXF, from
/// [`World::stretches`]: what `graph --on` shows, day by day.
pub fn timeline_gexf(world: &World) -> String {
    let stretches = world.stretches();
    let mut when: BTreeMap<&Node, Vec<Spell>> = BTreeMap::new();
    for (key, list) in &stretches {
        for n in [&key.source, &key.target] {
            when.entry(n).or_default().extend(list.iter().map(|s| (s.start, s.last)));
        }
    }
    let mut w = String::new();
    let schemes = identity::schemes(world, when.keys().copied());
    header(&mut w, true, "annals: every relation over time", &schemes);
    w.push_str("    <nodes>\n");
    for (n, list) in when {
        node(&mut w, world, n, Some(&joined(list)));
    }
    w.push_str("    </nodes>\n    <edges>\n");
    for (i, (key, list)) in stretches.iter().enumerate() {
        timeline_edge(&mut w, i, key, list);
    }
    w.push_str("    </edges>\n  </graph>\n</gexf>\n");
    w
}

/// One relation over time: its fixed fields, those that change with their
/// own spells, and the spells of the whole.
fn timeline_edge(w: &mut String, i: usize, key: &RelationKey, list: &[Stretch]) {
    debug_assert!(list.iter().all(|s| &s.edge.key == key));
    let merged = crate::merged(list.iter().map(|s| &s.edge));
    edge_start(w, i, &merged, true);
    for field in DYNAMIC_FIELDS {
        // Each value over the days it holds: stretches that follow one
        // another with the same value make one.
        let mut runs: Vec<(String, Spell)> = Vec::new();
        for s in list {
            let value = edge_fields(&s.edge).into_iter().find(|(k, _)| *k == field);
            let Some((_, Some(value))) = value else { continue };
            match runs.last_mut() {
                Some((v, (_, last)))
                    if *v == value && last.and_then(|l| l.succ_opt()) == Some(s.start) =>
                {
                    *last = s.last;
                }
                _ => runs.push((value, (s.start, s.last))),
            }
        }
        for (value, (start, last)) in runs {
            let end = last.map(|d| format!(" end=\"{d}\"")).unwrap_or_default();
            let _ = writeln!(
                w,
                "          <attvalue for=\"{field}\" value=\"{}\" start=\"{start}\"{end}/>",
                escape(&value)
            );
        }
    }
    edge_end(w, &merged, Some(&joined(list.iter().map(|s| (s.start, s.last)).collect())), true);
}

/// Spells in any order joined where they overlap or touch (one ends the day
/// before the other starts), sorted.
fn joined(mut list: Vec<Spell>) -> Vec<Spell> {
    list.sort();
    let mut out: Vec<Spell> = Vec::new();
    for (start, last) in list {
        if let Some(prev) = out.last_mut() {
            if prev.1.is_none_or(|end| end.succ_opt().is_none_or(|next| start <= next)) {
                prev.1 = prev.1.zip(last).map(|(a, b)| a.max(b));
                continue;
            }
        }
        out.push((start, last));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::joined;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn spells_that_touch_or_overlap_are_joined() {
        let list = vec![
            (d("2020-01-10"), Some(d("2020-02-01"))),
            (d("2020-01-01"), Some(d("2020-01-09"))),
            (d("2020-03-01"), Some(d("2020-03-05"))),
            (d("2020-03-03"), None),
            (d("2021-01-01"), Some(d("2021-02-01"))),
        ];
        assert_eq!(
            joined(list),
            [(d("2020-01-01"), Some(d("2020-02-01"))), (d("2020-03-01"), None)]
        );
    }
}
