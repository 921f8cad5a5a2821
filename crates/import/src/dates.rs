//! Dates as datasets write them, turned into EDTF dates with exactly the
//! precision the dataset gives: separate year, month and day columns with
//! codes for what is unknown, UCDP's precision codes, Excel serial days.

use annals_model::{Date, Point, Qualifier};
use chrono::{Datelike, NaiveDate};

use crate::Problem;

/// A date from a year and, when known, a month and a day: `1968`,
/// `1968-11`, `1968-11-19`. A day without a month is refused.
pub(crate) fn ymd(year: u16, month: Option<u8>, day: Option<u8>) -> Result<Date, Problem> {
    let day = if month.is_some() { day } else { None };
    let point = Point::new(year, month, day, Qualifier::Exact).map_err(|why| {
        let text =
            [Some(year.to_string()), month.map(|m| m.to_string()), day.map(|d| d.to_string())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("-");
        Problem::NoSuchDate { text, why }
    })?;
    Date::new(point, None).map_err(Problem::Date)
}

/// The years from the first to the last, as a date: `1950/2022`, or one
/// year alone.
pub(crate) fn years(first: u16, last: u16) -> Result<Date, Problem> {
    let point = |y| Point::new(y, None, None, Qualifier::Exact).map_err(Problem::Date);
    if first == last {
        return Date::new(point(first)?, None).map_err(Problem::Date);
    }
    Date::new(point(first)?, Some(point(last)?)).map_err(Problem::Date)
}

/// A day written `YYYY-MM-DD`.
pub(crate) fn parse_iso_day(column: &str, text: &str) -> Result<NaiveDate, Problem> {
    let ok = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    ok.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Problem::not_a_date(column, text, "YYYY-MM-DD"))
}

/// A date at one of the precision codes of the UCDP/PRIO scheme (as the
/// PRIF codebook v1.13 states it), given the day the dataset recorded:
///
/// | code | meaning | annals |
/// |---|---|---|
/// | 1 | the exact day | `D` |
/// | 2 | the day assigned (around that day) | `D~` |
/// | 3 | within a 30-day period, recorded as its last day | `D-29/D` |
/// | 4 | the month assigned: only the year is known | `YYYY` |
/// | 5 | only the year (or a part of it ending on the day recorded) | `YYYY` |
/// | 6 | even the year is disputed | `YYYY?` |
/// | 7 | the year is missing | no date: `None` |
///
/// An empty code (UCDP leaves `ep_end_prec` empty) keeps the day as given.
pub(crate) fn precise(d: NaiveDate, code: Option<u8>) -> Result<Option<Date>, Problem> {
    let model = Problem::Date;
    let year = u16::try_from(d.year()).map_err(|_| Problem::DayOutOfRange(d))?;
    let year_point = |q| Point::new(year, None, None, q).map_err(model);
    Ok(Some(match code {
        None | Some(1) => Date::day(d),
        Some(2) => {
            let p = Point::new(
                year,
                Some(d.month() as u8),
                Some(d.day() as u8),
                Qualifier::Approximate,
            )
            .map_err(model)?;
            Date::new(p, None).map_err(model)?
        }
        Some(3) => {
            let from = d - chrono::Days::new(29);
            Date::new(day_point(from)?, Some(day_point(d)?)).map_err(model)?
        }
        Some(4 | 5) => Date::new(year_point(Qualifier::Exact)?, None).map_err(model)?,
        Some(6) => Date::new(year_point(Qualifier::Uncertain)?, None).map_err(model)?,
        Some(7) => return Ok(None),
        Some(other) => return Err(Problem::PrecisionCode(other)),
    }))
}

fn day_point(d: NaiveDate) -> Result<Point, Problem> {
    let year = u16::try_from(d.year()).map_err(|_| Problem::DayOutOfRange(d))?;
    Point::new(year, Some(d.month() as u8), Some(d.day() as u8), Qualifier::Exact)
        .map_err(Problem::Date)
}

/// The day an Excel serial number stands for (day 0 is 1899-12-30, so that
/// Excel's phantom 29 February 1900 falls before every serial a dataset
/// of events after 1900 holds).
pub(crate) fn excel_day(serial: i64) -> Option<NaiveDate> {
    let origin = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = u64::try_from(serial).ok()?;
    origin.checked_add_days(chrono::Days::new(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn dates_keep_the_precision_the_dataset_gives() {
        assert_eq!(ymd(1968, Some(11), Some(19)).unwrap().to_string(), "1968-11-19");
        assert_eq!(ymd(1968, Some(11), None).unwrap().to_string(), "1968-11");
        assert_eq!(ymd(1968, None, Some(19)).unwrap().to_string(), "1968");
        assert!(ymd(1968, Some(2), Some(30))
            .unwrap_err()
            .to_string()
            .contains("`1968-2-30` is not a date"));
        assert_eq!(years(1950, 2022).unwrap().to_string(), "1950/2022");
        assert_eq!(years(1991, 1991).unwrap().to_string(), "1991");
    }

    #[test]
    fn precision_codes_widen_the_day_and_never_invent_one() {
        let p = |s: &str, c| precise(d(s), c).unwrap().map(|d| d.to_string());
        assert_eq!(p("1990-07-21", Some(1)).unwrap(), "1990-07-21");
        assert_eq!(p("1990-07-21", Some(2)).unwrap(), "1990-07-21~");
        assert_eq!(p("1990-07-31", Some(3)).unwrap(), "1990-07-02/1990-07-31");
        assert_eq!(p("1990-02-28", Some(4)).unwrap(), "1990");
        assert_eq!(p("1990-12-31", Some(5)).unwrap(), "1990");
        assert_eq!(p("1990-12-31", Some(6)).unwrap(), "1990?");
        assert_eq!(p("1990-12-31", Some(7)), None);
        assert_eq!(p("2009-07-16", None).unwrap(), "2009-07-16");
        assert_eq!(precise(d("1990-12-31"), Some(8)), Err(Problem::PrecisionCode(8)));
    }

    #[test]
    fn excel_serials_count_from_1899_12_30() {
        assert_eq!(excel_day(41285), Some(d("2013-01-11")));
        assert_eq!(excel_day(22112), Some(d("1960-07-15")));
        assert_eq!(excel_day(-1), None);
    }
}
