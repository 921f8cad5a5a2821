//! Readers of interchange files. A file is read whole and checked whole before
//! anything is stored: one bad line rejects the file, and every error names
//! the file, the line and the problem.
//!
//! ```
//! use annals_import::{read_jsonl, Catalog};
//! let text = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"control_lost\",\"place\":\"bamba\",\"actor\":\"cma\",\"date\":\"2023\"}\n";
//! let empty = Catalog::empty();
//! let errors = read_jsonl("f.jsonl", text.as_bytes(), &empty).unwrap_err();
//! assert_eq!(errors[0].to_string(), "f.jsonl:2: field `place` names `bamba`, but no place with that id exists in the log or earlier in this file");
//! ```

use std::collections::HashMap;

use annals_model::{v1, Event, EventKind, RefKind};

mod acled;
pub use acled::{read_acled, AcledImport, ACLED_DATASET_SOURCE};

/// At most this many errors are listed for one file.
pub const MAX_ERRORS: usize = 20;

/// One rejected line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct LineError {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    pub problem: String,
}

/// What the log already holds, as far as checking references needs.
pub struct Catalog<'a> {
    /// Whether an id of this kind exists in the log.
    pub exists: &'a dyn Fn(RefKind, &str) -> bool,
    /// Whether the event with this id is a retraction.
    pub is_retraction: &'a dyn Fn(&str) -> bool,
}

impl Catalog<'static> {
    /// The catalog of an empty log.
    pub fn empty() -> Catalog<'static> {
        Catalog { exists: &|_, _| false, is_retraction: &|_| false }
    }
}

impl std::fmt::Debug for Catalog<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Catalog")
    }
}

/// Reads a JSON Lines file of format v1. Blank lines are skipped; a UTF-8 byte
/// order mark and CRLF line ends are accepted. Returns every event in file
/// order, or the errors (at most [`MAX_ERRORS`]).
pub fn read_jsonl(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog<'_>,
) -> Result<Vec<Event>, Vec<LineError>> {
    read_jsonl_lines(file, bytes, catalog).map(|(events, _)| events)
}

/// Like [`read_jsonl`], with the line of each event: where a later problem
/// with it, such as a conflict with a stored event, is reported.
pub fn read_jsonl_lines(
    file: &str,
    bytes: &[u8],
    catalog: &Catalog<'_>,
) -> Result<(Vec<Event>, Vec<usize>), Vec<LineError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut events = Vec::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    // What earlier lines of this file introduce: id → (kind, line, index).
    let mut seen: HashMap<String, (Option<RefKind>, usize, usize)> = HashMap::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        if errors.len() >= MAX_ERRORS {
            break;
        }
        let line = i + 1;
        let fail = |problem: String| LineError { file: file.to_string(), line, problem };
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(text) = std::str::from_utf8(raw) else {
            errors.push(fail("the line is not valid UTF-8".to_string()));
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let parsed = match v1::parse_line(text) {
            Ok(p) => p,
            Err(e) => {
                errors.push(fail(e.to_string()));
                continue;
            }
        };
        let event = parsed.event;
        let id = event.id.as_str();
        if let Some(&(_, first_line, index)) = seen.get(id) {
            let earlier: &Event = &events[index];
            if *earlier != event {
                errors.push(fail(format!(
                    "id `{id}` is already used on line {first_line} for a different event"
                )));
            }
            continue;
        }
        let mut problems = Vec::new();
        for r in event.references() {
            let in_file = seen.get(r.id).map(|(kind, _, _)| *kind);
            let found = match r.kind {
                RefKind::Event => in_file.is_some() || (catalog.exists)(RefKind::Event, r.id),
                kind => in_file == Some(Some(kind)) || (catalog.exists)(kind, r.id),
            };
            if !found {
                let what = r.kind.as_str();
                problems.push(format!(
                    "field `{}` names `{}`, but no {what} with that id exists in the log or earlier in this file",
                    r.field, r.id
                ));
            }
        }
        if let EventKind::Retraction { retracts, .. } = &event.kind {
            let target_is_retraction = match seen.get(retracts.as_str()) {
                Some(&(_, _, index)) => matches!(events[index].kind, EventKind::Retraction { .. }),
                None => (catalog.is_retraction)(retracts.as_str()),
            };
            if target_is_retraction {
                problems.push(format!(
                    "`{retracts}` is itself a retraction; retractions cannot be retracted"
                ));
            }
        }
        if let Some(p) = problems.into_iter().next() {
            errors.push(fail(p));
            continue;
        }
        let kind = match event.kind {
            EventKind::Source { .. } => Some(RefKind::Source),
            EventKind::Actor { .. } => Some(RefKind::Actor),
            EventKind::Place { .. } => Some(RefKind::Place),
            _ => None,
        };
        seen.insert(id.to_string(), (kind, line, events.len()));
        events.push(event);
        lines.push(line);
    }
    if errors.is_empty() {
        Ok((events, lines))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Event>, Vec<String>> {
        read_jsonl("t.jsonl", text.as_bytes(), &Catalog::empty())
            .map_err(|es| es.into_iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn references_must_exist_earlier() {
        let ok = "\u{feff}{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\r\n\r\n{\"type\":\"place\",\"id\":\"bamba\",\"name\":\"Bamba\"}\r\n{\"type\":\"control_taken\",\"place\":\"bamba\",\"actor\":\"cma\",\"date\":\"2023-10-01\"}\r\n";
        assert_eq!(read(ok).unwrap().len(), 3);
        let late = "{\"type\":\"control_taken\",\"place\":\"bamba\",\"actor\":\"cma\",\"date\":\"2023-10-01\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}";
        assert!(read(late).unwrap_err()[0].starts_with("t.jsonl:1: field `place` names `bamba`"));
        let wrong_kind = "{\"type\":\"actor\",\"id\":\"bamba\",\"name\":\"B\"}\n{\"type\":\"control_lost\",\"place\":\"bamba\",\"actor\":\"bamba\",\"date\":\"2023\"}";
        assert!(read(wrong_kind).unwrap_err()[0].contains("no place with that id"));
    }

    #[test]
    fn duplicate_ids_must_agree() {
        let same = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}";
        assert_eq!(read(same).unwrap().len(), 1);
        let different = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"Other\"}";
        assert_eq!(
            read(different).unwrap_err(),
            ["t.jsonl:2: id `cma` is already used on line 1 for a different event"]
        );
    }

    #[test]
    fn every_bad_line_is_listed_and_invalid_utf8_is_named() {
        let text = b"{\"type\":\"nope\"}\n\xff\xfe\n{\"type\":\"actor\",\"id\":\"a\",\"name\":\"A\"}\n{\"type\":\"retraction\",\"id\":\"r\",\"retracts\":\"a\",\"reason\":\"x\"}\n{\"type\":\"retraction\",\"retracts\":\"r\",\"reason\":\"y\"}";
        let errors = read_jsonl("t.jsonl", text, &Catalog::empty()).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 5]);
        assert_eq!(errors[1].problem, "the line is not valid UTF-8");
        assert!(errors[2].problem.contains("cannot be retracted"));
    }
}
