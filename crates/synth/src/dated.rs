//! The dated events of a synthetic log, one generator per kind. Each takes
//! what it needs from the generator's random stream in a fixed order, so
//! that the same seed gives the same events.

use annals_model::{AgreementId, Claim, CoupOutcome, Event, EventId, EventKind};
use chrono::NaiveDate;

use crate::{slug, word, Kind, Synth, GOVERNMENTS, REASONS};

impl Synth {
    /// An event of `kind` dated `day`, or `None` when the log so far
    /// leaves nothing of that kind to do (no membership to end, say).
    pub(crate) fn try_kind(&mut self, kind: Kind, ordinal: u64, day: NaiveDate) -> Option<Event> {
        if kind == Kind::Retraction {
            return self.retraction(ordinal);
        }
        let (party, event) = match kind {
            Kind::ControlTaken | Kind::ControlLost => self.control_change(kind, ordinal),
            Kind::Attack => self.attack(),
            Kind::MembershipBegan => self.membership_began()?,
            Kind::MembershipEnded => self.membership_ended()?,
            Kind::AllianceFormed => self.alliance_formed()?,
            Kind::AllianceEnded => self.alliance_ended()?,
            Kind::HostilitiesBegan => self.hostilities_began()?,
            Kind::HostilitiesEnded => self.hostilities_ended()?,
            Kind::InterventionBegan => self.intervention_began(ordinal),
            Kind::InterventionEnded => self.intervention_ended()?,
            Kind::AgreementSigned => self.agreement_signed(),
            Kind::AgreementEnded => self.agreement_ended()?,
            Kind::Coup => self.coup(),
            Kind::Retraction => unreachable!("handled above"),
        };
        Some(self.dated_event(ordinal, day, party, event))
    }

    fn control_change(&mut self, kind: Kind, ordinal: u64) -> (u32, EventKind) {
        let p = self.pick_place.sample(&mut self.rng);
        let place = self.places[self.places.len() - self.holder.len() + p].clone();
        let current = self.holder[p];
        let (party, kind) = match (kind, current) {
            (Kind::ControlLost, Some(holder)) => {
                self.holder[p] = None;
                (holder, EventKind::ControlLost { place, actor: self.actor(holder) })
            }
            _ => {
                let taker = self.combatant_except(current);
                let from = current.filter(|_| self.rng.chance(70)).map(|a| self.actor(a));
                self.holder[p] = Some(taker);
                (taker, EventKind::ControlTaken { place, actor: self.actor(taker), from })
            }
        };
        self.control.push(ordinal);
        (party, kind)
    }

    fn attack(&mut self) -> (u32, EventKind) {
        let p = self.pick_place.sample(&mut self.rng);
        let place = self.places[self.places.len() - self.holder.len() + p].clone();
        let attacker = self.combatant();
        let target = if self.rng.chance(75) {
            let t = match self.holder[p] {
                Some(h) if h != attacker => h,
                _ => self.combatant_except(Some(attacker)),
            };
            (t != attacker).then(|| self.actor(t))
        } else {
            None
        };
        let fatalities = self.rng.chance(85).then(|| {
            if self.rng.chance(20) {
                self.rng.below(200)
            } else {
                self.rng.below(10)
            }
        });
        let kind = EventKind::Attack { attacker: self.actor(attacker), target, place, fatalities };
        (attacker, kind)
    }

    fn membership_began(&mut self) -> Option<(u32, EventKind)> {
        if self.coalitions.is_empty() {
            return None;
        }
        let group = self.coalitions[self.rng.index(self.coalitions.len())];
        let member = self.combatant();
        self.memberships.push((member, group));
        let kind =
            EventKind::MembershipBegan { member: self.actor(member), group: self.actor(group) };
        Some((member, kind))
    }

    fn membership_ended(&mut self) -> Option<(u32, EventKind)> {
        if self.memberships.is_empty() {
            return None;
        }
        let (member, group) = self.memberships.swap_remove(self.rng.index(self.memberships.len()));
        let kind =
            EventKind::MembershipEnded { member: self.actor(member), group: self.actor(group) };
        Some((member, kind))
    }

    fn alliance_formed(&mut self) -> Option<(u32, EventKind)> {
        let n = 2 + usize::from(self.rng.chance(30));
        let members = self.distinct_combatants(n);
        if members.len() < 2 {
            return None;
        }
        let alliance = if !self.coalitions.is_empty() && self.rng.chance(50) {
            Some(self.coalitions[self.rng.index(self.coalitions.len())])
        } else {
            None
        };
        self.alliances.push((members.clone(), alliance));
        let kind = EventKind::AllianceFormed {
            actors: members.iter().map(|&a| self.actor(a)).collect(),
            alliance: alliance.map(|a| self.actor(a)),
        };
        Some((members[0], kind))
    }

