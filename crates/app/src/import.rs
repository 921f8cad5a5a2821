//! Import: a file checked whole against the log, then read again and
//! stored, all or nothing.

use std::path::Path;

use annals_import::{
    owned_id_problem, Catalog, CheckedFile, Difference, Format, Problem, Refused, SecondPass,
};
use annals_log::{Check, Log};
use annals_model::{v1, Event, EventKind, RefKind};
use annals_replay::PlaceIndex;
use chrono::{DateTime, Utc};

use crate::error::Detail;
use crate::places::save_after_import;
use crate::releases::{self, Mode, Observed, Plan, Sorted};
use crate::retracted::Retractions;
use crate::{Annals, Error, Stage};

/// What an import stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The file as named in messages.
    pub file: String,
    /// The format it was read in.
    pub format: Format,
    /// Whether that format was told from the file's first line (no format
    /// was named).
    pub detected: bool,
    /// Records appended.
    pub appended: u64,
    /// Of them, the file's events new to the log (the rest are a newer
    /// release's revisions and retractions).
    pub new: u64,
    /// Events already stored with the same content (or repeated in the file).
    pub unchanged: u64,
    /// For a newer release of a dataset the log holds: events it changed
    /// (each a new version and a retraction of the old one, `replaced_by`
    /// it) or brings back after an earlier release dropped them.
    pub revised: u64,
    /// For a newer release: stored events of its dataset, within what it
    /// covers, that it no longer has, each retracted.
    pub dropped: u64,
    /// The release the file is, when it is a newer release of a dataset
    /// whose releases the log holds (or an older one: see `newer_stored`).
    pub release: Option<String>,
    /// When the file is an older release than one the log holds: that
    /// release. Nothing was stored.
    pub newer_stored: Option<String>,
    /// The sequence numbers of the first and last appended record.
    pub seqs: Option<(u64, u64)>,
    /// What the file holds that annals does not model, by reason, with
    /// its count: never dropped silently.
    pub skipped: Vec<(String, usize)>,
}

impl Imported {
    /// An import that stored nothing.
    fn nothing(file: String, format: Format, detected: bool) -> Imported {
        Imported {
            file,
            format,
            detected,
            appended: 0,
            new: 0,
            unchanged: 0,
            revised: 0,
            dropped: 0,
            release: None,
            newer_stored: None,
            seqs: None,
            skipped: Vec::new(),
        }
    }
}

impl Annals {
    /// Imports `file`, all or nothing: every line is checked against the
    /// log and the lines above it first; then the file is read again and
    /// its new events are staged and committed together, recorded at
    /// `now`. Events already stored with the same content are skipped; an
    /// id stored with other content refuses the file.
    ///
    /// `committed` is called as soon as the events are durably stored,
    /// before the snapshot (derived data) is updated: what it tells the
    /// user is true even if the process stops then. An error it returns
    /// is returned after the snapshot is updated.
    ///
    /// `name` is the file as messages name it (line errors say `name:LINE`).
    ///
    /// Without a `format`, the format is told from the file's first line
    /// ([`annals_import::detect`]); a file no format recognises is refused
    /// with a message that lists them.
    pub fn import_named(
        &mut self,
        file: &Path,
        name: &str,
        format: Option<Format>,
        now: DateTime<Utc>,
        committed: &mut dyn FnMut(&Imported) -> std::io::Result<()>,
    ) -> Result<Imported, Error> {
        self.writable("import")?;
        let result = self.import_file(file, name, format, now, committed);
        self.observer.stage(Stage::Done);
        result
    }

