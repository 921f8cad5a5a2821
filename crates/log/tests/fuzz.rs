//! Fuzzing the decoder of stored records (`codec::decode`) and of stored
//! snapshots (`codec::decode_snapshot_header`): bytes from disk are untrusted.
//! Random bytes rarely pass the CRC, so most cases here carry a correct
//! checksum over a payload that is random, or a real record's payload with
//! bytes changed, inserted, removed or cut off, or a record whose lengths
//! claim far more than there is: that reaches bincode and the validation of
//! every value. The property is no panic, and that a record that decodes is
//! a valid event which encodes and decodes to itself.

use annals_log::codec;
use annals_log::codec::framed;
use chrono::DateTime;
use proptest::prelude::*;

/// What a block of format 4 holds for its records.
const SHARED: codec::Shared = codec::Shared { recorded_at_micros: 1 << 50, origin: Some("f") };

/// Whatever decodes (alone, or as a record of a block) is an event the codec
/// writes back to the same record.
fn decoded_records_are_valid(bytes: &[u8]) -> Result<(), TestCaseError> {
    for shared in [None, Some(SHARED)] {
        if let Ok(rec) = codec::decode(9, bytes, shared) {
            prop_assert_eq!(rec.seq, 9);
            let again = codec::encode_v2(&rec.event, rec.recorded_at, rec.origin.as_deref());
            let back =
                codec::decode(9, &again, None).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&back, &rec);
            let block = codec::decode(9, &codec::encode(&rec.event), Some(SHARED))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(block.event, rec.event);
        }
    }
    Ok(())
}

/// A real record (format 1, 2 or 3) of a generated event.
fn record() -> impl Strategy<Value = Vec<u8>> {
    (annals_testkit::event(), any::<i64>(), prop::option::of(".{0,20}"), 1u8..=3).prop_map(
        |(event, micros, origin, format)| {
            let at = DateTime::from_timestamp_micros(micros.clamp(-1 << 50, 1 << 50)).unwrap();
            match format {
                1 => codec::encode_v1(&event, at),
                2 => codec::encode_v2(&event, at, origin.as_deref()),
                _ => codec::encode(&event),
            }
        },
    )
}

/// Edits to a payload: (position, kind, byte).
fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8, u8)>> {
    prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..6)
}

fn edit(payload: &mut Vec<u8>, edits: &[(prop::sample::Index, u8, u8)]) {
    for (at, kind, byte) in edits {
        if payload.is_empty() {
            payload.push(*byte);
            continue;
        }
        let i = at.index(payload.len());
        match kind {
            0 => payload[i] ^= byte | 1,
            1 => payload.insert(i, *byte),
            2 => {
                payload.remove(i);
            }
            _ => payload.truncate(i),
        }
    }
}

