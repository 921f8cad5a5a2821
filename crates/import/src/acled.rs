//! ACLED CSV exports (Armed Conflict Location & Event Data Project) read into
//! annals events. `docs/ACLED.md` states every rule of the mapping and why.
//!
//! Three layouts are understood, told apart by their header: the standard
//! dyadic export (one row per event, `actor1` and `actor2`), the monadic
//! export (no `actor2` column: one row per actor, grouped by `event_id_cnty`)
//! and the pre-2019 schema (no `sub_event_type`; the territorial outcome is
//! in `event_type`, like `Battle-Government regains territory`). Columns are
//! found by name, so their order and any extra columns do not matter; an HXL
//! tag row (`#event+code`, …) right under the header is skipped.

use std::collections::{BTreeMap, HashMap};

use annals_model::v1::excerpt;
use annals_model::{
    normalize_name, ActorId, ActorKind, Claim, Date, Event, EventId, EventKind, PlaceId, PlaceKind,
    Point, Qualifier, RefKind, SourceId,
};

use crate::{Catalog, LineError, MAX_ERRORS};

/// The id of the `source` that stands for the ACLED dataset; every imported
/// event cites it, next to the publications named in its `source` column.
pub const ACLED_DATASET_SOURCE: &str = "acled:dataset";

/// What [`read_acled`] made of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct AcledImport {
    /// The events to store, in file order: the `source`, `actor` and `place`
    /// entities the log does not hold yet, each before the first event that
    /// names it, and one event per imported ACLED event.
    pub events: Vec<Event>,
    /// For each of `events`, the line where its CSV record starts (for an
    /// entity, the first record that names it): where a later problem with
    /// the event, such as a conflict with a stored one, is reported.
    pub lines: Vec<usize>,
    /// The ACLED events not imported, by type (`Protests: Peaceful protest`,
    /// or the bare `event_type` of the pre-2019 schema), sorted by type. Each
    /// count is of ACLED events (distinct `event_id_cnty`): in a dyadic file
    /// that is one row each, in a monadic file one or two rows each.
    pub skipped: Vec<(String, usize)>,
    /// CSV records read, not counting the header and the HXL tag row.
    pub rows: usize,
}

/// Reads an ACLED CSV export. Pure: the caller reads the file and stores the
/// events. A UTF-8 byte order mark and CRLF line ends are accepted.
///
/// Returns every event, or the errors (at most [`MAX_ERRORS`]), each naming
/// the 1-based physical line where the CSV record starts, the column and the
/// problem. A file with one bad row imports nothing.
///
/// ```
/// use annals_import::{read_acled, Catalog};
/// let csv = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,inter2,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n\
///            XYZ7,2014-12-24,1,Strategic developments,Non-violent transfer of territory,Blue Front,2,,0,Freedonia,North,Lake,Ostrava,17.0,-1.4,Radio Nord,Blue Front entered Ostrava.,0\n\
///            XYZ8,31 Februar 2020,1,Battles,Armed clash,Blue Front,2,,0,Freedonia,North,Lake,Ostrava,17.0,-1.4,Radio Nord,,0\n";
/// let errors = read_acled("acled.csv", csv.as_bytes(), &Catalog::empty()).unwrap_err();
/// assert_eq!(errors[0].to_string(), "acled.csv:3: column `event_date`: `31 Februar 2020` is not a date (expected YYYY-MM-DD or a day like `22 February 2019`)");
/// ```
pub fn read_acled(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog<'_>,
) -> Result<AcledImport, Vec<LineError>> {
    let mut errors = Errors { file, list: Vec::new() };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some((columns, records)) = read_records(bytes, &mut errors) else {
        return Err(errors.list);
    };
    let rows = records.len();
    let mut parsed = Vec::with_capacity(records.len());
    for record in &records {
        if errors.full() {
            break;
        }
        match parse_row(&columns, record) {
            Ok(row) => parsed.push(row),
            Err(problem) => errors.push(record.line, problem),
        }
    }
    let acled_events = if columns.monadic {
        group_monadic(&columns, &records, parsed, &mut errors)
    } else {
        parsed
            .into_iter()
            .map(|row| AcledEvent {
                sides: std::iter::once(row.side.clone()).chain(row.side2.clone()).collect(),
                row,
            })
            .collect()
    };
    if !errors.list.is_empty() {
        return Err(errors.list);
    }

    let mut out = Emitter { catalog, events: Vec::new(), lines: Vec::new(), ids: HashMap::new() };
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for event in &acled_events {
        if errors.full() {
            break;
        }
        if event.row.mapping == Mapping::Skip {
            *skipped.entry(event.row.type_label()).or_default() += 1;
            continue;
        }
        if let Err(problem) = out.emit(event) {
            errors.push(event.row.line, problem);
        }
    }
    if !errors.list.is_empty() {
        return Err(errors.list);
    }
    Ok(AcledImport {
        events: out.events,
        lines: out.lines,
        skipped: skipped.into_iter().collect(),
        rows,
    })
}

