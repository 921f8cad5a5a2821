//! annals against DuckDB on the same synthetic events and the same
//! questions, cold and warm, ratios (annals / DuckDB) measured in one run.
//!
//! The data: the JSON Lines file of `annals_synth::write_jsonl`, imported by
//! the release binary (`annals --db DB import`, so the log has the snapshots
//! an import writes) and loaded into a DuckDB database file by DuckDB's own
//! `read_ndjson` (`annals_bench::duckdb::load_sql`). Both are built once per
//! size, outside the timed part. The dates DuckDB computed are checked
//! against annals's own for every event of a place before anything is timed.
//!
//! The questions, on one day (2015-01-01) for one place (the busiest and a
//! place of median activity), for every place (the data of a control map),
//! and one place's timeline:
//! - cold: a fresh process each time, its start included: `annals --db DB
//!   control P --on D`, `graph --on D --kind controls` and `history P`
//!   against `duckdb -no-init -readonly -csv FILE -c SQL`. Each pair's CPU
//!   time per run (user and system, from `/proc/self/stat`) is reported
//!   beside the wall-clock medians, as it depends less on the machine's load;
//! - warm: annals in this process, as `benches/control.rs` does (the interval
//!   index of [`World::index`] for one place and for every place; `World::history`
//!   and the records it names read from the log for a timeline;
//!   `World::graph_on` for the whole graph of controls), against one DuckDB
//!   process running a script of 1 + N questions, minus the same script with
//!   1 question, divided by N (N chosen so the N questions take about a
//!   second).
//!
//! The SQL question is naive: "the latest settled take or loss", where annals
//! also weighs ties (contested), events not yet settled on the day
//! (uncertain) and who lost control. Before timing, the two are compared on
//! every place for a few days, and the differences are counted by kind and
//! printed, not hidden.
//!
//! DuckDB is the program `ANNALS_DUCKDB` or `duckdb` on `PATH`
//! (`pip install duckdb-cli==1.5.6`); without one, this bench prints a line
//! saying so and measures nothing. Sizes: `ANNALS_BENCH_EVENTS`
//! (comma-separated, default 100000). The annals binary is `ANNALS_BIN` or
//! `<target>/release/annals` (`cargo build --release` first).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use annals_bench::duckdb::{children_cpu, control_sql, history_sql, map_sql, DuckDb};
use annals_bench::{
    annals_bin, busiest_and_median_place, control_queries, human_ns, median_ns, replay_ahead,
    report_line, report_ratio, sizes, synthetic, SEED,
};
use annals_log::Log;
use annals_model::{Event, EventKind, PlaceId};
use annals_replay::{RelationKind, World};
use chrono::NaiveDate;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};

const GROUP: &str = "duckdb";

/// The day of the cold questions.
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 1, 1).expect("a date")
}

/// Runs a process to its end; its standard output. Panics if it fails.
fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("the program runs");
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Everything built for one size.
struct Built {
    dir: tempfile::TempDir,
    events: Vec<Event>,
    busiest: PlaceId,
    median: PlaceId,
}

impl Built {
    fn log(&self) -> PathBuf {
        self.dir.path().join("db")
    }
    fn duck(&self) -> PathBuf {
        self.dir.path().join("synth.duckdb")
    }
}

/// Writes the synthetic file, imports it with `annals` and loads it into DuckDB.
fn build(n: u64, bin: &Path, duck: &DuckDb) -> Built {
    let events = synthetic(n);
    let ((busiest, busy_n), (median, median_n)) = busiest_and_median_place(&events);
    let dir = tempfile::tempdir().expect("a directory");
    let jsonl = dir.path().join("synth.jsonl");
    let mut f = std::fs::File::create(&jsonl).expect("a file");
    annals_synth::write_jsonl(&mut f, n, SEED).expect("a synthetic file");
    drop(f);
    let built = Built { dir, events, busiest, median };
    let started = Instant::now();
    run(Command::new(bin).arg("--db").arg(built.log()).arg("init"));
    run(Command::new(bin).arg("--db").arg(built.log()).arg("import").arg(&jsonl));
    let imported = started.elapsed();
    let loaded = duck.build(&jsonl, &built.duck());
    report_line(&format!(
        "{GROUP}/{n}: {} ; annals import {:.2} s, DuckDB load {:.2} s ({:.1} MB file); \
         busiest place {} ({busy_n} control events), median place {} ({median_n})",
        duck.version,
        imported.as_secs_f64(),
        loaded.as_secs_f64(),
        std::fs::metadata(built.duck()).map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
        built.busiest,
        built.median,
    ));
    check_data(duck, &built);
    built
}

