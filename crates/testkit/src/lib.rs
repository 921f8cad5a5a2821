//! Test support: proptest strategies that generate valid events and whole logs.
//!
//! Ids come from small pools so that generated events refer to each other,
//! collide on places and tie on dates: that is where replay bugs live.
//!
//! ```
//! use proptest::strategy::{Strategy, ValueTree};
//! let mut runner = proptest::test_runner::TestRunner::deterministic();
//! let log = annals_testkit::control_log().new_tree(&mut runner).unwrap().current();
//! assert!(log.iter().any(|e| e.kind.type_name() == "place"));
//! ```

use annals_model::{
    v1, ActorId, ActorKind, AgreementId, Claim, CoupOutcome, Date, Entity, Event, EventId,
    EventKind, Fatalities, Linked, PlaceId, PlaceKind, Point, Qualifier, Recorded, SourceId,
};
use proptest::prelude::*;
use proptest::sample::select;

pub const ACTORS: &[&str] = &["cma", "fama", "jnim", "wagner", "mnla"];
pub const PLACES: &[&str] = &["bamba", "kidal", "gao"];
pub const SOURCES: &[&str] = &["src-a", "src-b", "src-c"];

fn actor() -> impl Strategy<Value = ActorId> {
    select(ACTORS).prop_map(|s| ActorId::new(s).unwrap())
}

fn place() -> impl Strategy<Value = PlaceId> {
    select(PLACES).prop_map(|s| PlaceId::new(s).unwrap())
}

fn qualifier() -> impl Strategy<Value = Qualifier> {
    select(&[Qualifier::Exact, Qualifier::Exact, Qualifier::Uncertain, Qualifier::Approximate][..])
}

/// A point in 2020–2023 at year, month or (mostly) day precision.
pub fn point() -> impl Strategy<Value = Point> {
    (2020u16..=2023, 1u8..=12, 1u8..=28, 0u8..10, qualifier()).prop_map(|(y, m, d, p, q)| match p {
        0 => Point::new(y, None, None, q).unwrap(),
        1..=2 => Point::new(y, Some(m), None, q).unwrap(),
        _ => Point::new(y, Some(m), Some(d), q).unwrap(),
    })
}

/// A date: mostly single points, sometimes an interval `A/B`.
pub fn date() -> impl Strategy<Value = Date> {
    (point(), prop::option::weighted(0.15, point())).prop_map(|(a, b)| match b {
        Some(b) if b.latest() >= a.earliest() => Date::new(a, Some(b)).unwrap(),
        Some(b) => Date::new(b, Some(a)).unwrap_or_else(|_| Date::new(a, None).unwrap()),
        None => Date::new(a, None).unwrap(),
    })
}

fn claim() -> impl Strategy<Value = Claim> {
    select(&Claim::ALL[..])
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z ]{0,12}",
        Just("Léré \"quoted\"\nline".to_string()),
        Just("Tombouctou".to_string())
    ]
}

fn sources() -> impl Strategy<Value = Vec<SourceId>> {
    prop::sample::subsequence(SOURCES, 1..=2)
        .prop_map(|v| v.into_iter().map(|s| SourceId::new(s).unwrap()).collect())
}

fn two_actors() -> impl Strategy<Value = [ActorId; 2]> {
    prop::sample::subsequence(ACTORS, 2)
        .prop_map(|v| [ActorId::new(v[0]).unwrap(), ActorId::new(v[1]).unwrap()])
}

/// Deaths a dataset may count: none, or a best estimate with a low and a
/// high one, each maybe absent (and, as in UCDP's data, not always on
/// either side of the best one).
pub fn fatalities() -> impl Strategy<Value = Option<Fatalities>> {
    prop::option::weighted(
        0.3,
        (0u64..5000, prop::option::of(0u64..5000), prop::option::of(0u64..5000))
            .prop_map(|(best, low, high)| Fatalities { best, low, high }),
    )
}

fn actor_list() -> impl Strategy<Value = Vec<ActorId>> {
    prop::sample::subsequence(ACTORS, 2..=3)
        .prop_map(|v| v.into_iter().map(|s| ActorId::new(s).unwrap()).collect())
}

