//! The log against a real sled database in a temp dir.

use annals_log::{codec, Error, Log};
use annals_model::{Event, Recorded};
use chrono::{DateTime, Utc};
use proptest::prelude::*;

/// Problems in words, as `annals verify` prints them.
fn words(problems: &[annals_log::Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

#[path = "log/model.rs"]
mod model;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

/// What a block of format 4 holds for its records: recorded at `secs`.
fn shared(secs: i64, origin: Option<&str>) -> codec::Shared<'_> {
    codec::Shared { recorded_at_micros: at(secs).timestamp_micros(), origin }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// encode then decode is the identity on events, recorded times and
    /// origins: a record of a block takes them from the block's header; one
    /// of format 2 carries its own (and a format-3 record alone is refused).
    #[test]
    fn codec_round_trip(
        event in annals_testkit::event(),
        secs in 0i64..4_000_000_000,
        origin in prop::option::of(".{0,40}"),
    ) {
        let bytes = codec::encode(&event);
        let rec = codec::decode(7, &bytes, Some(shared(secs, origin.as_deref()))).unwrap();
        prop_assert_eq!(rec.seq, 7);
        prop_assert_eq!(rec.recorded_at, at(secs));
        prop_assert_eq!(rec.origin.as_deref(), origin.as_deref());
        prop_assert_eq!(&rec.event, &event);
        prop_assert!(codec::decode(7, &bytes, None).is_err());
        let v2 = codec::decode(7, &codec::encode_v2(&event, at(secs), origin.as_deref()), None).unwrap();
        prop_assert_eq!(&v2, &rec);
        // A format 1 record of the same event reads as format 2 with no origin.
        let old = codec::decode(7, &codec::encode_v1(&event, at(secs)), None).unwrap();
        prop_assert_eq!((old.origin, old.recorded_at, old.event), (None, at(secs), event));
    }

    /// A decoder that reads records one after another (sharing their ids and
    /// origins) reads each as a fresh decode does, damaged records included:
    /// an error leaves nothing behind that would change the records after it.
    #[test]
    fn a_shared_decoder_reads_every_record_as_a_fresh_one(
        records in prop::collection::vec((
            annals_testkit::event(),
            prop::sample::select(vec![None, Some("import a.jsonl"), Some("import b.csv")]),
            prop::option::of(any::<prop::sample::Index>()),
        ), 1..24),
    ) {
        let mut decoder = codec::Decoder::default();
        for (seq, (event, origin, damage)) in (1..).zip(records) {
            let mut bytes = codec::encode(&event);
            if let Some(at) = damage {
                let i = at.index(bytes.len());
                bytes[i] ^= 0x20;
            }
            let block = Some(shared(seq as i64, origin));
            let read = decoder.decode(seq, &bytes, block);
            prop_assert_eq!(&read, &codec::decode(seq, &bytes, block));
            if damage.is_none() {
                let read = read.unwrap();
                prop_assert_eq!((read.event, read.origin.as_deref()), (event, origin));
            }
        }
    }

    /// Any damage to stored bytes is an error, never a panic and never another event.
    #[test]
    fn damaged_records_are_detected(event in annals_testkit::event(), pos in any::<prop::sample::Index>(), flip in 1u8..=255, old in any::<bool>()) {
        let mut bytes = if old { codec::encode_v1(&event, at(1)) } else { codec::encode(&event) };
        let block = Some(shared(1, Some("import f.jsonl")));
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        prop_assert!(codec::decode(1, &bytes, block).is_err());
        let cut = pos.index(bytes.len());
        prop_assert!(codec::decode(1, &bytes[..cut], block).is_err());
    }

    /// Arbitrary bytes never panic the decoder, nor the block splitter.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = codec::decode(1, &bytes, None);
        let _ = codec::decode(1, &bytes, Some(shared(1, Some("f"))));
        let _ = codec::split_block(&bytes);
    }

    /// A block gives back the records it was made of, each as it was, and
    /// the time and origin they share; a damaged header (or a cut block)
    /// cannot be split, and damage in a record is caught by that record's
    /// own checksum. Blocks of format 3 (records of format 2) split alike.
    #[test]
    fn blocks_split_into_their_records_and_damage_is_detected(
        events in prop::collection::vec(annals_testkit::event(), 0..12),
        secs in 0i64..4_000_000_000,
        origin in prop::option::of(".{0,40}"),
        old in any::<bool>(),
        pos in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let common = shared(secs, origin.as_deref());
        let records: Vec<Vec<u8>> = events
            .iter()
            .map(|e| if old { codec::encode_v2(e, at(secs), origin.as_deref()) } else { codec::encode(e) })
            .collect();
        let lens: Vec<u32> = records.iter().map(|r| r.len() as u32).collect();
        let block = if old {
            codec::encode_block_v3(&lens, &records.concat())
        } else {
            codec::encode_block(common, &lens, &records.concat())
        };
        let split = codec::split_block(&block).unwrap();
        let ranges = split.ranges.clone();
        let back: Vec<&[u8]> = ranges.iter().map(|r| &block[r.clone()]).collect();
        prop_assert_eq!(&back, &records.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let read = split.shared.as_ref().map(|s| s.read(&block));
        prop_assert_eq!(read, (!old).then_some(common));
        for (r, event) in ranges.iter().zip(&events) {
            prop_assert_eq!(&codec::decode(1, &block[r.clone()], read).unwrap().event, event);
        }
        let header = block.len() - records.iter().map(Vec::len).sum::<usize>();
        let i = pos.index(block.len());
        let mut damaged = block.clone();
        damaged[i] ^= flip;
        match codec::split_block(&damaged) {
            Err(_) => prop_assert!(i < header, "byte {} of a record failed the block", i),
            Ok(again) => {
                prop_assert!(i >= header, "damaged header byte {} passed", i);
                prop_assert_eq!(&again, &split);
                let hit = ranges.iter().position(|r| r.contains(&i)).unwrap();
                prop_assert!(codec::decode(1, &damaged[ranges[hit].clone()], read).is_err());
            }
        }
        if !block.is_empty() {
            prop_assert!(codec::split_block(&block[..pos.index(block.len())]).is_err());
        }
    }

    /// Whatever the block sizes, every way of reading a record gives the
    /// same one: the whole log, the tail from any record (which may start
    /// inside a block), one lookup, and many lookups in any order.
    #[test]
    fn records_read_alike_across_blocks(
        log in annals_testkit::control_log(),
        sizes in prop::collection::vec(1usize..7, 1..4),
        from in any::<prop::sample::Index>(),
        asked in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Log::init(dir.path().join("db")).unwrap();
        for (part, size) in log.chunks(log.len().div_ceil(sizes.len()).max(1)).zip(sizes.iter().cycle()) {
            let mut import = store.begin(at(1), Some("import f.jsonl")).unwrap().with_batch_size(*size);
            for event in part {
                import.push(event).unwrap();
            }
            import.commit().unwrap();
        }
        let all: Vec<_> = store.iter().map(|r| r.unwrap()).collect();
        prop_assert_eq!(all.iter().map(|r| &r.event).collect::<Vec<_>>(), log.iter().collect::<Vec<_>>());
        prop_assert!(all.iter().zip(1..).all(|(r, seq)| r.seq == seq));
        let n = all.len() as u64;
        let first = from.index(all.len() + 2) as u64;
        let tail: Vec<_> = store.iter_from(first).map(|r| r.unwrap()).collect();
        prop_assert_eq!(&tail[..], &all[(first.max(1) - 1).min(n) as usize..]);
        for seq in 0..=n + 1 {
            let got = store.get(seq).unwrap();
            prop_assert_eq!(got.as_ref(), seq.checked_sub(1).and_then(|i| all.get(i as usize)));
        }
        let seqs: Vec<u64> = asked.iter().map(|i| i.index(all.len() + 2) as u64).collect();
        let many = store.get_many(&seqs).unwrap();
        let expected: Vec<_> = seqs.iter().filter_map(|&s| s.checked_sub(1).and_then(|i| all.get(i as usize))).cloned().collect();
        prop_assert_eq!(many, expected);
        prop_assert!(store.verify().unwrap().problems.is_empty());
    }

    /// Appending the same events twice stores them once; reopening the log
    /// (a restart) gives back exactly what was appended, in order.
    #[test]
    fn append_is_idempotent_and_durable(log in annals_testkit::control_log()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        {
            let mut store = Log::init(&path).unwrap();
            let first = store.append(&log, at(100)).unwrap();
            prop_assert_eq!(first.appended, log.len() as u64);
            let second = store.append(&log, at(200)).unwrap();
            prop_assert_eq!(second.appended, 0);
            prop_assert_eq!(second.unchanged, log.len() as u64);
        }
        let store = Log::open(&path).unwrap();
        let back: Vec<Event> = store.iter().map(|r| r.unwrap().event).collect();
        prop_assert_eq!(&back, &log);
        prop_assert!(store.iter().all(|r| r.unwrap().recorded_at == at(100)));
        prop_assert!(store.verify().unwrap().problems.is_empty());
    }
}

/// A decoder gives an entity's event id and every later reference to the
/// entity one shared text, so that replay finds what a reference names by
/// pointer.
#[test]
fn a_decoder_shares_an_entitys_id_with_the_references_to_it() {
    let lines = [
        r#"{"type":"place","id":"bamba","name":"Bamba"}"#,
        r#"{"type":"actor","id":"cma","name":"CMA"}"#,
        r#"{"type":"control_taken","id":"cma-bamba","date":"2023-10-01","place":"bamba","actor":"cma"}"#,
        r#"{"type":"retraction","id":"r1","retracts":"cma-bamba","reason":"x"}"#,
    ];
    let mut decoder = codec::Decoder::default();
    let events: Vec<Event> = (1..)
        .zip(lines)
        .map(|(seq, line)| {
            let event = annals_model::v1::parse_line(line).unwrap().event;
            decoder.decode(seq, &codec::encode(&event), Some(shared(1, None))).unwrap().event
        })
        .collect();
    let annals_model::EventKind::ControlTaken { place, actor, .. } = &events[2].kind else {
        panic!("control_taken")
    };
    assert!(std::ptr::eq(place.as_str(), events[0].id.as_str()), "the place's text is shared");
    assert!(std::ptr::eq(actor.as_str(), events[1].id.as_str()), "the actor's text is shared");
    let annals_model::EventKind::Retraction { retracts, .. } = &events[3].kind else {
        panic!("retraction")
    };
    assert_eq!(retracts, &events[2].id);
}

#[test]
fn a_conflicting_id_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Log::init(dir.path().join("db")).unwrap();
    let entities = annals_testkit::entities();
    store.append(&entities, at(1)).unwrap();
    let mut changed = entities[0].clone();
    changed.note = Some("different".into());
    let fresh = entities.last().cloned().map(|mut e| {
        e.id = annals_model::EventId::new("brand-new").unwrap();
        e
    });
    let err = store.append(&[fresh.unwrap(), changed], at(2)).unwrap_err();
    assert!(matches!(err, Error::Conflict { ref id, seq: 1 } if id == "src-a"), "{err}");
    assert_eq!(store.len(), entities.len() as u64);
    assert_eq!(store.lookup("brand-new").unwrap(), None);
}

