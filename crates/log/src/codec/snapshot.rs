//! Snapshots of derived state, and the checksum stored in a record's header.

use super::{config, payload_of, DecodeError, HEADER};

/// The snapshot format this build writes and reads.
pub const SNAPSHOT_FORMAT: u8 = 1;

/// What a snapshot says about itself: see [`wire::snapshot::Header`](crate::wire::snapshot::Header).
pub use crate::wire::snapshot::Header as SnapshotHeader;

/// Encodes a snapshot: `[SNAPSHOT_FORMAT][crc32 of format and payload: u32 LE][payload]`,
/// where the payload is the header followed by the state, both bincode 2 (serde).
pub fn encode_snapshot(header: &SnapshotHeader, state: &impl serde::Serialize) -> Vec<u8> {
    let mut payload =
        bincode::serde::encode_to_vec(header, config()).expect("encoding plain data cannot fail");
    bincode::serde::encode_into_std_write(state, &mut payload, config())
        .expect("encoding plain data into memory cannot fail");
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.push(SNAPSHOT_FORMAT);
    out.extend_from_slice(&snapshot_checksum(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// Checks a stored snapshot's format and checksum and decodes its header;
/// returns the header and the state's bytes (decode them with [`decode_state`]
/// once the header says the snapshot fits). Never panics, whatever the bytes.
pub fn decode_snapshot_header(bytes: &[u8]) -> Result<(SnapshotHeader, &[u8]), DecodeError> {
    if bytes.len() < HEADER {
        return Err(DecodeError::Truncated(bytes.len()));
    }
    if bytes[0] != SNAPSHOT_FORMAT {
        return Err(DecodeError::UnknownFormat(bytes[0]));
    }
    let stored = u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
    let payload = &bytes[HEADER..];
    let computed = snapshot_checksum(payload);
    if stored != computed {
        return Err(DecodeError::Checksum { stored, computed });
    }
    let (header, used): (SnapshotHeader, usize) =
        bincode::serde::decode_from_slice(payload, config())
            .map_err(|e| DecodeError::Payload(e.to_string()))?;
    Ok((header, &payload[used..]))
}

/// The CRC-32 of a snapshot: of its format byte and its payload.
fn snapshot_checksum(payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&[SNAPSHOT_FORMAT]);
    h.update(payload);
    h.finalize()
}

/// Decodes a snapshot's state (all of `bytes`, nothing left over).
pub fn decode_state<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    payload_of(bytes)
}

/// The checksum stored in a record's header, without checking it.
pub fn stored_checksum(bytes: &[u8]) -> Option<u32> {
    (bytes.len() >= HEADER).then(|| u32::from_le_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]))
}