/// The DuckDB tables hold the same events with the same days as annals's
/// dates; panics on the first difference.
fn check_data(duck: &DuckDb, built: &Built) {
    let rows = duck.rows(&built.duck(), "SELECT id, earliest, latest FROM place_events");
    let days: HashMap<&str, (&str, &str)> =
        rows[1..].iter().map(|r| (r[0].as_str(), (r[1].as_str(), r[2].as_str()))).collect();
    let mut at_places = 0;
    let mut retracted = std::collections::HashSet::new();
    for e in &built.events {
        if let EventKind::Retraction { retracts, .. } = &e.kind {
            retracted.insert(retracts.as_str());
        }
    }
    let mut control = 0;
    for e in &built.events {
        let (EventKind::ControlTaken { .. }
        | EventKind::ControlLost { .. }
        | EventKind::Attack { .. }) = &e.kind
        else {
            continue;
        };
        at_places += 1;
        let is_control = !matches!(e.kind, EventKind::Attack { .. });
        control += usize::from(is_control && !retracted.contains(e.id.as_str()));
        let date = e.date.expect("synthetic events are dated");
        let ours = (date.earliest().to_string(), date.latest().to_string());
        let theirs = days.get(e.id.as_str()).unwrap_or_else(|| panic!("DuckDB lacks {}", e.id));
        assert_eq!(
            (ours.0.as_str(), ours.1.as_str()),
            *theirs,
            "DuckDB's days of {} ({date}) differ from annals's",
            e.id
        );
    }
    assert_eq!(days.len(), at_places, "DuckDB holds another number of events at places");
    let counted = duck.rows(&built.duck(), "SELECT count(*) FROM control");
    assert_eq!(counted[1][0], control.to_string(), "DuckDB's control table");
}

/// Compares DuckDB's naive controller of every place on `day` with annals's
/// answer (the fold, [`World::control`]), and prints how many places fall in
/// each case: annals's status, and what the SQL answer says beside it.
fn check_answers(duck: &DuckDb, built: &Built, world: &World, day: NaiveDate, n: u64) {
    let rows = duck.rows(&built.duck(), &map_sql(day));
    let col = |name: &str| rows[0].iter().position(|c| c == name).expect("a column");
    let (place, kind, actor) = (col("place"), col("type"), col("actor"));
    let sql: HashMap<&str, &Vec<String>> =
        rows[1..].iter().map(|r| (r[place].as_str(), r)).collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for info in world.places() {
        let ours = world.control(&info.id, day);
        let controller = ours.controller.as_ref().map(|a| a.as_str());
        let says = match sql.get(info.id.as_str()) {
            None => "no settled event",
            Some(r) if r[kind] == "control_lost" && controller.is_none() => "no one (a loss)",
            Some(r) if r[kind] == "control_lost" && Some(r[actor].as_str()) == controller => {
                "no one: a loss by annals's controller"
            }
            Some(r) if r[kind] == "control_lost" => "no one: a loss by another actor",
            Some(r) if Some(r[actor].as_str()) == controller => "the same controller",
            Some(_) if controller.is_some() => "another controller",
            Some(_) => "a controller",
        };
        *counts.entry(format!("{}, SQL {says}", ours.status.as_str())).or_default() += 1;
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let list: Vec<String> = counts.iter().map(|(what, k)| format!("{k} {what}")).collect();
    report_line(&format!(
        "{GROUP}/{n}: answers on {day}, {} places (annals's status, SQL's answer): {}",
        world.places().count(),
        list.join("; "),
    ));
}

/// Benchmarks a process started by `make` and records its children's CPU
/// time per run in `cpu` under `name/n`.
fn process(
    group: &mut BenchmarkGroup<'_, WallTime>,
    cpu: &mut HashMap<String, Duration>,
    name: &str,
    n: u64,
    make: impl Fn() -> Command,
) {
    let mut runs = 0u32;
    let before = children_cpu();
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter(|| {
            runs += 1;
            run(&mut make())
        })
    });
    if let (Some(before), Some(after), true) = (before, children_cpu(), runs > 0) {
        cpu.insert(format!("{name}/{n}"), (after - before) / runs);
    }
}