#[test]
fn open_refuses_what_is_not_a_log_and_init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    assert!(matches!(Log::open(&path), Err(Error::NotALog(_))));
    drop(Log::init(&path).unwrap());
    assert!(matches!(Log::init(&path), Err(Error::AlreadyExists(_))));
    assert!(Log::open(&path).is_ok());
}

#[test]
fn a_log_held_open_is_reported_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let _held = Log::init(&path).unwrap();
    let err = Log::open(&path).unwrap_err();
    assert!(matches!(err, Error::InUse(_)), "{err}");
    assert!(err.to_string().contains("in use by another annals process"));
}

/// A record written by format 1 must keep decoding to the same event: bytes on
/// historians' disks outlive this code. `UPDATE_EXPECT=1` rewrites the golden file.
#[test]
fn golden_record_v1_still_decodes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/log/golden-v1.bin");
    let (event, recorded_at) = golden_event();
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, codec::encode_v1(&event, recorded_at)).unwrap();
    }
    let bytes = std::fs::read(path)
        .expect("fixtures/log/golden-v1.bin is missing (UPDATE_EXPECT=1 writes it)");
    let rec = codec::decode(1, &bytes, None).unwrap();
    assert_eq!((rec.event, rec.recorded_at, rec.origin), (event.clone(), recorded_at, None));
    assert_eq!(codec::encode_v1(&event, recorded_at), bytes, "format 1 encoding changed");
}

/// The bytes of a format 2 record must keep decoding to the same record.
#[test]
fn golden_record_v2_still_decodes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/log/golden-v2.bin");
    let (event, recorded_at) = golden_event();
    let origin = Some("import ségou.jsonl");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, codec::encode_v2(&event, recorded_at, origin)).unwrap();
    }
    let bytes = std::fs::read(path)
        .expect("fixtures/log/golden-v2.bin is missing (UPDATE_EXPECT=1 writes it)");
    assert_eq!(bytes[0], 2);
    let rec = codec::decode(1, &bytes, None).unwrap();
    assert_eq!(
        (rec.event, rec.recorded_at, rec.origin.as_deref()),
        (event.clone(), recorded_at, origin)
    );
    assert_eq!(codec::encode_v2(&event, recorded_at, origin), bytes, "format 2 encoding changed");
}

/// The bytes of a block of format 4 (two records of format 3, the golden
/// event and its retraction, with their shared time and origin) must keep
/// splitting and decoding to the same records.
#[test]
fn golden_block_v4_still_decodes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/log/golden-block-v4.bin");
    let (event, recorded_at) = golden_event();
    let retraction = annals_model::v1::parse_line(
        r#"{"type":"retraction","id":"r-1","retracts":"cma-claims-bamba","reason":"misread"}"#,
    )
    .unwrap()
    .event;
    let common = codec::Shared {
        recorded_at_micros: recorded_at.timestamp_micros(),
        origin: Some("import ségou.jsonl"),
    };
    let records = [codec::encode(&event), codec::encode(&retraction)];
    let lens: Vec<u32> = records.iter().map(|r| r.len() as u32).collect();
    let written = codec::encode_block(common, &lens, &records.concat());
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, &written).unwrap();
    }
    let bytes = std::fs::read(path)
        .expect("fixtures/log/golden-block-v4.bin is missing (UPDATE_EXPECT=1 writes it)");
    assert_eq!((bytes[0], bytes[bytes.len() - records.concat().len()]), (4, 3));
    let split = codec::split_block(&bytes).unwrap();
    let read = split.shared.as_ref().map(|s| s.read(&bytes));
    assert_eq!(read, Some(common));
    let back: Vec<_> = (1..)
        .zip(&split.ranges)
        .map(|(seq, at)| codec::decode(seq, &bytes[at.clone()], read).unwrap())
        .collect();
    assert_eq!(
        back.iter().map(|r| (&r.event, r.recorded_at, r.origin.as_deref())).collect::<Vec<_>>(),
        [&event, &retraction].map(|e| (e, recorded_at, common.origin))
    );
    assert_eq!(written, bytes, "block format 4 or record format 3 encoding changed");
}

/// The bytes of a block of format 4 holding one record of each wire variant
/// added since `golden-block-v4.bin`: `SameAs` (actors, places),
/// `Identifiers`, `ActorDissolved` and `Revision`, in the order they were
/// appended to `wire::v1::Kind`. They must keep decoding to the same events.
#[test]
fn golden_block_of_the_later_variants_still_decodes() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/log/golden-block-variants.bin");
    let lines = [
        r#"{"type":"same_as","id":"l-1","actors":["gatia","acled:gatia"],"sources":["seed"]}"#,
        r#"{"type":"same_as","id":"l-2","places":["bamba","acled:mali.gao.bourem.bamba"],"note":"Ségou"}"#,
        r#"{"type":"identifiers","id":"i-1","place":"bamba","ids":{"geonames":"2460596","wikidata":"Q1"},"sources":["seed"]}"#,
        r#"{"type":"actor_dissolved","id":"d-1","actor":"mujao","into":"al-mourabitoun","date":"2013-08-22","sources":["seed"]}"#,
        r#"{"type":"retraction","id":"r-2","retracts":"e-1","reason":"revised in release 22.1","replaced_by":"e-1:rev.22-1"}"#,
    ];
    let events: Vec<Event> =
        lines.iter().map(|l| annals_model::v1::parse_line(l).unwrap().event).collect();
    let (_, recorded_at) = golden_event();
    let common = codec::Shared {
        recorded_at_micros: recorded_at.timestamp_micros(),
        origin: Some("import variants.jsonl"),
    };
    let records: Vec<Vec<u8>> = events.iter().map(codec::encode).collect();
    let lens: Vec<u32> = records.iter().map(|r| r.len() as u32).collect();
    let written = codec::encode_block(common, &lens, &records.concat());
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, &written).unwrap();
    }
    let bytes = std::fs::read(path)
        .expect("fixtures/log/golden-block-variants.bin is missing (UPDATE_EXPECT=1 writes it)");
    let split = codec::split_block(&bytes).unwrap();
    let read = split.shared.as_ref().map(|s| s.read(&bytes));
    let back: Vec<Event> = (1..)
        .zip(&split.ranges)
        .map(|(seq, at)| codec::decode(seq, &bytes[at.clone()], read).unwrap().event)
        .collect();
    assert_eq!(back, events);
    assert_eq!(written, bytes, "the encoding of a later wire variant changed");
}

fn golden_event() -> (Event, DateTime<Utc>) {
    let line = r#"{"type":"control_taken","id":"cma-claims-bamba","place":"bamba","actor":"cma","from":"fama","date":"2023-10-01/2023-10~","sources":["seed"],"claim":"claimed","claimed_by":"cma","note":"Léré \"camp\""}"#;
    (annals_model::v1::parse_line(line).unwrap().event, at(1_700_000_000))
}

/// A whole log written by annals with record format 1 (`fixtures/log/v1-log`,
/// made from `fixtures/outside/graph-test.jsonl` plus a retraction) opens,
/// verifies, and reads back the same events as a fresh import of that file.
#[test]
fn a_log_written_in_format_1_reads_the_same_events() {
    let (_dir, _, _, records) = old_log("v1-log");
    assert!(records.iter().all(|r| r.origin.is_none()), "format 1 records have no origin");
}

/// Opens a copy of the log `fixtures/log/{name}` (made from
/// `graph-test.jsonl` plus a retraction), checks that it verifies and
/// reads back those 32 events, and returns it with its records.
fn old_log(
    name: &str,
) -> (tempfile::TempDir, std::path::PathBuf, Log, Vec<annals_model::Recorded>) {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(name);
    copy_fixture(name, &copy);
    let old = Log::open(&copy).unwrap();
    assert!(old.verify().unwrap().problems.is_empty());
    let records: Vec<_> = old.iter().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 32);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/outside/graph-test.jsonl"
    ))
    .unwrap();
    for (line, rec) in text.lines().zip(&records) {
        assert_eq!(rec.event, annals_model::v1::parse_line(line).unwrap().event);
    }
    assert!(matches!(records[31].event.kind, annals_model::EventKind::Retraction { .. }));
    (dir, copy, old, records)
}

