//! Actors that end (`actor_dissolved`): given / when / then, and the laws of
//! dissolution as properties.

use annals_model::{parse_day, ActorId, Claim, Date, Event, EventId, EventKind, SourceId};
use annals_replay::{Anomaly, DatedEdge, Headline, Holding, Node, RelationKind, Status, World};
use annals_testkit::recorded as records;
use chrono::NaiveDate;
use proptest::prelude::*;

const ENTITIES: &str = r#"
{"type":"source","id":"s1","title":"One report"}
{"type":"actor","id":"a","name":"Alpha Front"}
{"type":"actor","id":"b","name":"Beta Brigade"}
{"type":"actor","id":"c","name":"Gamma Group"}
{"type":"actor","id":"mali","name":"Mali","kind":"state"}
{"type":"place","id":"p","name":"Tombouctou"}
{"type":"place","id":"q","name":"Gao"}
"#;

fn world(lines: &str) -> World {
    World::replay(records(annals_testkit::parse_lines(&format!("{ENTITIES}\n{lines}"))))
}

fn day(s: &str) -> NaiveDate {
    parse_day(s).unwrap()
}

fn at(world: &World, place: &str, d: &str) -> Holding {
    world.control(&world.resolve_place(place).unwrap(), day(d))
}

fn controller(a: &Holding) -> Option<&str> {
    a.controller.as_ref().map(|c| c.as_str())
}

fn actor(id: &str) -> Node {
    Node::Actor(ActorId::new(id).unwrap())
}

/// The kinds of the live edges of `id` on `d`.
fn edges_of(world: &World, id: &str, d: &str) -> Vec<RelationKind> {
    world.graph_on(day(d)).edges_of(&actor(id)).iter().map(|e| e.key.kind).collect()
}

const HOLDINGS: &str = r#"
{"type":"control_taken","id":"b-takes-p","place":"p","actor":"b","date":"2012-06-28","sources":["s1"]}
{"type":"control_taken","id":"b-takes-q","place":"q","actor":"b","date":"2012-07-01","sources":["s1"]}
{"type":"control_lost","id":"b-leaves-q","place":"q","actor":"b","date":"2013-01-26","sources":["s1"]}
{"type":"alliance_formed","id":"ab","actors":["a","b"],"date":"2012-03","sources":["s1"]}
{"type":"hostilities_began","id":"bc","actors":["b","c"],"date":"2012-04","sources":["s1"]}
{"type":"membership_began","id":"c-in-b","member":"c","group":"b","date":"2012-05","sources":["s1"]}
"#;

#[test]
fn a_merger_hands_the_holdings_over_to_the_successor_from_its_date() {
    let w = world(&format!(
        "{HOLDINGS}\n{}",
        r#"{"type":"actor_dissolved","id":"b-into-a","actor":"b","into":"a","date":"2013-08-22","sources":["s1"]}"#
    ));
    assert_eq!(controller(&at(&w, "p", "2013-08-21")), Some("b"));
    let after = at(&w, "p", "2013-08-22");
    assert_eq!((after.status, controller(&after)), (Status::Controlled, Some("a")));
    assert_eq!(after.event.as_ref().map(|e| e.as_str()), Some("b-into-a"));
    assert_eq!(after.candidates[0].kind, "actor_dissolved");
    assert_eq!(after.sources, vec![SourceId::new("s1").unwrap()]);
    // Gao was lost before the merger: nothing to hand over.
    assert_eq!(at(&w, "q", "2014-01-01").status, Status::Unknown);
    assert_eq!(controller(&at(&w, "q", "2014-01-01")), None);
    assert_eq!(w.dissolutions("b")[0].into.as_ref().map(|a| a.as_str()), Some("a"));
    // Both places' histories show it.
    for place in ["p", "q"] {
        let history = w.history(&w.resolve_place(place).unwrap());
        assert!(history.iter().any(|h| h.event.as_str() == "b-into-a"), "{place}");
    }
    assert!(w.dissolutions("a").is_empty());
}

