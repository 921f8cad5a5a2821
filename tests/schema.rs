//! Every `--json` output of the command line and every API response
//! validates against docs/schema/annals.schema.json (checked by Python's
//! jsonschema, which `.ci/setup` installs).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::{annals, ok};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema/annals.schema.json");
const VALIDATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validate.py");

/// Validates each (definition, description, value); panics listing every failure.
pub(crate) fn validate(items: &[(&str, String, Value)]) {
    let mut child = Command::new("python3")
        .args([VALIDATE, SCHEMA])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().unwrap();
    for (schema, what, value) in items {
        let line = json!({ "schema": schema, "what": what, "value": value });
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "schema validation failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn cli(args: &[&str]) -> Value {
    let text = ok(&[args, &["--json"]].concat());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn every_json_output_of_the_command_line_follows_the_schema() {
    let mut items = Vec::new();
    let queries: &[(&str, &[&str])] = &[
        ("control", &["control", "bamba-camp", "--on", "2023-10-02"]),
        ("control", &["control", "kidal", "--on", "2013-01-29"]),
        ("control", &["control", "bamba", "--on", "2023-10-02"]),
        ("control", &["control", "timbuktu", "--on", "2013-01-28"]),
        ("government", &["government", "mali", "--on", "2021-01-01"]),
        ("government", &["government", "chad", "--on", "1980-01-01"]),
        ("history", &["history", "kidal"]),
        ("history", &["history", "burkina-faso"]),
        ("actor_relations", &["actor", "cma", "--on", "2023-10-02"]),
        ("diff", &["diff", "--from", "2012-01-01", "--to", "2024-01-01"]),
        ("graph", &["graph", "--on", "2013-02-01"]),
        ("blocs", &["blocs", "--on", "2015-06-01"]),
        ("path", &["path", "cma", "fama", "--on", "2023-10-02"]),
        ("path", &["path", "cma", "france", "--on", "1980-01-01"]),
        ("found", &["find", "kidal"]),
        ("control_period", &["control", "bamba-camp", "--on", "2023-10"]),
        ("control_period", &["control", "bamba", "--on", "2023"]),
        ("control_period", &["control", "timbuktu", "--on", "2013"]),
        ("government_period", &["government", "mali", "--on", "2012"]),
        ("government_period", &["government", "mali", "--on", "2015-06"]),
    ];
    for (schema, args) in queries {
        items.push((*schema, format!("annals {}", args.join(" ")), cli(args)));
    }
    // The commands that change a log, on a log of their own.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let db = db.to_str().unwrap();
    items.push(("created", "init".into(), cli(&["--db", db, "init"])));
    let file = dir.path().join("e.jsonl");
    std::fs::write(&file, "{\"type\":\"source\",\"id\":\"s\",\"title\":\"T\"}\n{\"type\":\"actor\",\"id\":\"a\",\"name\":\"A\"}\n{\"type\":\"place\",\"id\":\"p\",\"name\":\"P\"}\n{\"type\":\"control_taken\",\"id\":\"t\",\"place\":\"p\",\"actor\":\"a\",\"date\":\"2020\",\"sources\":[\"s\"]}\n").unwrap();
    items.push(("imported", "import".into(), cli(&["--db", db, "import", file.to_str().unwrap()])));
    items.push((
        "retracted",
        "retract".into(),
        cli(&["--db", db, "retract", "t", "--reason", "r"]),
    ));
    items.push(("verified", "verify".into(), cli(&["--db", db, "verify"])));
    let places = dir.path().join("p.jsonl");
    std::fs::write(&places, "{\"type\":\"place\",\"id\":\"q\",\"name\":\"P\"}\n").unwrap();
    cli(&["--db", db, "import", places.to_str().unwrap()]);
    items.push(("linked", "link".into(), cli(&["--db", db, "link", "p", "q", "--source", "s"])));
    items.push((
        "linked",
        "link again".into(),
        cli(&["--db", db, "link", "p", "q", "--source", "s"]),
    ));
    let log = ok(&["--db", db, "log", "--json"]);
    for (i, line) in log.lines().enumerate() {
        let record = serde_json::from_str(line).unwrap_or_else(|e| panic!("log line {i}: {e}"));
        items.push(("log_record", format!("log, line {}", i + 1), record));
    }
    assert_eq!(log.lines().count(), 7, "{log}");
    let synth = dir.path().join("synth.jsonl");
    let synth = synth.to_str().unwrap();
    items.push(("synthesized", "synth".into(), cli(&["synth", "--events", "50", "-o", synth])));
    // Errors with --json, on standard error: a refused query, and a
    // command line that does not parse.
    let out = annals(&["control", "atlantis", "--on", "2020-01-01", "--json"]);
    let error: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    items.push(("error", "an unknown place".into(), error));
    // A refused import lists its lines, each with the kind of its problem.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"type\":\"actor\",\"id\":\"acled:x\",\"name\":\"X\",\"aliases\":[\"Y\"]}\nnot json\n\
         {\"type\":\"actor\",\"id\":\"a\",\"name\":\"B\",\"note\":\"n\"}\n",
    )
    .unwrap();
    let out = annals(&["--db", db, "import", bad.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let error: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    let kinds: Vec<&str> =
        error["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["owned_id", "not_json", "conflicting_content"], "{error}");
    // The actor `a` is stored as `A`, without a note.
    assert_eq!(
        error["problems"][2]["differences"],
        serde_json::json!([
            {"field": "name", "stored": "\"A\"", "here": "\"B\""},
            {"field": "note", "stored": null, "here": "\"n\""},
        ]),
        "{error}"
    );
    assert!(error["problems"][0].get("differences").is_none(), "{error}");
    assert_eq!(error["problems"][1]["line"], 2, "{error}");
    assert!(error["problems"][1]["problem"].as_str().unwrap().starts_with("not a JSON object"));
    items.push(("error", "a refused import".into(), error));
    for args in [
        &["control", "bamba", "--json"][..],
        &["--json", "contrl"],
        &["graph", "--on", "2020-01-01", "--format", "svg", "--json"],
    ] {
        let out = annals(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let error: Value = serde_json::from_slice(&out.stderr)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(error["kind"], "usage", "{args:?}");
        items.push(("error", format!("annals {}", args.join(" ")), error));
    }
    items.push(("serving", "serve".into(), serving()));
    validate(&items);
}

/// The line `annals serve --json` prints once it listens (on a free
/// loopback port; the server is stopped after it).
fn serving() -> Value {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["serve", "--addr", "127.0.0.1:0", "--json"])
        .env_remove("ANNALS_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("annals serve starts");
    let mut line = String::new();
    let read = std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
    let _ = child.kill();
    let _ = child.wait();
    read.unwrap();
    let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(value["writes"], "read_only", "the built-in chronicle: {value}");
    value
}

/// Every entity an answer refers to has `{id, kind, name}`, every EDTF
/// field its days: in `control`, `history`, `actor` and the map, from the
/// command line and the API alike.
#[tokio::test]
async fn answers_carry_kinds_and_the_days_of_their_dates() {
    let control = cli(&["control", "bamba-camp", "--on", "2023-10-02"]);
    assert_eq!(
        control["place"],
        json!({"id": "bamba-camp", "kind": "base", "name": control["place"]["name"]})
    );
    let controller = &control["controller"];
    assert!(controller["kind"].is_string(), "{controller}");
    let since: annals_model::Date = control["since"].as_str().unwrap().parse().unwrap();
    assert_eq!(control["since_earliest"], since.earliest().to_string());
    assert_eq!(control["since_latest"], since.latest().to_string());
    for c in control["candidates"].as_array().unwrap() {
        let date: annals_model::Date = c["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(
            (&c["earliest"], &c["latest"]),
            (&json!(date.earliest().to_string()), &json!(date.latest().to_string()))
        );
        assert!(c["actor"]["kind"].is_string(), "{c}");
    }
    assert!(!control["sources"].as_array().unwrap().is_empty());
    for s in control["sources"].as_array().unwrap() {
        for field in [
            "id",
            "title",
            "url",
            "publisher",
            "published",
            "published_earliest",
            "published_latest",
        ] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
    }
    let history = cli(&["history", "kidal"]);
    assert!(history["place"]["kind"].is_string(), "{}", history["place"]);
    let events = history["events"].as_array().unwrap();
    assert!(events.len() > 3);
    for e in events {
        let date: annals_model::Date = e["date"].as_str().unwrap().parse().unwrap();
        assert_eq!(e["earliest"], date.earliest().to_string(), "{e}");
        assert_eq!(e["latest"], date.latest().to_string(), "{e}");
    }
    let actor = cli(&["actor", "cma", "--on", "2023-10-02"]);
    assert_eq!(actor["actor"]["kind"], "coalition", "{}", actor["actor"]);
    let mut edges = 0;
    for rows in actor["relations"].as_object().unwrap().values() {
        for r in rows.as_array().unwrap() {
            // Every actor and place of the chronicle declares its kind; an agreement has none.
            let kind = &r["with"]["kind"];
            match r["with"]["category"].as_str() {
                Some("agreement") => assert!(kind.is_null(), "{r}"),
                Some("actor" | "place") => assert!(kind.is_string(), "{r}"),
                other => panic!("category {other:?}: {r}"),
            }
            for field in ["since", "until"] {
                let days = [format!("{field}_earliest"), format!("{field}_latest")];
                match r[field].as_str() {
                    Some(text) => {
                        let d: annals_model::Date = text.parse().unwrap();
                        assert_eq!(r[&days[0]], d.earliest().to_string(), "{r}");
                        assert_eq!(r[&days[1]], d.latest().to_string(), "{r}");
                    }
                    None => assert!(r[&days[0]].is_null() && r[&days[1]].is_null(), "{r}"),
                }
            }
            edges += 1;
        }
    }
    assert!(edges > 2, "{actor}");
    let api = super::server::api(None);
    let (_, map) = super::server::get(&api, "/api/map?on=2023-10-02").await;
    let mut controlled = 0;
    for f in map["features"].as_array().unwrap() {
        let p = &f["properties"];
        if let Some(c) = p["controller"].as_object() {
            assert!(c.contains_key("kind"), "{p}");
            controlled += 1;
        }
        match p["since"].as_str() {
            Some(text) => {
                let d: annals_model::Date = text.parse().unwrap();
                assert_eq!(p["since_earliest"], d.earliest().to_string(), "{p}");
                assert_eq!(p["since_latest"], d.latest().to_string(), "{p}");
            }
            None => assert!(p["since_earliest"].is_null() && p["since_latest"].is_null(), "{p}"),
        }
    }
    assert!(controlled > 10);
    let (_, api_control) =
        super::server::get(&api, "/api/control?place=bamba-camp&on=2023-10-02").await;
    assert_eq!(api_control, control, "the API answers as the command line");
}

/// An actor the log gives no kind is referred to with `"kind": null`.
#[test]
fn an_entity_without_a_declared_kind_has_kind_null() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let db = db.to_str().unwrap();
    ok(&["--db", db, "init"]);
    let file = dir.path().join("e.jsonl");
    std::fs::write(&file, "{\"type\":\"source\",\"id\":\"s\",\"title\":\"T\",\"publisher\":\"Pub\",\"published\":\"2017-06\"}\n{\"type\":\"actor\",\"id\":\"a\",\"name\":\"A\"}\n{\"type\":\"place\",\"id\":\"p\",\"name\":\"P\",\"kind\":\"town\"}\n{\"type\":\"control_taken\",\"id\":\"t\",\"place\":\"p\",\"actor\":\"a\",\"date\":\"2017-06\",\"sources\":[\"s\"]}\n").unwrap();
    ok(&["--db", db, "import", file.to_str().unwrap()]);
    let control = cli(&["--db", db, "control", "p", "--on", "2020-01-01"]);
    assert_eq!(control["controller"], json!({"id": "a", "kind": null, "name": "A"}));
    assert_eq!(control["place"], json!({"id": "p", "kind": "town", "name": "P"}));
    assert_eq!(
        (&control["since"], &control["since_earliest"], &control["since_latest"]),
        (&json!("2017-06"), &json!("2017-06-01"), &json!("2017-06-30"))
    );
    assert_eq!(
        control["sources"],
        json!([{"id": "s", "title": "T", "url": null, "publisher": "Pub", "published": "2017-06",
            "published_earliest": "2017-06-01", "published_latest": "2017-06-30"}])
    );
    let history = cli(&["--db", db, "history", "p"]);
    let event = &history["events"][0];
    assert_eq!(
        (&event["date"], &event["earliest"], &event["latest"]),
        (&json!("2017-06"), &json!("2017-06-01"), &json!("2017-06-30"))
    );
    validate(&[
        ("control", "a kind undeclared".into(), control),
        ("history", "a month's event".into(), history),
    ]);
}

#[tokio::test]
async fn every_api_response_follows_the_schema() {
    let api = super::server::api(None);
    let routes = [
        ("control", "/api/control?place=bamba-camp&on=2023-10-02"),
        ("government", "/api/government?state=niger&on=2011-01-01"),
        ("history", "/api/history?place=timbuktu"),
        ("actor_relations", "/api/actor?actor=fama&on=2013-02-01"),
        ("diff", "/api/diff?from=2023-01-01&to=2024-01-01"),
        ("graph", "/api/graph?on=2023-10-02"),
        ("blocs", "/api/blocs?on=2023-10-02"),
        ("path", "/api/path?from=cma&to=fama&on=2023-10-02"),
        ("places", "/api/places?q=kid"),
        ("map", "/api/map?on=2023-10-02"),
        ("error", "/api/control?place=atlantis&on=2023-10-02"),
        ("error", "/api/control?place=bamba"),
    ];
    let mut items = Vec::new();
    for (schema, uri) in routes {
        let (_, value) = super::server::get(&api, uri).await;
        items.push((schema, uri.to_string(), value));
    }
    validate(&items);
}

/// With `--json`, what a command says on standard error is JSON lines: a
/// warning (here: waiting for the process that holds the log), then the
/// error it ends with.
#[test]
fn with_json_warnings_and_errors_are_json_lines_on_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let db = path.to_str().unwrap();
    ok(&["--db", db, "init"]);
    let held = annals_log::Log::open(&path).unwrap();
    let out = annals(&["--db", db, "--wait", "2", "control", "p", "--on", "2020-01-01", "--json"]);
    drop(held);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:?} in {err}")))
        .collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0]["warning"].as_str().unwrap().contains("waiting up to 2 s"), "{err}");
    assert_eq!(lines[1]["kind"], "in_use", "{err}");
    validate(&[
        ("warning", "waiting".into(), lines[0].clone()),
        ("error", "in use".into(), lines[1].clone()),
    ]);
}
