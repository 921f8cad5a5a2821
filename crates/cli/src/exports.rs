//! The exports of `export` beyond interchange format v1, and the CSV of
//! `history`: written from a full replay, which knows what is retracted.

use std::io::Write;
use std::mem::ManuallyDrop;

use annals_app::{Annals, Line};
use anyhow::Result;

/// The events of a timeline as CSV, header first.
pub fn csv_rows(out: &mut impl Write, lines: &[Line<'_>]) -> Result<()> {
    out.write_all(annals_export::events_csv_header().as_bytes())?;
    for (record, retracted_by) in lines {
        out.write_all(annals_export::event_csv_row(record, *retracted_by).as_bytes())?;
    }
    Ok(())
}

/// Every stored event as a CSV row, in log order, retracted ones marked.
pub fn events_csv(annals: &Annals, sink: &mut dyn Write) -> Result<()> {
    let world = ManuallyDrop::new(annals.replay(None)?);
    sink.write_all(annals_export::events_csv_header().as_bytes())?;
    for line in annals.records(&world) {
        let (record, retracted_by) = line?;
        sink.write_all(annals_export::event_csv_row(&record, retracted_by).as_bytes())?;
    }
    Ok(sink.flush()?)
}

/// The sources still standing (a retracted source is no longer cited) as
/// CSL-JSON, or as BibTeX.
pub fn citations(annals: &Annals, bibtex: bool, sink: &mut dyn Write) -> Result<()> {
    let world = ManuallyDrop::new(annals.replay(None)?);
    let mut sources = Vec::new();
    for line in annals.records(&world) {
        let (record, retracted_by) = line?;
        if record.event.kind.type_name() == "source" && retracted_by.is_none() {
            sources.push(record.event);
        }
    }
    let text = if bibtex {
        annals_export::bibtex(&sources)
    } else {
        serde_json::to_string_pretty(&annals_export::csl_json(&sources))? + "\n"
    };
    sink.write_all(text.as_bytes())?;
    Ok(sink.flush()?)
}
