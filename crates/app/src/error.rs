//! The errors of the application layer, one type for every operation. Each
//! message is written for the historian reading it; where an error has a
//! cause, `source()` gives it, so `{:#}` with anyhow (or any chain printer)
//! prints "what failed: why".

use std::fmt;

use annals_import::LineError;

/// What went wrong. Each variant's message names what failed; the
/// command line maps [`Error::kind`] to an exit code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operation cannot run as asked (e.g. an import into the
    /// read-only built-in chronicle).
    #[error("{0}")]
    Usage(String),
    /// An argument that does not parse: a date, a time, a range.
    #[error("{0}")]
    Argument(String),
    /// A name or id that resolves to nothing, or to several things.
    #[error(transparent)]
    Unresolved(#[from] Unresolved),
    /// A file with lines that cannot be imported: nothing was stored.
    #[error("{file} was not imported; nothing was stored:\n{}{}", list(.errors), more(.errors))]
    Refused { file: String, errors: Vec<LineError> },
    /// A file whose format is not recognised (the message lists the
    /// formats known).
    #[error("{0}")]
    UnknownFormat(String),
    /// A file that cannot be read.
    #[error("cannot read {file}: {error}")]
    Read { file: String, error: std::io::Error },
    /// The file an import is storing is no longer the one it checked.
    #[error("{file} changed while it was being imported")]
    Changed {
        file: String,
        #[source]
        detail: Option<Detail>,
    },
    /// An import that failed while storing: nothing was stored.
    #[error("{file} was not imported; nothing was stored")]
    NotImported { file: String, source: Box<Error> },
    /// An import whose commit the disk did not confirm: it may be in.
    #[error("{file} may or may not have been imported")]
    MaybeImported { file: String, source: annals_log::Error },
    /// Checking a file's references against the log failed.
    #[error("cannot check references against the log")]
    Catalog(#[source] annals_log::Error),
    /// Checking a file's ids against the stored events failed.
    #[error("cannot check the file against the log")]
    Against(#[source] Box<Error>),
    /// A record that cannot be read back: the log is damaged.
    #[error("the log is damaged; run `annals verify` for the full list")]
    Damaged(#[source] annals_log::Error),
    /// The log holds fewer records than an answer rests on.
    #[error("{0}")]
    Inconsistent(String),
    /// A retraction that cannot be made (no such event, already retracted …).
    #[error("{0}")]
    Retract(Unretractable),
    /// `export --skip-damaged` left damaged records out.
    #[error("export wrote {written} records and left out {damaged} damaged ones (named above); a record that refers to one of them will not import into a new log until that event is written again")]
    PartlyExported { written: u64, damaged: u64 },
    /// Writing an output failed.
    #[error(transparent)]
    Write(#[from] std::io::Error),
    /// A file the user asked for could not be written; the file that was
    /// there before, if any, is as it was.
    #[error("cannot write {}: {error}; the file that was there, if any, is unchanged", path.display())]
    Output { path: std::path::PathBuf, error: std::io::Error },
    /// The log refused an operation (storage, format, in use, …).
    #[error(transparent)]
    Log(#[from] annals_log::Error),
}

impl Error {
    /// What kind of failure this is, for exit codes and HTTP statuses.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage(_) | Error::Argument(_) => ErrorKind::Usage,
            Error::Unresolved(_) => ErrorKind::NotFound,
            Error::Retract(_) => ErrorKind::Refused,
            Error::Refused { .. }
            | Error::Read { .. }
            | Error::Changed { .. }
            | Error::UnknownFormat(_) => ErrorKind::InvalidInput,
            Error::Damaged(_) | Error::Inconsistent(_) | Error::PartlyExported { .. } => {
                ErrorKind::Damaged
            }
            Error::Log(e) | Error::Catalog(e) | Error::MaybeImported { source: e, .. } => {
                log_kind(e)
            }
            Error::NotImported { source, .. } | Error::Against(source) => source.kind(),
            Error::Write(_) | Error::Output { .. } => ErrorKind::Io,
        }
    }
}

impl Error {
    /// The lines of the file an import refused, if this is (or was caused
    /// by) such a refusal.
    pub fn refused_lines(&self) -> Option<&[LineError]> {
        match self {
            Error::Refused { errors, .. } => Some(errors),
            Error::NotImported { source, .. } | Error::Against(source) => source.refused_lines(),
            _ => None,
        }
    }
}

/// The lines an import refused, as JSON errors give them beside the
/// message (`import --json`, `POST /api/import`): `[{file, line, kind,
/// problem}]`, `kind` being the problem's stable name
/// ([`annals_import::Problem::kind`]) and `problem` its words.
pub fn refused_lines_json(errors: &[LineError]) -> serde_json::Value {
    let lines: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| {
            let mut line = serde_json::json!({
                "file": e.file,
                "line": e.line,
                "kind": e.problem.kind(),
                "problem": e.problem.to_string(),
            });
            if let annals_import::Problem::Stored { differences, .. } = &e.problem {
                let differences: Vec<serde_json::Value> = differences
                    .iter()
                    .map(|d| serde_json::json!({"field": d.field, "stored": d.stored, "here": d.here}))
                    .collect();
                line["differences"] = differences.into();
            }
            line
        })
        .collect();
    serde_json::Value::Array(lines)
}

fn log_kind(e: &annals_log::Error) -> ErrorKind {
    use annals_log::Error as L;
    match e {
        L::InUse(_) => ErrorKind::InUse,
        L::NotALog(_) | L::AlreadyExists(_) => ErrorKind::Usage,
        L::Conflict { .. } | L::DuplicateInAppend(_) => ErrorKind::InvalidInput,
        L::Storage(_) | L::Unconfirmed(_) => ErrorKind::Io,
        _ => ErrorKind::Damaged,
    }
}

impl ErrorKind {
    /// The kind as JSON errors name it (`{"error", "kind"}`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Refused => "refused",
            ErrorKind::Damaged => "damaged",
            ErrorKind::InUse => "in_use",
            ErrorKind::Io => "io",
        }
    }

    /// The command line's exit code for this kind (docs/CLI.md): 2 is also
    /// what a malformed command line gets, 1 any failure not classified.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Usage => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::InvalidInput => 4,
            ErrorKind::Refused => 5,
            ErrorKind::Damaged => 6,
            ErrorKind::InUse => 7,
            ErrorKind::Io => 8,
        }
    }
}

