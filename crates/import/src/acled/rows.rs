//! ACLED records: the columns of the three layouts, the event types and
//! what each becomes, and a row checked into its fields (dates at ACLED's
//! time precision, actors with their inter codes, coordinates).

use std::collections::HashMap;

use annals_model::{
    is_coordinate, CalendarError, Date, Point, Qualifier, LATITUDE_LIMIT, LONGITUDE_LIMIT,
};

use crate::problem::quoted;
use crate::records::Record;
use crate::{Expected, Problem};

/// Columns every layout has.
pub(crate) const REQUIRED: [&str; 15] = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "inter1",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "source",
    "notes",
    "fatalities",
];

/// Columns read when a layout has them.
pub(crate) const OPTIONAL: [&str; 5] =
    ["sub_event_type", "actor2", "inter2", "assoc_actor_1", "assoc_actor_2"];

/// Where each column sits in a record.
pub(crate) struct Columns {
    pub(crate) index: HashMap<String, usize>,
    pub(crate) width: usize,
    /// No `actor2` column: one row per actor.
    pub(crate) monadic: bool,
}

impl Columns {
    pub(crate) fn from_header(header: &Record) -> Result<Columns, Vec<Problem>> {
        let mut index = HashMap::new();
        let mut twice = Vec::new();
        for (i, name) in header.fields.iter().enumerate() {
            let name = name.trim().to_ascii_lowercase();
            if let Some(&first) = index.get(&name) {
                if REQUIRED.contains(&name.as_str()) || OPTIONAL.contains(&name.as_str()) {
                    let (first, second) = (first + 1, i + 1);
                    twice.push(Problem::DuplicateColumn { column: name, first, second });
                }
                continue;
            }
            index.insert(name, i);
        }
        let mut missing: Vec<Problem> = twice
            .into_iter()
            .chain(
                REQUIRED
                    .iter()
                    .filter(|c| !index.contains_key(**c))
                    .map(|&column| Problem::MissingColumn { column, what: "an ACLED export" }),
            )
            .collect();
        let monadic = !index.contains_key("actor2");
        if !monadic && !index.contains_key("inter2") {
            missing.push(Problem::MissingColumnBeside {
                column: "inter2",
                beside: "actor2",
                what: "an ACLED export",
            });
        }
        if missing.is_empty() {
            Ok(Columns { index, width: header.fields.len(), monadic })
        } else {
            Err(missing)
        }
    }

    /// The trimmed value of a column; "" when the layout has no such column.
    pub(crate) fn get<'r>(&self, record: &'r Record, column: &str) -> &'r str {
        self.index.get(column).and_then(|&i| record.fields.get(i)).map_or("", |s| s.trim())
    }

    /// The value of a column this layout may lack, `None` when absent or empty.
    pub(crate) fn optional<'r>(&self, record: &'r Record, column: &str) -> Option<&'r str> {
        Some(self.get(record, column)).filter(|s| !s.is_empty())
    }
}

/// HDX copies of ACLED carry a row of HXL hashtags (`#event+code`) under the header.
pub(crate) fn is_hxl_tag_row(record: &Record) -> bool {
    let mut tags = record.fields.iter().map(|f| f.trim()).filter(|f| !f.is_empty()).peekable();
    tags.peek().is_some() && tags.all(|f| f.starts_with('#'))
}

// ---------------------------------------------------------------------------
// Rows

/// What an ACLED event type becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mapping {
    Attack,
    /// `control_taken`: a non-state or foreign actor took the location by force.
    Overtakes,
    /// `control_taken`: government forces or their affiliates took it back.
    Regains,
    /// `control_taken` without a fight.
    NonViolent,
    /// `control_taken` of a base (a place of its own) at the location.
    Base,
    /// Not imported; counted in [`AcledImport::skipped`].
    Skip,
}

