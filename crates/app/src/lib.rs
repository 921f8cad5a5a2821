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
pub mod coverage;
mod dates;
mod error;
mod export;
mod files;
mod import;
mod link;
pub mod map;
pub mod period;
mod places;
mod query;
mod releases;
mod retract;
mod retracted;
mod similar;
mod text;
mod verify;

use std::path::{Path, PathBuf};

use annals_import::{read_jsonl, Catalog};
use annals_log::Log;
use chrono::{DateTime, Utc};

pub use annals_export::vocab;
pub use annals_import::Format;
pub use dates::{parse_day_arg, parse_known_at, parse_on, On, Period};
pub use error::{refused_lines_json, Asked, Detail, Error, ErrorKind, Unresolved, Unretractable};
pub use export::Exported;
pub use import::Imported;
pub use link::{LinkAppended, NEAR_KM};
pub use places::Namesakes;
pub use query::{
    dated_graph, place_label, resolve_actor, resolve_node, resolve_place, GraphQuery, Timeline,
};

/// One line of a timeline: the record, and the retraction that withdrew it.
pub type Line<'w> = (annals_model::Recorded, Option<&'w annals_model::EventId>);
pub use retract::Retracted;
pub use text::{shown, Visible};
pub use verify::{Problem, SnapshotCheck, Verified};

/// The built-in chronicle, compiled in: answers come from it when no log is
/// given. The Mali chronicle (`fixtures/mali/chronicle.jsonl`), then the
/// governments and coups of the Sahel states (`fixtures/mali/states.jsonl`),
/// which refer to the chronicle's actors, then the ids of both files'
/// entities in other catalogues (`fixtures/mali/identifiers.jsonl`: Wikidata,
/// GeoNames, state codes).
pub const CHRONICLE: &str = concat!(
    include_str!("../../../fixtures/mali/chronicle.jsonl"),
    include_str!("../../../fixtures/mali/states.jsonl"),
    include_str!("../../../fixtures/mali/identifiers.jsonl")
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
    /// Another process holds the log: this one waits for it.
    #[error("the log at {} is in use by another annals process; waiting up to {} s for it (--wait changes how long)", path.display(), wait.as_secs())]
    Waiting { path: PathBuf, wait: std::time::Duration },
    /// The log cannot be written where it is: answers come from a copy.
    #[error("the log at {} cannot be written here (a read-only mount, or no write permission); answering from a temporary copy of it, and refusing writes", path.display())]
    ReadOnly { path: PathBuf },
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
    /// For a log that cannot be written where it is: the temporary copy
    /// answers are read from (removed when dropped), and the original's path.
    read_only: Option<(tempfile::TempDir, PathBuf)>,
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
    /// chronicle in a temporary log (recorded at `now`). Waits a moment for
    /// another process that holds the log ([`Annals::open_waiting`]).
    pub fn open(
        db: Option<&PathBuf>,
        now: DateTime<Utc>,
        observer: Box<dyn Observer>,
    ) -> Result<Annals, Error> {
        Annals::open_waiting(db, now, observer, annals_log::OPEN_WAIT)
    }

    /// Like [`Annals::open`], waiting up to `wait` for another process that
    /// holds the log to let it go (saying so if it has to wait). A log that
    /// cannot be written where it is (a read-only mount, no write
    /// permission) is copied to a temporary directory and read from there:
    /// queries answer, writes are refused.
    pub fn open_waiting(
        db: Option<&PathBuf>,
        now: DateTime<Utc>,
        observer: Box<dyn Observer>,
        wait: std::time::Duration,
    ) -> Result<Annals, Error> {
        let Some(path) = db else {
            let mut log = Log::temporary()?;
            let events = read_jsonl("built-in chronicle", CHRONICLE.as_bytes(), &Catalog::empty())
                .map_err(|errors| {
                    Error::Inconsistent(format!("the built-in chronicle is invalid: {}", errors[0]))
                })?;
            log.append_from(&events, now, Some("built-in chronicle"))?;
            return Ok(Annals { log: Some(log), observer, read_only: None });
        };
        let first = annals_log::OPEN_WAIT.min(wait);
        let opened = match Log::open_waiting(path, first) {
            Err(annals_log::Error::InUse(_)) if wait > first => {
                observer.warn(&Warning::Waiting { path: path.clone(), wait });
                Log::open_waiting(path, wait - first)
            }
            other => other,
        };
        let (log, read_only) = match opened {
            Err(annals_log::Error::Storage(e)) if cannot_write(&e) => {
                let (log, copy) = open_copy(path, wait)?;
                observer.warn(&Warning::ReadOnly { path: path.clone() });
                (log, Some((copy, path.clone())))
            }
            other => (other?, None),
        };
        if log.discarded() > 0 {
            observer.warn(&Warning::DiscardedStaged(log.discarded()));
        }
        Ok(Annals { log: Some(log), observer, read_only })
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
        if let Some((_, path)) = &self.read_only {
            return Err(Error::Usage(format!(
                "`{command}` cannot write to the log at {}: it is read-only here (a read-only mount, or no write permission); copy the directory somewhere writable and use that copy",
                path.display()
            )));
        }
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

/// Whether a storage error says the log cannot be written where it is.
fn cannot_write(e: &annals_log::StorageError) -> bool {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    matches!(e.io_kind(), Some(PermissionDenied | ReadOnlyFilesystem))
}

/// A copy of the log at `path` in a temporary directory, opened.
fn open_copy(path: &Path, wait: std::time::Duration) -> Result<(Log, tempfile::TempDir), Error> {
    let copy = tempfile::tempdir()?;
    let target = copy.path().join("log");
    copy_dir(path, &target)?;
    // A copy of sled's files is writable: the opening needs that, and the
    // copy is gone when the answers are.
    let log = Log::open_waiting(&target, wait)?;
    Ok((log, copy))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
            let mut permissions = std::fs::metadata(&target)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            std::fs::set_permissions(&target, permissions)?;
        }
    }
    Ok(())
}

impl Drop for Annals {
    fn drop(&mut self) {
        let Some(log) = self.log.take() else { return };
        if log.is_temporary() || self.read_only.is_some() {
            return;
        }
        match log.flush() {
            Ok(()) => std::mem::forget(log),
            // Let sled's own teardown try again.
            Err(e) => self.observer.warn(&Warning::FlushFailed(e)),
        }
    }
}