/// The body of any event type of format v1, entities and retractions included.
pub fn event_kind() -> impl Strategy<Value = EventKind> {
    use prop::option::of as o;
    prop_oneof![
        (
            (text(), o(text()), o(date()), o(Just("https://example.org/a?b=c".to_string()))),
            (o(select(&["V2022.11.29", "22.1"][..])), o(date()))
        )
            .prop_map(|((title, publisher, published, url), (release, covers))| {
                EventKind::Source {
                    title,
                    publisher,
                    published,
                    url,
                    release: release.map(str::to_string),
                    covers,
                }
            }),
        (text(), prop::collection::vec(text(), 0..2), o(select(ActorKind::ALL)))
            .prop_map(|(name, aliases, kind)| EventKind::Actor { name, aliases, kind }),
        (text(), o(select(PlaceKind::ALL)), o(place()), o(-90.0f64..90.0), o(-180.0f64..180.0))
            .prop_map(|(name, kind, within, lat, lon)| EventKind::Place {
                name,
                aliases: vec![],
                kind,
                within,
                lat,
                lon
            }),
        two_actors().prop_map(|[member, group]| EventKind::MembershipBegan { member, group }),
        two_actors().prop_map(|[member, group]| EventKind::MembershipEnded { member, group }),
        (actor_list(), o(actor()))
            .prop_map(|(actors, alliance)| EventKind::AllianceFormed { actors, alliance }),
        (actor_list(), o(actor()))
            .prop_map(|(actors, alliance)| EventKind::AllianceEnded { actors, alliance }),
        (two_actors(), fatalities())
            .prop_map(|(actors, fatalities)| EventKind::HostilitiesBegan { actors, fatalities }),
        (two_actors(), fatalities())
            .prop_map(|(actors, fatalities)| EventKind::HostilitiesEnded { actors, fatalities }),
        (actor_list(), text()).prop_map(|(signatories, name)| EventKind::AgreementSigned {
            agreement: AgreementId::new("algiers-2015").unwrap(),
            name: Some(name),
            signatories
        }),
        Just(EventKind::AgreementEnded {
            agreement: AgreementId::new("algiers-2015").unwrap(),
            name: None,
            signatories: vec![]
        }),
        two_actors().prop_map(|[state, actor]| EventKind::Government { state, actor }),
        (two_actors(), o(actor()), select(CoupOutcome::ALL)).prop_map(
            |([state, perpetrator], ousted, outcome)| EventKind::Coup {
                state,
                perpetrator,
                ousted,
                outcome
            }
        ),
        (two_actors(), o(text()), o(actor())).prop_map(
            |([intervener, host], operation, supporting)| {
                EventKind::InterventionBegan { intervener, host, operation, supporting }
            }
        ),
        (two_actors(), o(text())).prop_map(|([intervener, host], operation)| {
            EventKind::InterventionEnded { intervener, host, operation, supporting: None }
        }),
        (place(), actor(), o(actor())).prop_map(|(place, actor, from)| EventKind::ControlTaken {
            place,
            actor,
            from
        }),
        (place(), actor()).prop_map(|(place, actor)| EventKind::ControlLost { place, actor }),
        (actor(), o(actor()), place(), o(0u64..10_000)).prop_map(
            |(attacker, target, place, fatalities)| EventKind::Attack {
                attacker,
                target,
                place,
                fatalities
            }
        ),
        ("[a-z]{1,8}", text(), proptest::option::of("[a-z]{1,8}")).prop_map(|(r, reason, by)| {
            EventKind::Retraction {
                retracts: EventId::new(r).unwrap(),
                reason,
                replaced_by: by.map(|b| EventId::new(b).unwrap()),
            }
        }),
        link_kind(),
        identifiers_kind(),
        dissolution(),
    ]
}