/// A stored place whose coordinates import would refuse (out of range, or
/// NaN, as `cargo fuzz` found one under a right checksum) is refused, not
/// replayed; the limits themselves are coordinates.
#[test]
fn a_stored_place_with_coordinates_import_refuses_is_refused() {
    let place = |lat: f64, lon: f64| annals_model::Event {
        id: annals_model::EventId::new("p").unwrap(),
        date: None,
        sources: vec![],
        claim: annals_model::Claim::Reported,
        claimed_by: None,
        note: None,
        kind: annals_model::EventKind::Place {
            name: "P".into(),
            aliases: vec![],
            kind: None,
            within: None,
            lat: Some(lat),
            lon: Some(lon),
        },
    };
    let decode = |lat, lon| codec::decode(9, &codec::encode(&place(lat, lon)), Some(SHARED));
    assert_eq!(decode(90.0, -180.0).unwrap().event, place(90.0, -180.0));
    for (lat, lon, what) in [
        (90.5, 0.0, "latitude 90.5"),
        (0.0, -180.5, "longitude -180.5"),
        (f64::INFINITY, 0.0, "latitude inf"),
        (0.0, f64::NAN, "longitude NaN"),
    ] {
        let err = decode(lat, lon).unwrap_err().to_string();
        assert!(err.contains(what), "{err}");
    }
    // The bytes cargo fuzz found: format 3, a place with `lon: NaN`.
    let found =
        [1, 112, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 1, 252, 255, 253, 254, 255, 254, 253, 255];
    let err = codec::decode(9, &framed(3, &found), Some(SHARED)).unwrap_err().to_string();
    assert!(err.contains("longitude NaN"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn decode_survives_random_payloads_with_a_right_checksum(
        format in prop_oneof![Just(1u8), Just(2u8), Just(3u8), any::<u8>()],
        payload in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        decoded_records_are_valid(&framed(format, &payload))?;
    }

    #[test]
    fn decode_survives_edited_records_with_a_right_checksum(bytes in record(), edits in edits()) {
        let (format, mut payload) = (bytes[0], bytes[5..].to_vec());
        edit(&mut payload, &edits);
        decoded_records_are_valid(&framed(format, &payload))?;
    }

    #[test]
    fn decode_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        decoded_records_are_valid(&bytes)?;
    }

    #[test]
    fn snapshot_headers_survive_any_bytes(
        format in prop_oneof![Just(codec::SNAPSHOT_FORMAT), any::<u8>()],
        payload in prop::collection::vec(any::<u8>(), 0..200),
        checksum in any::<bool>(),
    ) {
        let bytes = if checksum {
            framed(format, &payload)
        } else {
            let mut b = vec![format];
            b.extend_from_slice(&payload);
            b
        };
        let _ = codec::decode_snapshot_header(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A length that claims far more than the record holds (bincode's varint
    /// `253` + a u64) is an error, not an allocation of that size or a crash.
    #[test]
    fn decode_survives_lengths_that_claim_gigabytes(bytes in record(), at in any::<prop::sample::Index>(), claim in prop_oneof![Just(u64::MAX), 1u64 << 20..1u64 << 40]) {
        let (format, payload) = (bytes[0], &bytes[5..]);
        let i = at.index(payload.len());
        let mut forged = payload[..i].to_vec();
        forged.push(253);
        forged.extend_from_slice(&claim.to_le_bytes());
        forged.extend_from_slice(&payload[i..]);
        decoded_records_are_valid(&framed(format, &forged))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A chunk of the id index read from any bytes (a damaged one) is
    /// refused or read without a panic, and a lookup in it gives only
    /// sequence numbers it holds under that hash.
    #[test]
    fn id_index_chunks_survive_any_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        probe in any::<u64>(),
    ) {
        use annals_log::index::{Chunk, ENTRY_BYTES, HEADER_BYTES};
        let chunk = Chunk::new(&bytes);
        let whole = bytes.len() >= HEADER_BYTES && (bytes.len() - HEADER_BYTES).is_multiple_of(ENTRY_BYTES);
        prop_assert_eq!(chunk.is_some(), whole);
        if let Some(chunk) = chunk {
            let entries: Vec<(u64, u64)> = chunk.entries().collect();
            prop_assert_eq!(entries.len(), chunk.len());
            let hashes = [probe, entries.first().map_or(probe, |e| e.0)];
            for hash in hashes {
                for seq in chunk.seqs(hash) {
                    prop_assert!(entries.contains(&(hash, seq)));
                }
            }
        }
    }

    /// Entries sorted into a chunk are all found again by their hash.
    #[test]
    fn id_index_chunks_find_every_entry(
        mut entries in prop::collection::vec((0u64..8, any::<u64>()), 0..60),
    ) {
        use annals_log::index::{encode_chunk, Chunk};
        entries.sort_unstable();
        entries.dedup();
        let bytes = encode_chunk(&entries);
        let chunk = Chunk::new(&bytes).unwrap();
        prop_assert_eq!(chunk.last(), entries.iter().map(|e| e.1).max().unwrap_or(0));
        for hash in 0..8 {
            let found: Vec<u64> = chunk.seqs(hash).collect();
            let expected: Vec<u64> = entries.iter().filter(|e| e.0 == hash).map(|e| e.1).collect();
            prop_assert_eq!(found, expected);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A piece of copies read from any bytes whose checksum is right (a
    /// damaged one that passes it) is refused or split without a panic into
    /// entries that lie inside it, in increasing sequence order.
    #[test]
    fn copies_pieces_survive_any_bytes_with_a_right_checksum(
        mut bytes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        if bytes.len() >= 9 {
            bytes[0] = 1;
            let crc = crc32fast::hash(&bytes[5..]);
            bytes[1..5].copy_from_slice(&crc.to_le_bytes());
        }
        if let Ok(entries) = annals_log::copies::split(&bytes) {
            prop_assert!(entries.windows(2).all(|w| w[0].seq < w[1].seq));
            for entry in &entries {
                prop_assert!(entry.record.end <= bytes.len());
                let _ = entry.shared(&bytes);
            }
        }
    }

    /// Records encoded into pieces split back into the same records, in order.
    #[test]
    fn copies_pieces_round_trip(
        records in prop::collection::vec(
            (1u64..1 << 20, prop::option::of((0i64..3, prop::option::of("[a-z .]{0,12}"))), prop::collection::vec(any::<u8>(), 0..3000)),
            0..20,
        ),
    ) {
        use annals_log::codec::Shared;
        let mut records = records;
        records.sort_by_key(|r| r.0);
        records.dedup_by_key(|r| r.0);
        fn shared(s: &Option<(i64, Option<String>)>) -> Option<Shared<'_>> {
            s.as_ref().map(|(micros, origin)| Shared { recorded_at_micros: *micros, origin: origin.as_deref() })
        }
        let input: Vec<annals_log::copies::Record<'_>> =
            records.iter().map(|(seq, s, bytes)| (*seq, shared(s), bytes.as_slice())).collect();
        let pieces = annals_log::copies::encode(&input);
        let mut read = Vec::new();
        for piece in &pieces {
            let entries = annals_log::copies::split(piece).unwrap();
            prop_assert!(piece.len() <= annals_log::copies::PIECE_BYTES || entries.len() == 1);
            read.extend(entries.iter().map(|e| (e.seq, e.shared(piece), &piece[e.record.clone()])));
        }
        prop_assert_eq!(read, input);
    }
}
