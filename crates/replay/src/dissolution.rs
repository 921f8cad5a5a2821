//! Actors that end (`actor_dissolved`): from its dissolution an actor holds
//! no place and no government, and none of its relations holds.
//!
//! Replay turns each dissolution that is not retracted into closing facts,
//! dated by the dissolution, on every timeline the actor has a fact on
//! before it: a loss on each place's control and each state's government
//! timeline, and a closing fact on each of its relations (memberships
//! either way, alliances, hostilities, interventions, signatures); a
//! dissolved state is governed by no one from then on. With
//! `into`, each place and state also gets a take by the successor that
//! counts only if the dissolved actor holds it at that point (the fold in
//! `control.rs` checks this): a merger hands over what the merged group
//! held, and nothing it had already lost. Relations do not pass on. The
//! ids that links join are one actor: the dissolution of any of them ends
//! what every id of the set holds, and an heir is judged by its set.
//!
//! A closing fact carries the dissolution's date, so an uncertain
//! dissolution ("2013") is uncertain over its window, like any other event.
//! Facts of the actor that come after the dissolution on a timeline (dated
//! later: beginning after the dissolution's window begins, or beginning with
//! it and ending later) count for nothing and are reported
//! ([`Anomaly::AfterDissolution`]): a dissolved actor cannot take, ally or
//! fight, and an event that says it did is a mistake to look at, not a fact
//! to show as live. (A seizure dated "2013-06" by a group dissolved "in
//! 2013" is such an event: date the dissolution more finely, or the
//! seizure more coarsely.) Only events that begin after the dissolution
//! are set aside, so events yet to come never change the past.
//!
//! Dissolutions are applied in date order (then by id), so that a successor
//! that itself dissolves later hands on what it inherited; everything is
//! decided once every event is in, so the order of the log does not matter.

use std::collections::BTreeSet;

use annals_model::{ActorId, Claim, Date, EventId, SourceId};
use chrono::NaiveDate;

use crate::facts::{Dissolved, Fact, Kept};
use crate::relations::{Node, RelationKey, RelationKind};
use crate::world::{Anomaly, World};

/// An actor's dissolution, as an answer shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Dissolution {
    pub actor: ActorId,
    /// The actor it merged into, if any.
    pub into: Option<ActorId>,
    pub event: EventId,
    pub date: Date,
    pub claim: Claim,
    pub claimed_by: Option<ActorId>,
    pub sources: Vec<SourceId>,
}

/// A dissolution being applied, with its valid-time window.
struct Closing<'a> {
    d: &'a Dissolved,
    earliest: NaiveDate,
    latest: NaiveDate,
}

impl World {
    /// Applies every live dissolution (see the module's documentation).
    /// Called once the retractions are known, before relations are built.
    pub(crate) fn apply_dissolutions(&mut self) {
        if self.dissolutions.is_empty() {
            return;
        }
        let mut list: Vec<Dissolved> = std::mem::take(&mut self.dissolutions);
        {
            let (kept, retracted) = (&self.kept, &self.retracted);
            list.retain(|d| !retracted.contains_key(&kept[d.record as usize].id));
            list.sort_by(|a, b| {
                let (x, y) = (&kept[a.record as usize], &kept[b.record as usize]);
                let date = |k: &Kept| k.date.map(|d| (d.earliest(), d.latest()));
                (date(x), &x.id).cmp(&(date(y), &y.id))
            });
        }
        let mut dropped: BTreeSet<(u32, usize)> = BTreeSet::new();
        for (n, d) in list.iter().enumerate() {
            let kept = &self.kept;
            let Some(date) = kept[d.record as usize].date else { continue };
            let window = Closing { d, earliest: date.earliest(), latest: date.latest() };
            // A successor dissolved before cannot inherit.
            let when = (date.earliest(), date.latest());
            let sets = &self.actor_sets;
            let heir = d.into.as_ref().filter(|s| {
                let heir = sets.representative(s);
                !list[..n].iter().any(|p| {
                    sets.representative(&p.actor) == heir
                        && kept[p.record as usize]
                            .date
                            .is_some_and(|pd| (pd.earliest(), pd.latest()) < when)
                })
            });
            if d.into.is_some() && heir.is_none() {
                dropped.insert((d.record, n));
            }
            self.close_holdings(&window, heir, &mut dropped, n);
            self.close_relations(&window, &mut dropped, n);
        }
        for (record, n) in dropped {
            let d = &list[n];
            let actor = if record == d.record {
                d.into.clone().expect("only a successor dissolved before is reported so")
            } else {
                d.actor.clone()
            };
            self.anomalies.push(Anomaly::AfterDissolution {
                event: self.kept[record as usize].id.clone(),
                actor,
                dissolution: self.kept[d.record as usize].id.clone(),
            });
        }
        for d in list {
            self.dissolved.entry(d.actor.clone()).or_default().push(d);
        }
    }

