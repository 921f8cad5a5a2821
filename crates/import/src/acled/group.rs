//! The first reading of an export (where its locations are, and the rows
//! of each event), and monadic exports: one row per actor, the rows of an
//! event gathered by `event_id_cnty`, each event handed on as soon as it
//! and every event before it are complete.

use std::collections::{HashMap, VecDeque};
use std::io::Read;

use super::places::Survey;
use super::rows::{mapping, Columns, Mapping, Row};
use super::AcledEvent;
use crate::problem::quoted;
use crate::records::{csv_reader, without_bom, Crc, Errors, Record};
use crate::Problem;

/// The first reading of a file, before its events are made: where its
/// locations are (every row of a type that is imported), and for a monadic
/// export how many rows each `event_id_cnty` has and where its first row
/// is. A malformed record ends the reading; the reading proper reports it.
pub(crate) fn pre_scan<R: Read>(
    reader: R,
    columns: &Columns,
) -> std::io::Result<(HashMap<String, Rows>, Survey)> {
    let mut csv = csv_reader(Crc::new(without_bom(reader)?));
    let mut raw = csv::ByteRecord::new();
    let at = columns.index["event_id_cnty"];
    let mut counts: HashMap<String, Rows> = HashMap::new();
    let mut survey = Survey::default();
    let mut header = true;
    loop {
        match csv.read_byte_record(&mut raw) {
            Ok(true) if std::mem::take(&mut header) => {}
            Ok(true) if raw.len() == columns.width => {
                let field = |c: &str| {
                    columns.index.get(c).map_or(std::borrow::Cow::Borrowed(""), |&i| {
                        String::from_utf8_lossy(&raw[i])
                    })
                };
                let id = String::from_utf8_lossy(&raw[at]);
                let id = id.trim();
                let kind = (field("event_type"), field("sub_event_type"));
                if mapping(kind.0.trim(), kind.1.trim()).is_some_and(|m| m != Mapping::Skip) {
                    let place = ["country", "admin1", "admin2", "location"].map(field);
                    let place = [0, 1, 2, 3].map(|i| place[i].trim());
                    survey.row(id, place, field("latitude").trim(), field("longitude").trim());
                }
                if !columns.monadic {
                    continue;
                }
                let line = raw.position().cloned().map_or(0, |p| csv.get_mut().line_of(&p));
                match counts.get_mut(id) {
                    Some(rows) => rows.total += 1,
                    None => {
                        let rows = Rows { total: 1, seen: 0, first_line: line };
                        counts.insert(id.to_string(), rows);
                    }
                }
            }
            Ok(true) => {}
            Ok(false) => return Ok((counts, survey)),
            Err(e) => {
                return match e.into_kind() {
                    csv::ErrorKind::Io(io) => Err(io),
                    _ => Ok((counts, survey)),
                }
            }
        }
    }
}

/// Columns the rows of one monadic event share (all but the actor's own).
pub(crate) const SHARED: [&str; 13] = [
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

/// The rows of one `event_id_cnty` in a monadic export.
pub(crate) struct Rows {
    /// In the whole file (counted by a first read).
    pub(crate) total: u32,
    /// Read so far.
    pub(crate) seen: u32,
    /// Where the first is.
    pub(crate) first_line: usize,
}

/// An event of a monadic export whose rows are not all handed on yet.
pub(crate) struct Pending {
    pub(crate) event: AcledEvent,
    /// Its first row, which later rows must agree with.
    pub(crate) first: Record,
    /// All its rows are read.
    pub(crate) complete: bool,
}

/// Gathers the rows of a monadic export by `event_id_cnty`. Events come out
/// in order of first appearance, each as soon as it and every event before
/// it are complete: at once when the rows of an event are adjacent, as
/// ACLED writes them. The first row's actor is `actor1`, the second's its
/// counterpart.
pub(crate) struct Grouping {
    pub(crate) counts: HashMap<String, Rows>,
    pub(crate) queue: VecDeque<Pending>,
    /// The position in the file's order of events of `queue[0]`.
    pub(crate) base: usize,
    /// The position of each incomplete event, by `event_id_cnty`.
    pub(crate) open: HashMap<String, usize>,
}

impl Grouping {
    /// Adds a row (or the problem with it); returns the events it completes.
    pub(crate) fn add(
        &mut self,
        columns: &Columns,
        record: Record,
        row: Result<Row, Problem>,
        errors: &mut Errors,
    ) -> Vec<AcledEvent> {
        let key = columns.get(&record, "event_id_cnty");
        if !self.counts.contains_key(key) {
            // A file that changed since it was counted has rows the count lacks.
            let rows = Rows { total: 0, seen: 0, first_line: record.line };
            self.counts.insert(key.to_string(), rows);
        }
        let rows = self.counts.get_mut(key).expect("just made sure it is there");
        rows.seen += 1;
        rows.total = rows.total.max(rows.seen);
        let (seen, total, first_line) = (rows.seen, rows.total, rows.first_line);
        let row = match row {
            Ok(row) => row,
            Err(problem) => {
                errors.push(record.line, problem);
                return Vec::new();
            }
        };
        if seen >= 3 {
            let event = quoted(&row.event_id_cnty);
            errors.push(row.line, Problem::ThirdRow { event, first_line });
            return Vec::new();
        }
        let complete = seen >= total;
        match self.open.get(&row.event_id_cnty) {
            Some(&at) => {
                let pending = &mut self.queue[at - self.base];
                let (this, that) = (&record, &pending.first);
                if let Some(column) =
                    SHARED.iter().find(|c| columns.get(this, c) != columns.get(that, c))
                {
                    let (first_line, event) = (pending.first.line, quoted(&row.event_id_cnty));
                    errors.push(row.line, Problem::RowsDiffer { column, first_line, event });
                    return Vec::new();
                }
                pending.event.sides.push(row.side);
                if complete {
                    pending.complete = true;
                    self.open.remove(&row.event_id_cnty);
                }
            }
            None => {
                if !complete {
                    self.open.insert(row.event_id_cnty.clone(), self.base + self.queue.len());
                }
                let event = AcledEvent { sides: vec![row.side.clone()], row };
                self.queue.push_back(Pending { event, first: record, complete });
            }
        }
        let mut ready = Vec::new();
        while self.queue.front().is_some_and(|p| p.complete) {
            ready.extend(self.queue.pop_front().map(|p| p.event));
            self.base += 1;
        }
        ready
    }

    /// At the end of the file: every event still waiting, in order.
    pub(crate) fn drain(&mut self) -> Vec<AcledEvent> {
        self.open.clear();
        self.base += self.queue.len();
        self.queue.drain(..).map(|p| p.event).collect()
    }
}
