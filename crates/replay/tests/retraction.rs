//! Retracting a source, an actor or a place: a retracted source is cited by
//! no answer, an event left with only retracted sources no longer counts,
//! and an event naming a retracted actor or place no longer counts; the
//! entity itself is listed and found nowhere. As a property: replaying a
//! log with entity retractions, in any order, answers exactly as replaying
//! it with those events removed by hand.

use annals_model::{parse_day, ActorId, Event, EventKind, PlaceId, RefKind, SourceId};
use annals_replay::{Holding, Status, World};
use chrono::NaiveDate;
use proptest::prelude::*;

use annals_testkit::recorded as records;

const ENTITIES: &str = r#"
{"type":"source","id":"s1","title":"One report"}
{"type":"source","id":"s2","title":"Another report"}
{"type":"actor","id":"a","name":"Alpha Front","aliases":["AF"]}
{"type":"actor","id":"b","name":"Bêta Brigade"}
{"type":"place","id":"p","name":"Tombouctou","aliases":["Timbuktu"]}
{"type":"place","id":"q","name":"Gao"}
"#;

fn world(lines: &str) -> World {
    World::replay(records(annals_testkit::parse_lines(&format!("{ENTITIES}\n{lines}"))))
}

fn on(world: &World, place: &str, day: &str) -> Holding {
    world.control(&PlaceId::new(place).unwrap(), parse_day(day).unwrap())
}

fn sources(h: &Holding) -> Vec<&str> {
    h.sources.iter().map(|s| s.as_str()).collect()
}

fn withdrawals(w: &World) -> Vec<String> {
    w.withdrawals().iter().map(ToString::to_string).collect()
}

const TWO_SEIZURES: &str = r#"{"type":"control_taken","id":"t1","place":"p","actor":"a","date":"2023-01-15","sources":["s1","s2"]}
{"type":"control_taken","id":"t2","place":"q","actor":"b","date":"2023-01-15","sources":["s1"]}"#;

#[test]
fn a_retracted_source_is_cited_by_no_answer_and_events_count_on_their_other_sources() {
    let before = world(TWO_SEIZURES);
    assert_eq!(sources(&on(&before, "p", "2023-02-01")), ["s1", "s2"]);
    let w = world(&format!(
        "{TWO_SEIZURES}\n{}",
        r#"{"type":"retraction","id":"r1","retracts":"s1","reason":"a forgery"}"#
    ));
    // t1 counts on s2, and cites it alone.
    let p = on(&w, "p", "2023-02-01");
    assert_eq!(
        (p.status, p.controller.as_ref().map(|a| a.as_str())),
        (Status::Controlled, Some("a"))
    );
    assert_eq!(sources(&p), ["s2"]);
    let cited = |id: &str| w.event_sources(id).iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!((cited("t1"), cited("t2")), (vec!["s2".to_string()], vec![]));
    assert_eq!(before.event_sources("t2"), [SourceId::new("s1").unwrap()]);
    // t2 rested on s1 alone: it no longer counts, as if retracted by r1.
    let q = on(&w, "q", "2023-02-01");
    assert_eq!((q.status, q.event), (Status::Unknown, None));
    assert_eq!(w.retracted_by("t2").map(|r| r.as_str()), Some("r1"));
    assert_eq!(w.retracted_by("t1"), None);
    assert!(w.source("s1").is_none(), "a retracted source is not listed");
    assert_eq!(
        withdrawals(&w),
        ["event `t2`: every source it cites is retracted (`s1`); the event no longer counts"]
    );
}

#[test]
fn an_event_naming_a_retracted_actor_or_place_no_longer_counts_and_the_entity_is_not_found() {
    let w = world(&format!(
        "{TWO_SEIZURES}\n{}",
        r#"{"type":"retraction","id":"r-a","retracts":"a","reason":"no such group"}
{"type":"retraction","id":"r-q","retracts":"q","reason":"a duplicate of another place"}"#
    ));
    assert_eq!(on(&w, "p", "2023-02-01").status, Status::Unknown);
    assert_eq!(on(&w, "q", "2023-02-01").status, Status::Unknown);
    assert_eq!(w.retracted_by("t1").map(|r| r.as_str()), Some("r-a"));
    assert_eq!(w.retracted_by("t2").map(|r| r.as_str()), Some("r-q"));
    assert!(w.resolve_actor("a").is_err() && w.resolve_actor("Alpha Front").is_err());
    assert!(w.resolve_place("q").is_err() && w.resolve_place("Gao").is_err());
    assert!(w.actor("a").is_none() && w.place("q").is_none());
    assert_eq!(w.actors().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["b"]);
    assert_eq!(w.places().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["p"]);
    // The others are still found; the history keeps the events, marked.
    assert!(w.resolve_actor("b").is_ok() && w.resolve_place("Timbuktu").is_ok());
    let history = w.history(&PlaceId::new("p").unwrap());
    assert_eq!(history[0].retracted_by.map(|r| r.as_str()), Some("r-a"));
    assert_eq!(
        withdrawals(&w),
        [
            "event `t1` names a retracted actor `a` (retracted by `r-a`); the event no longer counts",
            "event `t2` names a retracted place `q` (retracted by `r-q`); the event no longer counts",
        ]
    );
    // A retraction replayed before the entity it retracts, and before the
    // events that name it, does the same.
    let mut events = annals_testkit::parse_lines(&format!(
        "{ENTITIES}\n{TWO_SEIZURES}\n{}",
        r#"{"type":"retraction","id":"r-a","retracts":"a","reason":"no such group"}
{"type":"retraction","id":"r-q","retracts":"q","reason":"a duplicate of another place"}"#
    ));
    events.reverse();
    let reversed = World::replay(records(events));
    assert_eq!(withdrawals(&reversed), withdrawals(&w));
    assert_eq!(on(&reversed, "p", "2023-02-01"), on(&w, "p", "2023-02-01"));
    assert_eq!(reversed.actors().count(), 1);
}

