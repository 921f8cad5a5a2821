//! State-based conflict: the UCDP/PRIO Armed Conflict Dataset (a record
//! per conflict and year, with its episodes' dates) and the Battle-Related
//! Deaths Dataset (a record per dyad and year, with its deaths). Both
//! become hostilities between each pair of opposing parties, and the
//! states that support a side with troops (`side_a_2nd`, `side_b_2nd`)
//! interventions.

use std::collections::BTreeMap;

use annals_model::states;
use annals_model::{ActorKind, SourceId};

use super::{deaths, emit_supports, side, split_list, Names, Party, Span, Spans, Support, Ucdp};
use crate::dates::{parse_iso_day, precise, years};
use crate::problem::quoted;
use crate::sources::DatasetSource;
use crate::table::{Dataset, Out, Row};
use crate::{Expected, Problem};

pub(crate) const ACD: DatasetSource = DatasetSource {
    id: "ucdp-acd",
    title: "UCDP/PRIO Armed Conflict Dataset",
    publisher: "Uppsala Conflict Data Program (UCDP) and Peace Research Institute Oslo (PRIO)",
    url: Some("https://ucdp.uu.se"),
    cite: "Gleditsch, Nils Petter, Peter Wallensteen, Mikael Eriksson, Margareta Sollenberg and Håvard Strand (2002), \"Armed Conflict 1946-2001: A New Dataset\", Journal of Peace Research 39(5): 615-637; and the latest presentation of the data in the Journal of Peace Research (Davies, Pettersson and Öberg (2022), Journal of Peace Research 59(4), for release 22.1).",
};

pub(crate) const BRD: DatasetSource = DatasetSource {
    id: "ucdp-brd",
    title: "UCDP Battle-Related Deaths Dataset (dyadic)",
    publisher: "Uppsala Conflict Data Program (UCDP)",
    url: Some("https://ucdp.uu.se"),
    cite: "the latest presentation of UCDP's data in the Journal of Peace Research (for release 21.1: Pettersson et al. (2021), \"Organized violence 1989-2020\", Journal of Peace Research 58(4)).",
};

/// The UCDP/PRIO Armed Conflict Dataset.
pub(crate) struct Acd {
    ucdp: Ucdp,
    names: Names,
    spans: Spans,
    supports: BTreeMap<String, Support>,
    sources: Vec<SourceId>,
}

impl Default for Acd {
    fn default() -> Acd {
        Acd {
            ucdp: Ucdp::new(&ACD),
            names: Names::default(),
            spans: Spans::default(),
            supports: BTreeMap::new(),
            sources: Vec::new(),
        }
    }
}

/// A conflict id (digits).
fn conflict_id<'a>(row: &Row<'a>, column: &str) -> Result<&'a str, Problem> {
    let id = row.text(column)?;
    if id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(Problem::invalid(column, id, Expected::UcdpId))
    }
}

