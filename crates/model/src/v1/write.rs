//! Writing format v1: the canonical line of an event, and the id derived
//! from its content.

use std::sync::Arc;

use serde::Serialize;

use crate::event::{Claim, Entity, Event, EventKind, Linked};
use crate::id::EventId;

/// The canonical line of an event, `type` first, then its id and fields. Fields
/// at their default are left out, except `claim` next to `claimed_by`.
pub fn to_line(event: &Event) -> String {
    line_of(event, true)
}

/// The id an event gets when its line has none: `ev-` and a hash of its
/// canonical content, so the same content always gets the same id.
pub fn derive_id(event: &Event) -> EventId {
    let content = line_of(event, false);
    EventId(Arc::from(format!("ev-{:032x}", fnv1a_128(content.as_bytes()))))
}

fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME))
}

#[derive(Serialize, Default)]
struct Out<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    release: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    covers: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aliases: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    within: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actors: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alliance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agreement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signatories: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    place: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    into: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    perpetrator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ousted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    intervener: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    host: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supporting: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attacker: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fatalities: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fatalities_low: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fatalities_high: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retracts: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    places: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ids: Option<std::collections::BTreeMap<&'a str, &'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replaced_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claim: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claimed_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

fn strs<T: std::borrow::Borrow<str>>(ids: &[T]) -> Vec<&str> {
    ids.iter().map(|i| i.borrow()).collect()
}

fn line_of(event: &Event, with_id: bool) -> String {
    fn s(x: &Option<String>) -> Option<&str> {
        x.as_deref()
    }
    let mut o = Out {
        ty: event.kind.type_name(),
        id: with_id.then_some(event.id.as_str()),
        date: event.date.map(|d| d.to_string()),
        sources: (!event.sources.is_empty()).then(|| strs(&event.sources)),
        claim: (event.claim != Claim::Reported || event.claimed_by.is_some())
            .then_some(event.claim.as_str()),
        claimed_by: event.claimed_by.as_ref().map(|a| a.as_str()),
        note: s(&event.note),
        ..Out::default()
    };
    // Entities keep their id even in canonical content: it is their identity.
    if event.kind.is_entity() {
        o.id = Some(event.id.as_str());
    }
    match &event.kind {
        EventKind::Source { .. } | EventKind::Actor { .. } | EventKind::Place { .. } => {
            entity_fields(&mut o, &event.kind)
        }
        EventKind::MembershipBegan { member, group }
        | EventKind::MembershipEnded { member, group } => {
            o.member = Some(member.as_str());
            o.group = Some(group.as_str());
        }
        EventKind::AllianceFormed { actors, alliance }
        | EventKind::AllianceEnded { actors, alliance } => {
            o.actors = Some(strs(actors));
            o.alliance = alliance.as_ref().map(|a| a.as_str());
        }
        EventKind::HostilitiesBegan { actors, fatalities }
        | EventKind::HostilitiesEnded { actors, fatalities } => {
            o.actors = Some(strs(actors));
            o.fatalities = fatalities.map(|f| f.best);
            o.fatalities_low = fatalities.and_then(|f| f.low);
            o.fatalities_high = fatalities.and_then(|f| f.high);
        }
        EventKind::AgreementSigned { agreement, name, signatories }
        | EventKind::AgreementEnded { agreement, name, signatories } => {
            o.agreement = Some(agreement.as_str());
            o.name = s(name);
            o.signatories = (!signatories.is_empty()).then(|| strs(signatories));
        }
        EventKind::Government { state, actor } => {
            o.state = Some(state.as_str());
            o.actor = Some(actor.as_str());
        }
        EventKind::Coup { state, perpetrator, ousted, outcome } => {
            o.state = Some(state.as_str());
            o.perpetrator = Some(perpetrator.as_str());
            o.ousted = ousted.as_ref().map(|a| a.as_str());
            o.outcome = Some(outcome.as_str());
        }
        EventKind::InterventionBegan { intervener, host, operation, supporting }
        | EventKind::InterventionEnded { intervener, host, operation, supporting } => {
            o.intervener = Some(intervener.as_str());
            o.host = Some(host.as_str());
            o.operation = s(operation);
            o.supporting = supporting.as_ref().map(|a| a.as_str());
        }
        EventKind::ControlTaken { place, actor, from } => {
            o.place = Some(place.as_str());
            o.actor = Some(actor.as_str());
            o.from = from.as_ref().map(|a| a.as_str());
        }
        EventKind::ControlLost { place, actor } => {
            o.place = Some(place.as_str());
            o.actor = Some(actor.as_str());
        }
        EventKind::Attack { attacker, target, place, fatalities } => {
            o.attacker = Some(attacker.as_str());
            o.target = target.as_ref().map(|a| a.as_str());
            o.place = Some(place.as_str());
            o.fatalities = *fatalities;
        }
        EventKind::Retraction { retracts, reason, replaced_by } => {
            o.retracts = Some(retracts.as_str());
            o.reason = Some(reason);
            o.replaced_by = replaced_by.as_ref().map(|n| n.as_str());
        }
        EventKind::SameAs { linked: Linked::Actors(actors) } => o.actors = Some(strs(actors)),
        EventKind::SameAs { linked: Linked::Places(places) } => o.places = Some(strs(places)),
        EventKind::Identifiers { entity, ids } => {
            match entity {
                Entity::Actor(a) => o.actor = Some(a.as_str()),
                Entity::Place(p) => o.place = Some(p.as_str()),
            }
            o.ids = Some(ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect());
        }
        EventKind::ActorDissolved { actor, into } => {
            o.actor = Some(actor.as_str());
            o.into = into.as_ref().map(|a| a.as_str());
        }
    }
    serde_json::to_string(&o).expect("serializing plain data cannot fail")
}

/// The fields of an entity's line.
fn entity_fields<'a>(o: &mut Out<'a>, kind: &'a EventKind) {
    fn s(x: &Option<String>) -> Option<&str> {
        x.as_deref()
    }
    fn nonempty(v: &[String]) -> Option<&[String]> {
        (!v.is_empty()).then_some(v)
    }
    match kind {
        EventKind::Source { title, publisher, published, url, release, covers } => {
            o.title = Some(title);
            o.publisher = s(publisher);
            o.published = published.map(|d| d.to_string());
            o.url = s(url);
            o.release = s(release);
            o.covers = covers.map(|d| d.to_string());
        }
        EventKind::Actor { name, aliases, kind } => {
            o.name = Some(name);
            o.aliases = nonempty(aliases);
            o.kind = kind.map(|k| k.as_str());
        }
        EventKind::Place { name, aliases, kind, within, lat, lon } => {
            o.name = Some(name);
            o.aliases = nonempty(aliases);
            o.kind = kind.map(|k| k.as_str());
            o.within = within.as_ref().map(|w| w.as_str());
            o.lat = *lat;
            o.lon = *lon;
        }
        _ => {}
    }
}