/// Identifiers of an actor or a place of the pools: one of a small set of
/// Wikidata items, so that entities come to share some.
pub fn identifiers_kind() -> impl Strategy<Value = EventKind> {
    let entity = prop_oneof![actor().prop_map(Entity::Actor), place().prop_map(Entity::Place),];
    let ids = prop::sample::subsequence(&["Q1", "Q2", "Q3"][..], 1..=2).prop_map(|qs| {
        qs.into_iter().map(|q| ("wikidata".to_string(), q.to_string())).take(1).collect()
    });
    (entity, ids).prop_map(|(entity, ids)| EventKind::Identifiers { entity, ids })
}

/// A `same_as` link of two or three distinct actors, or places, of the pools.
pub fn link_kind() -> impl Strategy<Value = EventKind> {
    let actors = prop::sample::subsequence(ACTORS, 2..=3).prop_map(|ids| {
        Linked::Actors(ids.into_iter().map(|a| ActorId::new(a).unwrap()).collect())
    });
    let places = prop::sample::subsequence(PLACES, 2..=3).prop_map(|ids| {
        Linked::Places(ids.into_iter().map(|p| PlaceId::new(p).unwrap()).collect())
    });
    prop_oneof![actors, places].prop_map(|linked| EventKind::SameAs { linked })
}

/// Like [`world_log`], with up to five `same_as` links and `identifiers`
/// events among the actors and places (`link0`, `link1`, …), each retracted
/// (by `unlink0`, …) or not.
pub fn linked_log() -> impl Strategy<Value = Vec<Event>> {
    let kind = prop_oneof![link_kind(), identifiers_kind()];
    let links = prop::collection::vec((kind, any::<bool>()), 0..5);
    (world_log(), links).prop_map(|(mut log, links)| {
        for (i, (kind, retracted)) in links.into_iter().enumerate() {
            let id = EventId::new(format!("link{i}")).unwrap();
            let sources = vec![SourceId::new("src-a").unwrap()];
            let event = |id, kind| Event {
                id,
                date: None,
                sources: sources.clone(),
                claim: Claim::Reported,
                claimed_by: None,
                note: None,
                kind,
            };
            log.push(event(id.clone(), kind));
            if retracted {
                let kind = EventKind::Retraction {
                    retracts: id,
                    reason: "unlinked".into(),
                    replaced_by: None,
                };
                log.push(event(EventId::new(format!("unlink{i}")).unwrap(), kind));
            }
        }
        log
    })
}

/// A place with no event of its own that [`nested_log`] may put the
/// places of the pool within.
pub const REGION: &str = "north";

/// Like [`linked_log`], with places within places: each place of the pool
/// lies within another of the pool, within [`REGION`] (a place of no
/// event), or nowhere, and the `place` record of one of them may be
/// retracted (before it, `--known-at` sees the place where it lay).
pub fn nested_log() -> impl Strategy<Value = Vec<Event>> {
    let parents = prop::collection::vec(0..PLACES.len() + 2, PLACES.len());
    let retract = prop::option::of(0..PLACES.len());
    (linked_log(), parents, retract).prop_map(|(mut log, parents, retract)| {
        for e in &mut log {
            let EventKind::Place { within, .. } = &mut e.kind else { continue };
            let i = PLACES.iter().position(|p| *p == e.id.as_str()).expect("a place of the pool");
            *within = match parents[i] {
                j if j < PLACES.len() && j != i => Some(PlaceId::new(PLACES[j]).unwrap()),
                j if j == PLACES.len() => Some(PlaceId::new(REGION).unwrap()),
                _ => None,
            };
        }
        let region = EventKind::Place {
            name: "North".to_string(),
            aliases: vec![],
            kind: Some(PlaceKind::Region),
            within: None,
            lat: None,
            lon: None,
        };
        let event = undated;
        log.insert(0, event(REGION, region));
        if let Some(i) = retract {
            let kind = EventKind::Retraction {
                retracts: EventId::new(PLACES[i]).unwrap(),
                reason: "placed wrongly".into(),
                replaced_by: None,
            };
            let mut e = event("unplace", kind);
            e.sources = vec![SourceId::new("src-a").unwrap()];
            log.push(e);
        }
        log
    })
}

