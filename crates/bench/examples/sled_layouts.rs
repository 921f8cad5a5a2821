//! What sled costs for storage layouts the log could have: the records and
//! ids of N synthetic events (the bytes `annals_log` stores) written straight
//! into a fresh sled tree, in sled batches of `annals_log::STAGE_BATCH`
//! events with a flush every `BATCH`, as an import stages them, with no
//! parsing, checks or lookups.
//!
//! `cargo run --release -p annals-bench --example sled_layouts -- [N]` (default 100 000)
//!
//! Layouts: the log's before format 3 (a record key and an id key per
//! event); records only; ids only; records in blocks of 64 per key, with and
//! without the id keys (format 3 stores blocks of `annals_log::BLOCK_RECORDS`
//! and the id keys).
//! Prints events/s, the ratio to the first layout and the size on disk.

use std::time::Instant;

use annals_bench::{disk_usage, synthetic, BenchLog, BATCH};

fn main() {
    let n: u64 =
        std::env::args().nth(1).map_or(100_000, |s| s.parse().expect("a number of events"));
    let events = synthetic(n);
    let records: Vec<Vec<u8>> = {
        let built = BenchLog::with(&events);
        built.log.raw().map(|kv| kv.expect("a record").1.to_vec()).collect()
    };
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    let layouts: [(&str, usize, bool); 5] = [
        ("format 2: record + id per event", 1, true),
        ("records only", 1, false),
        ("ids only", 0, true),
        ("blocks of 64 records + ids", 64, true),
        ("blocks of 64 records, no ids", 64, false),
    ];
    let mut base = None;
    for (name, block, with_ids) in layouts {
        let dir = tempfile::tempdir().expect("a directory");
        let db = sled::open(dir.path().join("db")).expect("a sled database");
        let tree = db.open_tree("log").expect("a tree");
        let start = Instant::now();
        let mut pending: Vec<u8> = Vec::new();
        for (at, chunk) in records.chunks(annals_log::STAGE_BATCH).enumerate() {
            let mut batch = sled::Batch::default();
            for (i, record) in chunk.iter().enumerate() {
                let seq = (at * annals_log::STAGE_BATCH + i + 1) as u64;
                if block > 0 {
                    pending.extend_from_slice(&(record.len() as u32).to_le_bytes());
                    pending.extend_from_slice(record);
                    if seq.is_multiple_of(block as u64) || seq == n {
                        let mut key = vec![b'e'];
                        key.extend_from_slice(&seq.to_be_bytes());
                        batch.insert(key, std::mem::take(&mut pending));
                    }
                }
                if with_ids {
                    let mut key = vec![b'i'];
                    key.extend_from_slice(ids[seq as usize - 1].as_bytes());
                    batch.insert(key, &seq.to_be_bytes()[..]);
                }
            }
            tree.apply_batch(batch).expect("a batch");
            if ((at + 1) * annals_log::STAGE_BATCH).is_multiple_of(BATCH) {
                tree.flush().expect("a flush");
            }
        }
        tree.flush().expect("a flush");
        let secs = start.elapsed().as_secs_f64();
        drop(tree);
        drop(db);
        let rate = n as f64 / secs;
        let ratio = rate / *base.get_or_insert(rate);
        let mb = disk_usage(dir.path()) as f64 / 1e6;
        println!("{name:30} {rate:>9.0} events/s  {ratio:5.2}x format 2  {mb:7.1} MB");
    }
}
