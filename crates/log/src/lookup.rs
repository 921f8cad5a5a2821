//! Finding a record by its event id, through the id index.

use annals_model::{Event, Recorded};

use crate::keys::*;
use crate::{codec, index, Check, Error, Log};

impl Log {
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
    pub(crate) fn id_key(&self, id: &str, end: u64) -> Result<Option<u64>, Error> {
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
    pub(crate) fn find_before(
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
    pub(crate) fn chunk_count(&self, bucket: u16) -> Result<u32, Error> {
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
    pub(crate) fn candidate(
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
}