/// The kinds of failure, each with its own exit code on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was malformed: a bad argument or an impossible operation.
    Usage,
    /// A name or id that names nothing, or several things.
    NotFound,
    /// An input file that cannot be imported.
    InvalidInput,
    /// A refused change (a retraction that cannot be made).
    Refused,
    /// The log is damaged.
    Damaged,
    /// Another process holds the log.
    InUse,
    /// The disk or the operating system failed.
    Io,
}

/// Why a retraction cannot be made ([`Error::Retract`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unretractable {
    /// No event of the log has the id.
    #[error("no event with id `{0}` in the log; `annals log` lists the ids")]
    NoSuchEvent(String),
    /// The event is a retraction itself.
    #[error("`{0}` is itself a retraction; retractions cannot be retracted (record a new event instead)")]
    IsRetraction(String),
    /// The event is retracted already, by the retraction `by` (the
    /// smallest id, when several retract it).
    #[error("`{id}` is already retracted by `{by}`")]
    AlreadyRetracted { id: String, by: String },
    /// A newer release revises an event, and the id of the revision (the
    /// event's id with the release's suffix) is no valid id.
    #[error("the revision of `{event}` needs an id: {error}")]
    RevisionId { event: String, error: annals_model::IdError },
}

/// A cause known only as text: the line of a file that no longer reads as
/// it did, the refusal of an event that was accepted before.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Detail(pub String);

fn list(errors: &[LineError]) -> String {
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    lines.join("\n")
}

fn more(errors: &[LineError]) -> &'static str {
    if errors.len() >= annals_import::MAX_ERRORS {
        "\n(further lines were not checked)"
    } else {
        ""
    }
}

/// A name or id that a query could not settle.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unresolved {
    /// No place has this id, name or alias; `suggestions` are labels of
    /// places with close names.
    #[error("unknown place `{query}`: no place has this id, name or alias{}", hint(.suggestions))]
    NoPlace { query: String, suggestions: Vec<String> },
    /// Several places share this name: a label of each.
    #[error("`{query}` names {} places; ask again with one of these ids:\n{}", .candidates.len(), indented(.candidates))]
    Places { query: String, candidates: Vec<String> },
    /// No actor has this id, name or alias; `suggestions` are ids of
    /// actors with close names.
    #[error("unknown {asked} `{query}`: no actor has this id, name or alias{}", hint(.suggestions))]
    NoActor { asked: Asked, query: String, suggestions: Vec<String> },
    /// Several actors share this name: each id.
    #[error("`{query}` names {} actors; ask again with one of these ids: {}", .candidates.len(), .candidates.join(", "))]
    Actors { query: String, candidates: Vec<String> },
}

/// What a query asked for, as its error names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    State,
    Actor,
    ActorOrPlace,
}

impl fmt::Display for Asked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Asked::State => "state",
            Asked::Actor => "actor",
            Asked::ActorOrPlace => "actor or place",
        })
    }
}

fn hint(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

fn indented(labels: &[String]) -> String {
    let lines: Vec<String> = labels.iter().map(|l| format!("  {l}")).collect();
    lines.join("\n")
}
