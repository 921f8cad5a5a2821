//! Why an importer refuses a line: [`Problem`], one variant per reason,
//! each holding what its message names, and a stable [`Problem::kind`] for
//! scripts (`import --json` and `POST /api/import` give it beside each
//! line; docs/API.md lists the kinds). Values quoted from the file are kept
//! as messages quote untrusted text ([`excerpt`]): short ones whole, long
//! ones cut.

use std::fmt;

use annals_model::v1::{self, excerpt};
use annals_model::{CalendarError, IdError, NormalizationDifference, RefKind};
use chrono::NaiveDate;

use crate::LineTooLong;

/// The problem with one line (or record) of a file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The bytes of a line, a header or a record are not UTF-8.
    #[error("the {0} is not valid UTF-8")]
    NotUtf8(Unit),
    /// A line longer than [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES).
    #[error("{0}")]
    TooLong(LineTooLong),
    /// The CSV reader's own complaint (a quote in the wrong place, …).
    #[error("the CSV is malformed: {0}")]
    MalformedCsv(String),
    /// A line of format v1 that is not an event.
    #[error("{0}")]
    Interchange(v1::LineError),
    /// A table with no header line; `what` is what a file of the format is
    /// called (`an ACLED export`).
    #[error("the file is empty; {what} starts with a header line naming its columns")]
    EmptyFile { what: &'static str },
    /// A column the format needs is not in the header.
    #[error("the header has no column `{column}`, which {what} has")]
    MissingColumn { column: &'static str, what: &'static str },
    /// A column the format needs only beside another is not in the header.
    #[error("the header has an `{beside}` column but no `{column}` column, which {what} has")]
    MissingColumnBeside { column: &'static str, beside: &'static str, what: &'static str },
    /// A column the format reads is named twice (1-based positions).
    #[error("the header names the column `{column}` twice (columns {first} and {second}); which one holds the data is not guessed")]
    DuplicateColumn { column: String, first: usize, second: usize },
    /// A record of another width than the header; `open_quote` is the
    /// (1-based) field holding line breaks and how many, a sign of a quote
    /// never closed.
    #[error("the record has {fields} fields, but the header names {columns} columns{}", with_open_quote(.open_quote))]
    Width { fields: usize, columns: usize, open_quote: Option<(usize, usize)> },
    /// What follows, in a column (or columns) of a record.
    #[error("{at}: {problem}")]
    In { at: At, problem: Box<Problem> },
    /// A column that must have a value is empty.
    #[error("column `{column}` is empty")]
    EmptyColumn { column: String },
    /// An ACLED actor type given for an actor that is not.
    #[error("column `{inter}` is `{code}`, but `{actor}` is empty")]
    TypeWithoutActor { inter: String, code: String, actor: String },
    /// What a record lacks (`the alliance has no start year`).
    #[error("{0}")]
    Lacks(&'static str),
    /// A UCDP actor without a name.
    #[error("UCDP actor {0} has no name")]
    Unnamed(String),
    /// A value that is not what the column holds.
    #[error("`{value}` is not {expected}")]
    Invalid { value: String, expected: Expected },
    /// A precision code outside the UCDP/PRIO scheme.
    #[error("`{0}` is not a precision code (1 to 7)")]
    PrecisionCode(u8),
    /// A value that is not a date in the format the column has; `why`,
    /// when the text has the format but names no day.
    #[error("`{value}` is not a date (expected {expected}){}", because(.why))]
    NotADate { value: String, expected: &'static str, why: Option<CalendarError> },
    /// A year, month and day (as `text` shows them) that make no date.
    #[error("`{text}` is not a date: {why}")]
    NoSuchDate { text: String, why: CalendarError },
    /// A number that is no year annals can hold.
    #[error("{0} is no year")]
    NoYear(i64),
    /// A day whose year annals cannot hold.
    #[error("the year of {0} is out of range")]
    DayOutOfRange(NaiveDate),
    /// A year annals cannot hold.
    #[error("the year {0} is out of range")]
    YearOutOfRange(i32),
    /// A date the model refuses (an interval that ends before it starts, …).
    #[error("{0}")]
    Date(CalendarError),
    /// A value with nothing to make an id from (`letters`: `letters a-z or
    /// digits`).
    #[error("`{value}` has no {letters} to make an id from")]
    NoIdLetters { value: String, letters: &'static str },
    /// A value (or id made from it) that is no valid id.
    #[error("`{value}` makes no valid id: {error}")]
    NoValidId { value: String, error: IdError },
    /// An id made from the file that is not valid.
    #[error("{0}")]
    Id(IdError),
    /// A state code the catalogue lacks; `name`: the column naming the
    /// state and its value, when the dataset has one (it names no state
    /// of the catalogue either).
    #[error("`{code}` is no {scheme} annals knows{}", and_name(.name))]
    UnknownCode { code: String, scheme: &'static str, name: Option<(String, String)> },
    /// A state name the catalogue lacks (`government`: written
    /// `Government of NAME`).
    #[error("`{}{name}` names no state of the catalogue", if *.government { "Government of " } else { "" })]
    UnknownState { name: String, government: bool },
    /// A list of party names and a list of their ids of other lengths.
    #[error("column `{names_column}` names {parties} parties (`{cell}`), but column `{ids_column}` has {ids} ids")]
    PartyCount {
        names_column: String,
        parties: usize,
        cell: String,
        ids_column: String,
        ids: usize,
    },
    /// Governments and other parties listed in one cell.
    #[error("column `{column}` lists governments and other parties together (`{cell}`); which id is whose is not guessed")]
    MixedParties { column: String, cell: String },
    /// An ACLED event with a third row in a monadic export.
    #[error("event_id_cnty `{event}` has a third row; a monadic export has one row per actor, at most two (the first is on line {first_line})")]
    ThirdRow { event: String, first_line: usize },
    /// Two rows of one ACLED event that differ in more than their actor.
    #[error("column `{column}` differs from line {first_line}, which has the same event_id_cnty `{event}`; the rows of one event may differ only in their actor")]
    RowsDiffer { column: &'static str, first_line: usize, event: String },
    /// A reference to an id that neither the log nor an earlier line has
    /// as a `kind`.
    #[error("field `{field}` names `{id}`, but no {} with that id exists in the log or earlier in this file", .kind.as_str())]
    UnknownReference { field: &'static str, id: String, kind: RefKind },
    /// A retraction of a retraction.
    #[error("`{0}` is itself a retraction; retractions cannot be retracted")]
    RetractsRetraction(String),
    /// An id an earlier line uses for another event; `what` is the id as
    /// the format names it (``id `x` ``, ``event_id_cnty `X` ``).
    #[error("{what} is already used on line {first_line} for a different event")]
    DifferentEvent { what: String, first_line: usize },
    /// An id that would name two kinds of thing (`first`: `None` for an
    /// event).
    #[error("the id `{id}` would name both {} and a {}; rename one of them", a_kind(.first), .second.as_str())]
    TwoKinds { id: String, first: Option<RefKind>, second: RefKind },
    /// An event whose id an entity of the file has (`kind`: `None` for
    /// another event).
    #[error("the event id `{id}` is already the id of a {}", .kind.map_or("event", RefKind::as_str))]
    EventIdTaken { id: String, kind: Option<RefKind> },
    /// An id the log holds with other content: `differences` lists the
    /// fields that differ, with both values.
    #[error("event id `{id}` is already stored (record {seq}) with different content ({}); ids are permanent, so give the new event another id, or retract the old one", joined(.differences))]
    Stored { id: String, seq: u64, differences: Vec<Difference> },
    /// A retraction of an event already retracted.
    #[error("`{id}` is already retracted by `{by}`")]
    AlreadyRetracted { id: String, by: String },
    /// A reference to a retracted source, actor or place.
    #[error("field `{field}` names `{id}`, {} {} retracted by `{by}`; a retraction cannot be undone, so to name this {} again declare it under a new id and name that", if *.kind == RefKind::Actor { "an" } else { "a" }, .kind.as_str(), .kind.as_str())]
    NamesRetracted { field: &'static str, id: String, kind: RefKind, by: String },
    /// A new entity of format v1 with an id in a dataset importer's
    /// namespace, not in that importer's shape.
    #[error("{0}")]
    Owned(Box<OwnedId>),
}

impl Problem {
    /// The kind of problem, in snake case, stable for scripts: one of
    /// [`Problem::KINDS`]. A problem [`In`](Problem::In) a column has the
    /// kind of the problem found there.
    pub fn kind(&self) -> &'static str {
        use v1::LineError as L;
        match self {
            Problem::NotUtf8(_) => "not_utf8",
            Problem::TooLong(_) => "line_too_long",
            Problem::MalformedCsv(_) => "malformed_csv",
            Problem::Interchange(e) => match e {
                L::Json(_) => "not_json",
                L::MissingType | L::MissingField { .. } => "missing_field",
                L::UnknownType(_) => "unknown_type",
                L::UnknownField { .. } => "unknown_field",
                L::DuplicateField { .. } => "duplicate_field",
                L::MisplacedField { .. } => "misplaced_field",
                L::BadValue { .. } => "bad_value",
                L::BadDate { .. } => "bad_date",
                L::BadId { .. } => "bad_id",
            },
            Problem::EmptyFile { .. } => "empty_file",
            Problem::MissingColumn { .. } | Problem::MissingColumnBeside { .. } => "missing_column",
            Problem::DuplicateColumn { .. } => "duplicate_column",
            Problem::Width { .. } => "wrong_width",
            Problem::In { problem, .. } => problem.kind(),
            Problem::EmptyColumn { .. }
            | Problem::TypeWithoutActor { .. }
            | Problem::Lacks(_)
            | Problem::Unnamed(_) => "missing_value",
            Problem::Invalid { .. } | Problem::PrecisionCode(_) => "bad_value",
            Problem::NotADate { .. }
            | Problem::NoSuchDate { .. }
            | Problem::NoYear(_)
            | Problem::DayOutOfRange(_)
            | Problem::YearOutOfRange(_)
            | Problem::Date(_) => "bad_date",
            Problem::NoIdLetters { .. } | Problem::NoValidId { .. } | Problem::Id(_) => "bad_id",
            Problem::UnknownCode { .. } | Problem::UnknownState { .. } => "unknown_code",
            Problem::PartyCount { .. } | Problem::MixedParties { .. } => "inconsistent_record",
            Problem::ThirdRow { .. }
            | Problem::DifferentEvent { .. }
            | Problem::TwoKinds { .. }
            | Problem::EventIdTaken { .. } => "duplicate_id",
            Problem::RowsDiffer { .. } | Problem::Stored { .. } => "conflicting_content",
            Problem::UnknownReference { .. } => "unknown_reference",
            Problem::RetractsRetraction(_) => "retracts_retraction",
            Problem::AlreadyRetracted { .. } | Problem::NamesRetracted { .. } => "retracted",
            Problem::Owned(_) => "owned_id",
        }
    }

    /// Every kind [`Problem::kind`] gives.
    pub const KINDS: &'static [&'static str] = &[
        "not_utf8",
        "line_too_long",
        "malformed_csv",
        "not_json",
        "missing_field",
        "unknown_type",
        "unknown_field",
        "duplicate_field",
        "misplaced_field",
        "empty_file",
        "missing_column",
        "duplicate_column",
        "wrong_width",
        "missing_value",
        "bad_value",
        "bad_date",
        "bad_id",
        "unknown_code",
        "inconsistent_record",
        "duplicate_id",
        "conflicting_content",
        "unknown_reference",
        "retracts_retraction",
        "retracted",
        "owned_id",
    ];

    /// `problem` in column `column`.
    pub(crate) fn in_column(column: &str, problem: Problem) -> Problem {
        Problem::In { at: At::Column(column.to_string()), problem: Box::new(problem) }
    }

    /// `problem` in the columns `columns`.
    pub(crate) fn in_columns(columns: &[&str], problem: Problem) -> Problem {
        let at = At::Columns(columns.iter().map(|c| c.to_string()).collect());
        Problem::In { at, problem: Box::new(problem) }
    }

    /// In column `column`: `value` is not `expected`.
    pub(crate) fn invalid(column: &str, value: &str, expected: Expected) -> Problem {
        Problem::in_column(column, Problem::not(value, expected))
    }

    /// `value` is not `expected` (no column named).
    pub(crate) fn not(value: &str, expected: Expected) -> Problem {
        Problem::Invalid { value: quoted(value), expected }
    }

    /// In column `column`: `value` is not a date in the format `expected`.
    pub(crate) fn not_a_date(column: &str, value: &str, expected: &'static str) -> Problem {
        Problem::in_column(column, Problem::NotADate { value: quoted(value), expected, why: None })
    }

    /// In column `column`: `value` has nothing to make an id from.
    pub(crate) fn no_id_letters(column: &str, value: &str, letters: &'static str) -> Problem {
        Problem::in_column(column, Problem::NoIdLetters { value: quoted(value), letters })
    }

    /// `value` makes no valid id.
    pub(crate) fn no_valid_id(value: &str, error: IdError) -> Problem {
        Problem::NoValidId { value: quoted(value), error }
    }
}

/// A new entity of format v1 whose id is in an importer's namespace and
/// that is not one that importer makes ([`Problem::Owned`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedId {
    pub id: String,
    /// Its `type`: `actor`, `place` or `source`.
    pub what: &'static str,
    /// The importer, as messages name it (`ACLED`, `UCDP`).
    pub importer: &'static str,
    /// The prefix of its namespace the id falls under.
    pub prefix: &'static str,
    /// The ids of the importer's dataset sources, to cite instead.
    pub cite: Vec<&'static str>,
    /// What sets it apart from what the importer makes.
    pub unlike: Unlike,
}

impl fmt::Display for OwnedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let OwnedId { id, what, importer, prefix, unlike, .. } = self;
        let cite: Vec<String> = self.cite.iter().map(|c| format!("`{c}`")).collect();
        let cite = match &cite[..] {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        };
        write!(
            f,
            "the {what} id `{id}` is in the namespace of the {importer} importer (`{prefix}`), \
             which takes a stored {what} of that id as its own, and this {what} is not one it makes \
             ({unlike}); give it an id outside `{prefix}`, and cite {importer} as a source \
             ({cite}) or join it to {importer}'s with `annals link`"
        )
    }
}

/// What sets an entity in an importer's namespace apart from those the
/// importer makes ([`OwnedId::unlike`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unlike {
    /// A date, sources or a note (the ACLED importer writes none).
    DatedOrNoted,
    /// A date or sources.
    Dated,
    ClaimedBy,
    Aliases,
    /// An id that does not end in the slug of its name (or title).
    NotFromName(String),
    /// A source whose publisher is not the dataset's.
    PublisherNot(&'static str),
    /// A source with a publisher where the importer gives none.
    Publisher,
    /// A source id the importer does not make: how it names its sources.
    SourceId(&'static str, String),
}

impl fmt::Display for Unlike {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unlike::DatedOrNoted => f.write_str("it has a date, sources or a note"),
            Unlike::Dated => f.write_str("it has a date or sources"),
            Unlike::ClaimedBy => f.write_str("it has `claimed_by`"),
            Unlike::Aliases => f.write_str("it has aliases"),
            Unlike::NotFromName(slug) => {
                write!(f, "its id does not end in `{slug}`, made from its name")
            }
            Unlike::PublisherNot(publisher) => write!(f, "its publisher is not {publisher}"),
            Unlike::Publisher => f.write_str("it has a publisher"),
            Unlike::SourceId(importer, names) => {
                write!(f, "the {importer} importer names its sources {names}")
            }
        }
    }
}

/// What a column holds, where a value is not that ([`Problem::Invalid`]):
/// its `Display` is the phrase the message ends with (`0 or 1`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Expected {
    /// `0 or 1`.
    Flag,
    /// A whole number (a count, a year, a code).
    WholeNumber,
    /// A number (a year, month or day of COW's, where negative numbers
    /// code what is unknown).
    Number,
    /// A number of people (ACLED's fatalities).
    People,
    /// A latitude or longitude, not said which.
    Coordinate,
    Latitude,
    Longitude,
    /// A day as a number of days since 1899-12-30.
    ExcelSerialDay,
    AcledEventId,
    AcledEventType,
    AcledTimePrecision,
    /// An ACLED actor type for the actor `actor` (as messages quote it).
    AcledActorType {
        actor: String,
    },
    GdeltEventId,
    GdeltLocationType,
    GdeltFeatureId,
    CameoRootCode,
    CameoActorCode,
    UcdpId,
    /// A UCDP actor id, for the actor `actor` when one is named (as
    /// messages quote it).
    UcdpActorId {
        actor: Option<String>,
    },
    UcdpOrganizationCode,
    AtopAllianceId,
    CowCode,
    PowellThyneOutcome,
    ClineCoupId,
    ClineEventType,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Expected as E;
        f.write_str(match self {
            E::AcledActorType { actor } => {
                return write!(
                    f,
                    "an ACLED actor type (1 state forces … 8 external/other forces) for `{actor}`"
                )
            }
            E::UcdpActorId { actor: Some(actor) } => {
                return write!(f, "a UCDP actor id (digits), for `{actor}`")
            }
            E::Flag => "0 or 1",
            E::WholeNumber => "a whole number",
            E::Number => "a number",
            E::People => "a number of people",
            E::Coordinate => "a coordinate in decimal degrees",
            E::Latitude => "a latitude in decimal degrees",
            E::Longitude => "a longitude in decimal degrees",
            E::ExcelSerialDay => "an Excel serial day",
            E::AcledEventId => "an ACLED event id (letters and digits)",
            E::AcledEventType => "an ACLED event type this importer knows",
            E::AcledTimePrecision => {
                "an ACLED time precision (1 the day, 2 about that day, 3 only the month)"
            }
            E::GdeltEventId => "a GDELT event id (digits)",
            E::GdeltLocationType => "a GDELT location type (0 to 5)",
            E::GdeltFeatureId => "a GDELT feature id",
            E::CameoRootCode => "a CAMEO root code (1 to 20)",
            E::CameoActorCode => "a CAMEO actor code",
            E::UcdpId => "a UCDP id (digits)",
            E::UcdpActorId { actor: None } => "a UCDP actor id (digits)",
            E::UcdpOrganizationCode => "a UCDP organization code (1, 2, 3)",
            E::AtopAllianceId => "an ATOP alliance id (digits)",
            E::CowCode => "a COW code",
            E::PowellThyneOutcome => "a Powell & Thyne outcome (1 failed, 2 successful)",
            E::ClineCoupId => "a Cline coup id (digits, maybe a letter)",
            E::ClineEventType => "a Cline event type (coup, attempted, conspiracy)",
        })
    }
}

