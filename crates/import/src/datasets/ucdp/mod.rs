//! The UCDP datasets: state-based armed conflict (UCDP/PRIO ACD), battle-
//! related deaths by dyad (BRD), non-state conflict and one-sided
//! violence. What they share: UCDP's actors (a government is the state of
//! the catalogue it governs; any other party is `ucdp-actor-<UCDP id>`, one
//! node across all UCDP datasets), lists of parties in one cell, and the
//! spans of hostilities and interventions gathered over the years of a
//! file and emitted at its end.

use std::collections::BTreeMap;

use annals_model::states::{self, State};
use annals_model::{
    ActorId, ActorKind, Claim, Date, Entity, Event, EventId, EventKind, Fatalities, RefKind,
    SourceId,
};

pub(crate) use super::dated;
use super::{state_of, Scheme};
use crate::dates::years;
use crate::emit::noted_entity;
use crate::problem::quoted;
use crate::sources::{Coverage, DatasetSource};
use crate::table::{Out, Row};
use crate::{Expected, Problem};

mod names;
mod other;
mod state_based;

pub(crate) use names::{Named, Names};

pub(crate) use other::{NonState, OneSided};
pub(crate) use state_based::{Acd, Brd};

/// The UCDP datasets, as sources.
pub(crate) const SOURCES: [&DatasetSource; 4] =
    [&state_based::ACD, &state_based::BRD, &other::NON_STATE, &other::ONE_SIDED];

/// UCDP's request, common to its datasets.
const ALWAYS: &str = "Always include the version number of the dataset.";

/// A party of a UCDP record.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Party {
    pub(crate) id: ActorId,
    /// Its name as the record gives it; `None` for a party listed with
    /// others, whose name is read from every cell at the end ([`Names`]).
    pub(crate) name: Option<String>,
    /// The state, for a government.
    pub(crate) state: Option<&'static State>,
    /// UCDP's id of a party that is no government.
    pub(crate) ucdp: Option<String>,
}

impl Party {
    /// Its name: as given, or as the cells of the file pair it with its id.
    pub(crate) fn name(&self, names: &BTreeMap<String, Named>) -> String {
        let resolved = self.ucdp.as_ref().and_then(|id| names.get(id));
        match (&self.name, resolved) {
            (Some(name), _) => name.clone(),
            (None, Some(named)) => named.name.clone(),
            (None, None) => self.id.as_str().to_string(),
        }
    }
}

