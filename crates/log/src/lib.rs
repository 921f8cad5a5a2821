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

pub mod codec;
pub mod copies;
pub mod index;
pub mod wire;

use std::path::{Path, PathBuf};

use annals_model::{Event, Recorded};
use chrono::{DateTime, Utc};

pub use codec::DecodeError;

/// A record of a log written before format 3: `e` + sequence → record.
const EVENT: u8 = b'e';
/// A block of records (format 3 on): `b` + its first sequence number → block.
const BLOCK: u8 = b'b';
/// An id entry of its own: `i` + event id → sequence. Logs before format 5
/// index every id so; format 5 indexes an import's first [`ID_KEYS_UP_TO`]
/// events so, and the rest in chunks ([`index`]).
const ID: u8 = b'i';
/// Events of an import indexed with one `i` key each; beyond them, its ids
/// go into chunks of the hashed index. One key per id is what small
/// imports cost least with: a chunk is a sled key per bucket an import
/// touches (nearly one per event while an import is small against the
/// 65 536 buckets), plus the probes and merges of full buckets, so 100
/// imports of 10 000 events took 50 s with chunks alone against 31 s with
/// `i` keys (docs/PERFORMANCE.md §3); a large import gains from chunks
/// (10M events: 99 s against 150 s with `i` keys alone).
pub const ID_KEYS_UP_TO: u64 = 1 << 16;
/// The commit mark: the last committed sequence number (u64 big-endian).
const COMMIT: &[u8] = b"c";
const MAGIC_KEY: &[u8] = b"format";
/// Written by `init`, and over an older format by the first append of this
/// build (after the commit mark, if the log had none): a build that does not
/// know the chunked id index of format 5 would find no id of the records it
/// indexes, and import them again, so it must not take the log for its own.
const MAGIC: &[u8] = b"annals-log/5";
/// Logs whose blocks' header holds the records' recorded time and origin,
/// with one `i` key per id.
const MAGIC_4: &[u8] = b"annals-log/4";
/// Logs whose blocks hold records with their own time and origin.
const MAGIC_3: &[u8] = b"annals-log/3";
/// Logs written before blocks: one `e` key per record.
const MAGIC_2: &[u8] = b"annals-log/2";
/// Logs written before the commit mark: every record stored is committed.
const MAGIC_1: &[u8] = b"annals-log/1";
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

/// What went wrong with the log. Messages name the path or sequence number.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The storage engine failed (I/O, full disk …). The message says it
    /// all: sled's error is not also given as the source, so that a chain
    /// of causes does not print it twice.
    #[error("storage error: {}", storage_message(.0))]
    Storage(sled::Error),
    /// `open` on a path that holds no annals log.
    #[error("no annals log at {path} (create one with `annals --db {path} init`)", path = .0.display())]
    NotALog(PathBuf),
    /// `init` on a path that already holds something.
    #[error("{path} already exists; `init` only creates new logs", path = .0.display())]
    AlreadyExists(PathBuf),
    /// Another process has the log open.
    #[error("the log at {path} is in use by another annals process", path = .0.display())]
    InUse(PathBuf),
    /// A stored record is damaged.
    #[error("record {seq} is corrupt: {problem}")]
    Corrupt { seq: u64, problem: DecodeError },
    /// A block's header is damaged: none of its records can be read.
    #[error("records {first}..{last} are corrupt: {problem}")]
    CorruptBlock { first: u64, last: u64, problem: DecodeError },
    /// The commit mark of an append was written, but the disk did not
    /// confirm it: the append may or may not be stored, and its records are
    /// left in place (an open keeps them if the mark reached the disk).
    #[error("storage error: {}; the disk did not confirm the commit: once the disk is fixed, `annals verify` and `annals log` show what is stored (an import can simply be run again: events already stored are skipped)", storage_message(.0))]
    Unconfirmed(sled::Error),
    /// The log holds fewer records than it acknowledged (or another last
    /// record): the storage engine lost data, as sled does when it takes a
    /// damaged tail of its files for an interrupted write.
    #[error("the log at {path} acknowledged {expected} records (the last with checksum {crc:08x}), but now {found}: records were lost, probably to damaged files; restore the directory from a backup (docs/RELIABILITY.md). To open it as it is, delete {head}", path = .path.display(), head = .path.join(HEAD_FILE).display())]
    Lost { path: PathBuf, expected: u64, crc: u32, found: String },
    /// The head file cannot be read.
    #[error("{path}: {problem}; delete it to open the log without the check it makes", path = .0.display(), problem = .1)]
    BadHead(PathBuf, String),
    /// A key of the wrong shape: the tree was written by something else.
    #[error("the log holds a malformed key {0:?}")]
    BadKey(Vec<u8>),
    /// A chunk of the id index that is not a whole number of entries.
    #[error("the id index chunk under key {0:?} is damaged; run `annals verify`")]
    BadChunk(Vec<u8>),
    /// A group of copies of records ([`Log::copy_records`]) is damaged.
    #[error("the copies of the records of `{name}` are damaged: {problem}")]
    BadCopies { name: String, problem: String },
    /// One append holds the same event id twice with different content.
    #[error("event id `{0}` appears twice in one append with different content")]
    DuplicateInAppend(String),
    /// An event id is already stored with different content.
    #[error("event id `{id}` is already stored (record {seq}) with different content; ids are permanent, so give the new event another id, or retract the old one")]
    Conflict { id: String, seq: u64 },
    /// The log was written by a newer annals, or by something else.
    #[error("{path} holds a log of format {found:?}, which this build of annals cannot read", path = .path.display())]
    Format { path: PathBuf, found: String },
}

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Error {
        Error::Storage(e)
    }
}

/// sled's error in words: for an I/O error, the operating system's own
/// message (sled sometimes wraps it in another I/O error, shown as a debug
/// dump), with a hint when the disk is full; for damaged files, what to do.
fn storage_message(e: &sled::Error) -> String {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
    if let sled::Error::Corruption { .. } = e {
        return format!(
            "{e}; the log's files are damaged: copy the whole directory aside before running anything else on it, then restore the log from a backup (docs/RELIABILITY.md, \"Damaged files\")"
        );
    }
    let sled::Error::Io(io) = e else { return e.to_string() };
    let io = io.get_ref().and_then(|inner| inner.downcast_ref::<std::io::Error>()).unwrap_or(io);
    match io.kind() {
        // Without an OS error code the text may be such a dump: the kind says it.
        StorageFull | FileTooLarge | QuotaExceeded => {
            let text = io.raw_os_error().map_or(io.kind().to_string(), |_| io.to_string());
            format!("{text}; the disk (or this user's quota) is full")
        }
        _ => {
            let text = io.to_string();
            match os_error_dump(&text) {
                Some((code, message)) => format!("{message} (os error {code})"),
                None => text,
            }
        }
    }
}

/// The code and message of an OS error whose text is its debug dump
/// (`Os { code: 5, kind: Uncategorized, message: "Input/output error" }`),
/// as sled gives some errors of its I/O threads.
fn os_error_dump(text: &str) -> Option<(i32, &str)> {
    let (code, rest) = text.strip_prefix("Os { code: ")?.split_once(',')?;
    let message = rest.split_once("message: \"")?.1.strip_suffix("\" }")?;
    Some((code.trim().parse().ok()?, message))
}

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
    // The Db handle keeps the database (and its lock) alive.
    _db: sled::Db,
    tree: sled::Tree,
    snapshots: sled::Tree,
    /// Copies of records kept together ([`Log::copy_records`]).
    copies: sled::Tree,
    /// One past the commit mark: what readers see ends before it.
    next_seq: u64,
    /// The directory, for the head file (none for a temporary log).
    path: Option<PathBuf>,
    /// Whether the commit mark is stored (logs of format 1 have none yet).
    marked: bool,
    /// Records of an unfinished import that `open` removed.
    discarded: u64,
    /// The format byte of the log's magic: 1 to 5 (this build's).
    format: u8,
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

/// One stored record's bytes, undecoded: a stretch of a block (or a whole
/// value, in a log written before format 3), with what it shares with the
/// other records of its block. Derefs to the record's bytes.
#[derive(Clone, Debug)]
pub struct Stored {
    value: sled::IVec,
    at: std::ops::Range<usize>,
    shared: Option<codec::SharedAt>,
}

impl Stored {
    fn whole(value: sled::IVec) -> Stored {
        let at = 0..value.len();
        Stored { value, at, shared: None }
    }

    /// The record at `at` of the block `value`, split as `split`.
    fn in_block(value: &sled::IVec, at: &std::ops::Range<usize>, split: &codec::Split) -> Stored {
        Stored { value: value.clone(), at: at.clone(), shared: split.shared.clone() }
    }

    /// The recorded time and origin its block holds for it (block format 4).
    pub fn shared(&self) -> Option<codec::Shared<'_>> {
        self.shared.as_ref().map(|shared| shared.read(&self.value))
    }

    /// The record, decoded by `decoder`.
    fn decode(&self, seq: u64, decoder: &mut codec::Decoder) -> Result<Recorded, Error> {
        decoder.decode(seq, self, self.shared()).map_err(|problem| Error::Corrupt { seq, problem })
    }
}

impl std::ops::Deref for Stored {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.value[self.at.clone()]
    }
}

