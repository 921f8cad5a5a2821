//! The changes a diff would hide: a relation that begins and ends within
//! one settled group of events (a camp taken and left the same day), and
//! changes undone by later ones within the window (marked `cancelled`).

use std::collections::{BTreeMap, BTreeSet};

use annals_model::ActorId;
use chrono::NaiveDate;

use super::sweep::Transition;
use crate::control::groups;
use crate::facts::Fact;
use crate::relations::{Node, RelationKey, RelationKind};
use crate::world::World;

impl World {
    /// The relations that began and ended within one settled group of
    /// events in `(from, to]`: an actor that took and gave up a place (or
    /// opened and closed a relation) in events of one date. Each is a
    /// `began` and an `ended` transition on the group's settling day, unless
    /// `turned` already holds a change of that relation on that day. The
    /// opening shown is the best attested (confirmed first), then the
    /// smallest id; so is the closing.
    pub(crate) fn passing(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        turned: &BTreeSet<(&RelationKey, NaiveDate)>,
    ) -> Vec<Transition> {
        let mut out = Vec::new();
        let mut scan = |facts: &[Fact], key: &dyn Fn(&ActorId) -> Option<RelationKey>| {
            for group in groups(facts) {
                let day = facts[group.start].latest;
                if day <= from || day > to {
                    continue;
                }
                // Per actor: its best opening and its best closing in the group.
                let mut ends: BTreeMap<&ActorId, [Option<u32>; 2]> = BTreeMap::new();
                for f in &facts[group] {
                    let slot = &mut ends.entry(&f.actor).or_default()[usize::from(!f.taken)];
                    if slot.is_none_or(|r| self.attested(f.record) < self.attested(r)) {
                        *slot = Some(f.record);
                    }
                }
                for (actor, [opened, closed]) in ends {
                    let (Some(opened), Some(closed), Some(key)) = (opened, closed, key(actor))
                    else {
                        continue;
                    };
                    if turned.contains(&(&key, day)) {
                        continue;
                    }
                    for (record, began) in [(opened, true), (closed, false)] {
                        let e = &self.kept[record as usize];
                        out.push(Transition {
                            key: key.clone(),
                            began,
                            settled: day,
                            event: e.id.clone(),
                            date: e.date.expect("timeline facts are dated"),
                            claim: e.claim,
                            sources: self.cited(e).to_vec(),
                            cancelled: true,
                        });
                    }
                }
            }
        };
        let holder_key = |kind, target: Node| {
            move |actor: &ActorId| {
                Some(RelationKey {
                    kind,
                    source: Node::Actor(actor.clone()),
                    target: target.clone(),
                    qualifier: None,
                })
            }
        };
        for (place, facts) in self.control.iter() {
            scan(facts, &holder_key(RelationKind::Controls, Node::Place(place.clone())));
        }
        for (state, facts) in self.governments.iter() {
            scan(facts, &holder_key(RelationKind::Governs, Node::Actor(state.clone())));
        }
        for (_, relation) in self.temporal.relations() {
            if !matches!(relation.key.kind, RelationKind::Controls | RelationKind::Governs) {
                scan(&relation.facts, &|_| Some(relation.key.clone()));
            }
        }
        out
    }

    /// How well an event is attested, best first: its claim, then its id.
    fn attested(&self, record: u32) -> (annals_model::Claim, &str) {
        let k = &self.kept[record as usize];
        (k.claim, k.id.as_str())
    }
}

/// Marks the changes whose effect a later change of the same relation
/// within the window undoes: changes of one relation alternate (began,
/// ended, began, ...), so with an even count every one is undone, and with
/// an odd count all but the last. A pair found by [`World::passing`] is
/// undone already.
pub(crate) fn mark_cancelled(changes: &mut [Transition]) {
    let mut by_key: BTreeMap<&RelationKey, Vec<usize>> = BTreeMap::new();
    for (i, t) in changes.iter().enumerate() {
        if !t.cancelled {
            by_key.entry(&t.key).or_default().push(i);
        }
    }
    let mut undone = Vec::new();
    for (_, mut list) in by_key {
        list.sort_by_key(|&i| (changes[i].settled, !changes[i].began));
        let keep = list.len() % 2;
        undone.extend_from_slice(&list[..list.len() - keep]);
    }
    for i in undone {
        changes[i].cancelled = true;
    }
}
