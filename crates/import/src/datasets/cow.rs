//! The Correlates of War Intra-State War Data: a record per participant of
//! a war, on side A or B, with the dates of its one or two spells in it.
//! Each war's two sides are coalitions (`the side A of COW intra-state war
//! 502, First Two Sicilies`); each participant is a member of its side for
//! each spell; the two sides are hostile from the first participant's entry
//! to the last one's exit. COW's missing-value codes: −8 not applicable
//! (no second spell, no state on that side), −9 unknown, −7 ongoing.

use std::collections::BTreeMap;

use annals_model::{ActorId, ActorKind, Date, Event, EventKind, RefKind, SourceId};

use super::{state_of, Scheme};
use crate::dates::ymd;
use crate::emit::{noted_entity, slug};
use crate::records::Text;
use crate::sources::{Coverage, DatasetSource};
use crate::table::{Dataset, Out, Row};
use crate::{At, Expected, Problem};

pub(crate) const COW: DatasetSource = DatasetSource {
    id: "cow-intrastate",
    title: "Correlates of War Intra-State War Data",
    publisher: "Correlates of War Project",
    url: Some("https://correlatesofwar.org"),
    cite: "Sarkees, Meredith Reid and Frank Wayman (2010), Resort to War: 1816-2007, Washington DC: CQ Press.",
};

/// What COW's `WarType` codes mean.
fn war_type(code: &str) -> &'static str {
    match code {
        "4" => "civil war for central control",
        "5" => "civil war over local issues",
        "6" => "regional internal war",
        "7" => "intercommunal war",
        _ => "intra-state war",
    }
}

/// What COW's `Outcome` codes mean.
fn outcome(code: &str) -> Option<&'static str> {
    Some(match code {
        "1" => "side A won",
        "2" => "side B won",
        "3" => "compromise",
        "4" => "the war was transformed into another war",
        "5" => "ongoing",
        "6" => "stalemate",
        "7" => "the conflict continued below the level of war",
        _ => return None,
    })
}

/// One war: when its participants entered and left, and how it ended.
#[derive(Debug)]
struct War {
    line: usize,
    sides: [ActorId; 2],
    /// The earliest entry of a participant.
    began: Option<Date>,
    /// The latest exit, unless a participant is still in (or its exit is
    /// not known): then `None` and `open`.
    ended: Option<Date>,
    open: bool,
    outcome: Option<&'static str>,
}

/// COW Intra-State War Data.
#[derive(Debug, Default)]
pub(crate) struct CowIntra {
    coverage: Coverage,
    wars: BTreeMap<u32, War>,
}

impl Dataset for CowIntra {
    fn what(&self) -> &'static str {
        "a COW Intra-State War file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "warnum",
            "warname",
            "wartype",
            "ccodea",
            "sidea",
            "ccodeb",
            "sideb",
            "startmonth1",
            "startday1",
            "startyear1",
            "endmonth1",
            "endday1",
            "endyear1",
            "startmonth2",
            "startday2",
            "startyear2",
            "endmonth2",
            "endday2",
            "endyear2",
            "outcome",
            "sideadeaths",
            "sidebdeaths",
        ]
    }

    fn text(&self) -> Text {
        // COW distributes its files in Windows-1252.
        Text::Windows1252
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let sources = COW.cited(out)?;
        self.coverage.release(row.get("version"));
        let number: u32 = row.number("warnum")?;
        let name = row.text("warname")?;
        let context =
            format!("COW intra-state war {number}, {name} ({})", war_type(row.get("wartype")));
        let sides = [side(out, number, "a", &context)?, side(out, number, "b", &context)?];
        let war = self.wars.entry(number).or_insert_with(|| War {
            line: row.line,
            sides: sides.clone(),
            began: None,
            ended: None,
            open: false,
            outcome: outcome(row.get("outcome")),
        });
        let mut named = 0;
        for (i, (code, who, deaths)) in
            [("ccodea", "sidea", "sideadeaths"), ("ccodeb", "sideb", "sidebdeaths")]
                .into_iter()
                .enumerate()
        {
            let Some(member) = participant(row, out, number, code, who)? else { continue };
            named += 1;
            for spell in ["1", "2"] {
                let Some((start, end)) = spell_dates(row, spell, out)? else { continue };
                if let Some(year) = start.map(|d| d.start().year()) {
                    self.coverage.year(year, row.line);
                }
                let ctx = Spell {
                    war: number,
                    side: &sides[i],
                    member: &member,
                    spell,
                    context: &context,
                };
                ctx.emit(row, out, &sources, start, end, deaths)?;
                widen(war, start, end);
            }
        }
        if named == 0 {
            out.skip("record naming no participant on either side");
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        let sources = vec![COW.source_id()];
        for (number, war) in &self.wars {
            let fail = |e: Problem| (war.line, e);
            let Some(began) = war.began else { continue };
            let actors = war.sides.clone();
            let id = format!("cow-intra:{number}:hostilities");
            let kind = EventKind::HostilitiesBegan { actors: actors.clone(), fatalities: None };
            let note = "From the first entry of a participant.".to_string();
            let event = dated(&format!("{id}:began"), began, &sources, note, kind).map_err(fail)?;
            out.at(war.line).event(event, || format!("war {number}")).map_err(fail)?;
            if let (Some(ended), false) = (war.ended, war.open) {
                let mut note = "At the last exit of a participant.".to_string();
                if let Some(o) = war.outcome {
                    note.push_str(&format!(" Outcome: {o}."));
                }
                let kind = EventKind::HostilitiesEnded { actors, fatalities: None };
                let event =
                    dated(&format!("{id}:ended"), ended, &sources, note, kind).map_err(fail)?;
                out.at(war.line).event(event, || format!("war {number}")).map_err(fail)?;
            }
        }
        self.coverage.emit(&COW, None, out)
    }
}

