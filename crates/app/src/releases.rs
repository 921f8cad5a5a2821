//! A newer release of a dataset imported over an older one: the events it
//! changed are revised (the new version appended, the old one retracted
//! with `replaced_by`), the events it no longer has within what it covers
//! are retracted as dropped, and the rest is stored as any import stores
//! it, all in the one atomic import. An older release than one the log
//! holds stores nothing; a file that is no new release of a dataset the
//! log holds (a format v1 file, the same release again) keeps the rule
//! that an id stored with other content refuses the file.

use std::collections::{HashMap, HashSet};

use annals_import::{LineError, Problem, Release};
use annals_log::{Import, Log};
use annals_model::{v1, Claim, Event, EventId, EventKind};
use annals_replay::PlaceIndex;

use crate::{Error, Unretractable};

/// What the first pass of a dataset file saw that bears on releases.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    /// The file's release, when its source is new to the log.
    pub(crate) release: Option<Release>,
    /// The events whose ids are stored with other content.
    pub(crate) conflicts: Vec<Conflict>,
    /// How many of its events (no entity) are stored with the same content.
    pub(crate) shared: u64,
}

/// An event of the file whose id is stored with other content.
#[derive(Debug)]
pub(crate) struct Conflict {
    pub(crate) line: usize,
    pub(crate) id: String,
    /// The file's event.
    pub(crate) event: Event,
    /// What to tell the historian if it is refused.
    pub(crate) problem: Problem,
}

impl Observed {
    /// Takes in an event of the first pass, new to the log.
    pub(crate) fn new_event(&mut self, event: &Event) {
        if let Some(release) = Release::of(event) {
            self.release.get_or_insert(release);
        }
    }
}

/// How the file is imported.
#[derive(Debug)]
pub(crate) enum Mode {
    /// As any file: every event new or stored with the same content.
    Plain,
    /// An older release than `newest`, which the log holds: nothing is stored.
    Older { release: String, newest: String },
    /// A newer release than every one the log holds of its dataset.
    Newer(Box<Plan>),
}

/// Decides how a dataset file whose first pass saw `observed` is imported,
/// reading the log once when the file is a release new to it; refuses the
/// file (as every import does) for a conflict that is no revision.
pub(crate) fn decide(log: &Log, file: &str, observed: Observed) -> Result<Mode, Error> {
    let refuse = |conflicts: Vec<&Conflict>| {
        let errors = conflicts
            .into_iter()
            .take(annals_import::MAX_ERRORS)
            .map(|c| LineError { file: file.to_string(), line: c.line, problem: c.problem.clone() })
            .collect();
        Err(Error::Refused { file: file.to_string(), errors })
    };
    // Without a newer release, an id stored with other content is refused,
    // unless the event was revised since and its current version says what
    // the file says (the same release imported again).
    let plain = |observed: &Observed| {
        if observed.conflicts.is_empty() {
            return Ok(Mode::Plain);
        }
        let ids: HashSet<&str> = observed.conflicts.iter().map(|c| c.id.as_str()).collect();
        let stored = Stored::read(log, None, |e| ids.contains(first_id(e.id.as_str())))?;
        let plan = Plan::new(None, stored);
        let differ: Vec<&Conflict> =
            observed.conflicts.iter().filter(|c| !plan.agrees(&c.event)).collect();
        match differ.is_empty() {
            true => Ok(Mode::Newer(Box::new(plan))),
            false => refuse(differ),
        }
    };
    let Some(release) = observed.release.clone() else { return plain(&observed) };
    let stored = Stored::read(log, Some(&release), |e| release.cited_by(&e.sources))?;
    // A file that shares no event with the log is another part of the
    // dataset (ATOP's member and alliance files, one release each), not a
    // release that replaces what the log holds.
    if stored.releases.is_empty() || (observed.shared == 0 && observed.conflicts.is_empty()) {
        return plain(&observed);
    }
    let mut newest: Option<&Release> = None;
    for other in &stored.releases {
        match release.newer_than(other) {
            None => return plain(&observed),
            Some(true) => {}
            Some(false) => {
                if newest.is_none_or(|n| other.newer_than(n) == Some(true)) {
                    newest = Some(other);
                }
            }
        }
    }
    if let Some(newest) = newest {
        let (release, newest) = (release.name().to_string(), newest.name().to_string());
        return Ok(Mode::Older { release, newest });
    }
    let plan = Plan::new(Some(release), stored);
    let others: Vec<&Conflict> =
        observed.conflicts.iter().filter(|c| !plan.current.contains_key(&c.id)).collect();
    if !others.is_empty() {
        return refuse(others);
    }
    Ok(Mode::Newer(Box::new(plan)))
}

