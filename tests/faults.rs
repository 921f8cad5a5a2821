//! Small faults of input and output, each through the real binary: a
//! number quoted as written, names that look the same in two Unicode
//! normalisation forms, names that fold to nothing, and graph labels that
//! Graphviz or an XML reader would refuse.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{annals, Db};

/// Imports `text` as a file into `db`; the exit code and standard error.
fn import(db: &Db, dir: &std::path::Path, name: &str, text: &str) -> (Option<i32>, String) {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let out = annals(&["--db", db.p(), "import", file.to_str().unwrap()]);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn faults_numbers_are_quoted_as_written_and_look_alike_names_are_told_apart() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    let entities = "{\"type\":\"source\",\"id\":\"s1\",\"title\":\"T\"}\n{\"type\":\"actor\",\"id\":\"a\",\"name\":\"Ménaka Front\"}\n{\"type\":\"place\",\"id\":\"p\",\"name\":\"P\"}\n";
    assert_eq!(import(&db, dir.path(), "e.jsonl", entities).0, Some(0));
    // 1e2 reads as 100.0; the error quotes what the file says.
    let attack = "{\"type\":\"attack\",\"attacker\":\"a\",\"place\":\"p\",\"date\":\"2023\",\"fatalities\":1e2}\n";
    let (code, stderr) = import(&db, dir.path(), "n.jsonl", attack);
    assert_eq!(code, Some(4));
    assert!(
        stderr.contains("n.jsonl:1: field `fatalities`: 1e2 is not a whole number"),
        "{stderr}"
    );
    // The actor sent again with its name decomposed (e + U+0301).
    let nfd = "{\"type\":\"actor\",\"id\":\"a\",\"name\":\"Me\u{301}naka Front\"}\n";
    let (code, stderr) = import(&db, dir.path(), "nfd.jsonl", nfd);
    assert_eq!(code, Some(4));
    assert!(
        stderr.contains(
            "(the same text in another Unicode normalisation form: U+00E9 against U+0065 U+0301)"
        ),
        "{stderr}"
    );
    // A name that folds to nothing is refused, and an empty query finds
    // nothing.
    let marks = "{\"type\":\"actor\",\"id\":\"m\",\"name\":\"\u{301}\"}\n";
    let (code, stderr) = import(&db, dir.path(), "m.jsonl", marks);
    assert_eq!(code, Some(4));
    assert!(stderr.contains("m.jsonl:1: field `name`: the name"), "{stderr}");
    for query in ["", " ", "\u{301}"] {
        let out = annals(&["--db", db.p(), "actor", query, "--on", "2023-01-01"]);
        assert!(!out.status.success(), "{query:?} found an actor");
    }
}

/// Runs `program args` on `input`; fails on a non-zero exit or any word on
/// standard error. Returns standard output.
fn run_on(program: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "{program} {args:?} said: {stderr}");
    out.stdout
}

/// Parses XML with Python's expat, which refuses U+FFFE and U+FFFF.
fn parses_as_xml(xml: &[u8]) {
    run_on(
        "python3",
        &["-c", "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.stdin.buffer)"],
        xml,
    );
}

#[test]
fn faults_graph_labels_stay_within_what_graphviz_and_xml_accept() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    // 16,200 characters and no space: one line of the label, past the
    // 16,384 bytes Graphviz reads in one piece of text.
    let long = "Front-".repeat(2_700);
    let lines = [
        "{\"type\":\"source\",\"id\":\"s1\",\"title\":\"T\"}".to_string(),
        format!("{{\"type\":\"actor\",\"id\":\"long\",\"name\":\"{long}\"}}"),
        "{\"type\":\"actor\",\"id\":\"odd\",\"name\":\"Odd\\uFFFE Front\\uFFFF\"}".to_string(),
        "{\"type\":\"intervention_began\",\"intervener\":\"long\",\"host\":\"odd\",\"operation\":\"Op\\uFFFF\\uFFFEration\",\"date\":\"2023\",\"sources\":[\"s1\"]}".to_string(),
    ];
    let (code, stderr) = import(&db, dir.path(), "g.jsonl", &(lines.join("\n") + "\n"));
    assert_eq!(code, Some(0), "{stderr}");
    let dot = db.run(&["graph", "--on", "2024-01-01", "--format", "dot"]);
    assert!(!dot.contains('\u{FFFE}') && !dot.contains('\u{FFFF}'), "U+FFFE or U+FFFF in the DOT");
    assert!(dot.contains("Front-Front") && dot.contains('…'));
    assert!(dot.lines().all(|l| l.chars().count() < 2_000), "a label was not cut");
    let svg = run_on("dot", &["-Tsvg"], dot.as_bytes());
    parses_as_xml(&svg);
    for format in ["gexf", "graphml"] {
        let xml = db.run(&["graph", "--on", "2024-01-01", "--format", format]);
        parses_as_xml(xml.as_bytes());
        assert!(xml.contains(&long), "{format} keeps the full name");
    }
}
