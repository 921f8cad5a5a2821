//! The application layer of annals: everything the command line and the
//! server do beyond reading requests and printing answers.
//!
//! [`Annals`] opens a log (or builds the built-in chronicle in a temporary
//! one) and answers from it: `control`, `government` and `history` from the
//! place snapshot, replaying only the records one answer rests on; every
//! other query from a full replay ([`Annals::replay`]). It imports files
//! all or nothing ([`Annals::import`]), appends retractions
//! ([`Annals::retract`]), checks the log ([`Annals::verify`]) and writes it
//! out ([`Annals::export_jsonl`]). What a caller should tell the user on the
//! side — warnings, the stage of a long import — goes to an [`Observer`].
//!
//! Every failure is an [`Error`], whose [`Error::kind`] gives the exit code.

pub mod answer;
mod error;
mod export;
mod files;
mod import;
mod places;
mod query;
mod retract;
mod text;
mod verify;

use std::path::{Path, PathBuf};

use annals_import::{read_jsonl, Catalog};
use annals_log::Log;
use chrono::{DateTime, Utc};

pub use error::{Asked, Detail, Error, ErrorKind, Unresolved};
pub use export::Exported;
pub use import::{ImportFormat, Imported};
pub use query::{
    dated_graph, parse_day_arg, parse_known_at, place_label, resolve_actor, resolve_node,
    resolve_place, GraphQuery, Line, Timeline,
};
pub use retract::Retracted;
pub use text::{shown, Visible};
pub use verify::{SnapshotCheck, Verified};

/// The built-in chronicle, compiled in: answers come from it when no log is
/// given. The Mali chronicle (`fixtures/mali/chronicle.jsonl`), then the
/// governments and coups of the Sahel states (`fixtures/mali/states.jsonl`),
/// which refer to the chronicle's actors.
pub const CHRONICLE: &str = concat!(
    include_str!("../../../fixtures/mali/chronicle.jsonl"),
    include_str!("../../../fixtures/mali/states.jsonl")
);

/// What the application tells its user besides answers: warnings, and
/// the stage a long operation is at. Every method does nothing by default.
pub trait Observer: Send + Sync {
    /// Something the user should know that did not stop the operation.
    fn warn(&self, _warning: &Warning) {}
    /// A long operation moved on to `stage`.
    fn stage(&self, _stage: Stage<'_>) {}
}

/// An observer that tells nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Something that did not stop an operation, but that the user should know.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Warning {
    /// Opening the log removed the records an unfinished import had staged.
    #[error("removed {0} records staged by an import that did not finish (it never reported success, so nothing it stored was acknowledged)")]
    DiscardedStaged(u64),
    /// Flushing the log when done failed; sled's own teardown tries again.
    #[error("warning: flushing the log failed: {0}")]
    FlushFailed(annals_log::Error),
    /// The place snapshot could not be saved after an import.
    #[error("warning: the snapshot was not updated ({0}); the next query rebuilds it")]
    SnapshotNotSaved(String),
    /// The copies of busy places' records could not be written.
    #[error("warning: the copies of busy places' records were not updated ({0}); queries read those records from the log")]
    CopiesNotUpdated(annals_log::Error),
    /// Damaged copies of a place's records, removed (or not) and read
    /// from the log instead.
    #[error("warning: {error}; {}reading those records from the log", if *.removed { "removed them (the next import copies those records again), and " } else { "" })]
    CopiesDamaged { error: annals_log::Error, removed: bool },
    /// `export --skip-damaged` left a damaged record out.
    #[error("left out: {0}")]
    LeftOut(annals_log::Error),
}

/// The stages of an import, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage<'a> {
    /// Checking every line of the named file.
    Checking(&'a str),
    /// Reading the place snapshot, which the stored events are added to.
    ReadingSnapshot,
    /// Storing this many events.
    Storing(u64),
    /// Saving the place snapshot and the copies of busy places' records.
    UpdatingSnapshot,
    /// Finished, successfully or not.
    Done,
}

/// An open log and the policies around it: when the place snapshot is
/// rebuilt or saved, which records of busy places are kept as copies,
/// which queries answer from the snapshot and which replay everything.
///
/// When dropped, a log on disk is flushed but sled's in-memory state is not
/// torn down: the process ends next, and the teardown took a seventh of a
/// query on a 1M-event log. Stopping after a flush is what the crash tests
/// do to a log at every moment, and it is safe. A temporary log (the
/// built-in chronicle) is dropped, so its files go.
pub struct Annals {
    log: Option<Log>,
    observer: Box<dyn Observer>,
}

impl std::fmt::Debug for Annals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Annals").field("log", &self.log).finish_non_exhaustive()
    }
}

impl Annals {
    /// Creates a new, empty log at `path`.
    pub fn init(path: &Path) -> Result<(), Error> {
        Log::init(path)?;
        Ok(())
    }

    /// Opens the log at `db`, or, without one, builds the built-in
    /// chronicle in a temporary log (recorded at `now`).
    pub fn open(
        db: Option<&PathBuf>,
        now: DateTime<Utc>,
        observer: Box<dyn Observer>,
    ) -> Result<Annals, Error> {
        let Some(path) = db else {
            let mut log = Log::temporary()?;
            let events = read_jsonl("built-in chronicle", CHRONICLE.as_bytes(), &Catalog::empty())
                .map_err(|errors| {
                    Error::Inconsistent(format!("the built-in chronicle is invalid: {}", errors[0]))
                })?;
            log.append_from(&events, now, Some("built-in chronicle"))?;
            return Ok(Annals { log: Some(log), observer });
        };
        let log = Log::open(path)?;
        if log.discarded() > 0 {
            observer.warn(&Warning::DiscardedStaged(log.discarded()));
        }
        Ok(Annals { log: Some(log), observer })
    }

    /// The log itself, for reading records.
    pub fn log(&self) -> &Log {
        self.log.as_ref().expect("open until dropped")
    }

    fn log_mut(&mut self) -> &mut Log {
        self.log.as_mut().expect("open until dropped")
    }

    /// Whether this is the built-in chronicle (read-only).
    pub fn is_builtin(&self) -> bool {
        self.log().is_temporary()
    }

    fn writable(&self, command: &str) -> Result<(), Error> {
        if self.is_builtin() {
            return Err(Error::Usage(format!(
                "`{command}` needs --db PATH: the built-in chronicle is read-only"
            )));
        }
        Ok(())
    }

    fn warn(&self, warning: Warning) {
        self.observer.warn(&warning);
    }
}

impl Drop for Annals {
    fn drop(&mut self) {
        let Some(log) = self.log.take() else { return };
        if log.is_temporary() {
            return;
        }
        match log.flush() {
            Ok(()) => std::mem::forget(log),
            // Let sled's own teardown try again.
            Err(e) => self.observer.warn(&Warning::FlushFailed(e)),
        }
    }
}
