//! The graph as JSON: `{"date", "nodes": [{id, kind, name, category,
//! same_as?, identifiers?}], "edges": [{kind, source, target, since, until,
//! events, sources, ...}]}`, nodes and edges' ends under the ids of every
//! graph format ([`crate::node_id`]).

use std::collections::BTreeMap;

use annals_replay::{DatedEdge, DatedGraph, Node, RelationKey, RelationKind, Span, Stretch, World};
use serde_json::{json, Map, Value};

/// `{id, kind, name, category}`: an entity's `{id, kind, name}` (`kind`
/// null when the log declares none, and for an agreement) under the node's
/// id ([`crate::node_id`]), and `category`, `actor`, `place` or `agreement`.
pub fn node_json(world: &World, node: &Node) -> Value {
    json!({
        "id": crate::node_id(node),
        "kind": world.node_kind(node),
        "name": world.node_name(node),
        "category": node.category(),
    })
}

/// A node of the graph: [`node_json`], with `same_as` (the ids of its set
/// of linked ids, itself included) when links join it to others, and
/// `identifiers` (`{scheme: value}`, those of every id of its set) when it
/// has any, as [`crate::identity`] gives them to every graph format.
pub fn graph_node_json(world: &World, node: &Node) -> Value {
    let mut v = node_json(world, node);
    let same_as = crate::identity::same_as(world, node);
    if !same_as.is_empty() {
        v["same_as"] = json!(same_as);
    }
    let ids = crate::identity::identifiers(world, node);
    if !ids.is_empty() {
        v["identifiers"] = json!(ids);
    }
    v
}

/// One edge. Beyond the documented fields: `status` (`valid`, `contested` or
/// `uncertain`), `claim`, and `alliance` or `operation` where they apply;
/// `since` and `until` with their days, the sources cited in full
/// ([`crate::vocab`]).
pub fn edge_json(world: &World, e: &DatedEdge) -> Value {
    let mut o = Map::new();
    o.insert("kind".into(), json!(e.key.kind.as_str()));
    o.insert("source".into(), json!(crate::node_id(&e.key.source)));
    o.insert("target".into(), json!(crate::node_id(&e.key.target)));
    if let Some(q) = &e.key.qualifier {
        let field = match e.key.kind {
            RelationKind::AlliedWith => "alliance",
            _ => "operation",
        };
        o.insert(field.into(), json!(q));
    }
    o.insert("status".into(), json!(e.status.as_str()));
    crate::vocab::date_fields(&mut o, "since", e.since.as_ref());
    crate::vocab::date_fields(&mut o, "until", e.until.as_ref());
    o.insert("events".into(), json!(e.events.iter().map(|id| id.as_str()).collect::<Vec<_>>()));
    o.insert("claim".into(), json!(e.claim.map(|c| c.as_str())));
    o.insert("sources".into(), crate::vocab::sources_json(world, &e.sources));
    Value::Object(o)
}

/// The whole dated graph, nodes and edges sorted by id.
pub fn graph_json(world: &World, g: &DatedGraph) -> Value {
    // Built in place: `json!` would copy the node and edge lists.
    let mut o = Map::new();
    o.insert("date".into(), json!(g.date.to_string()));
    o.insert("nodes".into(), g.nodes().into_iter().map(|n| graph_node_json(world, n)).collect());
    o.insert("edges".into(), g.edges().into_iter().map(|e| edge_json(world, e)).collect());
    Value::Object(o)
}

/// Every relation over the whole timeline: `{"nodes": [...], "edges": [{...,
/// "spans": [{"start", "end"}], "stretches": [{"start", "last", "status",
/// "since", "until", "claim"}]}]}`. `spans` are what settled events say
/// (`end`: the first day it no longer holds), `stretches` what `graph --on`
/// shows day by day (`last`: the last day it shows, uncertain windows
/// included); a relation only ever uncertain has no span. An edge's fields
/// are those of its first span (or stretch), with the events and sources of all.
pub fn timeline_json(world: &World) -> Value {
    let mut spans: BTreeMap<&RelationKey, Vec<Span>> = world.spans().into_iter().collect();
    let stretches = world.stretches();
    let mut nodes: Vec<&Node> =
        stretches.iter().flat_map(|(k, _)| [&k.source, &k.target]).collect();
    nodes.sort();
    nodes.dedup();
    let edges: Vec<Value> = stretches
        .iter()
        .map(|(key, list)| {
            let spans = spans.remove(key).unwrap_or_default();
            let e = match spans.last() {
                Some(last) => {
                    let mut e = crate::merged(spans.iter().map(|s| &s.edge));
                    e.until = last.end.map(annals_model::Date::day);
                    e
                }
                None => crate::merged(list.iter().map(|s| &s.edge)),
            };
            let mut v = edge_json(world, &e);
            v["spans"] = spans
                .iter()
                .map(|s| json!({ "start": s.start.to_string(), "end": s.end.map(|d| d.to_string()) }))
                .collect();
            v["stretches"] = list.iter().map(stretch_json).collect();
            v
        })
        .collect();
    let mut o = Map::new();
    o.insert("nodes".into(), nodes.into_iter().map(|n| graph_node_json(world, n)).collect());
    o.insert("edges".into(), Value::Array(edges));
    Value::Object(o)
}

fn stretch_json(s: &Stretch) -> Value {
    let mut v = json!({
        "start": s.start.to_string(),
        "last": s.last.map(|d| d.to_string()),
        "status": s.edge.status.as_str(),
        "claim": s.edge.claim.map(|c| c.as_str()),
    });
    crate::vocab::set_date(&mut v, "since", s.edge.since.as_ref());
    crate::vocab::set_date(&mut v, "until", s.edge.until.as_ref());
    v
}
