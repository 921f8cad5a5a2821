//! The command line's contract beyond answers: exit codes by kind of
//! failure (docs/CLI.md), `--json` on every command, and errors as JSON on
//! standard error with `--json`.

use serde_json::Value;

use super::{annals, ok, Db};

/// The exit code and standard error of a failing command.
fn failure(args: &[&str]) -> (i32, String) {
    let out = annals(args);
    assert!(!out.status.success(), "annals {args:?} should fail");
    (out.status.code().expect("an exit code"), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn each_kind_of_failure_has_its_own_exit_code() {
    let db = Db::with(&[]);
    let path = db.path.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"type\":\"actor\",\"id\":\"x\"}\n").unwrap();
    let cases: &[(&[&str], i32)] = &[
        (&["control", "bamba", "--on", "2023-13-01"], 2),
        (&["diff", "--from", "2024-01-01", "--to", "2023-01-01"], 2),
        (&["import", "f.jsonl"], 2),
        (&["control", "atlantis", "--on", "2023-10-01"], 3),
        (&["government", "nowhere", "--on", "2020-01-01"], 3),
        (&["--db", path, "import", bad.to_str().unwrap()], 4),
        (&["--db", path, "retract", "no-such-event", "--reason", "test"], 5),
    ];
    for (args, code) in cases {
        let (got, stderr) = failure(args);
        assert_eq!(got, *code, "annals {args:?}: {stderr}");
        assert!(stderr.starts_with("annals: "), "{stderr}");
    }
    // clap's own usage errors keep its code 2.
    assert_eq!(failure(&["contrl"]).0, 2);
}

#[test]
fn with_json_an_error_is_one_json_object_on_standard_error() {
    let (code, stderr) = failure(&["control", "atlantis", "--on", "2023-10-01", "--json"]);
    assert_eq!(code, 3);
    let error: Value = serde_json::from_str(stderr.trim()).expect("one JSON object");
    assert_eq!(error["kind"], "not_found");
    assert!(error["error"].as_str().unwrap().contains("unknown place `atlantis`"), "{error}");
}

#[test]
fn import_retract_verify_and_init_speak_json_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let db = path.to_str().unwrap();
    let created: Value = serde_json::from_str(&ok(&["--db", db, "init", "--json"])).unwrap();
    assert_eq!(created["created"], db);
    let file = dir.path().join("events.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"type":"source","id":"s1","title":"A report"}"#,
            "\n",
            r#"{"type":"actor","id":"blue","name":"Blue Front"}"#,
            "\n",
            r#"{"type":"place","id":"ostrava","name":"Ostrava"}"#,
            "\n",
            r#"{"type":"control_taken","id":"t1","place":"ostrava","actor":"blue","date":"2014","sources":["s1"]}"#,
            "\n",
        ),
    )
    .unwrap();
    let imported: Value =
        serde_json::from_str(&ok(&["--db", db, "import", file.to_str().unwrap(), "--json"]))
            .unwrap();
    assert_eq!((imported["appended"].as_u64(), imported["first"].as_u64()), (Some(4), Some(1)));
    let again: Value =
        serde_json::from_str(&ok(&["--db", db, "import", file.to_str().unwrap(), "--json"]))
            .unwrap();
    assert_eq!((again["appended"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(4)));
    let retracted: Value = serde_json::from_str(&ok(&[
        "--db",
        db,
        "retract",
        "t1",
        "--reason",
        "wrong town",
        "--json",
    ]))
    .unwrap();
    assert_eq!(retracted["target"], "t1");
    assert_eq!(retracted["seq"], 5);
    let verified: Value = serde_json::from_str(&ok(&["--db", db, "verify", "--json"])).unwrap();
    assert_eq!(verified["ok"], true);
    assert_eq!(verified["records"], 5);
    assert_eq!(verified["problems"].as_array().unwrap().len(), 0);
}

/// A shared file's names and notes cannot drive the terminal or print a
/// line that looks like the program's: control characters come out as
/// visible escapes, in every text output and in error messages.
#[test]
fn control_characters_in_data_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let db = path.to_str().unwrap();
    ok(&["--db", db, "init"]);
    let file = dir.path().join("hostile.jsonl");
    let lines = [
        r#"{"type":"source","id":"s1","title":"Report\u001b]0;owned\u0007","publisher":"P\r\nsources: none"}"#,
        r#"{"type":"actor","id":"blue","name":"Blue\u001b[2J Front"}"#,
        r#"{"type":"place","id":"ostrava","name":"Ostrava\nevidence:"}"#,
        r#"{"type":"control_taken","id":"t1","place":"ostrava","actor":"blue","date":"2014","sources":["s1"],"note":"fine\n  2014  Red Front (red) took control  [confirmed]\u0000"}"#,
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    ok(&["--db", db, "import", file.to_str().unwrap()]);
    let mut printed = String::new();
    for args in [
        &["control", "ostrava", "--on", "2015-01-01"][..],
        &["history", "ostrava"],
        &["actor", "blue", "--on", "2015-01-01"],
        &["log"],
        &["graph", "--on", "2015-01-01"],
    ] {
        printed.push_str(&ok(&[&["--db", db][..], args].concat()));
    }
    let refused = annals(&["--db", db, "control", "Ostrava\u{1b}[2J", "--on", "2015-01-01"]);
    printed.push_str(&String::from_utf8_lossy(&refused.stderr));
    for c in ['\u{1b}', '\u{7}', '\0', '\r'] {
        assert!(!printed.contains(c), "{c:?} reached the terminal:\n{printed}");
    }
    for line in printed.lines() {
        assert!(!line.starts_with("evidence:") || line == "evidence:", "a forged line: {line:?}");
        assert!(!line.trim_start().starts_with("2014  Red Front"), "a forged line: {line:?}");
    }
    assert!(printed.contains("Blue\\u{1b}[2J Front"), "{printed}");
}

