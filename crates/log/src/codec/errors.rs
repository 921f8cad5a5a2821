//! Why stored bytes do not decode.

/// Why stored bytes could not be decoded. Carries no sequence number: the log
/// adds it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("record is {0} bytes, shorter than its 5-byte header")]
    Truncated(usize),
    #[error("record has format {0}, but this build reads only formats 1 to 3; upgrade annals")]
    UnknownFormat(u8),
    #[error(
        "checksum mismatch (stored {stored:08x}, computed {computed:08x}): the record is damaged"
    )]
    Checksum { stored: u32, computed: u32 },
    #[error("record payload does not decode: {0}")]
    Payload(String),
    #[error("record decodes but holds an invalid value: {0}")]
    Invalid(InvalidValue),
    /// A block's header is damaged, so its records cannot be told apart.
    #[error("damaged block: {0}")]
    Block(String),
}

/// A value a record decodes to but that is not valid ([`DecodeError::Invalid`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidValue {
    /// A code of a date's qualifier beyond those known.
    #[error("date qualifier code {0}")]
    DateQualifier(u8),
    /// A date the model refuses.
    #[error("{0}")]
    Date(annals_model::CalendarError),
    /// An id that is not a slug.
    #[error("{0}")]
    Id(#[from] annals_model::IdError),
    /// A latitude or longitude beyond its limit (as written).
    #[error("{what} {value} is outside -{limit}..{limit}")]
    Coordinate { what: &'static str, value: String, limit: String },
    /// A code of a keyword (a kind, a claim …) beyond those known.
    #[error("{what} code {code}")]
    Code { what: &'static str, code: u8 },
    /// A recorded time beyond what a timestamp holds.
    #[error("recorded time {0} µs is out of range")]
    RecordedTime(i64),
    /// A `same_as` or `identifiers` event whose parts do not fit together
    /// (fewer than two ids, both actors and places, no identifier).
    #[error("{0}")]
    Shape(&'static str),
}
