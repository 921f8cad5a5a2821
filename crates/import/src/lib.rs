//! Readers of interchange files and of the standard conflict datasets. A
//! file is checked whole before anything is stored: one bad line rejects the
//! file, and every error names the file, the line and the problem. Files
//! are checked as a stream, then read again to be stored, so memory does
//! not grow with the file.
//!
//! Every format is read through one interface ([`Format`], [`detect`],
//! [`check`], [`CheckedFile::events_again`], [`read`]); `docs/DATASETS.md`
//! gives each dataset's mapping. Interchange format v1 and ACLED also have
//! their own functions ([`check_jsonl`], [`JsonlEvents`], [`read_jsonl`];
//! [`check_acled`], [`AcledEvents`], [`read_acled`]).
//!
//! ```
//! use annals_import::{detect, read, Catalog, Format};
//! let csv = "country,ccode,ccode_gw,ccode_polity,year,month,day,coup,version\n\
//!            Mali,432,NA,NA,1968,11,19,2,V2022.11.29\n";
//! let format = detect("coups.csv", csv.as_bytes()).unwrap();
//! assert_eq!(format, Format::PowellThyne);
//! let imported = read(format, "coups.csv", csv.as_bytes(), &Catalog::empty()).unwrap();
//! let coup = imported.events.iter().find(|e| e.kind.type_name() == "coup").unwrap();
//! assert_eq!(coup.id.as_str(), "pt-coup-mali-1968-11-19");
//! ```
//!
//! ```
//! use annals_import::{read_jsonl, Catalog};
//! let text = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"control_lost\",\"place\":\"bamba\",\"actor\":\"cma\",\"date\":\"2023\"}\n";
//! let empty = Catalog::empty();
//! let errors = read_jsonl("f.jsonl", text.as_bytes(), &empty).unwrap_err();
//! assert_eq!(errors[0].to_string(), "f.jsonl:2: field `place` names `bamba`, but no place with that id exists in the log or earlier in this file");
//! ```

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, Seek, SeekFrom};

use annals_model::{v1, Event, EventKind, RefKind};

mod acled;
mod datasets;
mod dates;
mod emit;
mod format;
mod formats;
mod owned;
mod problem;
mod records;
mod releases;
mod sources;
mod state_codes;
mod table;
pub use acled::{
    check_acled, read_acled, AcledChecked, AcledEvents, AcledImport, ACLED_DATASET_SOURCE,
};
pub use format::Format;
pub use formats::{check, detect, read, CheckedFile, Events, Imported, UnknownFormat};
pub use owned::{namespaces, owned_id_problem, ACLED_NAMESPACE};
pub use problem::{At, Difference, Expected, OwnedId, Problem, Unit, Unlike};
pub use releases::{natural_order, Release};
pub use state_codes::is_state_codes;

/// At most this many errors are listed for one file.
pub const MAX_ERRORS: usize = 20;

/// The longest line any reader accepts, in bytes (16 MiB, the line end
/// included): a line longer than this refuses the file, naming its line,
/// once this many bytes of it are read, without reading the rest. Memory
/// stays bounded whatever the input (`/dev/zero` is one endless line), and
/// no record of any format comes near it (docs/FORMAT.md, "Limits").
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The reading of a line longer than [`MAX_LINE_BYTES`], carried as the
/// [`std::io::Error`] of the reader that stopped on it; [`Refused::in_file`]
/// makes it that line's error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the line is longer than the {} MiB annals accepts in one line ({} bytes); it was not read further", MAX_LINE_BYTES >> 20, MAX_LINE_BYTES)]
pub struct LineTooLong {
    /// 1-based.
    pub line: usize,
}

impl LineTooLong {
    /// As the error of an [`std::io::Read`].
    pub(crate) fn io(line: usize) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, LineTooLong { line })
    }
}

/// One rejected line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct LineError {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    pub problem: Problem,
}

