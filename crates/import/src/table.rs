//! The engine of the dataset importers (every format but JSON Lines and
//! ACLED): a CSV or tab-separated file read as a stream, record by record,
//! each handed to the dataset's own mapping ([`Dataset`]), which emits
//! events and counts what it cannot model. The engine keeps the promises
//! of every importer: columns found by name, line-numbered errors (at most
//! [`MAX_ERRORS`](crate::MAX_ERRORS)), one bad row rejects the file, each
//! entity created once and only if the log lacks it, and a second reading
//! that gives the same events as the first, checked by a CRC-32 of the
//! bytes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};

use annals_model::states::State;
use annals_model::{ActorId, Event, PlaceId, RefKind};

use crate::emit::{first_pass, second_pass_next, Emitter, Known, Pass};
use crate::records::{
    csv_reader_with, read_record, width_problem, without_bom, Crc, Errors, Record, Text,
};
use crate::{Catalog, Expected, Problem, Refused, SecondPass, Unit};

/// One dataset's mapping from records to events.
pub(crate) trait Dataset {
    /// What a file of the dataset is called in messages (`a Powell & Thyne file`).
    fn what(&self) -> &'static str;
    /// The columns a file must have; names are compared trimmed and
    /// without case, and other columns are ignored.
    fn required(&self) -> &'static [&'static str];
    /// How the bytes of a field are read as text.
    fn text(&self) -> Text {
        Text::Utf8
    }
    /// Makes what it can of one record: emits events through `out`, counts
    /// what it cannot model with [`Out::skip`]; an error rejects the file.
    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem>;
    /// At the end of the file: emits what needed every record (each event
    /// at the line [`Out::at`] names), or the line and problem that stop it.
    fn finish(&mut self, _out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        Ok(())
    }
}

/// What a first reading found in a file it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TableChecked {
    pub(crate) events: u64,
    pub(crate) skipped: Vec<(String, usize)>,
    pub(crate) rows: usize,
    pub(crate) checksum: u32,
    /// The entities the file creates because the log lacked them; the
    /// second reading creates exactly these.
    pub(crate) new_entities: HashSet<String>,
}

/// Reads and checks a file, handing each event to `each` (which may refuse
/// it with a problem of its own, reported at its line).
pub(crate) fn check_table<R: Read>(
    dataset: Box<dyn Dataset>,
    file: &str,
    reader: R,
    catalog: &Catalog<'_>,
    each: impl FnMut(usize, Event) -> Result<(), Problem>,
) -> Result<TableChecked, Refused> {
    let mut reading = Reading::start(dataset, file, reader, Known::Log(catalog))?;
    let events = first_pass(&mut reading, each)?;
    Ok(TableChecked {
        events,
        skipped: reading.skipped.into_iter().collect(),
        rows: reading.rows,
        checksum: reading.csv.get_ref().crc.clone().finalize(),
        new_entities: reading.emitter.new_entities,
    })
}

/// The events of a file [`check_table`] accepted, read again in the same
/// order, entities created as the check decided.
pub(crate) struct TableEvents<'c, R: Read> {
    reading: Reading<'c, R>,
    failed: bool,
}

impl<'c, R: Read> TableEvents<'c, R> {
    pub(crate) fn new(
        dataset: Box<dyn Dataset>,
        file: &str,
        reader: R,
        checked: &'c TableChecked,
    ) -> Result<TableEvents<'c, R>, Refused> {
        let reading = Reading::start(dataset, file, reader, Known::New(&checked.new_entities))?;
        Ok(TableEvents { reading, failed: false })
    }
}

impl<R: Read> SecondPass for TableEvents<'_, R> {
    fn checksum(&self) -> u32 {
        self.reading.csv.get_ref().crc.clone().finalize()
    }
}

impl<R: Read> Iterator for TableEvents<'_, R> {
    type Item = Result<(usize, Event), Refused>;

    fn next(&mut self) -> Option<Self::Item> {
        second_pass_next(&mut self.reading, &mut self.failed)
    }
}

impl<R: Read> std::fmt::Debug for TableEvents<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableEvents").field("rows", &self.reading.rows).finish_non_exhaustive()
    }
}

