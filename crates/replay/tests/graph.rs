//! The temporal graph, given / when / then, and its replay laws as properties.

use annals_model::{parse_day, Event};
use annals_replay::{DatedEdge, DatedGraph, EdgeStatus, Node, RelationKind, Status, World};
use chrono::NaiveDate;
use proptest::prelude::*;

const ENTITIES: &str = r#"
{"type":"source","id":"s1","title":"One report"}
{"type":"source","id":"s2","title":"Another report"}
{"type":"actor","id":"state","name":"The State","kind":"state"}
{"type":"actor","id":"army","name":"The Army","kind":"armed_force"}
{"type":"actor","id":"junta","name":"The Junta","kind":"government"}
{"type":"actor","id":"old-gov","name":"Old Government","kind":"government"}
{"type":"actor","id":"front","name":"The Front","kind":"coalition"}
{"type":"actor","id":"a","name":"Group A","kind":"armed_group"}
{"type":"actor","id":"b","name":"Group B","kind":"armed_group"}
{"type":"actor","id":"c","name":"Group C","kind":"armed_group"}
{"type":"actor","id":"pact","name":"The Pact","kind":"coalition"}
{"type":"actor","id":"france","name":"France","kind":"state"}
{"type":"place","id":"town","name":"Town"}
"#;

use annals_testkit::recorded as records;

fn world(lines: &str) -> World {
    World::replay(records(annals_testkit::parse_lines(&format!("{ENTITIES}\n{lines}"))))
}

fn day(s: &str) -> NaiveDate {
    parse_day(s).unwrap()
}

/// The edges of a dated graph as `kind source target status` strings.
fn edges(g: &DatedGraph) -> Vec<String> {
    g.edges().iter().map(|e| describe(e)).collect()
}

fn describe(e: &DatedEdge) -> String {
    let q = e.key.qualifier.as_ref().map(|q| format!(" ({q})")).unwrap_or_default();
    format!("{} {} {} {}{q}", e.key.kind, e.key.source, e.key.target, e.status.as_str())
}

fn edges_on(w: &World, d: &str) -> Vec<String> {
    edges(&w.graph_on(day(d)))
}

#[test]
fn a_membership_holds_between_its_beginning_and_its_end() {
    let w = world(
        r#"{"type":"membership_began","id":"m1","member":"a","group":"front","date":"2014-10-28","sources":["s1"]}
{"type":"membership_ended","id":"m2","member":"a","group":"front","date":"2023-09-24","sources":["s2"]}"#,
    );
    assert!(edges_on(&w, "2014-10-27").is_empty());
    assert_eq!(edges_on(&w, "2014-10-28"), ["member_of a front valid"]);
    let g = w.graph_on(day("2020-01-01"));
    let e = g.edges()[0];
    assert_eq!(e.since.unwrap().to_string(), "2014-10-28");
    assert_eq!(e.until.unwrap().to_string(), "2023-09-24");
    assert_eq!(e.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(), ["m1"]);
    assert_eq!(e.sources.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["s1"]);
    assert_eq!(g.nodes().len(), 2);
    // The end is settled on its own day.
    assert!(edges_on(&w, "2023-09-24").is_empty());
    assert_eq!(edges_on(&w, "2023-09-23"), ["member_of a front valid"]);
}

#[test]
fn an_end_known_only_to_the_year_is_uncertain_inside_that_year() {
    let w = world(
        r#"{"type":"membership_began","id":"m1","member":"a","group":"front","date":"2021-05-06"}
{"type":"membership_ended","id":"m2","member":"a","group":"front","date":"2024"}"#,
    );
    assert_eq!(edges_on(&w, "2023-12-31"), ["member_of a front valid"]);
    assert_eq!(edges_on(&w, "2024-06-01"), ["member_of a front uncertain"]);
    assert!(edges_on(&w, "2025-01-01").is_empty());
    let g = w.graph_on(day("2024-06-01"));
    assert_eq!(g.edges()[0].events.len(), 2, "the uncertain edge cites both events");
}