/// The entries of a list cell (`Ansar Dine, AQIM`), split at commas that
/// are not inside parentheses (`CPP, Military faction (forces of Honasan,
/// Abenina & Zumel)` is two), each trimmed.
pub(crate) fn split_list(cell: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in cell.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(cell[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(cell[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The parties of one side: the names in `names_column` with the UCDP ids
/// in `ids_column`. A side is governments (each the state of the catalogue
/// its name gives, or the one Gleditsch–Ward number in `gw_column`) or
/// other parties (each `ucdp-actor-<id>`), never both. Other parties listed
/// together are named at the end of the file, from every cell (`names`);
/// without `names`, a side is one party, created at once.
pub(crate) fn side(
    row: &Row<'_>,
    out: &mut Out<'_, '_>,
    columns: [&str; 3],
    names: Option<&mut Names>,
    kind: ActorKind,
    sources: &[SourceId],
) -> Result<Vec<Party>, Problem> {
    let [names_column, ids_column, gw_column] = columns;
    let cell = row.get(names_column);
    let ids = split_list(row.get(ids_column));
    // A name may hold a comma outside parentheses (`Military Junta for the
    // Consolidation of Democracy, Peace and Justice`): with one id, the
    // cell is one name.
    let list = if names.is_some() && ids.len() > 1 { split_list(cell) } else { vec![cell] };
    if list.len() != ids.len() {
        return Err(Problem::PartyCount {
            names_column: names_column.to_string(),
            parties: list.len(),
            cell: quoted(cell),
            ids_column: ids_column.to_string(),
            ids: ids.len(),
        });
    }
    let governments = list.iter().filter(|n| n.starts_with("Government of ")).count();
    if governments == list.len() {
        let codes = split_list(row.get(gw_column));
        let mut parties = Vec::with_capacity(list.len());
        for name in list {
            let state = government(&name["Government of ".len()..], &codes, gw_column)?;
            let id = out.state(state)?;
            parties.push(Party {
                id,
                name: Some(name.to_string()),
                state: Some(state),
                ucdp: None,
            });
        }
        return Ok(parties);
    }
    if governments > 0 {
        return Err(Problem::MixedParties { column: names_column.to_string(), cell: quoted(cell) });
    }
    for id in &ids {
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::invalid(ids_column, id, Expected::UcdpActorId { actor: None }));
        }
    }
    let parties = ids.iter().map(|id| {
        let actor = ActorId::new(format!("ucdp-actor-{id}")).map_err(Problem::from)?;
        Ok(Party { id: actor, name: None, state: None, ucdp: Some(id.to_string()) })
    });
    let mut parties = parties.collect::<Result<Vec<Party>, Problem>>()?;
    match names {
        Some(names) => names.add(&list, &ids, row.line, kind),
        None => {
            actor(out, ids[0], list[0], kind, sources)?;
            parties[0].name = Some(list[0].to_string());
        }
    }
    Ok(parties)
}

/// The state a `Government of …` party governs: by its name, else by the
/// only code of the side.
fn government(name: &str, codes: &[&str], column: &str) -> Result<&'static State, Problem> {
    if let Some(state) = states::by_name(name) {
        return Ok(state);
    }
    match codes {
        [code] => state_of(Scheme::Gw, column, code, None).map(|(s, _)| s),
        _ => Err(Problem::UnknownState { name: quoted(name), government: true }),
    }
}

/// The actor of a party UCDP identifies by `ucdp_id`, created on first
/// sight with the name it has there, and its UCDP id ([`identify`]).
pub(crate) fn actor(
    out: &mut Out<'_, '_>,
    ucdp_id: &str,
    name: &str,
    kind: ActorKind,
    sources: &[SourceId],
) -> Result<ActorId, Problem> {
    if ucdp_id.is_empty() || !ucdp_id.bytes().all(|b| b.is_ascii_digit()) {
        let expected = Expected::UcdpActorId { actor: Some(quoted(name)) };
        return Err(Problem::not(ucdp_id, expected));
    }
    if name.trim().is_empty() {
        return Err(Problem::Unnamed(ucdp_id.to_string()));
    }
    let id = format!("ucdp-actor-{ucdp_id}");
    out.entity(RefKind::Actor, &id, || {
        noted_entity(
            &id,
            EventKind::Actor {
                name: name.trim().to_string(),
                aliases: Vec::new(),
                kind: Some(kind),
            },
            Some(format!("UCDP actor {ucdp_id}")),
        )
    })?;
    identify(out, ucdp_id, sources)?;
    ActorId::new(id).map_err(Problem::from)
}

/// The scheme of UCDP's actor ids, in `identifiers` events.
pub(crate) const UCDP_ACTOR: &str = "ucdp-actor";

/// Says that `ucdp-actor-<ucdp_id>` (created before) is the actor UCDP
/// identifies by `ucdp_id` (scheme `ucdp-actor`), citing the dataset
/// (`sources`, the dataset's first): one event per dataset and actor,
/// `<dataset>:ids.ucdp-actor-<id>` (`ucdp-acd:ids.ucdp-actor-7074`), the
/// same in every release, emitted once per file.
pub(crate) fn identify(
    out: &mut Out<'_, '_>,
    ucdp_id: &str,
    sources: &[SourceId],
) -> Result<(), Problem> {
    // Every caller passes what `DatasetSource::cited` gave: the dataset.
    let dataset = sources.first().expect("a UCDP record cites its dataset");
    let actor = ActorId::new(format!("ucdp-actor-{ucdp_id}")).map_err(Problem::from)?;
    let kind = EventKind::Identifiers {
        entity: Entity::Actor(actor),
        ids: vec![(UCDP_ACTOR.to_string(), ucdp_id.to_string())],
    };
    let event = Event {
        id: EventId::new(format!("{dataset}:ids.{UCDP_ACTOR}-{ucdp_id}")).map_err(Problem::from)?,
        date: None,
        sources: sources.to_vec(),
        claim: Claim::Reported,
        claimed_by: None,
        note: None,
        kind,
    };
    out.event(event, || format!("the UCDP id of actor {ucdp_id}"))
}

/// The deaths of a year, from three columns (best, low, high).
pub(crate) fn deaths(row: &Row<'_>, columns: [&str; 3]) -> Result<Fatalities, Problem> {
    Ok(Fatalities {
        best: row.number(columns[0])?,
        low: row.optional_number(columns[1], &[])?,
        high: row.optional_number(columns[2], &[])?,
    })
}

/// One dyad's hostilities over a span of years: an episode of a conflict,
/// or a run of consecutive years.
#[derive(Debug)]
pub(crate) struct Span {
    /// The first record's line.
    pub(crate) line: usize,
    pub(crate) parties: [Party; 2],
    /// When the hostilities began, if the dataset dates it (the episode's
    /// start, for a dyad active in the episode's first year).
    pub(crate) began: Option<Date>,
    /// The years the dyad is active in, with the deaths counted that year.
    pub(crate) years: BTreeMap<u16, Option<Fatalities>>,
    /// When the hostilities ended, if the dataset dates it, and where it says so.
    pub(crate) ended: Option<(Date, usize)>,
    /// What the dataset calls the conflict (`UCDP/PRIO conflict 372, Mali (Azawad)`).
    pub(crate) context: String,
}

/// The spans of a file, by key (the id of their events, less the suffix).
#[derive(Debug, Default)]
pub(crate) struct Spans {
    pub(crate) spans: BTreeMap<String, Span>,
}

impl Spans {
    /// The span under `key`, opened at `line` if it is new.
    pub(crate) fn entry(
        &mut self,
        key: String,
        line: usize,
        parties: [Party; 2],
        context: impl FnOnce() -> String,
    ) -> &mut Span {
        self.spans.entry(key).or_insert_with(|| Span {
            line,
            parties,
            began: None,
            years: BTreeMap::new(),
            ended: None,
            context: context(),
        })
    }

    /// Emits each span's `hostilities_began` and, unless it runs to the
    /// last year of the file (`last_year`), its `hostilities_ended`.
    pub(crate) fn emit(
        &self,
        sources: &[SourceId],
        last_year: u16,
        names: &BTreeMap<String, Named>,
        out: &mut Out<'_, '_>,
    ) -> Result<(), (usize, Problem)> {
        for (key, span) in &self.spans {
            span.emit(key, sources, last_year, names, out).map_err(|e| (span.line, e))?;
        }
        Ok(())
    }
}

impl Span {
    fn emit(
        &self,
        key: &str,
        sources: &[SourceId],
        last_year: u16,
        names: &BTreeMap<String, Named>,
        out: &mut Out<'_, '_>,
    ) -> Result<(), Problem> {
        let (Some(&first), Some(&last)) = (self.years.keys().next(), self.years.keys().next_back())
        else {
            return Ok(());
        };
        let actors = [self.parties[0].id.clone(), self.parties[1].id.clone()];
        // What the began event says is fixed when the hostilities begin, so
        // that a later release, which adds years, leaves it as it was; what
        // the years hold goes on the end.
        let (a, b) = (self.parties[0].name(names), self.parties[1].name(names));
        let note = format!("{}: {a} against {b}.", self.context);
        let began = match self.began {
            Some(date) if date.start().year() == first => date,
            _ => years(first, first)?,
        };
        let kind = EventKind::HostilitiesBegan { actors: actors.clone(), fatalities: None };
        let event = dated(&format!("{key}:began"), began, sources, Some(note), kind)?;
        out.at(self.line).event(event, || format!("the hostilities `{key}`"))?;
        let (date, line, remark) = match self.ended {
            Some((date, line)) => (date, line, String::new()),
            None if last < last_year => (
                years(last, last)?,
                self.line,
                format!(
                    " [annals: {} lists this dyad until {last} and not in the years after; its hostilities are taken to end in {last}]",
                    self.context
                ),
            ),
            None => {
                if self.total().is_some() {
                    out.skip("yearly deaths of hostilities still going on in the file's last year (an end event would carry them)");
                }
                return Ok(());
            }
        };
        let fatalities = self.total();
        let mut note = format!("Active in {}.", year_list(self.years.keys().copied()));
        if fatalities.is_some() {
            note.push_str(&format!(
                " Deaths counted (best estimate, low–high): {}.",
                self.deaths_by_year()
            ));
        }
        note.push_str(&remark);
        let kind = EventKind::HostilitiesEnded { actors, fatalities };
        let event = dated(&format!("{key}:ended"), date, sources, Some(note), kind)?;
        out.at(line).event(event, || format!("the hostilities `{key}`"))?;
        Ok(())
    }

    /// The deaths of every year, added up; the low or high total only when
    /// every year gives one.
    fn total(&self) -> Option<Fatalities> {
        let counted: Vec<Fatalities> = self.years.values().flatten().copied().collect();
        if counted.is_empty() {
            return None;
        }
        let sum = |f: fn(&Fatalities) -> Option<u64>| -> Option<u64> {
            counted.iter().map(f).try_fold(0u64, |acc, x| Some(acc.saturating_add(x?)))
        };
        Some(Fatalities {
            best: counted.iter().fold(0u64, |acc, f| acc.saturating_add(f.best)),
            low: sum(|f| f.low),
            high: sum(|f| f.high),
        })
    }

    fn deaths_by_year(&self) -> String {
        let each: Vec<String> = self
            .years
            .iter()
            .filter_map(|(y, f)| {
                let f = (*f)?;
                let range = match (f.low, f.high) {
                    (Some(l), Some(h)) => format!(" ({l}–{h})"),
                    _ => String::new(),
                };
                Some(format!("{y} {}{range}", f.best))
            })
            .collect();
        each.join("; ")
    }
}

/// Years as runs: `1990–1991, 1994, 2007–2009`.
pub(crate) fn year_list(years: impl Iterator<Item = u16>) -> String {
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for y in years {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == y => *last = y,
            _ => runs.push((y, y)),
        }
    }
    let text: Vec<String> = runs
        .into_iter()
        .map(|(a, b)| if a == b { a.to_string() } else { format!("{a}–{b}") })
        .collect();
    text.join(", ")
}

/// One state's support, with troops, of one side of a conflict: the years
/// it is listed in, gathered over the file.
#[derive(Debug)]
pub(crate) struct Support {
    pub(crate) line: usize,
    pub(crate) intervener: ActorId,
    pub(crate) intervener_name: String,
    /// The state the conflict is fought in.
    pub(crate) host: ActorId,
    /// The primary parties of the side supported (`supporting` when it is one).
    pub(crate) side: Vec<Party>,
    pub(crate) years: std::collections::BTreeSet<u16>,
    pub(crate) context: String,
}

/// Emits each support as interventions, one per run of consecutive years:
/// began in its first year, ended in its last unless that is the last
/// year of the file.
pub(crate) fn emit_supports(
    supports: &BTreeMap<String, Support>,
    sources: &[SourceId],
    last_year: u16,
    names: &BTreeMap<String, Named>,
    out: &mut Out<'_, '_>,
) -> Result<(), (usize, Problem)> {
    for (key, s) in supports {
        let mut side: Vec<String> = s.side.iter().map(|p| p.name(names)).collect();
        side.sort();
        let supporting = match &s.side[..] {
            [one] => Some(one.id.clone()),
            _ => None,
        };
        let fail = |e: Problem| (s.line, e);
        let mut runs: Vec<(u16, u16)> = Vec::new();
        for &y in &s.years {
            match runs.last_mut() {
                Some((_, last)) if *last + 1 == y => *last = y,
                _ => runs.push((y, y)),
            }
        }
        for (first, last) in runs {
            let note = format!(
                "{}: {} supports {} with troops (a secondary warring party), from {first}.",
                s.context,
                s.intervener_name,
                side.join(", ")
            );
            let kind = |began: bool| {
                let (intervener, host, supporting) =
                    (s.intervener.clone(), s.host.clone(), supporting.clone());
                match began {
                    true => EventKind::InterventionBegan {
                        intervener,
                        host,
                        operation: None,
                        supporting,
                    },
                    false => EventKind::InterventionEnded {
                        intervener,
                        host,
                        operation: None,
                        supporting,
                    },
                }
            };
            let id = format!("{key}:{first}");
            let began = dated(
                &format!("{id}:began"),
                years(first, first).map_err(fail)?,
                sources,
                Some(note),
                kind(true),
            )
            .map_err(fail)?;
            out.at(s.line).event(began, || format!("the support `{id}`")).map_err(fail)?;
            if last < last_year {
                let ended = dated(
                    &format!("{id}:ended"),
                    years(last, last).map_err(fail)?,
                    sources,
                    None,
                    kind(false),
                )
                .map_err(fail)?;
                out.at(s.line).event(ended, || format!("the support `{id}`")).map_err(fail)?;
            }
        }
    }
    Ok(())
}

/// A UCDP dataset as a source, and the coverage of the file read.
pub(crate) struct Ucdp {
    pub(crate) source: &'static DatasetSource,
    pub(crate) coverage: Coverage,
}

impl Ucdp {
    pub(crate) fn new(source: &'static DatasetSource) -> Ucdp {
        Ucdp { source, coverage: Coverage::default() }
    }

    /// Takes a record's `year` and `version`; returns the year and the
    /// sources every event cites.
    pub(crate) fn record(
        &mut self,
        row: &Row<'_>,
        out: &mut Out<'_, '_>,
    ) -> Result<(u16, Vec<SourceId>), Problem> {
        let sources = self.source.cited(out)?;
        let year = row.number::<u16>("year")?;
        self.coverage.year(year, row.line);
        self.coverage.release(row.get("version"));
        Ok((year, sources))
    }

    /// The last year of the file (0 when it has no record).
    pub(crate) fn last_year(&self) -> u16 {
        self.coverage.last().unwrap_or(0)
    }

    pub(crate) fn finish(&self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.coverage.emit(self.source, Some(ALWAYS), out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_at_commas_outside_parentheses() {
        assert_eq!(
            split_list("CPP, Military faction (forces of Honasan, Abenina & Zumel)"),
            ["CPP", "Military faction (forces of Honasan, Abenina & Zumel)"]
        );
        assert_eq!(
            split_list("Government of Saudi Arabia,Government of Oman"),
            ["Government of Saudi Arabia", "Government of Oman"]
        );
        assert_eq!(split_list(" "), Vec::<&str>::new());
        assert_eq!(split_list("651,  645"), ["651", "645"]);
    }

    #[test]
    fn years_read_as_runs() {
        assert_eq!(
            year_list([1990, 1991, 1994, 2007, 2008, 2009].into_iter()),
            "1990–1991, 1994, 2007–2009"
        );
    }
}