/// What the log already holds, as far as checking references needs.
pub struct Catalog<'a> {
    /// Whether an id of this kind exists in the log.
    pub exists: &'a dyn Fn(RefKind, &str) -> bool,
    /// Whether the event with this id is a retraction.
    pub is_retraction: &'a dyn Fn(&str) -> bool,
    /// Where the log puts the place with this id (`lat`, `lon`), if it
    /// holds it with coordinates: an importer does not give a place's id
    /// to a position far from it.
    pub place_at: &'a dyn Fn(&str) -> Option<(f64, f64)>,
}

impl Catalog<'static> {
    /// The catalog of an empty log.
    pub fn empty() -> Catalog<'static> {
        Catalog { exists: &|_, _| false, is_retraction: &|_| false, place_at: &|_| None }
    }
}

impl std::fmt::Debug for Catalog<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}

/// Reads a JSON Lines file of format v1. Blank lines are skipped; a UTF-8 byte
/// order mark and CRLF line ends are accepted. Returns every event in file
/// order, or the errors (at most [`MAX_ERRORS`]).
pub fn read_jsonl(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog<'_>,
) -> Result<Vec<Event>, Vec<LineError>> {
    read_jsonl_lines(file, bytes, catalog).map(|(events, _)| events)
}

/// Like [`read_jsonl`], with the line of each event: where a later problem
/// with it, such as a conflict with a stored event, is reported.
pub fn read_jsonl_lines(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog<'_>,
) -> Result<(Vec<Event>, Vec<usize>), Vec<LineError>> {
    let (_, events, lines) =
        in_memory(file, |each| check_jsonl(file, std::io::Cursor::new(bytes), catalog, each))?;
    Ok((events, lines))
}

/// Runs a check of bytes in memory, keeping every event it hands on with
/// its line.
#[allow(clippy::type_complexity)]
fn in_memory<T>(
    file: &str,
    check: impl FnOnce(&mut dyn FnMut(usize, Event) -> Result<(), Problem>) -> Result<T, Refused>,
) -> Result<(T, Vec<Event>, Vec<usize>), Vec<LineError>> {
    let (mut events, mut lines) = (Vec::new(), Vec::new());
    let checked = check(&mut |line, event| {
        events.push(event);
        lines.push(line);
        Ok(())
    })
    .map_err(|e| match e.in_file(file) {
        Refused::Lines(errors) => errors,
        Refused::Io(e) => unreachable!("reading from memory cannot fail: {e}"),
    })?;
    Ok((checked, events, lines))
}

/// Why a file was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// Lines with problems (at most [`MAX_ERRORS`]).
    #[error("{} line(s) refused", .0.len())]
    Lines(Vec<LineError>),
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl Refused {
    /// This refusal of `file`, with a read stopped by a line too long
    /// ([`LineTooLong`]) as that line's error.
    pub fn in_file(self, file: &str) -> Refused {
        match self {
            Refused::Io(e) => match e.get_ref().and_then(|e| e.downcast_ref::<LineTooLong>()) {
                Some(long) => Refused::Lines(vec![LineError {
                    file: file.to_string(),
                    line: long.line,
                    problem: Problem::TooLong(*long),
                }]),
                None => Refused::Io(e),
            },
            lines => lines,
        }
    }
}

/// What [`check_jsonl`] read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Lines read (the number of the last line).
    pub lines: usize,
    /// Events handed on (an id repeated with the same content counts once).
    pub events: u64,
    /// CRC-32 of every byte read: the [`SecondPass::checksum`] of a second
    /// pass over the same file must equal it.
    pub checksum: u32,
}