#[test]
fn an_intervention_edge_exists_only_while_it_lasts_and_operations_are_told_apart() {
    let w = world(
        r#"{"type":"intervention_began","id":"i1","intervener":"france","host":"state","operation":"Serval","date":"2013-01-11"}
{"type":"intervention_ended","id":"i2","intervener":"france","host":"state","operation":"Serval","date":"2014-07-15"}
{"type":"intervention_began","id":"i3","intervener":"france","host":"state","operation":"Barkhane","date":"2014-08-01"}
{"type":"intervention_ended","id":"i4","intervener":"france","host":"state","operation":"Barkhane","date":"2022-08-15"}"#,
    );
    assert!(edges_on(&w, "2013-01-10").is_empty());
    assert_eq!(edges_on(&w, "2013-06-01"), ["intervenes_in france state valid (Serval)"]);
    assert!(edges_on(&w, "2014-07-20").is_empty(), "between the two operations");
    assert_eq!(edges_on(&w, "2020-01-01"), ["intervenes_in france state valid (Barkhane)"]);
    assert!(edges_on(&w, "2022-08-15").is_empty());
}

#[test]
fn an_alliance_links_every_pair_and_its_end_must_name_the_same_pact() {
    let w = world(
        r#"{"type":"alliance_formed","id":"f1","actors":["c","a","b"],"alliance":"pact","date":"2023-09-16"}
{"type":"alliance_ended","id":"f2","actors":["a","b"],"alliance":"pact","date":"2024-01"}
{"type":"alliance_ended","id":"f3","actors":["a","c"],"date":"2024-01-01"}"#,
    );
    assert_eq!(
        edges_on(&w, "2023-12-01"),
        [
            "allied_with a b valid (pact)",
            "allied_with a c valid (pact)",
            "allied_with b c valid (pact)"
        ]
    );
    // `f3` names no pact, so it ends a relation nobody began: an anomaly.
    assert_eq!(
        edges_on(&w, "2024-02-01"),
        ["allied_with a c valid (pact)", "allied_with b c valid (pact)"]
    );
    assert!(w.anomalies().iter().any(|a| a.to_string().contains("`f3` ends allied_with a → c")));
}

#[test]
fn an_agreement_ended_without_signatories_ends_for_all_of_them() {
    let w = world(
        r#"{"type":"agreement_signed","id":"g1","agreement":"accord","name":"The Accord","signatories":["state","a"],"date":"2015-05-15"}
{"type":"agreement_signed","id":"g2","agreement":"accord","name":"Accord (second signing)","signatories":["front"],"date":"2015-06-20"}
{"type":"agreement_ended","id":"g3","agreement":"accord","signatories":["a"],"date":"2020"}
{"type":"agreement_ended","id":"g4","agreement":"accord","date":"2024-01-25"}"#,
    );
    assert_eq!(edges_on(&w, "2015-06-01"), ["signed a accord valid", "signed state accord valid"]);
    assert_eq!(
        edges_on(&w, "2021-01-01"),
        ["signed front accord valid", "signed state accord valid"]
    );
    assert!(edges_on(&w, "2024-01-25").is_empty());
    assert_eq!(w.agreement_name("accord"), Some("The Accord"));
    let g = w.graph_on(day("2021-01-01"));
    assert!(g.contains(&Node::Agreement(annals_model::AgreementId::new("accord").unwrap())));
}

#[test]
fn control_edges_agree_with_the_control_answer() {
    let w = world(
        r#"{"type":"control_taken","id":"t1","place":"town","actor":"army","date":"2020-01-01"}
{"type":"control_taken","id":"t2","place":"town","actor":"a","date":"2023-03-01","claimed_by":"a","claim":"claimed"}
{"type":"control_taken","id":"t3","place":"town","actor":"b","date":"2023-03-01","claimed_by":"b","claim":"claimed"}
{"type":"control_taken","id":"t4","place":"town","actor":"army","date":"2023-06"}
{"type":"control_lost","id":"t5","place":"town","actor":"army","date":"2023-09-01"}"#,
    );
    assert_eq!(edges_on(&w, "2021-01-01"), ["controls army town valid"]);
    assert_eq!(
        edges_on(&w, "2023-04-01"),
        ["controls a town contested", "controls b town contested"]
    );
    // Inside June: the contest before, the army's possible return.
    assert_eq!(
        edges_on(&w, "2023-06-10"),
        ["controls a town uncertain", "controls army town uncertain", "controls b town uncertain"]
    );
    assert_eq!(edges_on(&w, "2023-07-01"), ["controls army town valid"]);
    assert!(edges_on(&w, "2023-09-01").is_empty());
    let town = w.resolve_place("town").unwrap();
    for d in ["2021-01-01", "2023-04-01", "2023-06-10", "2023-07-01", "2023-09-01"] {
        let h = w.control(&town, day(d));
        let g = w.graph_on(day(d));
        let status = g.edges().first().map(|e| e.status);
        let expected = match h.status {
            Status::Controlled => Some(EdgeStatus::Valid),
            Status::Contested => Some(EdgeStatus::Contested),
            Status::Uncertain => Some(EdgeStatus::Uncertain),
            Status::Unknown => None,
        };
        assert_eq!(status, expected, "on {d}");
    }
    let e = w.graph_on(day("2021-01-01")).edges()[0].clone();
    assert_eq!(e.until.unwrap().to_string(), "2023-03-01", "the rivals' seizure ends it");
}

