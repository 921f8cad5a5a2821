//! Replay laws over real sled logs (the parts of the property suite that
//! need storage): a snapshot plus its tail answers like a full replay, a
//! retraction changes nothing known before it was recorded, and export →
//! import is the identity.

use annals_import::{read_jsonl, Catalog};
use annals_log::{Log, Snapshot};
use annals_model::{v1, Claim, Event, EventId, EventKind, KnownAt, Recorded, RefKind};
use annals_replay::{HistoryEntry, Holding, PlaceIndex, World};
use chrono::{DateTime, NaiveDate, Utc};
use proptest::prelude::*;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

/// Every answer the world gives on a grid of days: control of every place,
/// government of every actor, the dated graph, and the diff between grid days.
fn answers(w: &World) -> String {
    let days = grid();
    let mut out = String::new();
    for &d in &days {
        for p in annals_testkit::PLACES {
            out += &format!("{:?}\n", w.control(&w.resolve_place(p).unwrap(), d));
        }
        for a in annals_testkit::ACTORS {
            out += &format!("{:?}\n", w.government(&w.resolve_actor(a).unwrap(), d));
        }
        out += &format!("{:?}\n", w.graph_on(d).edges());
    }
    for pair in days.windows(2) {
        out += &format!("{:?}\n", w.diff(pair[0], pair[1]));
    }
    out
}

/// The record numbered `seq` among `records` (a whole log's, in order).
fn record(records: &[Recorded], seq: u64) -> &Recorded {
    let rec = &records[seq as usize - 1];
    assert_eq!(rec.seq, seq, "records are the log's, in order");
    rec
}

