//! Memory after replay: peak RSS (VmHWM) and bytes per event.
//!
//! `cargo run --release -p annals-bench --example memory -- N [DB [MODES]]`
//!
//! Builds a log of N synthetic events (in DB if given and not yet there,
//! else in a temporary directory) by `append_from` in batches of 10 000, then
//! measures replay in fresh child processes, so that building does not count:
//! - `collect`: decode every record into a `Vec`, then `World::replay` it (the
//!   CLI's path);
//! - `stream`: `World::replay` straight from the decoding iterator.
//!
//! Prints the build rate, the on-disk size, the time to open the log, the
//! replay time, VmRSS before and after, VmHWM, and bytes per event. MODES is
//! `collect,stream` (the default), or one of them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use annals_bench::{disk_usage, proc_status_kib, recorded_at, BATCH, SEED};
use annals_log::Log;
use annals_model::Recorded;
use annals_replay::World;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--measure") {
        measure(Path::new(&args[1]), &args[2]);
        return;
    }
    let Some(n) = args.first().and_then(|s| s.replace('_', "").parse::<u64>().ok()) else {
        eprintln!("usage: memory EVENTS [DB [collect,stream]]");
        std::process::exit(2);
    };
    let temp = tempfile::tempdir().expect("a directory");
    let db: PathBuf = args.get(1).map_or_else(|| temp.path().join("db"), PathBuf::from);
    if !db.exists() {
        build(&db, n);
    }
    println!(
        "log {}: {} bytes on disk ({:.0} bytes/event)",
        db.display(),
        disk_usage(&db),
        disk_usage(&db) as f64 / n as f64
    );
    let exe = std::env::current_exe().expect("this executable");
    let modes = args.get(2).map_or("collect,stream", String::as_str);
    for mode in modes.split(',') {
        let status = Command::new(&exe)
            .arg("--measure")
            .arg(&db)
            .arg(mode)
            .status()
            .expect("a child process");
        assert!(status.success());
    }
}

fn build(db: &Path, n: u64) {
    let start = Instant::now();
    let mut log = Log::init(db).expect("a new log");
    let mut batch = Vec::with_capacity(BATCH);
    let mut appended = 0;
    for event in annals_synth::events(n, SEED) {
        batch.push(event);
        if batch.len() == BATCH {
            appended +=
                log.append_from(&batch, recorded_at(), Some("bench")).expect("append").appended;
            batch.clear();
        }
    }
    appended += log.append_from(&batch, recorded_at(), Some("bench")).expect("append").appended;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "built {appended} events in {secs:.1} s ({:.0} events/s, synthesis included; peak RSS while building {} MiB)",
        appended as f64 / secs,
        proc_status_kib("VmHWM").unwrap_or(0) / 1024
    );
}

fn measure(db: &Path, mode: &str) {
    let rss0 = proc_status_kib("VmRSS").unwrap_or(0);
    let t = Instant::now();
    let log = Log::open(db).expect("an annals log");
    let open = t.elapsed();
    let n = log.len();
    let rss_open = proc_status_kib("VmRSS").unwrap_or(0);
    let t = Instant::now();
    let world = match mode {
        "collect" => {
            let records: Vec<Recorded> = log.iter().map(|r| r.expect("a sound record")).collect();
            World::replay(records)
        }
        _ => World::replay(log.iter().map(|r| r.expect("a sound record"))),
    };
    let replay = t.elapsed();
    let rss = proc_status_kib("VmRSS").unwrap_or(0);
    let hwm = proc_status_kib("VmHWM").unwrap_or(0);
    println!(
        "{mode:>7}: {n} events; open {:.3} s; replay {:.2} s ({:.0} events/s); RSS before open {} MiB, after open {} MiB, after replay {} MiB; peak (VmHWM) {} MiB; {:.0} bytes/event after replay (RSS growth over open), peak {:.0} bytes/event",
        open.as_secs_f64(),
        replay.as_secs_f64(),
        n as f64 / replay.as_secs_f64(),
        rss0 / 1024,
        rss_open / 1024,
        rss / 1024,
        hwm / 1024,
        (rss.saturating_sub(rss_open) * 1024) as f64 / n as f64,
        (hwm * 1024) as f64 / n as f64,
    );
    std::hint::black_box(world.len());
}