/// Whole logs written by earlier builds (`annals init`, `import
/// graph-test.jsonl`, then `retract front-takes-fort`): `fixtures/log/v2-log`
/// (log format 2, one record per sled key), `v3-log` (format 3, blocks
/// whose records carry their own time and origin) and `v4-log` (format 4,
/// blocks that hold their records' time and origin once; all three with
/// one `i` key per id) open, verify and read back the same events. Appended
/// to, each becomes format 5: its new records go in blocks after the old
/// ones, their ids in chunks of the hashed index, and every way of reading
/// and looking up finds both.
#[test]
fn logs_written_in_formats_2_to_4_read_the_same_events_and_take_new_blocks_after_them() {
    let formats =
        [("v2-log", "annals-log/2"), ("v3-log", "annals-log/3"), ("v4-log", "annals-log/4")];
    for (fixture, magic) in formats {
        let format =
            |path: &std::path::Path| sled_db(path).get("format").unwrap().unwrap().to_vec();
        let (_dir, copy, mut old, records) = old_log(fixture);
        drop(old);
        assert_eq!(
            format(&copy),
            magic.as_bytes(),
            "{fixture}: opening and reading left the format alone"
        );
        old = Log::open(&copy).unwrap();
        assert!(
            records[..31].iter().all(|r| r.origin.as_deref() == Some("import graph-test.jsonl")),
            "{fixture}"
        );
        assert_eq!(records[31].origin.as_deref(), Some("retract"), "{fixture}");
        assert!(records[31].recorded_at > records[30].recorded_at, "{fixture}");

        let new = sources(7);
        let mut import = old.begin(at(5), Some("import s.jsonl")).unwrap().with_batch_size(3);
        for event in &new {
            import.push(event).unwrap();
        }
        assert_eq!(import.commit().unwrap().seqs, Some((33, 39)));
        drop(old);
        assert_eq!(format(&copy), b"annals-log/5", "{fixture}");
        let mixed = Log::open(&copy).unwrap();
        assert!(mixed.verify().unwrap().problems.is_empty(), "{fixture}");
        let all: Vec<_> = mixed.iter().map(|r| r.unwrap()).collect();
        assert_eq!(&all[..32], &records[..], "{fixture}");
        assert_eq!(
            all[32..]
                .iter()
                .map(|r| (&r.event, r.recorded_at, r.origin.as_deref()))
                .collect::<Vec<_>>(),
            new.iter().map(|e| (e, at(5), Some("import s.jsonl"))).collect::<Vec<_>>(),
            "{fixture}"
        );
        let tail: Vec<u64> = mixed.iter_from(30).map(|r| r.unwrap().seq).collect();
        assert_eq!(tail, (30..=39).collect::<Vec<_>>(), "{fixture}");
        let asked = [39, 1, 32, 33, 35, 31];
        let many: Vec<u64> = mixed.get_many(&asked).unwrap().iter().map(|r| r.seq).collect();
        assert_eq!(many, asked, "{fixture}");
        assert_eq!(mixed.lookup("s-6").unwrap(), Some(39), "{fixture}");
        assert_eq!(mixed.lookup("front-takes-fort").unwrap(), Some(30), "{fixture}");
        // Both indexes answer whether an event is stored: appending every
        // event again stores nothing, and one with an old id and new content
        // is a conflict with the old record.
        let mut mixed = mixed;
        let every: Vec<Event> = all.iter().map(|r| r.event.clone()).collect();
        let again = mixed.append(&every, at(6)).unwrap();
        assert_eq!((again.appended, again.unchanged), (0, 39), "{fixture}");
        let mut changed = records[4].event.clone();
        changed.note = Some("changed".into());
        let err = mixed.append(&[changed], at(6)).unwrap_err();
        assert!(matches!(err, Error::Conflict { seq: 5, .. }), "{fixture}: {err}");
        assert_eq!(
            mixed.verify().unwrap(),
            annals_log::Integrity {
                records: 39,
                ids: 39,
                copies: 0,
                copies_left: 0,
                problems: vec![]
            },
            "{fixture}"
        );
    }
}

/// An import stores its records in blocks of `BLOCK_RECORDS` consecutive
/// sequence numbers, several to a sled batch, the last one of an import
/// shorter: sled keeps what a replay reads in leaves of up to 16 keys, so
/// larger blocks would make it keep more (see `BLOCK_RECORDS`).
#[test]
fn an_import_stores_its_records_in_blocks_of_block_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let per = annals_log::BLOCK_RECORDS as u64;
    let n = annals_log::STAGE_BATCH as u64 + 2 * per + 3;
    let mut store = Log::init(&path).unwrap();
    store.append(&sources(n as usize), at(1)).unwrap();
    drop(store);
    let db = sled_db(&path);
    let blocks: Vec<(u64, usize)> = db
        .open_tree("log")
        .unwrap()
        .scan_prefix(b"b")
        .map(|kv| {
            let (k, v) = kv.unwrap();
            let first = u64::from_be_bytes(k[1..].try_into().unwrap());
            (first, annals_log::codec::split_block(&v).unwrap().ranges.len())
        })
        .collect();
    let mut expected = Vec::new();
    let mut first = 1;
    while first <= n {
        // Blocks never span two sled batches.
        let batch_end = (first - 1) / annals_log::STAGE_BATCH as u64
            * annals_log::STAGE_BATCH as u64
            + annals_log::STAGE_BATCH as u64;
        let last = (first + per - 1).min(batch_end).min(n);
        expected.push((first, (last - first + 1) as usize));
        first = last + 1;
    }
    assert_eq!(blocks, expected);
}

/// Copies a log kept under `fixtures/log/` to `to` (git keeps no empty
/// directories, so sled's `blobs` may be missing: sled makes it).
fn copy_fixture(name: &str, to: &std::path::Path) {
    let fixture = format!("{}/../../fixtures/log/{name}", env!("CARGO_MANIFEST_DIR"));
    copy_dir(std::path::Path::new(&fixture), to);
}

/// Copies the directory `from` (a closed log) to `to`, with its subdirectories.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Damages the header (its record count) of the block of the closed log at
/// `path` that holds record `seq`.
fn damage_block_holding(path: &std::path::Path, seq: u64) {
    let db = sled_db(path);
    let tree = db.open_tree("log").unwrap();
    let mut last = vec![b'b'];
    last.extend_from_slice(&seq.to_be_bytes());
    let (key, block) = tree.range(..=last).next_back().unwrap().unwrap();
    assert_eq!(key[0], b'b', "a block holds record {seq}");
    let mut block = block.to_vec();
    block[1] ^= 0x02;
    tree.insert(&key, block).unwrap();
    db.flush().unwrap();
}

/// A block whose header is damaged cannot be split: `verify` names the
/// range of records it held (up to the next block) and goes on; reading
/// it is an error naming them, never a panic or other records; the records
/// of the other blocks still read.
#[test]
fn a_damaged_block_header_is_reported_with_the_records_it_held() {
    let events = sources(10);
    let (_dir, path) = imported(&events, |import| import.with_batch_size(4));
    // Blocks 1..4, 5..8, 9..10: damage the count of the middle one.
    damage_block_holding(&path, 5);
    let store = Log::open(&path).unwrap();
    let report = store.verify().unwrap();
    assert_eq!(report.records, 10);
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert_eq!(report.problems[0].kind(), "damaged_block");
    assert!(
        report.problems[0]
            .to_string()
            .starts_with("records 5..8 are corrupt: damaged block: header checksum mismatch"),
        "{report:?}"
    );
    let read: Vec<Result<u64, String>> =
        store.iter().map(|r| r.map(|r| r.seq).map_err(|e| e.to_string())).collect();
    assert_eq!(read[..4], [Ok(1), Ok(2), Ok(3), Ok(4)]);
    assert!(matches!(&read[4], Err(e) if e.starts_with("records 5..8 are corrupt")), "{read:?}");
    assert_eq!(read[5..], [Ok(9), Ok(10)]);
    let err = store.get(6).unwrap_err().to_string();
    assert!(err.starts_with("record 6 is corrupt: damaged block"), "{err}");
    assert_eq!(store.get(9).unwrap().unwrap().event, events[8]);
    assert!(store.get_many(&[1, 7]).is_err());
}

#[test]
fn one_append_with_an_id_twice_and_different_content_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Log::init(dir.path().join("db")).unwrap();
    let first = annals_testkit::entities().remove(0);
    let mut second = first.clone();
    second.note = Some("different".into());
    let err = store.append(&[first.clone(), first.clone(), second], at(1)).unwrap_err();
    assert!(matches!(err, Error::DuplicateInAppend(ref id) if id == "src-a"), "{err}");
    assert!(store.is_empty());
}

fn stale_reason(log: &Log, schema: u32) -> String {
    match log.load_snapshot::<Vec<String>>("test", schema).unwrap() {
        annals_log::Snapshot::Stale(why) => why.to_string(),
        other => panic!("expected a stale snapshot, got {other:?}"),
    }
}

fn damage(log: &Log) -> String {
    match log.load_snapshot::<Vec<String>>("test", 1).unwrap() {
        annals_log::Snapshot::Damaged(why) => why.to_string(),
        other => panic!("expected a damaged snapshot, got {other:?}"),
    }
}

