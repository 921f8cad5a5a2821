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

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{BufReader, Read, Seek, SeekFrom};

use annals_model::v1::excerpt;
use annals_model::{ActorId, ActorKind, Claim, Event, EventId, EventKind, RefKind, SourceId};

mod group;
mod identity;
mod places;
mod release;
mod rows;

use group::{pre_scan, Grouping};
use places::PlaceIds;
use rows::{is_hxl_tag_row, parse_row, Columns, Mapping, Row, Side};

use crate::emit::{first_pass, second_pass_next, slug_id, Emitter, Known, Pass};
use crate::records::{csv_reader, read_record, width_problem, without_bom, Crc, Errors, Text};
use crate::{Catalog, Expected, LineError, Problem, Refused, SecondPass, Unit};

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

/// Reads an ACLED CSV export held in memory. Pure: the caller reads the file
/// and stores the events. A UTF-8 byte order mark and CRLF line ends are
/// accepted. For files too large to hold, [`check_acled`] then
/// [`AcledEvents`] give the same events as a stream.
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
    let (checked, events, lines) = crate::in_memory(file, |each| {
        check_acled(file, std::io::Cursor::new(bytes), catalog, each)
    })?;
    Ok(AcledImport { events, lines, skipped: checked.skipped, rows: checked.rows })
}

/// What [`check_acled`] found in a file it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcledChecked {
    /// Events handed on: new entities and ACLED events (an event repeated
    /// with the same content counts once).
    pub events: u64,
    /// As [`AcledImport::skipped`].
    pub skipped: Vec<(String, usize)>,
    /// As [`AcledImport::rows`].
    pub rows: usize,
    /// CRC-32 of the file (without its byte order mark):
    /// the [`SecondPass::checksum`] of [`AcledEvents`] must equal it.
    pub checksum: u32,
    /// The entities the file creates because the log lacked them; the second
    /// pass creates exactly these, whatever the log holds by then.
    new_entities: HashSet<String>,
    /// The ids of the places of locations that share a name in a district,
    /// as the check decided them.
    places: PlaceIds,
}

/// Reads and checks an ACLED CSV export without keeping its rows or events,
/// so that memory does not grow with the file: every event (entities first,
/// as [`read_acled`] orders them) is handed to `each` with its line, which
/// may refuse it with a problem of its own (reported as that line's error).
/// The file is read twice, the first time only for where its locations are
/// (two positions of one location far apart are two places, and which one
/// keeps the location's id is decided before any event is made) and, in a
/// monadic export, to count the rows of each `event_id_cnty`, so that an
/// event is complete as soon as its last row is read.
///
/// What it keeps per distinct id: what the id names and where it was first
/// used, and for ACLED events a 128-bit fingerprint of the event, against
/// which a repeated `event_id_cnty` is compared; for a monadic export, also
/// its row count, and each event whose rows are not all read yet.
pub fn check_acled<R: Read + Seek>(
    file: &str,
    reader: R,
    catalog: &Catalog<'_>,
    each: impl FnMut(usize, Event) -> Result<(), Problem>,
) -> Result<AcledChecked, Refused> {
    let mut reading = Reading::start(file, reader, Known::Log(catalog), None)?;
    let events = first_pass(&mut reading, each)?;
    Ok(AcledChecked {
        events,
        skipped: reading.skipped.into_iter().collect(),
        rows: reading.rows,
        checksum: reading.csv.get_ref().crc.clone().finalize(),
        new_entities: reading.emitter.new_entities,
        places: reading.places,
    })
}

/// The events of an ACLED export that [`check_acled`] accepted, read again
/// with their lines, in the same order. Entities are created as the check
/// decided, so the events are the ones checked even if the log changed
/// since. A row that no longer reads is an error: the file changed since it
/// was checked, as a different [`checksum`](SecondPass::checksum) at the end also
/// says.
pub struct AcledEvents<'c, R: Read> {
    reading: Reading<'c, R>,
    /// An error was returned: the iteration is over.
    failed: bool,
}

impl<'c, R: Read + Seek> AcledEvents<'c, R> {
    pub fn new(
        file: &str,
        reader: R,
        checked: &'c AcledChecked,
    ) -> Result<AcledEvents<'c, R>, Refused> {
        let known = Known::New(&checked.new_entities);
        let reading = Reading::start(file, reader, known, Some(&checked.places))?;
        Ok(AcledEvents { reading, failed: false })
    }
}

impl<R: Read> SecondPass for AcledEvents<'_, R> {
    fn checksum(&self) -> u32 {
        self.reading.csv.get_ref().crc.clone().finalize()
    }
}