/// A block read and split: the last one a lookup used, kept for the next.
struct Block {
    first: u64,
    value: sled::IVec,
    split: codec::Split,
}

impl Block {
    fn record(&self, seq: u64) -> Option<Stored> {
        let at = self.split.ranges.get(usize::try_from(seq.checked_sub(self.first)?).ok()?)?;
        Some(Stored::in_block(&self.value, at, &self.split))
    }
}

/// What [`Log::load_snapshot`] found.
#[derive(Debug)]
pub enum Snapshot<T> {
    /// A snapshot that matches the log: `state` includes records `1..=last_seq`.
    Fresh { state: T, last_seq: u64 },
    /// No snapshot of that name.
    Missing,
    /// A snapshot that does not match the log (or this build), and why.
    Stale(String),
    /// A snapshot whose bytes are damaged (its checksum or decoding fails), and how.
    Damaged(String),
}

fn event_key(seq: u64) -> [u8; 9] {
    let mut k = [EVENT; 9];
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}

fn id_key(id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 1);
    k.push(ID);
    k.extend_from_slice(id.as_bytes());
    k
}

/// The keys of copies `name`: its pieces (`name`, 0, number u32 BE) and
/// its meta value (`name`, 1).
fn copies_prefix(name: &str) -> Vec<u8> {
    debug_assert!(name.bytes().all(|b| b > 1), "copies are named by slugs");
    let mut k = name.as_bytes().to_vec();
    k.push(0);
    k
}

