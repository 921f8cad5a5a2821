//! Coup datasets: Powell & Thyne's list of coup attempts and the Cline
//! Center's Coup d'État Project. Each record is one `coup` of a state of
//! the catalogue, by perpetrators the datasets do not name: each coup gets
//! an actor labelled as its perpetrators, never a guess at who they were.

use annals_model::states::State;
use annals_model::v1::excerpt;
use annals_model::{CoupOutcome, Date, Event, EventId, EventKind};

use super::{labelled_actor, state_of, Scheme};
use crate::dates::ymd;
use crate::sources::{Coverage, DatasetSource};
use crate::table::{Dataset, Out, Row};
use crate::{Expected, Problem};

/// Powell & Thyne's dataset, cited by every coup whatever the release.
pub(crate) const POWELL_THYNE: DatasetSource = DatasetSource {
    id: "powell-thyne",
    title: "Powell & Thyne, Global Instances of Coups from 1950 to Present",
    publisher: "Jonathan M. Powell and Clayton L. Thyne",
    url: None,
    cite: "Powell, Jonathan M. and Clayton L. Thyne (2011), \"Global Instances of Coups from 1950 to 2010: A New Dataset\", Journal of Peace Research 48(2): 249-259.",
};

/// Powell & Thyne: `country`, `ccode` (COW), `year`, `month`, `day`,
/// `coup` (1 failed, 2 successful), `version`; `NA` for what is missing.
#[derive(Debug, Default)]
pub(crate) struct PowellThyne {
    coverage: Coverage,
}

const NA: &[&str] = &["NA"];

impl Dataset for PowellThyne {
    fn what(&self) -> &'static str {
        "a Powell & Thyne coup file"
    }

    fn required(&self) -> &'static [&'static str] {
        &["country", "ccode", "year", "month", "day", "coup"]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let sources = POWELL_THYNE.cited(out)?;
        let (state, unknown_code) = state_of(
            Scheme::Cow,
            "ccode",
            row.text("ccode")?,
            Some(("country", row.get("country"))),
        )?;
        let date = date_of(row, NA)?;
        self.coverage.year(date.start().year(), row.line);
        self.coverage.release(row.get("version"));
        let outcome = match row.text("coup")? {
            "1" => CoupOutcome::Failed,
            "2" => CoupOutcome::Successful,
            other => return Err(Problem::invalid("coup", other, Expected::PowellThyneOutcome)),
        };
        let key = format!("{}-{date}", state.id);
        let perpetrator = labelled_actor(
            out,
            &format!("pt-perpetrators-{key}"),
            format!("the perpetrators of the {date} coup in {}", state.name),
            None,
            "Powell & Thyne name no perpetrator; this actor stands for whoever staged the coup."
                .to_string(),
        )?;
        let code = if outcome == CoupOutcome::Failed { 1 } else { 2 };
        let mut note = format!("Powell & Thyne code this coup attempt {outcome} ({code}).");
        if let Some(why) = unknown_code {
            note.push_str(&format!(" [annals: {why}]"));
        }
        let event = coup(&format!("pt-coup-{key}"), state, out, perpetrator, outcome, date)?;
        let event = Event { sources, note: Some(note), ..event };
        out.event(event, || format!("the coup of {date} in {}", state.name))
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.coverage.emit(&POWELL_THYNE, None, out)
    }
}

/// The date of a record from its `year`, `month` and `day` columns, as
/// precise as they are: a missing day gives the month, a missing month
/// the year.
fn date_of(row: &Row<'_>, missing: &[&str]) -> Result<Date, Problem> {
    let year = row.number::<u16>("year")?;
    let month = row.optional_number::<u8>("month", missing)?.filter(|&m| m != 0);
    let day = row.optional_number::<u8>("day", missing)?.filter(|&d| d != 0);
    ymd(year, month, day).map_err(|e| Problem::in_columns(&["year", "month", "day"], e))
}

/// A `coup` of `state` (its actor created if the log lacks it).
fn coup(
    id: &str,
    state: &State,
    out: &mut Out<'_, '_>,
    perpetrator: annals_model::ActorId,
    outcome: CoupOutcome,
    date: Date,
) -> Result<Event, Problem> {
    let state = out.state(state)?;
    Ok(Event {
        id: EventId::new(id).map_err(Problem::from)?,
        date: Some(date),
        sources: Vec::new(),
        claim: annals_model::Claim::Reported,
        claimed_by: None,
        note: None,
        kind: EventKind::Coup { state, perpetrator, ousted: None, outcome },
    })
}

/// The Cline Center's dataset.
pub(crate) const CLINE: DatasetSource = DatasetSource {
    id: "cline-coups",
    title: "Cline Center Coup d'État Project Dataset",
    publisher: "Cline Center for Advanced Social Research, University of Illinois Urbana-Champaign",
    url: Some("https://clinecenter.illinois.edu"),
    cite: "Peyton, Buddy et al., Cline Center Coup d'État Project Dataset, Cline Center for Advanced Social Research, University of Illinois Urbana-Champaign (cite the version read, as its page on the Illinois Data Bank gives it).",
};

/// The Cline Center's coups: `coup_id`, `cowcode`, `country`, `year`,
/// `month`, `day`, `event_type` (`coup`, `attempted`, `conspiracy`), and
/// 0/1 columns for who staged it and what became of the leader.
#[derive(Debug, Default)]
pub(crate) struct Cline {
    coverage: Coverage,
}