// ---------------------------------------------------------------------------
// Errors

struct Errors<'f> {
    file: &'f str,
    list: Vec<LineError>,
}

impl Errors<'_> {
    fn push(&mut self, line: usize, problem: String) {
        if !self.full() {
            self.list.push(LineError { file: self.file.to_string(), line, problem });
        }
    }

    fn full(&self) -> bool {
        self.list.len() >= MAX_ERRORS
    }
}

// ---------------------------------------------------------------------------
// Records and columns

/// One CSV record, decoded, with the physical line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Columns every layout has.
const REQUIRED: [&str; 15] = [
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
const OPTIONAL: [&str; 5] =
    ["sub_event_type", "actor2", "inter2", "assoc_actor_1", "assoc_actor_2"];

/// Where each column sits in a record.
struct Columns {
    index: HashMap<String, usize>,
    width: usize,
    /// No `actor2` column: one row per actor.
    monadic: bool,
}

impl Columns {
    fn from_header(header: &Record) -> Result<Columns, Vec<String>> {
        let mut index = HashMap::new();
        let mut twice = Vec::new();
        for (i, name) in header.fields.iter().enumerate() {
            let name = name.trim().to_ascii_lowercase();
            if let Some(&first) = index.get(&name) {
                if REQUIRED.contains(&name.as_str()) || OPTIONAL.contains(&name.as_str()) {
                    twice.push(format!(
                        "the header names the column `{name}` twice (columns {} and {}); which one holds the data is not guessed",
                        first + 1,
                        i + 1
                    ));
                }
                continue;
            }
            index.insert(name, i);
        }
        let mut missing: Vec<String> = twice
            .into_iter()
            .chain(
                REQUIRED
                    .iter()
                    .filter(|c| !index.contains_key(**c))
                    .map(|c| format!("the header has no column `{c}`, which an ACLED export has")),
            )
            .collect();
        let monadic = !index.contains_key("actor2");
        if !monadic && !index.contains_key("inter2") {
            missing.push(
                "the header has an `actor2` column but no `inter2` column, which an ACLED export has"
                    .to_string(),
            );
        }
        if missing.is_empty() {
            Ok(Columns { index, width: header.fields.len(), monadic })
        } else {
            Err(missing)
        }
    }

    /// The trimmed value of a column; "" when the layout has no such column.
    fn get<'r>(&self, record: &'r Record, column: &str) -> &'r str {
        self.index.get(column).and_then(|&i| record.fields.get(i)).map_or("", |s| s.trim())
    }

    /// The value of a column this layout may lack, `None` when absent or empty.
    fn optional<'r>(&self, record: &'r Record, column: &str) -> Option<&'r str> {
        Some(self.get(record, column)).filter(|s| !s.is_empty())
    }
}

/// Reads the header and every record; `None` when the header is unusable.
fn read_records(bytes: &[u8], errors: &mut Errors<'_>) -> Option<(Columns, Vec<Record>)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut raw = csv::ByteRecord::new();
    let mut records = Vec::new();
    let mut header: Option<Columns> = None;
    let mut first_data_row = true;
    loop {
        if errors.full() {
            break;
        }
        let line = reader.position().line() as usize;
        match reader.read_byte_record(&mut raw) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                errors.push(line, format!("the CSV is malformed: {e}"));
                break;
            }
        }
        let line = raw.position().map_or(line, |p| p.line() as usize);
        let mut fields = Vec::with_capacity(raw.len());
        let mut bad_utf8 = false;
        for field in raw.iter() {
            match std::str::from_utf8(field) {
                Ok(text) => fields.push(text.to_string()),
                Err(_) => {
                    bad_utf8 = true;
                    break;
                }
            }
        }
        if bad_utf8 {
            if header.is_none() {
                errors.push(line, "the header is not valid UTF-8".to_string());
                return None;
            }
            errors.push(line, "the record is not valid UTF-8".to_string());
            continue;
        }
        let record = Record { line, fields };
        let Some(columns) = &header else {
            match Columns::from_header(&record) {
                Ok(columns) => header = Some(columns),
                Err(problems) => {
                    for p in problems {
                        errors.push(line, p);
                    }
                    return None;
                }
            }
            continue;
        };
        if std::mem::take(&mut first_data_row) && is_hxl_tag_row(&record) {
            continue;
        }
        if record.fields.len() != columns.width {
            // A quote never closed swallows the line breaks after it.
            let open_quote = record
                .fields
                .iter()
                .position(|f| f.contains('\n'))
                .map(|i| {
                    let breaks = record.fields[i].matches('\n').count();
                    format!(
                        "; its field {} holds {breaks} line breaks, so a quote may never be closed",
                        i + 1
                    )
                })
                .unwrap_or_default();
            errors.push(
                line,
                format!(
                    "the record has {} fields, but the header names {} columns{open_quote}",
                    record.fields.len(),
                    columns.width
                ),
            );
            continue;
        }
        records.push(record);
    }
    match header {
        Some(columns) => Some((columns, records)),
        None => {
            if errors.list.is_empty() {
                errors.push(1, "the file is empty; an ACLED export starts with a header line naming its columns".to_string());
            }
            None
        }
    }
}

