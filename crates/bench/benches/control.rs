//! Warm `control` lookup latency from the replayed `World`, against:
//! - the same question in SQLite (rusqlite, bundled), tuned fairly: in memory,
//!   a covering index on (place, start, controller), the statement prepared
//!   once outside the loop, the answer read without copying it;
//! - a plain `BTreeMap` lookup (a reference point);
//! - replaying the log to answer (the naive design).
//!
//! The SQLite question is simpler than ours: "the latest `control_taken` whose
//! start is on or before the day". It knows nothing of date precision (an
//! event is placed on its earliest day), of `control_lost` (a withdrawal does
//! not end control), of ties (contested), of events not yet settled
//! (uncertain), of claims, sources or `--known-at`. Retracted events are left
//! out of its table, so it answers as of the end of the log, like ours. The
//! `BTreeMap` answers the same simpler question.
//!
//! `index` is the lookup a warm process makes: the interval index of
//! [`World::index`], status and controller read without building anything.
//! `index_holding` builds the whole answer from it (candidates, sources,
//! window), as `annals control` prints it; `world` folds the place's timeline
//! on every call (the reference semantics).
//!
//! Targets: warm `control` <= 100 ns and >= 10x faster than SQLite.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hint::black_box;
use std::time::Duration;

use annals_bench::{
    control_queries, replay, report_line, report_ratio, sizes, synthetic, BenchLog,
};
use annals_model::{ActorId, Event, EventKind, PlaceId};
use annals_replay::Status;
use chrono::{Datelike, NaiveDate};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rusqlite::{params, Connection};

/// The non-retracted `control_taken` events: (place, earliest day, controller).
fn takes(events: &[Event]) -> Vec<(PlaceId, NaiveDate, ActorId)> {
    let retracted: HashSet<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Retraction { retracts, .. } => Some(retracts.as_str()),
            _ => None,
        })
        .collect();
    events
        .iter()
        .filter(|e| !retracted.contains(e.id.as_str()))
        .filter_map(|e| match (&e.kind, e.date) {
            (EventKind::ControlTaken { place, actor, .. }, Some(date)) => {
                Some((place.clone(), date.earliest(), actor.clone()))
            }
            _ => None,
        })
        .collect()
}

fn sqlite(takes: &[(PlaceId, NaiveDate, ActorId)]) -> Connection {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.execute_batch(
        "CREATE TABLE control (place TEXT NOT NULL, start INTEGER NOT NULL, controller TEXT NOT NULL);",
    )
    .expect("a table");
    {
        let tx = conn.unchecked_transaction().expect("a transaction");
        let mut insert = tx.prepare("INSERT INTO control VALUES (?1, ?2, ?3)").expect("an insert");
        for (place, day, actor) in takes {
            insert
                .execute(params![place.as_str(), day.num_days_from_ce(), actor.as_str()])
                .expect("a row");
        }
        drop(insert);
        tx.commit().expect("commit");
    }
    conn.execute_batch(
        "CREATE INDEX control_covering ON control (place, start, controller); ANALYZE;",
    )
    .expect("an index");
    conn
}

/// The same table with integer keys (places and actors numbered in a side
/// table): the strongest SQLite baseline, if users kept integer ids.
fn sqlite_int(
    takes: &[(PlaceId, NaiveDate, ActorId)],
    place_number: &HashMap<&PlaceId, i64>,
    actor_number: &HashMap<&ActorId, i64>,
) -> Connection {
    let conn = Connection::open_in_memory().expect("an in-memory database");
    conn.execute_batch(
        "CREATE TABLE control (place INTEGER NOT NULL, start INTEGER NOT NULL, controller INTEGER NOT NULL);",
    )
    .expect("a table");
    {
        let tx = conn.unchecked_transaction().expect("a transaction");
        let mut insert = tx.prepare("INSERT INTO control VALUES (?1, ?2, ?3)").expect("an insert");
        for (place, day, actor) in takes {
            insert
                .execute(params![place_number[place], day.num_days_from_ce(), actor_number[actor]])
                .expect("a row");
        }
        drop(insert);
        tx.commit().expect("commit");
    }
    conn.execute_batch(
        "CREATE INDEX control_covering ON control (place, start, controller); ANALYZE;",
    )
    .expect("an index");
    conn
}

