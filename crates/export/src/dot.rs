//! The graph as Graphviz DOT, for people: groups drawn as clusters holding their
//! members, one style per relation kind (`style.rs`), node shapes by kind,
//! every label escaped, laid out to be read on a screen.
//!
//! Clusters: a group with members on the day (`member_of`), or a pact named by
//! an alliance (`allied_with` with an `alliance`), becomes `subgraph cluster_…`
//! holding its members. Graphviz draws a node in one cluster only, so a member
//! of several groups sits in the first by id that does not make a cycle; its
//! other memberships stay visible as edges. Groups of groups nest.
//!
//! Layout, left to right (`rankdir=LR`, `newrank`): what a drawing already
//! shows is not said twice, so that edge labels (which Graphviz gives a rank
//! of their own) stay few. A member drawn in its group's cluster joins it by
//! an unlabelled edge, the date on the member (`joined …`); the pairwise
//! alliances of a pact's members drawn in its cluster are the cluster; a
//! place held by one actor is joined to it by an unlabelled edge, the date
//! on the place (`held since …`). An actor holding many places has them
//! staggered over several columns (`minlen`) rather than one long one.
//! Symmetric relations do not rank their ends (`constraint=false`, their
//! labels placed after the layout), except inside one cluster, where
//! Graphviz cannot rank without them, and in graphs too large to read. Names are
//! wrapped; ids and dates are set smaller. A set of ids that links join is
//! one node under the id its answers use, the others listed under it
//! (`= acled:…`), its identifiers in other catalogues in its tooltip. A graph of more than
//! [`LARGE_GRAPH`] nodes carries a comment saying how to draw less.
//!
//! Node ids are those of every graph format ([`crate::node_id`]); a group's
//! cluster is `cluster_` and its id.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use annals_model::{ActorId, Date};
use annals_replay::{DatedEdge, DatedGraph, EdgeStatus, Node, RelationKind, World};

use crate::style::{edge_style, node_style};
use crate::xml::escape;
use crate::{drawn_kind, identity, node_id};

/// Above this many nodes a drawing is large: a comment (and the command
/// line, on standard error) suggests `--around` or `--kind`.
pub const LARGE_GRAPH: usize = 60;

/// Names are wrapped at about this many characters.
const WRAP: usize = 20;

/// A name, qualifier or title longer than this many characters is cut to
/// it, ending in `…`: Graphviz refuses a whole graph over one label of
/// about 16,000 characters, and a drawing cannot show more than a few
/// lines anyway. The full text is in the JSON, GEXF and GraphML exports.
pub const MAX_LABEL: usize = 200;

/// A linked node's label lists at most this many of its other ids.
const SAME_AS_SHOWN: usize = 4;

/// An actor holding more places than this has them over several columns.
const STAGGER_FROM: usize = 8;

/// Symmetric relations rank nothing in a graph of at most this many nodes;
/// in a larger one Graphviz's edge routing fails on them ("triangulation
/// failed"), and they rank their ends like the others.
const UNRANKED_UP_TO: usize = 200;

/// How to draw less of a graph with more than [`LARGE_GRAPH`] nodes.
pub fn large_graph_hint(g: &DatedGraph) -> Option<String> {
    let nodes = g.nodes().len();
    (nodes > LARGE_GRAPH).then(|| {
        format!(
            "{nodes} nodes and {} relations make a large drawing: --around ACTOR [--depth N] draws one actor's neighbourhood, --kind KIND,... some relations only",
            g.edges().len()
        )
    })
}

