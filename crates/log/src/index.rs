//! The id index of log format 5: which record holds an event id, without a
//! sled key per event.
//!
//! An id is hashed to 64 bits ([`id_hash`]); its top 16 bits name one of
//! 65 536 buckets. An import gathers the `(hash, sequence)` entries of the
//! events it stages and writes them, every [`BUFFER_ENTRIES`] events and at
//! its commit, as one chunk per bucket it touched: the key `h` + bucket (u16
//! big-endian) + the chunk's number in its bucket (u32 big-endian, from 0,
//! without gaps), the value the highest sequence number among its entries
//! (u64 big-endian), then its entries sorted, 16 bytes each (hash, then
//! sequence, both big-endian). A bucket holds at most [`MERGE_AT`] chunks: a
//! write that would add one more merges them, with its entries, into chunk
//! 0. A lookup reads the chunks of one bucket with sled `get`s, numbers 0,
//! 1, … up to the first missing one (a few chunks of a few hundred bytes; a
//! prefix scan would cost more, as sled copies a leaf per step of an
//! iterator), and binary-searches each. A hash names candidates, never an
//! answer: the log reads each candidate's record and compares its id, so
//! two ids with one hash cost a read, not a wrong answer.
//!
//! One sled key per event (format 4 and before: `i` + id → sequence) made
//! sled insert keys in random order into a tree that outgrows its cache;
//! those inserts were most of an import's storing time. Chunks cut the
//! inserts by the events per chunk (about 16 in a large import). A small
//! import would touch nearly a bucket per event, so an import's first
//! events keep their `i` keys (`ID_KEYS_UP_TO` in the crate root).
//!
//! This module is pure: no sled, no I/O.

use std::ops::Range;

/// The first byte of a chunk's key.
pub const CHUNK: u8 = b'h';
/// Bytes of one entry: the id's hash, then the record's sequence number.
pub const ENTRY_BYTES: usize = 16;
/// Bytes of a chunk's header: the highest sequence number of its entries.
pub const HEADER_BYTES: usize = 8;
/// The most chunks a bucket holds, so that a lookup reads at most this
/// many (the first lookup in a bucket also counts them, with one `get`
/// that finds nothing). A write to a full bucket merges
/// its chunks and the new entries into chunk 0 and removes the others.
pub const MERGE_AT: u32 = 4;
/// Entries an import gathers before it writes them as chunks: about 16 per
/// bucket, so a large import writes one chunk per 16 events, and at most
/// this many entries wait in memory (16 bytes each; with the slack of the
/// lookup map and the sorted copy made to write them, about 50 MiB,
/// computed from their layout, not measured).
pub const BUFFER_ENTRIES: usize = 1 << 20;
/// Chunks per sled batch when an import writes them: sled keeps the node
/// copies a batch makes until it ends (see `STAGE_BATCH`).
pub const CHUNK_BATCH: usize = 256;

/// The 64-bit hash of an event id: FNV-1a, then a 64-bit finalizer
/// (SplitMix64's) so that the top bits (the bucket) depend on every byte.
/// Stored in the log: it must never change.
pub fn id_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in id.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The bucket of a hash: its top 16 bits.
pub fn bucket(hash: u64) -> u16 {
    (hash >> 48) as u16
}

/// The key prefix of a bucket's chunks.
pub fn bucket_prefix(bucket: u16) -> [u8; 3] {
    let [a, b] = bucket.to_be_bytes();
    [CHUNK, a, b]
}

/// The key of chunk number `n` of `bucket`.
pub fn chunk_key(bucket: u16, n: u32) -> [u8; 7] {
    let mut k = [0; 7];
    k[..3].copy_from_slice(&bucket_prefix(bucket));
    k[3..].copy_from_slice(&n.to_be_bytes());
    k
}

/// The bucket and number of a chunk's key, if it is one.
pub fn parse_chunk_key(key: &[u8]) -> Option<(u16, u32)> {
    match key {
        [CHUNK, a, b, rest @ ..] => {
            Some((u16::from_be_bytes([*a, *b]), u32::from_be_bytes(rest.try_into().ok()?)))
        }
        _ => None,
    }
}

/// A chunk's value: the highest sequence number of `entries`, then
/// `entries`, which must be sorted, end to end.
pub fn encode_chunk(entries: &[(u64, u64)]) -> Vec<u8> {
    debug_assert!(entries.is_sorted());
    let last = entries.iter().map(|e| e.1).max().unwrap_or(0);
    let mut out = Vec::with_capacity(HEADER_BYTES + entries.len() * ENTRY_BYTES);
    out.extend_from_slice(&last.to_be_bytes());
    for (hash, seq) in entries {
        out.extend_from_slice(&hash.to_be_bytes());
        out.extend_from_slice(&seq.to_be_bytes());
    }
    out
}

/// A chunk's entries, read in place. `None` if it is shorter than its
/// header or its entries are not a whole number (a damaged chunk).
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    last: u64,
    entries: &'a [u8],
}

impl<'a> Chunk<'a> {
    pub fn new(bytes: &'a [u8]) -> Option<Chunk<'a>> {
        let (head, entries) = bytes.split_first_chunk::<HEADER_BYTES>()?;
        (entries.len() % ENTRY_BYTES == 0)
            .then_some(Chunk { last: u64::from_be_bytes(*head), entries })
    }

    /// The highest sequence number of its entries: a chunk whose last lies
    /// beyond the commit mark holds entries of records that were staged.
    pub fn last(&self) -> u64 {
        self.last
    }

    pub fn len(&self) -> usize {
        self.entries.len() / ENTRY_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry `i`: (hash, sequence number).
    pub fn entry(&self, i: usize) -> (u64, u64) {
        let e = &self.entries[i * ENTRY_BYTES..(i + 1) * ENTRY_BYTES];
        let word = |at: usize| u64::from_be_bytes(e[at..at + 8].try_into().expect("8 bytes"));
        (word(0), word(8))
    }

    pub fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..self.len()).map(|i| self.entry(i))
    }

