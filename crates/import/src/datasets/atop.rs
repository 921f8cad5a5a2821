//! ATOP (Alliance Treaty Obligations and Provisions), member level and
//! alliance level. Each alliance is a pact: an actor of kind `coalition`,
//! `atop-<atopid>`, the same from both files. The member level gives each
//! state's spells in it (its phases run together while one begins the day
//! the one before ends): `membership_began`/`membership_ended`, with the
//! obligations of each phase. The alliance level gives dates for the
//! alliance only, which are its members' dates when it is bilateral: those
//! are `alliance_formed`/`alliance_ended` of the two members under the pact;
//! a multilateral alliance's members, listed without dates, are counted.
//! ATOP's dates are year, month and day columns (0 for unknown); a zero
//! exit year means the alliance was in force at the end of the data.

use std::collections::BTreeMap;

use annals_model::states;
use annals_model::{ActorId, ActorKind, Date, EventKind, RefKind, SourceId};

use super::dated;
use crate::dates::ymd;
use crate::emit::noted_entity;
use crate::sources::{Coverage, DatasetSource};
use crate::table::{Dataset, Out, Row};
use crate::{Expected, Problem};

pub(crate) const ATOP: DatasetSource = DatasetSource {
    id: "atop",
    title: "Alliance Treaty Obligations and Provisions (ATOP)",
    publisher: "Brett Ashley Leeds et al., ATOP project",
    url: Some("http://www.atopdata.org"),
    cite: "Leeds, Brett Ashley, Jeffrey M. Ritter, Sara McLaughlin Mitchell and Andrew G. Long (2002), \"Alliance Treaty Obligations and Provisions, 1815-1944\", International Interactions 28: 237-260.",
};

/// ATOP's 0/1 obligation columns, with what they mean.
const OBLIGATIONS: [(&str, &str); 5] = [
    ("defense", "defense"),
    ("offense", "offense"),
    ("neutral", "neutrality"),
    ("nonagg", "non-aggression"),
    ("consul", "consultation"),
];

/// The obligations a record's 0/1 columns set (`defense, consultation`),
/// or `none of the five`.
fn obligations(row: &Row<'_>) -> Result<String, Problem> {
    let mut set = Vec::new();
    for (column, meaning) in OBLIGATIONS {
        match row.get(column) {
            "" | "0" => {}
            "1" => set.push(meaning),
            other => return Err(Problem::invalid(column, other, Expected::Flag)),
        }
    }
    Ok(if set.is_empty() { "none of the five ATOP codes".to_string() } else { set.join(", ") })
}

/// The pact of ATOP alliance `atopid`, created if the log lacks it.
fn pact(out: &mut Out<'_, '_>, atopid: &str) -> Result<ActorId, Problem> {
    if atopid.is_empty() || !atopid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Problem::invalid("atopid", atopid, Expected::AtopAllianceId));
    }
    let id = format!("atop-{atopid}");
    out.entity(RefKind::Actor, &id, || {
        let kind = EventKind::Actor {
            name: format!("ATOP alliance {atopid}"),
            aliases: Vec::new(),
            kind: Some(ActorKind::Coalition),
        };
        noted_entity(
            &id,
            kind,
            Some(format!("Alliance Treaty Obligations and Provisions (ATOP) alliance {atopid}")),
        )
    })?;
    ActorId::new(id).map_err(Problem::from)
}

/// A member by its COW code: a state of the catalogue, or an actor
/// labelled with ATOP's code when the code is none (ATOP's `8152`).
fn member(out: &mut Out<'_, '_>, column: &str, code: &str) -> Result<ActorId, Problem> {
    let number: u16 =
        code.parse().map_err(|_| Problem::invalid(column, code, Expected::CowCode))?;
    if let Some(state) = states::by_cow(number) {
        return out.state(state);
    }
    let id = format!("atop-member-{number}");
    out.entity(RefKind::Actor, &id, || {
        let kind = EventKind::Actor {
            name: format!("the ATOP member coded {number}"),
            aliases: Vec::new(),
            kind: Some(ActorKind::State),
        };
        noted_entity(
            &id,
            kind,
            Some(format!("ATOP codes this member {number}, which is no COW state code")),
        )
    })?;
    ActorId::new(id).map_err(Problem::from)
}

/// A date from year, month and day columns (0 or empty for unknown);
/// `None` for a zero year (no exit: still in force).
fn date(row: &Row<'_>, columns: [&str; 3]) -> Result<Option<Date>, Problem> {
    let year: u16 = row.number(columns[0])?;
    if year == 0 {
        return Ok(None);
    }
    // An empty month or day is as unknown as a 0.
    let month: Option<u8> = row.optional_number(columns[1], &["0"])?;
    let day: Option<u8> = row.optional_number(columns[2], &["0"])?;
    ymd(year, month, day).map(Some).map_err(|e| Problem::in_columns(&columns, e))
}

/// One phase of a member's membership.
#[derive(Debug)]
struct Phase {
    line: usize,
    entry: Date,
    exit: Option<Date>,
    obligations: String,
}

/// ATOP, member level.
#[derive(Debug, Default)]
pub(crate) struct AtopMember {
    coverage: Coverage,
    /// Per (alliance, member): its phases.
    phases: BTreeMap<(ActorId, ActorId), Vec<Phase>>,
}

