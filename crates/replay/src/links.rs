//! Links: which ids name one actor, or one place.
//!
//! `same_as` events join ids into sets (a link of `a`, `b` and one of `b`,
//! `c` make one set of three). Each set answers under one of its ids, its
//! representative: the first by [`rank`], so that the choice depends on the
//! set alone, never on the order of the log. Ids that no link joins answer
//! for themselves and cost nothing here.

use std::borrow::Borrow;
use std::hash::Hash;

use annals_model::{ActorId, Entity, PlaceId};
use hashbrown::HashMap;

use crate::facts::Fact;
use crate::relations::{Node, RelationKey};

/// The sets of linked ids of one kind (actors, or places).
#[derive(Clone, Debug)]
pub(crate) struct Sets<T> {
    /// Every linked id → the representative of its set.
    representative: HashMap<T, T>,
    /// Representative → the ids of its set, sorted.
    members: HashMap<T, Vec<T>>,
}

impl<T> Default for Sets<T> {
    fn default() -> Self {
        Sets { representative: HashMap::new(), members: HashMap::new() }
    }
}

impl<T: Clone + Eq + Hash + Ord + Borrow<str>> Sets<T> {
    /// The sets that `links` (each a list of ids said to be one) make.
    pub(crate) fn build<'a>(links: impl IntoIterator<Item = &'a [T]>) -> Sets<T>
    where
        T: 'a,
    {
        let mut parent: HashMap<T, T> = HashMap::new();
        for link in links {
            let Some((first, rest)) = link.split_first() else { continue };
            for other in rest {
                let (a, b) = (root(&mut parent, first), root(&mut parent, other));
                if a != b {
                    parent.insert(a, b);
                }
            }
        }
        let ids: Vec<T> = parent.keys().cloned().collect();
        let mut members: HashMap<T, Vec<T>> = HashMap::new();
        for id in ids {
            let r = root(&mut parent, &id);
            members.entry(r).or_default().push(id);
        }
        let mut sets = Sets::default();
        for (_, mut set) in members {
            set.sort();
            set.dedup();
            if set.len() < 2 {
                continue;
            }
            let rep = set.iter().min_by(|a, b| rank(*a).cmp(&rank(*b))).expect("non-empty").clone();
            for id in &set {
                sets.representative.insert(id.clone(), rep.clone());
            }
            sets.members.insert(rep, set);
        }
        sets
    }

    /// The id `id`'s set answers under (`id` itself when no link joins it).
    pub(crate) fn representative<'a>(&'a self, id: &'a T) -> &'a T {
        self.representative.get(id).unwrap_or(id)
    }

    /// The ids of `id`'s set, sorted; empty when no link joins `id`.
    pub(crate) fn set_of(&self, id: &T) -> &[T] {
        self.members.get(self.representative(id)).map_or(&[], Vec::as_slice)
    }

    /// Whether no link joins any id.
    pub(crate) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// The links that shared identifiers make: for each (scheme, value) that
/// several actors (or several places) bear, one link of them all.
pub(crate) fn shared_identifiers<'a>(
    identifiers: impl IntoIterator<Item = (&'a Entity, &'a [(String, String)])>,
) -> (Vec<Vec<ActorId>>, Vec<Vec<PlaceId>>) {
    let mut bearers: HashMap<(bool, &str, &str), Vec<&Entity>> = HashMap::new();
    for (entity, ids) in identifiers {
        let is_actor = matches!(entity, Entity::Actor(_));
        for (scheme, value) in ids {
            bearers.entry((is_actor, scheme, value)).or_default().push(entity);
        }
    }
    let (mut actors, mut places) = (Vec::new(), Vec::new());
    for entities in bearers.into_values().filter(|e| e.len() > 1) {
        let mut a = Vec::new();
        let mut p = Vec::new();
        for e in entities {
            match e {
                Entity::Actor(id) => a.push(id.clone()),
                Entity::Place(id) => p.push(id.clone()),
            }
        }
        if a.len() > 1 {
            actors.push(a);
        }
        if p.len() > 1 {
            places.push(p);
        }
    }
    (actors, places)
}

/// Moves every list of `map` under its key's representative (`rep`),
/// joining the lists of one set's ids.
pub(crate) fn merge_keys<K: Clone + Eq + Hash, V>(
    map: &mut HashMap<K, Vec<V>>,
    rep: impl Fn(&K) -> K,
) {
    let old = std::mem::take(map);
    for (key, mut list) in old {
        map.entry(rep(&key)).or_default().append(&mut list);
    }
}

