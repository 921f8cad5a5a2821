//! The dates a question is asked about (`--on`, `--from`, `--to`) and the
//! recorded times it is asked as of (`--known-at`), as people write them.

use annals_model::{v1::excerpt, Date, KnownAt, Precision, Qualifier};
use chrono::{NaiveDate, NaiveTime, TimeDelta};

use crate::Error;

/// What a date argument should look like, said when it does not.
const EXPECTED: &str = "expected a date like 2023-10-02, 2023-10 or 2023";

/// A `--on` argument: one day, or a whole month or year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum On {
    Day(NaiveDate),
    Period(Period),
}

/// A month or a year asked about: its days `from` to `to`, both included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// As it was written: `2023-10`, `2023`.
    pub asked: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// `2023-10 (2023-10-01 to 2023-10-31)`.
    pub fn label(&self) -> String {
        format!("{} ({} to {})", self.asked, self.from, self.to)
    }
}

/// A `--on` argument that may be a day (`2023-10-02`), a month
/// (`2023-10`) or a year (`2023`); `name` prefixes the error.
pub fn parse_on(name: &str, text: &str) -> Result<On, Error> {
    let date = exact_date(name, text)?;
    if date.start().precision() == Precision::Day {
        return Ok(On::Day(date.earliest()));
    }
    Ok(On::Period(Period {
        asked: text.trim().to_string(),
        from: date.earliest(),
        to: date.latest(),
    }))
}

/// A day argument (`--on`, `--from`, `--to`) of a question answered for
/// one day: a month or a year is refused, saying so; `name` prefixes the
/// error.
pub fn parse_day_arg(name: &str, text: &str) -> Result<NaiveDate, Error> {
    match parse_on(name, text)? {
        On::Day(day) => Ok(day),
        On::Period(p) => {
            let what = if p.asked.len() == 4 { "a year" } else { "a month" };
            Err(Error::Argument(format!(
                "{name}: `{}` is {what} ({} to {}), and this question is answered for one day: give a day such as {}",
                p.asked, p.from, p.to, p.from
            )))
        }
    }
}

/// A `--known-at` argument: a date (`2024-01-01`, `2024-01`, `2024`),
/// meaning as the log knew things at the end of its last day, UTC (every
/// record recorded that day counts); an RFC 3339 time; or `seq:N`. `name`
/// prefixes the error.
pub fn parse_known_at(name: &str, text: &str) -> Result<KnownAt, Error> {
    let looks_like_date = text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    if looks_like_date && text.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        let date = exact_date(name, text)?;
        let end =
            date.latest().and_time(NaiveTime::MIN) + TimeDelta::days(1) - TimeDelta::nanoseconds(1);
        return Ok(KnownAt::Time(end.and_utc()));
    }
    if text.starts_with("seq:") || text.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|e| Error::Argument(format!("{name} {e}")));
    }
    Err(Error::Argument(format!(
        "{name}: `{}` is not a date: {EXPECTED}, or a time like 2024-01-01T12:00:00Z, or seq:N (a record number)",
        excerpt(text)
    )))
}

/// A date without qualifier or interval: a day, a month or a year.
fn exact_date(name: &str, text: &str) -> Result<Date, Error> {
    let text = text.trim();
    if !text.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return Err(Error::Argument(format!(
            "{name}: `{}` is not a date: {EXPECTED}",
            excerpt(text)
        )));
    }
    let date: Date = text.parse().map_err(|e| Error::Argument(format!("{name}: {e}")))?;
    if date.end().is_some() {
        return Err(Error::Argument(format!(
            "{name}: `{}` is an interval; {EXPECTED}",
            excerpt(text)
        )));
    }
    if date.start().qualifier() != Qualifier::Exact {
        return Err(Error::Argument(format!(
            "{name}: `{}` is uncertain or approximate; ask about an exact day, month or year ({})",
            excerpt(text),
            EXPECTED.trim_start_matches("expected ")
        )));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn on_takes_a_day_a_month_or_a_year() {
        assert_eq!(parse_on("--on", "2023-10-02").unwrap(), On::Day(day("2023-10-02")));
        let month =
            Period { asked: "2024-02".into(), from: day("2024-02-01"), to: day("2024-02-29") };
        assert_eq!(parse_on("--on", "2024-02").unwrap(), On::Period(month));
        let On::Period(year) = parse_on("--on", "2023").unwrap() else { panic!("a year") };
        assert_eq!((year.from, year.to), (day("2023-01-01"), day("2023-12-31")));
        for bad in ["2023-10~", "2023?", "2023-08/2023-10", "2023-13", "yesterday", ""] {
            assert!(parse_on("--on", bad).is_err(), "{bad}");
        }
        let e = parse_on("--on", "yesterday").unwrap_err().to_string();
        assert_eq!(
            e,
            "--on: `yesterday` is not a date: expected a date like 2023-10-02, 2023-10 or 2023"
        );
        assert!(parse_day_arg("--on", "2023-10").unwrap_err().to_string().contains("a month"));
    }

    #[test]
    fn known_at_a_date_is_the_end_of_its_last_day() {
        let end = |s: &str| match parse_known_at("--known-at", s).unwrap() {
            KnownAt::Time(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            other => panic!("{other:?}"),
        };
        assert_eq!(end("2024-01-01"), "2024-01-01T23:59:59.999999999Z");
        assert_eq!(end("2024-02"), "2024-02-29T23:59:59.999999999Z");
        assert_eq!(end("2023"), "2023-12-31T23:59:59.999999999Z");
        assert_eq!(end("2024-01-01T12:00:00Z"), "2024-01-01T12:00:00.000000000Z");
        assert_eq!(parse_known_at("k", "seq:3").unwrap(), KnownAt::Seq(3));
        let e = parse_known_at("--known-at", "yesterday").unwrap_err().to_string();
        assert!(e.contains("expected a date like 2023-10-02, 2023-10 or 2023, or a time like 2024-01-01T12:00:00Z"), "{e}");
        assert!(parse_known_at("k", "2024-13-01").unwrap_err().to_string().contains("month"));
        assert!(parse_known_at("k", "2024-01-01T25:00:00Z").is_err());
    }
}