/// A field of format v1 in which an event differs from the stored event
/// with its id ([`Problem::Stored`]). Values are JSON, quoted as messages
/// quote untrusted text; `None` where the event does not give the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub field: String,
    /// The stored event's value.
    pub stored: Option<String>,
    /// The new event's value.
    pub here: Option<String>,
    /// Set when both are texts that look the same: they differ only in
    /// Unicode normalisation form.
    pub normalization: Option<NormalizationDifference>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "not given".to_string());
        write!(f, "`{}`: stored {}, here {}", self.field, shown(&self.stored), shown(&self.here))?;
        match &self.normalization {
            Some(why) => write!(f, " ({why})"),
            None => Ok(()),
        }
    }
}

fn joined(differences: &[Difference]) -> String {
    differences.iter().map(Difference::to_string).collect::<Vec<_>>().join("; ")
}

/// A value from a file as a message quotes it.
pub(crate) fn quoted(value: &str) -> String {
    excerpt(value).into_owned()
}

impl From<v1::LineError> for Problem {
    fn from(e: v1::LineError) -> Problem {
        Problem::Interchange(e)
    }
}

impl From<IdError> for Problem {
    fn from(e: IdError) -> Problem {
        Problem::Id(e)
    }
}

impl From<LineTooLong> for Problem {
    fn from(e: LineTooLong) -> Problem {
        Problem::TooLong(e)
    }
}

