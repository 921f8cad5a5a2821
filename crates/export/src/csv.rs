//! Events as CSV (RFC 4180) for spreadsheets, pandas and R: one row per
//! event, the columns of [`EVENT_COLUMNS`] (docs/EXPORTS.md describes each).
//!
//! A field holding a comma, a double quote or a line break is quoted, its
//! quotes doubled; rows end with CRLF. Lists of ids (`sources`, `actors`,
//! `signatories`) are joined with spaces (ids hold none), aliases with
//! ` | `. An event's fields come from its line of format v1, so the columns
//! follow the format.

use annals_model::{v1, EventId, Recorded};
use serde_json::Value;

/// The columns, in order: the event's common fields and the retraction that
/// withdrew it, if any; every other field of format v1 that some type of
/// event has (`v1::ALL_FIELDS`); its note; and the record's sequence number,
/// recorded time and origin.
pub fn event_columns() -> Vec<&'static str> {
    let first = ["id", "type", "date", "earliest", "latest", "claim", "claimed_by", "sources"];
    let last = ["note", "seq", "recorded_at", "origin"];
    let mut columns: Vec<&'static str> = first.to_vec();
    columns.push("retracted_by");
    columns.extend(v1::ALL_FIELDS.iter().copied());
    columns.extend(last);
    columns
}

/// The header row, with its line end.
pub fn events_csv_header() -> String {
    row(event_columns().into_iter().map(String::from))
}

/// One event's row, with its line end; `retracted_by` is the retraction
/// that withdrew it, if any (a full replay knows).
pub fn event_csv_row(record: &Recorded, retracted_by: Option<&EventId>) -> String {
    let line: Value = serde_json::from_str(&v1::to_line(&record.event)).expect("our own JSON");
    let date = record.event.date;
    row(event_columns().into_iter().map(|column| match column {
        "seq" => record.seq.to_string(),
        "recorded_at" => record.recorded_at.to_rfc3339(),
        "origin" => record.origin.as_deref().unwrap_or("").to_string(),
        "retracted_by" => retracted_by.map_or("", |r| r.as_str()).to_string(),
        "earliest" => date.map(|d| d.earliest().to_string()).unwrap_or_default(),
        "latest" => date.map(|d| d.latest().to_string()).unwrap_or_default(),
        "claim" => record.event.claim.as_str().to_string(),
        "aliases" => joined(&line[column], " | "),
        _ => joined(&line[column], " "),
    }))
}

/// A field of the v1 line as text: lists joined with `separator`, nothing for null.
fn joined(value: &Value, separator: &str) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            items.iter().map(|v| joined(v, separator)).collect::<Vec<_>>().join(separator)
        }
        other => other.to_string(),
    }
}

/// A row of fields, quoted where RFC 4180 asks, ending with CRLF.
pub fn row(fields: impl IntoIterator<Item = String>) -> String {
    let mut out = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_or_line_breaks_are_quoted() {
        let fields = ["plain", "a, b", "say \"no\"", "two\nlines", ""].map(String::from);
        assert_eq!(row(fields), "plain,\"a, b\",\"say \"\"no\"\"\",\"two\nlines\",\r\n");
    }

    #[test]
    fn an_event_fills_its_columns_and_leaves_the_others_empty() {
        let line = r#"{"type":"control_taken","id":"t","place":"bamba","actor":"cma","date":"2023-10","sources":["s1","s2"],"claim":"claimed","claimed_by":"cma","note":"said twice"}"#;
        let record = Recorded {
            seq: 7,
            recorded_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            origin: None,
            event: v1::parse_line(line).unwrap().event,
        };
        let text = event_csv_row(&record, None);
        let cells: Vec<&str> = text.trim_end().split(',').collect();
        let cell = |name: &str| cells[event_columns().iter().position(|c| *c == name).unwrap()];
        assert_eq!((cell("seq"), cell("type"), cell("date")), ("7", "control_taken", "2023-10"));
        assert_eq!((cell("earliest"), cell("latest")), ("2023-10-01", "2023-10-31"));
        assert_eq!((cell("sources"), cell("place"), cell("actor")), ("s1 s2", "bamba", "cma"));
        assert_eq!((cell("claim"), cell("title"), cell("retracted_by")), ("claimed", "", ""));
        assert!(text.ends_with(",said twice,7,1970-01-01T00:00:00+00:00,\r\n"), "{text}");
    }
}