#[test]
fn a_snapshot_is_used_only_while_it_matches_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = Log::init(dir.path().join("db")).unwrap();
    let entities = annals_testkit::entities();
    let (first, rest) = entities.split_at(4);
    log.append(first, at(1)).unwrap();
    assert!(matches!(
        log.load_snapshot::<Vec<String>>("test", 1).unwrap(),
        annals_log::Snapshot::Missing
    ));
    let state = vec!["four records".to_string()];
    log.save_snapshot("test", 1, 4, &state).unwrap();
    // Still fresh after more records: they are the tail.
    log.append(rest, at(2)).unwrap();
    match log.load_snapshot::<Vec<String>>("test", 1).unwrap() {
        annals_log::Snapshot::Fresh { state: back, last_seq } => {
            assert_eq!((back, last_seq), (state.clone(), 4));
            let tail: Vec<u64> = log.iter_from(last_seq + 1).map(|r| r.unwrap().seq).collect();
            assert_eq!(tail, (5..=log.len()).collect::<Vec<_>>());
        }
        other => panic!("expected a fresh snapshot, got {other:?}"),
    }
    // Another layout version of the state.
    assert!(stale_reason(&log, 2).contains("schema 1, but this build uses schema 2"));
    assert!(matches!(
        log.load_snapshot::<Vec<String>>("test", 2).unwrap(),
        annals_log::Snapshot::Stale(annals_log::StaleReason::Schema { schema: 1, expected: 2, .. })
    ));
    // A damaged snapshot, at every byte.
    let good = log.snapshot_bytes("test").unwrap().unwrap();
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x20;
        log.put_snapshot_bytes("test", &bad).unwrap();
        let why = damage(&log);
        assert!(why.starts_with("snapshot `test`: "), "byte {i}: {why}");
    }
    log.put_snapshot_bytes("test", &good[..3]).unwrap();
    assert!(damage(&log).contains("shorter than its 5-byte header"));

    // A snapshot of another log: same length, other records.
    let other_dir = tempfile::tempdir().unwrap();
    let mut other = Log::init(other_dir.path().join("db")).unwrap();
    other.append(&entities[1..5], at(1)).unwrap();
    other.save_snapshot("test", 1, 4, &state).unwrap();
    log.put_snapshot_bytes("test", &other.snapshot_bytes("test").unwrap().unwrap()).unwrap();
    assert!(stale_reason(&log, 1).contains("taken from another log: record 4"));
    // A snapshot of a longer log.
    other.append(&entities, at(2)).unwrap();
    other.save_snapshot("test", 1, other.len(), &state).unwrap();
    let shorter_dir = tempfile::tempdir().unwrap();
    let mut shorter = Log::init(shorter_dir.path().join("db")).unwrap();
    shorter.append(first, at(1)).unwrap();
    shorter.put_snapshot_bytes("test", &other.snapshot_bytes("test").unwrap().unwrap()).unwrap();
    assert!(stale_reason(&shorter, 1).contains("but the log has only 4"));
    assert!(matches!(
        shorter.load_snapshot::<Vec<String>>("test", 1).unwrap(),
        annals_log::Snapshot::Stale(annals_log::StaleReason::Ahead { len: 4, .. })
    ));
}

#[test]
fn a_snapshot_is_stored_in_small_pieces_and_each_is_needed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut log = Log::init(&path).unwrap();
    log.append(&annals_testkit::entities(), at(1)).unwrap();
    let last = log.len();
    let fresh = |log: &Log| match log.load_snapshot::<Vec<String>>("test", 1).unwrap() {
        annals_log::Snapshot::Fresh { state, .. } => state,
        other => panic!("expected a fresh snapshot, got {other:?}"),
    };
    // Five pieces and a bit.
    let big: Vec<String> =
        (0..5).map(|i| format!("{i}").repeat(annals_log::copies::PIECE_BYTES)).collect();
    let small = vec!["one piece".to_string()];
    log.save_snapshot("test", 1, last, &big).unwrap();
    assert_eq!(fresh(&log), big);
    // A smaller snapshot replaces every piece of the bigger one.
    log.save_snapshot("test", 1, last, &small).unwrap();
    assert_eq!(fresh(&log), small);
    log.save_snapshot("test", 1, last, &big).unwrap();
    log.remove_snapshot_piece("test", 2).unwrap();
    assert_eq!(damage(&log), "snapshot `test`: piece 2 is missing");
    log.save_snapshot("test", 1, last, &big).unwrap();
    log.remove_snapshot_piece("test", 5).unwrap();
    assert!(damage(&log).contains("checksum mismatch"), "{}", damage(&log));

    // A snapshot stored whole, as builds before pieces did, is still read;
    // the next save replaces it with pieces.
    log.save_snapshot("test", 1, last, &small).unwrap();
    let whole = log.snapshot_bytes("test").unwrap().unwrap();
    drop(log);
    {
        let snapshots = sled_db(&path).open_tree("snapshots").unwrap();
        snapshots.clear().unwrap();
        snapshots.insert("test", whole).unwrap();
        snapshots.flush().unwrap();
    }
    let log = Log::open(&path).unwrap();
    assert_eq!(fresh(&log), small);
    log.save_snapshot("test", 1, last, &big).unwrap();
    drop(log);
    let snapshots = sled_db(&path).open_tree("snapshots").unwrap();
    let keys: Vec<Vec<u8>> = snapshots.iter().keys().map(|k| k.unwrap().to_vec()).collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert!(keys.iter().all(|k| k.starts_with(b"test\0") && k.len() == 9), "{keys:?}");
    assert!(snapshots.iter().values().all(|v| v.unwrap().len() <= annals_log::copies::PIECE_BYTES));
}

#[test]
fn a_log_that_lost_acknowledged_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let head = path.join(annals_log::HEAD_FILE);
    let entities = annals_testkit::entities();
    {
        let mut log = Log::init(&path).unwrap();
        log.append(&entities, at(1)).unwrap();
    }
    let written = std::fs::read_to_string(&head).unwrap();
    assert!(written.starts_with(&format!("annals-head 2\n{} ", entities.len())), "{written}");
    assert_eq!(Log::open(&path).unwrap().len(), entities.len() as u64);
    // A head ahead of the log: records were lost.
    std::fs::write(&head, "annals-head 1\n99 00000000\n").unwrap();
    let err = Log::open(&path).unwrap_err();
    let fewer = annals_log::Found::Fewer(entities.len() as u64);
    assert!(matches!(err, Error::Lost { expected: 99, ref found, .. } if *found == fewer), "{err}");
    assert!(err.to_string().contains("but now it holds 11"), "{err}");
    // The same length, another last record.
    std::fs::write(&head, format!("annals-head 1\n{} 12345678\n", entities.len())).unwrap();
    let err = Log::open(&path).unwrap_err().to_string();
    assert!(err.contains(&format!("record {} is another record", entities.len())), "{err}");
    // A damaged head file is named; without one, the log opens unchecked.
    std::fs::write(&head, "garbage").unwrap();
    assert!(matches!(
        Log::open(&path).unwrap_err(),
        Error::BadHead(_, annals_log::HeadProblem::NotAHeadFile)
    ));
    std::fs::remove_file(&head).unwrap();
    assert_eq!(Log::open(&path).unwrap().len(), entities.len() as u64);
}

/// How a staged import ends in [`a_staged_import_is_all_or_nothing`].
#[derive(Clone, Copy, Debug)]
enum End {
    Commit,
    /// Dropped without a commit (an error on the way).
    Drop,
    /// The process stops mid-import: nothing undoes the staging, sled keeps
    /// what reached it, and the next `open` finds it.
    Crash,
    /// The disk fails the flush after the commit mark: the mark may reach
    /// it all the same (here it does, when the log is closed), so the
    /// records must stay.
    Unconfirmed,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Events pushed into an import become part of the log all at once at
    /// its commit, with the sequence numbers and content an `append` gives;
    /// an import dropped, or cut off by a crash, leaves the log exactly as it
    /// was (the next `open` removes what a crash staged), and the same
    /// events can then be appended.
    #[test]
    fn a_staged_import_is_all_or_nothing(
        log in annals_testkit::control_log(),
        split in any::<prop::sample::Index>(),
        batch in 1usize..8,
        index in 1usize..12,
        end in prop_oneof![Just(End::Commit), Just(End::Drop), Just(End::Crash), Just(End::Unconfirmed)],
    ) {
        let (before, during) = log.split_at(split.index(log.len() + 1));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut store = Log::init(&path).unwrap();
        store.append(before, at(1)).unwrap();
        let mut import = store
            .begin(at(2), Some("import f.jsonl"))
            .unwrap()
            .with_batch_size(batch)
            .with_index_size(index);
        let mut new = 0;
        for event in during {
            new += u64::from(import.push(event).unwrap().is_some());
        }
        let staged = import.staged();
        prop_assert_eq!(staged, new);
        let discarded = match end {
            End::Commit => {
                let outcome = import.commit().unwrap();
                prop_assert_eq!(outcome.appended, new);
                prop_assert_eq!(outcome.unchanged, during.len() as u64 - new);
                0
            }
            End::Drop => {
                drop(import);
                0
            }
            End::Unconfirmed => {
                match import.commit_failing_after_mark() {
                    Err(Error::Unconfirmed(_)) => prop_assert!(new > 0),
                    Err(e) => panic!("{e}"),
                    // Nothing new: no mark to write.
                    Ok(outcome) => prop_assert_eq!(outcome.appended, 0),
                }
                0
            }
            End::Crash => {
                std::mem::forget(import);
                store.flush().unwrap();
                // Records reach sled in whole batches, and a write of the
                // id index's chunks (of the events after the first
                // `index / 2`, which have `i` keys) writes the partial batch
                // before it; what came after the last of either did not.
                let (mut in_batch, mut in_index, mut reached) = (0, 0, 0);
                for k in 1..=staged {
                    in_batch += 1;
                    if k > index as u64 / 2 {
                        in_index += 1;
                    }
                    if in_batch == batch {
                        (in_batch, reached) = (0, k);
                    }
                    if in_index == index {
                        (in_batch, in_index, reached) = (0, 0, k);
                    }
                }
                reached
            }
        };
        drop(store);
        let mut store = Log::open(&path).unwrap();
        prop_assert_eq!(store.discarded(), discarded);
        let kept: Vec<Event> = store.iter().map(|r| r.unwrap().event).collect();
        let mut expected = before.to_vec();
        let mut ids: std::collections::HashSet<_> = before.iter().map(|e| e.id.clone()).collect();
        let fresh: Vec<Event> = during.iter().filter(|e| ids.insert(e.id.clone())).cloned().collect();
        if matches!(end, End::Commit | End::Unconfirmed) {
            expected.extend(fresh.iter().cloned());
        } else {
            for event in &fresh {
                prop_assert_eq!(store.lookup(event.id.as_str()).unwrap(), None);
            }
        }
        prop_assert_eq!(&kept, &expected);
        prop_assert!(store.verify().unwrap().problems.is_empty(), "{:?}", store.verify());
        // Whatever happened, appending the same events now gives the log an
        // append of both parts would have.
        store.append(during, at(3)).unwrap();
        let all: Vec<Event> = store.iter().map(|r| r.unwrap().event).collect();
        prop_assert_eq!(all, [before, &fresh[..]].concat());
        prop_assert!(store.verify().unwrap().problems.is_empty());
    }
}