/// One reading of a file: records in, events out.
struct Reading<'k, R: Read> {
    dataset: Box<dyn Dataset>,
    csv: csv::Reader<Crc<BufReader<R>>>,
    raw: csv::ByteRecord,
    columns: Columns,
    errors: Errors,
    emitter: Emitter<'k>,
    skipped: BTreeMap<String, usize>,
    rows: usize,
    ended: bool,
}

impl<'k, R: Read> Reading<'k, R> {
    /// Reads the header. The delimiter is a tab when the header has more
    /// tabs than commas (Powell & Thyne's own release is tab-separated),
    /// else a comma.
    fn start(
        dataset: Box<dyn Dataset>,
        file: &str,
        reader: R,
        known: Known<'k>,
    ) -> Result<Reading<'k, R>, Refused> {
        let mut reader = without_bom(reader)?;
        let delimiter = sniff_delimiter(reader.fill_buf()?);
        let mut csv = csv_reader_with(Crc::new(reader), delimiter);
        let mut errors = Errors::new(file);
        let mut raw = csv::ByteRecord::new();
        let what = dataset.what();
        match read_record(&mut csv, &mut raw, &mut errors, dataset.text())? {
            None if errors.list.is_empty() => errors.push(1, Problem::EmptyFile { what }),
            None => {}
            Some(Err(line)) => errors.push(line, Problem::NotUtf8(Unit::Header)),
            Some(Ok(header)) => match Columns::from_header(&header, dataset.required(), what) {
                Ok(columns) => {
                    return Ok(Reading {
                        dataset,
                        csv,
                        raw,
                        columns,
                        errors,
                        emitter: Emitter::new(known),
                        skipped: BTreeMap::new(),
                        rows: 0,
                        ended: false,
                    })
                }
                Err(problems) => problems.into_iter().for_each(|p| errors.push(header.line, p)),
            },
        }
        Err(Refused::Lines(errors.list))
    }

    /// The next event; `None` at the end of the file, or once the list of
    /// errors is full.
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

    /// Reads one record and hands it to the dataset; at the end of the
    /// file, lets the dataset finish.
    fn step(&mut self) -> std::io::Result<()> {
        let text = self.dataset.text();
        let record = match read_record(&mut self.csv, &mut self.raw, &mut self.errors, text)? {
            None => {
                self.ended = true;
                if self.errors.list.is_empty() {
                    let mut out = Out::new(&mut self.emitter, &mut self.skipped, 0);
                    if let Err((line, problem)) = self.dataset.finish(&mut out) {
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
        if record.fields.len() != self.columns.width {
            self.errors.push(record.line, width_problem(&record, self.columns.width));
            return Ok(());
        }
        self.rows += 1;
        let row = Row { line: record.line, fields: &record.fields, columns: &self.columns };
        let mut out = Out::new(&mut self.emitter, &mut self.skipped, record.line);
        if let Err(problem) = self.dataset.row(&row, &mut out) {
            self.errors.push(record.line, problem);
        }
        Ok(())
    }
}

impl<R: Read> Pass for Reading<'_, R> {
    fn next_event(&mut self) -> std::io::Result<Option<(usize, Event)>> {
        Reading::next_event(self)
    }

    fn errors(&mut self) -> &mut Errors {
        &mut self.errors
    }
}

/// A tab when the first line has more tabs than commas, else a comma.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| line.iter().filter(|&&b| b == c).count();
    if count(b'\t') > count(b',') {
        b'\t'
    } else {
        b','
    }
}

/// Where each column of the header sits.
pub(crate) struct Columns {
    index: HashMap<String, usize>,
    width: usize,
}

impl Columns {
    fn from_header(
        header: &Record,
        required: &[&'static str],
        what: &'static str,
    ) -> Result<Columns, Vec<Problem>> {
        let mut index = HashMap::new();
        let mut problems = Vec::new();
        for (i, name) in header.fields.iter().enumerate() {
            let name = name.trim().to_ascii_lowercase();
            if let Some(&first) = index.get(&name) {
                if required.contains(&name.as_str()) {
                    let (first, second) = (first + 1, i + 1);
                    problems.push(Problem::DuplicateColumn { column: name, first, second });
                }
                continue;
            }
            index.insert(name, i);
        }
        for &column in required.iter().filter(|c| !index.contains_key(**c)) {
            problems.push(Problem::MissingColumn { column, what });
        }
        if problems.is_empty() {
            Ok(Columns { index, width: header.fields.len() })
        } else {
            Err(problems)
        }
    }
}

/// One record, with its columns found by name.
pub(crate) struct Row<'a> {
    pub(crate) line: usize,
    fields: &'a [String],
    columns: &'a Columns,
}

impl<'a> Row<'a> {
    /// The trimmed value of a column ("" if the file has no such column).
    pub(crate) fn get(&self, column: &str) -> &'a str {
        let at = self.columns.index.get(column);
        at.and_then(|&i| self.fields.get(i)).map_or("", |s| s.trim())
    }

    /// The value of a column that must not be empty.
    pub(crate) fn text(&self, column: &str) -> Result<&'a str, Problem> {
        Some(self.get(column))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Problem::EmptyColumn { column: column.to_string() })
    }

    /// The value of a column, `None` when empty or one of the dataset's
    /// codes for a missing value (`NA`, `-9`).
    pub(crate) fn optional(&self, column: &str, missing: &[&str]) -> Option<&'a str> {
        Some(self.get(column)).filter(|v| !v.is_empty() && !missing.contains(v))
    }

    /// A whole number.
    pub(crate) fn number<T: std::str::FromStr>(&self, column: &str) -> Result<T, Problem> {
        let v = self.text(column)?;
        parse_number(column, v)
    }

    /// A whole number, `None` when empty or a code for a missing value.
    pub(crate) fn optional_number<T: std::str::FromStr>(
        &self,
        column: &str,
        missing: &[&str],
    ) -> Result<Option<T>, Problem> {
        self.optional(column, missing).map(|v| parse_number(column, v)).transpose()
    }
}