    fn import_file(
        &mut self,
        file: &Path,
        name: &str,
        format: Option<Format>,
        now: DateTime<Utc>,
        committed: &mut dyn FnMut(&Imported) -> std::io::Result<()>,
    ) -> Result<Imported, Error> {
        let name = name.to_string();
        let open =
            || std::fs::File::open(file).map_err(|error| Error::Read { file: name.clone(), error });
        let detected = format.is_none();
        // The place snapshot names what is retracted, which the check
        // needs; it then grows with the events as they are stored, instead
        // of being rebuilt by reading them back afterwards.
        self.observer.stage(Stage::ReadingSnapshot);
        let mut index = self.place_index(false).ok();
        let mut first = self.check(&name, format, open, index.as_ref())?;
        let format = first.format;
        let mut plan = match std::mem::replace(&mut first.mode, Mode::Plain) {
            Mode::Plain => None,
            Mode::Newer(plan) => Some(plan),
            Mode::Older { release, newest } => {
                // An older release revises nothing backwards: nothing is stored.
                let imported = Imported {
                    release: Some(release),
                    newer_stored: Some(newest),
                    skipped: first.checked.skipped,
                    ..Imported::nothing(name, format, detected)
                };
                committed(&imported)?;
                return Ok(imported);
            }
        };
        self.observer.stage(Stage::Storing(first.checked.events));
        let origin = format!("import {name}");
        let log = self.log_mut();
        let stored = match format {
            // A JSON Lines file is read and parsed on a second thread while
            // its events are stored, and the lines the first pass found new
            // are staged without looking their ids up again. (A dataset's
            // reading holds what the first pass found, which is not shared
            // between threads, and may give several events one line.)
            Format::Jsonl => {
                let events =
                    annals_import::JsonlEvents::new(&name, std::io::BufReader::new(open()?));
                annals_import::ahead(events, |events| {
                    let fresh = Some(&first.fresh);
                    let to = Staging { log: &mut *log, name: &name, origin: &origin, now };
                    to.store(events, first.checked.checksum, fresh, index.as_mut())
                })
            }
            _ => first
                .checked
                .dataset
                .as_ref()
                .expect("a dataset's first pass keeps what its second needs")
                .events_again(&name, open()?)
                .map_err(|e| read_again(&name, e))
                .and_then(|mut events| {
                    let to = Staging { log: &mut *log, name: &name, origin: &origin, now };
                    let plan = plan.as_deref_mut();
                    to.store_release(&mut events, first.checked.checksum, plan, index.as_mut())
                }),
        };
        let outcome = stored.map_err(|e| match e {
            // A disk that failed after the commit mark was written: the
            // import may be in.
            Error::Log(e @ annals_log::Error::Unconfirmed(_)) => {
                Error::MaybeImported { file: name.clone(), source: e }
            }
            e => Error::NotImported { file: name.clone(), source: Box::new(e) },
        })?;
        let imported = Imported {
            file: name,
            format,
            detected,
            appended: outcome.appended,
            new: outcome.appended - plan.as_ref().map_or(0, |p| p.records),
            unchanged: outcome.unchanged,
            revised: plan.as_ref().map_or(0, |p| p.revised),
            dropped: plan.as_ref().map_or(0, |p| p.dropped),
            release: plan.as_ref().and_then(|p| p.release().map(str::to_string)),
            newer_stored: None,
            seqs: outcome.seqs,
            skipped: first.checked.skipped,
        };
        let told = committed(&imported);
        if imported.appended > 0 {
            self.observer.stage(Stage::UpdatingSnapshot);
            save_after_import(self, index.as_ref());
        }
        told?;
        Ok(imported)
    }