#[test]
fn a_push_that_conflicts_names_the_id_and_the_import_then_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut store = Log::init(&path).unwrap();
    let entities = annals_testkit::entities();
    store.append(&entities[..1], at(1)).unwrap();
    let mut changed = entities[0].clone();
    changed.note = Some("changed".into());
    let mut import = store.begin(at(2), None).unwrap().with_batch_size(2);
    for (seq, event) in (2..).zip(&entities[1..6]) {
        assert_eq!(import.push(event).unwrap(), Some(seq));
    }
    // Staged earlier (in sled, and still in the unapplied batch), same content: skipped.
    assert_eq!(import.push(&entities[1]).unwrap(), None);
    assert_eq!(import.push(&entities[5]).unwrap(), None);
    let err = import.push(&changed).unwrap_err();
    assert!(matches!(err, Error::Conflict { seq: 1, .. }), "{err}");
    let mut other = entities[2].clone();
    other.note = Some("other".into());
    let err = import.push(&other).unwrap_err();
    assert!(matches!(err, Error::DuplicateInAppend(ref id) if id == entities[2].id.as_str()));
    drop(import);
    assert_eq!(store.len(), 1);
    assert_eq!(store.lookup(entities[1].id.as_str()).unwrap(), None);
    drop(store);
    assert_eq!(Log::open(&path).unwrap().discarded(), 0, "the drop removed what it staged");
}

#[test]
fn push_new_stages_without_a_lookup_and_verify_reports_an_id_it_indexed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut store = Log::init(&path).unwrap();
    let entities = annals_testkit::entities();
    store.append(&entities[..1], at(1)).unwrap();
    let mut import = store.begin(at(2), None).unwrap().with_batch_size(3);
    for (seq, event) in (2..).zip(&entities[1..5]) {
        assert_eq!(import.push_new(event).unwrap(), Some(seq));
    }
    // An id of the sled batch being built is still noticed, as by `push`.
    assert_eq!(import.push_new(&entities[4]).unwrap(), None);
    let mut other = entities[4].clone();
    other.note = Some("other".into());
    let err = import.push_new(&other).unwrap_err();
    assert!(matches!(err, Error::DuplicateInAppend(ref id) if id == entities[4].id.as_str()));
    drop(import);
    assert_eq!(store.len(), 1, "the failed import stored nothing");

    let mut import = store.begin(at(2), None).unwrap().with_batch_size(3);
    for event in &entities[1..5] {
        import.push_new(event).unwrap();
    }
    import.commit().unwrap();
    let stored: Vec<Event> = store.iter().map(|r| r.unwrap().event).collect();
    assert_eq!(stored, entities[..5]);
    assert!(store.verify().unwrap().problems.is_empty());

    // Pushed as new although stored (not what the caller may do): the id
    // ends up indexed twice, and `verify` says so. With an `i` key (as an
    // import's first events get), the second entry replaces the first.
    let mut import = store.begin(at(3), None).unwrap();
    assert_eq!(import.push_new(&entities[1]).unwrap(), Some(6));
    import.commit().unwrap();
    let problems = words(&store.verify().unwrap().problems);
    let id = entities[1].id.as_str();
    let expected = [
        format!("record 2: id `{id}` is indexed at record 6"),
        "6 records but 5 indexed ids".into(),
    ];
    assert_eq!(problems, expected);
    // In a chunk, both entries stay; a lookup finds the first.
    let dir2 = tempfile::tempdir().unwrap();
    let mut store2 = Log::init(dir2.path().join("db")).unwrap();
    let mut import = store2.begin(at(1), None).unwrap().with_index_size(1);
    for event in &entities[..5] {
        import.push_new(event).unwrap();
    }
    import.commit().unwrap();
    let mut import = store2.begin(at(3), None).unwrap().with_index_size(1);
    assert_eq!(import.push_new(&entities[1]).unwrap(), Some(6));
    import.commit().unwrap();
    assert_eq!(
        words(&store2.verify().unwrap().problems),
        [format!("id `{id}` is held by records 2, 6")]
    );
    assert_eq!(store2.lookup(id).unwrap(), Some(2));
}

/// The log's sled database, opened directly to tamper with it. sled
/// releases its lock from a background thread after a log is dropped, so
/// the lock may still be held for a moment: retry, as `Log::open` does.
fn sled_db(path: &std::path::Path) -> sled::Db {
    for _ in 0..100 {
        match sled::open(path) {
            Ok(db) => return db,
            Err(sled::Error::Io(e)) if e.to_string().contains("lock") => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    panic!("{} stays locked", path.display())
}

/// A log written before the commit mark (format `annals-log/1`) opens with
/// everything it holds committed, and gets the mark at its first append.
#[test]
fn a_log_without_a_commit_mark_opens_and_gets_one_when_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let entities = annals_testkit::entities();
    Log::init(&path).unwrap().append(&entities[..4], at(1)).unwrap();
    let format = |db: &sled::Db| db.get("format").unwrap().unwrap().to_vec();
    {
        let db = sled_db(&path);
        assert_eq!(format(&db), b"annals-log/5");
        let tree = db.open_tree("log").unwrap();
        assert_eq!(tree.remove("c").unwrap().unwrap().as_ref(), 4u64.to_be_bytes());
        db.insert("format", "annals-log/1").unwrap();
        db.flush().unwrap();
    }
    let mut store = Log::open(&path).unwrap();
    assert_eq!(store.len(), 4);
    store.append(&entities[4..], at(2)).unwrap();
    drop(store);
    let store = Log::open(&path).unwrap();
    assert_eq!(store.len(), entities.len() as u64);
    assert!(store.verify().unwrap().problems.is_empty());
    drop(store);
    let db = sled_db(&path);
    assert_eq!(format(&db), b"annals-log/5");
    let mark = db.open_tree("log").unwrap().get("c").unwrap().unwrap();
    assert_eq!(mark.as_ref(), (entities.len() as u64).to_be_bytes());
    // A format this build does not know is refused by name.
    db.insert("format", "annals-log/6").unwrap();
    db.flush().unwrap();
    drop(db);
    let err = Log::open(&path).unwrap_err().to_string();
    assert!(err.contains("\"annals-log/6\", which this build of annals cannot read"), "{err}");
}

/// A new log (closed) that holds `events`, pushed into one import that
/// `configure` sets up: the directory that keeps it, and its path.
fn imported(
    events: &[Event],
    configure: impl FnOnce(annals_log::Import<'_>) -> annals_log::Import<'_>,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut store = Log::init(&path).unwrap();
    let mut import = configure(store.begin(at(1), None).unwrap());
    for event in events {
        import.push(event).unwrap();
    }
    import.commit().unwrap();
    (dir, path)
}

/// `n` sources, `s-0` … `s-{n-1}`.
fn sources(n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let line = format!(r#"{{"type":"source","id":"s-{i}","title":"Report {i}"}}"#);
            annals_model::v1::parse_line(&line).unwrap().event
        })
        .collect()
}

/// The removal of what a killed import staged is itself cut off after every
/// possible number of writes (as a second crash would), with one staged
/// record damaged so that it cannot name its id, and an id entry of format
/// 4 (an `i` key, as a killed import of a build before format 5 left) for
/// another: whatever was written, the next open finishes the removal,
/// leaves no id pointing past the log, and the same events can be imported
/// again.
#[test]
fn removing_what_a_killed_import_staged_survives_being_cut_off() {
    let committed = sources(10);
    // Two whole sled batches of 100 reach sled (records 11..=210), each in
    // blocks of `BLOCK_RECORDS`; the first 40 get `i` keys, the other 160
    // entries in chunks of the id index (written every 80 events).
    let staged = sources(210)[10..].to_vec();
    let blocks = 2 * annals_log::STAGE_BATCH.div_ceil(annals_log::BLOCK_RECORDS) as u64;
    // Removed: the staged chunks in one write, then the blocks top down a
    // block at a time down to the damaged record's block, then every `i`
    // entry past the mark, then that block and those below.
    let writes = 1 + blocks + 1;
    for stop in 0..=writes {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let mut store = Log::init(&path).unwrap();
        store.append(&committed, at(1)).unwrap();
        let mut import = store.begin(at(2), Some("import f.jsonl")).unwrap().with_index_size(80);
        for event in &staged {
            import.push(event).unwrap();
        }
        std::mem::forget(import);
        store.flush().unwrap();
        drop(store);
        {
            let db = sled_db(&path);
            let tree = db.open_tree("log").unwrap();
            let mut key = vec![b'b'];
            key.extend_from_slice(&100u64.to_be_bytes());
            let (key, block) = tree.range(..=key).next_back().unwrap().unwrap();
            let first = u64::from_be_bytes(key[1..].try_into().unwrap());
            let mut block = block.to_vec();
            let at = annals_log::codec::split_block(&block).unwrap().ranges[(100 - first) as usize]
                .start;
            block[at + 8] ^= 0x40;
            tree.insert(&key, block).unwrap();
            assert!(tree.scan_prefix(b"h").count() > 0, "chunks of the index were staged");
            let mut legacy = b"i".to_vec();
            legacy.extend_from_slice(staged[0].id.as_str().as_bytes());
            tree.insert(legacy, &11u64.to_be_bytes()).unwrap();
            db.flush().unwrap();
        }
        let cut = Log::open_stopping_discard_after(&path, stop).unwrap();
        cut.flush().unwrap();
        let removed_first = cut.discarded();
        drop(cut);

        let mut store = Log::open(&path).unwrap();
        assert_eq!(removed_first + store.discarded(), 200, "cut after {stop} writes");
        let report = store.verify().unwrap();
        assert!(report.problems.is_empty(), "cut after {stop} writes: {report:?}");
        assert_eq!((report.records, report.ids), (10, 10));
        for event in &staged {
            assert_eq!(store.lookup(event.id.as_str()).unwrap(), None, "{}", event.id);
        }
        let again = store.append(&staged, at(3)).unwrap();
        assert_eq!(again.appended, 200);
        assert!(store.verify().unwrap().problems.is_empty());
        assert_eq!(store.get(100).unwrap().unwrap().event, staged[89]);
    }
}

/// `iter_ahead` reads on a second thread what `iter_from` reads, in the
/// same order with the same errors: across its batches (a log of exactly
/// two batches, and one with a damaged block and a partial last batch),
/// from any first record; a consumer that stops early stops the thread.
#[test]
fn iter_ahead_yields_what_iter_from_yields() {
    use annals_log::AHEAD_RECORDS;
    let seqs = |records: &mut dyn Iterator<Item = Result<Recorded, annals_log::Error>>| {
        records.map(|r| r.map(|r| r.seq).map_err(|e| e.to_string())).collect::<Vec<_>>()
    };
    for n in [2 * AHEAD_RECORDS, 2 * AHEAD_RECORDS + 500] {
        let events = sources(n);
        let (_dir, path) = imported(&events, |import| import);
        if n % AHEAD_RECORDS != 0 {
            // The block that holds the last record of the first batch.
            damage_block_holding(&path, AHEAD_RECORDS as u64);
        }
        let store = Log::open(&path).unwrap();
        for first in [0, 1, 17, AHEAD_RECORDS as u64 + 3, n as u64, n as u64 + 1] {
            let expected = seqs(&mut store.iter_from(first));
            let ahead = store.iter_ahead(first, seqs);
            assert_eq!(ahead, expected, "{n} records from {first}");
        }
        let all = store.iter_ahead(1, seqs);
        assert_eq!(all.iter().filter(|r| r.is_err()).count(), usize::from(n % AHEAD_RECORDS != 0));
        assert_eq!(
            all.iter().filter(|r| r.is_ok()).count(),
            n - 16 * usize::from(n % AHEAD_RECORDS != 0)
        );
        let first_three = store.iter_ahead(1, |records| seqs(&mut records.take(3)));
        assert_eq!(first_three, [Ok(1), Ok(2), Ok(3)]);
    }
}

/// `get_many` gives the records that exist, in the order asked, each as `get`
/// gives it (it decodes them with one shared decoder).
#[test]
fn get_many_fetches_the_records_asked_for_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut store = Log::init(&path).unwrap();
    let entities = annals_testkit::entities();
    store.append_from(&entities, at(1), Some("import a.jsonl")).unwrap();
    let n = store.len();
    assert!(n >= 3);
    let asked = [3, 1, n + 5, 0, 2, 3];
    let got = store.get_many(&asked).unwrap();
    let seqs: Vec<u64> = got.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [3, 1, 2, 3], "missing sequence numbers are left out");
    for rec in &got {
        assert_eq!(Some(rec), store.get(rec.seq).unwrap().as_ref());
    }
}

