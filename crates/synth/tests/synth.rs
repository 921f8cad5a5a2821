//! The synthetic log is deterministic, valid, skewed and mixed, as the benchmarks need.

use std::collections::{HashMap, HashSet};

use annals_import::{read_jsonl, Catalog};
use annals_model::{v1, Claim, EventKind, Precision, Qualifier};
use annals_synth::{events, write_jsonl, Config};

fn jsonl(count: u64, seed: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let summary = write_jsonl(&mut out, count, seed).unwrap();
    assert_eq!(summary.events, count);
    assert_eq!(summary.bytes, out.len() as u64);
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = jsonl(20_000, 42);
    assert_eq!(a, jsonl(20_000, 42));
    assert_ne!(a, jsonl(20_000, 43));
    // A shorter log is a prefix of a longer one only up to the entities, since
    // the layout scales with the count; the same count is what must repeat.
    let events_a: Vec<_> = events(5_000, 9).collect();
    let events_b: Vec<_> = events(5_000, 9).collect();
    assert_eq!(events_a, events_b);
}

#[test]
fn the_importer_accepts_the_output_and_reads_the_same_events() {
    let bytes = jsonl(30_000, 1);
    let read = read_jsonl("synth.jsonl", &bytes, &Catalog::empty())
        .unwrap_or_else(|errors| panic!("rejected: {}", errors[0]));
    assert_eq!(read.len(), 30_000);
    let generated: Vec<_> = events(30_000, 1).collect();
    assert_eq!(read, generated, "to_line → parse_line must give back the generated events");
}

#[test]
fn tiny_counts_are_cut_but_still_valid() {
    for count in [0, 1, 5, 30, 200] {
        let bytes = jsonl(count, 3);
        let read = read_jsonl("tiny.jsonl", &bytes, &Catalog::empty()).unwrap();
        assert_eq!(read.len() as u64, count);
    }
}

#[test]
fn a_few_places_change_hands_often_most_rarely() {
    let count = 200_000;
    let mut per_place: HashMap<String, u64> = HashMap::new();
    for e in events(count, 5) {
        match e.kind {
            EventKind::ControlTaken { place, .. } | EventKind::ControlLost { place, .. } => {
                *per_place.entry(place.as_str().to_string()).or_default() += 1;
            }
            _ => {}
        }
    }
    let places = Config::new(count, 5).places as usize;
    assert_eq!(places, 1_000);
    let mut counts: Vec<u64> = per_place.values().copied().collect();
    counts.resize(places.max(counts.len()), 0);
    counts.sort_unstable_by(|a, b| b.cmp(a));
    let total: u64 = counts.iter().sum();
    let top: u64 = counts[..places / 100].iter().sum();
    // Zipf (1/k) over 1 000 places: the top 1% hold H(10)/H(1000) ≈ 39%.
    assert!(top * 100 > total * 30, "top 1% hold {top} of {total} control events");
    let median = counts[places / 2];
    let mean = total / places as u64;
    assert!(
        median * 3 < mean,
        "median {median}, mean {mean}: most places should change hands rarely"
    );
    assert!(counts[0] > 50 * mean, "the busiest place has {}, mean {mean}", counts[0]);
}

#[test]
fn dates_claims_and_types_are_mixed() {
    let list: Vec<_> = events(100_000, 11).collect();
    let mut precisions = HashSet::new();
    let mut qualifiers = HashSet::new();
    let mut intervals = 0;
    let mut claims = HashSet::new();
    let mut types = HashSet::new();
    let (mut first, mut last) = (9999, 0);
    for e in &list {
        types.insert(e.kind.type_name());
        if let Some(d) = e.date {
            precisions.insert(d.start().precision());
            qualifiers.insert(d.start().qualifier());
            intervals += usize::from(d.end().is_some());
            first = first.min(d.start().year());
            last = last.max(d.start().year());
        }
        claims.insert(e.claim);
        if e.claim == Claim::Claimed {
            assert!(e.claimed_by.is_some(), "{}", v1::to_line(e));
        }
    }
    assert_eq!(precisions.len(), 3, "day, month and year precision: {precisions:?}");
    assert!(precisions.contains(&Precision::Year));
    assert_eq!(qualifiers.len(), 3, "exact, `~` and `?`: {qualifiers:?}");
    assert!(qualifiers.contains(&Qualifier::Approximate));
    assert!(intervals > 100, "{intervals} intervals");
    assert_eq!(claims.len(), 4, "{claims:?}");
    assert!(first == 1997 && (2024..=2025).contains(&last), "{first}..{last}");
    // Dissolutions are rare and end whole actors, and links (`same_as`,
    // shared `identifiers`) join ids, which sends answers past the place
    // snapshot: the synthetic log, which measures replay and the snapshot
    // at scale, has none (replay's own tests cover them).
    let absent = ["actor_dissolved", "same_as", "identifiers"];
    for ty in v1::TYPES.iter().filter(|t| !absent.contains(t)) {
        assert!(types.contains(ty), "no `{ty}` in 100 000 events");
    }
}

#[test]
fn retractions_withdraw_earlier_control_events_only_and_once() {
    let list: Vec<_> = events(100_000, 2).collect();
    let mut position = HashMap::new();
    for (i, e) in list.iter().enumerate() {
        position.insert(e.id.as_str(), i);
    }
    let mut retracted = HashSet::new();
    let mut retractions = 0;
    for (i, e) in list.iter().enumerate() {
        if let EventKind::Retraction { retracts, .. } = &e.kind {
            retractions += 1;
            let target = position[retracts.as_str()];
            assert!(target < i, "a retraction must come after what it retracts");
            assert!(
                matches!(
                    list[target].kind,
                    EventKind::ControlTaken { .. } | EventKind::ControlLost { .. }
                ),
                "{} retracts a {}",
                e.id,
                list[target].kind.type_name()
            );
            assert!(retracted.insert(retracts.as_str()), "{retracts} retracted twice");
        }
    }
    // About 0.5% of the dated events.
    assert!((300..=700).contains(&retractions), "{retractions} retractions");
}
