//! Links, applied: the sets of ids that `same_as` events and shared
//! identifiers join ([`World::build_sets`]), then every timeline and
//! relation of a set's ids moved under its representative
//! ([`World::join_sets`]). Dissolutions are applied between the two, so
//! that a dissolution of one id ends what every id of its set holds.

use annals_model::{Entity, EventId, Linked, RefKind};

use super::{Anomaly, World};
use crate::links::{self, Sets};

impl World {
    /// Finds the sets of ids that live `same_as` events and shared
    /// identifiers link (ids that name nothing are left out).
    pub(super) fn build_sets(&mut self) {
        let (mut actors, mut places) = (Vec::new(), Vec::new());
        for (i, linked) in std::mem::take(&mut self.same_as) {
            if self.retracted.contains_key(&self.kept[i].id) {
                continue;
            }
            match linked {
                Linked::Actors(ids) => actors.push(
                    ids.into_iter().filter(|a| self.ids.is(RefKind::Actor, a.as_str())).collect(),
                ),
                Linked::Places(ids) => places.push(
                    ids.into_iter().filter(|p| self.ids.is(RefKind::Place, p.as_str())).collect(),
                ),
            }
        }
        for (i, entity, ids) in std::mem::take(&mut self.identifier_events) {
            let known = match &entity {
                Entity::Actor(a) => self.ids.is(RefKind::Actor, a.as_str()),
                Entity::Place(p) => self.ids.is(RefKind::Place, p.as_str()),
            };
            if known && !self.retracted.contains_key(&self.kept[i].id) {
                self.identifiers.entry(entity).or_default().extend(ids);
            }
        }
        for all in self.identifiers.values_mut() {
            all.sort();
            all.dedup();
        }
        let (shared_actors, shared_places) =
            links::shared_identifiers(self.identifiers.iter().map(|(e, ids)| (e, ids.as_slice())));
        actors.extend(shared_actors);
        places.extend(shared_places);
        self.actor_sets = Sets::build(actors.iter().map(Vec::as_slice));
        self.place_sets = Sets::build(places.iter().map(Vec::as_slice));
    }

    /// Joins the ids of each set ([`World::build_sets`]): from here on,
    /// every timeline and relation of a set's ids is kept under its
    /// representative.
    pub(super) fn join_sets(&mut self) {
        if self.actor_sets.is_empty() && self.place_sets.is_empty() {
            return;
        }
        let (a, p) = (&self.actor_sets, &self.place_sets);
        self.control.merge_keys(|k| p.representative(k).clone());
        links::merge_keys(&mut self.timeline, |k| p.representative(k).clone());
        self.governments.merge_keys(|k| a.representative(k).clone());
        links::merge_keys(&mut self.state_timeline, |k| a.representative(k).clone());
        let facts = self.control.values_mut().chain(self.governments.values_mut());
        links::rename_actors(facts.flatten(), a);
        // One event may have given a fact to several ids of a set (a
        // dissolution closes every place its actor held): once joined,
        // it counts once.
        let timelines = self.timeline.values_mut().chain(self.state_timeline.values_mut());
        timelines.for_each(|list| {
            list.sort_unstable();
            list.dedup();
        });
        let facts = self.control.values_mut().chain(self.governments.values_mut());
        facts.for_each(links::dedup_facts);
        for (key, facts) in links::merge_relations(&mut self.relation_facts, a, p) {
            let mut ids: Vec<&EventId> =
                facts.iter().map(|f| &self.kept[f.record as usize].id).collect();
            ids.sort();
            ids.dedup();
            let relation = format!("{} {} → {}", key.kind, key.source, key.target);
            for id in ids {
                let event = id.clone();
                self.anomalies.push(Anomaly::RelatesLinked { event, relation: relation.clone() });
            }
        }
        self.relation_facts.values_mut().for_each(links::dedup_facts);
    }
}
