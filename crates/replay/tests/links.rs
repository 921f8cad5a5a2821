//! `same_as` links: the laws of replay hold with them, a retracted link is
//! as if never made, and a linked set answers as one entity would.

use annals_model::{parse_day, ActorId, Event, EventKind, Linked, PlaceId};
use annals_replay::{Holding, Status, World};
use annals_testkit::recorded as records;
use chrono::NaiveDate;
use proptest::prelude::*;

fn days() -> Vec<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(2019, 12, 20).unwrap();
    let mut out = Vec::new();
    while d < NaiveDate::from_ymd_opt(2024, 1, 10).unwrap() {
        out.push(d);
        d += chrono::Duration::days(11);
    }
    out
}

/// Every answer a world gives about the pools' places and actors, on a
/// grid of days: control, government, each actor's relations, the links.
fn answers(world: &World) -> Vec<String> {
    let mut out = Vec::new();
    for place in annals_testkit::PLACES {
        let id = PlaceId::new(*place).unwrap();
        out.push(format!("{place} linked {:?}", world.linked_places(&id)));
        for day in days() {
            out.push(format!("{place} {day} {:?}", world.control(&id, day)));
        }
    }
    for actor in annals_testkit::ACTORS {
        let id = ActorId::new(*actor).unwrap();
        out.push(format!("{actor} linked {:?}", world.linked_actors(&id)));
        for day in days().into_iter().step_by(4) {
            out.push(format!("{actor} {day} {:?}", world.government(&id, day)));
        }
    }
    for day in days().into_iter().step_by(4) {
        let graph = world.graph_on(day);
        let mut edges: Vec<String> = graph.edges().iter().map(|e| format!("{e:?}")).collect();
        edges.sort();
        out.push(format!("{day} {edges:?}"));
    }
    out
}