/// Reads and checks a JSON Lines file of format v1 without keeping its
/// events, so that memory does not grow with the file: each line is parsed,
/// its references are checked against earlier lines and the `catalog`, and
/// every event (the first time its id occurs) is handed to `each` with its
/// line, which may refuse it with a problem of its own (reported as that
/// line's error). Blank lines are skipped; a UTF-8 byte order mark and CRLF
/// line ends are accepted.
///
/// What it keeps per distinct id: its byte offset, under a 64-bit hash of
/// the id for events and the id itself for sources, actors and places
/// (which references name). A repeated id, a reference to an earlier
/// event, and two ids with the same hash are settled by reading the
/// earlier line again, so the answer is exact.
pub fn check_jsonl<R: BufRead + Seek>(
    file: &str,
    reader: R,
    catalog: &Catalog<'_>,
    mut each: impl FnMut(usize, Event) -> Result<(), Problem>,
) -> Result<Checked, Refused> {
    let mut lines = Lines::new(reader);
    let mut seen = Seen::default();
    let mut errors = Vec::new();
    let mut events = 0;
    while let Some(read) = lines.next_line()? {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let (line, offset) = (read.line, read.offset);
        let fail = |problem: Problem| LineError { file: file.to_string(), line, problem };
        let text = match read.text {
            Ok(text) => text,
            Err(problem) => {
                errors.push(fail(problem));
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let event = match v1::parse_line(text) {
            Ok(parsed) => parsed.event,
            Err(e) => {
                errors.push(fail(e.into()));
                continue;
            }
        };
        if let Some(earlier) = seen.find(&mut lines, event.id.as_str())? {
            if earlier.event != event {
                let first_line = lines.line_at(earlier.offset)?;
                let what = format!("id `{}`", event.id);
                errors.push(fail(Problem::DifferentEvent { what, first_line }));
            }
            continue;
        }
        let mut problems = Vec::new();
        for r in event.references() {
            let found = match seen.kind_of(&mut lines, r.kind, r.id)? {
                Some(_) => true,
                None => (catalog.exists)(r.kind, r.id),
            };
            if !found {
                let (field, id, kind) = (r.field, r.id.to_string(), r.kind);
                problems.push(Problem::UnknownReference { field, id, kind });
            }
        }
        if let EventKind::Retraction { retracts, .. } = &event.kind {
            let target_is_retraction = match seen.find(&mut lines, retracts.as_str())? {
                Some(earlier) => matches!(earlier.event.kind, EventKind::Retraction { .. }),
                None => (catalog.is_retraction)(retracts.as_str()),
            };
            if target_is_retraction {
                problems.push(Problem::RetractsRetraction(retracts.to_string()));
            }
        }
        if let Some(p) = problems.into_iter().next() {
            errors.push(fail(p));
            continue;
        }
        let (id, kind) = (event.id.as_str().to_string(), entity_kind(&event.kind));
        if let Err(problem) = each(line, event) {
            errors.push(fail(problem));
            continue;
        }
        seen.insert(id, kind, offset);
        events += 1;
    }
    if errors.is_empty() {
        Ok(Checked { lines: lines.line, events, checksum: lines.crc.clone().finalize() })
    } else {
        Err(Refused::Lines(errors))
    }
}

/// The events of a JSON Lines file that [`check_jsonl`] accepted, read
/// again, with their lines, in file order (an id repeated in the file comes
/// again: appending skips it). A line that no longer parses is an error: the
/// file changed since it was checked, as a different [`checksum`](SecondPass::checksum)
/// at the end also says.
#[derive(Debug)]
pub struct JsonlEvents<R> {
    file: String,
    lines: Lines<R>,
}

impl<R: BufRead> JsonlEvents<R> {
    pub fn new(file: &str, reader: R) -> JsonlEvents<R> {
        JsonlEvents { file: file.to_string(), lines: Lines::new(reader) }
    }
}

/// The second pass over a checked file ([`JsonlEvents`], [`AcledEvents`]):
/// its events again, with their lines, and a checksum of the bytes read,
/// which at the end must equal the first pass's for the events to be the
/// ones checked.
pub trait SecondPass: Iterator<Item = Result<(usize, Event), Refused>> {
    /// CRC-32 of the bytes read so far.
    fn checksum(&self) -> u32;
}

/// Events a reading thread sends at a time ([`ahead`]).
const AHEAD_BATCH: usize = 256;

/// What the reading thread of [`ahead`] sends: events, then the checksum
/// of the bytes it read, once it has read them all (or hit an error).
enum Ahead {
    Events(Vec<Result<(usize, Event), Refused>>),
    End(u32),
}

/// Runs the second pass `pass` on a thread of its own, a few batches of
/// events ahead of `consume`, which reads them as a [`SecondPass`]: the file
/// is read and parsed while the events before are stored. Memory stays
/// bounded (at most 4 batches of 256 events wait). If `consume` stops early,
/// the thread stops at its next batch.
pub fn ahead<P, T>(pass: P, consume: impl FnOnce(&mut dyn SecondPass) -> T) -> T
where
    P: SecondPass + Send,
{
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        scope.spawn(move || {
            let mut pass = pass;
            loop {
                let batch: Vec<_> = pass.by_ref().take(AHEAD_BATCH).collect();
                let done = batch.len() < AHEAD_BATCH || batch.iter().any(Result::is_err);
                if tx.send(Ahead::Events(batch)).is_err() {
                    return;
                }
                if done {
                    let _ = tx.send(Ahead::End(pass.checksum()));
                    return;
                }
            }
        });
        consume(&mut ReadAhead { rx, batch: Vec::new().into_iter(), checksum: None })
    })
}