/// The id index is checked as a whole by `verify`: a chunk that lookups
/// cannot reach (its bucket lacks the chunk numbered before it), a chunk
/// lost, or one cut short is reported, and a lookup through a damaged chunk
/// is an error, not a silent "not stored".
#[test]
fn verify_reports_a_chunk_of_the_id_index_that_is_lost_unreachable_or_damaged() {
    let events = sources(20);
    let (_dir, path) = imported(&events, |import| import.with_index_size(1));
    let id = events[7].id.as_str();
    let bucket = annals_log::index::bucket(annals_log::index::id_hash(id));
    let key = annals_log::index::chunk_key(bucket, 0);
    let tamper = |change: &dyn Fn(&sled::Tree)| {
        let db = sled_db(&path);
        change(&db.open_tree("log").unwrap());
        db.flush().unwrap();
    };
    let chunk = sled_db(&path).open_tree("log").unwrap().get(key).unwrap().unwrap();

    // Moved to number 1: lookups stop at the missing number 0.
    tamper(&|tree| {
        tree.remove(key).unwrap();
        tree.insert(annals_log::index::chunk_key(bucket, 1), chunk.clone()).unwrap();
    });
    let store = Log::open(&path).unwrap();
    assert_eq!(store.lookup(id).unwrap(), None);
    let problems = words(&store.verify().unwrap().problems);
    assert_eq!(
        problems,
        [format!(
            "the id index's bucket {bucket} lacks chunks before number 1: lookups miss the ids they hold"
        )]
    );
    drop(store);

    // Lost: its ids are missing.
    tamper(&|tree| {
        tree.remove(annals_log::index::chunk_key(bucket, 1)).unwrap();
    });
    let store = Log::open(&path).unwrap();
    let problems = words(&store.verify().unwrap().problems);
    assert!(problems.contains(&format!("record 8: id `{id}` is missing from the id index")));
    assert_eq!(problems.last().unwrap(), "20 records but 19 indexed ids");
    drop(store);

    // Cut short: named, and lookups through it fail.
    tamper(&|tree| {
        tree.insert(key, &chunk[..chunk.len() - 1]).unwrap();
    });
    let store = Log::open(&path).unwrap();
    assert!(matches!(store.lookup(id), Err(Error::BadChunk(ref k)) if k[..] == key[..]));
    let problems = words(&store.verify().unwrap().problems);
    assert!(problems.iter().any(|p| p.starts_with("the id index chunk under key")), "{problems:?}");
    drop(store);

    // Put back, the log is sound again.
    tamper(&|tree| {
        tree.insert(key, chunk.clone()).unwrap();
    });
    let store = Log::open(&path).unwrap();
    assert_eq!(store.lookup(id).unwrap(), Some(8));
    assert!(store.verify().unwrap().problems.is_empty());
}

