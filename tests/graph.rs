//! The temporal graph from the command line: `graph` (JSON and DOT through the
//! real Graphviz `dot`), `actor`, `diff`, `blocs`, `path`, and the government
//! timeline, on a log written by someone else (`fixtures/outside/graph-test.jsonl`)
//! and on the built-in chronicle.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{json, ok, Db};

const GRAPH_LOG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/graph-test.jsonl");

fn graph(db: &Db, on: &str) -> Value {
    db.json(&["graph", "--on", on])
}

/// `kind source target` of every edge.
fn edge_names(g: &Value) -> Vec<String> {
    g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["kind"].as_str().unwrap(),
                e["source"].as_str().unwrap(),
                e["target"].as_str().unwrap()
            )
        })
        .collect()
}

fn has_edge(g: &Value, name: &str) -> bool {
    edge_names(g).iter().any(|e| e == name)
}

/// Renders DOT with the real Graphviz and fails on any warning or error;
/// returns the SVG.
pub(crate) fn render(dot: &str) -> String {
    render_as(dot, "-Tsvg")
}

/// Renders DOT with the real Graphviz in a format (`-Tsvg`, `-Tplain`),
/// failing on any warning or error.
fn render_as(dot: &str, format: &str) -> String {
    let child = Command::new("dot")
        .arg(format)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = child.expect("Graphviz `dot` must be installed (apt-get install -y graphviz)");
    child.stdin.take().unwrap().write_all(dot.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.trim().is_empty(), "dot said:\n{stderr}\non:\n{dot}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn graph_json_follows_the_events_of_an_outside_log() {
    let db = Db::with(&[GRAPH_LOG]);
    let before = graph(&db, "2022-09-23");
    let after = graph(&db, "2022-09-24");
    // A membership that ended is present before its end and absent after.
    assert!(has_edge(&before, "member_of east-band front"), "{before:#}");
    assert!(!has_edge(&after, "member_of east-band front"), "{after:#}");
    assert!(has_edge(&after, "member_of north-band front"));
    // An intervention edge exists only while it lasts (month precision: uncertain inside 2021-12).
    assert!(!has_edge(&graph(&db, "2021-11-30"), "intervenes_in legion republic"));
    let december = graph(&db, "2021-12-15");
    let e = december["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "intervenes_in")
        .unwrap();
    assert_eq!(e["status"], "uncertain");
    assert!(has_edge(&graph(&db, "2022-01-01"), "intervenes_in legion republic"));
    assert!(!has_edge(&graph(&db, "2024-06-06"), "intervenes_in legion republic"));
    // A successful coup changes the government; a failed one does not.
    assert!(has_edge(&graph(&db, "2019-06-01"), "governs civil-gov republic"));
    let g = graph(&db, "2021-05-24");
    assert!(has_edge(&g, "governs junta republic") && !has_edge(&g, "governs civil-gov republic"));
    // The documented shape.
    let g = graph(&db, "2023-10-02");
    assert_eq!(g["date"], "2023-10-02");
    let front = g["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "front").unwrap();
    assert_eq!(
        (&front["name"], &front["kind"]),
        (&Value::from("Front uni (\"FU\")"), &Value::from("coalition"))
    );
    let control = g["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "controls").unwrap();
    assert_eq!(
        (&control["source"], &control["target"]),
        (&Value::from("front"), &Value::from("fort"))
    );
    assert_eq!(control["since"], "2023-10-01");
    assert_eq!(control["events"][0], "front-takes-fort");
    assert_eq!(control["sources"][0]["id"], "wire");
    assert_eq!(control["claim"], "claimed");
    let signed = g["edges"].as_array().unwrap().iter().find(|e| e["kind"] == "signed").unwrap();
    assert_eq!(signed["until"], "2024-01-25");
    // Every edge's ends are nodes of the graph.
    let ids: Vec<&str> =
        g["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    for e in g["edges"].as_array().unwrap() {
        assert!(
            ids.contains(&e["source"].as_str().unwrap())
                && ids.contains(&e["target"].as_str().unwrap())
        );
    }
    // The agreement's end (no signatories listed) ends it for every signatory.
    assert!(!edge_names(&graph(&db, "2024-02-01")).iter().any(|e| e.starts_with("signed")));
}

#[test]
fn dot_renders_without_warnings_with_clusters_and_escaped_labels() {
    let db = Db::with(&[GRAPH_LOG]);
    let dot = db.run(&["graph", "--on", "2023-10-02", "--format", "dot"]);
    assert!(dot.contains("subgraph \"cluster_front\""), "{dot}");
    assert!(dot.contains("subgraph \"cluster_league\""), "the named pact is a cluster: {dot}");
    // Names come out of Graphviz as they were written: quotes, line breaks, backslashes.
    let svg = render(&dot);
    assert!(svg.contains(">Comité &quot;de salut&quot;</text>"), "{svg}");
    assert!(svg.contains(">national</text>") && svg.contains(">(junta)</text>"), "{svg}");
    assert!(svg.contains(r">Back\slash group</text>"), "{svg}");
    assert!(!dot.contains("// "), "a small graph needs no hint");
    for day in ["2015-01-01", "2016-06-20", "2021-12-15", "2022-09-24", "2024-01-25", "2030-01-01"]
    {
        render(&db.run(&["graph", "--on", day]));
    }
}

#[test]
fn the_builtin_chronicle_renders_on_any_date() {
    let mut day = chrono::NaiveDate::from_ymd_opt(2011, 7, 1).unwrap();
    while day.year_ce().1 < 2026 {
        let dot = ok(&["graph", "--on", &day.to_string()]);
        render(&dot);
        day = day.checked_add_months(chrono::Months::new(6)).unwrap();
    }
    let dot = ok(&["graph", "--on", "2023-10-02", "--format", "dot"]);
    for group in ["cma", "csp-psd", "aes"] {
        let cluster = format!("subgraph \"cluster_{group}\"");
        assert!(dot.contains(&cluster), "no {cluster} in:\n{dot}");
    }
    // JNIM's founding groups merged into it on 2017-03-02 and no longer
    // exist: it has no members to gather then.
    assert!(!dot.contains("\"cluster_jnim\""), "{dot}");
}

/// The busiest day of the chronicle fits a screen's width at legible sizes:
/// about 2,000 px wide as `dot -Tpng` draws it (96 dpi), fonts unscaled. A
/// large graph says how to draw less, in a comment and on standard error.
#[test]
fn the_busiest_day_of_the_chronicle_fits_a_screen_and_says_how_to_draw_less() {
    let out = super::annals(&["graph", "--on", "2023-10-02"]);
    assert!(out.status.success());
    let dot = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("large drawing: --around ACTOR"), "{stderr}");
    let comment = dot.lines().nth(1).unwrap();
    assert!(comment.starts_with("  // ") && comment.contains(" nodes and "), "{dot}");
    assert!(comment.ends_with("--kind KIND,... some relations only"), "{comment}");
    assert!(!dot.contains(" size=") && !dot.contains("ratio="), "labels are drawn at their size");
    let plain = render_as(&dot, "-Tplain");
    let inches: f64 = plain.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert!(inches * 96.0 <= 2_100.0, "{} px wide", inches * 96.0);
    // Places held by one actor carry the date on the place, their edge no label.
    assert!(dot.contains("held since 2023-10-02") && dot.contains("joined 2014-10-28"), "{dot}");
    let small = super::annals(&["graph", "--on", "2023-10-02", "--around", "bamba-camp"]);
    assert!(small.stderr.is_empty(), "{}", String::from_utf8_lossy(&small.stderr));
}

use chrono::Datelike;

#[test]
fn kind_and_around_focus_the_graph_and_output_goes_to_a_file() {
    let db = Db::with(&[GRAPH_LOG]);
    let g = db.json(&["graph", "--on", "2023-10-02", "--kind", "member_of,controls"]);
    let kinds: std::collections::BTreeSet<&str> =
        g["edges"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), ["controls", "member_of"]);
    let g = db.json(&["graph", "--on", "2023-10-02", "--around", "Bande du Nord"]);
    assert_eq!(edge_names(&g), ["member_of north-band front"]);
    let g = db.json(&["graph", "--on", "2023-10-02", "--around", "north-band", "--depth", "2"]);
    assert!(has_edge(&g, "hostile_to army front") && has_edge(&g, "controls front fort"), "{g:#}");
    assert!(!has_edge(&g, "governs junta republic"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.dot");
    let printed = db.run(&["graph", "--on", "2023-10-02", "-o", file.to_str().unwrap()]);
    assert!(printed.is_empty());
    render(&std::fs::read_to_string(&file).unwrap());
}

#[test]
fn actor_reports_its_relations_on_a_date() {
    let db = Db::with(&[GRAPH_LOG]);
    let v = db.json(&["actor", "front", "--on", "2023-10-02"]);
    assert_eq!(v["actor"]["id"], "front");
    let with = |key: &str| -> Vec<String> {
        v["relations"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["with"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(with("members"), ["backslash", "north-band"], "east-band left in 2022");
    assert_eq!(with("hostile_to"), ["army"]);
    assert_eq!(with("controls"), ["fort"]);
    assert_eq!(with("signed"), ["agreement::peace-2016"]);
    assert!(with("member_of").is_empty() && with("allied_with").is_empty());
    assert_eq!(v["relations"]["controls"][0]["sources"][0]["id"], "wire");

    let state = db.json(&["actor", "republic", "--on", "2022-01-01"]);
    let ids = |key: &str| -> Vec<String> {
        state["relations"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["with"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("governed_by"), ["junta"]);
    assert_eq!(ids("interventions"), ["legion"]);
    let text = db.run(&["actor", "front", "--on", "2023-10-02"]);
    assert!(text.contains("members:") && text.contains("Bande du Nord (north-band)"), "{text}");
    assert!(text.contains("sources yearbook"), "{text}");
}

#[test]
fn diff_reports_what_began_and_ended_with_events_in_date_order() {
    let db = Db::with(&[GRAPH_LOG]);
    let v = db.json(&["diff", "--from", "2021-01-01", "--to", "2022-12-31"]);
    let lines: Vec<String> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {} {}",
                c["date"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
                c["kind"].as_str().unwrap(),
                c["source"].as_str().unwrap(),
                c["target"].as_str().unwrap(),
                c["event"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "2021-05-24 began governs junta republic coup-2021",
            "2021-05-24 ended governs civil-gov republic coup-2021",
            "2021-12 began intervenes_in legion republic legion-arrives",
            "2022-09-24 ended member_of east-band front east-leaves",
        ]
    );
    assert_eq!(v["changes"][3]["sources"].as_array().unwrap().len(), 2);
    // An agreement is named by its node id, as in every graph format.
    let signed = db.json(&["diff", "--from", "2016-06-01", "--to", "2016-07-01"]);
    let signed: Vec<String> = signed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "signed")
        .map(|c| format!("{} {}", c["source"].as_str().unwrap(), c["target"].as_str().unwrap()))
        .collect();
    assert_eq!(signed, ["front agreement::peace-2016", "republic agreement::peace-2016"]);
    let text = db.run(&["diff", "--from", "2021-01-01", "--to", "2022-12-31"]);
    assert!(
        text.contains("ended member_of Bande de l'Est (east-band) → Front uni (\"FU\") (front)"),
        "{text}"
    );
}

#[test]
fn blocs_and_paths_on_a_date() {
    let db = Db::with(&[GRAPH_LOG]);
    let v = db.json(&["blocs", "--on", "2023-10-02"]);
    let blocs: Vec<Vec<&str>> = v["blocs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect())
        .collect();
    assert_eq!(
        blocs,
        [vec!["ally-state", "republic", "third-state"], vec!["backslash", "front", "north-band"]]
    );
    let p = db.json(&["path", "north-band", "legion", "--on", "2023-10-02"]);
    let steps: Vec<&str> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reached"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["front", "agreement::peace-2016", "republic", "legion"]);
    let none =
        db.json(&["path", "north-band", "legion", "--on", "2023-10-02", "--kind", "member_of"]);
    assert_eq!(none["steps"], Value::Null);
}

#[test]
fn history_of_a_state_is_its_government_timeline() {
    let db = Db::with(&[GRAPH_LOG]);
    let text = db.run(&["history", "republic"]);
    assert!(text.contains("Majors' faction (majors) staged a coup (failed)"), "{text}");
    assert!(text.contains("2021-05-24"), "{text}");
    let v = json(&["history", "mali", "--json"]);
    assert_eq!(v["state"]["id"], "mali");
    assert!(v["events"].as_array().unwrap().iter().any(|e| e["type"] == "coup"));
}

/// Node and edge counts as networkx (an independent reader) sees a file.
fn networkx_counts(path: &std::path::Path, reader: &str) -> (u64, u64) {
    let script = format!(
        "import sys, networkx as nx\ng = nx.{reader}(sys.argv[1])\nprint(g.number_of_nodes(), g.number_of_edges())"
    );
    let out = Command::new("python3")
        .args(["-c", &script, path.to_str().unwrap()])
        .output()
        .expect("python3 with networkx must be installed (.ci/setup installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "networkx {reader} failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Vec<u64> = stdout.split_whitespace().map(|n| n.parse().unwrap()).collect();
    (counts[0], counts[1])
}

fn json_counts(v: &Value) -> (u64, u64) {
    (v["nodes"].as_array().unwrap().len() as u64, v["edges"].as_array().unwrap().len() as u64)
}

/// The counts networkx reads from GEXF, where a symmetric relation is a
/// `mutual` edge: two arcs.
fn gexf_counts(v: &Value) -> (u64, u64) {
    let (nodes, edges) = json_counts(v);
    let symmetric = v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "allied_with" || e["kind"] == "hostile_to")
        .count() as u64;
    (nodes, edges + symmetric)
}

/// Writes `annals ARGS -o FILE` and returns what networkx reads from it.
fn exported(db: Option<&Db>, args: &[&str], file: &std::path::Path, reader: &str) -> (u64, u64) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", file.to_str().unwrap()]);
    match db {
        Some(db) => db.run(&all),
        None => ok(&all),
    };
    networkx_counts(file, reader)
}

#[test]
fn networkx_reads_graphml_and_gexf_with_the_json_counts() {
    let dir = tempfile::tempdir().unwrap();
    let outside = Db::with(&[GRAPH_LOG]);
    for db in [None, Some(&outside)] {
        let run_json = |args: &[&str]| match db {
            Some(db) => db.json(args),
            None => json(&[&["--json"], args].concat()),
        };
        for day in ["2017-01-01", "2023-10-02"] {
            let v = run_json(&["graph", "--on", day]);
            let want = json_counts(&v);
            assert!(want.1 > 0, "an empty graph proves nothing");
            let graphml = dir.path().join(format!("{day}.graphml"));
            let gexf = dir.path().join(format!("{day}.gexf"));
            assert_eq!(
                exported(
                    db,
                    &["graph", "--on", day, "--format", "graphml"],
                    &graphml,
                    "read_graphml"
                ),
                want,
                "GraphML on {day}"
            );
            assert_eq!(
                exported(db, &["graph", "--on", day, "--format", "gexf"], &gexf, "read_gexf"),
                gexf_counts(&v),
                "GEXF on {day}"
            );
        }
        let dynamic = run_json(&["graph", "--dynamic"]);
        let want = gexf_counts(&dynamic);
        let file = dir.path().join("timeline.gexf");
        assert_eq!(
            exported(db, &["graph", "--dynamic", "--format", "gexf"], &file, "read_gexf"),
            want
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("mode=\"dynamic\"")
                && text.contains("timeformat=\"date\"")
                && text.contains("<spell start=")
        );
    }
    // A membership that ended has a closed spell; one that holds has an open one.
    let v = outside.json(&["graph", "--dynamic"]);
    let spans = |src: &str| {
        v["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "member_of" && e["source"] == src)
            .unwrap()["spans"]
            .clone()
    };
    assert_eq!(
        spans("east-band"),
        serde_json::json!([{"start": "2016-01-10", "end": "2022-09-24"}])
    );
    assert_eq!(spans("north-band"), serde_json::json!([{"start": "2016-01-10", "end": null}]));
}

const DISSOLVED_LOG: &str = r#"{"type":"source","id":"s","title":"A report"}
{"type":"actor","id":"a","name":"Front A"}
{"type":"actor","id":"b","name":"Front B"}
{"type":"place","id":"p","name":"Post"}
{"type":"control_taken","id":"t","place":"p","actor":"a","date":"2012","sources":["s"]}
{"type":"alliance_formed","id":"ab","actors":["a","b"],"date":"2012","sources":["s"]}
{"type":"actor_dissolved","id":"d","actor":"a","into":"b","date":"2013-08-22","sources":["s"]}
{"type":"control_taken","id":"late","place":"p","actor":"a","date":"2015","sources":["s"]}
"#;

/// A merged group's holding passes to its successor; its later seizure is
/// set aside and said so by `control`, `actor` and `verify`; retracting the
/// dissolution undoes all of it, through the log's place snapshot as well.
#[test]
fn a_dissolution_hands_over_sets_aside_later_events_and_retracts() {
    let dir = tempfile::tempdir().unwrap();
    let file = super::write(dir.path(), "dissolved.jsonl", DISSOLVED_LOG);
    let db = Db::with(&[&file]);
    let v = db.control("p", "2016-01-01");
    assert_eq!((v["controller"]["id"].as_str(), v["event"].as_str()), (Some("b"), Some("d")));
    assert_eq!(v["candidates"][0]["change"], "taken");
    assert_eq!(v["set_aside"][0]["event"], "late", "{v:#}");
    let text = db.run(&["control", "p", "--on", "2016-01-01"]);
    assert!(text.contains("took over what the dissolved group held"), "{text}");
    let history = db.run(&["history", "p"]);
    assert!(history.contains("Front A (a) dissolved into Front B (b)"), "{history}");
    assert!(text.contains("set aside: event late names Front A (a)"), "{text}");
    let actor = db.json(&["actor", "a", "--on", "2016-01-01"]);
    assert_eq!(actor["dissolved"][0]["later_events"], serde_json::json!(["late"]));
    assert_eq!(actor["relations"]["allied_with"], serde_json::json!([]));
    let verify = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", db.p(), "verify"])
        .output()
        .unwrap();
    assert!(!verify.status.success());
    let said = String::from_utf8_lossy(&verify.stderr);
    assert!(said.contains("event `late` is dated after the dissolution of `a` (`d`)"), "{said}");

    db.run(&["retract", "d", "--reason", "no such merger"]);
    let v = db.control("p", "2016-01-01");
    assert_eq!(v["controller"]["id"], "a", "{v:#}");
    assert!(v.get("set_aside").is_none());
    let actor = db.json(&["actor", "a", "--on", "2016-01-01"]);
    assert_eq!(actor["dissolved"], serde_json::json!([]));
    assert_eq!(actor["relations"]["allied_with"][0]["with"]["id"], "b");
}
