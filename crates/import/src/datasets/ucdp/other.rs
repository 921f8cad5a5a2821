//! Non-state conflict (a record per dyad of organized groups and year, with
//! its episodes' dates and deaths) and one-sided violence (a record per
//! actor and year: its killings of civilians).

use std::collections::BTreeMap;

use annals_model::states::{self, State};
use annals_model::v1::excerpt;
use annals_model::{ActorKind, EventKind, PlaceKind, RefKind, SourceId};

use super::{actor, dated, deaths, emit_supports, side, split_list, Spans, Support, Ucdp};
use crate::dates::{parse_iso_day, precise, years};
use crate::emit::noted_entity;
use crate::problem::quoted;
use crate::sources::DatasetSource;
use crate::table::{Dataset, Out, Row};
use crate::{Expected, Problem};

pub(crate) const NON_STATE: DatasetSource = DatasetSource {
    id: "ucdp-nonstate",
    title: "UCDP Non-State Conflict Dataset",
    publisher: "Uppsala Conflict Data Program (UCDP)",
    url: Some("https://ucdp.uu.se"),
    cite: "Sundberg, Ralph, Kristine Eck and Joakim Kreutz (2012), \"Introducing the UCDP Non-State Conflict Dataset\", Journal of Peace Research 49(2): 351-362; and the latest presentation of UCDP's data in the Journal of Peace Research (Davies, Pettersson and Öberg (2022), Journal of Peace Research 59(4), for release 22.1).",
};

pub(crate) const ONE_SIDED: DatasetSource = DatasetSource {
    id: "ucdp-onesided",
    title: "UCDP One-sided Violence Dataset",
    publisher: "Uppsala Conflict Data Program (UCDP)",
    url: Some("https://ucdp.uu.se"),
    cite: "Eck, Kristine and Lisa Hultman (2007), \"Violence Against Civilians in War\", Journal of Peace Research 44(2): 233-246; and the latest presentation of UCDP's data in the Journal of Peace Research.",
};

/// UCDP's `org` code: how the parties of a non-state conflict are organized.
fn org_kind(code: &str) -> Result<ActorKind, Problem> {
    match code {
        "1" => Ok(ActorKind::ArmedGroup),
        // 2: supporters of a political party; 3: organized along ethnic or
        // religious lines. Neither is an armed group by UCDP's own terms.
        "2" | "3" => Ok(ActorKind::Other),
        other => Err(Problem::invalid("org", other, Expected::UcdpOrganizationCode)),
    }
}

/// The UCDP Non-State Conflict Dataset.
pub(crate) struct NonState {
    ucdp: Ucdp,
    spans: Spans,
    supports: BTreeMap<String, Support>,
    sources: Vec<SourceId>,
}

impl Default for NonState {
    fn default() -> NonState {
        NonState {
            ucdp: Ucdp::new(&NON_STATE),
            spans: Spans::default(),
            supports: BTreeMap::new(),
            sources: Vec::new(),
        }
    }
}

impl Dataset for NonState {
    fn what(&self) -> &'static str {
        "a UCDP Non-State Conflict file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "conflict_id",
            "dyad_id",
            "org",
            "side_a_name",
            "side_a_id",
            "side_b_name",
            "side_b_id",
            "start_date2",
            "start_prec2",
            "ep_end",
            "ep_end_date",
            "ep_end_prec",
            "year",
            "best_fatality_estimate",
            "low_fatality_estimate",
            "high_fatality_estimate",
            "location",
            "gwno_location",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let (year, sources) = self.ucdp.record(row, out)?;
        self.sources = sources;
        let dyad = row.text("dyad_id")?;
        let kind = org_kind(row.text("org")?)?;
        let context =
            format!("UCDP non-state conflict {}, {}", row.get("conflict_id"), row.get("location"));
        let a = side(row, out, ["side_a_name", "side_a_id", "gwno_a"], None, kind, &self.sources)?;
        let b = side(row, out, ["side_b_name", "side_b_id", "gwno_b"], None, kind, &self.sources)?;
        let start = parse_iso_day("start_date2", row.text("start_date2")?)?;
        let began = precise(start, row.optional_number("start_prec2", &[])?)
            .map_err(|e| Problem::in_column("start_prec2", e))?;
        let ended = match row.text("ep_end")? {
            "0" => None,
            "1" => {
                let day = parse_iso_day("ep_end_date", row.text("ep_end_date")?)?;
                let prec = row.optional_number("ep_end_prec", &[])?;
                precise(day, prec).map_err(|e| Problem::in_column("ep_end_prec", e))?
            }
            other => return Err(Problem::invalid("ep_end", other, Expected::Flag)),
        };
        let deaths = deaths(
            row,
            ["best_fatality_estimate", "low_fatality_estimate", "high_fatality_estimate"],
        )?;
        let key = format!("ucdp-nonstate:{dyad}:{start}");
        let span =
            self.spans.entry(key, row.line, [a[0].clone(), b[0].clone()], || context.clone());
        span.began = began;
        span.years.insert(year, Some(deaths));
        if let Some(date) = ended {
            span.ended = Some((date, row.line));
        }
        self.support(row, out, dyad, year, &context, [&a[0], &b[0]])
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        let last = self.ucdp.last_year();
        let names = Default::default();
        self.spans.emit(&self.sources, last, &names, out)?;
        emit_supports(&self.supports, &self.sources, last, &names, out)?;
        self.ucdp.finish(out)
    }
}