/// `v` as a whole number of column `column`.
pub(crate) fn parse_number<T: std::str::FromStr>(column: &str, v: &str) -> Result<T, Problem> {
    v.parse().map_err(|_| Problem::invalid(column, v, Expected::WholeNumber))
}

/// Where a dataset's mapping puts what it makes of a record.
pub(crate) struct Out<'e, 'k> {
    emitter: &'e mut Emitter<'k>,
    skipped: &'e mut BTreeMap<String, usize>,
    line: usize,
}

impl<'e, 'k> Out<'e, 'k> {
    fn new(
        emitter: &'e mut Emitter<'k>,
        skipped: &'e mut BTreeMap<String, usize>,
        line: usize,
    ) -> Out<'e, 'k> {
        Out { emitter, skipped, line }
    }

    /// Where what follows comes from (for [`Dataset::finish`]).
    pub(crate) fn at(&mut self, line: usize) -> &mut Self {
        self.line = line;
        self
    }

    /// Counts one thing not modelled, under its reason.
    pub(crate) fn skip(&mut self, reason: &str) {
        *self.skipped.entry(reason.to_string()).or_default() += 1;
    }

    /// Emits an entity made whole, unless the log or the file has it.
    pub(crate) fn entity(
        &mut self,
        kind: RefKind,
        id: &str,
        make: impl FnOnce() -> Result<Event, Problem>,
    ) -> Result<(), Problem> {
        self.emitter.entity_with(self.line, kind, id, make)
    }

    /// The actor of a state of the catalogue, created if the log lacks it,
    /// and its codes (as the catalogue holds them), emitted if the log
    /// lacks them.
    pub(crate) fn state(&mut self, state: &State) -> Result<ActorId, Problem> {
        self.entity(RefKind::Actor, state.id, || Ok(state.actor_event()))?;
        self.emitter.state_codes(self.line, state)?;
        Ok(state.actor_id())
    }

    /// The place that is a state's territory, created if the log lacks it.
    pub(crate) fn country(&mut self, state: &State) -> Result<PlaceId, Problem> {
        let id = state.country_id();
        self.entity(RefKind::Place, id.as_str(), || Ok(state.country_event()))?;
        Ok(id)
    }

    /// Emits an event; `key` names it as the dataset does, for the error
    /// when its id comes again with other content.
    pub(crate) fn event(
        &mut self,
        event: Event,
        key: impl FnOnce() -> String,
    ) -> Result<(), Problem> {
        self.emitter.push(self.line, event, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_the_commoner_of_tab_and_comma_in_the_header() {
        assert_eq!(sniff_delimiter(b"country\tccode\tyear\n\"A, B\"\t1\t2"), b'\t');
        assert_eq!(sniff_delimiter(b"a,b,c\n1\t2\t3\t4"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }
}