/// An `actor_dissolved` over the actor pool, with a successor half the time.
fn dissolution() -> impl Strategy<Value = EventKind> {
    (two_actors(), any::<bool>()).prop_map(|([actor, into], merged)| EventKind::ActorDissolved {
        actor,
        into: merged.then_some(into),
    })
}

/// Any single valid event (its references need not resolve).
pub fn event() -> impl Strategy<Value = Event> {
    (
        event_kind(),
        date(),
        sources(),
        claim(),
        prop::option::of(actor()),
        prop::option::of(text()),
        "[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4}){0,2}",
    )
        .prop_map(|(kind, date, sources, claim, claimed_by, note, id)| {
            let mut e = Event {
                id: EventId::new(id).unwrap(),
                date: if kind.is_entity() { None } else { Some(date) },
                sources,
                claim,
                claimed_by,
                note,
                kind,
            };
            if !e.kind.is_entity() && e.id.as_str().len().is_multiple_of(3) {
                e.id = v1::derive_id(&e);
            }
            e
        })
}

/// An undated, unsourced event (an entity, a link) with id `id`.
pub fn undated(id: &str, kind: EventKind) -> Event {
    Event {
        id: EventId::new(id).unwrap(),
        date: None,
        sources: vec![],
        claim: Claim::Reported,
        claimed_by: None,
        note: None,
        kind,
    }
}

/// The entities every generated log starts from: sources, actors, places.
pub fn entities() -> Vec<Event> {
    let mut out = Vec::new();
    let entity = undated;
    for s in SOURCES {
        out.push(entity(
            s,
            EventKind::Source {
                title: format!("Report {s}"),
                publisher: None,
                published: None,
                url: None,
                release: None,
                covers: None,
            },
        ));
    }
    for a in ACTORS {
        out.push(entity(
            a,
            EventKind::Actor {
                name: a.to_uppercase(),
                aliases: vec![],
                kind: Some(ActorKind::ArmedGroup),
            },
        ));
    }
    for p in PLACES {
        let kind = EventKind::Place {
            name: p.to_string(),
            aliases: vec![],
            kind: Some(PlaceKind::Town),
            within: None,
            lat: None,
            lon: None,
        };
        out.push(entity(p, kind));
    }
    out
}

fn control_kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        6 => (place(), actor(), prop::option::of(actor())).prop_map(|(place, actor, from)| EventKind::ControlTaken { place, actor, from }),
        4 => (place(), actor()).prop_map(|(place, actor)| EventKind::ControlLost { place, actor }),
        2 => (actor(), place()).prop_map(|(attacker, place)| EventKind::Attack { attacker, target: None, place, fatalities: None }),
        1 => dissolution(),
    ]
}

pub const AGREEMENTS: &[&str] = &["accord-a", "accord-b"];
pub const OPERATIONS: &[&str] = &["Serval", "Barkhane"];

/// The relation events of format v1 (and coups and governments) over the pools:
/// small pools, so openings and closings meet.
fn relation_kind() -> impl Strategy<Value = EventKind> {
    let agreement = || select(AGREEMENTS).prop_map(|s| AgreementId::new(s).unwrap());
    let operation = || prop::option::of(select(OPERATIONS).prop_map(str::to_string));
    let pact = || prop::option::weighted(0.3, actor());
    prop_oneof![
        two_actors().prop_map(|[member, group]| EventKind::MembershipBegan { member, group }),
        two_actors().prop_map(|[member, group]| EventKind::MembershipEnded { member, group }),
        (actor_list(), pact())
            .prop_map(|(actors, alliance)| EventKind::AllianceFormed { actors, alliance }),
        (actor_list(), pact())
            .prop_map(|(actors, alliance)| EventKind::AllianceEnded { actors, alliance }),
        (two_actors(), fatalities())
            .prop_map(|(actors, fatalities)| EventKind::HostilitiesBegan { actors, fatalities }),
        (two_actors(), fatalities())
            .prop_map(|(actors, fatalities)| EventKind::HostilitiesEnded { actors, fatalities }),
        (agreement(), actor_list()).prop_map(|(agreement, signatories)| {
            EventKind::AgreementSigned { agreement, name: Some("An accord".into()), signatories }
        }),
        (agreement(), prop::collection::vec(actor(), 0..2)).prop_map(
            |(agreement, mut signatories)| {
                signatories.dedup();
                EventKind::AgreementEnded { agreement, name: None, signatories }
            }
        ),
        (actor(), actor()).prop_map(|(state, actor)| EventKind::Government { state, actor }),
        (actor(), actor(), select(CoupOutcome::ALL)).prop_map(|(state, perpetrator, outcome)| {
            EventKind::Coup { state, perpetrator, ousted: None, outcome }
        }),
        (actor(), actor(), operation()).prop_map(|(intervener, host, operation)| {
            EventKind::InterventionBegan { intervener, host, operation, supporting: None }
        }),
        (actor(), actor(), operation()).prop_map(|(intervener, host, operation)| {
            EventKind::InterventionEnded { intervener, host, operation, supporting: None }
        }),
    ]
}

