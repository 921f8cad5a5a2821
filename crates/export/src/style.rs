//! How nodes and edges look, in one place, so that Graphviz DOT and the
//! `viz:` elements of GEXF (and the colour keys of GraphML) draw them alike.

use annals_replay::{EdgeStatus, RelationKind};

/// A colour as red, green and blue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// How a node of one kind is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeStyle {
    /// The Graphviz shape.
    pub dot_shape: &'static str,
    /// The Graphviz `style`.
    pub dot_style: &'static str,
    /// How many outlines Graphviz draws.
    pub peripheries: u8,
    pub fill: Rgb,
    /// The closest of GEXF's node shapes (`disc`, `square`, `triangle`, `diamond`).
    pub viz_shape: &'static str,
}

/// The style of a node of kind `kind` (an actor's or place's kind, or `agreement`).
pub fn node_style(kind: &str) -> NodeStyle {
    let (dot_shape, fill, viz_shape) = match kind {
        "state" => ("doubleoctagon", Rgb(0xdd, 0xe8, 0xf7), "square"),
        "government" => ("box", Rgb(0xe6, 0xdd, 0xf7), "square"),
        "armed_force" => ("box", Rgb(0xdd, 0xe8, 0xf7), "square"),
        "armed_group" => ("ellipse", Rgb(0xf7, 0xe3, 0xdd), "disc"),
        "coalition" => ("hexagon", Rgb(0xf7, 0xee, 0xdd), "diamond"),
        "pmc" => ("diamond", Rgb(0xee, 0xee, 0xee), "diamond"),
        "international_org" | "mission" => ("octagon", Rgb(0xdd, 0xf3, 0xf7), "diamond"),
        "person" => ("egg", Rgb(0xff, 0xff, 0xff), "disc"),
        "country" | "region" => ("tab", Rgb(0xfd, 0xf8, 0xd8), "triangle"),
        // Boxes, not houses or circles: they fit a wrapped label closely.
        "town" => ("folder", Rgb(0xfd, 0xf8, 0xd8), "triangle"),
        "base" | "site" => ("box", Rgb(0xfd, 0xf8, 0xd8), "triangle"),
        "agreement" => ("note", Rgb(0xf2, 0xf2, 0xf2), "square"),
        _ => ("ellipse", Rgb(0xff, 0xff, 0xff), "disc"),
    };
    let dot_style =
        if matches!(kind, "armed_force" | "site") { "rounded,filled" } else { "filled" };
    // A base is a box with a double wall.
    let peripheries = if kind == "base" { 2 } else { 1 };
    NodeStyle { dot_shape, dot_style, peripheries, fill, viz_shape }
}

/// How an edge of one relation kind is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeStyle {
    /// The words of a label: `member of`, `controls`, ...
    pub verb: &'static str,
    pub color: Rgb,
    /// `solid`, `dashed` or `dotted` (GEXF's edge shapes and Graphviz styles alike).
    pub line: &'static str,
    /// Drawn thicker (Graphviz `bold`).
    pub bold: bool,
    /// Drawn with an arrow.
    pub directed: bool,
}

impl EdgeStyle {
    /// The line width: Graphviz's `bold` is twice the default.
    pub fn thickness(&self) -> f32 {
        if self.bold {
            2.0
        } else {
            1.0
        }
    }
}

/// The style of an edge of `kind` with `status`: an uncertain edge is dotted.
pub fn edge_style(kind: RelationKind, status: Option<EdgeStatus>) -> EdgeStyle {
    let (verb, color, line, bold, directed) = match kind {
        RelationKind::MemberOf => ("member of", Rgb(0x66, 0x66, 0x66), "solid", false, true),
        RelationKind::AlliedWith => ("allied", Rgb(0x22, 0x8b, 0x22), "solid", true, false),
        RelationKind::HostileTo => ("hostile", Rgb(0xcd, 0x00, 0x00), "solid", true, false),
        RelationKind::Controls => ("controls", Rgb(0x00, 0x00, 0xcd), "dashed", false, true),
        RelationKind::Governs => ("governs", Rgb(0xa0, 0x20, 0xf0), "solid", true, true),
        RelationKind::IntervenesIn => ("intervenes in", Rgb(0xee, 0x76, 0x00), "solid", true, true),
        RelationKind::Signed => ("signed", Rgb(0x7f, 0x7f, 0x7f), "dashed", false, true),
    };
    let uncertain = status == Some(EdgeStatus::Uncertain);
    EdgeStyle {
        verb,
        color,
        line: if uncertain { "dotted" } else { line },
        bold: bold && !uncertain,
        directed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_written_as_hex_and_uncertain_edges_are_dotted() {
        assert_eq!(Rgb(0, 0x8b, 0xff).hex(), "#008bff");
        let valid = edge_style(RelationKind::HostileTo, Some(EdgeStatus::Valid));
        assert_eq!((valid.line, valid.thickness(), valid.directed), ("solid", 2.0, false));
        let uncertain = edge_style(RelationKind::HostileTo, Some(EdgeStatus::Uncertain));
        assert_eq!((uncertain.line, uncertain.thickness()), ("dotted", 1.0));
        assert_eq!(node_style("town").viz_shape, "triangle");
        assert_eq!(node_style("no-such-kind").dot_shape, "ellipse");
    }
}