#[test]
fn a_dissolution_without_successor_leaves_no_controller_and_ends_every_relation() {
    let w = world(&format!(
        "{HOLDINGS}\n{}",
        r#"{"type":"actor_dissolved","id":"b-ends","actor":"b","date":"2013-08-22","sources":["s1"]}"#
    ));
    let before = edges_of(&w, "b", "2013-08-21");
    for kind in [RelationKind::AlliedWith, RelationKind::HostileTo, RelationKind::MemberOf] {
        assert!(before.contains(&kind), "{kind} before: {before:?}");
    }
    let after = at(&w, "p", "2013-08-22");
    assert_eq!((after.status, controller(&after)), (Status::Unknown, None));
    assert_eq!(after.event.as_ref().map(|e| e.as_str()), Some("b-ends"));
    assert_eq!(edges_of(&w, "b", "2013-08-22"), vec![]);
    // Blocs no longer hold it.
    let graph = w.graph_on(day("2013-08-22"));
    let blocs = graph.blocs(&RelationKind::ALL);
    assert!(blocs.iter().all(|b| !b.contains(&&actor("b"))), "{blocs:?}");
    // The diff of the window reports the ends, caused by the dissolution.
    let ends: Vec<_> = w
        .diff(day("2013-08-01"), day("2013-09-01"))
        .into_iter()
        .filter(|t| !t.began && t.event.as_str() == "b-ends")
        .map(|t| t.key.kind)
        .collect();
    for kind in [
        RelationKind::AlliedWith,
        RelationKind::HostileTo,
        RelationKind::MemberOf,
        RelationKind::Controls,
    ] {
        assert!(ends.contains(&kind), "{kind} not ended: {ends:?}");
    }
    // The dynamic exports' stretches of every relation of it end by the day
    // before (Gao's was lost in January), the live ones on that day.
    let gone = actor("b");
    let mut ending_then = 0;
    for (key, stretches) in w.stretches() {
        if key.source == gone || key.target == gone {
            let last = stretches.last().unwrap().last.expect("ended");
            assert!(last <= day("2013-08-21"), "{key:?} {last}");
            ending_then += usize::from(last == day("2013-08-21"));
        }
    }
    assert_eq!(ending_then, 4, "the alliance, the hostility, the membership and Tombouctou");
}

#[test]
fn a_coarse_dissolution_is_uncertain_over_its_window() {
    let w = world(&format!(
        "{HOLDINGS}\n{}",
        r#"{"type":"actor_dissolved","id":"b-ends","actor":"b","into":"a","date":"2013?","sources":["s1"]}"#
    ));
    assert_eq!(controller(&at(&w, "p", "2012-12-31")), Some("b"));
    let within = at(&w, "p", "2013-06-01");
    assert_eq!(within.status, Status::Uncertain);
    assert_eq!(within.before.as_ref().and_then(|b| b.controller.as_ref()).unwrap().as_str(), "b");
    assert_eq!(controller(&at(&w, "p", "2013-12-31")), Some("a"));
}