impl<R: Read> Iterator for AcledEvents<'_, R> {
    type Item = Result<(usize, Event), Refused>;

    fn next(&mut self) -> Option<Self::Item> {
        second_pass_next(&mut self.reading, &mut self.failed)
    }
}

impl<R: Read> std::fmt::Debug for AcledEvents<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcledEvents").field("rows", &self.reading.rows).finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------
// Reading

/// The CSV records of a file, read past its byte order mark, into a CRC-32.
type Records<R> = csv::Reader<Crc<BufReader<R>>>;

/// One read of a file: records in, events out, one record at a time.
struct Reading<'k, R: Read> {
    csv: Records<R>,
    raw: csv::ByteRecord,
    columns: Columns,
    /// The HXL tag row can only be the first record after the header.
    first_data_row: bool,
    errors: Errors,
    emitter: Emitter<'k>,
    /// Monadic exports: the rows of each event, gathered.
    grouping: Option<Grouping>,
    skipped: BTreeMap<String, usize>,
    rows: usize,
    ended: bool,
    /// What the rows say of the release the export is.
    export: Box<release::Export>,
    /// The ids of the places of locations that share a name in a district.
    places: PlaceIds,
}

impl<'k, R: Read + Seek> Reading<'k, R> {
    /// Reads the header, ready for the records. The file is first read
    /// through for where its locations are, unless `decided` (a second
    /// reading) says it already, and a monadic export to count the rows of
    /// each event; so it must be seekable (a file, not a pipe).
    fn start(
        file: &str,
        reader: R,
        known: Known<'k>,
        decided: Option<&PlaceIds>,
    ) -> Result<Reading<'k, R>, Refused> {
        let (mut csv, mut columns) = header(file, reader)?;
        let mut grouping = None;
        let mut places = decided.cloned().unwrap_or_default();
        if columns.monadic || decided.is_none() {
            let mut reader = csv.into_inner().inner.into_inner();
            let rewind = |reader: &mut R| {
                reader.seek(SeekFrom::Start(0)).map(drop).map_err(|e| {
                    std::io::Error::new(
                        e.kind(),
                        format!("an ACLED export is read twice (first for where its locations are, and the rows of each event of a monadic export), so it must be a file, not a stream ({e})"),
                    )
                })
            };
            rewind(&mut reader)?;
            let (counts, survey) = pre_scan(&mut reader, &columns)?;
            rewind(&mut reader)?;
            (csv, columns) = header(file, reader)?;
            if columns.monadic {
                grouping = Some(Grouping {
                    counts,
                    queue: VecDeque::new(),
                    base: 0,
                    open: HashMap::new(),
                });
            }
            if decided.is_none() {
                places = survey.decide(|id| known.place_at(id));
            }
        }
        Ok(Reading {
            csv,
            raw: csv::ByteRecord::new(),
            columns,
            first_data_row: true,
            errors: Errors::new(file),
            emitter: Emitter::new(known),
            grouping,
            skipped: BTreeMap::new(),
            rows: 0,
            ended: false,
            export: Box::default(),
            places,
        })
    }
}

/// A reader of the file's records, past its header, and the columns the
/// header names; or what is wrong with the header.
fn header<R: Read>(file: &str, reader: R) -> Result<(Records<R>, Columns), Refused> {
    let crc = Crc::new(without_bom(reader)?);
    let mut csv = csv_reader(crc);
    let mut errors = Errors::new(file);
    match read_record(&mut csv, &mut csv::ByteRecord::new(), &mut errors, Text::Utf8)? {
        None if errors.list.is_empty() => {
            errors.push(1, Problem::EmptyFile { what: "an ACLED export" })
        }
        None => {}
        Some(Err(line)) => errors.push(line, Problem::NotUtf8(Unit::Header)),
        Some(Ok(record)) => match Columns::from_header(&record) {
            Ok(columns) => return Ok((csv, columns)),
            Err(problems) => {
                for p in problems {
                    errors.push(record.line, p);
                }
            }
        },
    }
    Err(Refused::Lines(errors.list))
}

impl<R: Read> Pass for Reading<'_, R> {
    fn next_event(&mut self) -> std::io::Result<Option<(usize, Event)>> {
        Reading::next_event(self)
    }

    fn errors(&mut self) -> &mut Errors {
        &mut self.errors
    }
}