/// The cold questions, each a fresh process of annals and of DuckDB.
fn cold(
    group: &mut BenchmarkGroup<'_, WallTime>,
    cpu: &mut HashMap<String, Duration>,
    (bin, duck): (&Path, &DuckDb),
    built: &Built,
    n: u64,
) {
    let d = day().to_string();
    let annals = |args: &[&str]| {
        let mut cmd = Command::new(bin);
        cmd.arg("--db").arg(built.log()).args(args);
        cmd
    };
    let duckdb = |sql: String| {
        let mut cmd = duck.query_command(&built.duck());
        cmd.arg("-c").arg(sql);
        cmd
    };
    for (label, place) in [("busiest", &built.busiest), ("median", &built.median)] {
        let p = place.as_str();
        process(group, cpu, &format!("annals_control_{label}"), n, || {
            annals(&["control", p, "--on", &d])
        });
        process(group, cpu, &format!("duckdb_control_{label}"), n, || {
            duckdb(control_sql(p, day()))
        });
    }
    process(group, cpu, "annals_map", n, || annals(&["graph", "--on", &d, "--kind", "controls"]));
    process(group, cpu, "duckdb_map", n, || duckdb(map_sql(day())));
    for (label, place) in [("busiest", &built.busiest), ("median", &built.median)] {
        let p = place.as_str();
        process(group, cpu, &format!("annals_history_{label}"), n, || annals(&["history", p]));
        process(group, cpu, &format!("duckdb_history_{label}"), n, || duckdb(history_sql(p)));
    }
    process(group, cpu, "duckdb_start", n, || duckdb("SELECT 1;".to_string()));
}

/// What the cold commands print, in brief: both answers for the busiest
/// place, and how many lines each map and timeline has.
fn cold_answers(bin: &Path, duck: &DuckDb, built: &Built, n: u64) {
    let d = day().to_string();
    let annals = |args: &[&str]| {
        let out = run(Command::new(bin).arg("--db").arg(built.log()).args(args));
        String::from_utf8_lossy(&out).into_owned()
    };
    let json = annals(&["control", built.busiest.as_str(), "--on", &d, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).expect("control --json");
    let rows = duck.rows(&built.duck(), &control_sql(built.busiest.as_str(), day()));
    let graph = annals(&["graph", "--on", &d, "--kind", "controls"]);
    let map = duck.rows(&built.duck(), &map_sql(day()));
    let history = annals(&["history", built.busiest.as_str()]);
    let timeline = duck.rows(&built.duck(), &history_sql(built.busiest.as_str()));
    report_line(&format!(
        "{GROUP}/{n}: cold answers on {d}: {} annals {} {}, DuckDB {}; graph {} edges \
         (DOT lines with `->`), SQL map {} rows; history {} lines, SQL timeline {} rows",
        built.busiest,
        json["status"].as_str().unwrap_or("?"),
        json["controller"]["id"].as_str().unwrap_or("none"),
        rows.get(1).map_or("no row", |r| r[2].as_str()),
        graph.lines().filter(|l| l.contains("->")).count(),
        map.len() - 1,
        history.lines().count(),
        timeline.len() - 1,
    ));
}

/// The warm questions, drawn as `benches/control.rs` draws them (places
/// weighted by control events, days uniform over 1997–2025): one place on
/// one day asks both, the map asks the days, the timeline the places.
struct Questions {
    control: Vec<(PlaceId, NaiveDate)>,
}

impl Questions {
    fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.control.iter().map(|(_, d)| *d)
    }
    fn places(&self) -> impl Iterator<Item = &PlaceId> + '_ {
        self.control.iter().map(|(p, _)| p)
    }
}

/// The SQL scripts of the warm questions: each question's text, cycling.
fn warm_sql(questions: &Questions, which: &str) -> Vec<String> {
    match which {
        "control" => questions.control.iter().map(|(p, d)| control_sql(p.as_str(), *d)).collect(),
        "map" => questions.days().map(map_sql).collect(),
        _ => questions.places().map(|p| history_sql(p.as_str())).collect(),
    }
}