fn copies_piece_key(name: &str, n: u32) -> Vec<u8> {
    let mut k = copies_prefix(name);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

fn copies_meta_key(name: &str) -> Vec<u8> {
    let mut k = name.as_bytes().to_vec();
    k.push(1);
    k
}

/// Snapshots are stored like copies: name + 0x00 + piece number (u32 BE).
fn snapshot_prefix(name: &str) -> Vec<u8> {
    copies_prefix(name)
}

fn snapshot_piece_key(name: &str, n: u32) -> Vec<u8> {
    copies_piece_key(name, n)
}

fn block_key(first: u64) -> [u8; 9] {
    let mut k = [BLOCK; 9];
    k[1..].copy_from_slice(&first.to_be_bytes());
    k
}

fn seq_of_key(key: &[u8]) -> Result<u64, Error> {
    match key {
        [EVENT | BLOCK, rest @ ..] if rest.len() == 8 => {
            Ok(u64::from_be_bytes(rest.try_into().expect("8 bytes")))
        }
        _ => Err(Error::BadKey(key.to_vec())),
    }
}

fn seq_of_value(v: &[u8]) -> Result<u64, Error> {
    <[u8; 8]>::try_from(v).map(u64::from_be_bytes).map_err(|_| Error::BadKey(v.to_vec()))
}

impl Log {
    /// Creates a new, empty log at `path` (which must not exist yet).
    pub fn init(path: impl AsRef<Path>) -> Result<Log, Error> {
        let path = path.as_ref();
        if path.exists() {
            return Err(Error::AlreadyExists(path.to_path_buf()));
        }
        let db = open_db(sled::Config::new().path(path), path)?;
        db.open_tree("log")?.insert(COMMIT, &0u64.to_be_bytes())?;
        db.insert(MAGIC_KEY, MAGIC)?;
        db.flush()?;
        Log::from_db(db, Some(path.to_path_buf()), 5)
    }

    /// Opens an existing log.
    pub fn open(path: impl AsRef<Path>) -> Result<Log, Error> {
        let mut log = Log::open_unchecked(path.as_ref())?;
        log.discard_staged(None)?;
        log.check_head()?;
        Ok(log)
    }

    /// Opens the log as [`Log::open`] does, but stops removing staged
    /// records after `steps` sled writes, as a crash there would: for tests
    /// of that removal, which must itself survive being cut off.
    #[doc(hidden)]
    pub fn open_stopping_discard_after(path: impl AsRef<Path>, steps: u64) -> Result<Log, Error> {
        let mut log = Log::open_unchecked(path.as_ref())?;
        log.discard_staged(Some(steps))?;
        Ok(log)
    }

    /// Opens the database and checks its format; removes nothing.
    fn open_unchecked(path: &Path) -> Result<Log, Error> {
        if !path.is_dir() {
            return Err(Error::NotALog(path.to_path_buf()));
        }
        let db = open_db(sled::Config::new().path(path), path)?;
        let format = match db.get(MAGIC_KEY)? {
            Some(magic) if magic == MAGIC => 5,
            Some(magic) if magic == MAGIC_4 => 4,
            Some(magic) if magic == MAGIC_3 => 3,
            Some(magic) if magic == MAGIC_2 => 2,
            Some(magic) if magic == MAGIC_1 => 1,
            Some(magic) if magic.starts_with(b"annals-log/") => {
                let found = String::from_utf8_lossy(&magic).into_owned();
                return Err(Error::Format { path: path.to_path_buf(), found });
            }
            _ => return Err(Error::NotALog(path.to_path_buf())),
        };
        Log::from_db(db, Some(path.to_path_buf()), format)
    }

    /// A log that lives only as long as this value (used for the built-in chronicle).
    pub fn temporary() -> Result<Log, Error> {
        let db = sled::Config::new().temporary(true).open()?;
        db.open_tree("log")?.insert(COMMIT, &0u64.to_be_bytes())?;
        db.insert(MAGIC_KEY, MAGIC)?;
        Log::from_db(db, None, 5)
    }

    /// Writes every buffered change to disk and waits for it: what sled's own
    /// teardown does (flush until nothing is left), without the rest of it.
    pub fn flush(&self) -> Result<(), Error> {
        while self._db.flush()? > 0 {}
        Ok(())
    }

    /// Whether this log lives only as long as the process ([`Log::temporary`]).
    pub fn is_temporary(&self) -> bool {
        self.path.is_none()
    }

    fn from_db(db: sled::Db, path: Option<PathBuf>, format: u8) -> Result<Log, Error> {
        let tree = db.open_tree("log")?;
        let snapshots = db.open_tree("snapshots")?;
        let copies = db.open_tree("copies")?;
        let legacy_last = match tree.scan_prefix([EVENT]).next_back() {
            None => 0,
            Some(kv) => seq_of_key(&kv?.0)?,
        };
        let (last, marked) = match tree.get(COMMIT)? {
            Some(v) => (seq_of_value(&v)?, true),
            None => (last_stored(&tree, legacy_last)?, false),
        };
        let next_seq = last + 1;
        let id_keys = tree.scan_prefix([ID]).next().transpose()?.is_some();
        Ok(Log {
            _db: db,
            tree,
            snapshots,
            copies,
            next_seq,
            path,
            marked,
            discarded: 0,
            format,
            chunk_counts: index::Counts::default(),
            id_keys,
            legacy_last,
        })
    }

    /// How many records staged by an import that never committed (it was
    /// killed, or the machine stopped) `open` removed: they were never
    /// acknowledged, so nothing is lost, but the user may want to know.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    /// Removes the records (and their id entries) staged beyond the commit
    /// mark. First the id index's entries of staged records, in one sled
    /// batch: chunks that hold only such entries are removed, chunks that
    /// also hold committed ones (merged) are rewritten without them. An
    /// import writes chunks only after the blocks they cover, so while a
    /// chunk holds a staged entry, a staged block exists, and the next open
    /// looks again. Then the records, from the highest down,
    /// one block (or, for records staged by a build before format 3, at most
    /// [`STAGE_BATCH`] records) per sled batch. `i` keys go with their
    /// records, so a crash in between leaves
    /// staged records that still have theirs, and the next open removes
    /// them; a staged record too damaged to name its id (or a block too
    /// damaged to split) is removed only after every such entry that points
    /// past the mark, so a crash in between leaves the record, and the next
    /// open does both again. `steps` (tests only) stops after that many
    /// writes.
    fn discard_staged(&mut self, mut steps: Option<u64>) -> Result<(), Error> {
        let mut take_step = || match &mut steps {
            Some(0) => false,
            Some(left) => {
                *left -= 1;
                true
            }
            None => true,
        };
        let committed = self.len();
        if self.tree.range(block_key(committed + 1)..=block_key(u64::MAX)).next().is_some() {
            // Counted while the import that staged them ran: forget them.
            self.chunk_counts = index::Counts::default();
            let mut stale = sled::Batch::default();
            let mut found = false;
            for kv in self.tree.scan_prefix([index::CHUNK]) {
                let (k, v) = kv?;
                // A damaged chunk stays, for `verify` to report.
                let Some(chunk) = index::Chunk::new(&v).filter(|c| c.last() > committed) else {
                    continue;
                };
                // Chunks with only staged entries are the last of their
                // bucket (a merge keeps the committed ones in chunk 0), so
                // removing them leaves no gap.
                let kept: Vec<_> = chunk.entries().filter(|e| e.1 <= committed).collect();
                if kept.is_empty() {
                    stale.remove(k);
                } else {
                    stale.insert(k, index::encode_chunk(&kept));
                }
                found = true;
            }
            if found {
                if !take_step() {
                    return Ok(());
                }
                self.tree.apply_batch(stale)?;
            }
        }
        let mut ids_cleared = false;
        // The first sequence number of the block removed last (the one above).
        let mut above: Option<u64> = None;
        loop {
            let mut batch = sled::Batch::default();
            let mut count = 0;
            let mut found = false;
            let mut damaged = false;
            let top = self.tree.range(block_key(committed + 1)..=block_key(u64::MAX)).next_back();
            if let Some(kv) = top {
                let (k, value) = kv?;
                let first = seq_of_key(&k)?;
                match codec::split_block(&value) {
                    Ok(split) => {
                        for (seq, at) in (first..).zip(&split.ranges) {
                            let stored = Stored::in_block(&value, at, &split);
                            damaged |= !self.unindex(seq, &stored, &mut batch)?;
                        }
                        count = split.ranges.len() as u64;
                    }
                    Err(_) => {
                        damaged = true;
                        // Its records run up to the block above; the topmost
                        // counts as one (its header, which says, is damaged).
                        count = above.map_or(1, |above| above.saturating_sub(first));
                    }
                }
                above = Some(first);
                batch.remove(k);
                found = true;
            } else {
                let staged = self.tree.range(event_key(committed + 1)..=event_key(u64::MAX)).rev();
                for kv in staged.take(STAGE_BATCH) {
                    let (k, bytes) = kv?;
                    damaged |= !self.unindex(seq_of_key(&k)?, &Stored::whole(bytes), &mut batch)?;
                    batch.remove(k);
                    count += 1;
                    found = true;
                }
            }
            if !found {
                break;
            }
            if damaged && self.id_keys && !ids_cleared {
                if !take_step() {
                    return Ok(());
                }
                let mut stale = sled::Batch::default();
                for kv in self.tree.scan_prefix([ID]) {
                    let (k, v) = kv?;
                    if seq_of_value(&v)? > committed {
                        stale.remove(k);
                    }
                }
                self.tree.apply_batch(stale)?;
                ids_cleared = true;
            }
            if !take_step() {
                return Ok(());
            }
            self.tree.apply_batch(batch)?;
            self.discarded += count;
        }
        if self.discarded > 0 || ids_cleared {
            self.tree.flush()?;
        }
        Ok(())
    }

    /// Adds to `batch` the removal of the `i` key of the staged record
    /// `stored` (at `seq`), if that key points at it.
    /// False if the record is too damaged to name its id.
    fn unindex(&self, seq: u64, stored: &Stored, batch: &mut sled::Batch) -> Result<bool, Error> {
        if !self.id_keys {
            return Ok(true);
        }
        let Ok(rec) = stored.decode(seq, &mut codec::Decoder::default()) else { return Ok(false) };
        let id = id_key(rec.event.id.as_str());
        if self.tree.get(&id)?.is_some_and(|v| v[..] == seq.to_be_bytes()) {
            batch.remove(id);
        }
        Ok(true)
    }

    /// Number of stored (committed) records.
    pub fn len(&self) -> u64 {
        self.next_seq - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sequence number of the record holding event `id`, if stored.
    pub fn lookup(&self, id: &str) -> Result<Option<u64>, Error> {
        // An `i` key holds the whole id: no record to read to confirm it.
        if let Some(seq) = self.id_key(id, self.next_seq)? {
            return Ok(Some(seq));
        }
        Ok(self.find_before(id, self.next_seq, None, false)?.map(|rec| rec.seq))
    }

    /// The record holding event `id`, if stored.
    pub fn find(&self, id: &str) -> Result<Option<Recorded>, Error> {
        self.find_before(id, self.next_seq, None, true)
    }

    /// The sequence number before `end` that the `i` key of `id` names, if any.
    fn id_key(&self, id: &str, end: u64) -> Result<Option<u64>, Error> {
        if !self.id_keys {
            return Ok(None);
        }
        let seq = self.tree.get(id_key(id))?.map(|v| seq_of_value(&v)).transpose()?;
        Ok(seq.filter(|&seq| seq > 0 && seq < end))
    }

    /// The record before `end` (committed or staged) that holds event `id`:
    /// the one its `i` key names (unless `id_key` is false: the caller has
    /// looked), else, of the candidates the chunks and `buffer` (an
    /// import's entries not written yet) give for its hash, the one whose
    /// record has that id (the lowest, if several have: `verify` reports
    /// that).
    fn find_before(
        &self,
        id: &str,
        end: u64,
        buffer: Option<&index::Buffer>,
        id_key: bool,
    ) -> Result<Option<Recorded>, Error> {
        let mut found = None;
        if id_key {
            if let Some(seq) = self.id_key(id, end)? {
                self.candidate(id, seq, end, &mut found)?;
                if found.is_some() {
                    return Ok(found);
                }
            }
        }
        let hash = index::id_hash(id);
        let bucket = index::bucket(hash);
        for n in 0..self.chunk_count(bucket)? {
            let key = index::chunk_key(bucket, n);
            let Some(v) = self.tree.get(key)? else { break };
            let chunk = index::Chunk::new(&v).ok_or_else(|| Error::BadChunk(key.to_vec()))?;
            for seq in chunk.seqs(hash) {
                self.candidate(id, seq, end, &mut found)?;
            }
        }
        for seq in buffer.into_iter().flat_map(|b| b.seqs(hash)) {
            self.candidate(id, seq, end, &mut found)?;
        }
        Ok(found)
    }

    /// How many chunks of the id index `bucket` holds: its chunks numbered
    /// 0, 1, … up to the first missing number, counted once and then kept.
    fn chunk_count(&self, bucket: u16) -> Result<u32, Error> {
        if let Some(count) = self.chunk_counts.get(bucket) {
            return Ok(count);
        }
        let mut count = 0;
        while self.tree.contains_key(index::chunk_key(bucket, count))? {
            count += 1;
        }
        self.chunk_counts.set(bucket, count);
        Ok(count)
    }

    /// Makes the record at `seq` what `find_before` found, if it holds `id`
    /// and comes before `end` and before what was found so far.
    fn candidate(
        &self,
        id: &str,
        seq: u64,
        end: u64,
        found: &mut Option<Recorded>,
    ) -> Result<(), Error> {
        if seq == 0 || seq >= end || found.as_ref().is_some_and(|f| f.seq <= seq) {
            return Ok(());
        }
        let rec = self.fetch(seq, &mut codec::Decoder::default(), &mut None)?;
        if let Some(rec) = rec.filter(|rec| rec.event.id.as_str() == id) {
            *found = Some(rec);
        }
        Ok(())
    }

    /// The record at `seq`.
    pub fn get(&self, seq: u64) -> Result<Option<Recorded>, Error> {
        if seq >= self.next_seq {
            return Ok(None);
        }
        self.fetch(seq, &mut codec::Decoder::default(), &mut None)
    }

    /// The record stored under `seq`, committed or staged, decoded by
    /// `decoder`; `block` keeps the block read last, for the next lookup.
    fn fetch(
        &self,
        seq: u64,
        decoder: &mut codec::Decoder,
        block: &mut Option<Block>,
    ) -> Result<Option<Recorded>, Error> {
        self.stored(seq, block)?.map(|stored| stored.decode(seq, decoder)).transpose()
    }

    /// The bytes stored for `seq`, committed or staged: under its `e` key
    /// (written before format 3), or in the block whose first sequence
    /// number is the highest at or below `seq`. `block` is that block if it
    /// was read last; otherwise it becomes it.
    fn stored(&self, seq: u64, block: &mut Option<Block>) -> Result<Option<Stored>, Error> {
        if seq <= self.legacy_last {
            if let Some(value) = self.tree.get(event_key(seq))? {
                return Ok(Some(Stored::whole(value)));
            }
        }
        let cached = block
            .as_ref()
            .is_some_and(|b| b.first <= seq && seq - b.first < b.split.ranges.len() as u64);
        if !cached {
            let Some(kv) = self.tree.range(block_key(0)..=block_key(seq)).next_back() else {
                return Ok(None);
            };
            let (k, value) = kv?;
            let first = seq_of_key(&k)?;
            let split =
                codec::split_block(&value).map_err(|problem| Error::Corrupt { seq, problem })?;
            *block = Some(Block { first, value, split });
        }
        Ok(block.as_ref().and_then(|b| b.record(seq)))
    }

    /// The records of `seqs` that exist, in the order asked. One lookup each,
    /// except that consecutive records of one block read it once: on a
    /// 1M-event log opened cold, scanning the stretch that 40 000 wanted
    /// records span took 1.8-2.2 s and 400 MB, against 1.1 s and 260 MB for
    /// the lookups (sled reads and decodes every page a scan passes; measured
    /// before blocks).
    pub fn get_many(&self, seqs: &[u64]) -> Result<Vec<Recorded>, Error> {
        let mut decoder = codec::Decoder::default();
        let mut block = None;
        let committed = seqs.iter().filter(|&&seq| seq < self.next_seq);
        committed.filter_map(|&seq| self.fetch(seq, &mut decoder, &mut block).transpose()).collect()
    }

    /// Reads records as [`Log::get_many`] does, each of ascending `seqs`,
    /// taking those among `copies` (records of this log, in sequence
    /// order, as [`Log::copies`] gives them) from there instead of the log.
    /// Each copy is given at most once: a reader asks for a record once.
    pub fn get_many_with(
        &self,
        copies: Vec<Recorded>,
    ) -> impl FnMut(&[u64]) -> Result<Vec<Recorded>, Error> + '_ {
        let held: Vec<u64> = copies.iter().map(|r| r.seq).collect();
        let mut copies: Vec<Option<Recorded>> = copies.into_iter().map(Some).collect();
        move |seqs: &[u64]| {
            let mut found = Vec::with_capacity(seqs.len());
            let mut take = |seq: &u64| held.binary_search(seq).ok().and_then(|i| copies[i].take());
            let rest: Vec<u64> = seqs
                .iter()
                .filter(|seq| take(seq).map(|r| found.push(r)).is_none())
                .copied()
                .collect();
            found.extend(self.get_many(&rest)?);
            found.sort_by_key(|r| r.seq);
            Ok(found)
        }
    }

    /// Appends events atomically, all recorded at `recorded_at`, and returns only
    /// once they are durable. Events whose id is already stored with identical
    /// content (in the log or earlier in `events`) are skipped; an id stored with
    /// different content fails the whole append, which then stores nothing.
    pub fn append(
        &mut self,
        events: &[Event],
        recorded_at: DateTime<Utc>,
    ) -> Result<Appended, Error> {
        self.append_from(events, recorded_at, None)
    }

    /// Like [`Log::append`], and every new record keeps `origin`: how the
    /// events reached the log (`import FILE`, `retract`). Every event is
    /// checked before anything is written, so a conflict leaves the log as
    /// it was, byte for byte.
    pub fn append_from(
        &mut self,
        events: &[Event],
        recorded_at: DateTime<Utc>,
        origin: Option<&str>,
    ) -> Result<Appended, Error> {
        let mut fresh: std::collections::HashMap<&str, &Event> = std::collections::HashMap::new();
        let mut new = Vec::new();
        let mut unchanged = 0;
        for event in events {
            let id = event.id.as_str();
            if let Some(earlier) = fresh.get(id) {
                if *earlier != event {
                    return Err(Error::DuplicateInAppend(id.to_string()));
                }
                unchanged += 1;
                continue;
            }
            match self.check(event)? {
                Check::Stored(_) => unchanged += 1,
                Check::New => {
                    fresh.insert(id, event);
                    new.push(event);
                }
            }
        }
        let mut import = self.begin(recorded_at, origin)?;
        for event in new {
            import.stage(event)?;
        }
        let mut outcome = import.commit()?;
        outcome.unchanged = unchanged;
        Ok(outcome)
    }

    /// Whether `event` is new to the log or already stored with the same
    /// content; an id stored with other content is [`Error::Conflict`].
    pub fn check(&self, event: &Event) -> Result<Check, Error> {
        let id = event.id.as_str();
        match self.find(id)? {
            None => Ok(Check::New),
            Some(stored) if stored.event == *event => Ok(Check::Stored(stored.seq)),
            Some(stored) => Err(Error::Conflict { id: id.to_string(), seq: stored.seq }),
        }
    }

    /// Starts an append of events that arrive one at a time (an import that
    /// streams its file): [`Import::push`] each, then [`Import::commit`].
    /// Until the commit, readers of this log see none of them; an import
    /// dropped (or killed) before it is removed.
    pub fn begin(
        &mut self,
        recorded_at: DateTime<Utc>,
        origin: Option<&str>,
    ) -> Result<Import<'_>, Error> {
        if !self.marked {
            // A log of format 1: mark what it holds as committed before
            // anything is staged beyond it.
            self.tree.insert(COMMIT, &self.len().to_be_bytes())?;
            self.tree.flush()?;
            self.marked = true;
        }
        if self.format < 5 {
            // Claim the log for format 5 before its first block and chunk are written.
            self._db.insert(MAGIC_KEY, MAGIC)?;
            self._db.flush()?;
            self.format = 5;
        }
        let next = self.next_seq;
        Ok(Import {
            log: self,
            recorded_at,
            origin: origin.map(str::to_string),
            next,
            batch: sled::Batch::default(),
            records: Vec::new(),
            lens: Vec::new(),
            pending: std::collections::HashMap::new(),
            id_keys_until: next + ID_KEYS_UP_TO,
            index: index::Buffer::default(),
            batch_size: STAGE_BATCH,
            index_size: index::BUFFER_ENTRIES,
            unchanged: 0,
        })
    }

    /// Every record in sequence order, decoded. A damaged record yields an
    /// error naming its sequence number (a damaged block, the range of its
    /// records); iteration can go on past it.
    pub fn iter(&self) -> impl Iterator<Item = Result<Recorded, Error>> + '_ {
        self.iter_from(1)
    }

    /// Every record's bytes in sequence order, undecoded (the physical limit of replay).
    pub fn raw(&self) -> impl Iterator<Item = Result<(u64, Stored), Error>> + '_ {
        self.stored_from(1)
    }

    /// The bytes of the committed records from `first` on, in sequence
    /// order: those under `e` keys, then those in blocks. A block too
    /// damaged to split yields [`Error::CorruptBlock`] with the range of its
    /// records (up to the next block, or the mark), and iteration goes on.
    fn stored_from(&self, first: u64) -> impl Iterator<Item = Result<(u64, Stored), Error>> + '_ {
        let (first, end) = (first.clamp(1, self.next_seq), self.next_seq);
        let legacy = self.tree.range(event_key(first)..event_key(end)).map(|kv| {
            let (k, v) = kv?;
            Ok((seq_of_key(&k)?, Stored::whole(v)))
        });
        // Start at the block that holds `first`, which may begin before it.
        let (start, failed) = match self.tree.range(block_key(0)..=block_key(first)).next_back() {
            None => (first, None),
            Some(Ok((k, _))) => match seq_of_key(&k) {
                Ok(start) => (start, None),
                Err(e) => (first, Some(e)),
            },
            Some(Err(e)) => (first, Some(Error::from(e))),
        };
        let blocks = Blocks {
            blocks: self.tree.range(block_key(start)..block_key(end)).peekable(),
            first,
            end,
            current: None,
        };
        legacy.chain(failed.map(Err)).chain(blocks)
    }

    /// `fsync`s sled's data file and the log's directory. sled's flush
    /// waits for its writes with `sync_file_range` on Linux, which neither
    /// empties the disk's write cache nor records a grown file's size, so
    /// a power cut could still lose what it flushed; an `fsync` of the
    /// file (through any descriptor: it syncs the file, not the
    /// descriptor) does both. sled's snapshot and blob files are its own,
    /// and a log's records fit in its data file.
    fn sync_files(&self) -> Result<(), sled::Error> {
        let Some(dir) = &self.path else { return Ok(()) };
        std::fs::File::open(dir.join("db"))?.sync_all()?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }

    /// Records the last acknowledged record in the head file, after the
    /// records are durable: write a new file, sync it, rename it over the old.
    /// A crash before the rename leaves the previous head, which is never
    /// ahead of the log.
    fn write_head(&self, last: u64) -> Result<(), Error> {
        let Some(dir) = &self.path else { return Ok(()) };
        let crc = self.record_checksum(last)?.unwrap_or(0);
        let io = |e: std::io::Error| Error::Storage(sled::Error::Io(e));
        let tmp = dir.join(format!("{HEAD_FILE}.new"));
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        std::io::Write::write_all(
            &mut file,
            format!("annals-head 1\n{last} {crc:08x}\n").as_bytes(),
        )
        .map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, dir.join(HEAD_FILE)).map_err(io)?;
        Ok(())
    }

    /// Refuses a log that holds fewer records than its head file says were
    /// acknowledged, or whose acknowledged last record changed. Logs written
    /// before the head file existed have none and are not checked.
    fn check_head(&self) -> Result<(), Error> {
        let Some(dir) = &self.path else { return Ok(()) };
        let file = dir.join(HEAD_FILE);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::BadHead(file, e.to_string())),
        };
        let parsed = text.strip_prefix("annals-head 1\n").and_then(|rest| {
            let (seq, crc) = rest.trim_end().split_once(' ')?;
            Some((seq.parse::<u64>().ok()?, u32::from_str_radix(crc, 16).ok()?))
        });
        let Some((expected, crc)) = parsed else {
            return Err(Error::BadHead(file, "not an annals head file".into()));
        };
        let lost = |found: String| Error::Lost { path: dir.clone(), expected, crc, found };
        if self.len() < expected {
            return Err(lost(format!("it holds {}", self.len())));
        }
        match self.record_checksum(expected)? {
            Some(stored) if stored == crc => Ok(()),
            _ => Err(lost(format!("record {expected} is another record"))),
        }
    }

    /// The records from `first` on, in sequence order, decoded (the tail after a snapshot).
    pub fn iter_from(&self, first: u64) -> impl Iterator<Item = Result<Recorded, Error>> + '_ {
        let mut decoder = codec::Decoder::default();
        self.stored_from(first).map(move |item| {
            let (seq, stored) = item?;
            stored.decode(seq, &mut decoder)
        })
    }

    /// The records [`Log::iter_from`] yields, read and decoded on a thread
    /// of its own a few batches ahead of `consume`, which can use the
    /// other core (a replay). The same records and errors in the same
    /// order; memory stays bounded (at most 4 batches of
    /// [`AHEAD_RECORDS`] wait). If `consume` stops early, the thread stops
    /// at its next batch. A panic on the reading thread is a panic here
    /// once `consume` returns.
    pub fn iter_ahead<T>(
        &self,
        first: u64,
        consume: impl FnOnce(&mut dyn Iterator<Item = Result<Recorded, Error>>) -> T,
    ) -> T {
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<_>>(4);
            scope.spawn(move || {
                let mut records = self.iter_from(first);
                loop {
                    let batch: Vec<_> = records.by_ref().take(AHEAD_RECORDS).collect();
                    let done = batch.len() < AHEAD_RECORDS;
                    if batch.is_empty() || tx.send(batch).is_err() || done {
                        return;
                    }
                }
            });
            consume(&mut rx.into_iter().flatten())
        })
    }

    /// Stores `state`, which includes records `1..=last_seq`, as the snapshot
    /// `name` with layout version `schema`, replacing the one before, and
    /// flushes it. Snapshots are derived data: losing one costs a rebuild.
    pub fn save_snapshot(
        &self,
        name: &str,
        schema: u32,
        last_seq: u64,
        state: &impl serde::Serialize,
    ) -> Result<(), Error> {
        let last_crc = self.record_checksum(last_seq)?.unwrap_or(0);
        let header = codec::SnapshotHeader { name: name.to_string(), schema, last_seq, last_crc };
        self.store_snapshot(name, &codec::encode_snapshot(&header, state))?;
        self.snapshots.flush()?;
        Ok(())
    }

    /// Stores the encoded snapshot `name` in pieces of at most
    /// [`copies::PIECE_BYTES`] (so that sled keeps it out of blob files,
    /// which it reads at every open), replacing all of the one before (and a
    /// whole value of an older build) in one batch.
    fn store_snapshot(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        if self.snapshots.contains_key(name.as_bytes())? {
            // Removed on its own: written in the same batch as the pieces,
            // sled rewrites the leaf holding the whole value (as a blob
            // file) each time it consolidates it, and leaves those behind.
            let mut batch = sled::Batch::default();
            batch.remove(name.as_bytes());
            self.snapshots.apply_batch(batch)?;
        }
        let mut batch = sled::Batch::default();
        let mut count = 0;
        for piece in bytes.chunks(copies::PIECE_BYTES) {
            batch.insert(snapshot_piece_key(name, count), piece);
            count += 1;
        }
        let prefix = snapshot_prefix(name);
        for kv in self.snapshots.range(snapshot_piece_key(name, count)..) {
            let (key, _) = kv?;
            if !key.starts_with(&prefix) {
                break;
            }
            batch.remove(key);
        }
        self.snapshots.apply_batch(batch)?;
        Ok(())
    }

    /// The stored bytes of snapshot `name`, its pieces joined (or the whole
    /// value an older build stored); `Err` names a missing piece.
    fn stored_snapshot(&self, name: &str) -> Result<Option<Result<Vec<u8>, String>>, Error> {
        let prefix = snapshot_prefix(name);
        let mut bytes = Vec::new();
        let mut pieces = 0u32;
        for kv in self.snapshots.scan_prefix(&prefix) {
            let (key, piece) = kv?;
            if key[prefix.len()..] != pieces.to_be_bytes() {
                return Ok(Some(Err(format!("piece {pieces} is missing"))));
            }
            bytes.extend_from_slice(&piece);
            pieces += 1;
        }
        if pieces > 0 {
            return Ok(Some(Ok(bytes)));
        }
        Ok(self.snapshots.get(name.as_bytes())?.map(|whole| Ok(whole.to_vec())))
    }

    /// The snapshot `name`, if it matches this log and `schema`. A snapshot is
    /// fresh only if it decodes, passes its checksum, has the expected name
    /// and schema, and covers a record that exists and still has the checksum
    /// it had when the snapshot was taken.
    pub fn load_snapshot<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        schema: u32,
    ) -> Result<Snapshot<T>, Error> {
        let bytes = match self.stored_snapshot(name)? {
            None => return Ok(Snapshot::Missing),
            Some(Err(problem)) => {
                return Ok(Snapshot::Damaged(format!("snapshot `{name}`: {problem}")))
            }
            Some(Ok(bytes)) => bytes,
        };
        let (header, state) = match codec::decode_snapshot_header(&bytes) {
            Ok(decoded) => decoded,
            Err(problem) => return Ok(Snapshot::Damaged(format!("snapshot `{name}`: {problem}"))),
        };
        if header.name != name || header.schema != schema {
            return Ok(Snapshot::Stale(format!(
                "snapshot `{name}` holds `{}` schema {}, but this build uses schema {schema}",
                header.name, header.schema
            )));
        }
        if header.last_seq > self.len() {
            return Ok(Snapshot::Stale(format!(
                "snapshot `{name}` covers records up to {}, but the log has only {}",
                header.last_seq,
                self.len()
            )));
        }
        let crc = self.record_checksum(header.last_seq)?.unwrap_or(0);
        if crc != header.last_crc {
            return Ok(Snapshot::Stale(format!(
                "snapshot `{name}` was taken from another log: record {} has checksum {crc:08x}, not {:08x}",
                header.last_seq, header.last_crc
            )));
        }
        match codec::decode_state(state) {
            Ok(state) => Ok(Snapshot::Fresh { state, last_seq: header.last_seq }),
            Err(problem) => Ok(Snapshot::Damaged(format!("snapshot `{name}`: {problem}"))),
        }
    }

    /// Keeps copies of the committed records `seqs` (ascending) together
    /// under `name`, so that [`Log::copies`] reads them from a few hundred
    /// small values instead of the blocks they lie in: the records after the
    /// last one already copied are added, when there are at least `at_least`
    /// of them, in pieces of at most [`copies::PIECE_BYTES`] (the last piece,
    /// if not half full, is rewritten with them), in one sled batch. A group
    /// whose meta value or last piece is damaged is rebuilt from all of
    /// `seqs`. Copies are derived data, like snapshots: a record's bytes
    /// never change once committed, so a copy stays true, and `verify`
    /// compares every copy with its record. Returns how many records were
    /// copied. `name` is a slug.
    pub fn copy_records(&self, name: &str, seqs: &[u64], at_least: usize) -> Result<usize, Error> {
        self.copy_groups(&[(name, seqs)], at_least)
    }

    /// [`Log::copy_records`] for several groups at once, `(name, seqs)`
    /// each: the records to copy are read in one pass over the stretch of
    /// the log they span (a scan reads sled's pages in order; looking each
    /// record up read them at random: 20 s instead of 2 s for 1.6M records
    /// of a 10M log). Pieces numbered from the group's count on are stored
    /// as they fill, so that memory does not grow with the records copied;
    /// the first piece written (which may replace the group's last one),
    /// the last, and the meta value that makes them count are stored last,
    /// in one sled batch per group that also removes pieces an unfinished
    /// copy left beyond the new count. Until then readers see the group as
    /// it was.
    pub fn copy_groups(
        &self,
        groups: &[(&str, impl AsRef<[u64]>)],
        at_least: usize,
    ) -> Result<usize, Error> {
        struct Plan<'a> {
            name: &'a str,
            /// The number of the first piece to write, and the pieces written.
            first: u32,
            written: u32,
            /// The first piece, kept for the last batch.
            held: Option<Vec<u8>>,
            pieces: copies::Pieces,
            new: &'a [u64],
        }
        let mut plans = Vec::new();
        for (name, seqs) in groups {
            let (name, seqs) = (*name, seqs.as_ref());
            let (first, pieces, new) = match self.copies_plan(name, seqs, at_least) {
                Ok(plan) => plan,
                Err(_) => {
                    self.remove_copies(name)?;
                    self.copies_plan(name, seqs, at_least)?
                }
            };
            if !new.is_empty() {
                plans.push(Plan { name, first, written: 0, held: None, pieces, new });
            }
        }
        // The next record each group wants, smallest first.
        let mut next: std::collections::BinaryHeap<std::cmp::Reverse<(u64, usize, usize)>> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| std::cmp::Reverse((plan.new[0], i, 0)))
            .collect();
        let Some(&std::cmp::Reverse((start, _, _))) = next.peek() else { return Ok(0) };
        let copied = plans.iter().map(|plan| plan.new.len()).sum();
        let missing = |seq| Error::Corrupt { seq, problem: DecodeError::Truncated(0) };
        for item in self.stored_from(start) {
            let (seq, stored) = item?;
            while let Some(&std::cmp::Reverse((want, i, at))) = next.peek() {
                if want > seq {
                    break;
                }
                if want < seq {
                    return Err(missing(want));
                }
                next.pop();
                let plan = &mut plans[i];
                plan.pieces.push(seq, stored.shared(), &stored);
                for piece in plan.pieces.take_closed() {
                    if plan.written == 0 {
                        plan.held = Some(piece);
                    } else {
                        self.copies.insert(
                            copies_piece_key(plan.name, plan.first + plan.written),
                            piece,
                        )?;
                    }
                    plan.written += 1;
                }
                if let Some(&want) = plan.new.get(at + 1) {
                    next.push(std::cmp::Reverse((want, i, at + 1)));
                }
            }
            if next.is_empty() {
                break;
            }
        }
        if let Some(&std::cmp::Reverse((seq, _, _))) = next.peek() {
            return Err(missing(seq));
        }
        for plan in plans {
            let mut batch = sled::Batch::default();
            if let Some(piece) = plan.held {
                batch.insert(copies_piece_key(plan.name, plan.first), piece);
            }
            let mut n = plan.first + plan.written;
            for piece in plan.pieces.finish() {
                batch.insert(copies_piece_key(plan.name, n), piece);
                n += 1;
            }
            let prefix = copies_prefix(plan.name);
            for kv in self.copies.range(copies_piece_key(plan.name, n)..) {
                let (key, _) = kv?;
                if !key.starts_with(&prefix) {
                    break;
                }
                batch.remove(key);
            }
            let last = plan.new[plan.new.len() - 1];
            batch.insert(copies_meta_key(plan.name), &copies::encode_meta(n, last)[..]);
            self.copies.apply_batch(batch)?;
        }
        Ok(copied)
    }

    /// What copying `seqs` under `name` takes: the first piece to write,
    /// the pieces begun (with the records of the last piece, if it is not
    /// half full, to be written again), and the records to copy (none if
    /// fewer than `at_least`). An error if the group is damaged.
    fn copies_plan<'s>(
        &self,
        name: &str,
        seqs: &'s [u64],
        at_least: usize,
    ) -> Result<(u32, copies::Pieces, &'s [u64]), Error> {
        let (pieces, last) = self.copies_meta(name)?;
        let seqs = &seqs[seqs.partition_point(|&seq| seq <= last)..];
        let new = &seqs[..seqs.partition_point(|&seq| seq < self.next_seq)];
        let mut encoder = copies::Pieces::default();
        if new.is_empty() || new.len() < at_least {
            return Ok((pieces, encoder, &[]));
        }
        if let Some(n) = pieces.checked_sub(1) {
            let piece = self.copies_piece(name, n)?;
            if piece.len() < copies::PIECE_BYTES / 2 {
                let bad = |problem| Error::BadCopies { name: name.to_string(), problem };
                for e in copies::split(&piece).map_err(bad)? {
                    encoder.push(e.seq, e.shared(&piece), &piece[e.record.clone()]);
                }
                return Ok((n, encoder, new));
            }
        }
        Ok((pieces, encoder, new))
    }

    /// Removes the copies `name` (damaged ones, say): readers then read
    /// those records from the log, and the next [`Log::copy_records`]
    /// copies them again.
    pub fn remove_copies(&self, name: &str) -> Result<(), Error> {
        let mut batch = sled::Batch::default();
        for kv in self.copies.scan_prefix(copies_prefix(name)) {
            batch.remove(kv?.0);
        }
        batch.remove(copies_meta_key(name));
        self.copies.apply_batch(batch)?;
        Ok(())
    }

    /// The records copied under `name` ([`Log::copy_records`]), in sequence
    /// order; none if there are no copies. Each is checked by its checksum
    /// and decoded as when read from the log; a damaged group is an error,
    /// and the log still holds every record it copied.
    pub fn copies(&self, name: &str) -> Result<Vec<Recorded>, Error> {
        let (pieces, _) = self.copies_meta(name)?;
        let mut decoder = codec::Decoder::default();
        let mut out = Vec::new();
        for n in 0..pieces {
            let piece = self.copies_piece(name, n)?;
            let bad = |problem| Error::BadCopies { name: name.to_string(), problem };
            let previous = out.last().map_or(0, |r: &Recorded| r.seq);
            for entry in self.copied_entries(n, &piece, previous).map_err(bad)? {
                let seq = entry.seq;
                let record = decoder
                    .decode(seq, &piece[entry.record.clone()], entry.shared(&piece))
                    .map_err(|problem| bad(format!("record {seq}: {problem}")))?;
                out.push(record);
            }
        }
        Ok(out)
    }

    /// The records of piece `n` of a group, whose records before it end at
    /// `previous`: an error if the piece is damaged, or holds a record
    /// out of sequence order or beyond the log.
    fn copied_entries(
        &self,
        n: u32,
        piece: &[u8],
        previous: u64,
    ) -> Result<Vec<copies::Entry>, String> {
        let entries = copies::split(piece).map_err(|p| format!("piece {n} is damaged: {p}"))?;
        let mut last = previous;
        for entry in &entries {
            if entry.seq <= last || entry.seq >= self.next_seq {
                return Err(format!("record {} is out of place in piece {n}", entry.seq));
            }
            last = entry.seq;
        }
        Ok(entries)
    }

    /// The piece count and last record of copies `name`: (0, 0) if none.
    fn copies_meta(&self, name: &str) -> Result<(u32, u64), Error> {
        match self.copies.get(copies_meta_key(name))? {
            None => Ok((0, 0)),
            Some(meta) => copies::decode_meta(&meta).ok_or_else(|| Error::BadCopies {
                name: name.to_string(),
                problem: format!("its meta value is {} bytes, not 12", meta.len()),
            }),
        }
    }

    /// Piece `n` of copies `name`, which its meta value says exists.
    fn copies_piece(&self, name: &str, n: u32) -> Result<sled::IVec, Error> {
        self.copies.get(copies_piece_key(name, n))?.ok_or_else(|| Error::BadCopies {
            name: name.to_string(),
            problem: format!("piece {n} is missing"),
        })
    }

    /// The stored bytes of snapshot `name`, for tests that damage them.
    #[doc(hidden)]
    pub fn snapshot_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.stored_snapshot(name)?.and_then(Result::ok))
    }

    /// Stores raw bytes as snapshot `name`, in pieces, for tests that damage them.
    #[doc(hidden)]
    pub fn put_snapshot_bytes(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.store_snapshot(name, bytes)
    }

    /// Removes piece `n` of snapshot `name`, for tests that damage it.
    #[doc(hidden)]
    pub fn remove_snapshot_piece(&self, name: &str, n: u32) -> Result<(), Error> {
        self.snapshots.remove(snapshot_piece_key(name, n))?;
        Ok(())
    }

    /// The checksum stored with record `seq` (`Some(0)` for seq 0, the empty prefix).
    fn record_checksum(&self, seq: u64) -> Result<Option<u32>, Error> {
        if seq == 0 {
            return Ok(Some(0));
        }
        if seq >= self.next_seq {
            return Ok(None);
        }
        Ok(self.stored(seq, &mut None)?.and_then(|bytes| codec::stored_checksum(&bytes)))
    }

    /// Checks the log's physical integrity: every record decodes and passes its
    /// checksum, sequence numbers run from 1 without gaps, and the id index
    /// points at the record holding each id. Logical checks (references, replay)
    /// belong to the layers above.
    pub fn verify(&self) -> Result<Integrity, Error> {
        let mut report = Integrity::default();
        // Every entry of the index's chunks, sorted: (hash, sequence).
        let mut entries = Vec::new();
        // The bucket and number the next chunk should have.
        let mut next = (0, 0);
        for kv in self.tree.scan_prefix([index::CHUNK]) {
            let (k, v) = kv?;
            let Some((bucket, n)) = index::parse_chunk_key(&k) else {
                report.problems.push(Error::BadKey(k.to_vec()).to_string());
                continue;
            };
            if (bucket, n) != next && (bucket <= next.0 || n != 0) {
                report.problems.push(format!(
                    "the id index's bucket {bucket} lacks chunks before number {n}: lookups miss the ids they hold"
                ));
            }
            next = (bucket, n + 1);
            match index::Chunk::new(&v) {
                Some(chunk) => entries.extend(chunk.entries()),
                None => report.problems.push(Error::BadChunk(k.to_vec()).to_string()),
            }
        }
        entries.sort_unstable();
        let mut expected = 1;
        let mut decoder = codec::Decoder::default();
        for item in self.raw() {
            // One record, or the records of a block too damaged to split.
            let (seq, last, stored) = match item {
                Ok((seq, stored)) => (seq, seq, Ok(stored)),
                Err(e @ Error::CorruptBlock { first, last, .. }) => (first, last, Err(e)),
                Err(e) => return Err(e),
            };
            if seq != expected {
                report.problems.push(format!(
                    "records {expected}..{} are missing (gap in the sequence)",
                    seq - 1
                ));
            }
            expected = last + 1;
            report.records += last - seq + 1;
            let stored = match stored {
                Ok(stored) => stored,
                Err(damaged) => {
                    report.problems.push(damaged.to_string());
                    continue;
                }
            };
            let rec = match stored.decode(seq, &mut decoder) {
                Ok(rec) => rec,
                Err(corrupt) => {
                    report.problems.push(corrupt.to_string());
                    continue;
                }
            };
            let id = rec.event.id.as_str();
            let hashed = entries.binary_search(&(index::id_hash(id), seq)).is_ok();
            let keyed = match self.id_keys {
                true => self.tree.get(id_key(id))?.map(|v| seq_of_value(&v)).transpose()?,
                false => None,
            };
            match keyed {
                Some(s) if s != seq && hashed => {
                    report.problems.push(format!("id `{id}` is held by records {s}, {seq}"))
                }
                Some(s) if s != seq => report
                    .problems
                    .push(format!("record {seq}: id `{id}` is indexed at record {s}")),
                None if !hashed => report
                    .problems
                    .push(format!("record {seq}: id `{id}` is missing from the id index")),
                _ => {}
            }
        }
        if expected < self.next_seq {
            report.problems.push(format!(
                "records {expected}..{} are missing (the commit mark says the log holds {})",
                self.next_seq - 1,
                self.len()
            ));
        }
        report.ids = entries.len() as u64;
        for &(_, seq) in &entries {
            if seq == 0 || seq >= expected {
                report
                    .problems
                    .push(format!("the id index points at record {seq}, which does not exist"));
            }
        }
        // Entries that share a hash: records that may hold one id.
        for group in entries.chunk_by(|a, b| a.0 == b.0).filter(|group| group.len() > 1) {
            let mut held: Vec<(String, u64)> = Vec::new();
            for &(_, seq) in group {
                if let Ok(Some(rec)) = self.get(seq) {
                    held.push((rec.event.id.as_str().to_string(), seq));
                }
            }
            held.sort();
            for same in held.chunk_by(|a, b| a.0 == b.0).filter(|same| same.len() > 1) {
                let seqs: Vec<String> = same.iter().map(|(_, seq)| seq.to_string()).collect();
                report.problems.push(format!(
                    "id `{}` is held by records {}",
                    same[0].0,
                    seqs.join(", ")
                ));
            }
        }
        for kv in self.tree.scan_prefix([ID]) {
            let (k, v) = kv?;
            report.ids += 1;
            let seq = seq_of_value(&v)?;
            if seq == 0 || seq >= expected {
                let id = String::from_utf8_lossy(&k[1..]);
                report
                    .problems
                    .push(format!("id `{id}` is indexed at record {seq}, which does not exist"));
            }
        }
        if report.ids != report.records {
            report
                .problems
                .push(format!("{} records but {} indexed ids", report.records, report.ids));
        }
        self.verify_copies(&mut report)?;
        Ok(report)
    }

    /// Checks every group of copies ([`Log::copy_records`]): its meta value,
    /// pieces numbered from 0 without gaps, each whole, records in order up
    /// to the last the meta value names, and each copy the same bytes (and
    /// shared time and origin) as the record in the log. A group's keys are
    /// contiguous (`name`, 0, … then `name`, 1), so one group is held at a time.
    fn verify_copies(&self, report: &mut Integrity) -> Result<(), Error> {
        // Keys sort a group's pieces (name 0x00 number) before its meta
        // value (name 0x01): collect the pieces of one name (`of`), then
        // check them.
        let (mut of, mut pieces): (Vec<u8>, Vec<(u32, sled::IVec)>) = Default::default();
        for kv in self.copies.iter() {
            let (k, v) = kv?;
            let n = k.len();
            if n >= 6 && k[n - 5] == 0 {
                let number = u32::from_be_bytes(k[n - 4..].try_into().expect("4 bytes"));
                if of != k[..n - 5] {
                    // Pieces of a group without a meta value: a first copy that did not finish.
                    report.copies_left += pieces.len() as u64;
                    pieces.clear();
                    of = k[..n - 5].to_vec();
                }
                pieces.push((number, v));
            } else if n >= 2 && k[n - 1] == 1 {
                if of != k[..n - 1] {
                    report.copies_left += pieces.len() as u64;
                    pieces.clear();
                }
                let name = String::from_utf8_lossy(&k[..n - 1]).into_owned();
                let problems = self.check_copies(&name, &v, &pieces, report)?;
                report.problems.extend(problems);
                pieces.clear();
                of.clear();
            } else {
                report.problems.push(format!("copies: malformed key {:?}", &k[..]));
            }
        }
        report.copies_left += pieces.len() as u64;
        Ok(())
    }

    /// Pieces numbered from the count on are left by a copy that did not
    /// finish: they are counted in `report`, not checked.
    fn check_copies(
        &self,
        name: &str,
        meta: &[u8],
        pieces: &[(u32, sled::IVec)],
        report: &mut Integrity,
    ) -> Result<Vec<String>, Error> {
        let problem = |p: String| vec![format!("copies of `{name}`: {p}")];
        let Some((count, last)) = copies::decode_meta(meta) else {
            return Ok(problem(format!("its meta value is {} bytes, not 12", meta.len())));
        };
        let live = pieces.partition_point(|&(n, _)| n < count);
        report.copies_left += (pieces.len() - live) as u64;
        if let Some(missing) = (0..count).find(|&n| pieces.get(n as usize).is_none_or(|p| p.0 != n))
        {
            return Ok(problem(format!(
                "piece {missing} is missing, of the {count} its meta value says"
            )));
        }
        let (mut block, mut previous) = (None, 0);
        for (n, (_, piece)) in (0..).zip(&pieces[..live]) {
            let entries = match self.copied_entries(n, piece, previous) {
                Ok(entries) => entries,
                Err(p) => return Ok(problem(p)),
            };
            for entry in entries {
                let seq = entry.seq;
                previous = seq;
                let same = self.stored(seq, &mut block).ok().flatten().is_some_and(|stored| {
                    stored[..] == piece[entry.record.clone()]
                        && stored.shared() == entry.shared(piece)
                });
                if !same {
                    return Ok(problem(format!("the copy of record {seq} differs from the log")));
                }
                report.copies += 1;
            }
        }
        if previous != last {
            return Ok(problem(format!(
                "its last record is {previous}, but its meta value says {last}"
            )));
        }
        Ok(Vec::new())
    }
}

