//! A small driver to profile one path under valgrind (callgrind) or perf:
//!
//! `profile scan DB` — read every record's bytes once (the raw scan) and
//! print the count, the bytes and the time;
//! `profile replay DB` — decode and replay the log at DB once;
//! `profile replay-ahead DB` — the same, decoding on a second thread (the CLI's way);
//! `profile control DB Q` — replay, then answer Q control questions;
//! `profile copy DB AT` — copy the records of places with AT control records or more;
//! `profile snapshot DB` — the place snapshot's stored size and the time to load it;
//! `profile append N` — append N synthetic events to a fresh log in batches.
//!
//! `valgrind --tool=callgrind target/release/examples/profile replay DB`

use std::hint::black_box;

use annals_bench::{
    append_batches, control_queries, raw_scan, replay, replay_ahead, synthetic, BenchLog, BATCH,
};
use annals_log::Log;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["scan", db] => {
            let log = Log::open(db).expect("an annals log");
            let start = std::time::Instant::now();
            let (records, bytes) = raw_scan(&log);
            let secs = start.elapsed().as_secs_f64();
            println!("{records} records, {bytes} bytes of records, scanned in {secs:.2} s");
        }
        ["replay", db] => {
            let log = Log::open(db).expect("an annals log");
            black_box(replay(&log).len());
        }
        ["replay-ahead", db] => {
            let log = Log::open(db).expect("an annals log");
            black_box(replay_ahead(&log).len());
        }
        ["control", db, q] => {
            let log = Log::open(db).expect("an annals log");
            let world = replay(&log);
            let events: Vec<_> = log.iter().map(|r| r.expect("a record").event).collect();
            let queries = control_queries(&events, q.parse().expect("a count"), 7, true);
            for (place, day) in &queries {
                black_box(world.control(place, *day));
            }
        }
        ["snapshot", db] => {
            let log = Log::open(db).expect("an annals log");
            let (name, schema) =
                (annals_replay::PlaceIndex::NAME, annals_replay::PlaceIndex::SCHEMA);
            let bytes = log.snapshot_bytes(name).expect("readable").map_or(0, |b| b.len());
            let start = std::time::Instant::now();
            let loaded = log.load_snapshot::<annals_replay::PlaceIndex>(name, schema);
            let secs = start.elapsed().as_secs_f64();
            let fresh = matches!(loaded, Ok(annals_log::Snapshot::Fresh { .. }));
            println!("{bytes} bytes stored; loaded in {secs:.3} s (fresh: {fresh})");
        }
        ["copy", db, at] => {
            // What copying the records of busy places costs (`annals` does
            // it after an import): the copies made before are removed first.
            let log = Log::open(db).expect("an annals log");
            let index = match log.load_snapshot::<annals_replay::PlaceIndex>(
                annals_replay::PlaceIndex::NAME,
                annals_replay::PlaceIndex::SCHEMA,
            ) {
                Ok(annals_log::Snapshot::Fresh { state, .. }) => state,
                _ => panic!("a fresh place snapshot"),
            };
            let at: usize = at.parse().expect("a count");
            let busy: Vec<_> = index.busy_places(at).collect();
            for (place, _) in &busy {
                log.remove_copies(place).expect("removed");
            }
            let start = std::time::Instant::now();
            let copied = log.copy_groups(&busy, 1).expect("copied");
            let secs = start.elapsed().as_secs_f64();
            println!("{copied} records of {} places copied in {secs:.2} s", busy.len());
        }
        ["append", n] => {
            let events = synthetic(n.parse().expect("a count"));
            let mut log = BenchLog::empty();
            black_box(append_batches(&mut log.log, &events, BATCH));
        }
        _ => {
            eprintln!("usage: profile scan DB | replay DB | replay-ahead DB | control DB QUERIES | append EVENTS");
            std::process::exit(2);
        }
    }
}
