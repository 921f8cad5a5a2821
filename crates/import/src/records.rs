//! Reading CSV records: past a byte order mark, into a CRC-32 of the bytes
//! read, each with the physical line it starts on and its fields as text;
//! and the list of a file's errors.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};

use crate::{LineError, Problem, MAX_ERRORS};

/// Where the bytes come from: counted into a CRC-32 as they are read, with
/// the line ends not yet behind the records read, so that a record's
/// physical line can be told ([`Crc::line_of`]).
pub(crate) struct Crc<R> {
    pub(crate) inner: R,
    pub(crate) crc: crc32fast::Hasher,
    /// Bytes read so far.
    offset: u64,
    /// Offsets of the `\r` and `\n` bytes read and not yet forgotten.
    breaks: VecDeque<(u64, u8)>,
    /// `\n` bytes read so far, and the bytes read since the last one: a
    /// line past [`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES) stops the reading.
    newlines: usize,
    since_newline: usize,
}

impl<R> Crc<R> {
    pub(crate) fn new(inner: R) -> Crc<R> {
        Crc {
            inner,
            crc: Default::default(),
            offset: 0,
            breaks: VecDeque::new(),
            newlines: 0,
            since_newline: 0,
        }
    }

    /// The physical line of a position the csv reader reports. It reports
    /// where it began to look for a record, before the line ends it skipped
    /// to find it (blank lines, the `\n` of a `\r\n`): each `\n` among them
    /// is one line further. Forgets the line ends before the position (the
    /// reader never reports one before it again).
    pub(crate) fn line_of(&mut self, position: &csv::Position) -> usize {
        let start = position.byte();
        while self.breaks.front().is_some_and(|&(at, _)| at < start) {
            self.breaks.pop_front();
        }
        let skipped = self
            .breaks
            .iter()
            .zip(start..)
            .take_while(|((at, _), expected)| at == expected)
            .filter(|((_, b), _)| *b == b'\n')
            .count();
        position.line() as usize + skipped
    }
}

impl<R: Read> Read for Crc<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since_newline >= crate::MAX_LINE_BYTES {
            return Err(crate::LineTooLong::io(self.newlines + 1));
        }
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                self.breaks.push_back((self.offset + i as u64, b));
            }
            if b == b'\n' {
                self.newlines += 1;
                self.since_newline = 0;
            } else {
                self.since_newline += 1;
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// A buffered reader past the UTF-8 byte order mark, if the file starts with one.
pub(crate) fn without_bom<R: Read>(reader: R) -> std::io::Result<BufReader<R>> {
    let mut reader = BufReader::new(reader);
    if reader.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(reader)
}

/// A reader of comma-separated records, of any width: a record of the
/// wrong width is reported by whoever reads it, with its line.
pub(crate) fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv_reader_with(reader, b',')
}

/// Like [`csv_reader`], with another field delimiter (a tab).
pub(crate) fn csv_reader_with<R: Read>(reader: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader)
}

/// How the bytes of a field are read as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Text {
    /// UTF-8 only: a record that is not is an error.
    Utf8,
    /// UTF-8, and a field that is not UTF-8 is read as Windows-1252 (the
    /// encoding some datasets are distributed in, like COW's).
    Windows1252,
}

