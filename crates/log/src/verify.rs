//! Verification of the physical log: checksums, a gap-free sequence, the
//! id index and the copies.

use crate::keys::*;
use crate::store::Value;
use crate::{codec, copies, index, DecodeError, Error, Log};

/// What [`Log::verify`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Integrity {
    pub records: u64,
    pub ids: u64,
    /// Records kept as copies ([`Log::copy_groups`]), each checked.
    pub copies: u64,
    /// Pieces of copies left by a copy that did not finish (a crash): no
    /// reader sees them, and the next copy of their group replaces them.
    pub copies_left: u64,
    /// Empty when the log is sound.
    pub problems: Vec<Problem>,
}

/// One kind of damage [`Log::verify`] found. Its `Display` is the
/// sentence `annals verify` prints; [`Problem::kind`] names the kind for
/// scripts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A key of the log's tree has a shape no part of the log writes.
    #[error("the log holds a malformed key {0:?}")]
    MalformedKey(Vec<u8>),
    /// A bucket of the id index lacks chunks numbered below one it holds.
    #[error("the id index's bucket {bucket} lacks chunks before number {number}: lookups miss the ids they hold")]
    ChunksMissing { bucket: u16, number: u32 },
    /// A chunk of the id index is not a whole number of entries.
    #[error("the id index chunk under key {0:?} is damaged; run `annals verify`")]
    DamagedChunk(Vec<u8>),
    /// Sequence numbers `first..=last` are missing between two records.
    #[error("records {first}..{last} are missing (gap in the sequence)")]
    Gap { first: u64, last: u64 },
    /// Records `first..=last` are missing before the commit mark, which
    /// says the log holds `holds`.
    #[error("records {first}..{last} are missing (the commit mark says the log holds {holds})")]
    MissingBeforeMark { first: u64, last: u64, holds: u64 },
    /// A record fails its checksum or does not decode.
    #[error("record {seq} is corrupt: {problem}")]
    DamagedRecord { seq: u64, problem: DecodeError },
    /// A block's header is damaged: none of its records can be read.
    #[error("records {first}..{last} are corrupt: {problem}")]
    DamagedBlock { first: u64, last: u64, problem: DecodeError },
    /// Several records hold one event id.
    #[error("id `{id}` is held by records {}", join(seqs))]
    IdHeldTwice { id: String, seqs: Vec<u64> },
    /// The id index names another record for a record's id.
    #[error("record {seq}: id `{id}` is indexed at record {indexed}")]
    IdIndexedElsewhere { seq: u64, id: String, indexed: u64 },
    /// The id index has no entry for a record's id.
    #[error("record {seq}: id `{id}` is missing from the id index")]
    IdNotIndexed { seq: u64, id: String },
    /// A chunk of the id index points at a record the log does not hold.
    #[error("the id index points at record {seq}, which does not exist")]
    IndexPointsNowhere { seq: u64 },
    /// An id's own key points at a record the log does not hold.
    #[error("id `{id}` is indexed at record {seq}, which does not exist")]
    IdPointsNowhere { id: String, seq: u64 },
    /// The id index holds another number of ids than the log records.
    #[error("{records} records but {ids} indexed ids")]
    IdCount { records: u64, ids: u64 },
    /// A key of the copies has a shape no copy writes.
    #[error("copies: malformed key {0:?}")]
    MalformedCopiesKey(Vec<u8>),
    /// A group of copies of records is damaged (readers read the log instead).
    #[error("copies of `{name}`: {problem}")]
    Copies { name: String, problem: CopiesProblem },
}

/// What is wrong with a group of copies ([`Problem::Copies`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CopiesProblem {
    /// Its meta value is not 12 bytes.
    #[error("its meta value is {0} bytes, not 12")]
    MetaSize(usize),
    /// A piece below the count its meta value gives is missing.
    #[error("piece {missing} is missing, of the {count} its meta value says")]
    PieceMissing { missing: u32, count: u32 },
    /// A piece is damaged, or holds a record out of place.
    #[error("{0}")]
    Piece(copies::PieceProblem),
    /// A copy's bytes (or shared time and origin) differ from the record's.
    #[error("the copy of record {0} differs from the log")]
    Differs(u64),
    /// The last record copied is not the one its meta value names.
    #[error("its last record is {found}, but its meta value says {meta}")]
    Last { found: u64, meta: u64 },
}

