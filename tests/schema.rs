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
    // An error with --json, on standard error.
    let out = annals(&["control", "atlantis", "--on", "2020-01-01", "--json"]);
    let error: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    items.push(("error", "an unknown place".into(), error));
    // A refused import lists its lines, each with the kind of its problem.
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"type\":\"actor\",\"id\":\"acled:x\",\"name\":\"X\",\"aliases\":[\"Y\"]}\nnot json\n",
    )
    .unwrap();
    let out = annals(&["--db", db, "import", bad.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let error: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    let kinds: Vec<&str> =
        error["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["owned_id", "not_json"], "{error}");
    assert_eq!(error["problems"][1]["line"], 2, "{error}");
    assert!(error["problems"][1]["problem"].as_str().unwrap().starts_with("not a JSON object"));
    items.push(("error", "a refused import".into(), error));
    validate(&items);
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