/// What the log holds of a release's dataset.
struct Stored {
    /// The other releases of its family.
    releases: Vec<Release>,
    /// Every event of the dataset (no entity, no retraction), by id.
    events: HashMap<String, Event>,
    /// For each retracted event, the retraction that counts (the smallest
    /// id, as in replay).
    retracted: HashMap<String, Retracted>,
}

/// The retraction of a stored event that counts.
#[derive(Clone, Debug)]
struct Retracted {
    id: EventId,
    /// The new version, for a revision.
    replaced_by: Option<EventId>,
    /// What it cites: a release's revision cites the release, which its
    /// new version cites beside what the dataset's events cite.
    sources: Vec<annals_model::SourceId>,
    /// Whether a release of the family withdrew it.
    by_release: bool,
}

impl Stored {
    /// Reads the log once: the other releases of `release`'s family, the
    /// events `keep` selects (no entity, no retraction), and every
    /// retraction.
    fn read(
        log: &Log,
        release: Option<&Release>,
        keep: impl Fn(&Event) -> bool,
    ) -> Result<Stored, Error> {
        let mut stored =
            Stored { releases: Vec::new(), events: HashMap::new(), retracted: HashMap::new() };
        let family = release.map_or("", |r| r.family.as_str());
        for rec in log.iter() {
            let event = rec?.event;
            if let (Some(r), Some(release)) = (Release::of(&event), release) {
                if r.family == release.family && r.source != release.source {
                    stored.releases.push(r);
                }
                continue;
            }
            match &event.kind {
                EventKind::Retraction { retracts, replaced_by, .. } => {
                    let by_release = !family.is_empty()
                        && event.sources.iter().any(|s| s.as_str().starts_with(family));
                    let this = Retracted {
                        id: event.id.clone(),
                        replaced_by: replaced_by.clone(),
                        sources: event.sources.clone(),
                        by_release,
                    };
                    let slot = stored.retracted.entry(retracts.as_str().to_string());
                    let slot = slot.or_insert_with(|| this.clone());
                    if this.id < slot.id {
                        *slot = this;
                    }
                }
                kind if kind.is_entity() => {}
                _ if keep(&event) => {
                    stored.events.insert(event.id.as_str().to_string(), event);
                }
                _ => {}
            }
        }
        Ok(stored)
    }
}

/// The id an event had before any revision: a revision's new version is
/// named by the first id, `:rev.` and the release.
fn first_id(id: &str) -> &str {
    id.find(":rev.").map_or(id, |i| &id[..i])
}

/// Where a stored event of the dataset stands now.
#[derive(Debug)]
enum Current {
    /// This version counts; a new version also cites these sources
    /// (the release that revised it), which the file's event does not.
    Live(Box<Event>, Vec<annals_model::SourceId>),
    /// A release of the dataset dropped it.
    Dropped,
    /// It was retracted otherwise (by a historian): a newer release does
    /// not bring it back.
    Withdrawn,
}

/// The revisions and drops a newer release brings, gathered as its events
/// are read again and appended after them.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The newer release; none for a file that is no new release but
    /// whose events were revised since it was read (the same release
    /// again): then nothing is revised or dropped.
    release: Option<Release>,
    /// Each stored event of the dataset by its first id, and where it stands.
    current: HashMap<String, Current>,
    /// Every version of each (the first, then each revision's), with the
    /// sources its revision added.
    versions: HashMap<String, Vec<(Event, Vec<annals_model::SourceId>)>>,
    /// The first ids the file has.
    seen: HashSet<String>,
    /// The file's new content of events it changed or brings back, and
    /// the version each replaces.
    held: Vec<(Event, Option<EventId>)>,
    /// Events revised, dropped, and brought back.
    pub(crate) revised: u64,
    pub(crate) dropped: u64,
    /// The records appended for them (new versions and retractions).
    pub(crate) records: u64,
}

/// What the second pass does with one event of the file.
pub(crate) enum Sorted {
    /// Stored as any import stores it.
    Push,
    /// Its current version has this content already.
    Unchanged,
    /// Held, to be appended as a revision after the file's events.
    Held,
}

impl Plan {
    fn new(release: Option<Release>, stored: Stored) -> Plan {
        let replacements: HashSet<&str> = stored
            .retracted
            .values()
            .filter_map(|r| r.replaced_by.as_ref().map(|b| b.as_str()))
            .collect();
        let mut current = HashMap::new();
        let mut versions = HashMap::new();
        for id in stored.events.keys().filter(|id| !replacements.contains(id.as_str())) {
            let mut at = id.as_str();
            let mut added = Vec::new();
            let mut chain = Vec::new();
            // Each step follows a replacement; a chain longer than the
            // events stored would be a cycle, which no import writes.
            let mut now = Current::Withdrawn;
            for _ in 0..=stored.events.len() {
                if let Some(e) = stored.events.get(at) {
                    chain.push((e.clone(), added.clone()));
                }
                now = match stored.retracted.get(at) {
                    None => match stored.events.get(at) {
                        Some(e) => Current::Live(Box::new(e.clone()), added),
                        None => Current::Withdrawn,
                    },
                    Some(Retracted { replaced_by: Some(next), sources, .. }) => {
                        at = next.as_str();
                        added = sources.clone();
                        continue;
                    }
                    Some(Retracted { by_release: true, .. }) => Current::Dropped,
                    Some(_) => Current::Withdrawn,
                };
                break;
            }
            current.insert(id.clone(), now);
            versions.insert(id.clone(), chain);
        }
        Plan {
            release,
            current,
            versions,
            seen: HashSet::new(),
            held: Vec::new(),
            revised: 0,
            dropped: 0,
            records: 0,
        }
    }