    /// Ends the actor's holdings on every place and state it has a fact on.
    fn close_holdings(
        &mut self,
        c: &Closing<'_>,
        heir: Option<&ActorId>,
        dropped: &mut BTreeSet<(u32, usize)>,
        n: usize,
    ) {
        let (kept, retracted, sets) = (&self.kept, &self.retracted, &self.actor_sets);
        let live = |f: &Fact| !retracted.contains_key(&kept[f.record as usize].id);
        let actor = &c.d.actor;
        // Every id linked with the actor is the actor: its holdings end too.
        let rep = sets.representative(actor);
        let is_actor = |a: &ActorId| sets.representative(a) == rep;
        let mut inherited: Vec<(RelationKind, Node, Fact)> = Vec::new();
        // The places and states whose timeline the dissolution joins.
        let mut touched: Vec<Node> = Vec::new();
        let timelines = self
            .control
            .iter_mut()
            .map(|(p, facts)| (RelationKind::Controls, Node::Place(p.clone()), facts))
            .chain(
                self.governments
                    .iter_mut()
                    .map(|(s, facts)| (RelationKind::Governs, Node::Actor(s.clone()), facts)),
            );
        for (kind, target, facts) in timelines {
            if matches!(&target, Node::Actor(s) if is_actor(s)) {
                continue; // its own government: below
            }
            if !drop_after(facts, |f| is_actor(&f.actor), c, &live, dropped, n) {
                continue;
            }
            let loss = Fact {
                earliest: c.earliest,
                latest: c.latest,
                taken: false,
                inherits: false,
                actor: actor.clone(),
                record: c.d.record,
            };
            facts.push(loss.clone());
            touched.push(target.clone());
            if let Some(heir) = heir {
                let take = Fact { taken: true, inherits: true, actor: heir.clone(), ..loss };
                facts.push(take.clone());
                inherited.push((kind, target, take));
            }
        }
        // A dissolved state is governed by no one from then on.
        let own = self.governments.iter_mut().filter(|(s, _)| is_actor(s));
        for (state, facts) in own {
            if drop_after(facts, |_| true, c, &live, dropped, n) {
                touched.push(Node::Actor(state.clone()));
                let rulers: BTreeSet<ActorId> =
                    facts.iter().filter(|f| live(f)).map(|f| f.actor.clone()).collect();
                for ruler in rulers {
                    facts.push(Fact {
                        earliest: c.earliest,
                        latest: c.latest,
                        taken: false,
                        inherits: false,
                        actor: ruler,
                        record: c.d.record,
                    });
                }
            }
        }
        // The actor's own `controls` and `governs` relations lose the facts
        // dropped from the timelines; its successor's gain the inherited takes.
        let gone = |n: &Node| matches!(n, Node::Actor(a) if is_actor(a));
        for (key, facts) in self.relation_facts.iter_mut() {
            if matches!(key.kind, RelationKind::Controls | RelationKind::Governs)
                && (gone(&key.source) || gone(&key.target))
            {
                facts.retain(|f| !dropped.contains(&(f.record, n)));
            }
        }
        // Histories show the dissolution where it changed (or may have
        // changed) who holds.
        for node in touched {
            match node {
                Node::Place(p) => self.timeline.entry(p).or_default().push(c.d.record),
                Node::Actor(s) => self.state_timeline.entry(s).or_default().push(c.d.record),
                Node::Agreement(_) => {}
            }
        }
        for (kind, target, take) in inherited {
            let key = RelationKey {
                kind,
                source: Node::Actor(take.actor.clone()),
                target,
                qualifier: None,
            };
            self.relation_facts.entry(key).or_default().push(take);
        }
    }

    /// Ends every relation the actor is an end of, other than `controls`
    /// and `governs` (which follow its timelines).
    fn close_relations(&mut self, c: &Closing<'_>, dropped: &mut BTreeSet<(u32, usize)>, n: usize) {
        let (kept, retracted, sets) = (&self.kept, &self.retracted, &self.actor_sets);
        let live = |f: &Fact| !retracted.contains_key(&kept[f.record as usize].id);
        let rep = sets.representative(&c.d.actor);
        let is_actor = |n: &Node| matches!(n, Node::Actor(a) if sets.representative(a) == rep);
        for (key, facts) in self.relation_facts.iter_mut() {
            if matches!(key.kind, RelationKind::Controls | RelationKind::Governs)
                || (!is_actor(&key.source) && !is_actor(&key.target))
            {
                continue;
            }
            if !drop_after(facts, |_| true, c, &live, dropped, n) {
                continue;
            }
            // Only a relation that was opened needs closing (a closing of
            // nothing would be reported as such).
            if !facts.iter().any(|f| f.taken && live(f)) {
                continue;
            }
            let Node::Actor(source) = &key.source else { continue };
            let date = kept[c.d.record as usize].date.expect("dissolutions are dated");
            facts.push(Fact::new(date, false, source, c.d.record));
        }
    }

    /// The live dissolutions of `actor`, earliest first (usually one).
    pub fn dissolutions(&self, actor: &str) -> Vec<Dissolution> {
        self.dissolved
            .get(actor)
            .into_iter()
            .flatten()
            .map(|d| {
                let k = &self.kept[d.record as usize];
                Dissolution {
                    actor: d.actor.clone(),
                    into: d.into.clone(),
                    event: k.id.clone(),
                    date: k.date.expect("dissolutions are dated"),
                    claim: k.claim,
                    claimed_by: self.claimant(k).cloned(),
                    sources: self.cited(k).to_vec(),
                }
            })
            .collect()
    }

    /// Every live dissolution, by actor id, earliest first.
    pub fn all_dissolutions(&self) -> impl Iterator<Item = Dissolution> + '_ {
        self.dissolved.keys().flat_map(|a| self.dissolutions(a.as_str()))
    }
}

/// Removes the live facts of `facts` that `mine` picks and that come after
/// the dissolution (noting their records in `dropped`); true if one that
/// `mine` picks remains, before it: there is something to close.
fn drop_after(
    facts: &mut Vec<Fact>,
    mine: impl Fn(&Fact) -> bool,
    c: &Closing<'_>,
    live: &impl Fn(&Fact) -> bool,
    dropped: &mut BTreeSet<(u32, usize)>,
    n: usize,
) -> bool {
    let mut before = false;
    facts.retain(|f| {
        if !mine(f) || !live(f) || f.record == c.d.record {
            return true;
        }
        if (f.earliest, f.latest) > (c.earliest, c.latest) {
            dropped.insert((f.record, n));
            return false;
        }
        before = true;
        true
    });
    before
}
