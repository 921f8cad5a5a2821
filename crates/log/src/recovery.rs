//! Opening a log: its format, the head file's check that no acknowledged
//! record was lost, and the removal of records an unfinished import staged.

use std::path::{Path, PathBuf};

use crate::error::{Found, HeadProblem};
use crate::keys::*;
use crate::store::{self, Batch, Engine, Tree};
use crate::{codec, index, Error, Log, LogFormat, Stored, HEAD_FILE, STAGE_BATCH};

/// The last sequence number stored (of a log without a commit mark): in its
/// last block, or under its last `e` key.
pub(crate) fn last_stored(tree: &Tree, legacy_last: u64) -> Result<u64, Error> {
    let Some(kv) = tree.scan_prefix([BLOCK]).next_back() else { return Ok(legacy_last) };
    let (k, value) = kv?;
    let first = seq_of_key(&k)?;
    let split =
        codec::split_block(&value).map_err(|problem| Error::Corrupt { seq: first, problem })?;
    Ok(legacy_last.max(first + split.ranges.len() as u64 - 1))
}

/// Whether `path` is an empty directory, or holds only sled's files with
/// no log format written and no record: what an `init` that was stopped
/// (killed, a full disk) leaves. Anything else is not `init`'s to touch.
fn half_created(path: &Path) -> Result<bool, Error> {
    if !path.is_dir() {
        return Ok(false);
    }
    let io = |e: std::io::Error| Error::Storage(e.into());
    let mut names = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        names.push(entry.map_err(io)?.file_name().to_string_lossy().into_owned());
    }
    let sleds = |name: &String| {
        ["conf", "db", "blobs"].contains(&name.as_str()) || name.starts_with("snap.")
    };
    if names.is_empty() {
        return Ok(true);
    }
    if !names.iter().all(sleds) || !names.iter().any(|n| n == "conf") {
        return Ok(false);
    }
    let db = open_db(sled::Config::new().path(path), path, OPEN_WAIT)?;
    let no_format = db.get(MAGIC_KEY)?.is_none();
    let no_record = db.open_tree("log")?.iter().keys().all(|k| k.is_ok_and(|k| k == COMMIT));
    Ok(no_format && no_record)
}

/// The head file's text (version 2): the last acknowledged sequence number
/// and that record's checksum, then a checksum of those two, so that a
/// damaged head file is told apart from lost records.
pub(crate) fn head_text(last: u64, crc: u32) -> String {
    let body = format!("{last} {crc:08x}");
    format!("annals-head 2\n{body} {:08x}\n", crc32fast::hash(body.as_bytes()))
}

/// Why a head file cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HeadDamage {
    /// Its own checksum fails: its bytes changed.
    Checksum,
    /// It is not a head file of any version this build knows.
    Unreadable,
}

/// The last acknowledged sequence number and that record's checksum, from a
/// head file of version 1 (no checksum of its own) or 2.
pub(crate) fn parse_head(text: &str) -> Result<(u64, u32), HeadDamage> {
    let fields = |body: &str| -> Option<(u64, u32)> {
        let (seq, crc) = body.split_once(' ')?;
        Some((seq.parse().ok()?, u32::from_str_radix(crc, 16).ok()?))
    };
    if let Some(rest) = text.strip_prefix("annals-head 1\n") {
        return fields(rest.trim_end()).ok_or(HeadDamage::Unreadable);
    }
    let Some(rest) = text.strip_prefix("annals-head 2\n") else {
        return Err(HeadDamage::Unreadable);
    };
    let rest = rest.trim_end();
    let (body, check) = rest.rsplit_once(' ').ok_or(HeadDamage::Checksum)?;
    let check = u32::from_str_radix(check, 16).map_err(|_| HeadDamage::Checksum)?;
    if check != crc32fast::hash(body.as_bytes()) {
        return Err(HeadDamage::Checksum);
    }
    fields(body).ok_or(HeadDamage::Checksum)
}

/// What sled may keep of the log in memory. Its default (1 GiB) is reached by
/// any log over about 3M events, and a full replay holds it to the end: with
/// 256 MiB a replay of 10M events peaked 1.3 GiB lower and was no slower
/// (docs/PERFORMANCE.md §5). Reads beyond it come from the OS's page cache.
pub(crate) const CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// How long an open waits for another process to release the log, unless
/// told otherwise ([`Log::open_waiting`]): sled releases its file lock from a
/// background thread after the last handle is dropped, so a log closed a
/// moment ago (by this process, or one that is exiting) can look locked
/// briefly.
pub const OPEN_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