/// HDX copies of ACLED carry a row of HXL hashtags (`#event+code`) under the header.
fn is_hxl_tag_row(record: &Record) -> bool {
    let mut tags = record.fields.iter().map(|f| f.trim()).filter(|f| !f.is_empty()).peekable();
    tags.peek().is_some() && tags.all(|f| f.starts_with('#'))
}

// ---------------------------------------------------------------------------
// Rows

/// What an ACLED event type becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mapping {
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
const TYPES: &[(&str, &str, Mapping)] = &[
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

fn mapping(event_type: &str, sub_event_type: &str) -> Option<Mapping> {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let exact = TYPES
        .iter()
        .find(|(t, s, _)| !s.is_empty() && same(t, event_type) && same(s, sub_event_type));
    let any = || TYPES.iter().find(|(t, s, _)| s.is_empty() && same(t, event_type));
    exact.or_else(any).map(|&(_, _, m)| m)
}

/// One actor of an event: its name, ACLED inter code and associated actors.
#[derive(Clone, Debug)]
struct Side {
    name: String,
    inter: u8,
    assoc: Option<String>,
}

impl Side {
    /// State forces in the sense of ACLED's territorial sub-event types: inter
    /// code 1, but not a mutiny (`Mutiny of Military Forces of …` also carries 1).
    fn is_state_forces(&self) -> bool {
        self.inter == 1 && !self.name.to_ascii_lowercase().starts_with("mutiny of ")
    }
}

/// One CSV row, checked.
#[derive(Debug)]
struct Row {
    line: usize,
    /// `event_id_cnty` as written.
    event_id_cnty: String,
    date: Date,
    event_type: String,
    sub_event_type: Option<String>,
    mapping: Mapping,
    /// `actor1` with `inter1` and `assoc_actor_1`.
    side: Side,
    /// `actor2` with `inter2` and `assoc_actor_2` (dyadic exports only).
    side2: Option<Side>,
    country: String,
    admin1: String,
    admin2: Option<String>,
    location: String,
    lat: f64,
    lon: f64,
    sources: Vec<String>,
    notes: String,
    fatalities: u64,
}

impl Row {
    fn type_label(&self) -> String {
        match &self.sub_event_type {
            Some(sub) => format!("{}: {sub}", self.event_type),
            None => self.event_type.clone(),
        }
    }
}

fn parse_row(columns: &Columns, record: &Record) -> Result<Row, String> {
    let get = |c: &str| columns.get(record, c);
    let required = |c: &str| {
        let v = get(c);
        if v.is_empty() {
            Err(format!("column `{c}` is empty"))
        } else {
            Ok(v)
        }
    };
    let event_id_cnty = required("event_id_cnty")?.to_string();
    let precision = required("time_precision")?;
    let date = parse_date(required("event_date")?, precision)?;
    let event_type = required("event_type")?.to_string();
    let sub_event_type = columns.optional(record, "sub_event_type").map(str::to_string);
    let mapping =
        mapping(&event_type, sub_event_type.as_deref().unwrap_or("")).ok_or_else(|| {
            format!(
                "column `event_type`: `{}` is not an ACLED event type this importer knows",
                excerpt(&event_type)
            )
        })?;
    let side = parse_side(columns, record, "actor1", "inter1", "assoc_actor_1")?
        .ok_or_else(|| "column `actor1` is empty".to_string())?;
    let side2 = if columns.monadic {
        None
    } else {
        parse_side(columns, record, "actor2", "inter2", "assoc_actor_2")?
    };
    let coordinate = |c: &str, limit: f64| -> Result<f64, String> {
        let v = required(c)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() <= limit => Ok(x),
            _ => Err(format!("column `{c}`: `{}` is not a {c} in decimal degrees", excerpt(v))),
        }
    };
    let lat = coordinate("latitude", 90.0)?;
    let lon = coordinate("longitude", 180.0)?;
    let fatalities = {
        let v = required("fatalities")?;
        v.parse::<u64>().map_err(|_| {
            format!("column `fatalities`: `{}` is not a number of people", excerpt(v))
        })?
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
fn parse_side(
    columns: &Columns,
    record: &Record,
    actor: &str,
    inter: &str,
    assoc: &str,
) -> Result<Option<Side>, String> {
    let name = columns.get(record, actor);
    let code = columns.get(record, inter);
    if name.is_empty() {
        return if code.is_empty() || code == "0" {
            Ok(None)
        } else {
            Err(format!("column `{inter}` is `{}`, but `{actor}` is empty", excerpt(code)))
        };
    }
    let inter_code = parse_inter(code).ok_or_else(|| {
        format!(
            "column `{inter}`: `{}` is not an ACLED actor type (1 state forces … 8 external/other forces) for `{}`",
            excerpt(code),
            excerpt(name)
        )
    })?;
    Ok(Some(Side {
        name: name.to_string(),
        inter: inter_code,
        assoc: columns.optional(record, assoc).map(str::to_string),
    }))
}

/// ACLED inter codes: numbers until 2023, text labels since.
fn parse_inter(code: &str) -> Option<u8> {
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

const MONTHS: [&str; 12] = [
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
fn parse_date(text: &str, precision: &str) -> Result<Date, String> {
    let not_a_date = || {
        format!(
            "column `event_date`: `{}` is not a date (expected YYYY-MM-DD or a day like `22 February 2019`)",
            excerpt(text)
        )
    };
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
        .map_err(|why| format!("{}: {why}", not_a_date()))?;
    let point = match precision {
        "1" => Point::new(year, Some(month), Some(day), Qualifier::Exact),
        "2" => Point::new(year, Some(month), Some(day), Qualifier::Approximate),
        "3" => Point::new(year, Some(month), None, Qualifier::Exact),
        other => {
            return Err(format!(
                "column `time_precision`: `{}` is not an ACLED time precision (1 the day, 2 about that day, 3 only the month)",
                excerpt(other)
            ))
        }
    };
    let point = point.map_err(|why| format!("{}: {why}", not_a_date()))?;
    Date::new(point, None).map_err(|why| format!("{}: {why}", not_a_date()))
}

// ---------------------------------------------------------------------------
// Events

/// One ACLED event: a dyadic row, or the rows of a monadic event.
struct AcledEvent {
    row: Row,
    /// The actors: `actor1` first, then the counterpart, if any.
    sides: Vec<Side>,
}

/// Columns the rows of one monadic event share (all but the actor's own).
const SHARED: [&str; 13] = [
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
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

/// Groups the rows of a monadic export by `event_id_cnty`, in order of first
/// appearance: the first row's actor is `actor1`, the second's its counterpart.
fn group_monadic(
    columns: &Columns,
    records: &[Record],
    rows: Vec<Row>,
    errors: &mut Errors<'_>,
) -> Vec<AcledEvent> {
    let by_line: HashMap<usize, &Record> = records.iter().map(|r| (r.line, r)).collect();
    let mut events: Vec<AcledEvent> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let Some(&i) = at.get(&row.event_id_cnty) else {
            at.insert(row.event_id_cnty.clone(), events.len());
            events.push(AcledEvent { sides: vec![row.side.clone()], row });
            continue;
        };
        let first = &events[i];
        if first.sides.len() >= 2 {
            errors.push(
                row.line,
                format!(
                    "event_id_cnty `{}` has a third row; a monadic export has one row per actor, at most two (the first is on line {})",
                    excerpt(&row.event_id_cnty), first.row.line
                ),
            );
            continue;
        }
        let (this, that) = (by_line[&row.line], by_line[&first.row.line]);
        if let Some(column) = SHARED.iter().find(|c| columns.get(this, c) != columns.get(that, c)) {
            errors.push(
                row.line,
                format!(
                    "column `{column}` differs from line {}, which has the same event_id_cnty `{}`; the rows of one event may differ only in their actor",
                    first.row.line, excerpt(&row.event_id_cnty)
                ),
            );
            continue;
        }
        events[i].sides.push(row.side);
    }
    events
}

/// Which side gained control, and how we know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gain {
    /// The event names one actor, or the sub-event type names who acts (a base).
    Sole,
    /// `Government regains territory`: the one side coded as state forces.
    StateForces,
    /// `Government regains territory` with no state forces: the one side coded
    /// as external forces (foreign troops fighting for the government).
    ExternalForces,
    /// `Non-state actor overtakes territory`: the one side not coded as state forces.
    NotStateForces,
    /// The codes do not decide: `actor1` is assumed and the claim is `disputed`.
    Assumed,
}

fn gainer(mapping: Mapping, sides: &[Side]) -> (usize, Gain) {
    let only = |f: &dyn Fn(&Side) -> bool| {
        let hits: Vec<usize> = (0..sides.len()).filter(|&i| f(&sides[i])).collect();
        (hits.len() == 1).then(|| hits[0])
    };
    match mapping {
        Mapping::Base => (0, Gain::Sole),
        Mapping::NonViolent if sides.len() == 1 => (0, Gain::Sole),
        Mapping::Regains => {
            if let Some(i) = only(&Side::is_state_forces) {
                (i, Gain::StateForces)
            } else if !sides.iter().any(Side::is_state_forces) {
                match only(&|s: &Side| s.inter == 8) {
                    Some(i) => (i, Gain::ExternalForces),
                    None => (0, Gain::Assumed),
                }
            } else {
                (0, Gain::Assumed)
            }
        }
        Mapping::Overtakes => match only(&|s: &Side| !s.is_state_forces()) {
            Some(i) => (i, Gain::NotStateForces),
            None => (0, Gain::Assumed),
        },
        _ => (0, Gain::Assumed),
    }
}

/// Builds the events of a file, entities first, and checks every reference.
struct Emitter<'c, 'a> {
    catalog: &'c Catalog<'a>,
    events: Vec<Event>,
    /// The line of each of `events`.
    lines: Vec<usize>,
    /// Every id this file uses: what it names, and for ACLED events the
    /// line and the index in `events`.
    ids: HashMap<String, (Option<RefKind>, usize, Option<usize>)>,
}

impl Emitter<'_, '_> {
    /// Emits an entity unless the log or an earlier line already has it.
    fn entity(
        &mut self,
        line: usize,
        kind: RefKind,
        id: &str,
        make: impl FnOnce() -> EventKind,
    ) -> Result<(), String> {
        if let Some(&(seen, _, _)) = self.ids.get(id) {
            return if seen == Some(kind) {
                Ok(())
            } else {
                Err(format!(
                    "the id `{id}` would name both {} and a {}; rename one of them",
                    seen.map_or("an event".to_string(), |k| format!("a {}", k.as_str())),
                    kind.as_str()
                ))
            };
        }
        self.ids.insert(id.to_string(), (Some(kind), line, None));
        if !(self.catalog.exists)(kind, id) {
            self.events.push(entity_event(id, make())?);
            self.lines.push(line);
        }
        Ok(())
    }

    fn emit(&mut self, acled: &AcledEvent) -> Result<(), String> {
        let row = &acled.row;
        let line = row.line;
        let id = EventId::new(format!("acled:{}", row.event_id_cnty.to_ascii_lowercase()))
            .map_err(|_| {
                format!(
                    "column `event_id_cnty`: `{}` is not an ACLED event id (letters and digits)",
                    excerpt(&row.event_id_cnty)
                )
            })?;

        self.entity(line, RefKind::Source, ACLED_DATASET_SOURCE, || EventKind::Source {
            title: "ACLED (Armed Conflict Location & Event Data Project) export".to_string(),
            publisher: Some("ACLED".to_string()),
            published: None,
            url: Some("https://acleddata.com".to_string()),
        })?;
        let mut sources = vec![SourceId::new(ACLED_DATASET_SOURCE).map_err(|e| e.to_string())?];
        for name in &row.sources {
            let sid = slug_id("acled:src.", "source", name)?;
            self.entity(line, RefKind::Source, &sid, || EventKind::Source {
                title: name.clone(),
                publisher: None,
                published: None,
                url: None,
            })?;
            let sid = SourceId::new(sid).map_err(|e| e.to_string())?;
            if !sources.contains(&sid) {
                sources.push(sid);
            }
        }

        let mut actors = Vec::with_capacity(acled.sides.len());
        for (i, side) in acled.sides.iter().enumerate() {
            let column = if i == 0 { "actor1" } else { "actor2" };
            let aid = slug_id("acled:", column, &side.name)?;
            self.entity(line, RefKind::Actor, &aid, || EventKind::Actor {
                name: side.name.clone(),
                aliases: Vec::new(),
                kind: Some(actor_kind(side)),
            })?;
            actors.push(ActorId::new(aid).map_err(|e| e.to_string())?);
        }

        let place = self.places(row)?;
        let (gained, how) = gainer(row.mapping, &acled.sides);
        let mut claim = Claim::Reported;
        let kind = match row.mapping {
            Mapping::Attack => EventKind::Attack {
                attacker: actors[0].clone(),
                target: actors.get(1).cloned(),
                place,
                fatalities: (row.fatalities > 0).then_some(row.fatalities),
            },
            Mapping::Base => {
                let base = self.base(row, &place, &acled.sides[0])?;
                EventKind::ControlTaken { place: base, actor: actors[0].clone(), from: None }
            }
            Mapping::Overtakes | Mapping::Regains | Mapping::NonViolent => {
                if how == Gain::Assumed {
                    claim = Claim::Disputed;
                }
                let actor = actors[gained].clone();
                let from = actors.iter().find(|a| **a != actor).cloned();
                EventKind::ControlTaken { place, actor, from }
            }
            Mapping::Skip => unreachable!("skipped rows are not emitted"),
        };
        let event = Event {
            id,
            date: Some(row.date),
            sources,
            claim,
            claimed_by: None,
            note: Some(note(acled, gained, how)),
            kind,
        };
        for r in event.references() {
            let found = match self.ids.get(r.id) {
                Some(&(kind, _, _)) => kind == Some(r.kind),
                None => (self.catalog.exists)(r.kind, r.id),
            };
            if !found {
                return Err(format!(
                    "field `{}` names `{}`, but no {} with that id exists in the log or earlier in this file",
                    r.field,
                    r.id,
                    r.kind.as_str()
                ));
            }
        }
        let key = event.id.as_str().to_string();
        if let Some(&(kind, first_line, index)) = self.ids.get(&key) {
            return match index {
                Some(index) if self.events[index] == event => Ok(()),
                Some(_) => Err(format!(
                    "event_id_cnty `{}` is already used on line {first_line} for a different event",
                    excerpt(&row.event_id_cnty)
                )),
                None => Err(format!(
                    "the event id `{key}` is already the id of a {}",
                    kind.map_or("event", RefKind::as_str)
                )),
            };
        }
        self.ids.insert(key, (None, line, Some(self.events.len())));
        self.events.push(event);
        self.lines.push(line);
        Ok(())
    }

    /// The country, its region (`admin1`) and the location, created on first
    /// sight; returns the location. Ids follow the administrative hierarchy so
    /// that two places with one name in different districts stay two places.
    fn places(&mut self, row: &Row) -> Result<PlaceId, String> {
        let line = row.line;
        let country = slug_id("acled:", "country", &row.country)?;
        self.entity(line, RefKind::Place, &country, || EventKind::Place {
            name: row.country.clone(),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Country),
            within: None,
            lat: None,
            lon: None,
        })?;
        let region = format!("{country}.{}", slug_part("admin1", &row.admin1)?);
        let region = checked_id("admin1", &row.admin1, region)?;
        let country_id = PlaceId::new(country).map_err(|e| e.to_string())?;
        self.entity(line, RefKind::Place, &region, || EventKind::Place {
            name: row.admin1.clone(),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Region),
            within: Some(country_id),
            lat: None,
            lon: None,
        })?;
        let mut location = region.clone();
        if let Some(admin2) = &row.admin2 {
            location = format!("{location}.{}", slug_part("admin2", admin2)?);
        }
        location = format!("{location}.{}", slug_part("location", &row.location)?);
        let location = checked_id("location", &row.location, location)?;
        let region_id = PlaceId::new(region).map_err(|e| e.to_string())?;
        self.entity(line, RefKind::Place, &location, || EventKind::Place {
            name: row.location.clone(),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Town),
            within: Some(region_id),
            lat: Some(row.lat),
            lon: Some(row.lon),
        })?;
        PlaceId::new(location).map_err(|e| e.to_string())
    }

    /// The base an actor established at a location: a place of its own, so
    /// that a base does not read as control of the whole town.
    fn base(&mut self, row: &Row, location: &PlaceId, side: &Side) -> Result<PlaceId, String> {
        let id = format!("{location}.base.{}", slug_part("actor1", &side.name)?);
        let id = checked_id("actor1", &side.name, id)?;
        self.entity(row.line, RefKind::Place, &id, || EventKind::Place {
            name: format!("{} base at {}", side.name, row.location),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Base),
            within: Some(location.clone()),
            lat: Some(row.lat),
            lon: Some(row.lon),
        })?;
        PlaceId::new(id).map_err(|e| e.to_string())
    }
}