/// What is not UTF-8 ([`Problem::NotUtf8`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Line,
    Header,
    Record,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Line => "line",
            Unit::Header => "header",
            Unit::Record => "record",
        })
    }
}

/// Where in a record a problem is ([`Problem::In`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// One column.
    Column(String),
    /// Several columns read together (a year, a month and a day).
    Columns(Vec<String>),
    /// A column and those read after it (`columns `endmonth1`…`).
    ColumnsFrom(String),
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Column(c) => write!(f, "column `{c}`"),
            At::Columns(cs) => {
                let cs: Vec<String> = cs.iter().map(|c| format!("`{c}`")).collect();
                write!(f, "columns {}", cs.join(", "))
            }
            At::ColumnsFrom(c) => write!(f, "columns `{c}`…"),
        }
    }
}

fn with_open_quote(open: &Option<(usize, usize)>) -> String {
    match open {
        Some((field, breaks)) => {
            format!(
                "; its field {field} holds {breaks} line breaks, so a quote may never be closed"
            )
        }
        None => String::new(),
    }
}

fn because(why: &Option<CalendarError>) -> String {
    why.as_ref().map(|w| format!(": {w}")).unwrap_or_default()
}

fn and_name(name: &Option<(String, String)>) -> String {
    match name {
        Some((column, value)) => {
            format!(", and column `{column}` (`{value}`) names no state of its catalogue")
        }
        None => String::new(),
    }
}