pub(crate) fn open_db(
    config: sled::Config,
    path: &Path,
    wait: std::time::Duration,
) -> Result<sled::Db, Error> {
    let config = config.cache_capacity(CACHE_BYTES);
    let start = std::time::Instant::now();
    loop {
        match config.open() {
            Ok(db) => return Ok(db),
            Err(sled::Error::Io(io)) if is_lock_error(&io) => {
                if start.elapsed() >= wait {
                    return Err(Error::InUse(path.to_path_buf()));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(sled::Error::Corruption { .. }) if remove_incomplete_snapshots(path) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// Removes the snapshot files sled had not finished writing
/// (`snap.*.generating`) and says whether there were any. sled 0.34 writes
/// its snapshot (a summary of its data file, rebuilt from that file when
/// missing) to `snap.N.generating`, `fsync`s it and renames it to
/// `snap.N`, but on open it reads the last of every `snap.*` file, the
/// unfinished one included: one cut short by a kill or a power cut makes
/// every open fail with "Read corrupted data" though no record is damaged.
/// A finished snapshot, if any, is still there beside it (sled removes the
/// older ones only after the rename). Called after an open failed with
/// sled's corruption error, which it reports only once it holds the lock:
/// no other process is writing a snapshot then.
fn remove_incomplete_snapshots(path: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(path) else { return false };
    let mut removed = false;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            removed |= std::fs::remove_file(entry.path()).is_ok();
        }
    }
    if removed {
        // The removal must not come back after a power cut: sled would then
        // read the unfinished snapshot again.
        let _ = sync_dir(path);
    }
    removed
}

/// Makes the changes to the entries of directory `dir` (a file renamed into
/// it, one removed) survive a power cut: POSIX makes a rename durable only
/// once the directory itself is `fsync`ed. Where a directory cannot be
/// opened as a file (Windows), the file system's own journal is relied on.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

pub(crate) fn is_lock_error(io: &std::io::Error) -> bool {
    io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock")
}

impl Log {
    /// Creates a new, empty log at `path`, which must not exist yet, or be
    /// an empty directory, or one where an `init` stopped before it wrote
    /// the log's format (a crash): that one is completed.
    pub fn init(path: impl AsRef<Path>) -> Result<Log, Error> {
        let path = path.as_ref();
        if path.exists() && !half_created(path)? {
            return Err(Error::AlreadyExists(path.to_path_buf()));
        }
        let db = open_db(sled::Config::new().path(path), path, OPEN_WAIT)?;
        Log::init_engine(Box::new(store::Sled(db)), Some(path.to_path_buf()))
    }

    /// Writes an empty log's commit mark and format into `db`.
    pub(crate) fn init_engine(db: Box<dyn Engine>, path: Option<PathBuf>) -> Result<Log, Error> {
        db.tree("log")?.insert(COMMIT, 0u64.to_be_bytes())?;
        db.tree(store::DEFAULT_TREE)?.insert(MAGIC_KEY, LogFormat::NEWEST.magic())?;
        db.flush()?;
        Log::from_db(db, path, LogFormat::NEWEST)
    }

    /// Opens an existing log.
    pub fn open(path: impl AsRef<Path>) -> Result<Log, Error> {
        Log::open_waiting(path, OPEN_WAIT)
    }

    /// Opens an existing log, waiting up to `wait` for another process that
    /// holds it to let it go.
    pub fn open_waiting(path: impl AsRef<Path>, wait: std::time::Duration) -> Result<Log, Error> {
        let mut log = Log::open_unchecked(path.as_ref(), wait)?;
        log.discard_staged(None)?;
        log.check_head()?;
        Ok(log)
    }

    /// Opens the log as [`Log::open`] does, but stops removing staged
    /// records after `steps` sled writes, as a crash there would: for tests
    /// of that removal, which must itself survive being cut off.
    #[cfg(feature = "testing")]
    pub fn open_stopping_discard_after(path: impl AsRef<Path>, steps: u64) -> Result<Log, Error> {
        let mut log = Log::open_unchecked(path.as_ref(), OPEN_WAIT)?;
        log.discard_staged(Some(steps))?;
        Ok(log)
    }

    /// Opens the database and checks its format; removes nothing.
    pub(crate) fn open_unchecked(path: &Path, wait: std::time::Duration) -> Result<Log, Error> {
        // Without sled's `conf` file there is no database here: refused
        // before sled would create one.
        if !path.is_dir() || !path.join("conf").is_file() {
            return Err(Error::NotALog(path.to_path_buf()));
        }
        let db = open_db(sled::Config::new().path(path), path, wait)?;
        Log::open_engine(Box::new(store::Sled(db)), Some(path.to_path_buf()), path)
    }

    /// Opens the log in `db` and checks its format; removes nothing.
    /// `named` is what errors call it.
    pub(crate) fn open_engine(
        db: Box<dyn Engine>,
        path: Option<PathBuf>,
        named: &Path,
    ) -> Result<Log, Error> {
        let format = match db.tree(store::DEFAULT_TREE)?.get(MAGIC_KEY)? {
            Some(magic) if magic.starts_with(b"annals-log/") => {
                let Some(format) = LogFormat::from_magic(&magic) else {
                    let found = String::from_utf8_lossy(&magic).into_owned();
                    return Err(Error::Format { path: named.to_path_buf(), found });
                };
                format
            }
            _ => return Err(Error::NotALog(named.to_path_buf())),
        };
        Log::from_db(db, path, format)
    }

    /// A log that lives only as long as this value (used for the built-in chronicle).
    pub fn temporary() -> Result<Log, Error> {
        let db = sled::Config::new().temporary(true).open()?;
        Log::init_engine(Box::new(store::Sled(db)), None)
    }

    /// Writes every buffered change to disk and waits for it: what sled's own
    /// teardown does (flush until nothing is left), without the rest of it.
    pub fn flush(&self) -> Result<(), Error> {
        while self.db.flush()? > 0 {}
        Ok(())
    }

    /// The log's directory (none for a temporary log).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether this log lives only as long as the process ([`Log::temporary`]).
    pub fn is_temporary(&self) -> bool {
        self.path.is_none()
    }

    pub(crate) fn from_db(
        db: Box<dyn Engine>,
        path: Option<PathBuf>,
        format: LogFormat,
    ) -> Result<Log, Error> {
        let meta = db.tree(store::DEFAULT_TREE)?;
        let tree = db.tree("log")?;
        let snapshots = db.tree("snapshots")?;
        let copies = db.tree("copies")?;
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
            db,
            meta,
            tree,
            snapshots,
            copies,
            next_seq,
            path,
            marked,
            discarded: 0,
            staged_left: false,
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
    pub(crate) fn discard_staged(&mut self, mut steps: Option<u64>) -> Result<(), Error> {
        let mut take_step = || match &mut steps {
            Some(0) => false,
            Some(left) => {
                *left -= 1;
                true
            }
            None => true,
        };
        let committed = self.len();
        if let Some(stale) = self.staged_chunk_entries(committed)? {
            if !take_step() {
                return Ok(());
            }
            self.tree.apply_batch(stale)?;
        }
        let mut ids_cleared = false;
        // The first sequence number of the block removed last (the one above).
        let mut above: Option<u64> = None;
        loop {
            let mut batch = Batch::default();
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
                self.tree.apply_batch(self.staged_id_keys(committed)?)?;
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

    /// The removal of the id index's entries of records staged beyond
    /// `committed`, as one batch, if there are staged blocks and any chunk
    /// holds such entries: chunks that hold only such entries are removed,
    /// chunks that also hold committed ones (merged) are rewritten without
    /// them.
    fn staged_chunk_entries(&mut self, committed: u64) -> Result<Option<Batch>, Error> {
        if self.tree.range(block_key(committed + 1)..=block_key(u64::MAX)).next().is_none() {
            return Ok(None);
        }
        // Counted while the import that staged them ran: forget them.
        self.chunk_counts = index::Counts::default();
        let mut stale = Batch::default();
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
        Ok(found.then_some(stale))
    }

    /// The removal of every `i` key that points past `committed`, as one batch.
    fn staged_id_keys(&self, committed: u64) -> Result<Batch, Error> {
        let mut stale = Batch::default();
        for kv in self.tree.scan_prefix([ID]) {
            let (k, v) = kv?;
            if seq_of_value(&v)? > committed {
                stale.remove(k);
            }
        }
        Ok(stale)
    }

    /// Adds to `batch` the removal of the `i` key of the staged record
    /// `stored` (at `seq`), if that key points at it.
    /// False if the record is too damaged to name its id.
    pub(crate) fn unindex(
        &self,
        seq: u64,
        stored: &Stored,
        batch: &mut Batch,
    ) -> Result<bool, Error> {
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

    /// Makes what was flushed survive a power cut ([`store::Engine::sync`]).
    pub(crate) fn sync_files(&self) -> Result<(), crate::StorageError> {
        self.db.sync(self.path.as_deref())
    }

    /// Records the last acknowledged record in the head file, after the
    /// records are durable: write a new file, sync it, rename it over the
    /// old, sync the directory (so that a power cut cannot undo the
    /// rename). A crash before the rename, or a power cut before the
    /// directory's sync, leaves the previous head, which is never ahead of
    /// the log.
    pub(crate) fn write_head(&self, last: u64) -> Result<(), Error> {
        let Some(dir) = &self.path else { return Ok(()) };
        let crc = self.record_checksum(last)?.unwrap_or(0);
        let io = |e: std::io::Error| Error::Storage(e.into());
        let tmp = dir.join(format!("{HEAD_FILE}.new"));
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        std::io::Write::write_all(&mut file, head_text(last, crc).as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&tmp, dir.join(HEAD_FILE)).map_err(io)?;
        sync_dir(dir).map_err(io)?;
        Ok(())
    }

    /// Refuses a log that holds fewer records than its head file says were
    /// acknowledged, or whose acknowledged last record changed. Logs written
    /// before the head file existed have none and are not checked.
    pub(crate) fn check_head(&self) -> Result<(), Error> {
        let Some(dir) = &self.path else { return Ok(()) };
        let file = dir.join(HEAD_FILE);
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::BadHead(file, HeadProblem::Io(e))),
        };
        let (expected, crc) = parse_head(&text).map_err(|damage| match damage {
            HeadDamage::Checksum => Error::DamagedHead(file.clone()),
            HeadDamage::Unreadable => Error::BadHead(file.clone(), HeadProblem::NotAHeadFile),
        })?;
        let lost = |found| Error::Lost { path: dir.clone(), expected, crc, found };
        if self.len() < expected {
            return Err(lost(Found::Fewer(self.len())));
        }
        match self.record_checksum(expected)? {
            Some(stored) if stored == crc => Ok(()),
            _ => Err(lost(Found::Other(expected))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory syncs; one that is not there is an error, not a silent
    /// success (the head file's rename would then not be durable).
    #[test]
    fn a_directory_is_synced_or_the_failure_said() {
        let dir = tempfile::tempdir().unwrap();
        sync_dir(dir.path()).unwrap();
        let gone = dir.path().join("gone");
        assert_eq!(sync_dir(&gone).unwrap_err().kind(), std::io::ErrorKind::NotFound);
    }

    /// One flipped bit anywhere in a head file never reads as other values
    /// (which would be taken for lost records): it reads as damaged, or
    /// (a line end turned into other white space) as the same values.
    #[test]
    fn a_flipped_bit_in_the_head_file_reads_as_damage_not_as_lost_records() {
        let text = head_text(1234, 0xdead_beef);
        assert_eq!(parse_head(&text), Ok((1234, 0xdead_beef)));
        for i in 0..text.len() {
            for bit in 0..8 {
                let mut bytes = text.clone().into_bytes();
                bytes[i] ^= 1 << bit;
                let Ok(flipped) = String::from_utf8(bytes) else { continue };
                if let Ok(values) = parse_head(&flipped) {
                    assert_eq!(values, (1234, 0xdead_beef), "byte {i} bit {bit}");
                }
            }
        }
    }

    #[test]
    fn head_files_of_version_1_still_read() {
        assert_eq!(parse_head("annals-head 1\n17 0000abcd\n"), Ok((17, 0xabcd)));
        assert_eq!(parse_head("annals-head 1\nseventeen\n"), Err(HeadDamage::Unreadable));
    }
}