/// A valid, fully resolvable log: the entities, then control events (taken, lost,
/// attacks) over the place and actor pools with random dates, claims and sources,
/// and retractions of some of them. Ids are unique.
pub fn control_log() -> impl Strategy<Value = Vec<Event>> {
    log_of(control_kind().boxed(), 40)
}

/// Like [`control_log`], with every dated event type: relations, coups and
/// governments as well as control.
pub fn world_log() -> impl Strategy<Value = Vec<Event>> {
    log_of(prop_oneof![2 => control_kind(), 3 => relation_kind()].boxed(), 60)
}

fn log_of(kind: BoxedStrategy<EventKind>, max: usize) -> impl Strategy<Value = Vec<Event>> {
    let control = (kind, date(), sources(), claim());
    (
        prop::collection::vec(control, 0..max),
        prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    )
        .prop_map(|(controls, retract)| {
            let mut log = entities();
            let mut ids = Vec::new();
            for (i, (kind, date, sources, claim)) in controls.into_iter().enumerate() {
                let id = EventId::new(format!("ev{i}")).unwrap();
                ids.push(id.clone());
                log.push(Event {
                    id,
                    date: Some(date),
                    sources,
                    claim,
                    claimed_by: None,
                    note: None,
                    kind,
                });
            }
            if !ids.is_empty() {
                for (j, index) in retract.into_iter().enumerate() {
                    let target = index.get(&ids).clone();
                    log.push(Event {
                        id: EventId::new(format!("retraction{j}")).unwrap(),
                        date: None,
                        sources: vec![SourceId::new("src-a").unwrap()],
                        claim: Claim::Reported,
                        claimed_by: None,
                        note: None,
                        kind: EventKind::Retraction {
                            retracts: target,
                            reason: "generated".to_string(),
                            replaced_by: None,
                        },
                    });
                }
            }
            log
        })
}

/// Events as a log would hand them to replay: sequence numbers from 1 in the
/// given order, all recorded at the Unix epoch, no origin.
pub fn recorded(events: Vec<Event>) -> Vec<Recorded> {
    let t = chrono::DateTime::from_timestamp(0, 0).expect("the epoch");
    events
        .into_iter()
        .enumerate()
        .map(|(i, event)| Recorded { seq: i as u64 + 1, recorded_at: t, origin: None, event })
        .collect()
}

/// The same events in another order: a deterministic Fisher–Yates shuffle
/// driven by `seed` (xorshift), so a failing case replays exactly.
pub fn shuffled<T>(mut items: Vec<T>, seed: u64) -> Vec<T> {
    let mut s = seed | 1;
    for i in (1..items.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        items.swap(i, (s % (i as u64 + 1)) as usize);
    }
    items
}

/// The events of JSON Lines in format v1 (blank lines skipped), for tests that
/// write their logs by hand. Panics on a bad line, naming it.
pub fn parse_lines(text: &str) -> Vec<Event> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| v1::parse_line(l).unwrap_or_else(|e| panic!("{e}: {l}")).event)
        .collect()
}