/// A timeline with everything `annals history` prints about it: each
/// record (read from the log's `records`, as the CLI does), its retraction,
/// and what every id it cites names.
fn history_shown(w: &World, records: &[Recorded], entries: &[HistoryEntry<'_>]) -> String {
    let mut out = String::new();
    for entry in entries {
        let rec = record(records, entry.seq);
        assert_eq!(&rec.event.id, entry.event);
        out += &format!(
            "{:?}
retracted by {:?}
",
            rec, entry.retracted_by
        );
        for r in rec.event.references() {
            out += &match r.kind {
                RefKind::Source => format!("{:?}\n", w.source(r.id)),
                RefKind::Actor => format!("{:?}\n", w.actor(r.id)),
                RefKind::Place => format!("{:?}\n", w.place(r.id)),
                RefKind::Event => format!("{:?}\n", w.seq(r.id)),
            };
        }
    }
    out
}

fn grid() -> Vec<NaiveDate> {
    (2019..=2024)
        .flat_map(|y| [1, 5, 9].map(|m| NaiveDate::from_ymd_opt(y, m, 15).unwrap()))
        .collect()
}

/// A control answer with everything `annals control` prints about it: the
/// place, and the record, actor and sources behind each candidate.
fn control_shown(w: &World, place: &annals_model::PlaceId, answer: &Holding) -> String {
    format!("{:?}\n{}", w.place(place.as_str()), holding_shown(w, answer))
}

/// An answer and everything printed with it: its events, actors and sources.
fn holding_shown(w: &World, answer: &Holding) -> String {
    let coverage = annals_app::coverage::coverage(w, answer).map(|c| (c.until, &c.source.id));
    let mut out = format!("{answer:?}\n{coverage:?}\n");
    for c in &answer.candidates {
        out += &format!("{:?}\n{:?}\n", w.seq(c.event.as_str()), w.actor(c.actor.as_str()));
        for s in &c.sources {
            out += &format!("{:?}\n", w.source(s.as_str()));
        }
    }
    out
}

fn stored(log: &Log) -> Vec<Recorded> {
    log.iter().map(|r| r.unwrap()).collect()
}

fn export(log: &Log) -> String {
    stored(log).iter().map(|r| v1::to_line(&r.event) + "\n").collect()
}

/// The answers of the place index of `log` (`control`, `history`,
/// `government` and the names they resolve) as known at `keep`, each
/// equal to those of `world`, a full replay as known then.
fn snapshot_answers_like(
    index: &PlaceIndex,
    log: &Log,
    records: &[Recorded],
    world: &World,
    keep: Option<&KnownAt>,
) -> Result<(), TestCaseError> {
    let kept = |r: &Recorded| keep.is_none_or(|c| c.includes(r));
    for p in annals_testkit::PLACES {
        let candidates = index.place_candidates(p);
        let from_index = index
            .control_world(&candidates, kept, |s| log.get_many(s), |id| log.lookup(id))
            .unwrap();
        let place = from_index.resolve_place(p).ok();
        prop_assert_eq!(&place, &world.resolve_place(p).ok(), "{} known at {:?}", p, keep);
        // Not known then: the CLI asks a full replay, which refuses the name.
        let Some(place) = place else { continue };
        prop_assert_eq!(from_index.linked_places(&place), world.linked_places(&place));
        for day in grid() {
            let (a, b) = (from_index.control(&place, day), world.control(&place, day));
            prop_assert_eq!(
                control_shown(&from_index, &place, &a),
                control_shown(world, &place, &b),
                "{} on {} known at {:?}",
                p,
                day,
                keep
            );
        }
        let history = index
            .history_world(&candidates, kept, |s| log.get_many(s), |id| log.lookup(id))
            .unwrap();
        prop_assert_eq!(history.resolve_place(p).ok(), Some(place.clone()));
        // The heading: the place and the place it lies within.
        let heading = |w: &World| {
            let p = w.place(place.as_str());
            format!(
                "{p:?} in {:?}",
                p.and_then(|p| p.within.as_ref()).map(|w2| w.place(w2.as_str()))
            )
        };
        prop_assert_eq!(heading(&history), heading(world));
        prop_assert_eq!(
            history_shown(&history, records, &history.history(&place)),
            history_shown(world, records, &world.history(&place)),
            "history of {} known at {:?}",
            p,
            keep
        );
        let named = index
            .places_world(&candidates, kept, |s| log.get_many(s), |id| log.lookup(id))
            .unwrap();
        prop_assert_eq!(named.resolve_place(p).ok(), Some(place.clone()));
        prop_assert_eq!(named.place_namesakes(&place), world.place_namesakes(&place));
    }
    // The same for `government`, for every actor as a state.
    for s in annals_testkit::ACTORS {
        let candidates = index.actor_candidates(s);
        let from_index = index
            .government_world(&candidates, kept, |q| log.get_many(q), |id| log.lookup(id))
            .unwrap();
        let state = from_index.resolve_actor(s).ok();
        prop_assert_eq!(&state, &world.resolve_actor(s).ok(), "{} known at {:?}", s, keep);
        let Some(state) = state else { continue };
        prop_assert_eq!(from_index.linked_actors(&state), world.linked_actors(&state));
        for day in grid() {
            let (a, b) = (from_index.government(&state, day), world.government(&state, day));
            prop_assert_eq!(
                holding_shown(&from_index, &a),
                holding_shown(world, &b),
                "government of {} on {} known at {:?}",
                s,
                day,
                keep
            );
        }
        prop_assert_eq!(
            history_shown(&from_index, records, &from_index.government_history(&state)),
            history_shown(world, records, &world.government_history(&state)),
            "government history of {} known at {:?}",
            s,
            keep
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// 2. A snapshot taken after any record, plus the records after it, gives
    /// the index of the whole log, and `control` answered from the index (the
    /// records one place, and every place links may join with it, rest on)
    /// equals `control` from a full replay: for every place and grid day, now
    /// and at `--known-at` around every link and retraction; and so do the name's resolution, the
    /// linked set, `government`, for every actor as a state, and `history`
    /// of every place and state. The logs hold `same_as` links and shared
    /// identifiers, some retracted. Events are appended in a shuffled
    /// order, in several imports, so snapshots fall before places exist and
    /// retractions (of links too) can precede their targets.
    #[test]
    fn a_snapshot_and_its_tail_answer_like_a_full_replay(
        events in annals_testkit::linked_log(),
        order in any::<u64>(),
        split in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let events = annals_testkit::shuffled(events, order);
        let mut log = Log::temporary().unwrap();
        for (i, chunk) in events.chunks(events.len().div_ceil(3).max(1)).enumerate() {
            log.append(chunk, at(1_000 * (i as i64 + 1))).unwrap();
        }
        let records = stored(&log);
        let k = split.index(records.len() + 1);
        log.save_snapshot(PlaceIndex::NAME, PlaceIndex::SCHEMA, k as u64, &PlaceIndex::build(&records[..k]))
            .unwrap();
        let Snapshot::Fresh { state: mut index, last_seq } =
            log.load_snapshot::<PlaceIndex>(PlaceIndex::NAME, PlaceIndex::SCHEMA).unwrap()
        else {
            panic!("a snapshot just taken is fresh");
        };
        prop_assert_eq!(last_seq, k as u64);
        for rec in log.iter_from(last_seq + 1) {
            let rec = rec.unwrap();
            index.add(rec.seq, &rec.event);
        }
        prop_assert_eq!(&index, &PlaceIndex::build(&records));

        // `--known-at` just before and just after each link record and
        // each retraction (of a link, or not), at `cut`, and none.
        let mut cutoffs: Vec<usize> = vec![cut.index(records.len() + 1), records.len()];
        for r in &records {
            if matches!(
                r.event.kind,
                EventKind::SameAs { .. } | EventKind::Identifiers { .. } | EventKind::Retraction { .. }
            ) {
                cutoffs.extend([r.seq as usize - 1, r.seq as usize]);
            }
        }
        cutoffs.sort_unstable();
        cutoffs.dedup();
        for n in cutoffs {
            let cutoff = KnownAt::Seq(n as u64);
            let keep = (n < records.len()).then_some(&cutoff);
            let world = World::replay(records.iter().filter(|r| cutoff.includes(r)).cloned());
            snapshot_answers_like(&index, &log, &records, &world, keep)?;
        }
    }

    /// 4. A retraction recorded at time T changes nothing for `--known-at` before T,
    /// and counts from T on.
    #[test]
    fn a_retraction_changes_nothing_known_before_it(
        events in annals_testkit::world_log(),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut log = Log::temporary().unwrap();
        log.append(&events, at(1_000)).unwrap();
        let targets: Vec<&Event> = events
            .iter()
            .filter(|e| !e.kind.is_entity() && !matches!(e.kind, EventKind::Retraction { .. }))
            .collect();
        prop_assume!(!targets.is_empty());
        let target = pick.get(&targets).id.clone();
        let mut retraction = Event {
            id: EventId::new("pending").unwrap(),
            date: None,
            sources: vec![],
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Retraction {
                retracts: target.clone(),
                reason: "law".into(),
                replaced_by: None,
            },
        };
        retraction.id = v1::derive_id(&retraction);
        let before = World::replay(stored(&log));
        log.append(std::slice::from_ref(&retraction), at(2_000)).unwrap();

        for cutoff in [KnownAt::Time(at(1_999)), KnownAt::Seq(log.len() - 1)] {
            let known = World::replay(stored(&log).into_iter().filter(|r| cutoff.includes(r)));
            prop_assert_eq!(answers(&known), answers(&before), "known at {}", cutoff);
        }
        let now = World::replay(stored(&log));
        prop_assert!(now.retracted_by(target.as_str()).is_some());
    }

    /// 6. Revisions (a dataset's newer release: a new version of some
    /// events, each old one retracted with `replaced_by` naming it),
    /// recorded at T, change nothing known before T; from T on the world
    /// is the one in which the new versions stood in place of the old ones
    /// from the start; and replay is order-independent with them.
    #[test]
    fn revisions_change_nothing_known_before_them_and_replay_in_any_order(
        events in annals_testkit::world_log(),
        picks in prop::collection::vec(any::<prop::sample::Index>(), 1..4),
        order in Just(()).prop_perturb(|_, mut rng| rng.next_u64()),
    ) {
        let mut log = Log::temporary().unwrap();
        log.append(&events, at(1_000)).unwrap();
        let targets: Vec<&Event> = events
            .iter()
            .filter(|e| !e.kind.is_entity() && !matches!(e.kind, EventKind::Retraction { .. }))
            .collect();
        prop_assume!(!targets.is_empty());
        let mut chosen: Vec<&Event> = picks.iter().map(|p| *p.get(&targets)).collect();
        chosen.sort_by(|a, b| a.id.cmp(&b.id));
        chosen.dedup_by(|a, b| a.id == b.id);
        let mut revisions = Vec::new();
        let mut replaced = std::collections::HashMap::new();
        for old in chosen {
            let mut new = old.clone();
            new.id = EventId::new(format!("{}:rev.r2", old.id)).unwrap();
            new.claim = if old.claim == Claim::Disputed { Claim::Confirmed } else { Claim::Disputed };
            let mut revision = Event {
                id: EventId::new("pending").unwrap(),
                date: None,
                sources: vec![],
                claim: Claim::Reported,
                claimed_by: None,
                note: None,
                kind: EventKind::Retraction {
                    retracts: old.id.clone(),
                    reason: "revised in release r2".into(),
                    replaced_by: Some(new.id.clone()),
                },
            };
            revision.id = v1::derive_id(&revision);
            replaced.insert(old.id.clone(), new.clone());
            revisions.push(new);
            revisions.push(revision);
        }
        let before = World::replay(stored(&log));
        log.append(&revisions, at(2_000)).unwrap();

        for cutoff in [KnownAt::Time(at(1_999)), KnownAt::Seq(events.len() as u64)] {
            let known = World::replay(stored(&log).into_iter().filter(|r| cutoff.includes(r)));
            prop_assert_eq!(answers(&known), answers(&before), "known at {}", cutoff);
        }
        let now = World::replay(stored(&log));
        for (old, new) in &replaced {
            let by = now.retracted_by(old.as_str()).cloned();
            prop_assert!(by.is_some(), "{} is revised", old);
            if let Some(by) = by {
                if now.replaced_by(by.as_str()).is_some() {
                    prop_assert_eq!(now.replaced_by(by.as_str()), Some(&new.id));
                }
            }
        }
        // The new versions in place of the old ones, from the start.
        let mut substituted = Log::temporary().unwrap();
        let instead: Vec<Event> =
            events.iter().map(|e| replaced.get(&e.id).cloned().unwrap_or_else(|| e.clone())).collect();
        substituted.append(&instead, at(1_000)).unwrap();
        prop_assert_eq!(answers(&now), answers(&World::replay(stored(&substituted))));
        // Any order of the same records.
        let mut shuffled: Vec<Event> = stored(&log).into_iter().map(|r| r.event).collect();
        let mut seed = order;
        for i in (1..shuffled.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let mut other = Log::temporary().unwrap();
        other.append(&shuffled, at(3_000)).unwrap();
        prop_assert_eq!(answers(&now), answers(&World::replay(stored(&other))));
    }

    /// 5. Export in format v1, import into a new log: the same lines, the same answers.
    #[test]
    fn export_then_import_is_the_identity(events in annals_testkit::world_log()) {
        let mut a = Log::temporary().unwrap();
        a.append(&events, at(1_000)).unwrap();
        let text = export(&a);
        let read = read_jsonl("export.jsonl", text.as_bytes(), &Catalog::empty())
            .map_err(|e| TestCaseError::fail(format!("{}", e[0])))?;
        let mut b = Log::temporary().unwrap();
        b.append(&read, at(5_000)).unwrap();
        prop_assert_eq!(&export(&b), &text);
        prop_assert_eq!(answers(&World::replay(stored(&b))), answers(&World::replay(stored(&a))));
        // And importing it again stores nothing.
        let again = b.append(&read, at(6_000)).unwrap();
        prop_assert_eq!((again.appended, again.unchanged), (0, read.len() as u64));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// 6. `control`'s `within` (the places within a place, each with its
    /// answer) from the place index — the records of the place and of every
    /// place a `place` record put within it — equals `within` from a full
    /// replay, on logs of places within places (some linked, one `place`
    /// record perhaps retracted), for every place and grid day, now and at
    /// `--known-at` after every record.
    #[test]
    fn within_from_the_index_answers_like_a_full_replay(
        events in annals_testkit::nested_log(),
        order in any::<u64>(),
    ) {
        let events = annals_testkit::shuffled(events, order);
        let mut log = Log::temporary().unwrap();
        for (i, chunk) in events.chunks(events.len().div_ceil(3).max(1)).enumerate() {
            log.append(chunk, at(1_000 * (i as i64 + 1))).unwrap();
        }
        let records = stored(&log);
        let index = PlaceIndex::build(&records);
        let places = annals_testkit::PLACES.iter().chain([&annals_testkit::REGION]);
        for n in 0..=records.len() {
            let cutoff = KnownAt::Seq(n as u64);
            let keep = |r: &Recorded| cutoff.includes(r);
            let world = World::replay(records.iter().filter(|r| keep(r)).cloned());
            for p in places.clone() {
                let Ok(place) = world.resolve_place(p) else { continue };
                let from_index = index
                    .within_world(&place, keep, |s| log.get_many(s), |id| log.lookup(id))
                    .unwrap();
                for day in grid() {
                    let (a, b) = (
                        annals_app::answer::within_json(&from_index, &place, day),
                        annals_app::answer::within_json(&world, &place, day),
                    );
                    prop_assert_eq!(a, b, "within {} on {} known at {}", p, day, n);
                }
            }
        }
    }
}