impl<R: Read> Reading<'_, R> {
    /// The next event, reading records until one comes out; `None` at the
    /// end of the file, or once [`MAX_ERRORS`] errors are listed.
    fn next_event(&mut self) -> std::io::Result<Option<(usize, Event)>> {
        loop {
            if let Some(next) = self.emitter.out.pop_front() {
                return Ok(Some(next));
            }
            if self.ended || self.errors.full() {
                return Ok(None);
            }
            self.step()?;
        }
    }

    /// Reads one record and makes what it can of it.
    fn step(&mut self) -> std::io::Result<()> {
        let record = match read_record(&mut self.csv, &mut self.raw, &mut self.errors, Text::Utf8)?
        {
            None => {
                self.ended = true;
                for event in self.grouping.as_mut().map(Grouping::drain).unwrap_or_default() {
                    self.emit(event);
                }
                if !self.errors.full() {
                    if let Err((line, problem)) = self.export.emit(&mut self.emitter) {
                        self.errors.push(line, problem);
                    }
                }
                return Ok(());
            }
            Some(Err(line)) => {
                self.errors.push(line, Problem::NotUtf8(Unit::Record));
                return Ok(());
            }
            Some(Ok(record)) => record,
        };
        if std::mem::take(&mut self.first_data_row) && is_hxl_tag_row(&record) {
            return Ok(());
        }
        let columns = &self.columns;
        if record.fields.len() != columns.width {
            self.errors.push(record.line, width_problem(&record, columns.width));
            return Ok(());
        }
        self.rows += 1;
        let parsed = parse_row(columns, &record);
        if let Ok(row) = &parsed {
            self.export.row(row, columns.get(&record, "timestamp"));
        }
        let ready = match &mut self.grouping {
            None => match parsed {
                Ok(row) => {
                    vec![AcledEvent {
                        sides: std::iter::once(row.side.clone()).chain(row.side2.clone()).collect(),
                        row,
                    }]
                }
                Err(problem) => {
                    self.errors.push(record.line, problem);
                    Vec::new()
                }
            },
            Some(grouping) => grouping.add(columns, record, parsed, &mut self.errors),
        };
        for event in ready {
            self.emit(event);
        }
        Ok(())
    }

    fn emit(&mut self, event: AcledEvent) {
        if self.errors.full() {
            return;
        }
        if event.row.mapping == Mapping::Skip {
            *self.skipped.entry(event.row.type_label()).or_default() += 1;
            return;
        }
        if let Err(problem) = self.emitter.emit(&event, &self.places) {
            self.errors.push(event.row.line, problem);
        }
    }
}

// ---------------------------------------------------------------------------
// Events

/// One ACLED event: a dyadic row, or the rows of a monadic event.
struct AcledEvent {
    row: Row,
    /// The actors: `actor1` first, then the counterpart, if any.
    sides: Vec<Side>,
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

impl Emitter<'_> {
    fn emit(&mut self, acled: &AcledEvent, places: &PlaceIds) -> Result<(), Problem> {
        let row = &acled.row;
        let line = row.line;
        let id = EventId::new(format!("acled:{}", row.event_id_cnty.to_ascii_lowercase()))
            .map_err(|_| {
                Problem::invalid("event_id_cnty", &row.event_id_cnty, Expected::AcledEventId)
            })?;

        self.entity(line, RefKind::Source, ACLED_DATASET_SOURCE, || EventKind::Source {
            title: "ACLED (Armed Conflict Location & Event Data Project) export".to_string(),
            publisher: Some("ACLED".to_string()),
            published: None,
            url: Some("https://acleddata.com".to_string()),
            release: None,
            covers: None,
        })?;
        let mut sources = vec![SourceId::new(ACLED_DATASET_SOURCE).map_err(Problem::from)?];
        for name in &row.sources {
            let sid = slug_id("acled:src.", "source", name)?;
            self.entity(line, RefKind::Source, &sid, || EventKind::Source {
                title: name.clone(),
                publisher: None,
                published: None,
                url: None,
                release: None,
                covers: None,
            })?;
            let sid = SourceId::new(sid).map_err(Problem::from)?;
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
            let aid = ActorId::new(aid).map_err(Problem::from)?;
            self.acled_actor(line, &aid, &side.name)?;
            actors.push(aid);
        }

        let place = self.places(row, places)?;
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
        self.push(line, event, || format!("event_id_cnty `{}`", excerpt(&row.event_id_cnty)))
    }
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

#[cfg(test)]
mod tests {
    use super::rows::{parse_date, parse_inter};
    use super::*;

    #[test]
    fn dates_in_both_spellings_and_three_precisions() {
        let d = |text: &str, p: &str| {
            parse_date(text, p).map(|d| d.to_string()).map_err(|e| e.to_string())
        };
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