/// A war's side as a coalition actor.
fn side(out: &mut Out<'_, '_>, war: u32, side: &str, context: &str) -> Result<ActorId, Problem> {
    let id = format!("cow-intra-{war}-side-{side}");
    let name = format!("side {} of {context}", side.to_uppercase());
    out.entity(RefKind::Actor, &id, || {
        let kind = EventKind::Actor { name, aliases: Vec::new(), kind: Some(ActorKind::Coalition) };
        noted_entity(&id, kind, None)
    })?;
    ActorId::new(id).map_err(Problem::from)
}

/// The participant a record names in `code` and `who`: a state of the
/// catalogue, or a group named as COW writes it; `None` for −8.
fn participant(
    row: &Row<'_>,
    out: &mut Out<'_, '_>,
    war: u32,
    code: &str,
    who: &str,
) -> Result<Option<ActorId>, Problem> {
    let (c, name) = (row.get(code), row.get(who));
    if !matches!(c, "" | "-8" | "-9") {
        let (state, _) = state_of(Scheme::Cow, code, c, Some((who, name)))?;
        return out.state(state).map(Some);
    }
    if matches!(name, "" | "-8" | "-9") {
        return Ok(None);
    }
    let key = slug(name);
    if key.is_empty() {
        return Err(Problem::no_id_letters(who, name, "letters a-z or digits"));
    }
    let id = format!("cow-intra-{war}-{key}");
    let kind = EventKind::Actor {
        name: name.to_string(),
        aliases: Vec::new(),
        kind: Some(ActorKind::ArmedGroup),
    };
    out.entity(RefKind::Actor, &id, || noted_entity(&id, kind, None))?;
    ActorId::new(id).map(Some).map_err(Problem::from)
}

/// The dates of a spell (`1` or `2`): `None` when the record has no such
/// spell (its start year is −8); else its start (if its year is known) and
/// its end (`None` if ongoing or unknown).
#[allow(clippy::type_complexity)]
fn spell_dates(
    row: &Row<'_>,
    spell: &str,
    out: &mut Out<'_, '_>,
) -> Result<Option<(Option<Date>, Option<Date>)>, Problem> {
    let start_year = row.get(&format!("startyear{spell}"));
    if start_year == "-8" {
        return Ok(None);
    }
    let start = date(row, "start", spell)?;
    let end = date(row, "end", spell)?;
    if start.is_none() {
        out.skip("spell whose start year COW does not know (no date to give it)");
    }
    Ok(Some((start, end)))
}