/// Cline's 0/1 columns for who staged a coup, with what they mean.
const PERPETRATORS: [(&str, &str); 10] = [
    ("military", "the military"),
    ("dissident", "dissidents"),
    ("rebel", "rebels"),
    ("palace", "a palace coup"),
    ("foreign", "foreign-backed"),
    ("auto", "an autogolpe (by the incumbent)"),
    ("resign", "a forced resignation"),
    ("popular", "a popular revolt"),
    ("counter", "a counter-coup"),
    ("other", "other"),
];

/// Cline's 0/1 columns for what became of the leader.
const FATES: [(&str, &str); 8] = [
    ("noharm", "not harmed"),
    ("injured", "injured"),
    ("killed", "killed"),
    ("harrest", "under house arrest"),
    ("jailed", "jailed"),
    ("tried", "tried"),
    ("fled", "fled"),
    ("exile", "exiled"),
];

impl Dataset for Cline {
    fn what(&self) -> &'static str {
        "a Cline Center coup file"
    }

    fn required(&self) -> &'static [&'static str] {
        &["coup_id", "cowcode", "country", "year", "month", "day", "event_type"]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let sources = CLINE.cited(out)?;
        let coup_id = row.text("coup_id")?;
        let key = crate::emit::slug(coup_id);
        if key.is_empty() || key != coup_id.to_ascii_lowercase() {
            return Err(Problem::invalid("coup_id", coup_id, Expected::ClineCoupId));
        }
        let (state, unknown_code) = state_of(
            Scheme::Cow,
            "cowcode",
            row.text("cowcode")?,
            Some(("country", row.get("country"))),
        )?;
        let date = date_of(row, &[])?;
        self.coverage.year(date.start().year(), row.line);
        let (outcome, what, who) = match row.text("event_type")? {
            "coup" => (CoupOutcome::Successful, "coup", "perpetrators"),
            "attempted" => (CoupOutcome::Failed, "attempted coup", "perpetrators"),
            "conspiracy" => (CoupOutcome::Conspiracy, "coup plot", "conspirators"),
            other => return Err(Problem::invalid("event_type", other, Expected::ClineEventType)),
        };
        let perpetrator = labelled_actor(
            out,
            &format!("cline-perpetrators-{key}"),
            format!("the {who} of the {date} {what} in {}", state.name),
            None,
            format!(
                "The Cline Center names no {who}; this actor stands for whoever was behind the {what}."
            ),
        )?;
        let mut note = format!("Cline Center {}: {what}.", coup_id);
        note.push_str(&flags(row, "by", &PERPETRATORS)?);
        note.push_str(&flags(row, "the leader", &FATES)?);
        let mut remarks: Vec<String> = unknown_code.into_iter().collect();
        remarks.extend(id_date_mismatch(coup_id, &date));
        if !remarks.is_empty() {
            note.push_str(&format!(" [annals: {}]", remarks.join("; ")));
        }
        let event = coup(&format!("cline-coup-{key}"), state, out, perpetrator, outcome, date)?;
        let event = Event { sources, note: Some(note), ..event };
        out.event(event, || format!("coup_id `{}`", excerpt(coup_id)))
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.coverage.emit(&CLINE, None, out)
    }
}

/// The 0/1 columns of `list` that are 1, as a clause of the note
/// (`" By: the military, a palace coup."`); "" when none is, or the file
/// lacks them.
fn flags(row: &Row<'_>, label: &str, list: &[(&str, &str)]) -> Result<String, Problem> {
    let mut set = Vec::new();
    for (column, meaning) in list {
        match row.get(column) {
            "" | "0" => {}
            "1" => set.push(*meaning),
            other => return Err(Problem::invalid(column, other, Expected::Flag)),
        }
    }
    Ok(match set.is_empty() {
        true => String::new(),
        false => format!(" {}{}: {}.", label[..1].to_uppercase(), &label[1..], set.join(", ")),
    })
}

/// Where a Cline coup id (country code, then `MMDDYYYY`, maybe a letter)
/// says another day than the date columns, what it says: the columns are
/// kept, the disagreement noted.
fn id_date_mismatch(coup_id: &str, date: &Date) -> Option<String> {
    let digits = coup_id.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let tail = digits.get(digits.len().checked_sub(8)?..)?;
    let (m, d, y) = (&tail[..2], &tail[2..4], &tail[4..]);
    let from_id = format!("{y}-{m}-{d}");
    let p = date.start();
    let columns = format!("{:04}-{:02}-{:02}", p.year(), p.month()?, p.day()?);
    (from_id != columns).then(|| {
        format!("the coup_id reads as {from_id}; the date is the year, month and day columns'")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coup_id_that_says_another_day_is_noted() {
        let date = ymd(1970, Some(4), Some(27)).unwrap();
        assert_eq!(
            id_date_mismatch("52004211970", &date).unwrap(),
            "the coup_id reads as 1970-04-21; the date is the year, month and day columns'"
        );
        let same = ymd(1977, Some(2), Some(3)).unwrap();
        assert_eq!(id_date_mismatch("53002031977a", &same), None);
        assert_eq!(id_date_mismatch("1", &same), None);
    }
}