/// Keeps one of the facts that one event gave under several ids now joined
/// (same record, same change, same actor), in their order.
pub(crate) fn dedup_facts(facts: &mut Vec<Fact>) {
    let mut seen = hashbrown::HashSet::new();
    facts.retain(|f| seen.insert((f.record, f.taken, f.actor.clone())));
}

/// Names each fact's actor by its set's representative.
pub(crate) fn rename_actors<'f>(
    facts: impl IntoIterator<Item = &'f mut Fact>,
    actors: &Sets<ActorId>,
) {
    for fact in facts {
        let rep = actors.representative(&fact.actor);
        if *rep != fact.actor {
            fact.actor = rep.clone();
        }
    }
}

/// Moves every relation onto its ends' representatives, joining the facts
/// of relations that become one. A relation whose two ends a link makes
/// one (an alliance of an actor with itself) is taken out and returned.
pub(crate) fn merge_relations(
    relations: &mut HashMap<RelationKey, Vec<Fact>>,
    actors: &Sets<ActorId>,
    places: &Sets<PlaceId>,
) -> Vec<(RelationKey, Vec<Fact>)> {
    let node = |n: &Node| match n {
        Node::Actor(a) => Node::Actor(actors.representative(a).clone()),
        Node::Place(p) => Node::Place(places.representative(p).clone()),
        Node::Agreement(a) => Node::Agreement(a.clone()),
    };
    let mut dropped = Vec::new();
    for (key, mut facts) in std::mem::take(relations) {
        let (mut source, mut target) = (node(&key.source), node(&key.target));
        if source == target {
            dropped.push((key, facts));
            continue;
        }
        if !key.kind.is_directed() && source > target {
            std::mem::swap(&mut source, &mut target);
        }
        if let Node::Actor(a) = &source {
            for fact in &mut facts {
                fact.actor = a.clone();
            }
        }
        let key = RelationKey { kind: key.kind, source, target, qualifier: key.qualifier };
        relations.entry(key).or_default().append(&mut facts);
    }
    dropped
}

/// The root of `id`'s tree, halving the path on the way.
fn root<T: Clone + Eq + Hash>(parent: &mut HashMap<T, T>, id: &T) -> T {
    let mut x = id.clone();
    loop {
        let p = parent.entry(x.clone()).or_insert_with(|| x.clone()).clone();
        if p == x {
            return x;
        }
        let grand = parent.get(&p).cloned().unwrap_or_else(|| p.clone());
        parent.insert(x, grand.clone());
        x = grand;
    }
}

/// The order in which a set's ids are preferred as its representative: an
/// id of the historian's own (no dataset prefix such as `acled:`) before a
/// dataset's, then the shorter, then the first alphabetically.
pub(crate) fn rank<T: Borrow<str>>(id: &T) -> (bool, usize, &str) {
    let id = id.borrow();
    (id.contains(':'), id.len(), id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(links: &[&[&str]]) -> Sets<String> {
        let owned: Vec<Vec<String>> =
            links.iter().map(|l| l.iter().map(|s| s.to_string()).collect()).collect();
        Sets::build(owned.iter().map(Vec::as_slice))
    }

    #[test]
    fn links_that_share_an_id_make_one_set_under_the_historians_own_id() {
        let s = sets(&[&["acled:bamba", "bamba"], &["ucdp:bamba", "acled:bamba"], &["x", "y"]]);
        let bamba = "bamba".to_string();
        assert_eq!(s.representative(&"ucdp:bamba".to_string()), &bamba);
        assert_eq!(s.set_of(&"acled:bamba".to_string()), ["acled:bamba", "bamba", "ucdp:bamba"]);
        assert_eq!(s.representative(&"y".to_string()), "x");
        assert_eq!(s.representative(&"z".to_string()), "z");
        assert!(s.set_of(&"z".to_string()).is_empty());
    }

    #[test]
    fn the_sets_do_not_depend_on_the_order_of_the_links() {
        let a = sets(&[&["c", "d"], &["a", "b"], &["b", "c"]]);
        let b = sets(&[&["b", "c"], &["d", "c"], &["b", "a"]]);
        for id in ["a", "b", "c", "d"] {
            let id = id.to_string();
            assert_eq!(a.representative(&id), b.representative(&id));
            assert_eq!(a.set_of(&id), b.set_of(&id));
        }
    }
}
