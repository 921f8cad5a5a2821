//! PRIF's Dataset on Humanitarian Military Interventions, as CSV (a sheet
//! of the PRIF workbook saved as CSV, its cells unchanged): a record per
//! intervention in a target state, with up to three interveners (states,
//! or organizations such as the UN), its start and end as Excel serial
//! days, and the precision of each as a code of the UCDP/PRIO scheme.
//! Each intervener's intervention begins and ends with the case. −88 is
//! PRIF's code for not applicable, −99 for unknown.

use annals_model::states;
use annals_model::{ActorId, ActorKind, Date, EventKind, RefKind};

use super::{dated, state_of, Scheme};
use crate::dates::{excel_day, precise};
use crate::emit::{noted_entity, slug};
use crate::sources::{Coverage, DatasetSource};
use crate::table::{Dataset, Out, Row};
use crate::{Expected, Problem};

pub(crate) const PRIF: DatasetSource = DatasetSource {
    id: "prif-hmi",
    title: "PRIF Dataset on Humanitarian Military Interventions",
    publisher: "Peace Research Institute Frankfurt (PRIF / HSFK)",
    url: Some("https://www.prif.org"),
    cite: "Gromes, Thorsten and Matthias Dembinski (2019), \"Practices and Outcomes of Humanitarian Military Interventions: A New Data Set\", International Interactions 45(6): 1032-1048.",
};

const MISSING: &[&str] = &["-88", "-99"];

/// PRIF's humanitarian military interventions.
#[derive(Debug, Default)]
pub(crate) struct Prif {
    coverage: Coverage,
}

impl Dataset for Prif {
    fn what(&self) -> &'static str {
        "a PRIF humanitarian military interventions file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "hmiid",
            "cowcc",
            "hmistart",
            "hmistapr",
            "hmiend",
            "hmiendpr",
            "interven1",
            "i1ccc",
            "interven2",
            "i2ccc",
            "interven3",
            "i3ccc",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let sources = PRIF.cited(out)?;
        let case = row.text("hmiid")?;
        let key = slug(case);
        if key.is_empty() {
            return Err(Problem::no_id_letters("hmiid", case, "letters or digits"));
        }
        let (target, _) = state_of(Scheme::Cow, "cowcc", row.text("cowcc")?, None)?;
        let host = out.state(target)?;
        let start = day(row, "hmistart", "hmistapr")?.ok_or_else(|| {
            Problem::in_column("hmistart", Problem::Lacks("the intervention has no start"))
        })?;
        let end = day(row, "hmiend", "hmiendpr")?;
        self.coverage.year(start.start().year(), row.line);
        if let Some(end) = end {
            self.coverage.year(end.start().year(), row.line);
        }
        for n in 1..=3 {
            let Some(intervener) = intervener(row, out, n)? else { continue };
            let id = format!("prif-hmi:{key}:{intervener}");
            let note = format!("PRIF humanitarian military intervention `{case}`.");
            let operation = Some(case.to_string());
            let (i, h) = (intervener.clone(), host.clone());
            let kind = EventKind::InterventionBegan {
                intervener: i,
                host: h,
                operation,
                supporting: None,
            };
            let event = dated(&format!("{id}:began"), start, &sources, Some(note), kind)?;
            out.event(event, || format!("the intervention `{id}`"))?;
            match end {
                Some(end) => {
                    let operation = Some(case.to_string());
                    let kind = EventKind::InterventionEnded {
                        intervener,
                        host: host.clone(),
                        operation,
                        supporting: None,
                    };
                    let event = dated(&format!("{id}:ended"), end, &sources, None, kind)?;
                    out.event(event, || format!("the intervention `{id}`"))?;
                }
                None => out.skip("intervention ongoing when PRIF coded it (no end)"),
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.coverage.emit(&PRIF, None, out)
    }
}

/// A day as an Excel serial in `column`, at the precision code in
/// `precision`; `None` when the cell is empty (the intervention was going
/// on) or a missing-value code.
fn day(row: &Row<'_>, column: &str, precision: &str) -> Result<Option<Date>, Problem> {
    let Some(serial) = row.optional(column, MISSING) else { return Ok(None) };
    let serial: f64 =
        serial.parse().map_err(|_| Problem::invalid(column, serial, Expected::ExcelSerialDay))?;
    let whole = serial.trunc() as i64;
    let day = (serial.fract() == 0.0 && serial.is_finite())
        .then(|| excel_day(whole))
        .flatten()
        .ok_or_else(|| Problem::invalid(column, &serial.to_string(), Expected::ExcelSerialDay))?;
    let code = row.optional_number::<u8>(precision, MISSING)?;
    precise(day, code).map_err(|e| Problem::in_column(precision, e))
}

/// The `n`th intervener: a state by its COW code, else an organization by
/// the name PRIF gives it (`UN`, `NATO`, `ECOWAS`); `None` when absent.
fn intervener(row: &Row<'_>, out: &mut Out<'_, '_>, n: u8) -> Result<Option<ActorId>, Problem> {
    let (name_column, code_column) = (format!("interven{n}"), format!("i{n}ccc"));
    let name = row.optional(&name_column, MISSING);
    let code = row.optional(&code_column, MISSING);
    let Some(name) = name else { return Ok(None) };
    if let Some(state) = code.and_then(|c| c.parse().ok()).and_then(states::by_cow) {
        return out.state(state).map(Some);
    }
    if let Some(state) = states::by_name(name) {
        return out.state(state).map(Some);
    }
    let id = format!("prif-org-{}", slug(name));
    let note = match code {
        Some(code) => format!("PRIF code {code}"),
        None => "PRIF gives it no code".to_string(),
    };
    out.entity(RefKind::Actor, &id, || {
        noted_entity(
            &id,
            EventKind::Actor {
                name: name.to_string(),
                aliases: Vec::new(),
                kind: Some(ActorKind::InternationalOrg),
            },
            Some(note),
        )
    })?;
    ActorId::new(id).map(Some).map_err(Problem::from)
}