/// A date from COW's `{which}Month{spell}`, `Day`, `Year` columns: −9 (or
/// any other negative code but −7) makes it coarser; an unknown or ongoing
/// (−7) year gives none.
fn date(row: &Row<'_>, which: &str, spell: &str) -> Result<Option<Date>, Problem> {
    let column = |part: &str| format!("{which}{part}{spell}");
    let known = |part: &str| -> Result<Option<i64>, Problem> {
        let v = row.get(&column(part));
        match v.parse::<i64>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            Ok(_) => Ok(None),
            Err(_) if v.is_empty() => Ok(None),
            Err(_) => Err(Problem::invalid(&column(part), v, Expected::Number)),
        }
    };
    let Some(year) = known("year")? else { return Ok(None) };
    let year = u16::try_from(year)
        .map_err(|_| Problem::in_column(&column("year"), Problem::NoYear(year)))?;
    let small = |n: Option<i64>| n.and_then(|n| u8::try_from(n).ok());
    let (month, day) = (small(known("month")?), small(known("day")?));
    match ymd(year, month, day) {
        Ok(date) => Ok(Some(date)),
        // A day the month does not have (COW's 29 February 1894): the
        // month is what is known.
        Err(_) if day.is_some() => ymd(year, month, None).map(Some),
        Err(e) => Err(Problem::In { at: At::ColumnsFrom(column("month")), problem: Box::new(e) }),
    }
}

/// Why a record's date is coarser than its columns, if a day in them does
/// not exist.
fn impossible_days(row: &Row<'_>, spell: &str) -> Vec<String> {
    let mut out = Vec::new();
    for which in ["start", "end"] {
        let get = |part: &str| row.get(&format!("{which}{part}{spell}")).parse::<u16>().ok();
        if let (Some(y), Some(m), Some(d)) = (get("year"), get("month"), get("day")) {
            let ok = u8::try_from(m)
                .ok()
                .zip(u8::try_from(d).ok())
                .is_some_and(|(m, d)| ymd(y, Some(m), Some(d)).is_ok());
            if !ok {
                out.push(format!("COW gives the {which} as {y}-{m}-{d}, a day that does not exist; the month is kept"));
            }
        }
    }
    out
}

/// A participant's spell in a war.
struct Spell<'a> {
    war: u32,
    side: &'a ActorId,
    member: &'a ActorId,
    spell: &'a str,
    context: &'a str,
}

impl Spell<'_> {
    fn emit(
        &self,
        row: &Row<'_>,
        out: &mut Out<'_, '_>,
        sources: &[SourceId],
        start: Option<Date>,
        end: Option<Date>,
        deaths: &str,
    ) -> Result<(), Problem> {
        let Some(start) = start else { return Ok(()) };
        let id = format!("cow-intra:{}:{}:{}:{start}", self.war, self.side, self.member);
        let mut note = format!("{}: spell {}", self.context, self.spell);
        match row.get(deaths) {
            "-8" | "-9" | "" => {}
            n => note.push_str(&format!(
                "; battle deaths of this participant's side as COW counts them: {n}"
            )),
        }
        note.push('.');
        let remarks = impossible_days(row, self.spell);
        if !remarks.is_empty() {
            note.push_str(&format!(" [annals: {}]", remarks.join("; ")));
        }
        let (member, group) = (self.member.clone(), self.side.clone());
        let kind = EventKind::MembershipBegan { member: member.clone(), group: group.clone() };
        let event = dated(&format!("{id}:began"), start, sources, note, kind)?;
        out.event(event, || format!("the spell `{id}`"))?;
        match end {
            Some(end) => {
                let kind = EventKind::MembershipEnded { member, group };
                let note = format!("{}: spell {} ends.", self.context, self.spell);
                let event = dated(&format!("{id}:ended"), end, sources, note, kind)?;
                out.event(event, || format!("the spell `{id}`"))
            }
            None => {
                out.skip("spell whose end COW does not give (ongoing, or not known)");
                Ok(())
            }
        }
    }
}

/// Widens a war's span by a participant's spell.
fn widen(war: &mut War, start: Option<Date>, end: Option<Date>) {
    if let Some(start) = start {
        if war.began.is_none_or(|b| (start.earliest(), start) < (b.earliest(), b)) {
            war.began = Some(start);
        }
    }
    match end {
        Some(end) if war.ended.is_none_or(|e| (end.latest(), end) > (e.latest(), e)) => {
            war.ended = Some(end)
        }
        Some(_) => {}
        None => war.open = true,
    }
}

fn dated(
    id: &str,
    date: Date,
    sources: &[SourceId],
    note: String,
    kind: EventKind,
) -> Result<Event, Problem> {
    super::dated(id, date, sources, Some(note), kind)
}