#[test]
fn a_successful_coup_moves_the_governs_edge_and_a_failed_one_does_not() {
    let w = world(
        r#"{"type":"government","id":"g0","state":"state","actor":"old-gov","date":"2013-09-04"}
{"type":"coup","id":"c1","state":"state","perpetrator":"a","outcome":"failed","date":"2016-01-01"}
{"type":"coup","id":"c2","state":"state","perpetrator":"junta","ousted":"old-gov","outcome":"successful","date":"2020-08-18"}"#,
    );
    assert_eq!(edges_on(&w, "2016-06-01"), ["governs old-gov state valid"]);
    assert_eq!(edges_on(&w, "2020-08-18"), ["governs junta state valid"]);
    let diff = w.diff(day("2015-01-01"), day("2021-01-01"));
    let lines: Vec<String> = diff
        .iter()
        .map(|t| {
            format!("{} {} {}", if t.began { "+" } else { "-" }, describe_key(&t.key), t.event)
        })
        .collect();
    assert_eq!(lines, ["+ governs junta state c2", "- governs old-gov state c2"]);
}

fn describe_key(k: &annals_replay::RelationKey) -> String {
    format!("{} {} {}", k.kind, k.source, k.target)
}

#[test]
fn a_retracted_opening_opens_nothing() {
    let w = world(
        r#"{"type":"hostilities_began","id":"h1","actors":["army","a"],"date":"2023-08"}
{"type":"retraction","id":"r1","retracts":"h1","reason":"wrong group"}"#,
    );
    assert!(edges_on(&w, "2024-01-01").is_empty());
    assert_eq!(w.relations().count(), 0);
}