impl NonState {
    /// States supporting a side of a non-state conflict (rare): interventions
    /// in the conflict's one location; in several locations, counted only.
    fn support(
        &mut self,
        row: &Row<'_>,
        out: &mut Out<'_, '_>,
        dyad: &str,
        year: u16,
        context: &str,
        parties: [&super::Party; 2],
    ) -> Result<(), Problem> {
        for (column, party, label) in
            [("side_a_2nd", parties[0], "a"), ("side_b_2nd", parties[1], "b")]
        {
            for name in split_list(row.get(column)) {
                let state = name
                    .strip_prefix("Government of ")
                    .and_then(states::by_name)
                    .ok_or_else(|| {
                        let unknown =
                            Problem::UnknownState { name: quoted(name), government: false };
                        Problem::in_column(column, unknown)
                    })?;
                let Some(host) = one_location(row)? else {
                    out.skip("support of a side in a conflict located in several states");
                    continue;
                };
                let (host, intervener) = (out.state(host)?, out.state(state)?);
                let key = format!("ucdp-nonstate:{dyad}:{intervener}:{label}");
                let support = self.supports.entry(key).or_insert_with(|| Support {
                    line: row.line,
                    intervener,
                    intervener_name: name.to_string(),
                    host,
                    side: vec![party.clone()],
                    years: Default::default(),
                    context: context.to_string(),
                });
                support.years.insert(year);
            }
        }
        Ok(())
    }
}

/// The state of a record's `gwno_location` when it names one.
fn one_location(row: &Row<'_>) -> Result<Option<&'static State>, Problem> {
    match split_list(row.get("gwno_location"))[..] {
        [one] => Ok(Some(super::state_of(super::Scheme::Gw, "gwno_location", one, None)?.0)),
        _ => Ok(None),
    }
}

/// The UCDP One-sided Violence Dataset: each actor-year an `attack` on
/// civilians, dated by its year, with the deaths counted.
pub(crate) struct OneSided {
    ucdp: Ucdp,
}

impl Default for OneSided {
    fn default() -> OneSided {
        OneSided { ucdp: Ucdp::new(&ONE_SIDED) }
    }
}

impl Dataset for OneSided {
    fn what(&self) -> &'static str {
        "a UCDP One-sided Violence file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "dyad_id",
            "actor_id",
            "actor_name",
            "year",
            "best_fatality_estimate",
            "low_fatality_estimate",
            "high_fatality_estimate",
            "is_government_actor",
            "location",
            "gwno_location",
            "gwnoa",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let (year, sources) = self.ucdp.record(row, out)?;
        let dyad = row.text("dyad_id")?;
        let name = row.text("actor_name")?;
        let attacker = match row.text("is_government_actor")? {
            "1" => {
                let by_name = name.strip_prefix("Government of ").and_then(states::by_name);
                match (by_name, row.get("gwnoa")) {
                    (Some(state), _) => out.state(state)?,
                    // Governments acting together (`Government of Eritrea,
                    // Government of Ethiopia`): UCDP's actor, a coalition.
                    (None, "") => {
                        actor(out, row.text("actor_id")?, name, ActorKind::Coalition, &sources)?
                    }
                    (None, code) => {
                        out.state(super::state_of(super::Scheme::Gw, "gwnoa", code, None)?.0)?
                    }
                }
            }
            "0" => actor(out, row.text("actor_id")?, name, ActorKind::ArmedGroup, &sources)?,
            other => return Err(Problem::invalid("is_government_actor", other, Expected::Flag)),
        };
        let place = location(row, out)?;
        let deaths = deaths(
            row,
            ["best_fatality_estimate", "low_fatality_estimate", "high_fatality_estimate"],
        )?;
        let range = match (deaths.low, deaths.high) {
            (Some(l), Some(h)) => format!(" (low {l}, high {h})"),
            _ => String::new(),
        };
        let note = format!(
            "UCDP one-sided violence: {name} killed {} civilians in {} in {year}{range} (best estimate).",
            deaths.best,
            row.get("location")
        );
        let kind =
            EventKind::Attack { attacker, target: None, place, fatalities: Some(deaths.best) };
        let event = dated(
            &format!("ucdp-onesided:{dyad}:{year}"),
            years(year, year)?,
            &sources,
            Some(note),
            kind,
        )?;
        out.event(event, || format!("dyad_id `{}` in {year}", excerpt(dyad)))
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.ucdp.finish(out)
    }
}

/// The place of a one-sided record: the territory of its one state, or a
/// place for the states it names together (`Burkina Faso, Mali`).
fn location(row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<annals_model::PlaceId, Problem> {
    if let Some(state) = one_location(row)? {
        return out.country(state);
    }
    let codes = split_list(row.get("gwno_location"));
    let mut ids = Vec::with_capacity(codes.len());
    for code in &codes {
        ids.push(super::state_of(super::Scheme::Gw, "gwno_location", code, None)?.0.id);
    }
    let id = format!("ucdp-location-{}", ids.join("-"));
    let name = row.text("location")?.to_string();
    out.entity(RefKind::Place, &id, || {
        noted_entity(
            &id,
            EventKind::Place {
                name,
                aliases: Vec::new(),
                kind: Some(PlaceKind::Region),
                within: None,
                lat: None,
                lon: None,
            },
            Some(format!("the states UCDP names together as the location: {}", ids.join(", "))),
        )
    })?;
    annals_model::PlaceId::new(id).map_err(Problem::from)
}
