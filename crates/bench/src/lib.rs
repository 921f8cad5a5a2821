//! Shared set-up for the annals benchmarks (`cargo bench -p annals-bench`):
//! synthetic logs stored in real sled logs, the sizes to measure, the release
//! binary, and ratios read back from criterion's own estimates so that every
//! bench can report "this much slower or faster than its baseline, same run".
//!
//! Sizes: `ANNALS_BENCH_EVENTS` (a comma-separated list, default `100000`)
//! sets the log sizes of every bench.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use annals_log::Log;
use annals_model::{Event, EventKind, PlaceId, Recorded};
use annals_replay::World;
use annals_synth::SplitMix64;
use chrono::{DateTime, NaiveDate, Utc};

pub mod duckdb;

/// The seed of every synthetic log in the benches.
pub const SEED: u64 = 2023;

/// Events per `append_from` call (one flush each) when a bench builds a log.
pub const BATCH: usize = 10_000;

/// The log sizes to measure: `ANNALS_BENCH_EVENTS` (comma-separated), or 100 000.
pub fn sizes() -> Vec<u64> {
    sizes_from("ANNALS_BENCH_EVENTS", &[100_000])
}

/// A comma-separated list of sizes from `var`, or `default`.
pub fn sizes_from(var: &str, default: &[u64]) -> Vec<u64> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v
            .split(',')
            .map(|s| {
                s.trim()
                    .replace('_', "")
                    .parse()
                    .unwrap_or_else(|_| panic!("{var}: `{s}` is not a count"))
            })
            .collect(),
        _ => default.to_vec(),
    }
}

/// The recorded time of every appended record (fixed, so logs are reproducible).
pub fn recorded_at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000, 0).expect("a timestamp")
}

/// A sled log in a temporary directory, removed on drop.
#[derive(Debug)]
pub struct BenchLog {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The log, open.
    pub log: Log,
}

impl BenchLog {
    /// A new, empty log in a fresh temporary directory.
    pub fn empty() -> BenchLog {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let log = Log::init(dir.path().join("db")).expect("a new log");
        BenchLog { dir, log }
    }

    /// A log holding `events`, appended in batches of [`BATCH`].
    pub fn with(events: &[Event]) -> BenchLog {
        let mut b = BenchLog::empty();
        append_batches(&mut b.log, events, BATCH);
        b
    }

    /// The path of the sled database.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("db")
    }
}

/// Appends `events` in batches of `batch`, one atomic, flushed append each.
pub fn append_batches(log: &mut Log, events: &[Event], batch: usize) -> u64 {
    let mut appended = 0;
    for chunk in events.chunks(batch.max(1)) {
        appended += log.append_from(chunk, recorded_at(), Some("bench")).expect("append").appended;
    }
    appended
}

/// The synthetic events of a log of `n` events.
pub fn synthetic(n: u64) -> Vec<Event> {
    annals_synth::events(n, SEED).collect()
}

/// Decodes every record and replays them: what every query of the CLI did
/// before snapshots.
pub fn replay(log: &Log) -> World {
    let records: Vec<Recorded> = log.iter().map(|r| r.expect("a sound record")).collect();
    World::replay(records)
}

/// Replays the log at `log` as the CLI does: records stream into the world
/// from a second thread that reads and decodes them ([`Log::iter_ahead`]).
pub fn replay_ahead(log: &Log) -> World {
    log.iter_ahead(1, |records| World::replay(records.map(|r| r.expect("a sound record"))))
}

/// Decodes every record without replaying (the codec's share of replay).
pub fn decode_all(log: &Log) -> usize {
    log.iter().map(|r| r.expect("a sound record")).map(|r| r.event.sources.len()).sum()
}

/// A raw scan of the log tree: every record's bytes, undecoded. Returns the
/// number of records and of bytes (the physical limit of replay).
pub fn raw_scan(log: &Log) -> (u64, u64) {
    let mut records = 0;
    let mut bytes = 0;
    for kv in log.raw() {
        let (_, value) = kv.expect("a readable record");
        records += 1;
        bytes += value.len() as u64;
    }
    (records, bytes)
}