/// Writes a script of `.mode trash` and the first `count` of `sql`
/// (cycling): the results are computed and dropped, not printed.
fn script(dir: &Path, name: &str, sql: &[String], count: usize) -> PathBuf {
    let mut text = String::from(".mode trash\n");
    for q in sql.iter().cycle().take(count) {
        text.push_str(q);
        text.push('\n');
    }
    let path = dir.join(format!("{name}-{count}.sql"));
    std::fs::write(&path, text).expect("a script");
    path
}

/// How many repetitions of a question make about a second of DuckDB's time:
/// a script of 1 + 10 questions against one of 1, once each.
fn calibrate(duck: &DuckDb, db: &Path, dir: &Path, name: &str, sql: &[String]) -> usize {
    let time = |count| {
        let path = script(dir, name, sql, count);
        let started = Instant::now();
        run(duck.query_command(db).arg("-f").arg(path));
        started.elapsed().as_secs_f64()
    };
    let per = (time(11) - time(1)) / 10.0;
    if per <= 0.0 {
        1000
    } else {
        ((1.0 / per) as usize).clamp(10, 1000)
    }
}

fn bench(c: &mut Criterion) {
    let Some(bin) = annals_bin() else { return };
    let Some(duck) = DuckDb::find() else { return };
    let mut group = c.benchmark_group(GROUP);
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let mut cpu = HashMap::new();
    let mut repeats = HashMap::new();
    let sizes = sizes();
    for &n in &sizes {
        let built = build(n, &bin, &duck);
        cold_answers(&bin, &duck, &built, n);
        cold(&mut group, &mut cpu, (&bin, &duck), &built, n);
        warm(&mut group, &mut cpu, &mut repeats, &duck, &built, n);
    }
    group.finish();
    for &n in &sizes {
        report(&cpu, &repeats, n);
    }
}

/// The warm questions: annals in this process, DuckDB in scripts.
fn warm(
    group: &mut BenchmarkGroup<'_, WallTime>,
    cpu: &mut HashMap<String, Duration>,
    repeats: &mut HashMap<String, usize>,
    duck: &DuckDb,
    built: &Built,
    n: u64,
) {
    let log = Log::open(built.log()).expect("the log opens");
    let world = replay_ahead(&log);
    for d in ["2005-06-01", "2015-01-01", "2020-06-01"] {
        check_answers(duck, built, &world, d.parse().expect("a day"), n);
    }
    let started = Instant::now();
    let index = world.index();
    report_line(&format!(
        "{GROUP}/{n}: the interval index took {:.0} ms to build",
        started.elapsed().as_secs_f64() * 1e3
    ));
    let questions = Questions { control: control_queries(&built.events, 4096, 7, true) };
    let places: Vec<&PlaceId> = world.places().map(|p| &p.id).collect();
    warm_annals(group, (&world, &index, &log), &questions, &places, n);
    for which in ["control", "map", "history"] {
        let sql = warm_sql(&questions, which);
        let count = calibrate(duck, &built.duck(), built.dir.path(), which, &sql);
        repeats.insert(format!("{which}/{n}"), count);
        for (suffix, total) in [("once", 1), ("repeated", 1 + count)] {
            let path = script(built.dir.path(), which, &sql, total);
            process(group, cpu, &format!("duckdb_warm_{which}_{suffix}"), n, || {
                let mut cmd = duck.query_command(&built.duck());
                cmd.arg("-f").arg(&path);
                cmd
            });
        }
    }
}

