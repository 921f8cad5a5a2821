//! What a node of the graph exports says of its identity, the same in JSON,
//! GraphML, GEXF and DOT. A set of ids that links join (`same_as` events,
//! or an identifier they share) is one node already: replay moves every
//! relation onto the id the set answers under. That node lists the set's
//! ids (`same_as`, itself included) and bears the identifiers of all of
//! them (`identifiers`, scheme → value).

use std::collections::{BTreeMap, BTreeSet};

use annals_model::Entity;
use annals_replay::{Node, World};

/// Separates the values of one scheme that several ids of a linked set bear
/// (a dataset's actor names may hold spaces and commas, never this).
pub const VALUES_SEPARATOR: &str = " | ";

/// The ids of `node`'s set of linked ids, sorted, itself included; empty when
/// no link joins it (and for agreements, which no link joins).
pub fn same_as<'w>(world: &'w World, node: &Node) -> Vec<&'w str> {
    match node {
        Node::Actor(a) => world.linked_actors(a).iter().map(|id| id.as_str()).collect(),
        Node::Place(p) => world.linked_places(p).iter().map(|id| id.as_str()).collect(),
        Node::Agreement(_) => Vec::new(),
    }
}

/// The identifiers of `node` in other catalogues, scheme → value: those of
/// every id of its linked set. Where the set's ids bear several values of
/// one scheme, they are sorted and joined with [`VALUES_SEPARATOR`].
pub fn identifiers(world: &World, node: &Node) -> BTreeMap<String, String> {
    let entities: Vec<Entity> = match node {
        Node::Actor(a) => {
            let set = world.linked_actors(a);
            if set.is_empty() { vec![a.clone()] } else { set.to_vec() }
                .into_iter()
                .map(Entity::Actor)
                .collect()
        }
        Node::Place(p) => {
            let set = world.linked_places(p);
            if set.is_empty() { vec![p.clone()] } else { set.to_vec() }
                .into_iter()
                .map(Entity::Place)
                .collect()
        }
        Node::Agreement(_) => Vec::new(),
    };
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for entity in &entities {
        for (scheme, value) in world.identifiers(entity) {
            values.entry(scheme).or_default().insert(value);
        }
    }
    values
        .into_iter()
        .map(|(scheme, set)| {
            (scheme.to_string(), set.into_iter().collect::<Vec<_>>().join(VALUES_SEPARATOR))
        })
        .collect()
}

/// The identifier schemes that some node of `nodes` bears, sorted: the XML
/// formats declare one attribute per scheme (`identifiers.SCHEME`).
pub(crate) fn schemes<'n>(world: &World, nodes: impl IntoIterator<Item = &'n Node>) -> Vec<String> {
    let mut all = BTreeSet::new();
    for n in nodes {
        all.extend(identifiers(world, n).into_keys());
    }
    all.into_iter().collect()
}
