//! Verification: the physical log, the place snapshot against a full
//! replay, and the world's anomalies.

use annals_log::{Integrity, Snapshot, SnapshotDamage, StaleReason};
use annals_replay::{Anomaly, PlaceIndex, World};

use crate::{Annals, Error};

/// What `verify` found.
#[derive(Debug)]
pub struct Verified {
    /// The physical checks: records, ids, copies.
    pub integrity: Integrity,
    /// The place snapshot against a full replay.
    pub snapshot: SnapshotCheck,
    /// Every problem; empty when the log is sound.
    pub problems: Vec<Problem>,
}

/// One problem `verify` found: its `Display` is the sentence printed,
/// [`Problem::kind`] its kind for scripts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Damage in the log itself.
    Log(annals_log::Problem),
    /// The place snapshot is damaged, or does not match a full replay.
    Snapshot(SnapshotCheck),
    /// Something in the replayed events that does not fit.
    Anomaly(Anomaly),
}

impl Problem {
    /// The kind of problem, in snake case: the log's own kinds
    /// ([`annals_log::Problem::kind`]), `snapshot_damaged`,
    /// `snapshot_differs`, or an anomaly's (`dangling_reference`,
    /// `duplicate_id`, `retracts_retraction`, `undated`, `ends_nothing`,
    /// `relates_linked`, `after_dissolution`).
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::Log(problem) => problem.kind(),
            Problem::Snapshot(SnapshotCheck::Differs { .. }) => "snapshot_differs",
            Problem::Snapshot(_) => "snapshot_damaged",
            Problem::Anomaly(anomaly) => match anomaly {
                Anomaly::Dangling { .. } => "dangling_reference",
                Anomaly::DuplicateId { .. } => "duplicate_id",
                Anomaly::RetractsRetraction { .. } => "retracts_retraction",
                Anomaly::Undated { .. } => "undated",
                Anomaly::EndsNothing { .. } => "ends_nothing",
                Anomaly::RelatesLinked { .. } => "relates_linked",
                Anomaly::AfterDissolution { .. } => "after_dissolution",
            },
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Log(problem) => problem.fmt(f),
            Problem::Snapshot(check) => check.fmt(f),
            Problem::Anomaly(anomaly) => anomaly.fmt(f),
        }
    }
}

/// The place snapshot compared with a full replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotCheck {
    /// None saved yet: the next query builds it.
    Missing,
    /// Saved for another state of the log: the next query rebuilds it.
    Stale(StaleReason),
    /// Damaged (a problem): the next query rebuilds it.
    Damaged(SnapshotDamage),
    /// Records `1..=last_seq`, with the records after it, match a full replay.
    Matches { last_seq: u64 },
    /// Records `1..=last_seq` do not match a full replay (a problem).
    Differs { last_seq: u64 },
}

impl std::fmt::Display for SnapshotCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = PlaceIndex::NAME;
        match self {
            SnapshotCheck::Missing => {
                write!(f, "snapshot `{name}`: none yet; the next query builds it")
            }
            SnapshotCheck::Stale(why) => write!(f, "{why}; the next query rebuilds it"),
            SnapshotCheck::Damaged(why) => write!(f, "{why}; the next query rebuilds it"),
            SnapshotCheck::Matches { last_seq } => write!(
                f,
                "snapshot `{name}`: records 1..{last_seq}, with the records after it, matches a full replay"
            ),
            SnapshotCheck::Differs { last_seq } => write!(
                f,
                "snapshot `{name}` (records 1..{last_seq}) does not match a full replay of the log"
            ),
        }
    }
}

impl Annals {
    /// Checks the log: checksums, a gap-free sequence, the id index and
    /// the copies (the log's own checks), then the place snapshot and every
    /// reference against a full replay.
    pub fn verify(&self) -> Result<Verified, Error> {
        let log = self.log();
        let integrity = log.verify()?;
        let mut problems: Vec<Problem> =
            integrity.problems.iter().cloned().map(Problem::Log).collect();
        // One pass: the records stream into the world, the index of them
        // all, and the saved snapshot's tail, never all held at once.
        let mut snapshot = log.load_snapshot::<PlaceIndex>(PlaceIndex::NAME, PlaceIndex::SCHEMA)?;
        let mut full = PlaceIndex::default();
        let world = World::replay(log.iter().filter_map(Result::ok).inspect(|rec| {
            full.add(rec.seq, &rec.event);
            if let Snapshot::Fresh { state, last_seq } = &mut snapshot {
                if rec.seq > *last_seq {
                    state.add(rec.seq, &rec.event);
                }
            }
        }));
        let snapshot = check_snapshot(snapshot, &full);
        if matches!(snapshot, SnapshotCheck::Damaged(_) | SnapshotCheck::Differs { .. }) {
            problems.push(Problem::Snapshot(snapshot.clone()));
        }
        problems.extend(world.anomalies().iter().cloned().map(Problem::Anomaly));
        Ok(Verified { integrity, snapshot, problems })
    }
}

/// Checks the place snapshot against a full replay: a fresh snapshot plus
/// the records after it (added while replaying) must equal `full`, the
/// index of every record. A stale or missing snapshot is no problem (the
/// next query rebuilds it); a damaged one is.
fn check_snapshot(snapshot: Snapshot<PlaceIndex>, full: &PlaceIndex) -> SnapshotCheck {
    match snapshot {
        Snapshot::Missing => SnapshotCheck::Missing,
        Snapshot::Stale(why) => SnapshotCheck::Stale(why),
        Snapshot::Damaged(why) => SnapshotCheck::Damaged(why),
        Snapshot::Fresh { state, last_seq } if state == *full => {
            SnapshotCheck::Matches { last_seq }
        }
        Snapshot::Fresh { last_seq, .. } => SnapshotCheck::Differs { last_seq },
    }
}