impl Dataset for Acd {
    fn what(&self) -> &'static str {
        "a UCDP/PRIO Armed Conflict Dataset file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "conflict_id",
            "location",
            "side_a",
            "side_a_id",
            "side_a_2nd",
            "side_b",
            "side_b_id",
            "side_b_2nd",
            "year",
            "start_date2",
            "start_prec2",
            "ep_end",
            "ep_end_date",
            "gwno_a",
            "gwno_b",
            "gwno_a_2nd",
            "gwno_b_2nd",
            "gwno_loc",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let (year, sources) = self.ucdp.record(row, out)?;
        self.sources = sources;
        let conflict = conflict_id(row, "conflict_id")?;
        let context = context(row, conflict);
        let (a, b) = sides(row, out, &mut self.names, &self.sources)?;
        let start = parse_iso_day("start_date2", row.text("start_date2")?)?;
        let began = precise(start, row.optional_number("start_prec2", &[])?)
            .map_err(|e| Problem::in_column("start_prec2", e))?;
        let ended = match row.text("ep_end")? {
            "0" => None,
            "1" => Some(match row.optional("ep_end_date", &[]) {
                Some(text) => {
                    let day = parse_iso_day("ep_end_date", text)?;
                    let prec = row.optional_number("ep_end_prec", &[])?;
                    precise(day, prec).map_err(|e| Problem::in_column("ep_end_prec", e))?
                }
                None => Some(years(year, year)?),
            }),
            other => return Err(Problem::invalid("ep_end", other, Expected::Flag)),
        };
        for pa in &a {
            for pb in &b {
                let key = format!("ucdp-acd:{conflict}:{start}:{}:{}", pa.id, pb.id);
                let pair = [pa.clone(), pb.clone()];
                let span = self.spans.entry(key, row.line, pair, || context.clone());
                span.began = began;
                span.years.insert(year, None);
                if let Some(Some(date)) = ended {
                    span.ended = Some((date, row.line));
                }
            }
        }
        let key = format!("ucdp-acd:{conflict}");
        supports(row, out, &key, [&a, &b], year, &context, &mut self.supports)
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        let last = self.ucdp.last_year();
        let names = self.names.resolve();
        self.names.emit(&names, out, &self.sources)?;
        self.spans.emit(&self.sources, last, &names, out)?;
        emit_supports(&self.supports, &self.sources, last, &names, out)?;
        self.ucdp.finish(out)
    }
}

/// What UCDP calls a conflict: its id, location and territory.
fn context(row: &Row<'_>, conflict: &str) -> String {
    let location = row.get("location");
    let location = if location.is_empty() { row.get("location_inc") } else { location };
    match row.get("territory_name") {
        "" => format!("UCDP conflict {conflict}, {location}"),
        territory => format!("UCDP conflict {conflict}, {location} ({territory})"),
    }
}

/// The states a record lists as supporting side A or B with troops, each
/// added to its support's years. The state it intervenes in is the
/// conflict's one location, or, in a conflict located in several states,
/// the supported side's own state if it is one of them; otherwise the
/// support is counted, not imported.
fn supports(
    row: &Row<'_>,
    out: &mut Out<'_, '_>,
    key: &str,
    sides: [&[Party]; 2],
    year: u16,
    context: &str,
    supports: &mut BTreeMap<String, Support>,
) -> Result<(), Problem> {
    let locations: Vec<&str> = split_list(row.get("gwno_loc"));
    for (column, side, label) in [("side_a_2nd", sides[0], "a"), ("side_b_2nd", sides[1], "b")] {
        for name in split_list(row.get(column)) {
            let state =
                name.strip_prefix("Government of ").and_then(states::by_name).ok_or_else(|| {
                    let unknown = Problem::UnknownState { name: quoted(name), government: false };
                    Problem::in_column(column, unknown)
                })?;
            let own = side.iter().find_map(|p| p.state).filter(|s| {
                locations.iter().any(|l| l.parse().ok().and_then(states::by_gw) == Some(*s))
            });
            let host = match (&locations[..], own) {
                ([one], _) => super::state_of(super::Scheme::Gw, "gwno_loc", one, None)?.0,
                (_, Some(own)) => own,
                _ => {
                    out.skip("support of a side in a conflict located in several states, none of them the side's own");
                    continue;
                }
            };
            let (host, intervener) = (out.state(host)?, out.state(state)?);
            let support =
                supports.entry(format!("{key}:{intervener}:{label}")).or_insert_with(|| Support {
                    line: row.line,
                    intervener,
                    intervener_name: name.to_string(),
                    host,
                    side: side.to_vec(),
                    years: Default::default(),
                    context: context.to_string(),
                });
            support.years.insert(year);
        }
    }
    Ok(())
}

/// The UCDP Battle-Related Deaths Dataset, dyadic: hostilities per run of
/// consecutive years of a dyad, with the deaths counted.
pub(crate) struct Brd {
    ucdp: Ucdp,
    names: Names,
    /// Per dyad, every year it is listed in.
    dyads: BTreeMap<String, Span>,
    supports: BTreeMap<String, Support>,
    sources: Vec<SourceId>,
}

