//! Snapshots: derived state stored beside the log in pieces, handed back
//! only while it matches the log.

use crate::keys::*;
use crate::store::Batch;
use crate::{codec, copies, DecodeError, Error, Log};

/// What [`Log::load_snapshot`] found.
#[derive(Debug)]
pub enum Snapshot<T> {
    /// A snapshot that matches the log: `state` includes records `1..=last_seq`.
    Fresh { state: T, last_seq: u64 },
    /// No snapshot of that name.
    Missing,
    /// A snapshot that does not match the log (or this build), and why.
    Stale(StaleReason),
    /// A snapshot whose bytes are damaged (its checksum or decoding fails), and how.
    Damaged(SnapshotDamage),
}

/// Why a snapshot does not match the log ([`Snapshot::Stale`]): the
/// caller rebuilds it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StaleReason {
    /// It holds another name, or the layout of another schema.
    #[error(
        "snapshot `{name}` holds `{found}` schema {schema}, but this build uses schema {expected}"
    )]
    Schema { name: String, found: String, schema: u32, expected: u32 },
    /// It covers records the log does not hold.
    #[error("snapshot `{name}` covers records up to {last_seq}, but the log has only {len}")]
    Ahead { name: String, last_seq: u64, len: u64 },
    /// The record it ends with is not the one it was taken after.
    #[error("snapshot `{name}` was taken from another log: record {seq} has checksum {found:08x}, not {expected:08x}")]
    OtherLog { name: String, seq: u64, found: u32, expected: u32 },
}

/// How a snapshot's bytes are damaged ([`Snapshot::Damaged`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotDamage {
    /// A piece below the last one stored is missing.
    #[error("snapshot `{name}`: piece {piece} is missing")]
    PieceMissing { name: String, piece: u32 },
    /// Its checksum fails, or it does not decode.
    #[error("snapshot `{name}`: {problem}")]
    Decode { name: String, problem: DecodeError },
}

impl Log {
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
    pub(crate) fn store_snapshot(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        if self.snapshots.contains_key(name.as_bytes())? {
            // Removed on its own: written in the same batch as the pieces,
            // sled rewrites the leaf holding the whole value (as a blob
            // file) each time it consolidates it, and leaves those behind.
            let mut batch = Batch::default();
            batch.remove(name.as_bytes());
            self.snapshots.apply_batch(batch)?;
        }
        let mut batch = Batch::default();
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
    pub(crate) fn stored_snapshot(
        &self,
        name: &str,
    ) -> Result<Option<Result<Vec<u8>, SnapshotDamage>>, Error> {
        let prefix = snapshot_prefix(name);
        let mut bytes = Vec::new();
        let mut pieces = 0u32;
        for kv in self.snapshots.scan_prefix(&prefix) {
            let (key, piece) = kv?;
            if key[prefix.len()..] != pieces.to_be_bytes() {
                let name = name.to_string();
                return Ok(Some(Err(SnapshotDamage::PieceMissing { name, piece: pieces })));
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
        let damaged = |problem| {
            Ok(Snapshot::Damaged(SnapshotDamage::Decode { name: name.to_string(), problem }))
        };
        let bytes = match self.stored_snapshot(name)? {
            None => return Ok(Snapshot::Missing),
            Some(Err(damage)) => return Ok(Snapshot::Damaged(damage)),
            Some(Ok(bytes)) => bytes,
        };
        let (header, state) = match codec::decode_snapshot_header(&bytes) {
            Ok(decoded) => decoded,
            Err(problem) => return damaged(problem),
        };
        let stale = |reason| Ok(Snapshot::Stale(reason));
        if header.name != name || header.schema != schema {
            return stale(StaleReason::Schema {
                name: name.to_string(),
                found: header.name,
                schema: header.schema,
                expected: schema,
            });
        }
        if header.last_seq > self.len() {
            let (last_seq, len) = (header.last_seq, self.len());
            return stale(StaleReason::Ahead { name: name.to_string(), last_seq, len });
        }
        let crc = self.record_checksum(header.last_seq)?.unwrap_or(0);
        if crc != header.last_crc {
            return stale(StaleReason::OtherLog {
                name: name.to_string(),
                seq: header.last_seq,
                found: crc,
                expected: header.last_crc,
            });
        }
        match codec::decode_state(state) {
            Ok(state) => Ok(Snapshot::Fresh { state, last_seq: header.last_seq }),
            Err(problem) => damaged(problem),
        }
    }

    /// The stored bytes of snapshot `name`, for tests that damage them.
    #[cfg(feature = "testing")]
    pub fn snapshot_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.stored_snapshot(name)?.and_then(Result::ok))
    }

    /// Stores raw bytes as snapshot `name`, in pieces, for tests that damage them.
    #[cfg(feature = "testing")]
    pub fn put_snapshot_bytes(&self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.store_snapshot(name, bytes)
    }

    /// Removes piece `n` of snapshot `name`, for tests that damage it.
    #[cfg(feature = "testing")]
    pub fn remove_snapshot_piece(&self, name: &str, n: u32) -> Result<(), Error> {
        self.snapshots.remove(snapshot_piece_key(name, n))?;
        Ok(())
    }
}