/// annals's warm questions, in this process.
fn warm_annals(
    group: &mut BenchmarkGroup<'_, WallTime>,
    (world, index, log): (&World, &annals_replay::HoldingIndex<'_>, &Log),
    questions: &Questions,
    places: &[&PlaceId],
    n: u64,
) {
    let q = &questions.control;
    let mut i = 0;
    group.bench_function(BenchmarkId::new("annals_warm_control", n), |b| {
        b.iter(|| {
            let (place, day) = &q[i % q.len()];
            i += 1;
            let answer = index.control(black_box(place), *day);
            black_box((answer.status(), answer.controller()))
        })
    });
    group.bench_function(BenchmarkId::new("annals_warm_map", n), |b| {
        b.iter(|| {
            let day = q[i % q.len()].1;
            i += 1;
            let map: Vec<_> = places
                .iter()
                .map(|p| {
                    let answer = index.control(p, day);
                    (*p, answer.status(), answer.controller())
                })
                .collect();
            black_box(map)
        })
    });
    // The same, with each place's key in the index found once, as a
    // process that keeps its world (a server's map) holds them.
    let keys: Vec<_> = places.iter().map(|p| (*p, index.place_key(p))).collect();
    group.bench_function(BenchmarkId::new("annals_warm_map_keyed", n), |b| {
        b.iter(|| {
            let day = q[i % q.len()].1;
            i += 1;
            let map: Vec<_> = keys
                .iter()
                .map(|&(p, key)| {
                    let answer = index.control_at(key, day);
                    (p, answer.status(), answer.controller())
                })
                .collect();
            black_box(map)
        })
    });
    group.bench_function(BenchmarkId::new("annals_warm_history", n), |b| {
        b.iter(|| {
            let place = &q[i % q.len()].0;
            i += 1;
            let seqs: Vec<u64> = world.history(place).iter().map(|e| e.seq).collect();
            black_box(log.get_many(&seqs).expect("the records"))
        })
    });
    group.bench_function(BenchmarkId::new("annals_warm_graph", n), |b| {
        b.iter(|| {
            let day = q[i % q.len()].1;
            i += 1;
            let mut graph = world.graph_on(day);
            graph.retain_kinds(&[RelationKind::Controls]);
            black_box(graph.edges().len())
        })
    });
}

/// The RESULT lines of one size: cold wall-clock and CPU ratios, warm ratios.
fn report(cpu: &HashMap<String, Duration>, repeats: &HashMap<String, usize>, n: u64) {
    for q in ["control_busiest", "control_median", "map", "history_busiest", "history_median"] {
        let (ours, theirs) = (format!("annals_{q}/{n}"), format!("duckdb_{q}/{n}"));
        report_ratio(GROUP, &ours, &theirs, None);
        if let (Some(a), Some(b)) = (cpu.get(&ours), cpu.get(&theirs)) {
            report_line(&format!(
                "{GROUP}: CPU per run {ours} {} vs {theirs} {} -> {:.2}x",
                human_ns(a.as_nanos() as f64),
                human_ns(b.as_nanos() as f64),
                a.as_secs_f64() / b.as_secs_f64().max(1e-9)
            ));
        }
    }
    report_ratio(GROUP, &format!("duckdb_map/{n}"), &format!("duckdb_start/{n}"), None);
    for (which, ours) in [
        ("control", "annals_warm_control"),
        ("map", "annals_warm_map"),
        ("map", "annals_warm_graph"),
        ("history", "annals_warm_history"),
    ] {
        let Some(&count) = repeats.get(&format!("{which}/{n}")) else { continue };
        let once = median_ns(GROUP, &format!("duckdb_warm_{which}_once/{n}"));
        let repeated = median_ns(GROUP, &format!("duckdb_warm_{which}_repeated/{n}"));
        let (Some(a), Some(once), Some(repeated)) =
            (median_ns(GROUP, &format!("{ours}/{n}")), once, repeated)
        else {
            continue;
        };
        let theirs = (repeated - once) / count as f64;
        let cpu_of = |suffix| cpu.get(&format!("duckdb_warm_{which}_{suffix}/{n}"));
        let theirs_cpu = match (cpu_of("once"), cpu_of("repeated")) {
            (Some(once), Some(repeated)) => format!(
                ", CPU {} per question",
                human_ns(repeated.saturating_sub(*once).as_nanos() as f64 / count as f64)
            ),
            _ => String::new(),
        };
        report_line(&format!(
            "{GROUP}: warm {which}: {ours}/{n} {} vs DuckDB {} per question \
             (a script of 1 + {count} minus one of 1{theirs_cpu}) -> {}",
            human_ns(a),
            human_ns(theirs),
            ratio(a / theirs)
        ));
    }
}

/// A ratio as `report_ratio` words it.
fn ratio(r: f64) -> String {
    if r >= 0.1 || r <= 0.0 {
        format!("{r:.2}x DuckDB's time")
    } else {
        format!("1/{:.0} of DuckDB's time", 1.0 / r)
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