/// The consuming end of [`ahead`].
struct ReadAhead {
    rx: std::sync::mpsc::Receiver<Ahead>,
    batch: std::vec::IntoIter<Result<(usize, Event), Refused>>,
    checksum: Option<u32>,
}

impl Iterator for ReadAhead {
    type Item = Result<(usize, Event), Refused>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.batch.next() {
                return Some(item);
            }
            if self.checksum.is_some() {
                return None;
            }
            match self.rx.recv() {
                Ok(Ahead::Events(batch)) => self.batch = batch.into_iter(),
                Ok(Ahead::End(checksum)) => self.checksum = Some(checksum),
                // The thread stopped before the end (it panicked): the
                // events read are not the whole file.
                Err(_) => {
                    self.checksum = Some(0);
                    return Some(Err(Refused::Io(std::io::Error::other(
                        "the thread reading the file stopped before its end",
                    ))));
                }
            }
        }
    }
}

impl SecondPass for ReadAhead {
    /// The checksum of the whole file, once every event has been read;
    /// until then, of nothing (0).
    fn checksum(&self) -> u32 {
        self.checksum.unwrap_or(0)
    }
}

impl<R: BufRead> SecondPass for JsonlEvents<R> {
    fn checksum(&self) -> u32 {
        self.lines.crc.clone().finalize()
    }
}

impl<R: BufRead> Iterator for JsonlEvents<R> {
    type Item = Result<(usize, Event), Refused>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let read = match self.lines.next_line() {
                Ok(Some(read)) => read,
                Ok(None) => return None,
                Err(e) => return Some(Err(e.into())),
            };
            let fail = |problem: Problem| {
                let error = LineError { file: self.file.clone(), line: read.line, problem };
                Some(Err(Refused::Lines(vec![error])))
            };
            let text = match read.text {
                Ok(text) => text,
                Err(problem) => return fail(problem),
            };
            if text.trim().is_empty() {
                continue;
            }
            return match v1::parse_line(text) {
                Ok(parsed) => Some(Ok((read.line, parsed.event))),
                Err(e) => fail(e.into()),
            };
        }
    }
}

/// The interchange kind of an entity (what references name), if `kind` is one.
fn entity_kind(kind: &EventKind) -> Option<RefKind> {
    match kind {
        EventKind::Source { .. } => Some(RefKind::Source),
        EventKind::Actor { .. } => Some(RefKind::Actor),
        EventKind::Place { .. } => Some(RefKind::Place),
        _ => None,
    }
}

/// One line as [`Lines`] reads it.
struct Line<'a> {
    /// 1-based.
    line: usize,
    /// Where the line starts in the file.
    offset: u64,
    /// The text, without its line end, or why it is not text.
    text: Result<&'a str, Problem>,
}