/// The log without the links that are retracted, and without their retractions.
fn without_retracted_links(log: &[Event]) -> Vec<Event> {
    let unlinked: Vec<String> = log
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Retraction { retracts, .. } if retracts.as_str().starts_with("link") => {
                Some(retracts.to_string())
            }
            _ => None,
        })
        .collect();
    log.iter()
        .filter(|e| !unlinked.contains(&e.id.to_string()))
        .filter(|e| !matches!(&e.kind, EventKind::Retraction { retracts, .. } if unlinked.contains(&retracts.to_string())))
        .cloned()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Links are order-independent: any append order, the same world.
    #[test]
    fn any_order_of_links_and_events_gives_the_same_answers(log in annals_testkit::linked_log(), seed in any::<u64>()) {
        let a = World::replay(records(log.clone()));
        let b = World::replay(records(annals_testkit::shuffled(log, seed)));
        prop_assert_eq!(answers(&a), answers(&b));
        prop_assert_eq!(a.anomalies(), b.anomalies());
    }

    /// Linking then unlinking is never having linked.
    #[test]
    fn a_retracted_link_is_as_if_never_made(log in annals_testkit::linked_log()) {
        let with = World::replay(records(log.clone()));
        let without = World::replay(records(without_retracted_links(&log)));
        prop_assert_eq!(answers(&with), answers(&without));
    }

    /// Two places linked answer as one place holding the events of both:
    /// the same as the log with the second place's events moved onto the first.
    #[test]
    fn linked_places_answer_as_one_place_with_the_events_of_both(log in annals_testkit::world_log(), pair in prop::sample::subsequence(annals_testkit::PLACES, 2)) {
        let (keep, merge) = (PlaceId::new(pair[0]).unwrap(), PlaceId::new(pair[1]).unwrap());
        let mut linked = log.clone();
        linked.push(link(Linked::Places(vec![keep.clone(), merge.clone()])));
        let moved: Vec<Event> = log.into_iter().map(|mut e| {
            match &mut e.kind {
                EventKind::ControlTaken { place, .. } | EventKind::ControlLost { place, .. } | EventKind::Attack { place, .. } if *place == merge => *place = keep.clone(),
                _ => {}
            }
            e
        }).collect();
        let linked = World::replay(records(linked));
        let moved = World::replay(records(moved));
        for day in days() {
            prop_assert_eq!(linked.control(&keep, day), moved.control(&keep, day));
            prop_assert_eq!(linked.control(&merge, day), moved.control(&keep, day));
        }
        prop_assert_eq!(linked.history(&merge).len(), moved.history(&keep).len());
    }

    /// Two actors linked hold, govern and dissolve as one actor named in
    /// the events of both: the same as the log with the second actor's id
    /// replaced by the first's in every event. (A dissolution of one id
    /// of a set ends what every id of it holds.)
    #[test]
    fn linked_actors_hold_as_one_actor_with_the_events_of_both(log in annals_testkit::world_log(), mut pair in prop::sample::subsequence(annals_testkit::ACTORS, 2)) {
        // The set answers under its representative: the shorter id, then
        // the first alphabetically.
        pair.sort_by_key(|a| (a.len(), *a));
        let (keep, merge) = (ActorId::new(pair[0]).unwrap(), ActorId::new(pair[1]).unwrap());
        let mut linked = log.clone();
        linked.push(link(Linked::Actors(vec![keep.clone(), merge.clone()])));
        let (from, to) = (format!("\"{merge}\""), format!("\"{keep}\""));
        let mut moved: Vec<Event> = Vec::new();
        for e in log {
            let line = annals_model::v1::to_line(&e).replace(&from, &to);
            match annals_model::v1::parse_line(&line) {
                _ if e.kind.is_entity() => moved.push(e),
                Ok(parsed) => moved.push(parsed.event),
                // A relation of the two with each other, or one listing
                // both: it bears on no holding (a linked world sets it aside).
                Err(_) if !holds(&e.kind) => moved.push(e),
                // A holding event that names both (one dissolved into the
                // other): a contradiction of the link, not this law's case.
                Err(_) => prop_assume!(false),
            }
        }
        let linked = World::replay(records(linked));
        let moved = World::replay(records(moved));
        for place in annals_testkit::PLACES {
            let place = PlaceId::new(*place).unwrap();
            for day in days() {
                let (a, b) = (linked.control(&place, day), moved.control(&place, day));
                prop_assert_eq!(a, b, "{} on {}", place, day);
            }
        }
        for day in days() {
            prop_assert_eq!(linked.government(&keep, day), moved.government(&keep, day));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The places within a place are those whose `within` names it, in
    /// id order, with the place records retracted left out.
    #[test]
    fn the_places_within_a_place_are_those_that_name_it(log in annals_testkit::nested_log()) {
        let world = World::replay(records(log));
        let mut parents: Vec<PlaceId> = world.places().map(|p| p.id.clone()).collect();
        parents.push(PlaceId::new(annals_testkit::REGION).unwrap());
        parents.push(PlaceId::new("nowhere").unwrap());
        for parent in &parents {
            let listed: Vec<&str> = world.places_within(parent).map(|p| p.id.as_str()).collect();
            let scanned: Vec<&str> = world
                .places()
                .filter(|p| p.within.as_ref() == Some(parent))
                .map(|p| p.id.as_str())
                .collect();
            prop_assert_eq!(listed, scanned, "within {}", parent);
        }
    }
}

/// A `same_as` event, unsourced, that links `linked`.
fn link(linked: Linked) -> Event {
    annals_testkit::undated("link", EventKind::SameAs { linked })
}

/// Whether an event bears on who holds a place or governs a state.
fn holds(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::ControlTaken { .. }
            | EventKind::ControlLost { .. }
            | EventKind::Government { .. }
            | EventKind::Coup { .. }
            | EventKind::ActorDissolved { .. }
    )
}

fn world(lines: &str) -> World {
    World::replay(records(annals_testkit::parse_lines(lines)))
}