/// (`event_type`, `sub_event_type` or "" for any other, what it becomes).
/// The first block is the 2019 schema, the second the pre-2019 one.
pub(crate) const TYPES: &[(&str, &str, Mapping)] = &[
    ("Battles", "Non-state actor overtakes territory", Mapping::Overtakes),
    ("Battles", "Government regains territory", Mapping::Regains),
    ("Battles", "", Mapping::Attack),
    ("Explosions/Remote violence", "", Mapping::Attack),
    ("Violence against civilians", "", Mapping::Attack),
    ("Protests", "", Mapping::Skip),
    ("Riots", "", Mapping::Skip),
    ("Strategic developments", "Non-violent transfer of territory", Mapping::NonViolent),
    ("Strategic developments", "Headquarters or base established", Mapping::Base),
    ("Strategic developments", "", Mapping::Skip),
    ("Battle-No change of territory", "", Mapping::Attack),
    ("Battle-Non-state actor overtakes territory", "", Mapping::Overtakes),
    ("Battle-Government regains territory", "", Mapping::Regains),
    ("Remote violence", "", Mapping::Attack),
    ("Non-violent transfer of territory", "", Mapping::NonViolent),
    ("Headquarters or base established", "", Mapping::Base),
    ("Riots/Protests", "", Mapping::Skip),
    ("Strategic development", "", Mapping::Skip),
    ("Non-violent activity by a conflict actor", "", Mapping::Skip),
];

pub(crate) fn mapping(event_type: &str, sub_event_type: &str) -> Option<Mapping> {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let exact = TYPES
        .iter()
        .find(|(t, s, _)| !s.is_empty() && same(t, event_type) && same(s, sub_event_type));
    let any = || TYPES.iter().find(|(t, s, _)| s.is_empty() && same(t, event_type));
    exact.or_else(any).map(|&(_, _, m)| m)
}

/// One actor of an event: its name, ACLED inter code and associated actors.
#[derive(Clone, Debug)]
pub(crate) struct Side {
    pub(crate) name: String,
    pub(crate) inter: u8,
    pub(crate) assoc: Option<String>,
}

impl Side {
    /// State forces in the sense of ACLED's territorial sub-event types: inter
    /// code 1, but not a mutiny (`Mutiny of Military Forces of …` also carries 1).
    pub(crate) fn is_state_forces(&self) -> bool {
        self.inter == 1 && !self.name.to_ascii_lowercase().starts_with("mutiny of ")
    }
}

/// One CSV row, checked.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) line: usize,
    /// `event_id_cnty` as written.
    pub(crate) event_id_cnty: String,
    pub(crate) date: Date,
    pub(crate) event_type: String,
    pub(crate) sub_event_type: Option<String>,
    pub(crate) mapping: Mapping,
    /// `actor1` with `inter1` and `assoc_actor_1`.
    pub(crate) side: Side,
    /// `actor2` with `inter2` and `assoc_actor_2` (dyadic exports only).
    pub(crate) side2: Option<Side>,
    pub(crate) country: String,
    pub(crate) admin1: String,
    pub(crate) admin2: Option<String>,
    pub(crate) location: String,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) sources: Vec<String>,
    pub(crate) notes: String,
    pub(crate) fatalities: u64,
}

impl Row {
    pub(crate) fn type_label(&self) -> String {
        match &self.sub_event_type {
            Some(sub) => format!("{}: {sub}", self.event_type),
            None => self.event_type.clone(),
        }
    }
}

pub(crate) fn parse_row(columns: &Columns, record: &Record) -> Result<Row, Problem> {
    let get = |c: &str| columns.get(record, c);
    let required = |c: &str| {
        let v = get(c);
        if v.is_empty() {
            Err(Problem::EmptyColumn { column: c.to_string() })
        } else {
            Ok(v)
        }
    };
    let event_id_cnty = required("event_id_cnty")?.to_string();
    let precision = required("time_precision")?;
    let date = parse_date(required("event_date")?, precision)?;
    let event_type = required("event_type")?.to_string();
    let sub_event_type = columns.optional(record, "sub_event_type").map(str::to_string);
    let mapping = mapping(&event_type, sub_event_type.as_deref().unwrap_or(""))
        .ok_or_else(|| Problem::invalid("event_type", &event_type, Expected::AcledEventType))?;
    let side = parse_side(columns, record, "actor1", "inter1", "assoc_actor_1")?
        .ok_or_else(|| Problem::EmptyColumn { column: "actor1".to_string() })?;
    let side2 = if columns.monadic {
        None
    } else {
        parse_side(columns, record, "actor2", "inter2", "assoc_actor_2")?
    };
    let coordinate = |c: &str, limit: f64, expected: Expected| -> Result<f64, Problem> {
        let v = required(c)?;
        match v.parse::<f64>() {
            Ok(x) if is_coordinate(x, limit) => Ok(x),
            _ => Err(Problem::invalid(c, v, expected)),
        }
    };
    let lat = coordinate("latitude", LATITUDE_LIMIT, Expected::Latitude)?;
    let lon = coordinate("longitude", LONGITUDE_LIMIT, Expected::Longitude)?;
    let fatalities = {
        let v = required("fatalities")?;
        v.parse::<u64>().map_err(|_| Problem::invalid("fatalities", v, Expected::People))?
    };
    let sources = get("source")
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(Row {
        line: record.line,
        event_id_cnty,
        date,
        event_type,
        sub_event_type,
        mapping,
        side,
        side2,
        country: required("country")?.to_string(),
        admin1: required("admin1")?.to_string(),
        admin2: columns.optional(record, "admin2").map(str::to_string),
        location: required("location")?.to_string(),
        lat,
        lon,
        sources,
        notes: get("notes").to_string(),
        fatalities,
    })
}