/// The lines of a file, read one at a time into one buffer, with their
/// numbers and offsets, as `bytes.split(b'\n')` would number them.
#[derive(Debug)]
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    line: usize,
    offset: u64,
    crc: crc32fast::Hasher,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    fn new(reader: R) -> Lines<R> {
        Lines { reader, buf: Vec::new(), line: 0, offset: 0, crc: Default::default(), done: false }
    }

    fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        if self.done {
            return Ok(None);
        }
        self.buf.clear();
        let n = read_line_bounded(&mut self.reader, &mut self.buf, self.line + 1)?;
        self.crc.update(&self.buf);
        let offset = self.offset;
        self.offset += n as u64;
        self.line += 1;
        // The last line has no line end (`split` yields it even when empty).
        self.done = !self.buf.ends_with(b"\n");
        Ok(Some(Line { line: self.line, offset, text: line_text(&self.buf, offset) }))
    }
}

/// Reads up to and including the next `\n` into `buf`, as `read_until`
/// does, but fails with [`LineTooLong`] (line `line`) as soon as the line
/// holds more than [`MAX_LINE_BYTES`] bytes, its line end included, without
/// reading further: at most one buffer's worth past the limit is read.
fn read_line_bounded<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    line: usize,
) -> std::io::Result<usize> {
    let mut read = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (taken, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), available.is_empty()),
        };
        buf.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        read += taken;
        if buf.len() > MAX_LINE_BYTES {
            return Err(LineTooLong::io(line));
        }
        if ended {
            return Ok(read);
        }
    }
}

/// The text of a line read with its line end, as a line of the file: without
/// the `\n` or `\r\n`, and without the byte order mark if it is the first.
fn line_text(buf: &[u8], offset: u64) -> Result<&str, Problem> {
    let bytes = buf.strip_suffix(b"\n").unwrap_or(buf);
    let bytes = match offset {
        0 => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
        _ => bytes,
    };
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| Problem::NotUtf8(Unit::Line))
}

impl<R: BufRead + Seek> Lines<R> {
    /// The event on the line at `offset` (a line read and accepted before),
    /// read again; the reader then goes on where it was.
    fn event_at(&mut self, offset: u64) -> std::io::Result<Event> {
        let here = self.reader.stream_position()?;
        self.reader.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::new();
        self.reader.read_until(b'\n', &mut buf)?;
        self.reader.seek(SeekFrom::Start(here))?;
        let parsed = line_text(&buf, offset).ok().and_then(|text| v1::parse_line(text).ok());
        parsed.map(|p| p.event).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the line at byte {offset}, accepted before, no longer reads: the file changed while it was being read"),
            )
        })
    }

    /// The number of the line at `offset` (for an error message).
    fn line_at(&mut self, offset: u64) -> std::io::Result<usize> {
        let here = self.reader.stream_position()?;
        self.reader.seek(SeekFrom::Start(0))?;
        let mut line = 1;
        let mut read = 0;
        let mut buf = Vec::new();
        while read < offset {
            buf.clear();
            let n = self.reader.read_until(b'\n', &mut buf)?;
            if n == 0 {
                break;
            }
            read += n as u64;
            line += 1;
        }
        self.reader.seek(SeekFrom::Start(here))?;
        Ok(line)
    }
}

/// What [`check_jsonl`] keeps of the ids it has accepted.
#[derive(Debug, Default)]
struct Seen {
    /// Sources, actors and places: id → (kind, offset of its line).
    entities: hashbrown::HashMap<String, (RefKind, u64)>,
    /// Other events: hash of the id → offset of its line.
    events: HashMap<u64, u64, BuildHasherDefault<Prehashed>>,
    /// Other events whose id hash was already taken by another id.
    collided: hashbrown::HashMap<String, u64>,
}

/// An earlier line's event, found by its id.
struct Earlier {
    offset: u64,
    event: Event,
}