    /// The positions of the entries with `hash`. A chunk whose entries are
    /// out of order (damaged) may miss some; it never panics.
    fn positions(&self, hash: u64) -> Range<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.entry(mid).0 < hash {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut end = lo;
        while end < self.len() && self.entry(end).0 == hash {
            end += 1;
        }
        lo..end
    }

    /// The sequence numbers of the entries with `hash`.
    pub fn seqs(&self, hash: u64) -> impl Iterator<Item = u64> + '_ {
        self.positions(hash).map(|i| self.entry(i).1)
    }
}

/// How many chunks each bucket holds, where known: one byte per bucket
/// (`u8::MAX`: not counted yet), shared by the readers of one log (a
/// bucket never holds more than [`MERGE_AT`]).
#[derive(Debug)]
pub struct Counts(Box<[std::sync::atomic::AtomicU8]>);

impl Default for Counts {
    fn default() -> Counts {
        Counts((0..1 << 16).map(|_| std::sync::atomic::AtomicU8::new(u8::MAX)).collect())
    }
}

impl Counts {
    pub fn get(&self, bucket: u16) -> Option<u32> {
        let count = self.0[usize::from(bucket)].load(std::sync::atomic::Ordering::Relaxed);
        (count != u8::MAX).then_some(u32::from(count))
    }

    /// Records `count` for `bucket`; a count too large to keep is forgotten.
    pub fn set(&self, bucket: u16, count: u32) {
        let count = u8::try_from(count).unwrap_or(u8::MAX);
        self.0[usize::from(bucket)].store(count, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The entries an import has staged but not written yet: looked up by hash
/// while the import runs, then sorted into chunks.
#[derive(Debug, Default)]
pub struct Buffer {
    /// Hash → sequence number, for the first id with each hash.
    first: std::collections::HashMap<u64, u64>,
    /// Entries whose hash an earlier entry of the buffer already has (two
    /// ids with one hash: in practice never, but it must not be lost).
    more: Vec<(u64, u64)>,
}

impl Buffer {
    pub fn insert(&mut self, hash: u64, seq: u64) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.first.entry(hash) {
            slot.insert(seq);
        } else {
            self.more.push((hash, seq));
        }
    }

    pub fn len(&self) -> usize {
        self.first.len() + self.more.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The sequence numbers buffered with `hash`.
    pub fn seqs(&self, hash: u64) -> impl Iterator<Item = u64> + '_ {
        let more = self.more.iter().filter(move |e| e.0 == hash).map(|e| e.1);
        self.first.get(&hash).copied().into_iter().chain(more)
    }

    /// Empties the buffer into chunks: per bucket touched, in bucket order,
    /// its entries sorted.
    pub fn take_chunks(&mut self) -> Vec<(u16, Vec<(u64, u64)>)> {
        let mut entries: Vec<(u64, u64)> = self.first.drain().chain(self.more.drain(..)).collect();
        entries.sort_unstable();
        let mut chunks: Vec<(u16, Vec<(u64, u64)>)> = Vec::new();
        for entry in entries {
            let b = bucket(entry.0);
            match chunks.last_mut() {
                Some((last, list)) if *last == b => list.push(entry),
                _ => chunks.push((b, vec![entry])),
            }
        }
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash is stored in logs: these values must never change.
    #[test]
    fn the_id_hash_is_frozen() {
        // Computed independently (FNV-1a 64, then SplitMix64's finalizer).
        assert_eq!(id_hash(""), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(id_hash("bamba"), 0x335f_c31c_f553_760b);
        assert_eq!(id_hash("fama-takes-bamba-2023-10"), 0xe309_f565_8c34_2079);
    }

    #[test]
    fn chunk_keys_round_trip_and_sort_by_bucket_then_number() {
        assert_eq!(parse_chunk_key(&chunk_key(0xabcd, 77)), Some((0xabcd, 77)));
        assert_eq!(parse_chunk_key(b"hxx"), None);
        assert_eq!(parse_chunk_key(b"i-not-a-chunk"), None);
        assert!(chunk_key(1, u32::MAX) < chunk_key(2, 0));
        assert!(chunk_key(1, 5) < chunk_key(1, 6));
        assert!(chunk_key(1, 0).starts_with(&bucket_prefix(1)));
    }

    #[test]
    fn a_buffer_keeps_ids_that_share_a_hash_and_sorts_them_into_chunks() {
        let mut buffer = Buffer::default();
        let (a, b) = (0x0001_0000_0000_0005, 0xffff_0000_0000_0001);
        buffer.insert(b, 1);
        buffer.insert(a, 2);
        buffer.insert(a, 3); // another id with the same hash
        assert_eq!(buffer.len(), 3);
        assert_eq!(buffer.seqs(a).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(buffer.seqs(7).count(), 0);
        let chunks = buffer.take_chunks();
        assert_eq!(chunks, [(0x0001, vec![(a, 2), (a, 3)]), (0xffff, vec![(b, 1)])]);
        assert!(buffer.is_empty());
        let bytes = encode_chunk(&chunks[0].1);
        let chunk = Chunk::new(&bytes).unwrap();
        assert_eq!(chunk.last(), 3);
        assert_eq!(chunk.seqs(a).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(chunk.entries().collect::<Vec<_>>(), chunks[0].1);
        assert!(Chunk::new(&bytes[1..]).is_none());
        assert!(Chunk::new(&bytes[..7]).is_none());
        assert_eq!(Chunk::new(&bytes[..8]).map(|c| c.len()), Some(0));
    }
}