impl Dataset for AtopMember {
    fn what(&self) -> &'static str {
        "an ATOP member-level file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "atopid", "member", "yrent", "moent", "dayent", "yrexit", "moexit", "dayexit",
            "defense", "offense", "neutral", "nonagg", "consul",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        ATOP.cited(out)?;
        self.coverage.release(row.get("version"));
        let pact = pact(out, row.text("atopid")?)?;
        let member = member(out, "member", row.text("member")?)?;
        let entry = date(row, ["yrent", "moent", "dayent"])?.ok_or_else(|| {
            Problem::in_column("yrent", Problem::Lacks("the member has no entry year"))
        })?;
        let exit = date(row, ["yrexit", "moexit", "dayexit"])?;
        self.coverage.year(entry.start().year(), row.line);
        if let Some(exit) = exit {
            self.coverage.year(exit.start().year(), row.line);
        }
        let phase = Phase { line: row.line, entry, exit, obligations: obligations(row)? };
        self.phases.entry((pact, member)).or_default().push(phase);
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        let sources = vec![ATOP.source_id()];
        for ((pact, member), phases) in &mut self.phases {
            phases.sort_by_key(|p| (p.entry.earliest(), p.entry));
            for spell in spells(phases) {
                let line = spell.phases[0].line;
                emit_spell(pact, member, &spell, &sources, out).map_err(|e| (line, e))?;
            }
        }
        self.coverage.emit(&ATOP, None, out)
    }
}

/// A member's spell in an alliance: phases that overlap or follow one
/// another without a gap, and its exit (`None` while one phase is still in
/// force).
struct Spell<'a> {
    phases: Vec<&'a Phase>,
    exit: Option<Date>,
}

/// Phases (sorted by entry) cut into spells: a phase that begins before,
/// or on the day, the spell so far ends goes on it. (ATOP's phases usually
/// follow one another; a few overlap, like Romania's in alliance 3610.)
fn spells(phases: &[Phase]) -> Vec<Spell<'_>> {
    let mut out: Vec<Spell<'_>> = Vec::new();
    for phase in phases {
        match out.last_mut() {
            Some(spell)
                if spell.exit.is_none_or(|exit| phase.entry.earliest() <= exit.latest()) =>
            {
                spell.phases.push(phase);
                spell.exit = match (spell.exit, phase.exit) {
                    (Some(a), Some(b)) => {
                        Some(if (b.latest(), b) > (a.latest(), a) { b } else { a })
                    }
                    _ => None,
                };
            }
            _ => out.push(Spell { phases: vec![phase], exit: phase.exit }),
        }
    }
    out
}

fn emit_spell(
    pact: &ActorId,
    member: &ActorId,
    spell: &Spell<'_>,
    sources: &[SourceId],
    out: &mut Out<'_, '_>,
) -> Result<(), Problem> {
    let (first, last) = (spell.phases[0], spell.phases[spell.phases.len() - 1]);
    let obligations = match &spell.phases[..] {
        [one] => format!("Obligations: {}.", one.obligations),
        phases => {
            let each: Vec<String> = phases
                .iter()
                .enumerate()
                .map(|(i, p)| format!("phase {} (from {}): {}", i + 1, p.entry, p.obligations))
                .collect();
            format!("Obligations by phase: {}.", each.join("; "))
        }
    };
    let id = format!("atop:{}:{member}:{}", &pact.as_str()["atop-".len()..], first.entry);
    let kind = EventKind::MembershipBegan { member: member.clone(), group: pact.clone() };
    let event = dated(&format!("{id}:began"), first.entry, sources, Some(obligations), kind)?;
    out.at(first.line).event(event, || format!("the membership `{id}`"))?;
    if let Some(exit) = spell.exit {
        let kind = EventKind::MembershipEnded { member: member.clone(), group: pact.clone() };
        let event = dated(&format!("{id}:ended"), exit, sources, None, kind)?;
        out.at(last.line).event(event, || format!("the membership `{id}`"))?;
    }
    Ok(())
}

/// ATOP, alliance level.
#[derive(Debug, Default)]
pub(crate) struct AtopAlliance {
    coverage: Coverage,
}

impl Dataset for AtopAlliance {
    fn what(&self) -> &'static str {
        "an ATOP alliance-level file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "atopid", "begyr", "begmo", "begday", "endyr", "endmo", "endday", "bilat", "defense",
            "offense", "neutral", "nonagg", "consul", "mem1",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let sources = ATOP.cited(out)?;
        self.coverage.release(row.get("version"));
        let atopid = row.text("atopid")?;
        let pact = pact(out, atopid)?;
        let begin = date(row, ["begyr", "begmo", "begday"])?.ok_or_else(|| {
            Problem::in_column("begyr", Problem::Lacks("the alliance has no start year"))
        })?;
        let end = date(row, ["endyr", "endmo", "endday"])?;
        self.coverage.year(begin.start().year(), row.line);
        let mut members = Vec::new();
        for n in 1..=59 {
            if let Some(code) = row.optional(&format!("mem{n}"), &["0"]) {
                members.push(member(out, &format!("mem{n}"), code)?);
            }
        }
        let bilateral = row.get("bilat") == "1";
        if !bilateral || members.len() != 2 {
            for _ in &members {
                out.skip("member of a multilateral alliance, listed without its own dates (the member-level file gives them)");
            }
            return Ok(());
        }
        let note =
            format!("ATOP alliance {atopid}, bilateral. Obligations: {}.", obligations(row)?);
        let id = format!("atop:{atopid}:alliance");
        let kind =
            EventKind::AllianceFormed { actors: members.clone(), alliance: Some(pact.clone()) };
        out.event(dated(&format!("{id}:formed"), begin, &sources, Some(note), kind)?, || {
            format!("atopid `{atopid}`")
        })?;
        if let Some(end) = end {
            let kind = EventKind::AllianceEnded { actors: members, alliance: Some(pact) };
            out.event(dated(&format!("{id}:ended"), end, &sources, None, kind)?, || {
                format!("atopid `{atopid}`")
            })?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.coverage.emit(&ATOP, None, out)
    }
}
