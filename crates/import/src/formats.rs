//! Every format annals imports, behind one interface: detect the format from
//! a file's first bytes ([`detect`]), check the whole file ([`check`]), then
//! read it again to store it ([`CheckedFile::events_again`], a [`SecondPass`]);
//! or both on bytes in memory ([`read`]). The caller never needs to know
//! which dataset it is reading.

use std::io::{BufReader, Read, Seek};

use annals_model::Event;

use crate::acled::{check_acled, AcledChecked, AcledEvents};
use crate::format::Format;
use crate::table::{check_table, TableChecked, TableEvents};
use crate::{check_jsonl, Catalog, JsonlEvents, LineError, Problem, Refused, SecondPass};

/// A file whose format [`detect`] could not tell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: the format is not recognised from its first line; annals imports {}; name one with --format", known())]
pub struct UnknownFormat {
    pub file: String,
}

fn known() -> String {
    let names: Vec<String> =
        Format::ALL.iter().map(|f| format!("{} ({})", f.name(), f.title())).collect();
    names.join(", ")
}

/// The format of `file`, told from its first bytes (a few kilobytes are
/// plenty: the header line), or an error that lists every format known.
///
/// ```
/// use annals_import::{detect, Format};
/// let head = b"country,ccode,ccode_gw,ccode_polity,year,month,day,coup,version\n";
/// assert_eq!(detect("coups.csv", head), Ok(Format::PowellThyne));
/// let error = detect("notes.txt", b"Dear diary").unwrap_err().to_string();
/// assert!(error.starts_with("notes.txt: the format is not recognised from its first line; annals imports jsonl (interchange format v1 (JSON Lines)), acled"));
/// ```
pub fn detect(file: &str, head: &[u8]) -> Result<Format, UnknownFormat> {
    Format::detect(head).ok_or_else(|| UnknownFormat { file: file.to_string() })
}

/// What [`check`] found in a file it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedFile {
    pub format: Format,
    /// Events handed on (an event repeated with the same content counts once).
    pub events: u64,
    /// Records read (lines, for JSON Lines), not counting the header.
    pub rows: usize,
    /// What the file holds that annals does not model, counted by reason
    /// (sorted): never dropped silently.
    pub skipped: Vec<(String, usize)>,
    /// CRC-32 of the bytes read: the [`SecondPass::checksum`] of the
    /// second pass must equal it.
    pub checksum: u32,
    inner: Inner,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    Jsonl,
    Acled(AcledChecked),
    Table(TableChecked),
}

/// Reads and checks a file of `format` without keeping its events: each is
/// handed to `each` with its line (which may refuse it with a problem of
/// its own, reported as that line's error). A file with one bad record is
/// refused whole, with at most [`MAX_ERRORS`](crate::MAX_ERRORS) errors.
pub fn check<R: Read + Seek>(
    format: Format,
    file: &str,
    reader: R,
    catalog: &Catalog<'_>,
    each: impl FnMut(usize, Event) -> Result<(), Problem>,
) -> Result<CheckedFile, Refused> {
    let checked = |events, rows, skipped, checksum, inner| CheckedFile {
        format,
        events,
        rows,
        skipped,
        checksum,
        inner,
    };
    Ok(match format {
        Format::Jsonl => {
            let c = check_jsonl(file, BufReader::new(reader), catalog, each)?;
            checked(c.events, c.lines, Vec::new(), c.checksum, Inner::Jsonl)
        }
        Format::Acled => {
            let c = check_acled(file, reader, catalog, each)?;
            checked(c.events, c.rows, c.skipped.clone(), c.checksum, Inner::Acled(c))
        }
        _ => {
            let dataset = crate::datasets::mapping(format).expect("every other format is a table");
            let c = check_table(dataset, file, reader, catalog, each)?;
            checked(c.events, c.rows, c.skipped.clone(), c.checksum, Inner::Table(c))
        }
    })
}

impl CheckedFile {
    /// The events of the file, read again, in the order [`check`] handed
    /// them on; entities are created as the check decided, whatever the log
    /// holds by now. A JSON Lines file gives an id repeated in it again
    /// (appending skips it).
    pub fn events_again<R: Read + Seek>(
        &self,
        file: &str,
        reader: R,
    ) -> Result<Events<'_, R>, Refused> {
        Ok(Events(match &self.inner {
            Inner::Jsonl => Pass::Jsonl(JsonlEvents::new(file, BufReader::new(reader))),
            Inner::Acled(c) => Pass::Acled(AcledEvents::new(file, reader, c)?),
            Inner::Table(c) => {
                let dataset = crate::datasets::mapping(self.format).expect("a table format");
                Pass::Table(TableEvents::new(dataset, file, reader, c)?)
            }
        }))
    }
}

/// The second pass over a checked file, whatever its format.
#[derive(Debug)]
pub struct Events<'c, R: Read>(Pass<'c, R>);

#[derive(Debug)]
enum Pass<'c, R: Read> {
    Jsonl(JsonlEvents<BufReader<R>>),
    Acled(AcledEvents<'c, R>),
    Table(TableEvents<'c, R>),
}

impl<R: Read> Iterator for Events<'_, R> {
    type Item = Result<(usize, Event), Refused>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            Pass::Jsonl(e) => e.next(),
            Pass::Acled(e) => e.next(),
            Pass::Table(e) => e.next(),
        }
    }
}

impl<R: Read> SecondPass for Events<'_, R> {
    fn checksum(&self) -> u32 {
        match &self.0 {
            Pass::Jsonl(e) => e.checksum(),
            Pass::Acled(e) => e.checksum(),
            Pass::Table(e) => e.checksum(),
        }
    }
}

/// What [`read`] made of a file held in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub format: Format,
    /// The events to store, in file order, entities first.
    pub events: Vec<Event>,
    /// For each event, the line it comes from.
    pub lines: Vec<usize>,
    /// As [`CheckedFile::skipped`].
    pub skipped: Vec<(String, usize)>,
    /// As [`CheckedFile::rows`].
    pub rows: usize,
}

/// Reads a file of `format` held in memory: [`check`], keeping the events.
pub fn read(
    format: Format,
    file: &str,
    bytes: &[u8],
    catalog: &Catalog<'_>,
) -> Result<Imported, Vec<LineError>> {
    let (checked, events, lines) = crate::in_memory(file, |each| {
        check(format, file, std::io::Cursor::new(bytes), catalog, each)
    })?;
    Ok(Imported { format, events, lines, skipped: checked.skipped, rows: checked.rows })
}