fn join(seqs: &[u64]) -> String {
    seqs.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

impl Problem {
    /// The kind of damage, in snake case (`gap`, `damaged_record`, …):
    /// stable, for scripts (`verify --json` gives it as `problem_kinds`).
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::MalformedKey(_) => "malformed_key",
            Problem::ChunksMissing { .. } => "chunks_missing",
            Problem::DamagedChunk(_) => "damaged_chunk",
            Problem::Gap { .. } => "gap",
            Problem::MissingBeforeMark { .. } => "missing_before_mark",
            Problem::DamagedRecord { .. } => "damaged_record",
            Problem::DamagedBlock { .. } => "damaged_block",
            Problem::IdHeldTwice { .. } => "id_held_twice",
            Problem::IdIndexedElsewhere { .. } => "id_indexed_elsewhere",
            Problem::IdNotIndexed { .. } => "id_not_indexed",
            Problem::IndexPointsNowhere { .. } => "index_points_nowhere",
            Problem::IdPointsNowhere { .. } => "id_points_nowhere",
            Problem::IdCount { .. } => "id_count",
            Problem::MalformedCopiesKey(_) => "malformed_copies_key",
            Problem::Copies { .. } => "damaged_copies",
        }
    }
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
                report.problems.push(Problem::MalformedKey(k.to_vec()));
                continue;
            };
            if (bucket, n) != next && (bucket <= next.0 || n != 0) {
                report.problems.push(Problem::ChunksMissing { bucket, number: n });
            }
            next = (bucket, n + 1);
            match index::Chunk::new(&v) {
                Some(chunk) => entries.extend(chunk.entries()),
                None => report.problems.push(Problem::DamagedChunk(k.to_vec())),
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
                Err(Error::CorruptBlock { first, last, problem }) => {
                    (first, last, Err(Problem::DamagedBlock { first, last, problem }))
                }
                Err(e) => return Err(e),
            };
            if seq != expected {
                report.problems.push(Problem::Gap { first: expected, last: seq - 1 });
            }
            expected = last + 1;
            report.records += last - seq + 1;
            let stored = match stored {
                Ok(stored) => stored,
                Err(damaged) => {
                    report.problems.push(damaged);
                    continue;
                }
            };
            let rec = match stored.decode(seq, &mut decoder) {
                Ok(rec) => rec,
                Err(Error::Corrupt { seq, problem }) => {
                    report.problems.push(Problem::DamagedRecord { seq, problem });
                    continue;
                }
                Err(e) => return Err(e),
            };
            let id = rec.event.id.as_str();
            let hashed = entries.binary_search(&(index::id_hash(id), seq)).is_ok();
            let keyed = match self.id_keys {
                true => self.tree.get(id_key(id))?.map(|v| seq_of_value(&v)).transpose()?,
                false => None,
            };
            match keyed {
                Some(s) if s != seq && hashed => report
                    .problems
                    .push(Problem::IdHeldTwice { id: id.to_string(), seqs: vec![s, seq] }),
                Some(s) if s != seq => report.problems.push(Problem::IdIndexedElsewhere {
                    seq,
                    id: id.to_string(),
                    indexed: s,
                }),
                None if !hashed => {
                    report.problems.push(Problem::IdNotIndexed { seq, id: id.to_string() })
                }
                _ => {}
            }
        }
        if expected < self.next_seq {
            report.problems.push(Problem::MissingBeforeMark {
                first: expected,
                last: self.next_seq - 1,
                holds: self.len(),
            });
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
                report.problems.push(Problem::IndexPointsNowhere { seq });
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
                let seqs = same.iter().map(|&(_, seq)| seq).collect();
                report.problems.push(Problem::IdHeldTwice { id: same[0].0.clone(), seqs });
            }
        }
        for kv in self.tree.scan_prefix([ID]) {
            let (k, v) = kv?;
            report.ids += 1;
            let seq = seq_of_value(&v)?;
            if seq == 0 || seq >= expected {
                let id = String::from_utf8_lossy(&k[1..]).into_owned();
                report.problems.push(Problem::IdPointsNowhere { id, seq });
            }
        }
        if report.ids != report.records {
            report.problems.push(Problem::IdCount { records: report.records, ids: report.ids });
        }
        Ok(())
    }

    /// Checks every group of copies ([`Log::copy_groups`]): its meta value,
    /// pieces numbered from 0 without gaps, each whole, records in order up
    /// to the last the meta value names, and each copy the same bytes (and
    /// shared time and origin) as the record in the log. A group's keys are
    /// contiguous (`name`, 0, … then `name`, 1), so one group is held at a time.
    pub(crate) fn verify_copies(&self, report: &mut Integrity) -> Result<(), Error> {
        // Keys sort a group's pieces (name 0x00 number) before its meta
        // value (name 0x01): collect the pieces of one name (`of`), then
        // check them.
        let (mut of, mut pieces): (Vec<u8>, Vec<(u32, Value)>) = Default::default();
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
                if let Some(problem) = self.check_copies(&v, &pieces, report)? {
                    report.problems.push(Problem::Copies { name, problem });
                }
                pieces.clear();
                of.clear();
            } else {
                report.problems.push(Problem::MalformedCopiesKey(k.to_vec()));
            }
        }
        report.copies_left += pieces.len() as u64;
        Ok(())
    }

    /// Pieces numbered from the count on are left by a copy that did not
    /// finish: they are counted in `report`, not checked.
    pub(crate) fn check_copies(
        &self,
        meta: &[u8],
        pieces: &[(u32, Value)],
        report: &mut Integrity,
    ) -> Result<Option<CopiesProblem>, Error> {
        let Some((count, last)) = copies::decode_meta(meta) else {
            return Ok(Some(CopiesProblem::MetaSize(meta.len())));
        };
        let live = pieces.partition_point(|&(n, _)| n < count);
        report.copies_left += (pieces.len() - live) as u64;
        if let Some(missing) = (0..count).find(|&n| pieces.get(n as usize).is_none_or(|p| p.0 != n))
        {
            return Ok(Some(CopiesProblem::PieceMissing { missing, count }));
        }
        let (mut block, mut previous) = (None, 0);
        for (n, (_, piece)) in (0..).zip(&pieces[..live]) {
            let entries = match self.copied_entries(n, piece, previous) {
                Ok(entries) => entries,
                Err(p) => return Ok(Some(CopiesProblem::Piece(p))),
            };
            for entry in entries {
                let seq = entry.seq;
                previous = seq;
                let same = self.stored(seq, &mut block).ok().flatten().is_some_and(|stored| {
                    stored[..] == piece[entry.record.clone()]
                        && stored.shared() == entry.shared(piece)
                });
                if !same {
                    return Ok(Some(CopiesProblem::Differs(seq)));
                }
                report.copies += 1;
            }
        }
        if previous != last {
            return Ok(Some(CopiesProblem::Last { found: previous, meta: last }));
        }
        Ok(None)
    }
}
