//! Bytes read back from disk: a stored record, a block of records, a
//! snapshot header, a chunk of the id index, a piece of copies. Refused or
//! read, never a panic; a record that decodes encodes back to itself.
//!
//! Random bytes almost never pass a record's CRC, so the input is also
//! framed as a record (its first byte the format, the rest the payload,
//! under a right checksum): that is what reaches the payload's decoder.
#![no_main]

use annals_log::{codec, copies, index};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&format, payload)) = data.split_first() else { return };
    for bytes in [data.to_vec(), codec::framed(format, payload)] {
        let shared = codec::Shared { recorded_at_micros: 1 << 50, origin: Some("f") };
        if let Ok(rec) = codec::decode(9, &bytes, Some(shared)) {
            let again = codec::decode(9, &codec::encode(&rec.event), Some(shared));
            assert_eq!(again.expect("re-encoded").event, rec.event);
        }
    }
    let _ = codec::split_block(data);
    let _ = codec::decode_snapshot_header(data);
    if let Some(chunk) = index::Chunk::new(data) {
        assert_eq!(chunk.entries().count(), chunk.len());
    }
    let _ = copies::split(data);
});