fn a_kind(kind: &Option<RefKind>) -> String {
    kind.map_or("an event".to_string(), |k| format!("a {}", k.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind is snake case and listed in docs/API.md, where scripts
    /// look them up, and in the JSON schema of errors.
    #[test]
    fn every_kind_is_snake_case_and_documented() {
        let api = include_str!("../../../docs/API.md");
        let schema = include_str!("../../../docs/schema/annals.schema.json");
        for kind in Problem::KINDS {
            assert!(
                kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{kind}"
            );
            assert!(api.contains(&format!("`{kind}`")), "docs/API.md lacks `{kind}`");
            assert!(schema.contains(&format!("\"{kind}\"")), "the schema lacks `{kind}`");
        }
    }

    /// `kind` gives only kinds of the list (read from this file's source:
    /// every string a match arm of `kind` returns).
    #[test]
    fn every_kind_given_is_listed() {
        let source = include_str!("problem.rs");
        let body =
            &source[source.find("pub fn kind(").unwrap()..source.find("pub const KINDS").unwrap()];
        let given: Vec<&str> =
            body.split("=> \"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
        assert!(given.len() > 20, "{given:?}");
        for kind in given {
            assert!(Problem::KINDS.contains(&kind), "`{kind}` is not in KINDS");
        }
    }

    /// The phrases of [`Expected`] are part of messages scripts and
    /// people read: each one, as messages print it.
    #[test]
    fn what_a_column_holds_reads_as_before() {
        let cases = [
            (Expected::Flag, "0 or 1"),
            (Expected::Latitude, "a latitude in decimal degrees"),
            (Expected::UcdpActorId { actor: None }, "a UCDP actor id (digits)"),
            (
                Expected::UcdpActorId { actor: Some("Boko Haram".into()) },
                "a UCDP actor id (digits), for `Boko Haram`",
            ),
            (
                Expected::AcledActorType { actor: "Militia".into() },
                "an ACLED actor type (1 state forces … 8 external/other forces) for `Militia`",
            ),
        ];
        for (expected, phrase) in cases {
            let p = Problem::invalid("c", "x", expected);
            assert_eq!(p.to_string(), format!("column `c`: `x` is not {phrase}"));
            assert_eq!(p.kind(), "bad_value");
        }
    }

    /// A stored event's differences read as one list: each field with
    /// both values, `not given` where one lacks it, and what differs in
    /// texts that look the same.
    #[test]
    fn the_differences_of_a_stored_event_read_as_a_list() {
        let differences = vec![
            Difference {
                field: "actor".into(),
                stored: Some("\"Me\u{301}naka\"".into()),
                here: Some("\"Ménaka\"".into()),
                normalization: annals_model::normalization_difference("Me\u{301}naka", "Ménaka"),
            },
            Difference {
                field: "note".into(),
                stored: None,
                here: Some("\"x\"".into()),
                normalization: None,
            },
        ];
        let p = Problem::Stored { id: "e1".into(), seq: 4, differences };
        assert_eq!(
            p.to_string(),
            "event id `e1` is already stored (record 4) with different content (`actor`: stored \
             \"Me\u{301}naka\", here \"Ménaka\" (the same text in another Unicode normalisation \
             form: U+0065 U+0301 against U+00E9); `note`: stored not given, here \"x\"); ids are \
             permanent, so give the new event another id, or retract the old one"
        );
        assert_eq!(p.kind(), "conflicting_content");
    }

    #[test]
    fn a_problem_in_a_column_has_the_kind_of_the_problem() {
        let p = Problem::in_columns(
            &["year", "month", "day"],
            Problem::NoSuchDate {
                text: "1968-2-30".into(),
                why: CalendarError::NoSuchDay { year: 1968, month: 2, day: 30, last: 29 },
            },
        );
        assert_eq!(
            p.to_string(),
            "columns `year`, `month`, `day`: `1968-2-30` is not a date: \
             day 30 does not exist in 1968-02 (it has 29 days)"
        );
        assert_eq!(p.kind(), "bad_date");
        assert!(Problem::KINDS.contains(&p.kind()));
        let long = "x".repeat(500);
        let p = Problem::invalid("coup", &long, Expected::Flag);
        assert!(p.to_string().len() < 120, "{p}");
        assert_eq!(p.kind(), "bad_value");
    }
}