    /// The first pass: every line checked, each event against the log.
    ///
    /// Without a `format`, it is told from the file's first bytes, read
    /// through the same handle as the check: a file is opened once for the
    /// check (a named pipe gives its text once).
    // long because the first pass's checks against the log (conflicts,
    // releases, retractions) share its state with the reading of the file.
    fn check(
        &self,
        name: &str,
        format: Option<Format>,
        open: impl Fn() -> Result<std::fs::File, Error>,
        index: Option<&PlaceIndex>,
    ) -> Result<FirstPass, Error> {
        let log = self.log();
        // References to what the log already holds are checked through its
        // id index, one lookup per distinct id, not by replaying the log.
        let stored = StoredKinds::new(log);
        let exists = |kind: RefKind, id: &str| match (kind, stored.kind_of(id)) {
            (_, None) => false,
            (RefKind::Event, Some(_)) => true,
            (RefKind::Source, Some(k)) => k == "source",
            (RefKind::Actor, Some(k)) => k == "actor",
            (RefKind::Place, Some(k)) => k == "place",
        };
        let is_retraction = |id: &str| stored.kind_of(id) == Some("retraction");
        let place_at = |id: &str| stored.place_at(id);
        let catalog =
            Catalog { exists: &exists, is_retraction: &is_retraction, place_at: &place_at };
        // The first pass hands every event to `against_log`, which refuses
        // one whose id is stored with other content; a failure to read the
        // log is kept for after the pass.
        let mut failure = None;
        // The lines whose events are new to the log: the second pass
        // stages them without looking their ids up again.
        let mut fresh = LineSet::default();
        // A dataset's events whose ids are stored with other content may be
        // revisions by a newer release, which only the file's end tells
        // (its release source): they are refused, or not, after the pass.
        let mut observed = Observed::default();
        let dataset = std::cell::Cell::new(false);
        // New events are also checked against retractions (a second one,
        // or an event naming a retracted entity).
        let mut retractions = Retractions::new(log, index);
        let against_log = |line: usize, event: Event| match conflict(log, &event) {
            // A new entity of format v1 may not take an id in a dataset
            // importer's namespace unless it is one that importer makes.
            Ok(Ok(Check::New)) => match owned_id_problem(&event).filter(|_| !dataset.get()) {
                Some(problem) => Err(problem),
                None => match retractions.check(&event) {
                    Ok(None) => {
                        fresh.insert(line);
                        observed.new_event(&event);
                        Ok(())
                    }
                    Ok(Some(problem)) => Err(problem),
                    Err(e) => {
                        failure.get_or_insert(e);
                        Ok(())
                    }
                },
            },
            Ok(Ok(Check::Stored(_))) => {
                observed.shared += u64::from(!event.kind.is_entity());
                Ok(())
            }
            Ok(Err(problem)) if dataset.get() => {
                let id = event.id.as_str().to_string();
                observed.conflicts.push(releases::Conflict { line, id, event, problem });
                Ok(())
            }
            Ok(Err(problem)) => Err(problem),
            Err(e) => {
                failure.get_or_insert(e);
                Ok(())
            }
        };
        // Two passes, so that memory does not grow with the file: the first
        // checks every record (and keeps only what references need), the
        // second stores; the file is compared by checksum. A monadic ACLED
        // export is read once more first, to count the rows of each event.
        self.observer.stage(Stage::Checking(name));
        let mut file = open()?;
        let mut head = Vec::with_capacity(64 << 10);
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, 64 << 10), &mut head)
            .map_err(|error| Error::Read { file: name.to_string(), error })?;
        // A file named as JSON Lines is read as format v1 even when its
        // first line is not (its lines are then refused one by one).
        let named_jsonl = [".jsonl", ".ndjson", ".json"].iter().any(|e| name.ends_with(e));
        let format = match (format, annals_import::detect(name, &head)) {
            (Some(format), _) => format,
            (None, Ok(format)) => format,
            (None, Err(_)) if named_jsonl => Format::Jsonl,
            (None, Err(e)) => return Err(Error::UnknownFormat(e.to_string())),
        };
        dataset.set(format != Format::Jsonl);
        // A regular file is read again from its start; a pipe gives its
        // text once, so what was read to tell the format is read first.
        let checked = match std::io::Seek::rewind(&mut file) {
            Ok(()) => first_pass(format, name, file, &catalog, against_log),
            Err(_) => {
                let once = ReadOnce { head: std::io::Cursor::new(head), rest: file };
                first_pass(format, name, once, &catalog, against_log)
            }
        };
        stored.failure()?;
        if let Some(e) = failure {
            return Err(Error::Against(Box::new(e)));
        }
        let checked = checked.map_err(|r| refused(name, r))?;
        let mode = match format {
            Format::Jsonl => Mode::Plain,
            _ => releases::decide(log, name, observed)?,
        };
        Ok(FirstPass { format, checked, fresh, mode })
    }
}

/// What the first pass of an import found.
struct FirstPass {
    format: Format,
    checked: Pass,
    /// For JSON Lines: the lines whose events are new to the log.
    fresh: LineSet,
    /// For a dataset: whether it is a newer or older release of one the log holds.
    mode: Mode,
}

/// The first pass over `reader` in `format`.
fn first_pass<R: std::io::Read + std::io::Seek>(
    format: Format,
    name: &str,
    reader: R,
    catalog: &Catalog<'_>,
    each: impl FnMut(usize, Event) -> Result<(), Problem>,
) -> Result<Pass, Refused> {
    if format == Format::Jsonl {
        let c = annals_import::check_jsonl(name, std::io::BufReader::new(reader), catalog, each)?;
        return Ok(Pass {
            events: c.events,
            checksum: c.checksum,
            skipped: Vec::new(),
            dataset: None,
        });
    }
    let c = annals_import::check(format, name, reader, catalog, each)?;
    Ok(Pass {
        events: c.events,
        checksum: c.checksum,
        skipped: c.skipped.clone(),
        dataset: Some(c),
    })
}