#[test]
fn events_dated_after_the_dissolution_count_for_nothing_and_are_reported() {
    let w = world(&format!(
        "{HOLDINGS}\n{}",
        r#"{"type":"actor_dissolved","id":"b-ends","actor":"b","date":"2013-08-22","sources":["s1"]}
{"type":"control_taken","id":"late-take","place":"q","actor":"b","date":"2015-02","sources":["s1"]}
{"type":"alliance_formed","id":"late-pact","actors":["b","c"],"date":"2016","sources":["s1"]}"#
    ));
    assert_eq!(controller(&at(&w, "q", "2015-06-01")), None);
    assert_eq!(edges_of(&w, "b", "2017-01-01"), vec![]);
    let reported: Vec<&str> = w
        .anomalies()
        .iter()
        .filter_map(|a| match a {
            Anomaly::AfterDissolution { event, actor, dissolution } => {
                assert_eq!((actor.as_str(), dissolution.as_str()), ("b", "b-ends"));
                Some(event.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(reported, vec!["late-pact", "late-take"]);
}

#[test]
fn a_merged_successor_that_dissolves_hands_on_what_it_inherited() {
    let w = world(&format!(
        "{HOLDINGS}\n{}",
        r#"{"type":"actor_dissolved","id":"b-into-a","actor":"b","into":"a","date":"2013-08-22","sources":["s1"]}
{"type":"actor_dissolved","id":"a-into-c","actor":"a","into":"c","date":"2017-03-02","sources":["s1"]}"#
    ));
    assert_eq!(controller(&at(&w, "p", "2017-03-01")), Some("a"));
    assert_eq!(controller(&at(&w, "p", "2017-03-02")), Some("c"));
}

#[test]
fn a_dissolved_government_hands_the_state_to_its_successor() {
    let w = world(
        r#"{"type":"government","id":"g","state":"mali","actor":"b","date":"2020-08-19","sources":["s1"]}
{"type":"actor_dissolved","id":"b-into-c","actor":"b","into":"c","date":"2021-01-18","sources":["s1"]}"#,
    );
    let mali = ActorId::new("mali").unwrap();
    assert_eq!(controller(&w.government(&mali, day("2021-01-17"))), Some("b"));
    assert_eq!(controller(&w.government(&mali, day("2021-01-18"))), Some("c"));
}

#[test]
fn retracting_the_dissolution_undoes_it() {
    let w = world(&format!(
        "{HOLDINGS}\n{}",
        r#"{"type":"actor_dissolved","id":"b-ends","actor":"b","date":"2013-08-22","sources":["s1"]}
{"type":"retraction","id":"r","retracts":"b-ends","reason":"wrong group"}"#
    ));
    assert_eq!(controller(&at(&w, "p", "2014-01-01")), Some("b"));
    assert!(edges_of(&w, "b", "2014-01-01").contains(&RelationKind::AlliedWith));
    assert!(w.dissolutions("b").is_empty());
}

// ---- laws ----

fn grid() -> Vec<NaiveDate> {
    let mut days = Vec::new();
    let mut d = day("2019-12-25");
    while d < day("2024-01-07") {
        days.push(d);
        d += chrono::Duration::days(17);
    }
    days.push(day("2030-01-01"));
    days
}

/// A map's headline of each place on the grid is its answer's, folded
/// (before the interval index is built) and from the index.
fn headlines_agree(w: &World) {
    assert!(w.built_index().is_none());
    for index in [false, true] {
        for d in grid() {
            for p in annals_testkit::PLACES {
                let id = w.resolve_place(p).unwrap();
                let answer = w.control(&id, d);
                let headline = match index {
                    false => w.control_headline(&id, d),
                    true => w.index().control(&id, d).headline(),
                };
                assert_eq!(headline, Headline::of(&answer), "{p} on {d}, index {index}");
            }
        }
    }
}

/// Every control and government answer and every graph on the grid.
fn everything(w: &World) -> (Vec<Holding>, Vec<Vec<DatedEdge>>) {
    let mut answers = Vec::new();
    let mut graphs = Vec::new();
    for d in grid() {
        for p in annals_testkit::PLACES {
            answers.push(w.control(&w.resolve_place(p).unwrap(), d));
        }
        for a in annals_testkit::ACTORS {
            answers.push(w.government(&ActorId::new(*a).unwrap(), d));
        }
        graphs.push(w.graph_on(d).edges().into_iter().cloned().collect());
    }
    (answers, graphs)
}

fn dissolution(id: &str, actor: &str, into: Option<&str>, date: Date) -> Event {
    Event {
        id: EventId::new(id).unwrap(),
        date: Some(date),
        sources: vec![SourceId::new("src-a").unwrap()],
        claim: Claim::Reported,
        claimed_by: None,
        note: None,
        kind: EventKind::ActorDissolved {
            actor: ActorId::new(actor).unwrap(),
            into: into.map(|i| ActorId::new(i).unwrap()),
        },
    }
}

fn a_dissolution() -> impl Strategy<Value = (usize, Option<usize>, Date)> {
    let n = annals_testkit::ACTORS.len();
    (0..n, prop::option::of(0..n), annals_testkit::date())
        .prop_filter("a successor other than itself", |(a, b, _)| Some(*a) != *b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// The same events with dissolutions give the same world in any order.
    #[test]
    fn order_does_not_matter_with_dissolutions(
        log in annals_testkit::world_log(),
        extra in prop::collection::vec(a_dissolution(), 1..3),
        seed in any::<u64>(),
    ) {
        let mut log = log;
        for (i, (a, into, date)) in extra.into_iter().enumerate() {
            let actors = annals_testkit::ACTORS;
            log.push(dissolution(&format!("gone{i}"), actors[a], into.map(|b| actors[b]), date));
        }
        let a = World::replay(records(log.clone()));
        let b = World::replay(records(annals_testkit::shuffled(log, seed)));
        headlines_agree(&a);
        prop_assert_eq!(everything(&a), everything(&b));
        prop_assert_eq!(a.anomalies(), b.anomalies());
    }

    /// A retracted dissolution is as if it had never been recorded.
    #[test]
    fn retracting_a_dissolution_is_never_dissolving(
        log in annals_testkit::world_log(),
        (a, into, date) in a_dissolution(),
    ) {
        let actors = annals_testkit::ACTORS;
        let mut with = log.clone();
        with.push(dissolution("gone", actors[a], into.map(|b| actors[b]), date));
        with.push(Event {
            id: EventId::new("unsaid").unwrap(),
            date: None,
            sources: vec![SourceId::new("src-a").unwrap()],
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Retraction {
                retracts: EventId::new("gone").unwrap(),
                reason: "no".into(),
                replaced_by: None,
            },
        });
        let never = World::replay(records(log));
        let undone = World::replay(records(with));
        prop_assert_eq!(everything(&never), everything(&undone));
        prop_assert_eq!(never.anomalies(), undone.anomalies());
    }

    /// Once every event is settled, a dissolved actor holds no place and no
    /// state, and no relation of it is live.
    #[test]
    fn a_dissolved_actor_holds_and_relates_to_nothing_after_its_date(
        log in annals_testkit::world_log(),
        (a, into, date) in a_dissolution(),
    ) {
        let actors = annals_testkit::ACTORS;
        let mut log = log;
        log.push(dissolution("gone", actors[a], into.map(|b| actors[b]), date));
        let w = World::replay(records(log));
        let later = day("2030-01-01");
        let gone = ActorId::new(actors[a]).unwrap();
        prop_assert!(w.graph_on(later).edges_of(&Node::Actor(gone.clone())).is_empty());
        for p in annals_testkit::PLACES {
            let answer = w.control(&w.resolve_place(p).unwrap(), later);
            prop_assert!(answer.controller.as_ref() != Some(&gone));
            // A take of the actor may still be listed as evidence, but only
            // beside a loss of its own that ends it, never as what decides:
            // the loss the dissolution makes, when their dates overlap (both
            // in `2023`: which came first is unknown), or its own
            // withdrawal on the day it took the place.
            let took = answer.candidates.iter().any(|c| c.actor == gone && c.change == annals_replay::Change::Taken);
            let lost = answer.candidates.iter().any(|c| {
                c.actor == gone && c.change == annals_replay::Change::Lost
            });
            prop_assert!(!took || lost, "{:?}", answer);
        }
        for s in actors {
            let answer = w.government(&ActorId::new(*s).unwrap(), later);
            prop_assert!(answer.controller.as_ref() != Some(&gone));
        }
    }
}