    fn alliance_ended(&mut self) -> Option<(u32, EventKind)> {
        if self.alliances.is_empty() {
            return None;
        }
        let (members, alliance) = self.alliances.swap_remove(self.rng.index(self.alliances.len()));
        let kind = EventKind::AllianceEnded {
            actors: members.iter().map(|&a| self.actor(a)).collect(),
            alliance: alliance.map(|a| self.actor(a)),
        };
        Some((members[0], kind))
    }

    fn hostilities_began(&mut self) -> Option<(u32, EventKind)> {
        let pair = self.distinct_combatants(2);
        if pair.len() < 2 {
            return None;
        }
        let pair = [pair[0], pair[1]];
        self.hostilities.push(pair);
        let kind =
            EventKind::HostilitiesBegan { actors: pair.map(|a| self.actor(a)), fatalities: None };
        Some((pair[0], kind))
    }

    fn hostilities_ended(&mut self) -> Option<(u32, EventKind)> {
        if self.hostilities.is_empty() {
            return None;
        }
        let pair = self.hostilities.swap_remove(self.rng.index(self.hostilities.len()));
        let kind =
            EventKind::HostilitiesEnded { actors: pair.map(|a| self.actor(a)), fatalities: None };
        Some((pair[0], kind))
    }

    fn intervention_began(&mut self, ordinal: u64) -> (u32, EventKind) {
        let intervener = self.interveners[self.rng.index(self.interveners.len())];
        let host_state = self.rng.below(u64::from(self.states())) as u32;
        let host = self.state_actor(host_state);
        let operation = self.rng.chance(50).then(|| format!("Operation {}", word(ordinal)));
        let supporting = self
            .rng
            .chance(50)
            .then(|| self.government_actor(host_state, self.governing[host_state as usize]));
        self.interventions.push((intervener, host, operation.clone(), supporting));
        let kind = EventKind::InterventionBegan {
            intervener: self.actor(intervener),
            host: self.actor(host),
            operation,
            supporting: supporting.map(|a| self.actor(a)),
        };
        (intervener, kind)
    }

    fn intervention_ended(&mut self) -> Option<(u32, EventKind)> {
        if self.interventions.is_empty() {
            return None;
        }
        let (intervener, host, operation, supporting) =
            self.interventions.swap_remove(self.rng.index(self.interventions.len()));
        let kind = EventKind::InterventionEnded {
            intervener: self.actor(intervener),
            host: self.actor(host),
            operation,
            supporting: supporting.map(|a| self.actor(a)),
        };
        Some((intervener, kind))
    }

    fn agreement_signed(&mut self) -> (u32, EventKind) {
        let n = 2 + self.rng.index(3);
        let signatories = self.distinct_combatants(n);
        let number = self.next_agreement;
        self.next_agreement += 1;
        self.agreements.push(number);
        let kind = EventKind::AgreementSigned {
            agreement: slug(format!("agr-{number}"), AgreementId::new),
            name: Some(format!("{} Accord", word(number))),
            signatories: signatories.iter().map(|&a| self.actor(a)).collect(),
        };
        (signatories[0], kind)
    }

    fn agreement_ended(&mut self) -> Option<(u32, EventKind)> {
        if self.agreements.is_empty() {
            return None;
        }
        let number = self.agreements.swap_remove(self.rng.index(self.agreements.len()));
        let kind = EventKind::AgreementEnded {
            agreement: slug(format!("agr-{number}"), AgreementId::new),
            name: None,
            signatories: Vec::new(),
        };
        let party = self.combatant();
        Some((party, kind))
    }

    fn coup(&mut self) -> (u32, EventKind) {
        let state = self.rng.below(u64::from(self.states())) as u32;
        let current = self.governing[state as usize];
        let next = (current + 1 + self.rng.below(u64::from(GOVERNMENTS - 1)) as u32) % GOVERNMENTS;
        let successful = self.rng.chance(60);
        if successful {
            self.governing[state as usize] = next;
        }
        let perpetrator = self.government_actor(state, next);
        let kind = EventKind::Coup {
            state: self.actor(self.state_actor(state)),
            perpetrator: self.actor(perpetrator),
            ousted: successful.then(|| self.actor(self.government_actor(state, current))),
            outcome: if successful { CoupOutcome::Successful } else { CoupOutcome::Failed },
        };
        (perpetrator, kind)
    }

    fn retraction(&mut self, ordinal: u64) -> Option<Event> {
        if self.control.is_empty() {
            return None;
        }
        let target = self.control[self.rng.index(self.control.len())];
        if !self.retracted.insert(target) {
            return None;
        }
        let reason = REASONS[self.rng.index(REASONS.len())].to_string();
        Some(Event {
            id: slug(format!("syn-{ordinal}"), EventId::new),
            date: None,
            sources: Vec::new(),
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Retraction {
                retracts: slug(format!("syn-{target}"), EventId::new),
                reason,
                replaced_by: None,
            },
        })
    }
}