#[test]
fn diff_lists_what_began_and_ended_in_date_order() {
    let w = world(
        r#"{"type":"hostilities_began","id":"h1","actors":["front","army"],"date":"2023-08"}
{"type":"membership_began","id":"m1","member":"a","group":"front","date":"2014-10-28"}
{"type":"membership_ended","id":"m2","member":"a","group":"front","date":"2023-09-24","sources":["s2"]}
{"type":"control_taken","id":"t1","place":"town","actor":"front","date":"2023-10-01"}
{"type":"control_lost","id":"t2","place":"town","actor":"front","date":"2023-10-01"}
{"type":"control_taken","id":"t3","place":"town","actor":"army","date":"2023-11-14"}"#,
    );
    let diff = w.diff(day("2023-01-01"), day("2024-01-01"));
    let lines: Vec<String> = diff
        .iter()
        .map(|t| {
            format!(
                "{} {} {} {}",
                t.date,
                if t.began { "+" } else { "-" },
                describe_key(&t.key),
                t.event
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "2023-08 + hostile_to army front h1",
            "2023-09-24 - member_of a front m2",
            "2023-10-01 + controls front town t1",
            "2023-10-01 - controls front town t2",
            "2023-11-14 + controls army town t3",
        ],
        "the same-day seizure and withdrawal are changes too"
    );
    let cancelled: Vec<bool> = diff.iter().map(|t| t.cancelled).collect();
    assert_eq!(cancelled, [false, false, true, true, false]);
    assert_eq!(diff[1].sources.iter().map(|s| s.as_str()).collect::<Vec<_>>(), ["s2"]);
    // A seizure and withdrawal of one day show in a diff, though no
    // relation holds before or after them.
    let around = w.diff(day("2023-09-30"), day("2023-10-02"));
    let events: Vec<(&str, bool, bool)> =
        around.iter().map(|t| (t.event.as_str(), t.began, t.cancelled)).collect();
    assert_eq!(events, [("t1", true, true), ("t2", false, true)]);
    assert!(w.diff(day("2023-09-24"), day("2023-09-30")).is_empty());
    // A change undone later in the window is cancelled; the last stands.
    let year = w.diff(day("2023-09-30"), day("2023-11-30"));
    let marks: Vec<(&str, bool)> = year.iter().map(|t| (t.event.as_str(), t.cancelled)).collect();
    assert_eq!(marks, [("t1", true), ("t2", true), ("t3", false)]);
}

#[test]
fn blocs_paths_and_neighbourhoods_use_the_dated_graph() {
    let w = world(
        r#"{"type":"membership_began","id":"m1","member":"a","group":"front","date":"2014"}
{"type":"membership_began","id":"m2","member":"b","group":"front","date":"2014"}
{"type":"alliance_formed","id":"f1","actors":["army","france"],"date":"2013"}
{"type":"hostilities_began","id":"h1","actors":["front","army"],"date":"2015"}
{"type":"control_taken","id":"t1","place":"town","actor":"c","date":"2015"}"#,
    );
    let g = w.graph_on(day("2016-01-01"));
    let alliances = [RelationKind::AlliedWith, RelationKind::MemberOf];
    let blocs: Vec<Vec<&str>> =
        g.blocs(&alliances).iter().map(|b| b.iter().map(|n| n.id()).collect()).collect();
    assert_eq!(blocs, [vec!["a", "b", "front"], vec!["army", "france"]]);

    let actor = |s: &str| Node::Actor(annals_model::ActorId::new(s).unwrap());
    let path = g.path(&actor("a"), &actor("france")).unwrap();
    let steps: Vec<String> =
        path.iter().map(|(e, n)| format!("{}>{}", e.key.kind, n.id())).collect();
    assert_eq!(steps, ["member_of>front", "hostile_to>army", "allied_with>france"]);
    assert!(g.path(&actor("a"), &actor("c")).is_none());

    let mut near = w.graph_on(day("2016-01-01"));
    near.retain_around(&actor("front"), 1);
    let ids: Vec<&str> = near.nodes().iter().map(|n| n.id()).collect();
    assert_eq!(ids, ["a", "army", "b", "front"]);
    let mut alone = w.graph_on(day("2016-01-01"));
    alone.retain_around(&actor("old-gov"), 2);
    assert_eq!(alone.nodes().len(), 1);
    assert!(alone.edges().is_empty());

    let mut kinds = w.graph_on(day("2016-01-01"));
    kinds.retain_kinds(&[RelationKind::Controls]);
    assert_eq!(edges(&kinds), ["controls c town valid"]);
}

/// Every 23 days over the generated years, plus month edges.
fn grid() -> Vec<NaiveDate> {
    let mut days = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2019, 12, 25).unwrap();
    while d < NaiveDate::from_ymd_opt(2024, 1, 7).unwrap() {
        days.push(d);
        d += chrono::Duration::days(23);
    }
    for y in 2020..=2023 {
        for m in [1, 4, 7, 10] {
            let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
            days.push(first);
            days.push(first.pred_opt().unwrap());
        }
    }
    days
}

