//! Every format annals imports, behind one interface: detect the format from
//! a file's first bytes ([`detect`]), check the whole file ([`check`]), then
//! read it again to store it ([`CheckedFile::events_again`], a [`SecondPass`]);
//! or both on bytes in memory ([`read`]). The caller never needs to know
//! which dataset it is reading.

use std::io::{BufReader, Read, Seek};

use annals_model::Event;

use crate::acled::{check_acled, AcledChecked, AcledEvents};
use crate::table::{check_table, Dataset, TableChecked, TableEvents};
use crate::{check_jsonl, Catalog, JsonlEvents, LineError, Refused, SecondPass};

/// A format annals imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Interchange format v1, JSON Lines.
    Jsonl,
    /// An ACLED CSV export (docs/ACLED.md).
    Acled,
    /// Powell & Thyne's coups (the tab-separated release or a CSV copy).
    PowellThyne,
    /// The Cline Center Coup d'État Project's data.
    Cline,
    /// UCDP/PRIO Armed Conflict Dataset.
    UcdpAcd,
    /// UCDP Non-State Conflict Dataset.
    UcdpNonState,
    /// UCDP One-sided Violence Dataset.
    UcdpOneSided,
    /// UCDP Battle-Related Deaths Dataset, dyadic.
    UcdpBrd,
    /// ATOP, member level.
    AtopMember,
    /// ATOP, alliance level.
    AtopAlliance,
    /// COW Intra-State War Data.
    CowIntra,
    /// PRIF humanitarian military interventions, as CSV.
    Prif,
    /// GDELT 1.0 events.
    Gdelt,
}

impl Format {
    /// Every format, in the order [`detect`] tries them.
    pub const ALL: [Format; 13] = [
        Format::Jsonl,
        Format::Acled,
        Format::PowellThyne,
        Format::Cline,
        Format::UcdpAcd,
        Format::UcdpNonState,
        Format::UcdpOneSided,
        Format::UcdpBrd,
        Format::AtopMember,
        Format::AtopAlliance,
        Format::CowIntra,
        Format::Prif,
        Format::Gdelt,
    ];

    /// The name the command line uses (`--format powell-thyne`).
    pub fn name(self) -> &'static str {
        self.about().0
    }

    /// What the format is, for people.
    pub fn title(self) -> &'static str {
        self.about().1
    }

    /// The format with this [`name`](Format::name).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// (name, title, the header columns that tell it apart).
    fn about(self) -> (&'static str, &'static str, &'static [&'static str]) {
        match self {
            Format::Jsonl => ("jsonl", "interchange format v1 (JSON Lines)", &[]),
            Format::Acled => ("acled", "an ACLED CSV export", &["event_id_cnty", "event_date"]),
            Format::PowellThyne => {
                ("powell-thyne", "Powell & Thyne coups", &["country", "ccode", "coup", "day"])
            }
            Format::Cline => ("cline", "Cline Center coups", &["coup_id", "cowcode", "event_type"]),
            Format::UcdpAcd => (
                "ucdp-acd",
                "the UCDP/PRIO Armed Conflict Dataset",
                &["conflict_id", "side_a", "side_b", "start_date2", "intensity_level"],
            ),
            Format::UcdpNonState => (
                "ucdp-nonstate",
                "the UCDP Non-State Conflict Dataset",
                &["dyad_id", "org", "side_a_name", "side_b_name"],
            ),
            Format::UcdpOneSided => (
                "ucdp-onesided",
                "the UCDP One-sided Violence Dataset",
                &["actor_id", "actor_name", "is_government_actor"],
            ),
            Format::UcdpBrd => (
                "ucdp-brd",
                "the UCDP Battle-Related Deaths Dataset (dyadic)",
                &["dyad_id", "side_a", "side_b", "bd_best"],
            ),
            Format::AtopMember => {
                ("atop-member", "ATOP, member level", &["atopid", "member", "yrent", "yrexit"])
            }
            Format::AtopAlliance => {
                ("atop-alliance", "ATOP, alliance level", &["atopid", "begyr", "mem1"])
            }
            Format::CowIntra => {
                ("cow-intrastate", "COW Intra-State War Data", &["warnum", "ccodea", "sidea"])
            }
            Format::Prif => (
                "prif-hmi",
                "PRIF humanitarian military interventions (CSV)",
                &["hmiid", "hmistart", "i1ccc"],
            ),
            Format::Gdelt => {
                ("gdelt", "GDELT 1.0 events", &["globaleventid", "sqldate", "eventcode"])
            }
        }
    }

    /// The format a file is in, told from its first bytes: a JSON object
    /// for JSON Lines, else the columns its header names. `None` when
    /// nothing fits.
    pub fn detect(head: &[u8]) -> Option<Format> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
        if first == Some(b'{') {
            return Some(Format::Jsonl);
        }
        let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line).to_ascii_lowercase();
        let columns: Vec<&str> =
            line.split([',', '\t', ';']).map(|c| c.trim().trim_matches('"').trim()).collect();
        Format::ALL[1..].iter().copied().find(|f| f.about().2.iter().all(|c| columns.contains(c)))
    }

    /// The mapping of a dataset read by the table engine.
    fn dataset(self) -> Option<Box<dyn Dataset>> {
        crate::datasets::mapping(self)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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
    each: impl FnMut(usize, Event) -> Result<(), String>,
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
            let dataset = format.dataset().expect("every other format is a table");
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
                let dataset = self.format.dataset().expect("a table format");
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
    let (checked, events, lines) =
        crate::in_memory(|each| check(format, file, std::io::Cursor::new(bytes), catalog, each))?;
    Ok(Imported { format, events, lines, skipped: checked.skipped, rows: checked.rows })
}
