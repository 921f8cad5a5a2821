//! The release an ACLED export is: ACLED names none in the file, so the
//! export is known by the last day any of its events was modified (the
//! greatest `timestamp`, a Unix time), which orders exports of one country
//! as ACLED made them, and by the days its events fall in (`covers`).
//!
//! Exports are per country (event ids begin with ACLED's code for the
//! country, `MLI`), so the release's source names it:
//! `acled:dataset:mli:2022-03-04`: the code most of its event ids begin
//! with (the pre-2019 Mali export holds one event, in Mali, coded `MAG`).
//! A file whose `country` column names several countries, or whose codes
//! tie, gets no release source (which one it revises would be a guess).

use std::collections::{BTreeMap, BTreeSet};

use annals_model::{Date, EventKind, Point, Qualifier, RefKind};
use chrono::{DateTime, Datelike, NaiveDate};

use super::rows::Row;
use super::ACLED_DATASET_SOURCE;
use crate::emit::Emitter;
use crate::Problem;

/// What the rows read so far say about the export's release.
#[derive(Debug, Default)]
pub(crate) struct Export {
    /// The greatest `timestamp` of a row, in seconds since the Unix epoch.
    modified: Option<i64>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    /// How many event ids begin with each country code (`mli`), and the
    /// countries the `country` column names.
    codes: BTreeMap<String, usize>,
    countries: BTreeSet<String>,
    line: usize,
}

impl Export {
    /// Takes in a row, with its `timestamp` cell ("" when the layout has none).
    pub(crate) fn row(&mut self, row: &Row, timestamp: &str) {
        if self.first.is_none() {
            self.line = row.line;
        }
        if !self.countries.contains(&row.country) {
            self.countries.insert(row.country.clone());
        }
        if let Ok(t) = timestamp.trim().parse::<i64>() {
            self.modified = Some(self.modified.map_or(t, |m| m.max(t)));
        }
        let (earliest, latest) = (row.date.earliest(), row.date.latest());
        self.first = Some(self.first.map_or(earliest, |f| f.min(earliest)));
        self.last = Some(self.last.map_or(latest, |l| l.max(latest)));
        let code: String = row
            .event_id_cnty
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        *self.codes.entry(code).or_default() += 1;
    }

    /// Emits the release's source at the end of the file, unless the file
    /// holds no row or rows of several countries.
    pub(crate) fn emit(&self, emitter: &mut Emitter<'_>) -> Result<(), (usize, Problem)> {
        let (Some(first), Some(last)) = (self.first, self.last) else { return Ok(()) };
        let [country] = self.countries.iter().collect::<Vec<_>>()[..] else { return Ok(()) };
        let most = self.codes.values().copied().max().unwrap_or(0);
        let [code] = self.codes.iter().filter(|(_, &n)| n == most).collect::<Vec<_>>()[..] else {
            return Ok(());
        };
        let code = code.0;
        if code.is_empty() {
            return Ok(());
        }
        let fail = |e: Problem| (self.line, e);
        let covers = Date::new(day(first).map_err(fail)?, Some(day(last).map_err(fail)?))
            .map_err(|e| fail(Problem::Date(e)))?;
        let modified = self
            .modified
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .map(|t| t.date_naive().format("%Y-%m-%d").to_string());
        let (id, title) = match &modified {
            Some(m) => (
                format!("{ACLED_DATASET_SOURCE}:{code}:{m}"),
                format!(
                    "ACLED export, {}, {first} to {last}, events as last modified by {m}",
                    country
                ),
            ),
            None => (
                format!("{ACLED_DATASET_SOURCE}:{code}:{first}-{last}"),
                format!("ACLED export, {country}, {first} to {last}"),
            ),
        };
        emitter
            .entity(self.line, RefKind::Source, &id, || EventKind::Source {
                title,
                publisher: Some("ACLED".to_string()),
                published: None,
                url: Some("https://acleddata.com".to_string()),
                release: modified.clone(),
                covers: Some(covers),
            })
            .map_err(fail)
    }
}

fn day(d: NaiveDate) -> Result<Point, Problem> {
    let year = u16::try_from(d.year()).map_err(|_| Problem::YearOutOfRange(d.year()))?;
    Point::new(year, Some(d.month() as u8), Some(d.day() as u8), Qualifier::Exact)
        .map_err(Problem::Date)
}
