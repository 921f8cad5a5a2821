//! Copies of records kept together: the bytes of chosen committed records
//! (those a busy place's answers rest on), laid end to end in pieces, so
//! that a reader that wants them all reads a few hundred values instead of
//! every block they lie in. Pure: no I/O. See `Log::copy_groups` and
//! docs/FORMAT.md ("Copies").
//!
//! A piece is `[1: format][CRC-32 of the bytes after this field: u32 LE]
//! [count: u32 LE]` and, per record, `[seq: u64 LE][shared: u8]`; when
//! `shared` is 1, `[recorded time: i64 LE, µs][origin length: u32 LE,
//! u32::MAX for none][origin]` follow (2: the same as the record before
//! in the piece; 0: none, the record holds its own); then `[record length:
//! u32 LE][record]`: the record's stored bytes, framed and checksummed as
//! in the log. Pieces hold at most [`PIECE_BYTES`] (a larger record, alone):
//! sled keeps a leaf of up to 16 values whole, and stores one larger than
//! 128 KiB as a file of its own, which it reads at every open.
//! The group's meta value is `[pieces: u32 LE][last seq: u64 LE]`.

use std::ops::Range;

use crate::codec::Shared;

/// The piece format this build writes and reads.
const FORMAT: u8 = 1;
/// Format byte, checksum, count.
const HEAD: usize = 9;
/// An origin length that says there is none.
const NO_ORIGIN: u32 = u32::MAX;

/// One record in a piece: where its bytes lie, and what its block shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub seq: u64,
    /// Recorded time and where the origin lies, for a record of a block.
    pub shared: Option<(i64, Option<Range<usize>>)>,
    pub record: Range<usize>,
}

impl Entry {
    /// What the record's block shares, read from `piece`, the bytes this
    /// entry was split from.
    pub fn shared<'a>(&self, piece: &'a [u8]) -> Option<Shared<'a>> {
        self.shared.as_ref().map(|(micros, origin)| Shared {
            recorded_at_micros: *micros,
            origin: origin.clone().and_then(|at| std::str::from_utf8(piece.get(at)?).ok()),
        })
    }
}

/// The most bytes a piece holds, unless one record alone is larger.
pub const PIECE_BYTES: usize = 6 * 1024;

/// One record to copy: its sequence number, what its block shares, its
/// stored bytes.
pub type Record<'a> = (u64, Option<Shared<'a>>, &'a [u8]);

/// Encodes records (in increasing sequence order) as pieces of at most
/// [`PIECE_BYTES`] each.
pub fn encode(records: &[Record<'_>]) -> Vec<Vec<u8>> {
    let mut pieces = Pieces::default();
    for &(seq, shared, record) in records {
        pieces.push(seq, shared, record);
    }
    pieces.finish()
}

/// Pieces being encoded from records given one at a time, in increasing
/// sequence order; what they share is kept, so the records' bytes need not
/// outlive their `push`.
#[derive(Debug, Default)]
pub struct Pieces {
    done: Vec<Vec<u8>>,
    out: Vec<u8>,
    count: u32,
    /// What the last record of `out` shares: its time and origin.
    last: Option<(i64, Option<String>)>,
}

impl Pieces {
    /// Adds a record, in a new piece if it does not fit in this one.
    pub fn push(&mut self, seq: u64, shared: Option<Shared<'_>>, record: &[u8]) {
        if self.count > 0 && self.out.len() + self.size(shared, record) > PIECE_BYTES {
            self.close();
        }
        if self.count == 0 {
            self.out = vec![FORMAT, 0, 0, 0, 0, 0, 0, 0, 0];
            self.last = None;
        }
        self.count += 1;
        self.out.extend_from_slice(&seq.to_le_bytes());
        match shared {
            None => self.out.push(0),
            Some(s) if self.repeats(s) => self.out.push(2),
            Some(s) => {
                self.out.push(1);
                self.out.extend_from_slice(&s.recorded_at_micros.to_le_bytes());
                match s.origin {
                    None => self.out.extend_from_slice(&NO_ORIGIN.to_le_bytes()),
                    Some(origin) => {
                        self.out.extend_from_slice(&(origin.len() as u32).to_le_bytes());
                        self.out.extend_from_slice(origin.as_bytes());
                    }
                }
            }
        }
        if !shared.is_some_and(|s| self.repeats(s)) {
            self.last = shared.map(|s| (s.recorded_at_micros, s.origin.map(str::to_string)));
        }
        self.out.extend_from_slice(&(record.len() as u32).to_le_bytes());
        self.out.extend_from_slice(record);
    }

    /// The pieces closed since the last call (all but the open one), so
    /// that they can be stored before the rest are encoded.
    pub fn take_closed(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.done)
    }

    /// Every piece not yet taken, the last one closed.
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        if self.count > 0 {
            self.close();
        }
        self.done
    }

    /// Whether `shared` is what the record before it in the piece shares.
    fn repeats(&self, shared: Shared<'_>) -> bool {
        self.last.as_ref().is_some_and(|(micros, origin)| {
            *micros == shared.recorded_at_micros && origin.as_deref() == shared.origin
        })
    }

    /// The bytes `record` adds to the open piece.
    fn size(&self, shared: Option<Shared<'_>>, record: &[u8]) -> usize {
        let shared = match shared {
            Some(s) if !self.repeats(s) => 12 + s.origin.map_or(0, str::len),
            _ => 0,
        };
        8 + 1 + shared + 4 + record.len()
    }

    fn close(&mut self) {
        let mut out = std::mem::take(&mut self.out);
        out[5..9].copy_from_slice(&self.count.to_le_bytes());
        let crc = crc32fast::hash(&out[5..]);
        out[1..5].copy_from_slice(&crc.to_le_bytes());
        self.done.push(out);
        self.count = 0;
    }
}

