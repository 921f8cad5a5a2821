//! Appending: an import stages its records beyond the commit mark and
//! makes them visible at once when it commits.

use annals_model::Event;
use chrono::{DateTime, Utc};

use crate::error::StorageError;
use crate::keys::*;
use crate::store::{Batch, Tree};
use crate::{
    codec, index, Appended, Check, Error, Log, LogFormat, BLOCK_RECORDS, ID_KEYS_UP_TO, STAGE_BATCH,
};

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
    batch: Batch,
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
    pub(crate) fn stage(&mut self, event: &Event) -> Result<u64, Error> {
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
    pub(crate) fn write_index(&mut self) -> Result<(), Error> {
        if self.index.is_empty() {
            return Ok(());
        }
        self.apply()?;
        for chunks in self.index.take_chunks().chunks(index::CHUNK_BATCH) {
            let mut batch = Batch::default();
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
    pub(crate) fn add_chunk(
        &mut self,
        bucket: u16,
        entries: &[(u64, u64)],
        batch: &mut Batch,
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
    pub(crate) fn seal(&mut self) {
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
    pub(crate) fn apply(&mut self) -> Result<(), Error> {
        self.seal();
        if !self.pending.is_empty() {
            self.log.tree.apply_batch(std::mem::take(&mut self.batch))?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Stages in sled batches of `events` instead of [`STAGE_BATCH`], so
    /// that tests reach the paths of many batches with small logs.
    #[cfg(feature = "testing")]
    pub fn with_batch_size(mut self, events: usize) -> Self {
        self.batch_size = events.max(1);
        self
    }

    /// Gives only the first `entries / 2` events `i` keys, and writes the
    /// chunks of the rest every `entries` events instead of every
    /// [`index::BUFFER_ENTRIES`], so that tests reach the paths of both
    /// kinds of index and of many index writes with small logs.
    #[cfg(feature = "testing")]
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
    #[cfg(feature = "testing")]
    pub fn commit_failing_after_mark(self) -> Result<Appended, Error> {
        self.commit_flushing(|_| Err(std::io::Error::from_raw_os_error(5).into()))
    }

    pub(crate) fn commit_flushing(
        mut self,
        flush_mark: impl FnOnce(&Tree) -> Result<usize, StorageError>,
    ) -> Result<Appended, Error> {
        self.apply()?;
        self.write_index()?;
        let first = self.log.next_seq;
        let last = self.next - 1;
        let appended = self.next - first;
        if appended > 0 {
            self.log.tree.flush()?;
            self.log.tree.insert(COMMIT, last.to_be_bytes())?;
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
            self.log.staged_left = self.log.discard_staged(None).is_err();
        }
    }
}

impl Log {
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

    /// Starts an append of events that arrive one at a time (an import that
    /// streams its file): [`Import::push`] each, then [`Import::commit`].
    /// Until the commit, readers of this log see none of them; an import
    /// dropped (or killed) before it is removed.
    pub fn begin(
        &mut self,
        recorded_at: DateTime<Utc>,
        origin: Option<&str>,
    ) -> Result<Import<'_>, Error> {
        if self.staged_left {
            self.discard_staged(None)?;
            self.staged_left = false;
        }
        if !self.marked {
            // A log of format 1: mark what it holds as committed before
            // anything is staged beyond it.
            self.tree.insert(COMMIT, self.len().to_be_bytes())?;
            self.tree.flush()?;
            self.marked = true;
        }
        if self.format < LogFormat::NEWEST {
            // Claim the log for the newest format before its first block and chunk are written.
            self.meta.insert(MAGIC_KEY, LogFormat::NEWEST.magic())?;
            self.db.flush()?;
            self.format = LogFormat::NEWEST;
        }
        let next = self.next_seq;
        Ok(Import {
            log: self,
            recorded_at,
            origin: origin.map(str::to_string),
            next,
            batch: Batch::default(),
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
}
