//! Cold start: process start to the first `control` answer, timing the release
//! binary `annals --db DB control P --on D` on a log it imported itself (so it
//! has whatever snapshots `annals import` writes), for the busiest place and a
//! place of median activity. Baseline: `annals --version` (process start and
//! exit, no log).
//!
//! Sizes: `ANNALS_BENCH_COLD` (comma-separated, default `100000`; the
//! 1M target is measured with `ANNALS_BENCH_COLD=100000,1000000`). The binary is `ANNALS_BIN` or
//! `<target>/release/annals`: build it with `cargo build --release` first.
//!
//! Target: cold `control` on a 1M-event log < 0.3 s.

use std::process::Command;
use std::time::Duration;

use annals_bench::{
    annals_bin, busiest_and_median_place, report_line, report_ratio, sizes_from, synthetic, SEED,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the annals binary runs");
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn bench(c: &mut Criterion) {
    let Some(bin) = annals_bin() else { return };
    let mut group = c.benchmark_group("cold_start");
    group.sample_size(10).warm_up_time(Duration::from_millis(500));
    let sizes = sizes_from("ANNALS_BENCH_COLD", &[100_000]);
    group.bench_function("version", |b| b.iter(|| run(Command::new(&bin).arg("--version"))));
    for &n in &sizes {
        let events = synthetic(n);
        let ((busy, busy_n), (typical, typical_n)) = busiest_and_median_place(&events);
        drop(events);
        let dir = tempfile::tempdir().expect("a directory");
        let file = dir.path().join("synth.jsonl");
        let mut f = std::fs::File::create(&file).expect("a file");
        annals_synth::write_jsonl(&mut f, n, SEED).expect("a synthetic file");
        let db = dir.path().join("db");
        run(Command::new(&bin).arg("--db").arg(&db).arg("init"));
        run(Command::new(&bin).arg("--db").arg(&db).arg("import").arg(&file));
        let control = |place: &str| {
            let mut cmd = Command::new(&bin);
            cmd.arg("--db").arg(&db).args(["control", place, "--on", "2020-06-01"]);
            cmd
        };
        // The first answer after the import (pays for a snapshot, if one is built lazily).
        let first = std::time::Instant::now();
        run(&mut control(busy.as_str()));
        report_line(&format!(
            "cold_start/{n}: first control after import {:.3} s; busiest place {busy} ({busy_n} control events), median place {typical} ({typical_n})",
            first.elapsed().as_secs_f64()
        ));
        group.bench_function(BenchmarkId::new("control_busiest", n), |b| {
            b.iter(|| run(&mut control(busy.as_str())))
        });
        group.bench_function(BenchmarkId::new("control_median_place", n), |b| {
            b.iter(|| run(&mut control(typical.as_str())))
        });
    }
    group.finish();
    for &n in &sizes {
        report_ratio("cold_start", &format!("control_busiest/{n}"), "version", None);
        report_ratio("cold_start", &format!("control_median_place/{n}"), "version", None);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