/// An actor column with its inter code; `None` when the actor is blank.
pub(crate) fn parse_side(
    columns: &Columns,
    record: &Record,
    actor: &str,
    inter: &str,
    assoc: &str,
) -> Result<Option<Side>, Problem> {
    let name = columns.get(record, actor);
    let code = columns.get(record, inter);
    if name.is_empty() {
        return if code.is_empty() || code == "0" {
            Ok(None)
        } else {
            Err(Problem::TypeWithoutActor {
                inter: inter.to_string(),
                code: quoted(code),
                actor: actor.to_string(),
            })
        };
    }
    let inter_code = parse_inter(code).ok_or_else(|| {
        let expected = Expected::AcledActorType { actor: quoted(name) };
        Problem::invalid(inter, code, expected)
    })?;
    Ok(Some(Side {
        name: name.to_string(),
        inter: inter_code,
        assoc: columns.optional(record, assoc).map(str::to_string),
    }))
}

/// ACLED inter codes: numbers until 2023, text labels since.
pub(crate) fn parse_inter(code: &str) -> Option<u8> {
    const LABELS: [&str; 8] = [
        "state forces",
        "rebel group",
        "political militia",
        "identity militia",
        "rioters",
        "protesters",
        "civilians",
        "external/other forces",
    ];
    if let Ok(n @ 1..=8) = code.parse::<u8>() {
        return Some(n);
    }
    let code = code.to_ascii_lowercase();
    LABELS.iter().position(|l| *l == code).map(|i| i as u8 + 1)
}

pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// `event_date` (`2014-12-24` or `24 December 2014`) at ACLED's `time_precision`:
/// 1 the day, 2 about that day (`~`), 3 only the month.
pub(crate) fn parse_date(text: &str, precision: &str) -> Result<Date, Problem> {
    let not_a_date_because = |why: Option<CalendarError>| {
        let expected = "YYYY-MM-DD or a day like `22 February 2019`";
        let not_a_date = Problem::NotADate { value: quoted(text), expected, why };
        Problem::in_column("event_date", not_a_date)
    };
    let not_a_date = || not_a_date_because(None);
    let number = |s: &str, digits: std::ops::RangeInclusive<usize>| {
        if digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u16>().ok()
        } else {
            None
        }
    };
    let iso: Vec<&str> = text.split('-').collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    let (year, month, day) = if let [y, m, d] = iso[..] {
        (number(y, 4..=4), number(m, 2..=2), number(d, 2..=2))
    } else if let [d, m, y] = words[..] {
        let m = m.to_ascii_lowercase();
        let month = MONTHS
            .iter()
            .position(|name| *name == m || (m.len() == 3 && name.starts_with(m.as_str())))
            .map(|i| i as u16 + 1);
        (number(y, 4..=4), month, number(d, 1..=2))
    } else {
        (None, None, None)
    };
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return Err(not_a_date());
    };
    let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
        return Err(not_a_date());
    };
    // The day is checked even when only the month is kept.
    Point::new(year, Some(month), Some(day), Qualifier::Exact)
        .map_err(|why| not_a_date_because(Some(why)))?;
    let point = match precision {
        "1" => Point::new(year, Some(month), Some(day), Qualifier::Exact),
        "2" => Point::new(year, Some(month), Some(day), Qualifier::Approximate),
        "3" => Point::new(year, Some(month), None, Qualifier::Exact),
        other => {
            return Err(Problem::invalid("time_precision", other, Expected::AcledTimePrecision))
        }
    };
    let point = point.map_err(|why| not_a_date_because(Some(why)))?;
    Date::new(point, None).map_err(|why| not_a_date_because(Some(why)))
}
