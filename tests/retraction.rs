//! Retracting a source, an actor or a place, with the real binary: answers
//! stop citing a retracted source and stop counting events that rest on a
//! retracted entity (the index's answers and a full replay's alike), `find`
//! no longer lists the entity, `--known-at` before the retraction answers
//! as before, and an import that names a retracted entity, or retracts an
//! event a second time, is refused with its line and changes nothing.

use serde_json::Value;

use super::{annals, Db};

const FILE: &str = r#"{"type":"source","id":"s1","title":"A report"}
{"type":"source","id":"s2","title":"Another report"}
{"type":"actor","id":"blue","name":"Blue Front"}
{"type":"actor","id":"red","name":"Red Front"}
{"type":"place","id":"ostrava","name":"Ostrava"}
{"type":"place","id":"brno","name":"Brno"}
{"type":"control_taken","id":"t1","place":"ostrava","actor":"blue","date":"2014","sources":["s1","s2"]}
{"type":"control_taken","id":"t2","place":"brno","actor":"red","date":"2014","sources":["s1"]}
{"type":"control_taken","id":"t3","place":"brno","actor":"blue","date":"2013","sources":["s2"]}
"#;

fn source_ids(v: &Value) -> Vec<&str> {
    v["sources"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect()
}

fn found(db: &Db, text: &str) -> (Vec<String>, Vec<String>) {
    let v = db.json(&["find", text]);
    let ids = |key: &str| {
        v[key].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
    };
    (ids("places"), ids("actors"))
}

#[test]
fn retraction_of_a_source_an_actor_or_a_place_is_honoured_by_answers_and_import() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, FILE).unwrap();
    db.run(&["import", file.to_str().unwrap()]);
    assert_eq!(source_ids(&db.control("ostrava", "2015-01-01")), ["s1", "s2"]);
    assert_eq!(db.control("brno", "2015-01-01")["controller"]["id"], "red");

    // A retracted source: cited by no answer; t2 rested on it alone.
    db.run(&["retract", "s1", "--reason", "a forgery"]);
    let ostrava = db.control("ostrava", "2015-01-01");
    assert_eq!(
        (ostrava["status"].as_str(), source_ids(&ostrava)),
        (Some("controlled"), vec!["s2"])
    );
    let brno = db.control("brno", "2015-01-01");
    assert_eq!(
        (brno["controller"]["id"].as_str(), brno["event"].as_str()),
        (Some("blue"), Some("t3"))
    );
    let history = db.run(&["history", "brno"]);
    assert!(history.contains("RETRACTED by") && !history.contains("[s1]"), "{history}");
    // As the log knew things before the retraction (record 9 is the last
    // of the file), answers are as they were.
    let before = db.json(&["control", "brno", "--on", "2015-01-01", "--known-at", "seq:9"]);
    assert_eq!(
        (before["controller"]["id"].as_str(), source_ids(&before)),
        (Some("red"), vec!["s1"])
    );

    // A retracted actor: its events no longer count, and it is found nowhere.
    db.run(&["retract", "blue", "--reason", "no such group; the reports meant Red Front"]);
    assert_eq!(db.control("ostrava", "2015-01-01")["status"], "unknown");
    assert_eq!(db.control("brno", "2015-01-01")["status"], "unknown");
    assert_eq!(found(&db, "front").1, ["red"]);
    let out = annals(&["--db", db.p(), "actor", "blue", "--on", "2015-01-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown actor `blue`"));
    // A retracted place likewise.
    db.run(&["retract", "brno", "--reason", "a duplicate"]);
    assert_eq!(found(&db, "o").0, ["ostrava"]);
    // The log itself is sound: retractions are no damage.
    let verified = db.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified}");

    // Import refuses new events naming a retracted entity, and a second
    // retraction of an event, naming the line; nothing is stored.
    let log_before = db.run(&["log", "--json"]);
    let cases = [
        (
            r#"{"type":"control_lost","id":"t4","place":"ostrava","actor":"blue","date":"2016","sources":["s2"]}"#,
            "field `actor` names `blue`, an actor retracted by `",
        ),
        (
            r#"{"type":"control_taken","id":"t5","place":"ostrava","actor":"red","date":"2016","sources":["s1"]}"#,
            "field `sources` names `s1`, a source retracted by `",
        ),
        (
            r#"{"type":"retraction","id":"again","retracts":"t1","reason":"twice"}
{"type":"retraction","id":"again2","retracts":"t1","reason":"three times"}"#,
            "`t1` is already retracted by `again`",
        ),
        (
            r#"{"type":"retraction","id":"again3","retracts":"brno","reason":"twice"}"#,
            "`brno` is already retracted by `",
        ),
    ];
    for (i, (lines, says)) in cases.iter().enumerate() {
        let bad = dir.path().join(format!("bad{i}.jsonl"));
        std::fs::write(
            &bad,
            format!("{{\"type\":\"actor\",\"id\":\"green{i}\",\"name\":\"G\"}}\n{lines}\n"),
        )
        .unwrap();
        let out = annals(&["--db", db.p(), "import", bad.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{stderr}");
        let line = 1 + lines.lines().count();
        let at = format!("bad{i}.jsonl:{line}: {says}");
        assert!(stderr.contains(&at), "wanted `{at}` in: {stderr}");
    }
    assert_eq!(db.run(&["log", "--json"]), log_before, "a refused import stored something");
    // `retract` refuses the second retraction in the same words.
    let out = annals(&["--db", db.p(), "retract", "brno", "--reason", "twice"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`brno` is already retracted by `"));
    // The file imported again is still accepted: its events are stored.
    let again: Value = db.json(&["import", file.to_str().unwrap()]);
    assert_eq!(again["appended"], 0);
}