impl Seen {
    fn insert(&mut self, id: String, kind: Option<RefKind>, offset: u64) {
        if let Some(kind) = kind {
            self.entities.insert(id, (kind, offset));
        } else if let Entry::Vacant(slot) = self.events.entry(hash(&id)) {
            slot.insert(offset);
        } else {
            // `find` has read the line under this hash: another id.
            self.collided.insert(id, offset);
        }
    }

    /// The earlier event with this id, read again from its line.
    fn find<R: BufRead + Seek>(
        &self,
        lines: &mut Lines<R>,
        id: &str,
    ) -> std::io::Result<Option<Earlier>> {
        let offset = match self.entities.get(id) {
            Some(&(_, offset)) => Some(offset),
            None => self.collided.get(id).copied().or_else(|| self.events.get(&hash(id)).copied()),
        };
        let Some(offset) = offset else { return Ok(None) };
        let event = lines.event_at(offset)?;
        Ok((event.id.as_str() == id).then_some(Earlier { offset, event }))
    }

    /// Whether an earlier line introduces `id` as a `kind` (any event, for
    /// [`RefKind::Event`]). Entities answer from memory; other events by
    /// reading their line again.
    fn kind_of<R: BufRead + Seek>(
        &self,
        lines: &mut Lines<R>,
        kind: RefKind,
        id: &str,
    ) -> std::io::Result<Option<RefKind>> {
        if let Some(&(found, _)) = self.entities.get(id) {
            return Ok((kind == RefKind::Event || kind == found).then_some(found));
        }
        if kind != RefKind::Event {
            return Ok(None);
        }
        Ok(self.find(lines, id)?.map(|_| RefKind::Event))
    }
}

/// A 64-bit hash of an event id (foldhash: SipHash cost 2% of an import).
#[cfg(not(test))]
fn hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    static IDS: std::sync::LazyLock<hashbrown::DefaultHashBuilder> =
        std::sync::LazyLock::new(Default::default);
    IDS.hash_one(id)
}

/// In unit tests, ids of the same length collide, so that the paths that
/// settle a shared hash by reading the earlier line run all the time.
#[cfg(test)]
fn hash(id: &str) -> u64 {
    id.len() as u64
}