/// The dated graphs on the grid, `until` left out (it looks ahead on purpose).
fn graphs_without_until(w: &World, days: &[NaiveDate]) -> Vec<Vec<DatedEdge>> {
    days.iter()
        .map(|&d| {
            w.graph_on(d)
                .edges()
                .into_iter()
                .map(|e| DatedEdge { until: None, ..e.clone() })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Any append order gives the same graph on every date, and the same diff.
    #[test]
    fn append_order_does_not_change_the_graph(log in annals_testkit::world_log(), seed in any::<u64>()) {
        let a = World::replay(records(log.clone()));
        let b = World::replay(records(annals_testkit::shuffled(log, seed)));
        for d in grid() {
            let (ga, gb) = (a.graph_on(d), b.graph_on(d));
            prop_assert_eq!(ga.edges(), gb.edges(), "on {}", d);
            prop_assert_eq!(ga.nodes(), gb.nodes());
            prop_assert_eq!(ga.blocs(&RelationKind::ALL), gb.blocs(&RelationKind::ALL));
        }
        let (from, to) = (day("2020-06-01"), day("2023-06-01"));
        prop_assert_eq!(a.diff(from, to), b.diff(from, to));
        prop_assert_eq!(a.anomalies(), b.anomalies());
    }

    /// Events that begin after D never change the graph on or before D.
    #[test]
    fn future_events_never_change_the_past_graph(log in annals_testkit::world_log(), cut in 0usize..1000) {
        let days = grid();
        let d = days[cut % days.len()];
        let full = World::replay(records(log.clone()));
        let past: Vec<Event> = log.into_iter().filter(|e| e.date.is_none_or(|x| x.earliest() <= d)).collect();
        let trimmed = World::replay(records(past));
        let before: Vec<NaiveDate> = days.iter().copied().filter(|&x| x <= d).collect();
        prop_assert_eq!(graphs_without_until(&full, &before), graphs_without_until(&trimmed, &before));
    }

    /// Spans agree with the dated graph: an edge that settled events say holds
    /// on day d lies in a span of its relation, and a span holding d has its
    /// edge in the graph of d (perhaps uncertain). Diffs over adjoining windows
    /// add up to the diff over their union.
    #[test]
    fn spans_and_diff_agree_with_the_dated_graph(log in annals_testkit::world_log()) {
        let w = World::replay(records(log));
        let spans = w.spans();
        for d in grid() {
            let g = w.graph_on(d);
            let in_span: Vec<_> = spans
                .iter()
                .filter(|(_, list)| list.iter().any(|s| s.start <= d && s.end.is_none_or(|e| d < e)))
                .map(|(k, _)| *k)
                .collect();
            for e in g.edges() {
                if e.status != EdgeStatus::Uncertain {
                    prop_assert!(in_span.contains(&&e.key), "{:?} holds on {} outside its spans", e.key, d);
                }
            }
            for k in &in_span {
                prop_assert!(g.edges().iter().any(|e| &e.key == *k), "{:?} spans {} but is not in its graph", k, d);
            }
        }
        let (a, b, c) = (day("2020-03-01"), day("2021-08-15"), day("2023-06-01"));
        let mut joined = w.diff(a, b);
        joined.extend(w.diff(b, c));
        let mut whole = w.diff(a, c);
        let key = |t: &annals_replay::Transition| (format!("{:?}", t.key), t.settled, t.began, t.event.clone());
        joined.sort_by_key(key);
        whole.sort_by_key(key);
        // Whether a change is undone depends on the window: compare the changes.
        let changes = |list: Vec<annals_replay::Transition>| -> Vec<annals_replay::Transition> {
            list.into_iter().map(|t| annals_replay::Transition { cancelled: false, ..t }).collect()
        };
        let (joined, whole) = (changes(joined), changes(whole));
        prop_assert_eq!(joined, whole);
    }

    /// Stretches say what the dated graph says: on every day, the edges of
    /// the graph are the stretches holding that day, with the same status,
    /// `since`, `claim` and `until`; a stretch ends the day before the next
    /// of its relation begins, or before a day the relation is not shown.
    #[test]
    fn stretches_are_the_dated_graph_over_time(log in annals_testkit::world_log()) {
        let w = World::replay(records(log));
        let stretches = w.stretches();
        let shown = |e: &DatedEdge| (format!("{:?}", e.key), e.status, e.since, e.claim, e.until);
        for d in grid() {
            let mut want: Vec<_> = w.graph_on(d).edges().into_iter().map(shown).collect();
            let mut got: Vec<_> = stretches
                .iter()
                .flat_map(|(_, list)| list.iter().filter(|s| s.start <= d && s.last.is_none_or(|l| d <= l)))
                .map(|s| shown(&s.edge))
                .collect();
            want.sort_by(|a, b| a.0.cmp(&b.0));
            got.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(got, want, "on {}", d);
        }
        for (key, list) in &stretches {
            for pair in list.windows(2) {
                let last = pair[0].last.expect("only the last stretch may stay open");
                prop_assert!(last < pair[1].start, "{:?}: stretches overlap", key);
            }
        }
    }

    /// `controls` and `governs` edges say what `control` and `government` say.
    #[test]
    fn holder_edges_match_the_holder_answers(log in annals_testkit::world_log()) {
        let w = World::replay(records(log));
        for d in grid() {
            let g = w.graph_on(d);
            for place in annals_testkit::PLACES {
                let id = w.resolve_place(place).unwrap();
                let h = w.control(&id, d);
                let node = Node::Place(id);
                let mut on_graph: Vec<(&str, EdgeStatus)> = g.edges_of(&node).iter().map(|e| (e.key.source.id(), e.status)).collect();
                on_graph.sort();
                match h.status {
                    Status::Controlled => prop_assert_eq!(on_graph, vec![(h.controller.as_ref().unwrap().as_str(), EdgeStatus::Valid)]),
                    Status::Unknown => prop_assert!(on_graph.is_empty()),
                    Status::Contested => {
                        let mut want: Vec<(&str, EdgeStatus)> = h.candidates.iter().map(|c| (c.actor.as_str(), EdgeStatus::Contested)).collect();
                        want.sort();
                        want.dedup();
                        prop_assert_eq!(on_graph, want);
                    }
                    Status::Uncertain => prop_assert!(on_graph.iter().all(|(_, s)| *s == EdgeStatus::Uncertain)),
                }
            }
        }
    }
}
