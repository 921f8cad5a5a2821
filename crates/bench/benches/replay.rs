//! Replay throughput (events/s): decode + `World::replay` of a synthetic log in a
//! real sled log, against a raw scan of the same tree (bytes only, the physical
//! limit of replay). Target: replay within 2x of the raw scan.
//! `decode_replay` decodes, then replays, on one thread; `replay_ahead`
//! decodes on a second thread while the world takes records in (the CLI's
//! way).

use std::hint::black_box;
use std::time::{Duration, Instant};

use annals_bench::{
    raw_scan, replay, replay_ahead, report_line, report_ratio, sizes, synthetic, BenchLog,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("replay");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    let sizes = sizes();
    for &n in &sizes {
        let built = BenchLog::with(&synthetic(n));
        let (records, bytes) = raw_scan(&built.log);
        report_line(&format!(
            "replay: log of {records} records, {bytes} bytes of records ({:.0} bytes/record)",
            bytes as f64 / records as f64
        ));
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::new("raw_scan", n), &built, |b, built| {
            b.iter(|| black_box(raw_scan(&built.log)))
        });
        group.bench_with_input(BenchmarkId::new("decode", n), &built, |b, built| {
            b.iter(|| black_box(annals_bench::decode_all(&built.log)))
        });
        group.bench_with_input(BenchmarkId::new("decode_replay", n), &built, |b, built| {
            b.iter_custom(|iters| replays(iters, || replay(&built.log)))
        });
        group.bench_with_input(BenchmarkId::new("replay_ahead", n), &built, |b, built| {
            b.iter_custom(|iters| replays(iters, || replay_ahead(&built.log)))
        });
    }
    group.finish();
    for &n in &sizes {
        report_ratio("replay", &format!("decode/{n}"), &format!("raw_scan/{n}"), Some(n));
        report_ratio("replay", &format!("decode_replay/{n}"), &format!("raw_scan/{n}"), Some(n));
        report_ratio("replay", &format!("replay_ahead/{n}"), &format!("raw_scan/{n}"), Some(n));
        report_ratio(
            "replay",
            &format!("replay_ahead/{n}"),
            &format!("decode_replay/{n}"),
            Some(n),
        );
    }
}

/// The time of `iters` replays by `replay`; each world is dropped outside
/// the timed part: freeing it is not replay.
fn replays<W>(iters: u64, replay: impl Fn() -> W) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let world = replay();
        total += start.elapsed();
        drop(black_box(world));
    }
    total
}

criterion_group!(benches, bench);
criterion_main!(benches);