/// `n` control questions (place, day), days uniform over 1997–2025. With
/// `weighted`, places are drawn from control events (so busy places are asked
/// about as often as they change hands); without, uniformly over the places
/// that have any control event.
pub fn control_queries(
    events: &[Event],
    n: usize,
    seed: u64,
    weighted: bool,
) -> Vec<(PlaceId, NaiveDate)> {
    let mut places: Vec<&PlaceId> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ControlTaken { place, .. } | EventKind::ControlLost { place, .. } => {
                Some(place)
            }
            _ => None,
        })
        .collect();
    assert!(!places.is_empty(), "the log has no control events");
    if !weighted {
        places.sort();
        places.dedup();
    }
    let first = NaiveDate::from_ymd_opt(1997, 1, 1).expect("a date");
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let place = places[rng.below(places.len() as u64) as usize].clone();
            let day = first + chrono::Days::new(rng.below(29 * 365));
            (place, day)
        })
        .collect()
}

/// The places with the most and the median number of control events, and their counts.
pub fn busiest_and_median_place(events: &[Event]) -> ((PlaceId, u64), (PlaceId, u64)) {
    let mut counts: HashMap<&PlaceId, u64> = HashMap::new();
    for e in events {
        if let EventKind::ControlTaken { place, .. } | EventKind::ControlLost { place, .. } =
            &e.kind
        {
            *counts.entry(place).or_default() += 1;
        }
    }
    let mut list: Vec<(&PlaceId, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top = (list[0].0.clone(), list[0].1);
    let mid = list[list.len() / 2];
    (top, (mid.0.clone(), mid.1))
}

/// The target directory (`CARGO_TARGET_DIR`, or the one this executable was built in).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // target/<profile>/deps/<bench> or target/<profile>/examples/<example>
    let exe = std::env::current_exe().expect("the current executable");
    exe.ancestors().nth(3).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("target"))
}

/// The release binary to time: `ANNALS_BIN`, or `<target>/release/annals`, if it exists.
pub fn annals_bin() -> Option<PathBuf> {
    let path = match std::env::var_os("ANNALS_BIN") {
        Some(p) => PathBuf::from(p),
        None => target_dir().join("release").join("annals"),
    };
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipped: no annals binary at {} (run `cargo build --release` first, or set ANNALS_BIN)",
            path.display()
        );
        None
    }
}

/// Where criterion writes its estimates (as criterion itself decides it).
fn criterion_dir() -> PathBuf {
    match std::env::var_os("CRITERION_HOME") {
        Some(home) => PathBuf::from(home),
        None => target_dir().join("criterion"),
    }
}

/// The median time per iteration, in nanoseconds, that criterion measured for
/// `group/function/parameter` in this run.
pub fn median_ns(group: &str, id: &str) -> Option<f64> {
    let path = criterion_dir().join(group).join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["median"]["point_estimate"].as_f64()
}

/// A human duration from nanoseconds.
pub fn human_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// Prints (and appends to `<target>/criterion/annals-ratios.txt`) the ratio
/// of two benches of `group` measured in this run, as medians. `events`, when
/// given, also turns both into events per second.
pub fn report_ratio(group: &str, id: &str, baseline: &str, events: Option<u64>) {
    let (Some(a), Some(b)) = (median_ns(group, id), median_ns(group, baseline)) else {
        eprintln!("ratio {group}: no estimates for {id} or {baseline}");
        return;
    };
    let ratio = a / b;
    let ratio = if ratio >= 0.1 {
        format!("{ratio:.2}x the baseline's time")
    } else {
        format!("1/{:.0} of the baseline's time", 1.0 / ratio)
    };
    let mut line =
        format!("{group}: {id} {} vs {baseline} {} -> {ratio}", human_ns(a), human_ns(b));
    if let Some(n) = events {
        let _ = write!(
            line,
            " ({:.0} vs {:.0} events/s)",
            n as f64 / (a * 1e-9),
            n as f64 / (b * 1e-9)
        );
    }
    report_line(&line);
}

/// Prints a line of results and appends it to `<target>/criterion/annals-ratios.txt`.
pub fn report_line(line: &str) {
    println!("RESULT {line}");
    let dir = criterion_dir();
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut f) =
        std::fs::OpenOptions::new().create(true).append(true).open(dir.join("annals-ratios.txt"))
    {
        let _ = writeln!(f, "{line}");
    }
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`), on Linux.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// The size in bytes of every file under `path`.
pub fn disk_usage(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                disk_usage(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}
