//! Historians' dates: the EDTF (ISO 8601-2) subset `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
//! each optionally followed by `?` (uncertain) or `~` (approximate), and intervals
//! `A/B` of those. Every date denotes an interval of days `[earliest, latest]`.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::text::excerpt;

/// How much of a calendar date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    Year,
    Month,
    Day,
}

/// The EDTF qualifier of a date: `?` uncertain, `~` approximate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Qualifier {
    #[default]
    Exact,
    Uncertain,
    Approximate,
}

/// One calendar point at some precision: `2023`, `2023-10`, `2023-10-01~`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Point {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
    qualifier: Qualifier,
}

/// A date as historians write it: one point, or an interval `A/B` of two.
///
/// ```
/// use annals_model::Date;
/// let d: Date = "2023-10".parse().unwrap();
/// assert_eq!(d.earliest().to_string(), "2023-10-01");
/// assert_eq!(d.latest().to_string(), "2023-10-31");
/// assert_eq!(d.to_string(), "2023-10");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    start: Point,
    end: Option<Point>,
}

/// Why a date string is not a date this program understands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid date `{}`: {reason}", crate::text::excerpt(.input))]
pub struct DateError {
    input: String,
    reason: String,
}

impl DateError {
    fn new(input: &str, reason: impl ToString) -> DateError {
        DateError { input: input.to_string(), reason: reason.to_string() }
    }
}

/// Why a year, month and day (or two points of an interval) make no date:
/// what [`Point::new`] and [`Date::new`] refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// A year past 9999.
    #[error("year {0} has more than four digits")]
    YearTooLong(u16),
    /// A day given without its month.
    #[error("a day needs a month")]
    DayWithoutMonth,
    /// A month outside 1 to 12.
    #[error("month {0} does not exist")]
    NoSuchMonth(u8),
    /// A day past the end of its month, which has `last` days.
    #[error("day {day} does not exist in {year:04}-{month:02} (it has {last} days)")]
    NoSuchDay { year: u16, month: u8, day: u8, last: u8 },
    /// An interval whose end lies wholly before its start.
    #[error("the interval ends before it starts")]
    EndsBeforeStart,
}

impl Point {
    /// Builds a point, checking that it names a real calendar day, month or year.
    pub fn new(
        year: u16,
        month: Option<u8>,
        day: Option<u8>,
        qualifier: Qualifier,
    ) -> Result<Point, CalendarError> {
        if year > 9999 {
            return Err(CalendarError::YearTooLong(year));
        }
        if day.is_some() && month.is_none() {
            return Err(CalendarError::DayWithoutMonth);
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(CalendarError::NoSuchMonth(m));
            }
        }
        if let (Some(m), Some(d)) = (month, day) {
            if NaiveDate::from_ymd_opt(i32::from(year), u32::from(m), u32::from(d)).is_none() {
                let last = last_day_of_month(year, m);
                return Err(CalendarError::NoSuchDay { year, month: m, day: d, last });
            }
        }
        Ok(Point { year, month, day, qualifier })
    }

    pub fn year(&self) -> u16 {
        self.year
    }
    pub fn month(&self) -> Option<u8> {
        self.month
    }
    pub fn day(&self) -> Option<u8> {
        self.day
    }
    pub fn qualifier(&self) -> Qualifier {
        self.qualifier
    }

    pub fn precision(&self) -> Precision {
        match (self.month, self.day) {
            (None, _) => Precision::Year,
            (Some(_), None) => Precision::Month,
            (Some(_), Some(_)) => Precision::Day,
        }
    }

    /// The first day this point may denote.
    pub fn earliest(&self) -> NaiveDate {
        let m = self.month.unwrap_or(1);
        let d = self.day.unwrap_or(1);
        ymd(self.year, m, d)
    }

    /// The last day this point may denote.
    pub fn latest(&self) -> NaiveDate {
        let m = self.month.unwrap_or(12);
        let d = self.day.unwrap_or_else(|| last_day_of_month(self.year, m));
        ymd(self.year, m, d)
    }
}

fn ymd(year: u16, month: u8, day: u8) -> NaiveDate {
    // Points are validated on construction, so this cannot fail.
    NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
        .expect("validated calendar point")
}

fn last_day_of_month(year: u16, month: u8) -> u8 {
    let (y, m) = if month == 12 { (i32::from(year) + 1, 1) } else { (i32::from(year), month + 1) };
    let first_next = NaiveDate::from_ymd_opt(y, u32::from(m), 1).expect("valid month");
    first_next.pred_opt().expect("valid day").day() as u8
}

impl Date {
    /// A single day, exactly known.
    pub fn day(date: NaiveDate) -> Date {
        let point = Point {
            year: date.year() as u16,
            month: Some(date.month() as u8),
            day: Some(date.day() as u8),
            qualifier: Qualifier::Exact,
        };
        Date { start: point, end: None }
    }

    /// A point date, or an interval `start/end` (which must not run backwards).
    pub fn new(start: Point, end: Option<Point>) -> Result<Date, CalendarError> {
        if let Some(end) = end {
            if end.latest() < start.earliest() {
                return Err(CalendarError::EndsBeforeStart);
            }
        }
        Ok(Date { start, end })
    }

    pub fn start(&self) -> Point {
        self.start
    }
    pub fn end(&self) -> Option<Point> {
        self.end
    }

    /// The first day the date may denote.
    pub fn earliest(&self) -> NaiveDate {
        self.start.earliest()
    }