/// A file that can be read only once (a pipe): the bytes already read to
/// tell its format, then the rest. It cannot be read back: a reader that
/// needs to (an id repeated in the file, rechecked) gets an error.
struct ReadOnce {
    head: std::io::Cursor<Vec<u8>>,
    rest: std::fs::File,
}

impl std::io::Read for ReadOnce {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.head.read(buf)? {
            0 => self.rest.read(buf),
            n => Ok(n),
        }
    }
}

impl std::io::Seek for ReadOnce {
    fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "a pipe cannot be read back; import a regular file instead",
        ))
    }
}

/// What a first pass counted, and for a dataset what its second pass needs.
struct Pass {
    events: u64,
    checksum: u32,
    skipped: Vec<(String, usize)>,
    dataset: Option<CheckedFile>,
}

/// The refusal of a file by its first pass.
fn refused(name: &str, refusal: Refused) -> Error {
    match refusal.in_file(name) {
        Refused::Lines(errors) => Error::Refused { file: name.to_string(), errors },
        Refused::Io(error) => Error::Read { file: name.to_string(), error },
    }
}

/// Why the second pass of an import could not read the file: what the
/// first pass read is no longer there.
fn read_again(name: &str, refusal: Refused) -> Error {
    match refusal {
        Refused::Lines(errors) => Error::Changed {
            file: name.to_string(),
            detail: errors.first().map(|e| Detail(e.to_string())),
        },
        Refused::Io(error) => Error::Read { file: name.to_string(), error },
    }
}

/// Whether `event` is new to the log or stored with the same content; if
/// its id is stored with other content, what to tell the historian: the
/// stored record and the fields that differ.
fn conflict(log: &Log, event: &Event) -> Result<Result<Check, Problem>, Error> {
    let seq = match log.check(event) {
        Err(annals_log::Error::Conflict { seq, .. }) => seq,
        other => return Ok(Ok(other?)),
    };
    let Some(stored) = log.get(seq)? else {
        return Err(Error::Inconsistent(format!(
            "id `{}` is indexed at record {seq}, which is missing; run `annals verify`",
            event.id
        )));
    };
    Ok(Err(Problem::Stored {
        id: event.id.to_string(),
        seq,
        differences: differences(&stored.event, event),
    }))
}

/// The fields of format v1 in which two events differ, with both values.
fn differences(stored: &Event, new: &Event) -> Vec<Difference> {
    let fields = |e: &Event| match serde_json::from_str(&v1::to_line(e)) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (fields(stored), fields(new));
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let shown = |v: Option<&serde_json::Value>| v.map(|v| v1::excerpt(&v.to_string()).into_owned());
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| {
            let (was, is) = (old.get(k), new.get(k));
            // Texts that look the same: say what differs.
            let text = |v: Option<&serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
            Difference {
                field: k.clone(),
                stored: shown(was),
                here: shown(is),
                normalization: annals_model::normalization_difference(&text(was), &text(is)),
            }
        })
        .collect()
}

/// A set of line numbers, one bit each.
#[derive(Debug, Default)]
struct LineSet(Vec<u64>);

impl LineSet {
    fn insert(&mut self, line: usize) {
        let (word, bit) = (line / 64, line % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, line: usize) -> bool {
        self.0.get(line / 64).is_some_and(|w| w & (1 << (line % 64)) != 0)
    }
}

/// Where the second pass of an import stores: the log, the file's name
/// for messages, the origin recorded with the records, the recorded time.
struct Staging<'a> {
    log: &'a mut Log,
    name: &'a str,
    origin: &'a str,
    now: DateTime<Utc>,
}

