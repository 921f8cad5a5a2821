//! The graph as Graphviz DOT, for people: groups drawn as clusters holding their
//! members, one style per relation kind, node shapes by kind, every label escaped.
//!
//! Clusters: a group with members on the day (`member_of`), or a pact named by
//! an alliance (`allied_with` with an `alliance`), becomes `subgraph cluster_…`
//! holding its members. Graphviz draws a node in one cluster only, so a member
//! of several groups sits in the first by id that does not make a cycle; its
//! other memberships stay visible as edges. Groups of groups nest.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use annals_model::ActorId;
use annals_replay::{DatedEdge, DatedGraph, EdgeStatus, Node, RelationKind, World};

use crate::node_key;

/// The DOT text of a dated graph; `title` labels the drawing.
pub fn graph_dot(world: &World, g: &DatedGraph, title: &str) -> String {
    let mut out = String::new();
    let w = &mut out;
    w.push_str("digraph annals {\n");
    let _ = writeln!(
        w,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=16, rankdir=LR, nodesep=0.3, ranksep=0.6];",
        quote(title)
    );
    w.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=white];\n");
    w.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");

    let tree = Clusters::of(g);
    for root in tree.children_of(None) {
        write_member(w, world, g, &tree, root, 1);
    }
    for edge in g.edges() {
        write_edge(w, world, edge);
    }
    w.push_str("}\n");
    out
}

/// Which cluster each node is drawn in.
struct Clusters {
    /// node → the group whose cluster holds it.
    parent: BTreeMap<Node, Node>,
    /// The groups that get a cluster: every parent.
    groups: BTreeSet<Node>,
    nodes: BTreeSet<Node>,
}

impl Clusters {
    fn of(g: &DatedGraph) -> Clusters {
        let mut wanted: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
        for e in g.edges() {
            match (e.key.kind, &e.key.qualifier) {
                (RelationKind::MemberOf, _) => {
                    wanted.entry(e.key.source.clone()).or_default().insert(e.key.target.clone());
                }
                (RelationKind::AlliedWith, Some(pact)) => {
                    if let Ok(pact) = ActorId::new(pact.as_str()) {
                        for end in [&e.key.source, &e.key.target] {
                            wanted
                                .entry(end.clone())
                                .or_default()
                                .insert(Node::Actor(pact.clone()));
                        }
                    }
                }
                _ => {}
            }
        }
        let mut parent: BTreeMap<Node, Node> = BTreeMap::new();
        for (node, groups) in wanted {
            // The first group that is not the node itself nor held (at any depth) by it.
            let pick = groups.into_iter().find(|group| {
                let mut at = Some(group);
                while let Some(n) = at {
                    if n == &node {
                        return false;
                    }
                    at = parent.get(n);
                }
                true
            });
            if let Some(group) = pick {
                parent.insert(node, group);
            }
        }
        let groups: BTreeSet<Node> = parent.values().cloned().collect();
        let mut nodes: BTreeSet<Node> = g.nodes().into_iter().cloned().collect();
        // A pact with no edge of its own still names its cluster.
        nodes.extend(groups.iter().cloned());
        Clusters { parent, groups, nodes }
    }

    /// What is drawn directly inside `group`'s cluster (`None`: the top level).
    fn children_of(&self, group: Option<&Node>) -> Vec<&Node> {
        self.nodes.iter().filter(|n| self.parent.get(*n) == group).collect()
    }
}

fn write_member(
    w: &mut String,
    world: &World,
    g: &DatedGraph,
    tree: &Clusters,
    node: &Node,
    depth: usize,
) {
    let pad = "  ".repeat(depth);
    if !tree.groups.contains(node) {
        write_node(w, world, node, &pad);
        return;
    }
    let name = world.node_name(node);
    let _ = writeln!(w, "{pad}subgraph {} {{", quote(&format!("cluster_{}", node_key(node))));
    let _ = writeln!(
        w,
        "{pad}  graph [label={}, style=\"rounded,filled\", fillcolor=\"#f4f4f8\", color=\"#7a7a99\", fontsize=12];",
        quote(name)
    );
    if g.contains(node) {
        write_node(w, world, node, &format!("{pad}  "));
    }
    for child in tree.children_of(Some(node)) {
        write_member(w, world, g, tree, child, depth + 1);
    }
    let _ = writeln!(w, "{pad}}}");
}