    /// The last day the date may denote.
    pub fn latest(&self) -> NaiveDate {
        self.end.unwrap_or(self.start).latest()
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(input: &str) -> Result<Date, DateError> {
        let mut parts = input.split('/');
        let first = parts.next().unwrap_or("");
        let second = parts.next();
        if parts.next().is_some() {
            return Err(DateError::new(input, "an interval has exactly one `/`"));
        }
        let start = parse_point(first).map_err(|r| DateError::new(input, r))?;
        let end = match second {
            None => None,
            Some(s) => Some(parse_point(s).map_err(|r| DateError::new(input, r))?),
        };
        Date::new(start, end).map_err(|r| DateError::new(input, r))
    }
}

fn parse_point(s: &str) -> Result<Point, String> {
    let (body, qualifier) = match s.as_bytes().last() {
        Some(b'?') => (&s[..s.len() - 1], Qualifier::Uncertain),
        Some(b'~') => (&s[..s.len() - 1], Qualifier::Approximate),
        _ => (s, Qualifier::Exact),
    };
    if body.is_empty() {
        return Err(
            "expected YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by `?` or `~`".to_string()
        );
    }
    let fields: Vec<&str> = body.split('-').collect();
    let expected = [4, 2, 2];
    if fields.len() > 3 {
        return Err("expected YYYY, YYYY-MM or YYYY-MM-DD".to_string());
    }
    let mut numbers = [0u16; 3];
    for (i, field) in fields.iter().enumerate() {
        let what = ["year", "month", "day"][i];
        if field.len() != expected[i] || !field.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "the {what} `{}` must be {} digits (expected YYYY, YYYY-MM or YYYY-MM-DD)",
                excerpt(field),
                expected[i]
            ));
        }
        numbers[i] = field
            .parse()
            .map_err(|_| format!("the {what} `{}` is not a number", excerpt(field)))?;
    }
    let month = (fields.len() >= 2).then_some(numbers[1] as u8);
    let day = (fields.len() == 3).then_some(numbers[2] as u8);
    Point::new(numbers[0], month, day, qualifier).map_err(|e| e.to_string())
}

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        match self.qualifier {
            Qualifier::Exact => Ok(()),
            Qualifier::Uncertain => f.write_str("?"),
            Qualifier::Approximate => f.write_str("~"),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.start)?;
        if let Some(end) = self.end {
            write!(f, "/{end}")?;
        }
        Ok(())
    }
}

/// Parses a query date: a single calendar day `YYYY-MM-DD`.
pub fn parse_day(input: &str) -> Result<NaiveDate, DateError> {
    let date: Date = input.parse()?;
    if date.end.is_some()
        || date.start.precision() != Precision::Day
        || date.start.qualifier != Qualifier::Exact
    {
        return Err(DateError::new(input, "a query date must be one day, written YYYY-MM-DD"));
    }
    Ok(date.earliest())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn precisions_denote_intervals_of_days() {
        assert_eq!(
            (d("2012").earliest().to_string(), d("2012").latest().to_string()),
            ("2012-01-01".into(), "2012-12-31".into())
        );
        assert_eq!(d("2024-02").latest().to_string(), "2024-02-29");
        assert_eq!(d("2023-02").latest().to_string(), "2023-02-28");
        assert_eq!(d("2023-09-07~").earliest(), d("2023-09-07").latest());
        let between = d("2023-08/2023-10");
        assert_eq!(between.earliest().to_string(), "2023-08-01");
        assert_eq!(between.latest().to_string(), "2023-10-31");
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        let err = |s: &str| s.parse::<Date>().unwrap_err().to_string();
        assert_eq!(err("2022-13-45"), "invalid date `2022-13-45`: month 13 does not exist");
        assert_eq!(
            err("2023-02-30"),
            "invalid date `2023-02-30`: day 30 does not exist in 2023-02 (it has 28 days)"
        );
        assert!(err("0000-00-00").contains("month 0 does not exist"));
        assert!(err("99999-01-01").contains("must be 4 digits"));
        assert!(err("2023-10/2023-01").contains("ends before it starts"));
        assert!(err("").contains("expected YYYY"));
        assert!(err("2023-1-01").contains("must be 2 digits"));
        assert!(err("2023/2024/2025").contains("exactly one `/`"));
        assert!(err("+2023").contains("must be 4 digits"));
        let huge = err(&"9".repeat(10_000_000));
        assert!(huge.len() < 400, "a 10 MB date makes a {} byte message", huge.len());
        assert!(huge.contains("… (10000000 bytes)` must be 4 digits"), "{huge}");
    }

    #[test]
    fn query_days_are_exact_days() {
        assert_eq!(parse_day("2023-10-02").unwrap().to_string(), "2023-10-02");
        assert!(parse_day("2023-10").is_err());
        assert!(parse_day("2023-10-02?").is_err());
    }

    fn arb_point() -> impl Strategy<Value = Point> {
        (0u16..=9999, prop::option::of(1u8..=12), 1u8..=31, any::<bool>(), 0u8..3).prop_filter_map(
            "real calendar point",
            |(y, m, day, with_day, q)| {
                let q =
                    [Qualifier::Exact, Qualifier::Uncertain, Qualifier::Approximate][q as usize];
                Point::new(y, m, (with_day && m.is_some()).then_some(day), q).ok()
            },
        )
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(a in arb_point(), b in prop::option::of(arb_point())) {
            if let Ok(date) = Date::new(a, b) {
                let text = date.to_string();
                prop_assert_eq!(text.parse::<Date>().unwrap(), date);
                prop_assert!(date.earliest() <= date.latest());
            }
        }

        #[test]
        fn parsing_arbitrary_text_never_panics(s in "\\PC{0,24}") {
            let _ = s.parse::<Date>();
        }
    }
}
