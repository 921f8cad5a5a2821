//! The events and sources for other tools: `export --format csv` and
//! `history --format csv` read back with Python's csv module, the sources
//! as CSL-JSON rendered by citeproc-py and as BibTeX parsed by pybtex, on
//! the built-in chronicle and on a log of awkward sources
//! (`fixtures/outside/sources-test.jsonl`).

use serde_json::Value;

use super::exports::python;
use super::{ok, Db};

const SOURCES_LOG: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/sources-test.jsonl");

/// Reads a CSV file strictly with Python's csv module: `{"header", "rows"}`,
/// each row a list of fields. Fails on a malformed file or a row whose
/// length differs from the header's.
const READ_CSV: &str = r#"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
header, rows = rows[0], rows[1:]
assert all(len(r) == len(header) for r in rows), "ragged rows"
print(json.dumps({"header": header, "rows": rows}))
"#;

/// The CSV `args` print, as Python reads it: the header and each row as a
/// map from column to field.
fn csv(db: Option<&Db>, args: &[&str]) -> (Vec<String>, Vec<serde_json::Map<String, Value>>) {
    let text = match db {
        Some(db) => db.run(args),
        None => ok(args),
    };
    assert!(text.ends_with("\r\n"), "RFC 4180 rows end with CRLF");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.csv");
    std::fs::write(&file, text).unwrap();
    let read: Value = serde_json::from_str(&python(READ_CSV, &[file.to_str().unwrap()])).unwrap();
    let header: Vec<String> = serde_json::from_value(read["header"].clone()).unwrap();
    let rows = read["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| header.iter().cloned().zip(r.as_array().unwrap().iter().cloned()).collect())
        .collect();
    (header, rows)
}

/// The lines of `export --format jsonl`, parsed.
fn jsonl(db: Option<&Db>) -> Vec<Value> {
    let text = match db {
        Some(db) => db.run(&["export"]),
        None => ok(&["export"]),
    };
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Every field of every v1 line is in its CSV row: text as it is, lists
/// joined with spaces (aliases with ` | `), numbers as JSON writes them.
fn rows_match_lines(rows: &[serde_json::Map<String, Value>], lines: &[Value]) {
    assert_eq!(rows.len(), lines.len());
    for (row, line) in rows.iter().zip(lines) {
        for (key, value) in line.as_object().unwrap() {
            let want = match (key.as_str(), value) {
                (_, Value::String(s)) => s.clone(),
                ("aliases", Value::Array(a)) => {
                    a.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join(" | ")
                }
                (_, Value::Array(a)) => {
                    a.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join(" ")
                }
                (_, other) => other.to_string(),
            };
            assert_eq!(row[key].as_str(), Some(want.as_str()), "{key} of {}", line["id"]);
        }
    }
}

#[test]
fn events_export_as_csv_one_row_per_event_with_retractions_marked() {
    let (header, rows) = csv(None, &["export", "--format", "csv"]);
    assert_eq!(header, annals_export::event_columns());
    rows_match_lines(&rows, &jsonl(None));
    let bamba = rows.iter().find(|r| r["id"] == "cma-claims-bamba-camp-2023-10-01").unwrap();
    assert_eq!(
        (&bamba["earliest"], &bamba["latest"]),
        (&Value::from("2023-10-01"), &Value::from("2023-10-01"))
    );

    let db = Db::with(&[SOURCES_LOG]);
    db.run(&["retract", "withdrawn", "--reason", "the report was withdrawn"]);
    let (_, rows) = csv(Some(&db), &["export", "--format", "csv"]);
    rows_match_lines(&rows, &jsonl(Some(&db)));
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap();
    let retraction = row("withdrawn")["retracted_by"].as_str().unwrap().to_string();
    assert!(!retraction.is_empty() && row(&retraction)["retracts"] == "withdrawn");
    assert_eq!(row("army")["name"], "Army, \"the\"\nregular");
    assert_eq!(
        (&row("army-leaves-fort")["earliest"], &row("army-leaves-fort")["latest"]),
        (&Value::from("2021-01-01"), &Value::from("2021-12-31"))
    );
    assert_eq!(row("fort")["lon"], "-3.25");
}

#[test]
fn history_as_csv_lists_the_timeline_of_history_json() {
    for place in ["bamba-camp", "mali"] {
        let (header, rows) = csv(None, &["history", place, "--format", "csv"]);
        assert_eq!(header, annals_export::event_columns());
        let v = super::json(&["history", place, "--json"]);
        let want: Vec<&Value> = v["events"].as_array().unwrap().iter().map(|e| &e["id"]).collect();
        let got: Vec<&Value> = rows.iter().map(|r| &r["id"]).collect();
        assert_eq!(got, want, "{place}");
        assert!(!rows.is_empty());
    }
}

/// Renders CSL-JSON items with citeproc-py (its bundled Harvard style) and
/// prints `[id, type, date parts, rendered entry]` per item.
const RENDER_CSL: &str = r#"
import json, sys
from citeproc import CitationStylesStyle, CitationStylesBibliography, Citation, CitationItem, formatter
from citeproc.source.json import CiteProcJSON
items = json.load(open(sys.argv[1]))
source = CiteProcJSON(items)
style = CitationStylesStyle("harvard-cite-them-right", validate=False)
bib = CitationStylesBibliography(style, source, formatter.plain)
for item in items:
    bib.register(Citation([CitationItem(item["id"])]))
rendered = [str(e) for e in bib.bibliography()]
assert len(rendered) == len(items)
print(json.dumps([[i["id"], i["type"], i.get("issued", {}).get("date-parts")] for i in items] + [rendered]))
"#;

/// Parses BibTeX with pybtex and prints `{key: {field: value}}`.
const PARSE_BIBTEX: &str = r#"
import json, sys
from pybtex.database import parse_file
db = parse_file(sys.argv[1], bib_format="bibtex")
print(json.dumps({k: {"type": e.type, **dict(e.fields)} for k, e in db.entries.items()}))
"#;

#[test]
fn sources_export_as_csl_json_for_citeproc_and_bibtex_for_pybtex() {
    let db = Db::with(&[SOURCES_LOG]);
    db.run(&["retract", "withdrawn", "--reason", "the report was withdrawn"]);
    let dir = tempfile::tempdir().unwrap();
    let (csl, bib) = (dir.path().join("s.json"), dir.path().join("s.bib"));
    super::exports::write(Some(&db), &["export", "--format", "csl-json"], &csl);
    super::exports::write(Some(&db), &["export", "--format", "bibtex"], &bib);
    let read: Value = serde_json::from_str(&python(RENDER_CSL, &[csl.to_str().unwrap()])).unwrap();
    let items = read.as_array().unwrap();
    let ids: Vec<&str> = items[..items.len() - 1].iter().map(|i| i[0].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["interval", "no-date", "odd-chars", "year-only"],
        "sorted, the retracted one left out"
    );
    assert_eq!(items[0][2], serde_json::json!([[2014, 6], [2015, 1, 16]]));
    assert_eq!(
        (&items[2][1], &items[2][2]),
        (&Value::from("webpage"), &serde_json::json!([[2023, 10]]))
    );
    assert_eq!(
        (&items[3][1], &items[3][2]),
        (&Value::from("document"), &serde_json::json!([[2019]]))
    );
    let rendered = items.last().unwrap().to_string();
    assert!(
        rendered.contains("50% of {braces} & \\\"quotes\\\"")
            && rendered.contains("Yearbook Press"),
        "{rendered}"
    );
    let csl_text: Value = serde_json::from_str(&std::fs::read_to_string(&csl).unwrap()).unwrap();
    assert_eq!(csl_text[2]["issued"]["circa"], true, "2023-10~ is approximate");
    assert_eq!(csl_text[2]["container-title"], "Le Monde, Paris");

    let entries: Value =
        serde_json::from_str(&python(PARSE_BIBTEX, &[bib.to_str().unwrap()])).unwrap();
    let keys: Vec<&String> = entries.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["interval", "no-date", "odd-chars", "year-only"]);
    let odd = &entries["odd-chars"];
    assert_eq!(odd["type"], "online");
    assert_eq!(
        odd["title"],
        r#"50\% of \{braces\} \& "quotes", back\textbackslash{}slash \#1 \$2 a\_b \textasciicircum{} \textasciitilde{}"#
    );
    assert_eq!(
        (&odd["date"], &odd["year"], &odd["month"]),
        (&Value::from("2023-10~"), &Value::from("2023"), &Value::from("October"))
    );
    assert_eq!(odd["note"], "Two lines.");
    assert_eq!(entries["interval"]["date"], "2014-06/2015-01-16");
    assert!(entries["no-date"].get("year").is_none());
}

#[test]
fn the_chronicle_sources_export_as_citations_with_their_dates() {
    let csl: Value = serde_json::from_str(&ok(&["export", "--format", "csl-json"])).unwrap();
    let lines = jsonl(None);
    let sources: Vec<&Value> = lines.iter().filter(|l| l["type"] == "source").collect();
    assert_eq!(csl.as_array().unwrap().len(), sources.len());
    let item = csl.as_array().unwrap().iter().find(|i| i["id"] == "bbc-bamba-2023-10").unwrap();
    assert_eq!(
        item["issued"]["date-parts"],
        serde_json::json!([[2023, 10]]),
        "month precision kept"
    );
    let dir = tempfile::tempdir().unwrap();
    let bib = dir.path().join("chronicle.bib");
    super::exports::write(None, &["export", "--format", "bibtex"], &bib);
    let entries: Value =
        serde_json::from_str(&python(PARSE_BIBTEX, &[bib.to_str().unwrap()])).unwrap();
    assert_eq!(entries.as_object().unwrap().len(), sources.len());
    for s in sources {
        let e = &entries[s["id"].as_str().unwrap()];
        assert_eq!(e["date"].as_str(), s["published"].as_str(), "{}", s["id"]);
        assert_eq!(e["url"].as_str(), s["url"].as_str(), "{}", s["id"]);
    }
}
