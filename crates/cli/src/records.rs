//! The commands about the log itself: `log`, `verify`, `link` and `retract`.

use std::io::Write;
use std::mem::ManuallyDrop;
use std::process::ExitCode;

use annals_app::{answer, Annals};
use annals_model::v1;
use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::print_json;

/// `retract`: appends a retraction of `event` and says from when it no
/// longer counts.
pub fn retract(
    annals: &mut Annals,
    event: &str,
    reason: &str,
    json: bool,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<()> {
    let done = annals.retract(event, reason, now)?;
    if json {
        return print_json(out, &answer::retracted_json(&done));
    }
    writeln!(
        out,
        "retracted `{event}` (retraction `{}`, record {}); it no longer counts from {}",
        done.retraction,
        done.seq,
        done.at.to_rfc3339()
    )?;
    Ok(())
}

/// What `link` was asked.
pub struct LinkArgs {
    pub ids: Vec<String>,
    pub sources: Vec<String>,
    pub note: Option<String>,
    pub suggest: bool,
}

/// `link`: appends a `same_as` event, or prints suggested ones (one line of
/// format v1 each, to review and import).
pub fn link(
    annals: &mut Annals,
    args: LinkArgs,
    json: bool,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<()> {
    if args.suggest {
        for event in annals.suggest_links()? {
            writeln!(out, "{}", v1::to_line(&event))?;
        }
        return Ok(());
    }
    let done = annals.link(&args.ids, &args.sources, args.note.as_deref(), now)?;
    if json {
        let value = serde_json::json!({
            "link": done.link.as_str(),
            "of": done.of,
            "ids": done.ids,
            "seq": done.seq,
            "stored": done.seq.is_some(),
        });
        return print_json(out, &value);
    }
    match done.seq {
        Some(seq) => writeln!(
            out,
            "linked {} as one (event `{}`, record {seq}); answers about any of them rest on the events of all",
            done.ids.join(", "),
            done.link
        )?,
        None => writeln!(out, "the log already holds this link (event `{}`); nothing was stored", done.link)?,
    }
    Ok(())
}

pub fn log(annals: &Annals, json: bool, out: &mut impl Write) -> Result<()> {
    let world = ManuallyDrop::new(annals.replay(None)?);
    for line in annals.records(&world) {
        let (rec, retracted_by) = line?;
        if json {
            let line = serde_json::json!({
                "seq": rec.seq,
                "recorded_at": rec.recorded_at.to_rfc3339(),
                "origin": rec.origin.as_deref(),
                "retracted_by": retracted_by.map(|r| r.as_str()),
                "replaced_by": retracted_by.and_then(|r| world.replaced_by(r.as_str())).map(|n| n.as_str()),
                "event": serde_json::from_str::<serde_json::Value>(&v1::to_line(&rec.event))?,
            });
            writeln!(out, "{line}")?;
        } else {
            let mark = match retracted_by.map(|r| (r, world.replaced_by(r.as_str()))) {
                Some((r, Some(new))) => format!("  [REVISED by {r}: new version {new}]"),
                Some((r, None)) => format!("  [RETRACTED by {r}]"),
                None => String::new(),
            };
            let time = rec.recorded_at.format("%Y-%m-%dT%H:%M:%SZ");
            let origin = rec.origin.as_deref().map(|o| format!("  ({o})")).unwrap_or_default();
            writeln!(out, "{:>6}  {time}  {}{mark}{origin}", rec.seq, v1::to_line(&rec.event))?;
        }
    }
    Ok(())
}

pub fn verify(annals: &Annals, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let found = annals.verify()?;
    let integrity = &found.integrity;
    let damaged = ExitCode::from(annals_app::ErrorKind::Damaged.exit_code());
    if json {
        print_json(out, &answer::verified_json(&found))?;
        return Ok(if found.problems.is_empty() { ExitCode::SUCCESS } else { damaged });
    }
    if !found.problems.is_empty() {
        for p in &found.problems {
            eprintln!("annals verify: {p}");
        }
        eprintln!(
            "annals verify: {} problem(s) in {} records",
            found.problems.len(),
            integrity.records
        );
        return Ok(damaged);
    }
    writeln!(
        out,
        "ok: {} records, sequence 1..{} without gaps, every reference resolves, replay succeeds",
        integrity.records, integrity.records
    )?;
    writeln!(out, "{}", found.snapshot)?;
    if integrity.copies > 0 {
        writeln!(
            out,
            "copies: {} records of busy places kept together, each the same as its record",
            integrity.copies
        )?;
    }
    if integrity.copies_left > 0 {
        writeln!(
            out,
            "copies: {} pieces left by a copy that did not finish (no query reads them; the next import replaces them)",
            integrity.copies_left
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
