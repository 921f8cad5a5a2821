//! Recorded-time cutoffs: "as the log knew things then" (`--known-at`).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::event::Recorded;

/// A point in recorded time: a timestamp, or a position in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownAt {
    /// Records the log learned at or before this time.
    Time(DateTime<Utc>),
    /// Records up to this sequence number.
    Seq(u64),
}

impl KnownAt {
    /// Whether the log knew `rec` at this point.
    pub fn includes(&self, rec: &Recorded) -> bool {
        match self {
            KnownAt::Time(t) => rec.recorded_at <= *t,
            KnownAt::Seq(n) => rec.seq <= *n,
        }
    }
}

/// Why a `--known-at` value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}`: {reason}")]
pub struct KnownAtError {
    pub input: String,
    pub reason: String,
}

impl FromStr for KnownAt {
    type Err = KnownAtError;

    /// An RFC 3339 time (`2024-01-01T00:00:00Z`) or `seq:N`.
    fn from_str(s: &str) -> Result<KnownAt, KnownAtError> {
        let err = |reason: String| KnownAtError { input: s.to_string(), reason };
        if let Some(n) = s.strip_prefix("seq:") {
            return n
                .parse()
                .map(KnownAt::Seq)
                .map_err(|_| err("expected seq:N with N a record number".into()));
        }
        DateTime::parse_from_rfc3339(s).map(|t| KnownAt::Time(t.with_timezone(&Utc))).map_err(|e| {
            err(format!("expected an RFC 3339 time like 2024-01-01T00:00:00Z, or seq:N ({e})"))
        })
    }
}

impl fmt::Display for KnownAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KnownAt::Time(t) => write!(f, "{}", t.to_rfc3339()),
            KnownAt::Seq(n) => write!(f, "seq:{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KnownAt;

    #[test]
    fn times_and_sequence_numbers_parse_and_print_back() {
        for s in ["seq:16", "2024-01-01T00:00:00+00:00"] {
            assert_eq!(s.parse::<KnownAt>().unwrap().to_string(), s);
        }
        assert_eq!(
            "2024-01-01T01:00:00+01:00".parse::<KnownAt>().unwrap().to_string(),
            "2024-01-01T00:00:00+00:00"
        );
        assert!("seq:x".parse::<KnownAt>().unwrap_err().to_string().contains("seq:N"));
        assert!("2024-01-01".parse::<KnownAt>().unwrap_err().to_string().contains("RFC 3339"));
    }
}