fn write_node(w: &mut String, world: &World, node: &Node, pad: &str) {
    let (shape, fill, style) = match world.node_kind(node) {
        "state" => ("doubleoctagon", "#dde8f7", "filled"),
        "government" => ("box", "#e6ddf7", "filled"),
        "armed_force" => ("box", "#dde8f7", "rounded,filled"),
        "armed_group" => ("ellipse", "#f7e3dd", "filled"),
        "coalition" => ("hexagon", "#f7eedd", "filled"),
        "pmc" => ("diamond", "#eeeeee", "filled"),
        "international_org" | "mission" => ("octagon", "#ddf3f7", "filled"),
        "person" => ("egg", "#ffffff", "filled"),
        "country" | "region" => ("tab", "#fdf8d8", "filled"),
        "town" => ("house", "#fdf8d8", "filled"),
        "base" => ("invhouse", "#fdf8d8", "filled"),
        "site" => ("circle", "#fdf8d8", "filled"),
        "agreement" => ("note", "#f2f2f2", "filled"),
        _ => ("ellipse", "#ffffff", "filled"),
    };
    let label = format!("{}\n({})", world.node_name(node), node.id());
    let _ = writeln!(
        w,
        "{pad}{} [label={}, shape={shape}, style={}, fillcolor={}];",
        quote(&node_key(node)),
        quote(&label),
        quote(style),
        quote(fill)
    );
}

fn write_edge(w: &mut String, world: &World, e: &DatedEdge) {
    let (verb, color, style, directed) = match e.key.kind {
        RelationKind::MemberOf => ("member of", "gray40", "solid", true),
        RelationKind::AlliedWith => ("allied", "forestgreen", "bold", false),
        RelationKind::HostileTo => ("hostile", "red3", "bold", false),
        RelationKind::Controls => ("controls", "blue3", "dashed", true),
        RelationKind::Governs => ("governs", "purple", "bold", true),
        RelationKind::IntervenesIn => ("intervenes in", "darkorange2", "bold", true),
        RelationKind::Signed => ("signed", "gray50", "dashed", true),
    };
    let mut label = verb.to_string();
    if let Some(q) = &e.key.qualifier {
        let q = match e.key.kind {
            RelationKind::AlliedWith => ActorId::new(q.as_str())
                .map(|a| world.node_name(&Node::Actor(a)).to_string())
                .unwrap_or_else(|_| q.clone()),
            _ => q.clone(),
        };
        let _ = write!(label, " ({q})");
    }
    if let Some(since) = e.since {
        let _ = write!(label, "\nsince {since}");
    }
    let style = match e.status {
        EdgeStatus::Valid => style,
        EdgeStatus::Contested => {
            label.push_str("\ncontested");
            style
        }
        EdgeStatus::Uncertain => {
            label.push_str("\nuncertain");
            "dotted"
        }
    };
    let _ = writeln!(
        w,
        "  {} -> {} [label={}, color={color}, fontcolor={color}, style={}{}];",
        quote(&node_key(&e.key.source)),
        quote(&node_key(&e.key.target)),
        quote(&label),
        quote(style),
        if directed { "" } else { ", dir=none" }
    );
}

/// A DOT double-quoted string: quotes and backslashes escaped, line breaks as
/// `\n`, other control characters dropped. Accents pass through (DOT is UTF-8).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting_escapes_quotes_backslashes_and_line_breaks() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("Front \"FLA\""), "\"Front \\\"FLA\\\"\"");
        assert_eq!(quote("a\\nb"), "\"a\\\\nb\"");
        assert_eq!(quote("two\nlines\r"), "\"two\\nlines\"");
        assert_eq!(quote("Tombouctou – Ménaka"), "\"Tombouctou – Ménaka\"");
        assert_eq!(quote("nul\0bell\x07"), "\"nulbell\"");
    }
}