/// The entities the property retracts: any of the pools'.
fn entity_ids() -> Vec<(RefKind, &'static str)> {
    let sources = annals_testkit::SOURCES.iter().map(|s| (RefKind::Source, *s));
    let actors = annals_testkit::ACTORS.iter().map(|s| (RefKind::Actor, *s));
    let places = annals_testkit::PLACES.iter().map(|s| (RefKind::Place, *s));
    sources.chain(actors).chain(places).collect()
}

fn retraction(i: usize, target: &str) -> Event {
    let line = format!(
        r#"{{"type":"retraction","id":"entity-retraction{i}","retracts":"{target}","reason":"test"}}"#
    );
    annals_testkit::parse_lines(&line).remove(0)
}

/// `log` with what the retracted entities take with them removed by hand:
/// every event (not an entity, not a retraction) naming a retracted actor
/// or place, or whose sources are all retracted, is dropped; retracted
/// sources are dropped from the others.
fn removed_by_hand(log: &[Event], retracted: &[(RefKind, &str)]) -> Vec<Event> {
    let is = |kind: RefKind, id: &str| retracted.contains(&(kind, id));
    let mut out = Vec::new();
    for e in log {
        let counted = !e.kind.is_entity() && !matches!(e.kind, EventKind::Retraction { .. });
        if counted {
            let mut names = false;
            e.visit_references(|r| names |= r.kind != RefKind::Source && is(r.kind, r.id));
            let all_gone =
                !e.sources.is_empty() && e.sources.iter().all(|s| is(RefKind::Source, s.as_str()));
            if names || all_gone {
                continue;
            }
        }
        let mut e = e.clone();
        e.sources.retain(|s: &SourceId| !is(RefKind::Source, s.as_str()));
        out.push(e);
    }
    out
}

fn days() -> Vec<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(2019, 12, 25).unwrap();
    let mut out = Vec::new();
    while d < NaiveDate::from_ymd_opt(2024, 1, 7).unwrap() {
        out.push(d);
        d += chrono::Duration::days(23);
    }
    out
}

fn control_answers(w: &World) -> Vec<Holding> {
    let mut out = Vec::new();
    for place in annals_testkit::PLACES {
        for day in days() {
            out.push(w.control(&PlaceId::new(*place).unwrap(), day));
        }
    }
    out
}

fn government_answers(w: &World) -> Vec<Holding> {
    let mut out = Vec::new();
    for state in annals_testkit::ACTORS {
        for day in days() {
            out.push(w.government(&ActorId::new(*state).unwrap(), day));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Entity retractions, in any replay order, answer exactly as the log
    /// with their events removed by hand; no retracted entity is listed.
    #[test]
    fn retracting_an_entity_is_removing_what_rests_on_it_in_any_order(
        log in annals_testkit::world_log(),
        picks in prop::collection::btree_set(0usize..11, 0..4),
        seed in any::<u64>(),
    ) {
        let all = entity_ids();
        let retracted: Vec<(RefKind, &str)> = picks.iter().map(|&i| all[i]).collect();
        let mut with = log.clone();
        for (i, (_, id)) in retracted.iter().enumerate() {
            with.push(retraction(i, id));
        }
        let world = World::replay(records(with.clone()));
        let shuffled = World::replay(records(annals_testkit::shuffled(with, seed)));
        let by_hand = World::replay(records(removed_by_hand(&log, &retracted)));
        prop_assert_eq!(control_answers(&world), control_answers(&by_hand));
        prop_assert_eq!(government_answers(&world), government_answers(&by_hand));
        prop_assert_eq!(control_answers(&shuffled), control_answers(&world));
        prop_assert_eq!(government_answers(&shuffled), government_answers(&world));
        prop_assert_eq!(shuffled.anomalies(), world.anomalies());
        prop_assert_eq!(shuffled.withdrawals(), world.withdrawals());
        for (kind, id) in &retracted {
            let listed = match kind {
                RefKind::Source => world.source(id).is_some(),
                RefKind::Actor => world.actors().any(|a| a.id.as_str() == *id),
                _ => world.places().any(|p| p.id.as_str() == *id),
            };
            prop_assert!(!listed, "{} is retracted but listed", id);
        }
        // Every event withdrawn is named by an anomaly and retracted_by.
        for e in &log {
            let kept = removed_by_hand(std::slice::from_ref(e), &retracted);
            if kept.is_empty() && world.retracted_by(e.id.as_str()).is_none() {
                prop_assert!(false, "{} was withdrawn without saying by what", e.id);
            }
        }
    }
}