/// `find` lists the places and actors whose names contain the text, case
/// and accents aside, with what each place lies within.
#[test]
fn find_lists_places_and_actors_by_part_of_a_name() {
    let text = ok(&["find", "MENAKA"]);
    assert!(
        text.contains("menaka ") && text.contains("Ménaka, town, in Ménaka Region (menaka-region)"),
        "{text}"
    );
    let found: Value = serde_json::from_str(&ok(&["find", "azawad", "--json"])).unwrap();
    let actors: Vec<&str> =
        found["actors"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert!(actors.contains(&"mnla") && actors.contains(&"cma"), "{actors:?}");
    assert!(found["places"].as_array().unwrap().is_empty());
    assert!(ok(&["find", "atlantis"]).contains("no place or actor"));
}

/// A place with no control event of its own (the town of Bamba, whose army
/// camp changed hands) names the places within it that have some, with
/// their answers, in text and JSON, the same as asking each.
#[test]
fn control_of_a_place_without_events_names_the_places_within_it() {
    let text = ok(&["control", "bamba", "--on", "2023-10-02"]);
    assert!(text.contains("places within Bamba with control events:"), "{text}");
    assert!(text.contains("Bamba military camp (bamba-camp): controlled by"), "{text}");
    let town: Value =
        serde_json::from_str(&ok(&["control", "bamba", "--on", "2023-10-02", "--json"])).unwrap();
    let camp: Value =
        serde_json::from_str(&ok(&["control", "bamba-camp", "--on", "2023-10-02", "--json"]))
            .unwrap();
    let within = town["within"].as_array().expect("within");
    let entry = within.iter().find(|w| w["place"]["id"] == "bamba-camp").expect("the camp");
    for field in ["status", "controller", "since", "claim", "event"] {
        assert_eq!(entry[field], camp[field], "{field}");
    }
    // A place with events of its own lists nothing more.
    let camp_text = ok(&["control", "bamba-camp", "--on", "2023-10-02"]);
    assert!(!camp_text.contains("places within"), "{camp_text}");
    assert!(camp.get("within").is_none());
}

/// `within` on a log of the chronicle (answered from the place snapshot)
/// is the built-in chronicle's; a place put within the town later is
/// listed, and `--known-at` before it answers as before.
#[test]
fn within_on_a_log_answers_as_the_chronicle_and_as_known_at() {
    let chronicle = ["chronicle", "states", "identifiers"]
        .map(|f| format!("{}/fixtures/mali/{f}.jsonl", env!("CARGO_MANIFEST_DIR")));
    let db = Db::with(&chronicle.iter().map(String::as_str).collect::<Vec<_>>());
    let ask = ["control", "bamba", "--on", "2023-10-02"];
    let builtin: Value = serde_json::from_str(&ok(&[&ask[..], &["--json"]].concat())).unwrap();
    let before = db.json(&ask);
    assert_eq!(before, builtin);
    assert!(before["within"].as_array().is_some_and(|w| !w.is_empty()), "{before:#}");

    let known = format!("seq:{}", db.export().lines().count());
    let dir = tempfile::tempdir().unwrap();
    let market = super::write(
        dir.path(),
        "market.jsonl",
        concat!(
            "{\"type\":\"place\",\"id\":\"bamba-market\",\"name\":\"Bamba market\",\"kind\":\"site\",\"within\":\"bamba\"}\n",
            "{\"type\":\"control_taken\",\"id\":\"cma-in-bamba-market\",\"place\":\"bamba-market\",\"actor\":\"cma\",\"date\":\"2023-10-01\",\"sources\":[\"rfi-bamba-2023-10-01\"],\"claim\":\"claimed\",\"claimed_by\":\"cma\"}\n",
        ),
    );
    db.run(&["import", &market]);
    let after = db.json(&ask);
    let listed: Vec<&str> = after["within"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["place"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["bamba-camp", "bamba-market"], "{after:#}");
    assert_eq!(after["within"][1]["controller"]["id"], "cma", "{after:#}");
    assert_eq!(db.json(&[&ask[..], &["--known-at", &known]].concat()), builtin);
}