/// A source whose id is `s-{i}`.
fn source(i: u64) -> Event {
    let line = format!(r#"{{"type":"source","id":"s-{i}","title":"Report {i}"}}"#);
    annals_model::v1::parse_line(&line).unwrap().event
}

/// How many chunks the id index holds for `bucket`, read from sled.
fn chunks_of(path: &std::path::Path, bucket: u16) -> usize {
    let prefix = annals_log::index::bucket_prefix(bucket);
    sled_db(path).open_tree("log").unwrap().scan_prefix(prefix).count()
}

/// Ids that share a bucket (found by hashing `s-0`, `s-1`, …) fill it:
/// however many imports write to it, it holds at most `MERGE_AT` chunks,
/// as writes to a full bucket merge its chunks into one. A merge in an
/// import that is then killed keeps the committed entries and loses only
/// the staged ones, and every id stays found.
#[test]
fn a_bucket_holds_at_most_merge_at_chunks_and_a_killed_merge_keeps_what_was_committed() {
    use annals_log::index::{bucket, id_hash, MERGE_AT};
    let target = bucket(id_hash("s-0"));
    let events: Vec<Event> = (0..)
        .filter(|i| bucket(id_hash(&format!("s-{i}"))) == target)
        .take(16)
        .map(source)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(Log::init(&path).unwrap());
    // One import per event, indexed in chunks (not with an `i` key, as an
    // import's first events are): the bucket fills, then merges.
    let mut most = 0;
    for (n, event) in events[..10].iter().enumerate() {
        let mut store = Log::open(&path).unwrap();
        let mut import = store.begin(at(1), None).unwrap().with_index_size(1);
        import.push(event).unwrap();
        import.commit().unwrap();
        for (seq, earlier) in (1..).zip(&events[..=n]) {
            assert_eq!(store.lookup(earlier.id.as_str()).unwrap(), Some(seq));
        }
        drop(store);
        let chunks = chunks_of(&path, target);
        assert!(chunks <= MERGE_AT as usize, "after {} imports: {chunks} chunks", n + 1);
        most = most.max(chunks);
    }
    assert_eq!(most, MERGE_AT as usize, "the bucket filled up");
    // An import that writes the index after every event (merging on the
    // way), killed before its commit.
    let mut store = Log::open(&path).unwrap();
    let mut import = store.begin(at(2), None).unwrap().with_index_size(1);
    for event in &events[10..] {
        import.push(event).unwrap();
    }
    std::mem::forget(import);
    store.flush().unwrap();
    drop(store);
    assert!(chunks_of(&path, target) <= MERGE_AT as usize);
    let mut store = Log::open(&path).unwrap();
    assert_eq!(store.discarded(), 6);
    assert_eq!(
        store.verify().unwrap(),
        annals_log::Integrity { records: 10, ids: 10, copies: 0, copies_left: 0, problems: vec![] }
    );
    for (seq, event) in (1..).zip(&events) {
        let expected = (seq <= 10).then_some(seq);
        assert_eq!(store.lookup(event.id.as_str()).unwrap(), expected, "{}", event.id);
    }
    // The same import, to its end.
    let mut import = store.begin(at(3), None).unwrap().with_index_size(1);
    for event in &events[10..] {
        import.push(event).unwrap();
    }
    import.commit().unwrap();
    assert_eq!(
        store.verify().unwrap(),
        annals_log::Integrity { records: 16, ids: 16, copies: 0, copies_left: 0, problems: vec![] }
    );
    for (seq, event) in (1..).zip(&events) {
        assert_eq!(store.lookup(event.id.as_str()).unwrap(), Some(seq), "{}", event.id);
    }
    drop(store);
    assert!(chunks_of(&path, target) <= MERGE_AT as usize);
}

/// A hash names candidates, never an answer: an entry of the id index
/// whose hash is an id's but whose record holds another id (as two ids
/// with one hash would give) does not make that id stored.
#[test]
fn an_index_entry_whose_record_holds_another_id_is_not_an_answer() {
    use annals_log::index::{bucket, chunk_key, encode_chunk, id_hash};
    let events = sources(20);
    let (_dir, path) = imported(&events, |import| import.with_index_size(1));
    let stranger = source(1_000_000);
    let hash = id_hash(stranger.id.as_str());
    {
        let db = sled_db(&path);
        let tree = db.open_tree("log").unwrap();
        let n = tree.scan_prefix(annals_log::index::bucket_prefix(bucket(hash))).count();
        tree.insert(chunk_key(bucket(hash), n as u32), encode_chunk(&[(hash, 8)])).unwrap();
        db.flush().unwrap();
    }
    let mut store = Log::open(&path).unwrap();
    let id = stranger.id.as_str();
    assert_eq!(store.lookup(id).unwrap(), None, "record 8 holds `s-7`");
    assert_eq!(store.check(&stranger).unwrap(), annals_log::Check::New);
    assert_eq!(store.append(std::slice::from_ref(&stranger), at(2)).unwrap().seqs, Some((21, 21)));
    assert_eq!(store.lookup(id).unwrap(), Some(21));
    assert_eq!(store.lookup(events[7].id.as_str()).unwrap(), Some(8));
    assert_eq!(words(&store.verify().unwrap().problems), ["21 records but 22 indexed ids"]);
}

/// Copies of records read back as the records themselves: whether asked all
/// at once, after tails too small to copy, after tails that fill the last
/// piece and more pieces, and from a log of more than one import (records
/// of blocks with other times and origins). `get_many_with` gives what
/// `get_many` gives, taking what it can from the copies.
#[test]
fn copies_read_back_as_the_records_they_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Log::init(dir.path().join("db")).unwrap();
    let events = sources(3000);
    store.append_from(&events[..1000], at(1), Some("import a.jsonl")).unwrap();
    store.append_from(&events[1000..2000], at(2), None).unwrap();
    let chosen: Vec<u64> = (1..=2000).filter(|seq| seq % 3 != 0).collect();
    assert_eq!(store.copy_records("pl-1", &chosen, 5000).unwrap(), 0, "too few to copy");
    assert!(store.copies("pl-1").unwrap().is_empty());
    assert_eq!(store.copy_records("pl-1", &chosen[..1000], 10).unwrap(), 1000);
    assert_eq!(store.copy_records("pl-1", &chosen, 400).unwrap(), 0, "333 are not enough");
    assert_eq!(store.copy_records("pl-1", &chosen, 10).unwrap(), chosen.len() - 1000);
    store.append_from(&events[2000..], at(3), Some("import b.jsonl")).unwrap();
    let more: Vec<u64> = chosen.iter().copied().chain([2001, 2500, 3000, 3001]).collect();
    assert_eq!(store.copy_records("pl-1", &more, 1).unwrap(), 3, "3001 is not in the log");
    let copies = store.copies("pl-1").unwrap();
    let copied: Vec<u64> = copies.iter().map(|r| r.seq).collect();
    assert_eq!(copied, more[..more.len() - 1]);
    assert_eq!(copies, store.get_many(&copied).unwrap());
    assert!(store.copies("pl-2").unwrap().is_empty());
    let report = store.verify().unwrap();
    assert_eq!((report.copies, report.problems), (copied.len() as u64, vec![]));

    let mut fetch = store.get_many_with(copies);
    let asked = [1, 2, 3, 5, 2500, 2999];
    assert_eq!(fetch(&asked).unwrap(), store.get_many(&asked).unwrap());
    let again = [2, 3, 4, 3000];
    assert_eq!(fetch(&again).unwrap(), store.get_many(&again).unwrap());
}

/// A copy that did not finish (a crash) leaves pieces that its group's
/// meta value does not count, beyond the group's pieces or of a group with
/// no meta value yet: readers and `verify` ignore them (verify counts
/// them), and the next copy of the group replaces or removes them.
#[test]
fn pieces_left_by_an_unfinished_copy_are_ignored_and_then_replaced() {
    let events = sources(600);
    let (_dir, path) = imported(&events, |import| import);
    let seqs: Vec<u64> = (1..=600).collect();
    let (first, rest) = seqs.split_at(300);
    let store = Log::open(&path).unwrap();
    store.copy_records("pl-1", first, 1).unwrap();
    let count = store.copies("pl-1").unwrap().len();
    let pieces_of = |store: &Log| store.verify().unwrap();
    drop(store);
    {
        let db = sled_db(&path);
        let tree = db.open_tree("copies").unwrap();
        let mut keys: Vec<_> = tree.scan_prefix(b"pl-1\x00").keys().map(|k| k.unwrap()).collect();
        let (live, last) = (keys.len() as u32, keys.pop().unwrap());
        let junk = tree.get(&last).unwrap().unwrap();
        // Beyond the count, and of a group not yet counted at all.
        for n in [live, live + 1, live + 7] {
            tree.insert([&b"pl-1\x00"[..], &n.to_be_bytes()].concat(), junk.clone()).unwrap();
        }
        tree.insert([&b"pl-0\x00"[..], &0u32.to_be_bytes()].concat(), junk.clone()).unwrap();
        tree.insert([&b"pl-2\x00"[..], &0u32.to_be_bytes()].concat(), junk).unwrap();
        db.flush().unwrap();
    }
    let store = Log::open(&path).unwrap();
    assert_eq!(store.copies("pl-1").unwrap(), store.get_many(first).unwrap());
    let report = pieces_of(&store);
    assert_eq!(report.problems, []);
    assert_eq!((report.copies, report.copies_left), (count as u64, 5));
    // The next copy of `pl-1` writes over or removes its leftovers.
    assert_eq!(store.copy_records("pl-1", &seqs, 1).unwrap(), rest.len());
    assert_eq!(store.copies("pl-1").unwrap(), store.get_many(&seqs).unwrap());
    let report = pieces_of(&store);
    assert_eq!(report.problems, []);
    assert_eq!((report.copies, report.copies_left), (600, 2));
    store.remove_copies("pl-0").unwrap();
    store.remove_copies("pl-2").unwrap();
    assert_eq!(pieces_of(&store).copies_left, 0);
}