const QUERY: &str =
    "SELECT controller FROM control WHERE place = ?1 AND start <= ?2 ORDER BY start DESC LIMIT 1";

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("control");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    let sizes = sizes();
    for &n in &sizes {
        let events = synthetic(n);
        let built = BenchLog::with(&events);
        let world = replay(&built.log);
        let started = std::time::Instant::now();
        let index = world.index();
        let (intervals, bytes) = index.size();
        report_line(&format!(
            "control/{n}: the interval index took {:.0} ms to build: {intervals} intervals, {} heap bytes ({:.0} per event)",
            started.elapsed().as_secs_f64() * 1e3,
            bytes,
            bytes as f64 / n as f64
        ));
        let queries = control_queries(&events, 4096, 7, true);
        let uniform = control_queries(&events, 4096, 8, false);
        let takes = takes(&events);

        let conn = sqlite(&takes);
        let plan: String = conn
            .query_row(&format!("EXPLAIN QUERY PLAN {QUERY}"), params!["pl-0", 0], |r| r.get(3))
            .expect("a plan");
        assert!(plan.contains("COVERING INDEX"), "SQLite does not use the covering index: {plan}");
        let mut stmt = conn.prepare(QUERY).expect("a statement");
        let sqlite_answer =
            |stmt: &mut rusqlite::Statement<'_>, place: &PlaceId, day: NaiveDate| {
                let mut rows =
                    stmt.query(params![place.as_str(), day.num_days_from_ce()]).expect("a query");
                rows.next()
                    .expect("a row")
                    .map(|r| r.get_ref(0).expect("a value").as_str().expect("text").len())
            };

        let mut place_number: HashMap<&PlaceId, i64> = HashMap::new();
        let mut actor_number: HashMap<&ActorId, i64> = HashMap::new();
        for (place, _, actor) in &takes {
            let next = place_number.len() as i64;
            place_number.entry(place).or_insert(next);
            let next = actor_number.len() as i64;
            actor_number.entry(actor).or_insert(next);
        }
        let int_queries: Vec<(i64, i32)> = queries
            .iter()
            .map(|(p, d)| (place_number.get(p).copied().unwrap_or(-1), d.num_days_from_ce()))
            .collect();
        let conn_int = sqlite_int(&takes, &place_number, &actor_number);
        let mut stmt_int = conn_int.prepare(QUERY).expect("a statement");

        let mut btree: BTreeMap<PlaceId, BTreeMap<NaiveDate, ActorId>> = BTreeMap::new();
        for (place, day, actor) in &takes {
            btree.entry(place.clone()).or_default().insert(*day, actor.clone());
        }
        let btree_answer = |place: &PlaceId, day: NaiveDate| {
            btree.get(place).and_then(|t| t.range(..=day).next_back()).map(|(_, a)| a)
        };

        // How often do the two questions give the same controller?
        let (mut controlled, mut same) = (0, 0);
        for (place, day) in &queries {
            let ours = world.control(place, *day);
            if ours.status == Status::Controlled {
                controlled += 1;
                let theirs = stmt
                    .query_row(params![place.as_str(), day.num_days_from_ce()], |r| {
                        r.get::<_, String>(0)
                    })
                    .ok();
                same +=
                    usize::from(theirs.as_deref() == ours.controller.as_ref().map(|a| a.as_str()));
            }
        }
        report_line(&format!(
            "control/{n}: {} queries; World says `controlled` for {controlled}; SQLite names the same controller for {same} of those",
            queries.len()
        ));

        let mut i = 0;
        group.bench_function(BenchmarkId::new("index", n), |b| {
            b.iter(|| {
                let (place, day) = &queries[i % queries.len()];
                i += 1;
                let answer = index.control(black_box(place), *day);
                black_box((answer.status(), answer.controller()))
            })
        });
        group.bench_function(BenchmarkId::new("index_uniform_places", n), |b| {
            b.iter(|| {
                let (place, day) = &uniform[i % uniform.len()];
                i += 1;
                let answer = index.control(black_box(place), *day);
                black_box((answer.status(), answer.controller()))
            })
        });
        group.bench_function(BenchmarkId::new("index_holding", n), |b| {
            b.iter(|| {
                let (place, day) = &queries[i % queries.len()];
                i += 1;
                black_box(index.control(black_box(place), *day).holding())
            })
        });
        group.bench_function(BenchmarkId::new("world", n), |b| {
            b.iter(|| {
                let (place, day) = &queries[i % queries.len()];
                i += 1;
                black_box(world.control(black_box(place), *day))
            })
        });
        group.bench_function(BenchmarkId::new("sqlite", n), |b| {
            b.iter(|| {
                let (place, day) = &queries[i % queries.len()];
                i += 1;
                black_box(sqlite_answer(&mut stmt, black_box(place), *day))
            })
        });
        group.bench_function(BenchmarkId::new("sqlite_integer_keys", n), |b| {
            b.iter(|| {
                let (place, day) = int_queries[i % int_queries.len()];
                i += 1;
                let mut rows = stmt_int.query(params![black_box(place), day]).expect("a query");
                black_box(rows.next().expect("a row").map(|r| r.get::<_, i64>(0).expect("an id")))
            })
        });
        group.bench_function(BenchmarkId::new("world_uniform_places", n), |b| {
            b.iter(|| {
                let (place, day) = &uniform[i % uniform.len()];
                i += 1;
                black_box(world.control(black_box(place), *day))
            })
        });
        group.bench_function(BenchmarkId::new("sqlite_uniform_places", n), |b| {
            b.iter(|| {
                let (place, day) = &uniform[i % uniform.len()];
                i += 1;
                black_box(sqlite_answer(&mut stmt, black_box(place), *day))
            })
        });
        group.bench_function(BenchmarkId::new("btreemap", n), |b| {
            b.iter(|| {
                let (place, day) = &queries[i % queries.len()];
                i += 1;
                black_box(btree_answer(black_box(place), *day))
            })
        });
        if n <= 200_000 {
            group.sample_size(10);
            group.bench_function(BenchmarkId::new("replay_to_answer", n), |b| {
                b.iter(|| {
                    let (place, day) = &queries[i % queries.len()];
                    i += 1;
                    black_box(replay(&built.log).control(place, *day).status)
                })
            });
            group.sample_size(100);
        }
    }
    group.finish();
    for &n in &sizes {
        report_ratio("control", &format!("index/{n}"), &format!("sqlite/{n}"), None);
        report_ratio(
            "control",
            &format!("index_uniform_places/{n}"),
            &format!("sqlite_uniform_places/{n}"),
            None,
        );
        report_ratio("control", &format!("index/{n}"), &format!("sqlite_integer_keys/{n}"), None);
        report_ratio("control", &format!("index/{n}"), &format!("btreemap/{n}"), None);
        report_ratio("control", &format!("index_holding/{n}"), &format!("sqlite/{n}"), None);
        report_ratio("control", &format!("world/{n}"), &format!("sqlite/{n}"), None);
        report_ratio(
            "control",
            &format!("world_uniform_places/{n}"),
            &format!("sqlite_uniform_places/{n}"),
            None,
        );
        report_ratio("control", &format!("world/{n}"), &format!("sqlite_integer_keys/{n}"), None);
        report_ratio("control", &format!("world/{n}"), &format!("btreemap/{n}"), None);
        if n <= 200_000 {
            report_ratio("control", &format!("world/{n}"), &format!("replay_to_answer/{n}"), None);
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