impl Default for Brd {
    fn default() -> Brd {
        Brd {
            ucdp: Ucdp::new(&BRD),
            names: Names::default(),
            dyads: BTreeMap::new(),
            supports: BTreeMap::new(),
            sources: Vec::new(),
        }
    }
}

impl Dataset for Brd {
    fn what(&self) -> &'static str {
        "a UCDP Battle-Related Deaths file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "conflict_id",
            "dyad_id",
            "location_inc",
            "side_a",
            "side_a_id",
            "side_a_2nd",
            "side_b",
            "side_b_id",
            "side_b_2nd",
            "year",
            "bd_best",
            "bd_low",
            "bd_high",
            "gwno_a",
            "gwno_b",
            "gwno_loc",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let (year, sources) = self.ucdp.record(row, out)?;
        self.sources = sources;
        let conflict = conflict_id(row, "conflict_id")?;
        let dyad = conflict_id(row, "dyad_id")?;
        let context = format!("{}, dyad {dyad}", context(row, conflict));
        let (a, b) = sides(row, out, &mut self.names, &self.sources)?;
        let deaths = deaths(row, ["bd_best", "bd_low", "bd_high"])?;
        for pa in &a {
            for pb in &b {
                let key = format!("ucdp-brd:{dyad}:{}:{}", pa.id, pb.id);
                let pair = [pa.clone(), pb.clone()];
                let span = self.dyads.entry(key).or_insert_with(|| Span {
                    line: row.line,
                    parties: pair,
                    began: None,
                    years: BTreeMap::new(),
                    ended: None,
                    context: context.clone(),
                });
                // A dyad of several parties a side: the deaths are the dyad's,
                // counted with the first pair only.
                let counted = (pa == &a[0] && pb == &b[0]).then_some(deaths);
                span.years.insert(year, counted);
            }
        }
        let key = format!("ucdp-brd:{dyad}");
        supports(row, out, &key, [&a, &b], year, &context, &mut self.supports)
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        let last = self.ucdp.last_year();
        let mut runs = Spans::default();
        for (key, span) in std::mem::take(&mut self.dyads) {
            for run in split_runs(span) {
                let first = run.years.keys().next().copied().unwrap_or_default();
                runs.spans.insert(format!("{key}:{first}"), run);
            }
        }
        let names = self.names.resolve();
        self.names.emit(&names, out, &self.sources)?;
        runs.emit(&self.sources, last, &names, out)?;
        emit_supports(&self.supports, &self.sources, last, &names, out)?;
        self.ucdp.finish(out)
    }
}

/// A dyad's years cut into runs of consecutive years, each a span of its own.
fn split_runs(span: Span) -> Vec<Span> {
    let mut runs: Vec<Span> = Vec::new();
    for (year, deaths) in span.years {
        match runs.last_mut() {
            Some(run) if run.years.keys().next_back().is_some_and(|&y| y + 1 == year) => {
                run.years.insert(year, deaths);
            }
            _ => runs.push(Span {
                line: span.line,
                parties: span.parties.clone(),
                began: None,
                years: BTreeMap::from([(year, deaths)]),
                ended: None,
                context: span.context.clone(),
            }),
        }
    }
    runs
}

/// The two sides of a dyad (`side_a`, `side_b`, with their UCDP ids and
/// Gleditsch–Ward numbers): states where the side is governments, else
/// armed groups.
fn sides(
    row: &Row<'_>,
    out: &mut Out<'_, '_>,
    names: &mut Names,
    sources: &[SourceId],
) -> Result<(Vec<Party>, Vec<Party>), Problem> {
    let kind = ActorKind::ArmedGroup;
    let a = side(row, out, ["side_a", "side_a_id", "gwno_a"], Some(&mut *names), kind, sources)?;
    let b = side(row, out, ["side_b", "side_b_id", "gwno_b"], Some(names), kind, sources)?;
    Ok((a, b))
}