    /// The newer release the file is, if it is one.
    pub(crate) fn release(&self) -> Option<&str> {
        self.release.as_ref().map(|r| r.name())
    }

    /// Whether some version of `event`'s id, the current one or an
    /// earlier one, says what it says: then a file that is no newer
    /// release (the same release again, or an older one) has nothing to
    /// store from it, and revises nothing backwards.
    fn agrees(&self, event: &Event) -> bool {
        let versions = self.versions.get(event.id.as_str()).map_or(&[][..], |v| &v[..]);
        versions.iter().any(|(version, added)| same(event, version, added))
    }

    /// Decides what becomes of `event`, read again from the file.
    pub(crate) fn sort(&mut self, event: &Event) -> Sorted {
        let id = event.id.as_str();
        let Some(now) = self.current.get(id) else { return Sorted::Push };
        self.seen.insert(id.to_string());
        match now {
            Current::Live(version, added) if same(event, version, added) => Sorted::Unchanged,
            Current::Live(version, _) if self.release.is_some() => {
                self.held.push((event.clone(), Some(version.id.clone())));
                Sorted::Held
            }
            Current::Dropped if self.release.is_some() => {
                self.held.push((event.clone(), None));
                Sorted::Held
            }
            _ => Sorted::Unchanged,
        }
    }

    /// Appends, after the file's events, a new version and a retraction
    /// (`replaced_by` it) of each event the release changed, the new
    /// version of each it brings back, and a retraction of each event of
    /// its dataset it no longer has, within what it speaks for; each
    /// appended record is added to the place `index`.
    pub(crate) fn finish(
        &mut self,
        import: &mut Import<'_>,
        mut index: Option<&mut PlaceIndex>,
    ) -> Result<(), Error> {
        let Some(release) = self.release.clone() else { return Ok(()) };
        let name = release.name().to_string();
        let cite = annals_model::SourceId::new(&release.source).expect("a stored id");
        let mut records = 0;
        let mut append = |event: Event| -> Result<(), annals_log::Error> {
            if let Some(seq) = import.push(&event)? {
                records += 1;
                if let Some(index) = index.as_deref_mut() {
                    index.add(seq, &event);
                }
            }
            Ok(())
        };
        let retraction = |retracts: EventId, reason: String, replaced_by: Option<EventId>| {
            let mut event = Event {
                id: EventId::new("pending").expect("a slug"),
                date: None,
                sources: vec![cite.clone()],
                claim: Claim::Reported,
                claimed_by: None,
                note: None,
                kind: EventKind::Retraction { retracts, reason, replaced_by },
            };
            event.id = v1::derive_id(&event);
            event
        };
        for (mut event, replaces) in std::mem::take(&mut self.held) {
            let id = release.revision_id(event.id.as_str());
            event.id = EventId::new(&id).map_err(|error| {
                Error::Retract(Unretractable::RevisionId { event: event.id.to_string(), error })
            })?;
            if !event.sources.contains(&cite) {
                event.sources.push(cite.clone());
            }
            let new = event.id.clone();
            append(event)?;
            if let Some(old) = replaces {
                append(retraction(old, format!("revised in release {name}"), Some(new)))?;
            }
            self.revised += 1;
        }
        let mut dropped: Vec<&Event> = self
            .current
            .iter()
            .filter(|(id, _)| !self.seen.contains(*id))
            .filter_map(|(_, now)| match now {
                Current::Live(e, _) if release.speaks_for(e) => Some(&**e),
                _ => None,
            })
            .collect();
        dropped.sort_by(|a, b| a.id.cmp(&b.id));
        for event in dropped {
            append(retraction(event.id.clone(), format!("dropped in release {name}"), None))?;
            self.dropped += 1;
        }
        self.records = records;
        Ok(())
    }
}

/// Whether `event` of a file says what the stored `version` says: the same
/// but for the id and the sources its revision `added` (the release).
fn same(event: &Event, version: &Event, added: &[annals_model::SourceId]) -> bool {
    let mut version = version.clone();
    version.id = event.id.clone();
    version.sources.retain(|s| !added.contains(s));
    version == *event
}
