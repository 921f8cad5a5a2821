//! The sources of the log as citations, for Zotero and other reference
//! managers: CSL-JSON (an array of items) and BibTeX (`@online` entries,
//! read by biblatex and by BibTeX's own styles).
//!
//! A source's id is the item's `id` and the entry's citation key; its title
//! is the title; its publisher is, in CSL, the `container-title` of a
//! `webpage` (a source with an address: the site or paper it appeared on)
//! or the `publisher` of a `document` (one without), and BibTeX's
//! `publisher`; its
//! publication date keeps its EDTF precision: CSL `issued` date parts of a
//! year, a month or a day (two for an interval, `circa` for `?` or `~`),
//! BibTeX's `date` as the EDTF text itself (biblatex reads EDTF) with `year`
//! and `month` for BibTeX's own styles. Sorted by id.

use std::fmt::Write;

use annals_model::{Date, Event, EventKind, Point, Qualifier};
use serde_json::{json, Map, Value};

/// A source as the log states it.
struct Source<'e> {
    id: &'e str,
    title: &'e str,
    publisher: Option<&'e str>,
    published: Option<Date>,
    url: Option<&'e str>,
    note: Option<&'e str>,
}

/// The `source` events among `events`, sorted by id.
fn sources<'e>(events: impl IntoIterator<Item = &'e Event>) -> Vec<Source<'e>> {
    let mut out: Vec<Source<'e>> = events
        .into_iter()
        .filter_map(|e| match &e.kind {
            EventKind::Source { title, publisher, published, url, .. } => Some(Source {
                id: e.id.as_str(),
                title,
                publisher: publisher.as_deref(),
                published: *published,
                url: url.as_deref(),
                note: e.note.as_deref(),
            }),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(b.id));
    out
}

/// The CSL-JSON items of the `source` events among `events`.
pub fn csl_json<'e>(events: impl IntoIterator<Item = &'e Event>) -> Value {
    let items: Vec<Value> = sources(events)
        .into_iter()
        .map(|s| {
            let mut item = Map::new();
            item.insert("id".into(), json!(s.id));
            // A page on the web appeared on a site (its container); a
            // document without an address was put out by a publisher.
            let (kind, by) = match s.url {
                Some(_) => ("webpage", "container-title"),
                None => ("document", "publisher"),
            };
            item.insert("type".into(), json!(kind));
            item.insert("title".into(), json!(s.title));
            if let Some(p) = s.publisher {
                item.insert(by.into(), json!(p));
            }
            if let Some(d) = s.published {
                item.insert("issued".into(), csl_date(d));
            }
            if let Some(url) = s.url {
                item.insert("URL".into(), json!(url));
            }
            if let Some(note) = s.note {
                item.insert("note".into(), json!(note));
            }
            Value::Object(item)
        })
        .collect();
    Value::Array(items)
}

/// A CSL date: the parts the EDTF date gives (year, month, day), two sets
/// for an interval, and `circa` when a point is uncertain or approximate.
fn csl_date(d: Date) -> Value {
    let parts = |p: Point| -> Vec<u16> {
        [Some(p.year()), p.month().map(u16::from), p.day().map(u16::from)]
            .into_iter()
            .map_while(|x| x)
            .collect()
    };
    let points: Vec<Point> = std::iter::once(d.start()).chain(d.end()).collect();
    let mut v = json!({ "date-parts": points.iter().map(|&p| parts(p)).collect::<Vec<_>>() });
    if points.iter().any(|p| p.qualifier() != Qualifier::Exact) {
        v["circa"] = json!(true);
    }
    v
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// BibTeX entries of the `source` events among `events`.
pub fn bibtex<'e>(events: impl IntoIterator<Item = &'e Event>) -> String {
    let mut out = String::new();
    for s in sources(events) {
        let _ = writeln!(out, "@online{{{},", s.id);
        let mut field = |name: &str, value: &str| {
            let _ = writeln!(out, "  {name} = {{{value}}},");
        };
        field("title", &tex(s.title));
        if let Some(p) = s.publisher {
            field("publisher", &tex(p));
        }
        if let Some(d) = s.published {
            field("date", &d.to_string());
            field("year", &d.start().year().to_string());
        }
        if let Some(url) = s.url {
            field("url", &url.replace('{', "%7B").replace('}', "%7D"));
        }
        if let Some(note) = s.note {
            field("note", &tex(note));
        }
        // A month is a macro, written bare: `month = oct`.
        if let Some(m) = s.published.and_then(|d| d.start().month()) {
            let _ = writeln!(out, "  month = {},", MONTHS[usize::from(m) - 1]);
        }
        out.push_str("}\n\n");
    }
    out
}

/// Text for a BibTeX field: TeX's special characters escaped, so braces
/// always balance; line breaks become spaces.
fn tex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_model::v1;

    fn source(line: &str) -> Event {
        v1::parse_line(line).unwrap().event
    }

    #[test]
    fn dates_keep_their_precision_and_qualifiers_become_circa() {
        let d = |s: &str| csl_date(s.parse().unwrap());
        assert_eq!(d("2023"), json!({"date-parts": [[2023]]}));
        assert_eq!(d("2023-10"), json!({"date-parts": [[2023, 10]]}));
        assert_eq!(d("2023-10-01~"), json!({"date-parts": [[2023, 10, 1]], "circa": true}));
        assert_eq!(d("2014-06/2015-01-16"), json!({"date-parts": [[2014, 6], [2015, 1, 16]]}));
    }

    #[test]
    fn tex_specials_are_escaped_and_entries_sorted_by_id() {
        assert_eq!(
            tex("50% & {x} #1 $_^~\\\n"),
            "50\\% \\& \\{x\\} \\#1 \\$\\_\\textasciicircum{}\\textasciitilde{}\\textbackslash{} "
        );
        let events = [
            source(
                r#"{"type":"source","id":"b","title":"B","published":"2023-10","url":"https://x.org/{a}"}"#,
            ),
            source(r#"{"type":"source","id":"a","title":"A","publisher":"P"}"#),
        ];
        let text = bibtex(&events);
        assert!(text.starts_with("@online{a,\n  title = {A},\n  publisher = {P},\n}\n"), "{text}");
        assert!(text.contains("  date = {2023-10},\n  year = {2023},\n  url = {https://x.org/%7Ba%7D},\n  month = oct,\n"), "{text}");
        let items = csl_json(&events);
        assert_eq!(items[0]["id"], "a");
        assert_eq!((&items[0]["type"], &items[1]["type"]), (&json!("document"), &json!("webpage")));
    }
}
