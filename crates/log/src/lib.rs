//! The append-only event log of annals, in sled.
//!
//! One sled tree, `log`, holds the records in blocks, `b` + the first block's
//! sequence number (u64 big-endian) → the encoded records of up to
//! [`BLOCK_RECORDS`] consecutive sequence numbers (logs written before format 3
//! also hold `e` + sequence → one encoded record), the id index (`i` + event
//! id → sequence for an append's first [`ID_KEYS_UP_TO`] events, and for
//! every event of a log written before format 5; beyond them, chunks of
//! hashed ids, `h` + bucket + number → entries, see [`index`]), and the
//! commit mark `c`: the last committed sequence number. An append
//! ([`Log::begin`], or [`Log::append_from`] for events in memory) stages its
//! records, in blocks, with their `i` keys, in sled batches of
//! [`STAGE_BATCH`] events, beyond the mark, and its chunks after them;
//! flushes them, and only then moves the mark, in one write, and flushes
//! again: a file's events are stored all or none, and memory does not grow
//! with the file. Readers see only what the mark covers. Records staged by
//! an import that never committed (a crash) were never acknowledged; the next
//! `open` removes them. No committed record is ever overwritten or deleted
//! (the chunks of the id index, which are derived from the records, are
//! merged: see [`index::MERGE_AT`]).
//!
//! A second tree, `snapshots`, holds derived state checkpointed by the layers
//! above (name → encoded snapshot, see [`Log::save_snapshot`]). Snapshots are
//! never trusted blindly: [`Log::load_snapshot`] returns one only if its format,
//! checksum, schema, last sequence number and that record's checksum all match
//! the log; otherwise it says why it is stale, and the caller rebuilds it.
//!
//! ```
//! use annals_log::Log;
//! use annals_model::v1;
//! let dir = tempfile::tempdir().unwrap();
//! let mut log = Log::init(dir.path().join("db")).unwrap();
//! let event = v1::parse_line(r#"{"type":"actor","id":"cma","name":"CMA"}"#).unwrap().event;
//! let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
//! let outcome = log.append(&[event.clone()], now).unwrap();
//! assert_eq!(outcome.appended, 1);
//! assert_eq!(log.append(&[event], now).unwrap().appended, 0); // idempotent
//! assert_eq!(log.len(), 1);
//! ```

mod append;
pub mod codec;
pub mod copies;
mod copies_store;
mod error;
mod format;
pub mod index;
mod keys;
mod lookup;
#[cfg(feature = "testing")]
mod memory;
mod read;
mod recovery;
mod snapshot_store;
mod store;
mod verify;
pub mod wire;

use std::path::PathBuf;

pub use append::Import;
pub use codec::{DecodeError, InvalidValue};
pub use error::{Error, Found, HeadProblem, StorageError};
pub use format::LogFormat;
#[cfg(feature = "testing")]
pub use memory::MemoryStore;
pub use read::Stored;
pub use recovery::OPEN_WAIT;
pub use snapshot_store::{Snapshot, SnapshotDamage, StaleReason};
pub use verify::{CopiesProblem, Integrity, Problem};

/// Events of an import indexed with one `i` key each; beyond them, its ids
/// go into chunks of the hashed index. One key per id is what small
/// imports cost least with: a chunk is a sled key per bucket an import
/// touches (nearly one per event while an import is small against the
/// 65 536 buckets), plus the probes and merges of full buckets, so 100
/// imports of 10 000 events took 50 s with chunks alone against 31 s with
/// `i` keys (docs/PERFORMANCE.md §3); a large import gains from chunks
/// (10M events: 99 s against 150 s with `i` keys alone).
pub const ID_KEYS_UP_TO: u64 = 1 << 16;
/// Events per sled batch while an append is staged. sled 0.34
/// keeps the node copies a batch makes until the batch ends, so memory grows
/// with the batch: importing a 200k-event file took 1.42 GB peak in batches
/// of 10 000, 707 MB of 1 000, 252 MB of 100; single inserts were 3.7× slower
/// and took 2.3× the disk. Atomicity does not depend on it: the commit mark
/// gives that.
pub const STAGE_BATCH: usize = 100;
/// Records per block. sled 0.34 splits a leaf at 17 entries whatever their
/// size, and its cache starts to evict only after 64 reads of a shard (of
/// 256): leaves of about 9 blocks of 100 records (96 KB) made a replay of
/// 10M events keep 870 MiB of read leaves against a 256 MiB cache. Blocks of
/// 16 keep 470 MiB, and sled's files shrink too (1.9 GB for 1 GB of records,
/// against 3.1 GB). Readers take blocks of any size.
pub const BLOCK_RECORDS: usize = 16;
/// A file beside sled's, rewritten after every append: the last acknowledged
/// sequence number and that record's checksum, so that a log that lost
/// acknowledged records is refused instead of answering from what is left.
pub const HEAD_FILE: &str = "annals-head";

/// Records per batch that [`Log::iter_ahead`] hands from its reading thread.
pub const AHEAD_RECORDS: usize = 1024;

/// What the log says of one event before it is appended ([`Log::check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// No record holds its id: an append stores it.
    New,
    /// Record `seq` holds the same event: an append skips it.
    Stored(u64),
}

/// The result of an append.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Appended {
    /// Events newly stored.
    pub appended: u64,
    /// Events already stored with identical content, skipped.
    pub unchanged: u64,
    /// Sequence numbers given to the new events (`first..=last`), if any.
    pub seqs: Option<(u64, u64)>,
}

/// The append-only event log. One writer: sled locks the database for the process.
#[derive(Debug)]
pub struct Log {
    /// The database: sled's (its handle keeps it, and its lock, alive), or
    /// a test's.
    db: Box<dyn store::Engine>,
    /// The database's own tree, which names the log's format.
    meta: store::Tree,
    tree: store::Tree,
    snapshots: store::Tree,
    /// Copies of records kept together ([`Log::copy_groups`]).
    copies: store::Tree,
    /// One past the commit mark: what readers see ends before it.
    next_seq: u64,
    /// The directory, for the head file (none for a temporary log).
    path: Option<PathBuf>,
    /// Whether the commit mark is stored (logs of format 1 have none yet).
    marked: bool,
    /// Records of an unfinished import that `open` removed.
    discarded: u64,
    /// Whether an append that failed left records staged that could not
    /// be removed (the disk failed again): the next append removes them
    /// before it stages its own, as the next `open` would.
    staged_left: bool,
    /// The format the log's magic names.
    format: LogFormat,
    /// How many chunks each bucket of the id index holds, as far as known:
    /// a lookup reads them without a `get` that finds nothing.
    chunk_counts: index::Counts,
    /// Whether the log holds `i` keys (one per id: of logs before format 5,
    /// and of the first events of every import), which lookups must also read.
    id_keys: bool,
    /// The highest sequence number stored under an `e` key (a record written
    /// before format 3), or 0: above it, records are only in blocks.
    legacy_last: u64,
}

impl Log {
    /// Number of stored (committed) records.
    pub fn len(&self) -> u64 {
        self.next_seq - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether records staged by an append that failed are still stored
    /// beyond the commit mark (their removal failed too): readers do not
    /// see them, but [`Log::verify`] reports their id entries until the
    /// next append or `open` removes them.
    #[cfg(feature = "testing")]
    pub fn staged_left(&self) -> bool {
        self.staged_left
    }
}