/// A hasher for keys that are hashes already.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Event>, Vec<String>> {
        read_jsonl("t.jsonl", text.as_bytes(), &Catalog::empty())
            .map_err(|es| es.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn references_must_exist_earlier() {
        let ok = "\u{feff}{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\r\n\r\n{\"type\":\"place\",\"id\":\"bamba\",\"name\":\"Bamba\"}\r\n{\"type\":\"control_taken\",\"place\":\"bamba\",\"actor\":\"cma\",\"date\":\"2023-10-01\"}\r\n";
        assert_eq!(read(ok).unwrap().len(), 3);
        let late = "{\"type\":\"control_taken\",\"place\":\"bamba\",\"actor\":\"cma\",\"date\":\"2023-10-01\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}";
        assert!(read(late).unwrap_err()[0].starts_with("t.jsonl:1: field `place` names `bamba`"));
        let wrong_kind = "{\"type\":\"actor\",\"id\":\"bamba\",\"name\":\"B\"}\n{\"type\":\"control_lost\",\"place\":\"bamba\",\"actor\":\"bamba\",\"date\":\"2023\"}";
        assert!(read(wrong_kind).unwrap_err()[0].contains("no place with that id"));
    }

    #[test]
    fn duplicate_ids_must_agree() {
        let same = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}";
        assert_eq!(read(same).unwrap().len(), 1);
        let different = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"Other\"}";
        assert_eq!(
            read(different).unwrap_err(),
            ["t.jsonl:2: id `cma` is already used on line 1 for a different event"]
        );
    }

    /// Events whose ids share a hash (here: ids of one length) are told
    /// apart by reading their lines again: references to earlier events,
    /// repeated ids and retractions of retractions are judged by the id,
    /// never by the hash.
    #[test]
    fn ids_that_share_a_hash_are_told_apart() {
        let lines = [
            r#"{"type":"place","id":"p","name":"P"}"#,
            r#"{"type":"actor","id":"a","name":"A"}"#,
            r#"{"type":"control_taken","id":"c1","place":"p","actor":"a","date":"2020"}"#,
            r#"{"type":"control_taken","id":"c2","place":"p","actor":"a","date":"2021"}"#,
            r#"{"type":"retraction","id":"r1","retracts":"c2","reason":"wrong"}"#,
            r#"{"type":"control_taken","id":"c2","place":"p","actor":"a","date":"2021"}"#,
            r#"{"type":"retraction","id":"r2","retracts":"c1","reason":"also wrong"}"#,
        ];
        let text = lines.join("\n");
        let events = read(&text).unwrap();
        let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["p", "a", "c1", "c2", "r1", "r2"]);
        // c3 shares c1's hash but is not in the file; r1 (a retraction)
        // shares r2's; c2 again with other content.
        let bad = [
            r#"{"type":"retraction","id":"r3","retracts":"c3","reason":"x"}"#,
            r#"{"type":"retraction","id":"r4","retracts":"r1","reason":"x"}"#,
            r#"{"type":"control_taken","id":"c2","place":"p","actor":"a","date":"2022"}"#,
        ];
        let errors = read(&format!("{text}\n{}", bad.join("\n"))).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("t.jsonl:8: field `retracts` names `c3`, but no event"));
        assert!(errors[1].starts_with("t.jsonl:9: `r1` is itself a retraction"));
        assert_eq!(
            errors[2],
            "t.jsonl:10: id `c2` is already used on line 4 for a different event"
        );
    }

    /// The second pass reads the same events, repeats included, with the
    /// same lines, and ends with the first pass's checksum.
    #[test]
    fn the_second_pass_reads_what_the_first_checked() {
        let text = "\u{feff}{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\r\n\r\n{\"type\":\"place\",\"id\":\"bamba\",\"name\":\"Bamba\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n";
        let mut first = Vec::new();
        let checked =
            check_jsonl("t.jsonl", std::io::Cursor::new(text), &Catalog::empty(), |line, e| {
                first.push((line, e));
                Ok(())
            })
            .unwrap();
        assert_eq!((checked.lines, checked.events), (5, 2));
        let mut second = JsonlEvents::new("t.jsonl", std::io::Cursor::new(text));
        let again: Vec<(usize, Event)> = second.by_ref().map(|r| r.unwrap()).collect();
        assert_eq!(again.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(&again[..2], &first[..]);
        assert_eq!(again[2].1, first[0].1);
        assert_eq!(second.checksum(), checked.checksum);
        let other = text.replace("Bamba", "Bamba!");
        let mut changed = JsonlEvents::new("t.jsonl", std::io::Cursor::new(other));
        assert_eq!(changed.by_ref().count(), 3);
        assert_ne!(changed.checksum(), checked.checksum);
    }

    #[test]
    fn every_bad_line_is_listed_and_invalid_utf8_is_named() {
        let text = b"{\"type\":\"nope\"}\n\xff\xfe\n{\"type\":\"actor\",\"id\":\"a\",\"name\":\"A\"}\n{\"type\":\"retraction\",\"id\":\"r\",\"retracts\":\"a\",\"reason\":\"x\"}\n{\"type\":\"retraction\",\"retracts\":\"r\",\"reason\":\"y\"}";
        let errors = read_jsonl("t.jsonl", text, &Catalog::empty()).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 5]);
        assert_eq!(errors[1].problem, Problem::NotUtf8(Unit::Line));
        assert_eq!(errors[1].problem.to_string(), "the line is not valid UTF-8");
        assert_eq!(errors[2].problem, Problem::RetractsRetraction("r".to_string()));
        assert!(errors[2].to_string().contains("cannot be retracted"));
    }
}