const TWO_SOURCES: &str = r#"
{"type":"source","id":"s1","title":"A chronicle"}
{"type":"source","id":"s2","title":"A dataset"}
{"type":"actor","id":"gatia","name":"GATIA"}
{"type":"actor","id":"acled:gatia","name":"GATIA"}
{"type":"actor","id":"cma","name":"CMA"}
{"type":"place","id":"bamba-gao","name":"Bamba"}
{"type":"place","id":"acled:bamba","name":"Bamba"}
{"type":"place","id":"acled:other-bamba","name":"Bamba"}
{"type":"control_taken","id":"t1","place":"acled:bamba","actor":"acled:gatia","date":"2014-12-24","sources":["s2"]}
{"type":"control_taken","id":"t2","place":"bamba-gao","actor":"cma","date":"2014-12-24","sources":["s1"]}
"#;

fn on(world: &World, place: &str, day: &str) -> Holding {
    world.control(&PlaceId::new(place).unwrap(), parse_day(day).unwrap())
}

#[test]
fn without_a_link_a_shared_name_is_ambiguous_and_each_id_answers_alone() {
    let w = world(TWO_SOURCES);
    assert!(w.resolve_place("Bamba").is_err());
    assert_eq!(on(&w, "bamba-gao", "2016-01-01").controller.unwrap().as_str(), "cma");
    let namesakes = w.place_namesakes(&PlaceId::new("bamba-gao").unwrap());
    assert_eq!(
        namesakes,
        [PlaceId::new("acled:bamba").unwrap(), PlaceId::new("acled:other-bamba").unwrap()]
    );
}

#[test]
fn linked_places_answer_from_both_sources_and_disagreement_is_contested() {
    let link =
        r#"{"type":"same_as","id":"l","places":["acled:bamba","bamba-gao"],"sources":["s1"]}"#;
    let w = world(&format!("{TWO_SOURCES}\n{link}"));
    let a = on(&w, "acled:bamba", "2016-01-01");
    assert_eq!(a.status, Status::Contested, "{a:?}");
    assert_eq!(a, on(&w, "bamba-gao", "2016-01-01"));
    // The name now means one linked place and one other: still two things.
    assert!(w.resolve_place("Bamba").is_err());
    assert_eq!(
        w.place_namesakes(&PlaceId::new("bamba-gao").unwrap()),
        [PlaceId::new("acled:other-bamba").unwrap()]
    );
    assert_eq!(w.resolve_place("acled:bamba").unwrap().as_str(), "bamba-gao");

    // Linking the actors too: the same holder in both sources, no contest.
    let actors =
        r#"{"type":"same_as","id":"m","actors":["acled:gatia","gatia","cma"],"sources":["s1"]}"#;
    let w = world(&format!("{TWO_SOURCES}\n{link}\n{actors}"));
    let a = on(&w, "bamba-gao", "2016-01-01");
    assert_eq!(a.status, Status::Controlled);
    assert_eq!(a.controller.unwrap().as_str(), "cma");
}

#[test]
fn entities_that_share_an_identifier_are_one_until_it_is_retracted() {
    let ids = r#"
{"type":"identifiers","id":"i1","place":"bamba-gao","ids":{"wikidata":"Q3429906"},"sources":["s1"]}
{"type":"identifiers","id":"i2","place":"acled:bamba","ids":{"wikidata":"Q3429906","geonames":"2460596"},"sources":["s2"]}
{"type":"identifiers","id":"i3","place":"acled:other-bamba","ids":{"geonames":"1"},"sources":["s2"]}"#;
    let w = world(&format!("{TWO_SOURCES}\n{ids}"));
    let bamba = PlaceId::new("bamba-gao").unwrap();
    assert_eq!(w.linked_places(&bamba), [PlaceId::new("acled:bamba").unwrap(), bamba.clone()]);
    assert_eq!(on(&w, "acled:bamba", "2016-01-01").status, Status::Contested);
    let entity = annals_model::Entity::Place(PlaceId::new("acled:bamba").unwrap());
    assert_eq!(w.identifiers(&entity).len(), 2);

    let retracted = r#"{"type":"retraction","id":"r","retracts":"i1","reason":"wrong item"}"#;
    let w = world(&format!("{TWO_SOURCES}\n{ids}\n{retracted}"));
    assert!(w.linked_places(&bamba).is_empty());
    assert_eq!(on(&w, "bamba-gao", "2016-01-01").controller.unwrap().as_str(), "cma");
}