/// Copies are checked: `verify` names a damaged piece, a lost one, a copy
/// whose bytes are not its record's, and a damaged meta value; reading
/// damaged copies is an error, not other records; and copying again
/// rebuilds a group whose meta value is damaged.
#[test]
fn damaged_copies_are_reported_and_a_damaged_group_is_rebuilt() {
    let events = sources(600);
    let (_dir, path) = imported(&events, |import| import);
    let seqs: Vec<u64> = (1..=600).collect();
    let meta = b"pl-1\x01".to_vec();
    let piece = |n: u32| {
        let mut k = b"pl-1\x00".to_vec();
        k.extend_from_slice(&n.to_be_bytes());
        k
    };
    let damaged = |edit: &dyn Fn(&sled::Tree)| {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("db");
        copy_dir(&path, &copy);
        Log::open(&copy).unwrap().copy_records("pl-1", &seqs, 1).unwrap();
        {
            let db = sled_db(&copy);
            edit(&db.open_tree("copies").unwrap());
            db.flush().unwrap();
        }
        let store = Log::open(&copy).unwrap();
        let read = store.copies("pl-1").map(|r| r.len()).map_err(|e| e.to_string());
        let problems = words(&store.verify().unwrap().problems);
        (dir, read, problems)
    };
    let flip = |tree: &sled::Tree| {
        let mut v = tree.get(piece(1)).unwrap().unwrap().to_vec();
        let at = v.len() - 3;
        v[at] ^= 1;
        tree.insert(piece(1), v).unwrap();
    };
    let (d, read, problems) = damaged(&flip);
    assert!(read.unwrap_err().contains("the copies of the records of `pl-1` are damaged"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("copies of `pl-1`: piece 1 is damaged: checksum mismatch"));
    // Removed, they are gone, and copied again.
    let store = Log::open(d.path().join("db")).unwrap();
    store.remove_copies("pl-1").unwrap();
    assert!(store.copies("pl-1").unwrap().is_empty());
    assert_eq!(words(&store.verify().unwrap().problems), Vec::<String>::new());
    assert_eq!(store.copy_records("pl-1", &seqs, 1).unwrap(), 600);
    assert_eq!(store.verify().unwrap().copies, 600);
    drop(store);

    let (_d, read, problems) = damaged(&|tree| {
        tree.remove(piece(1)).unwrap();
    });
    assert!(read.unwrap_err().contains("piece 1 is missing"));
    assert!(
        problems[0].starts_with("copies of `pl-1`: piece 1 is missing, of the"),
        "{problems:?}"
    );

    // A damaged last piece, which the next copy would extend: the group
    // is copied again from all the records asked.
    let (d, _, problems) = damaged(&|tree| {
        let last = tree.scan_prefix(b"pl-1\x00").keys().next_back().unwrap().unwrap();
        tree.insert(last, &b"junk"[..]).unwrap();
    });
    assert_eq!(problems.len(), 1, "{problems:?}");
    let mut more = (1..=600).collect::<Vec<u64>>();
    let mut store = Log::open(d.path().join("db")).unwrap();
    store.append_from(&sources(601)[600..], at(2), None).unwrap();
    more.push(601);
    assert_eq!(store.copy_records("pl-1", &more, 1).unwrap(), 601);
    assert_eq!(store.copies("pl-1").unwrap(), store.get_many(&more).unwrap());
    assert_eq!(words(&store.verify().unwrap().problems), Vec::<String>::new());
    drop(store);

    // A piece of other records under a right checksum: only `verify`,
    // comparing each copy with the log, can tell.
    let (_d, read, problems) = damaged(&|tree| {
        let v = tree.get(piece(0)).unwrap().unwrap().to_vec();
        let entries = annals_log::copies::split(&v).unwrap();
        let records: Vec<annals_log::copies::Record<'_>> =
            entries.iter().map(|e| (e.seq, e.shared(&v), &v[e.record.clone()])).collect();
        let swapped: Vec<_> =
            records.iter().zip(records.iter().skip(1)).map(|(a, b)| (a.0, a.1, b.2)).collect();
        let forged = annals_log::copies::encode(&swapped);
        tree.insert(piece(0), forged[0].clone()).unwrap();
    });
    assert!(read.is_ok());
    assert!(
        problems.iter().any(|p| p.contains("the copy of record 1 differs from the log")),
        "{problems:?}"
    );

    let (dir, read, problems) = damaged(&|tree| {
        tree.insert(&meta, &b"short"[..]).unwrap();
    });
    assert!(read.unwrap_err().contains("its meta value is 5 bytes, not 12"));
    assert!(problems[0].contains("its meta value is 5 bytes, not 12"), "{problems:?}");
    let store = Log::open(dir.path().join("db")).unwrap();
    assert_eq!(store.copy_records("pl-1", &seqs, 1).unwrap(), 600, "rebuilt from all");
    assert_eq!(store.copies("pl-1").unwrap(), store.get_many(&seqs).unwrap());
    assert_eq!(words(&store.verify().unwrap().problems), Vec::<String>::new());
    drop(store);

    // A reader with copies takes a copied record from them, not the log:
    // with the block of records 17..32 damaged, record 17 still reads from
    // its copy (checked by its own checksum), and `get_many` fails.
    let expected = Log::open(dir.path().join("db")).unwrap().get_many(&[17]).unwrap();
    damage_block_holding(&dir.path().join("db"), 17);
    let store = Log::open(dir.path().join("db")).unwrap();
    assert!(store.get_many(&[17]).is_err());
    let copies = store.copies("pl-1").unwrap();
    assert_eq!(store.get_many_with(copies)(&[17]).unwrap(), expected);
    assert!(words(&store.verify().unwrap().problems)
        .iter()
        .any(|p| p.contains("copy of record 17")));
}

/// sled gives some I/O errors of its threads as another error whose text is
/// the first one's debug dump: the message says the OS's words and code,
/// not the dump.
#[test]
fn a_storage_error_from_sleds_threads_reads_as_the_os_says_it() {
    let dump = r#"Os { code: 5, kind: Uncategorized, message: "Input/output error" }"#;
    let wrapped = Error::Storage(std::io::Error::other(dump).into());
    assert_eq!(wrapped.to_string(), "storage error: Input/output error (os error 5)");
    let plain = Error::Storage(std::io::Error::from_raw_os_error(5).into());
    assert_eq!(plain.to_string(), "storage error: Input/output error (os error 5)");
    let other = Error::Storage(std::io::Error::other("Os { something else").into());
    assert_eq!(other.to_string(), "storage error: Os { something else");
}

/// An `init` stopped before it wrote the log's format (sled's files, no
/// format, no record), or an empty directory: `open` says there is no log
/// and `init` completes it, instead of "already exists". A directory with
/// anything else in it is not `init`'s to take.
#[test]
fn init_completes_a_half_created_log_and_refuses_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    // An empty directory: no log, and nothing created by asking.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert!(matches!(Log::open(&empty), Err(Error::NotALog(_))));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0, "a refused open left files");
    Log::init(&empty).unwrap();
    // sled's files without the format: what a killed `init` leaves.
    let half = dir.path().join("half");
    {
        let db = sled::Config::new().path(&half).open().unwrap();
        db.open_tree("log").unwrap().insert(b"c", &0u64.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(Log::open(&half), Err(Error::NotALog(_))));
    let mut log = Log::init(&half).unwrap();
    let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let event =
        annals_model::v1::parse_line(r#"{"type":"actor","id":"a","name":"A"}"#).unwrap().event;
    assert_eq!(log.append(&[event], now).unwrap().appended, 1);
    drop(log);
    // A real log, or a directory of other files: refused.
    assert!(matches!(Log::init(&half), Err(Error::AlreadyExists(_))));
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    assert!(matches!(Log::init(&other), Err(Error::AlreadyExists(_))));
    assert_eq!(std::fs::read_to_string(other.join("notes.txt")).unwrap(), "mine");
}

/// A head file with one byte changed is damaged, not a sign of lost records:
/// the error says so, and says the records may well be intact.
#[test]
fn a_damaged_head_file_is_told_apart_from_lost_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut log = Log::init(&path).unwrap();
    let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let event =
        annals_model::v1::parse_line(r#"{"type":"actor","id":"a","name":"A"}"#).unwrap().event;
    log.append(&[event], now).unwrap();
    drop(log);
    let head = path.join(annals_log::HEAD_FILE);
    let text = std::fs::read_to_string(&head).unwrap();
    // The record count, 1, becomes 3: without the head's own checksum this
    // read as two lost records.
    std::fs::write(&head, text.replacen("\n1 ", "\n3 ", 1)).unwrap();
    let err = Log::open(&path).unwrap_err();
    assert!(matches!(err, Error::DamagedHead(_)), "{err}");
    assert!(err.to_string().contains("may well be intact"), "{err}");
    std::fs::remove_file(&head).unwrap();
    assert_eq!(Log::open(&path).unwrap().len(), 1);
}

/// The fields format v1 gained for datasets (a source's `release` and
/// `covers`, deaths on hostilities) are stored in wire variants added at the
/// end of the enum; an event without them is stored in its old variant, so
/// its bytes are what an earlier build wrote and reads. A coup conspiracy is
/// the outcome code 2.
#[test]
fn dataset_fields_get_variants_of_their_own_and_leave_old_events_as_they_were() {
    use annals_log::wire::v1::{Event as Wire, Kind};
    let kind_of = |line: &str| {
        let event = annals_model::v1::parse_line(line).unwrap().event;
        let bytes = codec::encode(&event);
        let payload = codec::check(&bytes).unwrap().to_vec();
        let (wire, _): (Wire, usize) =
            bincode::serde::borrow_decode_from_slice(&payload, bincode::config::standard())
                .unwrap();
        let decoded = codec::decode(1, &bytes, Some(shared(0, None))).unwrap().event;
        assert_eq!(decoded, event, "{line}");
        format!("{:?}", wire.kind).split([' ', '{']).next().unwrap().to_string()
    };
    let cases = [
        (r#"{"type":"source","id":"s","title":"T"}"#, "Source"),
        (r#"{"type":"source","id":"s","title":"T","release":"22.1"}"#, "SourceCovered"),
        (r#"{"type":"source","id":"s","title":"T","covers":"1946/2021"}"#, "SourceCovered"),
        (r#"{"type":"hostilities_began","actors":["a","b"],"date":"2020"}"#, "HostilitiesBegan"),
        (
            r#"{"type":"hostilities_began","actors":["a","b"],"date":"2020","fatalities":3}"#,
            "HostilitiesBeganCounted",
        ),
        (
            r#"{"type":"hostilities_ended","actors":["a","b"],"date":"2020","fatalities":3,"fatalities_low":1}"#,
            "HostilitiesEndedCounted",
        ),
    ];
    for (line, variant) in cases {
        assert_eq!(kind_of(line), variant, "{line}");
    }
    let conspiracy =
        r#"{"type":"coup","state":"s","perpetrator":"p","outcome":"conspiracy","date":"1978"}"#;
    let event = annals_model::v1::parse_line(conspiracy).unwrap().event;
    match codec::to_wire(&event).kind {
        Kind::Coup { outcome, .. } => assert_eq!(outcome, 2),
        other => panic!("{other:?}"),
    }
}

/// A record that decodes to a value the model refuses says which, typed:
/// a claim code beyond those known, an id that is not a slug.
#[test]
fn an_invalid_value_in_a_record_is_named_by_its_kind() {
    let line = r#"{"type":"actor","id":"cma","name":"CMA"}"#;
    let event = annals_model::v1::parse_line(line).unwrap().event;
    let mut interner = annals_model::Interner::default();
    let mut wire = codec::to_wire(&event);
    wire.claim = 9;
    let err = codec::from_wire(wire, &mut interner).unwrap_err();
    assert_eq!(err, annals_log::InvalidValue::Code { what: "claim", code: 9 });
    assert_eq!(err.to_string(), "claim code 9");
    let mut wire = codec::to_wire(&event);
    wire.id = "Not An Id";
    let err = codec::from_wire(wire, &mut interner).unwrap_err();
    assert!(matches!(err, annals_log::InvalidValue::Id(_)), "{err}");
}