/// What [`Log::verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Integrity {
    pub records: u64,
    pub ids: u64,
    /// Records kept as copies ([`Log::copy_records`]), each checked.
    pub copies: u64,
    /// Pieces of copies left by a copy that did not finish (a crash): no
    /// reader sees them, and the next copy of their group replaces them.
    pub copies_left: u64,
    /// Empty when the log is sound.
    pub problems: Vec<String>,
}

/// An append in progress ([`Log::begin`]): events are checked and staged
/// beyond the commit mark as they come, in sled batches of [`STAGE_BATCH`],
/// and become part of the log only at [`Import::commit`]. Dropped without a
/// commit, it removes what it staged.
#[derive(Debug)]
pub struct Import<'l> {
    log: &'l mut Log,
    recorded_at: DateTime<Utc>,
    origin: Option<String>,
    /// The sequence number the next new event gets.
    next: u64,
    /// The blocks (and `i` keys) of the sled batch being built.
    batch: sled::Batch,
    /// The encoded records of the block being built, end to end, and their lengths.
    records: Vec<u8>,
    lens: Vec<u32>,
    /// The events of `batch` (not yet in sled) by id.
    pending: std::collections::HashMap<String, Event>,
    /// Events before this sequence number get an `i` key of their own
    /// ([`ID_KEYS_UP_TO`]); the rest, entries in chunks.
    id_keys_until: u64,
    /// The id entries staged but not yet written as chunks of the index.
    index: index::Buffer,
    /// Events per sled batch ([`STAGE_BATCH`]; smaller in tests).
    batch_size: usize,
    /// Id entries gathered before they are written ([`index::BUFFER_ENTRIES`]; smaller in tests).
    index_size: usize,
    unchanged: u64,
}

