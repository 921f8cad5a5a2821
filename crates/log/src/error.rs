//! The errors of the log, and sled's errors in words.

use std::path::PathBuf;

use crate::{DecodeError, HEAD_FILE};

/// What went wrong with the log. Messages name the path or sequence number.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The storage engine failed (I/O, full disk …). The message says it
    /// all: the engine's error is not also given as the source, so that a
    /// chain of causes does not print it twice.
    #[error("storage error: {0}")]
    Storage(StorageError),
    /// `open` on a path that holds no annals log.
    #[error("no annals log at {path} (create one with `annals --db {path} init`)", path = .0.display())]
    NotALog(PathBuf),
    /// `init` on a path that already holds something.
    #[error("{path} already exists; `init` only creates new logs", path = .0.display())]
    AlreadyExists(PathBuf),
    /// Another process has the log open.
    #[error("the log at {path} is in use by another annals process", path = .0.display())]
    InUse(PathBuf),
    /// A stored record is damaged.
    #[error("record {seq} is corrupt: {problem}")]
    Corrupt { seq: u64, problem: DecodeError },
    /// A block's header is damaged: none of its records can be read.
    #[error("records {first}..{last} are corrupt: {problem}")]
    CorruptBlock { first: u64, last: u64, problem: DecodeError },
    /// The commit mark of an append was written, but the disk did not
    /// confirm it: the append may or may not be stored, and its records are
    /// left in place (an open keeps them if the mark reached the disk).
    #[error("storage error: {0}; the disk did not confirm the commit: once the disk is fixed, `annals verify` and `annals log` show what is stored (an import can simply be run again: events already stored are skipped)")]
    Unconfirmed(StorageError),
    /// The log holds fewer records than it acknowledged (or another last
    /// record): the storage engine lost data, as sled does when it takes a
    /// damaged tail of its files for an interrupted write.
    #[error("the log at {path} acknowledged {expected} records (the last with checksum {crc:08x}), but now {found}: records were lost, probably to damaged files; restore the directory from a backup (docs/RELIABILITY.md). To open it as it is, delete {head}", path = .path.display(), head = .path.join(HEAD_FILE).display())]
    Lost { path: PathBuf, expected: u64, crc: u32, found: Found },
    /// The head file cannot be read.
    #[error("{path}: {problem}; delete it to open the log without the check it makes", path = .0.display(), problem = .1)]
    BadHead(PathBuf, HeadProblem),
    /// The head file's own checksum fails: it says nothing about the
    /// records, which may well be intact.
    #[error("{path} is damaged (its own checksum does not match), so it cannot say whether records were lost; the records themselves may well be intact. Delete it to open the log (the next import writes a new one), then run `annals verify`", path = .0.display())]
    DamagedHead(PathBuf),
    /// A key of the wrong shape: the tree was written by something else.
    #[error("the log holds a malformed key {0:?}")]
    BadKey(Vec<u8>),
    /// A chunk of the id index that is not a whole number of entries.
    #[error("the id index chunk under key {0:?} is damaged; run `annals verify`")]
    BadChunk(Vec<u8>),
    /// A group of copies of records ([`Log::copy_groups`]) is damaged.
    #[error("the copies of the records of `{name}` are damaged: {problem}")]
    BadCopies { name: String, problem: String },
    /// One append holds the same event id twice with different content.
    #[error("event id `{0}` appears twice in one append with different content")]
    DuplicateInAppend(String),
    /// An event id is already stored with different content.
    #[error("event id `{id}` is already stored (record {seq}) with different content; ids are permanent, so give the new event another id, or retract the old one")]
    Conflict { id: String, seq: u64 },
    /// The log was written by a newer annals, or by something else.
    #[error("{path} holds a log of format {found:?}, which this build of annals cannot read", path = .path.display())]
    Format { path: PathBuf, found: String },
}

/// What a log that lost records holds instead ([`Error::Lost`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Found {
    /// Fewer records than acknowledged.
    #[error("it holds {0}")]
    Fewer(u64),
    /// As many or more, but the last acknowledged one is another record.
    #[error("record {0} is another record")]
    Other(u64),
}

/// Why the head file cannot be read ([`Error::BadHead`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HeadProblem {
    /// The operating system refused to read it.
    #[error("{0}")]
    Io(std::io::Error),
    /// It is not a head file of any version this build knows.
    #[error("not an annals head file")]
    NotAHeadFile,
}

impl From<sled::Error> for Error {
    fn from(e: sled::Error) -> Error {
        Error::Storage(StorageError(e))
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Error {
        Error::Storage(e)
    }
}

/// A failure of the storage engine, in words. The engine itself is not
/// part of the log's interface: what a caller may ask is the operating
/// system's error kind, and whether the engine found its files damaged.
#[derive(Debug)]
pub struct StorageError(pub(crate) sled::Error);

impl StorageError {
    /// The operating system's kind of error, when the failure is one.
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match &self.0 {
            sled::Error::Io(io) => Some(io.kind()),
            _ => None,
        }
    }

    /// Whether the engine found its own files damaged.
    pub fn is_corruption(&self) -> bool {
        matches!(self.0, sled::Error::Corruption { .. })
    }
}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> StorageError {
        StorageError(sled::Error::Io(e))
    }
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&storage_message(&self.0))
    }
}

impl std::error::Error for StorageError {}

/// sled's error in words: for an I/O error, the operating system's own
/// message (sled sometimes wraps it in another I/O error, shown as a debug
/// dump), with a hint when the disk is full; for damaged files, what to do.
pub(crate) fn storage_message(e: &sled::Error) -> String {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
    if let sled::Error::Corruption { .. } = e {
        return format!(
            "{e}; the log's files are damaged: copy the whole directory aside before running anything else on it, then restore the log from a backup (docs/RELIABILITY.md, \"Damaged files\")"
        );
    }
    let sled::Error::Io(io) = e else { return e.to_string() };
    let io = io.get_ref().and_then(|inner| inner.downcast_ref::<std::io::Error>()).unwrap_or(io);
    match io.kind() {
        // Without an OS error code the text may be such a dump: the kind says it.
        StorageFull | FileTooLarge | QuotaExceeded => {
            let text = io.raw_os_error().map_or(io.kind().to_string(), |_| io.to_string());
            format!("{text}; the disk (or this user's quota) is full")
        }
        _ => {
            let text = io.to_string();
            match os_error_dump(&text) {
                Some((code, message)) => format!("{message} (os error {code})"),
                None => text,
            }
        }
    }
}

/// The code and message of an OS error whose text is its debug dump
/// (`Os { code: 5, kind: Uncategorized, message: "Input/output error" }`),
/// as sled gives some errors of its I/O threads.
pub(crate) fn os_error_dump(text: &str) -> Option<(i32, &str)> {
    let (code, rest) = text.strip_prefix("Os { code: ")?.split_once(',')?;
    let message = rest.split_once("message: \"")?.1.strip_suffix("\" }")?;
    Some((code.trim().parse().ok()?, message))
}
