//! The keys of the log's sled trees: one function each, so that the byte
//! layout (docs/FORMAT.md) is written down in one place.

use crate::Error;

/// A record of a log written before format 3: `e` + sequence → record.
pub(crate) const EVENT: u8 = b'e';
/// A block of records (format 3 on): `b` + its first sequence number → block.
pub(crate) const BLOCK: u8 = b'b';
/// An id entry of its own: `i` + event id → sequence. Logs before format 5
/// index every id so; format 5 indexes an import's first [`ID_KEYS_UP_TO`]
/// events so, and the rest in chunks ([`index`]).
pub(crate) const ID: u8 = b'i';
/// The commit mark: the last committed sequence number (u64 big-endian).
pub(crate) const COMMIT: &[u8] = b"c";
pub(crate) const MAGIC_KEY: &[u8] = b"format";

pub(crate) fn event_key(seq: u64) -> [u8; 9] {
    let mut k = [EVENT; 9];
    k[1..].copy_from_slice(&seq.to_be_bytes());
    k
}

pub(crate) fn id_key(id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.len() + 1);
    k.push(ID);
    k.extend_from_slice(id.as_bytes());
    k
}

/// The keys of copies `name`: its pieces (`name`, 0, number u32 BE) and
/// its meta value (`name`, 1).
pub(crate) fn copies_prefix(name: &str) -> Vec<u8> {
    debug_assert!(name.bytes().all(|b| b > 1), "copies are named by slugs");
    let mut k = name.as_bytes().to_vec();
    k.push(0);
    k
}

pub(crate) fn copies_piece_key(name: &str, n: u32) -> Vec<u8> {
    let mut k = copies_prefix(name);
    k.extend_from_slice(&n.to_be_bytes());
    k
}

pub(crate) fn copies_meta_key(name: &str) -> Vec<u8> {
    let mut k = name.as_bytes().to_vec();
    k.push(1);
    k
}

/// Snapshots are stored like copies: name + 0x00 + piece number (u32 BE).
pub(crate) fn snapshot_prefix(name: &str) -> Vec<u8> {
    copies_prefix(name)
}

pub(crate) fn snapshot_piece_key(name: &str, n: u32) -> Vec<u8> {
    copies_piece_key(name, n)
}

pub(crate) fn block_key(first: u64) -> [u8; 9] {
    let mut k = [BLOCK; 9];
    k[1..].copy_from_slice(&first.to_be_bytes());
    k
}

pub(crate) fn seq_of_key(key: &[u8]) -> Result<u64, Error> {
    match key {
        [EVENT | BLOCK, rest @ ..] if rest.len() == 8 => {
            Ok(u64::from_be_bytes(rest.try_into().expect("8 bytes")))
        }
        _ => Err(Error::BadKey(key.to_vec())),
    }
}

pub(crate) fn seq_of_value(v: &[u8]) -> Result<u64, Error> {
    <[u8; 8]>::try_from(v).map(u64::from_be_bytes).map_err(|_| Error::BadKey(v.to_vec()))
}