impl Import<'_> {
    /// Stages `event` and returns its sequence number, unless its id is
    /// already stored or staged with the same content (then it is skipped:
    /// `Ok(None)`). An id stored with other content is [`Error::Conflict`];
    /// one staged earlier in this import with other content is
    /// [`Error::DuplicateInAppend`]. After an error nothing more should be
    /// pushed: drop the import.
    pub fn push(&mut self, event: &Event) -> Result<Option<u64>, Error> {
        let id = event.id.as_str();
        let same = if let Some(earlier) = self.pending.get(id) {
            earlier == event
        } else if let Some(stored) = self.log.find_before(id, self.next, Some(&self.index), true)? {
            let same = stored.event == *event;
            if !same && stored.seq < self.log.next_seq {
                return Err(Error::Conflict { id: id.to_string(), seq: stored.seq });
            }
            same
        } else {
            return self.stage(event).map(Some);
        };
        if !same {
            return Err(Error::DuplicateInAppend(id.to_string()));
        }
        self.unchanged += 1;
        Ok(None)
    }

    /// Stages `event`, which the caller found new with [`Log::check`] on
    /// this log (since it was opened for this import) and has not pushed
    /// before: its id is not looked up in the log again, which saves a
    /// read per event when a file's events were all checked beforehand.
    /// An id pushed earlier in the sled batch being built is still
    /// noticed ([`push`](Self::push) settles it). Staging an id that is
    /// in fact stored would index it twice, which [`Log::verify`] reports:
    /// only push as new what was checked.
    pub fn push_new(&mut self, event: &Event) -> Result<Option<u64>, Error> {
        if self.pending.contains_key(event.id.as_str()) {
            return self.push(event);
        }
        self.stage(event).map(Some)
    }

    /// Counts an event as already stored, without looking it up: for a
    /// caller that found it stored with [`Log::check`] on this log (since it
    /// was opened for this import), or that pushed an event with the same
    /// id and content before.
    pub fn skip_stored(&mut self) {
        self.unchanged += 1;
    }

    /// Stages an event known to be new.
    fn stage(&mut self, event: &Event) -> Result<u64, Error> {
        let seq = self.next;
        let record = codec::encode(event);
        self.lens.push(u32::try_from(record.len()).expect("a record is smaller than 4 GiB"));
        self.records.extend_from_slice(&record);
        if seq < self.id_keys_until {
            self.batch.insert(id_key(event.id.as_str()), &seq.to_be_bytes()[..]);
            self.log.id_keys = true;
        } else {
            self.index.insert(index::id_hash(event.id.as_str()), seq);
        }
        self.pending.insert(event.id.as_str().to_string(), event.clone());
        self.next += 1;
        if self.lens.len() >= BLOCK_RECORDS {
            self.seal();
        }
        if self.pending.len() >= self.batch_size {
            self.apply()?;
        }
        if self.index.len() >= self.index_size {
            self.write_index()?;
        }
        Ok(seq)
    }

    /// Writes the id entries gathered so far as chunks of the index, after
    /// the blocks of their records (so that `open` finds a staged block
    /// whenever it finds a staged chunk), in sled batches of
    /// [`index::CHUNK_BATCH`] chunks.
    fn write_index(&mut self) -> Result<(), Error> {
        if self.index.is_empty() {
            return Ok(());
        }
        self.apply()?;
        for chunks in self.index.take_chunks().chunks(index::CHUNK_BATCH) {
            let mut batch = sled::Batch::default();
            for (bucket, entries) in chunks {
                self.add_chunk(*bucket, entries, &mut batch)?;
            }
            self.log.tree.apply_batch(batch)?;
        }
        Ok(())
    }

    /// Adds to `batch` the chunk of `entries` (sorted) for `bucket`, after
    /// its others; or, if it holds [`index::MERGE_AT`] already, a merge of
    /// them all with `entries` as its chunk 0, and the removal of the rest.
    fn add_chunk(
        &mut self,
        bucket: u16,
        entries: &[(u64, u64)],
        batch: &mut sled::Batch,
    ) -> Result<(), Error> {
        let count = self.log.chunk_count(bucket)?;
        if count < index::MERGE_AT {
            batch.insert(&index::chunk_key(bucket, count)[..], index::encode_chunk(entries));
            self.log.chunk_counts.set(bucket, count + 1);
            return Ok(());
        }
        let mut all = entries.to_vec();
        for n in 0..count {
            let key = index::chunk_key(bucket, n);
            let value = self.log.tree.get(key)?.ok_or_else(|| Error::BadChunk(key.to_vec()))?;
            let chunk = index::Chunk::new(&value).ok_or_else(|| Error::BadChunk(key.to_vec()))?;
            all.extend(chunk.entries());
            if n > 0 {
                batch.remove(&key[..]);
            }
        }
        all.sort_unstable();
        batch.insert(&index::chunk_key(bucket, 0)[..], index::encode_chunk(&all));
        self.log.chunk_counts.set(bucket, 1);
        Ok(())
    }

    /// Adds the block being built to the sled batch.
    fn seal(&mut self) {
        if !self.lens.is_empty() {
            let first = self.next - self.lens.len() as u64;
            let shared = codec::Shared {
                recorded_at_micros: self.recorded_at.timestamp_micros(),
                origin: self.origin.as_deref(),
            };
            let block = codec::encode_block(shared, &self.lens, &self.records);
            self.batch.insert(&block_key(first)[..], block);
            self.records.clear();
            self.lens.clear();
        }
    }

    /// Writes the sled batch being built (its blocks).
    fn apply(&mut self) -> Result<(), Error> {
        self.seal();
        if !self.pending.is_empty() {
            self.log.tree.apply_batch(std::mem::take(&mut self.batch))?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Stages in sled batches of `events` instead of [`STAGE_BATCH`], so
    /// that tests reach the paths of many batches with small logs.
    #[doc(hidden)]
    pub fn with_batch_size(mut self, events: usize) -> Self {
        self.batch_size = events.max(1);
        self
    }

    /// Gives only the first `entries / 2` events `i` keys, and writes the
    /// chunks of the rest every `entries` events instead of every
    /// [`index::BUFFER_ENTRIES`], so that tests reach the paths of both
    /// kinds of index and of many index writes with small logs.
    #[doc(hidden)]
    pub fn with_index_size(mut self, entries: usize) -> Self {
        self.index_size = entries.max(1);
        self.id_keys_until = self.log.next_seq + entries as u64 / 2;
        self
    }

    /// How many events this import has staged so far.
    pub fn staged(&self) -> u64 {
        self.next - self.log.next_seq
    }

    /// Makes every staged event part of the log and returns once that is
    /// durable: the staged records are flushed, then the commit mark moves
    /// over them and is flushed, then sled's data file is `fsync`ed (its
    /// flush alone does not survive a power cut on Linux), then the head
    /// file is rewritten.
    ///
    /// If the flush or the `fsync` after the mark fails, the mark may reach
    /// the disk all the same: the error is [`Error::Unconfirmed`], and the
    /// staged records are kept for it rather than removed.
    pub fn commit(self) -> Result<Appended, Error> {
        self.commit_flushing(|tree| tree.flush())
    }

    /// Commits as [`Import::commit`] does, but the flush after the mark
    /// fails with an I/O error, as a failing disk's would: for tests.
    #[doc(hidden)]
    pub fn commit_failing_after_mark(self) -> Result<Appended, Error> {
        self.commit_flushing(|_| Err(sled::Error::Io(std::io::Error::from_raw_os_error(5))))
    }

    fn commit_flushing(
        mut self,
        flush_mark: impl FnOnce(&sled::Tree) -> sled::Result<usize>,
    ) -> Result<Appended, Error> {
        self.apply()?;
        self.write_index()?;
        let first = self.log.next_seq;
        let last = self.next - 1;
        let appended = self.next - first;
        if appended > 0 {
            self.log.tree.flush()?;
            self.log.tree.insert(COMMIT, &last.to_be_bytes())?;
            // The mark is in: whatever happens next, the staged records are
            // the log's (a drop must not remove them).
            self.log.next_seq = self.next;
            flush_mark(&self.log.tree).map_err(Error::Unconfirmed)?;
            self.log.sync_files().map_err(Error::Unconfirmed)?;
            // The records are stored: the head is a safeguard on top. If it
            // cannot be written, the older head stays, which is never ahead
            // of the log, so it neither blocks nor misleads; only this
            // append goes unguarded.
            let _ = self.log.write_head(last);
        }
        let seqs = (appended > 0).then_some((first, last));
        Ok(Appended { appended, unchanged: self.unchanged, seqs })
    }
}

impl Drop for Import<'_> {
    fn drop(&mut self) {
        // Committed, or nothing staged: nothing to undo. Otherwise remove
        // the staged records now; if that fails, the next `open` does.
        if self.next > self.log.next_seq {
            let _ = self.log.discard_staged(None);
        }
    }
}

