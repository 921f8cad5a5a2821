//! Import throughput (events/s):
//! - `append_from` in batches of 10 000 events, one atomic, flushed append each,
//!   into a fresh sled log, against a baseline of the same record bytes
//!   written to a plain file with one `fdatasync` per batch (the physical
//!   limit of durable appending on this disk), and against the same records
//!   and id entries written straight into a sled tree in the log's batches,
//!   as the log lays them out (blocks of `BLOCK_RECORDS` records and 100 id
//!   keys per batch; no parsing, no checks, no lookups): what sled itself costs for
//!   the log's layout;
//! - the whole `annals import` path: the release binary (read, parse, check
//!   references against the log, append, flush) on a synthetic JSONL file.
//!
//! Target: import >= 150 k events/s.

use std::hint::black_box;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use annals_bench::{
    annals_bin, append_batches, recorded_at, report_ratio, sizes, synthetic, BenchLog, BATCH, SEED,
};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("the annals binary runs");
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    let sizes = sizes();
    let bin = annals_bin();
    for &n in &sizes {
        let events = synthetic(n);
        let records: Vec<Vec<u8>> = {
            let built = BenchLog::with(&events);
            built.log.raw().map(|kv| kv.expect("a record").1.to_vec()).collect()
        };
        group.throughput(Throughput::Elements(n));
        group.bench_function(BenchmarkId::new("append_batches", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let mut fresh = BenchLog::empty();
                    let start = Instant::now();
                    black_box(append_batches(&mut fresh.log, &events, BATCH));
                    total += start.elapsed();
                }
                total
            })
        });
        group.bench_function(BenchmarkId::new("file_fsync_baseline", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().expect("a directory");
                    let start = Instant::now();
                    let mut file = std::io::BufWriter::with_capacity(
                        1 << 20,
                        std::fs::File::create(dir.path().join("log")).expect("a file"),
                    );
                    for chunk in records.chunks(BATCH) {
                        for r in chunk {
                            file.write_all(&(r.len() as u32).to_le_bytes()).expect("write");
                            file.write_all(r).expect("write");
                        }
                        file.flush().expect("flush");
                        file.get_ref().sync_data().expect("fdatasync");
                    }
                    total += start.elapsed();
                }
                total
            })
        });
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        let shared = annals_log::codec::Shared {
            recorded_at_micros: recorded_at().timestamp_micros(),
            origin: Some("bench"),
        };
        group.bench_function(BenchmarkId::new("sled_batches_baseline", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().expect("a directory");
                    let db = sled::open(dir.path().join("db")).expect("a sled database");
                    let tree = db.open_tree("log").expect("a tree");
                    let start = Instant::now();
                    let mut seq = 0u64;
                    for chunk in records.chunks(BATCH) {
                        for staged in chunk.chunks(annals_log::STAGE_BATCH) {
                            let mut batch = sled::Batch::default();
                            for block in staged.chunks(annals_log::BLOCK_RECORDS) {
                                let mut key = vec![b'b'];
                                key.extend_from_slice(&(seq + 1).to_be_bytes());
                                let lens: Vec<u32> = block.iter().map(|r| r.len() as u32).collect();
                                for _ in block {
                                    seq += 1;
                                    let mut id = vec![b'i'];
                                    id.extend_from_slice(ids[seq as usize - 1].as_bytes());
                                    batch.insert(id, &seq.to_be_bytes()[..]);
                                }
                                batch.insert(
                                    key,
                                    annals_log::codec::encode_block(shared, &lens, &block.concat()),
                                );
                            }
                            tree.apply_batch(batch).expect("a batch");
                        }
                        tree.flush().expect("a flush");
                    }
                    total += start.elapsed();
                }
                total
            })
        });
        if let Some(bin) = &bin {
            let dir = tempfile::tempdir().expect("a directory");
            let file = dir.path().join("synth.jsonl");
            let mut f = std::fs::File::create(&file).expect("a file");
            annals_synth::write_jsonl(&mut f, n, SEED).expect("a synthetic file");
            group.bench_function(BenchmarkId::new("annals_import_binary", n), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let db = tempfile::tempdir().expect("a directory");
                        let path = db.path().join("db");
                        run(Command::new(bin).arg("--db").arg(&path).arg("init"));
                        let start = Instant::now();
                        run(Command::new(bin).arg("--db").arg(&path).arg("import").arg(&file));
                        total += start.elapsed();
                    }
                    total
                })
            });
        }
    }
    group.finish();
    for &n in &sizes {
        let append = format!("append_batches/{n}");
        report_ratio("import", &append, &format!("file_fsync_baseline/{n}"), Some(n));
        report_ratio("import", &append, &format!("sled_batches_baseline/{n}"), Some(n));
        if bin.is_some() {
            report_ratio("import", &format!("annals_import_binary/{n}"), &append, Some(n));
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