fn entity_event(id: &str, kind: EventKind) -> Result<Event, String> {
    Ok(Event {
        id: EventId::new(id).map_err(|e| e.to_string())?,
        date: None,
        sources: Vec::new(),
        claim: Claim::Reported,
        claimed_by: None,
        note: None,
        kind,
    })
}

/// ACLED's inter code, refined by its naming conventions for state bodies
/// (`Government of …`, `Military Forces of …`, `Police Forces of …`), which
/// keep a state's forces an `armed_force` when they act abroad (code 8).
fn actor_kind(side: &Side) -> ActorKind {
    let name = side.name.to_ascii_lowercase();
    let state_body = [
        "military forces of ",
        "police forces of ",
        "mutiny of military forces of ",
        "mutiny of police forces of ",
        "former military forces of ",
    ];
    if name.starts_with("government of ") {
        ActorKind::Government
    } else if state_body.iter().any(|p| name.starts_with(p)) {
        ActorKind::ArmedForce
    } else {
        match side.inter {
            1 => ActorKind::ArmedForce,
            2..=4 => ActorKind::ArmedGroup,
            _ => ActorKind::Other,
        }
    }
}

/// The note of an event: ACLED's notes, then what annals adds in brackets.
fn note(acled: &AcledEvent, gained: usize, how: Gain) -> String {
    let row = &acled.row;
    let mut facts = vec![format!("ACLED {}", row.type_label())];
    for side in &acled.sides {
        if let Some(assoc) = &side.assoc {
            facts.push(format!("with {}: {assoc}", side.name));
        }
    }
    if row.mapping != Mapping::Attack && row.fatalities > 0 {
        facts.push(format!("fatalities reported: {}", row.fatalities));
    }
    let mut text = row.notes.clone();
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(&format!("[{}]", facts.join("; ")));
    let winner = &acled.sides[gained].name;
    let rule = match (row.mapping, how) {
        (Mapping::Attack | Mapping::Skip | Mapping::Base, _) | (_, Gain::Sole) => None,
        (_, Gain::StateForces) => Some(format!(
            "{winner} gained control: the side ACLED codes as state forces in a government recapture"
        )),
        (_, Gain::ExternalForces) => Some(format!(
            "{winner} gained control: no side is coded as state forces, and {winner} is the one coded as external forces"
        )),
        (_, Gain::NotStateForces) => Some(format!(
            "{winner} gained control: the side not coded as state forces in a non-state takeover"
        )),
        (_, Gain::Assumed) => Some(format!(
            "which side gained control is not decided by ACLED's actor codes, and ACLED's actor order carries no meaning; actor1 ({winner}) is assumed, so the claim is disputed"
        )),
    };
    if let Some(rule) = rule {
        text.push_str(&format!(" [annals: {rule}]"));
    }
    text
}