/// Why a piece of copies is damaged ([`split`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Damage {
    #[error("{0} bytes, shorter than a piece header")]
    Short(usize),
    #[error("format {0}, not {FORMAT}")]
    Format(u8),
    #[error("checksum mismatch (stored {stored:08x}, computed {computed:08x})")]
    Checksum { stored: u32, computed: u32 },
    /// A length runs past the end of the piece.
    #[error("cut short")]
    CutShort,
    #[error("record {seq} follows record {last}")]
    OutOfOrder { seq: u64, last: u64 },
    #[error("record {0} shares what no record before it has")]
    SharesNothing(u64),
    #[error("the origin of record {0} is not UTF-8")]
    OriginNotUtf8(u64),
    #[error("record {seq}: shared flag {flag}, not 0, 1 or 2")]
    SharedFlag { seq: u64, flag: u8 },
    #[error("{extra} bytes after its {count} records")]
    Trailing { extra: usize, count: usize },
}

/// What is wrong with one piece of a group of copies.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PieceProblem {
    #[error("piece {n} is damaged: {damage}")]
    Damaged { n: u32, damage: Damage },
    /// A record that does not follow the one before it, or lies beyond the log.
    #[error("record {seq} is out of place in piece {n}")]
    OutOfPlace { seq: u64, n: u32 },
}

/// The entries of a piece, in order; or why it is damaged. Checks the
/// format, the checksum, that every length stays inside the piece, that
/// sequence numbers increase and that origins are UTF-8. Never panics.
pub fn split(piece: &[u8]) -> Result<Vec<Entry>, Damage> {
    if piece.len() < HEAD {
        return Err(Damage::Short(piece.len()));
    }
    if piece[0] != FORMAT {
        return Err(Damage::Format(piece[0]));
    }
    let stored = u32::from_le_bytes([piece[1], piece[2], piece[3], piece[4]]);
    let crc = crc32fast::hash(&piece[5..]);
    if stored != crc {
        return Err(Damage::Checksum { stored, computed: crc });
    }
    let count = u32::from_le_bytes([piece[5], piece[6], piece[7], piece[8]]) as usize;
    let mut at = HEAD;
    let mut take = |n: usize| -> Result<Range<usize>, Damage> {
        let end = at.checked_add(n).filter(|&end| end <= piece.len()).ok_or(Damage::CutShort)?;
        let range = at..end;
        at = end;
        Ok(range)
    };
    let mut entries = Vec::with_capacity(count.min(piece.len() / 13));
    let mut last = 0;
    for _ in 0..count {
        let word = |r: Range<usize>| u32::from_le_bytes(piece[r].try_into().expect("4 bytes"));
        let long = |r: Range<usize>| piece[r].try_into().map(u64::from_le_bytes).expect("8 bytes");
        let seq = long(take(8)?);
        if seq <= last {
            return Err(Damage::OutOfOrder { seq, last });
        }
        last = seq;
        let shared = match piece[take(1)?][0] {
            0 => None,
            2 => match entries.last().and_then(|e: &Entry| e.shared.clone()) {
                Some(shared) => Some(shared),
                None => return Err(Damage::SharesNothing(seq)),
            },
            1 => {
                let micros = long(take(8)?) as i64;
                let origin = match word(take(4)?) {
                    NO_ORIGIN => None,
                    len => {
                        let origin = take(len as usize)?;
                        std::str::from_utf8(&piece[origin.clone()])
                            .map_err(|_| Damage::OriginNotUtf8(seq))?;
                        Some(origin)
                    }
                };
                Some((micros, origin))
            }
            flag => return Err(Damage::SharedFlag { seq, flag }),
        };
        let len = word(take(4)?) as usize;
        let record = take(len)?;
        entries.push(Entry { seq, shared, record });
    }
    if at != piece.len() {
        return Err(Damage::Trailing { extra: piece.len() - at, count });
    }
    Ok(entries)
}