/// The DOT text of a dated graph; `title` labels the drawing.
pub fn graph_dot(world: &World, g: &DatedGraph, title: &str) -> String {
    let mut out = String::new();
    let w = &mut out;
    w.push_str("digraph annals {\n");
    if let Some(hint) = large_graph_hint(g) {
        let _ = writeln!(w, "  // {hint}");
    }
    let _ = writeln!(
        w,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=16, rankdir=LR, newrank=true, nodesep=0.15, ranksep=0.3];",
        quote(&shorten(title))
    );
    w.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=white, margin=\"0.08,0.04\"];\n");
    w.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");

    let tree = Clusters::of(g);
    let layout = Layout::of(g, &tree);
    for root in tree.children_of(None) {
        write_member(w, world, g, &tree, &layout, root, 1);
    }
    for (i, edge) in g.edges().into_iter().enumerate() {
        if !layout.hidden.contains(&i) {
            write_edge(w, world, &tree, &layout, i, edge);
        }
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
            if let Some(group) = cluster_of(e) {
                for member in members(e) {
                    wanted.entry(member.clone()).or_default().insert(group.clone());
                }
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

    /// Whether `group`'s cluster holds `node` directly.
    fn holds(&self, group: &Node, node: &Node) -> bool {
        self.parent.get(node) == Some(group)
    }
}

/// The group whose cluster an edge asks for: the group of a membership, the
/// pact of an alliance.
fn cluster_of(e: &DatedEdge) -> Option<Node> {
    match (e.key.kind, &e.key.qualifier) {
        (RelationKind::MemberOf, _) => Some(e.key.target.clone()),
        (RelationKind::AlliedWith, Some(pact)) => ActorId::new(pact.as_str()).ok().map(Node::Actor),
        _ => None,
    }
}

/// The ends of an edge that its cluster would hold.
fn members(e: &DatedEdge) -> Vec<&Node> {
    match e.key.kind {
        RelationKind::MemberOf => vec![&e.key.source],
        _ => vec![&e.key.source, &e.key.target],
    }
}

/// What the drawing shows of each edge beyond its style: edges said by the
/// clusters or by a note on a node, and the columns of staggered places.
#[derive(Default)]
struct Layout {
    /// Edges (by index in `DatedGraph::edges`) the clusters already show.
    hidden: BTreeSet<usize>,
    /// Edges drawn without a label: their date is a note on a node.
    unlabelled: BTreeSet<usize>,
    /// A line under a node's name: `joined …`, `held since …`.
    notes: BTreeMap<Node, String>,
    /// `minlen` of the edges to staggered places.
    minlen: BTreeMap<usize, usize>,
    /// Whether symmetric relations may leave their ends unranked.
    unranked: bool,
}

impl Layout {
    fn of(g: &DatedGraph, tree: &Clusters) -> Layout {
        let mut layout =
            Layout { unranked: g.nodes().len() <= UNRANKED_UP_TO, ..Layout::default() };
        let mut joined: BTreeMap<&Node, Date> = BTreeMap::new();
        let mut held: BTreeMap<&Node, Vec<usize>> = BTreeMap::new();
        for (i, e) in g.edges().into_iter().enumerate() {
            if e.status != EdgeStatus::Valid {
                continue;
            }
            let (source, target) = (&e.key.source, &e.key.target);
            let in_cluster =
                cluster_of(e).filter(|c| members(e).iter().all(|m| tree.holds(c, m))).is_some();
            match e.key.kind {
                RelationKind::MemberOf | RelationKind::AlliedWith if in_cluster => {
                    let set = if e.key.kind == RelationKind::MemberOf {
                        &mut layout.unlabelled
                    } else {
                        &mut layout.hidden
                    };
                    set.insert(i);
                    for m in members(e) {
                        if let Some(since) = e.since {
                            let first = joined.entry(m).or_insert(since);
                            if since.earliest() < first.earliest() {
                                *first = since;
                            }
                        }
                    }
                }
                RelationKind::Controls => {
                    layout.unlabelled.insert(i);
                    if let Some(since) = e.since {
                        layout.notes.insert(target.clone(), format!("held since {since}"));
                    }
                    held.entry(source).or_default().push(i);
                }
                _ => {}
            }
        }
        for (node, since) in joined {
            layout.notes.insert(node.clone(), format!("joined {since}"));
        }
        for edges in held.into_values().filter(|list| list.len() > STAGGER_FROM) {
            let columns = edges.len().div_ceil(10).clamp(2, 3);
            for (j, i) in edges.into_iter().enumerate() {
                layout.minlen.insert(i, 1 + j % columns);
            }
        }
        layout
    }
}

fn write_member(
    w: &mut String,
    world: &World,
    g: &DatedGraph,
    tree: &Clusters,
    layout: &Layout,
    node: &Node,
    depth: usize,
) {
    let pad = "  ".repeat(depth);
    if !tree.groups.contains(node) {
        write_node(w, world, layout, node, &pad);
        return;
    }
    let name = world.node_name(node);
    let _ = writeln!(w, "{pad}subgraph {} {{", quote(&format!("cluster_{}", node_id(node))));
    let _ = writeln!(
        w,
        "{pad}  graph [label={}, style=\"rounded,filled\", fillcolor=\"#f4f4f8\", color=\"#7a7a99\", fontsize=12];",
        quote(&wrap(name, 2 * WRAP).join("\n"))
    );
    if g.contains(node) {
        write_node(w, world, layout, node, &format!("{pad}  "));
    }
    for child in tree.children_of(Some(node)) {
        write_member(w, world, g, tree, layout, child, depth + 1);
    }
    let _ = writeln!(w, "{pad}}}");
}

fn write_node(w: &mut String, world: &World, layout: &Layout, node: &Node, pad: &str) {
    let style = node_style(drawn_kind(world, node));
    let mut label: Vec<String> =
        wrap(&shorten(world.node_name(node)), WRAP).iter().map(|l| escape(l)).collect();
    label.push(format!("<FONT POINT-SIZE=\"9\">({})</FONT>", escape(node.id())));
    // A set of linked ids is one node: the others under its own id.
    let others: Vec<&str> =
        identity::same_as(world, node).into_iter().filter(|id| *id != node.id()).collect();
    for id in others.iter().take(SAME_AS_SHOWN) {
        label.push(format!("<FONT POINT-SIZE=\"9\">= {}</FONT>", escape(&shorten(id))));
    }
    if others.len() > SAME_AS_SHOWN {
        let more = others.len() - SAME_AS_SHOWN;
        label.push(format!("<FONT POINT-SIZE=\"9\">= {more} other ids</FONT>"));
    }
    if let Some(note) = layout.notes.get(node) {
        label.push(format!("<FONT POINT-SIZE=\"9\" COLOR=\"#555555\">{}</FONT>", escape(note)));
    }
    let peripheries = match style.peripheries {
        1 => String::new(),
        n => format!(", peripheries={n}"),
    };
    let ids: Vec<String> =
        identity::identifiers(world, node).into_iter().map(|(k, v)| format!("{k} {v}")).collect();
    let tooltip = match ids.is_empty() {
        true => String::new(),
        false => format!(", tooltip={}", quote(&shorten(&ids.join("; ")))),
    };
    let _ = writeln!(
        w,
        "{pad}{} [label=<{}>, shape={}, style={}, fillcolor={}{peripheries}{tooltip}];",
        quote(&node_id(node)),
        label.join("<BR/>"),
        style.dot_shape,
        quote(style.dot_style),
        quote(&style.fill.hex())
    );
}

fn write_edge(
    w: &mut String,
    world: &World,
    tree: &Clusters,
    layout: &Layout,
    i: usize,
    e: &DatedEdge,
) {
    let style = edge_style(e.key.kind, Some(e.status));
    // A symmetric relation does not rank its ends, except inside a cluster,
    // which Graphviz cannot rank without the edges in it.
    let (a, b) = (tree.parent.get(&e.key.source), tree.parent.get(&e.key.target));
    let unranked = layout.unranked && !style.directed && (a.is_none() || a != b);
    let mut attrs = Vec::new();
    if !layout.unlabelled.contains(&i) {
        // An edge that ranks nothing gets its label placed after the layout
        // (`xlabel`): a label of its own rank fails Graphviz's ranking
        // ("trouble in init_rank") when clusters are about.
        let key = if unranked { "xlabel" } else { "label" };
        attrs.push(format!("{key}={}", quote(&edge_label(world, e, style.verb))));
    }
    let color = quote(&style.color.hex());
    attrs.push(format!("color={color}, fontcolor={color}"));
    let line = if style.bold { "bold" } else { style.line };
    attrs.push(format!("style={}", quote(line)));
    if !style.directed {
        attrs.push("dir=none".to_string());
    }
    if unranked {
        attrs.push("constraint=false".to_string());
    }
    if let Some(minlen) = layout.minlen.get(&i) {
        attrs.push(format!("minlen={minlen}"));
    }
    let _ = writeln!(
        w,
        "  {} -> {} [{}];",
        quote(&node_id(&e.key.source)),
        quote(&node_id(&e.key.target)),
        attrs.join(", ")
    );
}

/// `verb (qualifier)`, wrapped, then `since …` and the status if not valid.
fn edge_label(world: &World, e: &DatedEdge, verb: &str) -> String {
    let mut label = verb.to_string();
    if let Some(q) = &e.key.qualifier {
        let q = match e.key.kind {
            RelationKind::AlliedWith => ActorId::new(q.as_str())
                .map(|a| world.node_name(&Node::Actor(a)).to_string())
                .unwrap_or_else(|_| q.clone()),
            _ => q.clone(),
        };
        let _ = write!(label, " ({})", shorten(&q));
    }
    let mut lines = wrap(&label, WRAP + 4);
    if let Some(since) = e.since {
        lines.push(format!("since {since}"));
    }
    match e.status {
        EdgeStatus::Valid => {}
        other => lines.push(other.as_str().to_string()),
    }
    lines.join("\n")
}

/// Text cut into lines of about `width` characters at spaces (a longer word
/// stays whole); line breaks in the text are kept.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for part in text.split('\n') {
        let mut line = String::new();
        for word in part.split(' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
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
            c if crate::xml::forbidden(c) => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` cut to [`MAX_LABEL`] characters, the last one `…`, if longer.
fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_LABEL) {
        None => text.into(),
        Some(_) => {
            let cut = text.char_indices().nth(MAX_LABEL - 1).map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..cut]).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{quote, shorten, wrap, MAX_LABEL};

    #[test]
    fn quoting_escapes_quotes_backslashes_and_line_breaks() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("Front \"FLA\""), "\"Front \\\"FLA\\\"\"");
        assert_eq!(quote("a\\nb"), "\"a\\\\nb\"");
        assert_eq!(quote("two\nlines\r"), "\"two\\nlines\"");
        assert_eq!(quote("Tombouctou – Ménaka"), "\"Tombouctou – Ménaka\"");
        assert_eq!(quote("nul\0bell\x07"), "\"nulbell\"");
        assert_eq!(quote("not\u{FFFE}xml\u{FFFF}"), "\"notxml\"");
    }

    #[test]
    fn labels_are_cut_to_the_maximum_with_an_ellipsis() {
        assert_eq!(shorten("short"), "short");
        let exact = "é".repeat(MAX_LABEL);
        assert_eq!(shorten(&exact), exact);
        let name = "é".repeat(16_001);
        let long = shorten(&name);
        assert_eq!(long.chars().count(), MAX_LABEL);
        assert!(long.ends_with("é…"));
    }

    #[test]
    fn names_wrap_at_spaces_and_keep_their_line_breaks() {
        assert_eq!(
            wrap("Permanent Strategic Framework for Peace", 20),
            ["Permanent Strategic", "Framework for Peace"]
        );
        assert_eq!(wrap("a\nb  c", 20), ["a", "b c"]);
        assert_eq!(wrap("Supercalifragilistic word", 5), ["Supercalifragilistic", "word"]);
    }
}