// ---------------------------------------------------------------------------
// Ids

/// A name as an id part: accents folded, lowercase, each run of anything but
/// a-z and 0-9 made one `-`.
fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in normalize_name(name).chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

fn slug_part(column: &str, name: &str) -> Result<String, String> {
    let s = slug(name);
    if s.is_empty() {
        Err(format!(
            "column `{column}`: `{}` has no letters a-z or digits to make an id from",
            excerpt(name)
        ))
    } else {
        Ok(s)
    }
}

fn slug_id(prefix: &str, column: &str, name: &str) -> Result<String, String> {
    let id = format!("{prefix}{}", slug_part(column, name)?);
    checked_id(column, name, id)
}

fn checked_id(column: &str, name: &str, id: String) -> Result<String, String> {
    annals_model::check_slug(&id)
        .map(|()| id)
        .map_err(|e| format!("column `{column}`: `{}` makes no valid id: {e}", excerpt(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents_and_collapse_punctuation() {
        assert_eq!(slug("Gourma-Rharous"), "gourma-rharous");
        assert_eq!(slug("N'Goutjina"), "n-goutjina");
        assert_eq!(slug("  Ségou  (Région) "), "segou-region");
        assert_eq!(slug("Military Forces of Mali (2013-)"), "military-forces-of-mali-2013");
        assert_eq!(slug("---"), "");
    }

    #[test]
    fn dates_in_both_spellings_and_three_precisions() {
        let d = |text: &str, p: &str| parse_date(text, p).map(|d| d.to_string());
        assert_eq!(d("2014-12-24", "1").unwrap(), "2014-12-24");
        assert_eq!(d("24 December 2014", "2").unwrap(), "2014-12-24~");
        assert_eq!(d("09 January 2019", "3").unwrap(), "2019-01");
        assert_eq!(d("9 Jan 2019", "1").unwrap(), "2019-01-09");
        assert!(d("31 February 2020", "3").unwrap_err().contains("day 31 does not exist"));
        assert!(d("2020-1-01", "1").unwrap_err().contains("is not a date"));
        assert!(d("2020-01-01", "0").unwrap_err().contains("`time_precision`: `0`"));
    }

    #[test]
    fn actor_kinds_from_state_names_then_inter_codes() {
        let kind = |name: &str, inter| actor_kind(&side(name, inter));
        assert_eq!(kind("Government of Mali (2013-)", 1), ActorKind::Government);
        assert_eq!(kind("Military Forces of Mali (2013-)", 8), ActorKind::ArmedForce);
        assert_eq!(
            kind("Mutiny of Military Forces of Niger (1999-2010)", 1),
            ActorKind::ArmedForce
        );
        assert_eq!(kind("Unidentified Military Forces", 1), ActorKind::ArmedForce);
        assert_eq!(kind("Dan Na Ambassagou", 4), ActorKind::ArmedGroup);
        assert_eq!(kind("Rioters (Mali)", 5), ActorKind::Other);
        assert_eq!(kind("MINUSMA: United Nations Mission", 8), ActorKind::Other);
    }

    #[test]
    fn inter_codes_as_numbers_or_labels() {
        assert_eq!(parse_inter("1"), Some(1));
        assert_eq!(parse_inter("External/Other forces"), Some(8));
        assert_eq!(parse_inter("0"), None);
        assert_eq!(parse_inter("9"), None);
    }

    const HEADER: &str = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,inter2,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n";
    const ROW: &str = "HOS1,2021-03-05,1,Battles,Armed clash,Blue Front,2,,,Varenia,Kessa,Ubbo,Sabra,17.1,-1.5,Radio Kessa,Clash at Sabra.,3\n";

    fn errors(text: &str) -> Vec<String> {
        read_acled("a.csv", text.as_bytes(), &Catalog::empty())
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn a_column_named_twice_is_refused_not_guessed() {
        let header = HEADER.replace("notes", "latitude");
        assert_eq!(
            errors(&format!("{header}{ROW}")),
            [
                "a.csv:1: the header names the column `latitude` twice (columns 14 and 17); which one holds the data is not guessed",
                "a.csv:1: the header has no column `notes`, which an ACLED export has",
            ]
        );
        // Extra columns this importer does not read may repeat.
        let extra = format!("{},tags,tags\n{},,\n", HEADER.trim_end(), ROW.trim_end());
        assert!(read_acled("a.csv", extra.as_bytes(), &Catalog::empty()).is_ok());
    }

    #[test]
    fn a_quote_never_closed_is_suspected_where_its_record_starts() {
        let open = ROW.replace("Clash at Sabra.", "\"Clash at Sabra.");
        let text = format!("{HEADER}{open}{ROW}{ROW}");
        assert_eq!(
            errors(&text),
            ["a.csv:2: the record has 17 fields, but the header names 18 columns; its field 17 holds 3 line breaks, so a quote may never be closed"]
        );
    }

    #[test]
    fn huge_cells_make_short_messages() {
        let huge = "9".repeat(10_000_000);
        for (column, value) in [
            ("2021-03-05", huge.as_str()),
            (",1,Battles", &format!(",{huge},Battles")),
            ("Blue Front,2", &format!("{huge},9")),
            ("17.1", huge.as_str()),
            ("Sabra,17.1", &format!("{huge}?,17.1")),
            ("HOS1", &format!("{huge}/")),
        ] {
            let text = format!("{HEADER}{}", ROW.replacen(column, value, 1));
            let errors = errors(&text);
            assert_eq!(errors.len(), 1, "{column}");
            assert!(errors[0].len() < 400, "{column}: {} bytes", errors[0].len());
            assert!(errors[0].contains("… (1000000"), "{column}: {}", errors[0]);
        }
    }

    fn side(name: &str, inter: u8) -> Side {
        Side { name: name.to_string(), inter, assoc: None }
    }

    #[test]
    fn the_gainer_follows_the_codes_not_the_actor_order() {
        let mnla = side("MNLA", 2);
        let army = side("Military Forces of Mali (2012-2013)", 1);
        let mutiny = side("Mutiny of Military Forces of Niger (1999-2010)", 1);
        let niger = side("Military Forces of Niger (1999-2010)", 1);
        let france = side("Military Forces of France (2012-2017)", 8);
        let aqim = side("AQIM", 2);
        let g = |m, s: &[&Side]| gainer(m, &s.iter().map(|s| (*s).clone()).collect::<Vec<_>>());
        assert_eq!(g(Mapping::Regains, &[&mnla, &army]), (1, Gain::StateForces));
        assert_eq!(g(Mapping::Overtakes, &[&army, &mnla]), (1, Gain::NotStateForces));
        assert_eq!(g(Mapping::Regains, &[&mutiny, &niger]), (1, Gain::StateForces));
        assert_eq!(g(Mapping::Overtakes, &[&mutiny, &niger]), (0, Gain::NotStateForces));
        assert_eq!(g(Mapping::Regains, &[&aqim, &france]), (1, Gain::ExternalForces));
        assert_eq!(g(Mapping::Overtakes, &[&aqim, &mnla]), (0, Gain::Assumed));
        assert_eq!(g(Mapping::Overtakes, &[&france, &aqim]), (0, Gain::Assumed));
        assert_eq!(g(Mapping::NonViolent, &[&mnla]), (0, Gain::Sole));
        assert_eq!(g(Mapping::NonViolent, &[&mnla, &army]), (0, Gain::Assumed));
    }
}
