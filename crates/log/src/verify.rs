//! Verification of the physical log: checksums, a gap-free sequence, the
//! id index and the copies.

use crate::keys::*;
use crate::{codec, copies, index, Error, Log};

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

impl Log {
    /// The checksum stored with record `seq` (`Some(0)` for seq 0, the empty prefix).
    pub(crate) fn record_checksum(&self, seq: u64) -> Result<Option<u32>, Error> {
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
        let entries = self.chunk_entries(&mut report)?;
        let expected = self.verify_records(&entries, &mut report)?;
        self.verify_ids(&entries, expected, &mut report)?;
        self.verify_copies(&mut report)?;
        Ok(report)
    }

    /// Every entry of the id index's chunks, sorted: (hash, sequence); a
    /// malformed chunk or key, or a bucket that lacks chunks, is a problem.
    fn chunk_entries(&self, report: &mut Integrity) -> Result<Vec<(u64, u64)>, Error> {
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
        Ok(entries)
    }

    /// Every record: its checksum and decoding, a gap-free sequence, and its
    /// id where the index says. Returns one past the last record read.
    fn verify_records(&self, entries: &[(u64, u64)], report: &mut Integrity) -> Result<u64, Error> {
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
        Ok(expected)
    }

    /// The id index against the records: every entry points at a record
    /// (below `expected`, one past the last), no id is held twice, and
    /// there are as many ids as records.
    fn verify_ids(
        &self,
        entries: &[(u64, u64)],
        expected: u64,
        report: &mut Integrity,
    ) -> Result<(), Error> {
        report.ids = entries.len() as u64;
        for &(_, seq) in entries {
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
        Ok(())
    }

    /// Checks every group of copies ([`Log::copy_records`]): its meta value,
    /// pieces numbered from 0 without gaps, each whole, records in order up
    /// to the last the meta value names, and each copy the same bytes (and
    /// shared time and origin) as the record in the log. A group's keys are
    /// contiguous (`name`, 0, … then `name`, 1), so one group is held at a time.
    pub(crate) fn verify_copies(&self, report: &mut Integrity) -> Result<(), Error> {
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
    pub(crate) fn check_copies(
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