/// The meta value of a group: how many pieces it has, and the last record
/// copied.
pub fn encode_meta(pieces: u32, last: u64) -> [u8; 12] {
    let mut out = [0; 12];
    out[..4].copy_from_slice(&pieces.to_le_bytes());
    out[4..].copy_from_slice(&last.to_le_bytes());
    out
}

/// The piece count and last record of a meta value, if it is one.
pub fn decode_meta(bytes: &[u8]) -> Option<(u32, u64)> {
    let bytes: &[u8; 12] = bytes.try_into().ok()?;
    let pieces = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
    let last = u64::from_le_bytes(bytes[4..].try_into().expect("8 bytes"));
    Some((pieces, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let shared = Shared { recorded_at_micros: -5, origin: Some("import a.jsonl") };
        let none = Shared { recorded_at_micros: 7, origin: None };
        let pieces = encode(&[
            (3, Some(shared), &b"abc"[..]),
            (9, None, &b""[..]),
            (10, Some(none), &b"xyz!"[..]),
            (11, Some(none), &b"z"[..]),
        ]);
        assert_eq!(pieces.len(), 1);
        pieces.into_iter().next().unwrap()
    }

    #[test]
    fn a_piece_splits_into_what_was_encoded() {
        let piece = sample();
        let entries = split(&piece).unwrap();
        let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [3, 9, 10, 11]);
        assert_eq!(&piece[entries[0].record.clone()], b"abc");
        assert_eq!(entries[1].record.len(), 0);
        assert_eq!(&piece[entries[2].record.clone()], b"xyz!");
        let shared: Vec<_> = entries.iter().map(|e| e.shared(&piece)).collect();
        let none = Some(Shared { recorded_at_micros: 7, origin: None });
        assert_eq!(
            shared[0],
            Some(Shared { recorded_at_micros: -5, origin: Some("import a.jsonl") })
        );
        assert_eq!(shared[1], None);
        assert_eq!(shared[2..], [none, none]);
        assert_eq!(piece[piece.len() - 6], 2, "the last record shares the one before's");
        assert!(encode(&[]).is_empty());
        assert_eq!(decode_meta(&encode_meta(3, 1 << 40)), Some((3, 1 << 40)));
        assert_eq!(decode_meta(&[0; 11]), None);
    }

    #[test]
    fn records_are_cut_into_pieces_of_at_most_piece_bytes() {
        let shared = Shared { recorded_at_micros: 1, origin: Some("import big.jsonl") };
        let bytes = [7u8; 100];
        let huge = vec![8u8; PIECE_BYTES * 2];
        let mut records: Vec<Record<'_>> =
            (1..=500).map(|seq| (seq, Some(shared), &bytes[..])).collect();
        records.push((501, Some(shared), &huge[..]));
        records.push((502, None, &bytes[..]));
        let pieces = encode(&records);
        let mut seqs = Vec::new();
        for (n, piece) in pieces.iter().enumerate() {
            let alone = piece.len() > PIECE_BYTES;
            assert!(!alone || split(piece).unwrap().len() == 1, "piece {n}: {} bytes", piece.len());
            for entry in split(piece).unwrap() {
                assert_eq!(entry.shared(piece), (entry.seq <= 501).then_some(shared));
                seqs.push(entry.seq);
            }
        }
        assert_eq!(seqs, (1..=502).collect::<Vec<_>>());
        assert!(pieces.len() >= 500 * 113 / PIECE_BYTES + 2, "{} pieces", pieces.len());
    }

    #[test]
    fn a_damaged_or_cut_piece_is_refused() {
        let piece = sample();
        for at in 0..piece.len() {
            let mut bad = piece.clone();
            bad[at] ^= 0x10;
            assert!(split(&bad).is_err(), "byte {at} flipped");
        }
        for len in 0..piece.len() {
            assert!(split(&piece[..len]).is_err(), "cut to {len}");
        }
        let mut longer = piece.clone();
        longer.push(0);
        assert!(split(&longer).is_err());
    }
}