/// The last sequence number stored (of a log without a commit mark): in its
/// last block, or under its last `e` key.
fn last_stored(tree: &sled::Tree, legacy_last: u64) -> Result<u64, Error> {
    let Some(kv) = tree.scan_prefix([BLOCK]).next_back() else { return Ok(legacy_last) };
    let (k, value) = kv?;
    let first = seq_of_key(&k)?;
    let split =
        codec::split_block(&value).map_err(|problem| Error::Corrupt { seq: first, problem })?;
    Ok(legacy_last.max(first + split.ranges.len() as u64 - 1))
}

/// The records of a range of blocks, in sequence order ([`Log::stored_from`]).
struct Blocks {
    blocks: std::iter::Peekable<sled::Iter>,
    /// Records before `first` (in the first block) are skipped.
    first: u64,
    /// One past the mark.
    end: u64,
    /// The block being read.
    current: Option<Reading>,
}

/// A block being read by [`Blocks`].
struct Reading {
    /// The sequence number of its first record.
    first: u64,
    value: sled::IVec,
    split: codec::Split,
    /// The index of its next record.
    next: usize,
}

impl Iterator for Blocks {
    type Item = Result<(u64, Stored), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(Reading { first, value, split, next }) = &mut self.current {
                if let Some(at) = split.ranges.get(*next) {
                    let this = *first + *next as u64;
                    *next += 1;
                    if this < self.first {
                        continue;
                    }
                    if this >= self.end {
                        return None;
                    }
                    return Some(Ok((this, Stored::in_block(value, at, split))));
                }
                self.current = None;
            }
            let (k, value) = match self.blocks.next()? {
                Ok(kv) => kv,
                Err(e) => return Some(Err(e.into())),
            };
            let first = match seq_of_key(&k) {
                Ok(first) => first,
                Err(e) => return Some(Err(e)),
            };
            match codec::split_block(&value) {
                Ok(split) => self.current = Some(Reading { first, value, split, next: 0 }),
                Err(problem) => {
                    let next = match self.blocks.peek() {
                        Some(Ok((k, _))) => seq_of_key(k).ok(),
                        _ => None,
                    };
                    let last = next.map_or(self.end - 1, |next| next - 1).max(first);
                    return Some(Err(Error::CorruptBlock { first, last, problem }));
                }
            }
        }
    }
}

/// What sled may keep of the log in memory. Its default (1 GiB) is reached by
/// any log over about 3M events, and a full replay holds it to the end: with
/// 256 MiB a replay of 10M events peaked 1.3 GiB lower and was no slower
/// (docs/PERFORMANCE.md §5). Reads beyond it come from the OS's page cache.
const CACHE_BYTES: u64 = 256 * 1024 * 1024;

fn open_db(config: sled::Config, path: &Path) -> Result<sled::Db, Error> {
    let config = config.cache_capacity(CACHE_BYTES);
    // sled releases its file lock from a background thread after the last
    // handle is dropped, so a log closed a moment ago (by this process, or one
    // that is exiting) can look locked briefly: wait up to about a second.
    let mut attempts = 0;
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(io)) if is_lock_error(&io) => {
                attempts += 1;
                if attempts >= 50 {
                    return Err(Error::InUse(path.to_path_buf()));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(Error::Storage(e)),
        }
    }
}

fn is_lock_error(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock")
}