/// The next CSV record: `None` at the end of the file or after a malformed
/// one (its error listed), `Some(Err(line))` when it is not UTF-8 (and
/// `text` does not allow Windows-1252).
pub(crate) fn read_record<R: Read>(
    csv: &mut csv::Reader<Crc<R>>,
    raw: &mut csv::ByteRecord,
    errors: &mut Errors,
    text: Text,
) -> std::io::Result<Option<Result<Record, usize>>> {
    let at = csv.position().clone();
    let line = csv.get_mut().line_of(&at);
    match csv.read_byte_record(raw) {
        Ok(false) => return Ok(None),
        Ok(true) => {}
        Err(e) => {
            if let csv::ErrorKind::Io(_) = e.kind() {
                if let csv::ErrorKind::Io(io) = e.into_kind() {
                    return Err(io);
                }
                unreachable!("the kind was just matched");
            }
            let line = e.position().cloned().map_or(line, |p| csv.get_mut().line_of(&p));
            errors.push(line, Problem::MalformedCsv(e.to_string()));
            return Ok(None);
        }
    }
    let line = raw.position().cloned().map_or(line, |p| csv.get_mut().line_of(&p));
    let mut fields = Vec::with_capacity(raw.len());
    for field in raw.iter() {
        match (std::str::from_utf8(field), text) {
            (Ok(field), _) => fields.push(field.to_string()),
            (Err(_), Text::Utf8) => return Ok(Some(Err(line))),
            (Err(_), Text::Windows1252) => fields.push(windows_1252(field)),
        }
    }
    Ok(Some(Ok(Record { line, fields })))
}

/// Bytes read as Windows-1252: ASCII and Latin-1 as themselves, the block
/// 0x80–0x9F as the typographic characters Windows puts there.
fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// The errors of one file, at most [`MAX_ERRORS`].
pub(crate) struct Errors {
    pub(crate) file: String,
    pub(crate) list: Vec<LineError>,
}

impl Errors {
    pub(crate) fn new(file: &str) -> Errors {
        Errors { file: file.to_string(), list: Vec::new() }
    }

    pub(crate) fn push(&mut self, line: usize, problem: Problem) {
        if !self.full() {
            self.list.push(LineError { file: self.file.clone(), line, problem });
        }
    }

    pub(crate) fn full(&self) -> bool {
        self.list.len() >= MAX_ERRORS
    }
}

/// One CSV record, decoded, with the physical line it starts on.
pub(crate) struct Record {
    pub(crate) line: usize,
    pub(crate) fields: Vec<String>,
}

/// The problem with a record of the wrong width: the number of its fields
/// and of the header's columns, and where a quote may never have been
/// closed (a quote never closed swallows the line breaks after it).
pub(crate) fn width_problem(record: &Record, width: usize) -> Problem {
    let open_quote = record
        .fields
        .iter()
        .position(|f| f.contains('\n'))
        .map(|i| (i + 1, record.fields[i].matches('\n').count()));
    Problem::Width { fields: record.fields.len(), columns: width, open_quote }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The csv reader reports a record after a CRLF line end, or after
    /// blank lines, as starting on the line before them: the lines are
    /// counted from the bytes instead. (Before, an error in a CRLF file
    /// named the line above the bad row.)
    #[test]
    fn records_are_on_their_physical_lines_whatever_the_line_ends() {
        for (text, lines) in [
            ("h,c\r\n\"M\",4\r\n\r\n\"V\",9\r\n", [1, 2, 4]),
            ("h,c\n\nM,4\n\n\nV,9\n", [1, 3, 6]),
            ("h,c\r\n\"a\r\nb\",4\r\nV,9", [1, 2, 4]),
            // A lone `\r` ends a record but not a line (lines end at `\n`,
            // as the JSON Lines reader counts them).
            ("\n\nh,c\nM,4\rV,9\n", [3, 4, 4]),
        ] {
            let mut csv = csv_reader(Crc::new(text.as_bytes()));
            let (mut raw, mut errors) = (csv::ByteRecord::new(), Errors::new("t"));
            let mut got = Vec::new();
            while let Some(record) =
                read_record(&mut csv, &mut raw, &mut errors, Text::Utf8).unwrap()
            {
                got.push(record.unwrap().line);
            }
            assert_eq!(got, lines, "{text:?}");
        }
    }

    #[test]
    fn windows_1252_reads_latin_1_and_the_typographic_block() {
        assert_eq!(windows_1252(b"Bogot\xe1 \x96 \x93Nord\x94"), "Bogotá – “Nord”");
    }
}