impl Staging<'_> {
    /// The second pass of an import: stages the events of the checked
    /// file, read again, adding each to the place `index` (which covers
    /// the log so far), then commits them if the file is still the one that
    /// was checked. The events on the lines in `fresh` were found new to the
    /// log by the first pass; they are staged without looking their ids up
    /// again, and the others (stored, or repeated in the file) are counted
    /// as unchanged without a lookup either (if the file changed in
    /// between, its checksum differs and nothing is committed). On any
    /// error the staged events are removed.
    fn store(
        self,
        events: &mut dyn SecondPass,
        checksum: u32,
        fresh: Option<&LineSet>,
        index: Option<&mut PlaceIndex>,
    ) -> Result<annals_log::Appended, Error> {
        self.store_with(events, checksum, fresh, None, index)
    }

    /// [`Staging::store`] of a dataset's file, which may be a newer
    /// release: with a `plan`, the events it changed are held and
    /// appended as revisions after the file's events, then the drops.
    fn store_release(
        self,
        events: &mut dyn SecondPass,
        checksum: u32,
        plan: Option<&mut Plan>,
        index: Option<&mut PlaceIndex>,
    ) -> Result<annals_log::Appended, Error> {
        self.store_with(events, checksum, None, plan, index)
    }

    fn store_with(
        self,
        events: &mut dyn SecondPass,
        checksum: u32,
        fresh: Option<&LineSet>,
        mut plan: Option<&mut Plan>,
        mut index: Option<&mut PlaceIndex>,
    ) -> Result<annals_log::Appended, Error> {
        let name = self.name;
        let changed = |detail: Option<String>| Error::Changed {
            file: name.to_string(),
            detail: detail.map(Detail),
        };
        let mut import = self.log.begin(self.now, Some(self.origin))?;
        for read in &mut *events {
            let (line, event) = read.map_err(|e| read_again(name, e))?;
            match plan.as_deref_mut().map(|p| p.sort(&event)) {
                None | Some(Sorted::Push) => {}
                Some(Sorted::Unchanged) => {
                    import.skip_stored();
                    continue;
                }
                Some(Sorted::Held) => continue,
            }
            let pushed = match fresh {
                Some(fresh) if fresh.contains(line) => import.push_new(&event),
                // The first pass found it stored, or on an earlier line
                // with the same content: nothing to look up.
                Some(_) => {
                    import.skip_stored();
                    Ok(None)
                }
                None => import.push(&event),
            };
            match pushed {
                Ok(None) => {}
                Ok(Some(seq)) => {
                    if let Some(index) = index.as_deref_mut() {
                        index.add(seq, &event);
                    }
                }
                // The first pass found no such conflict: the file is another now.
                Err(
                    e @ (annals_log::Error::Conflict { .. }
                    | annals_log::Error::DuplicateInAppend(_)),
                ) => return Err(changed(Some(format!("{name}:{line}: {e}")))),
                Err(e) => return Err(e.into()),
            }
        }
        if events.checksum() != checksum {
            return Err(changed(None));
        }
        if let Some(plan) = plan {
            plan.finish(&mut import, index)?;
        }
        Ok(import.commit()?)
    }
}

/// The type of each stored event asked about, read through the log's id
/// index and remembered. A storage error is kept and reported by `failure`,
/// since the catalog's callbacks cannot return one.
struct StoredKinds<'l> {
    log: &'l Log,
    known: std::cell::RefCell<std::collections::HashMap<String, Option<&'static str>>>,
    error: std::cell::RefCell<Option<annals_log::Error>>,
}

impl<'l> StoredKinds<'l> {
    fn new(log: &'l Log) -> StoredKinds<'l> {
        StoredKinds { log, known: Default::default(), error: Default::default() }
    }

    /// The interchange `type` of the stored event `id`, if any.
    fn kind_of(&self, id: &str) -> Option<&'static str> {
        if let Some(kind) = self.known.borrow().get(id) {
            return *kind;
        }
        let found = self.log.lookup(id).and_then(|seq| match seq {
            None => Ok(None),
            Some(seq) => self.log.get(seq).map(|r| r.map(|r| r.event.kind.type_name())),
        });
        let kind = found.unwrap_or_else(|e| {
            self.error.borrow_mut().get_or_insert(e);
            None
        });
        self.known.borrow_mut().insert(id.to_string(), kind);
        kind
    }

    /// Where the stored place `id` is (its `lat`, `lon`), if the log holds
    /// it with coordinates.
    fn place_at(&self, id: &str) -> Option<(f64, f64)> {
        let found = self.log.lookup(id).and_then(|seq| match seq {
            None => Ok(None),
            Some(seq) => self.log.get(seq).map(|r| {
                r.and_then(|r| match r.event.kind {
                    EventKind::Place { lat: Some(lat), lon: Some(lon), .. } => Some((lat, lon)),
                    _ => None,
                })
            }),
        });
        found.unwrap_or_else(|e| {
            self.error.borrow_mut().get_or_insert(e);
            None
        })
    }

    fn failure(&self) -> Result<(), Error> {
        match self.error.borrow_mut().take() {
            Some(e) => Err(Error::Catalog(e)),
            None => Ok(()),
        }
    }
}
