//! End-to-end tests of the `annals` binary: the real executable, a real sled
//! database in a temp dir, and a log written by someone else
//! (`fixtures/outside/sahel-test.jsonl`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

mod acled;
mod chronicle;
mod cli;
mod datasets;
mod exports;
mod faults;
mod graph;
mod habits;
mod hostile;
mod identifiers;
mod laws;
mod limits;
mod links;
mod outputs;
mod owned;
mod page;
mod periods;
mod powercut;
mod records;
mod releases;
mod reliability;
mod retraction;
mod schema;
mod server;
mod states;

const OUTSIDE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/sahel-test.jsonl");

fn annals(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(args)
        .env_remove("ANNALS_DB")
        .output()
        .expect("run annals")
}

fn ok(args: &[&str]) -> String {
    let out = annals(args);
    assert!(
        out.status.success(),
        "annals {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = annals(args);
    assert!(!out.status.success(), "annals {args:?} should fail");
    assert!(out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("imported"));
    String::from_utf8(out.stderr).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap_or_else(|e| panic!("annals {args:?}: {e}"))
}

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn with(files: &[&str]) -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        ok(&["--db", path.to_str().unwrap(), "init"]);
        let db = Db { _dir: dir, path };
        for f in files {
            db.run(&["import", f]);
        }
        db
    }

    fn p(&self) -> &str {
        self.path.to_str().unwrap()
    }

    fn run(&self, args: &[&str]) -> String {
        ok(&[&["--db", self.p()], args].concat())
    }

    fn json(&self, args: &[&str]) -> Value {
        json(&[&["--db", self.p(), "--json"], args].concat())
    }

    fn control(&self, place: &str, on: &str) -> Value {
        self.json(&["control", place, "--on", on])
    }

    fn export(&self) -> String {
        self.run(&["export", "--format", "jsonl"])
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn actor_ids(v: &Value) -> Vec<&str> {
    v["candidates"].as_array().unwrap().iter().map(|c| c["actor"]["id"].as_str().unwrap()).collect()
}

#[test]
fn builtin_chronicle_answers_for_bamba_with_sources() {
    // The claims of 1 October 2023 are about the army camp at Bamba, a place of
    // its own within the town.
    let text = ok(&["control", "bamba-camp", "--on", "2023-10-01"]);
    assert!(text.contains("Bamba military camp (bamba-camp, in Bamba) on 2023-10-01"), "{text}");
    assert!(text.contains("Coordination of Azawad Movements (cma)"), "{text}");
    assert!(text.contains("sources:"), "{text}");

    let v = json(&["control", "Bamba military camp", "--on", "2023-10-02", "--json"]);
    assert_eq!(v["place"]["id"], "bamba-camp");
    assert_eq!(v["date"], "2023-10-02");
    assert!(["controlled", "contested", "uncertain", "unknown"]
        .contains(&v["status"].as_str().unwrap()));
    assert!(actor_ids(&v).contains(&"fama"), "{v:#}");
    assert!(!v["sources"].as_array().unwrap().is_empty());
    for key in ["controller", "since", "event", "claim"] {
        assert!(v.get(key).is_some(), "missing `{key}` in {v:#}");
    }
    // The seed document is part of the evidence.
    let history = ok(&["history", "bamba-camp"]);
    assert!(history.contains("seed-bamba-2023-11-06"), "{history}");
}

#[test]
fn builtin_chronicle_is_read_only() {
    assert!(fails(&["import", OUTSIDE]).contains("needs --db"));
}

#[test]
fn outside_log_gives_the_mission_semantics() {
    let db = Db::with(&[OUTSIDE]);
    // Unknown before any event.
    let v = db.control("segou-ville", "2019-06-01");
    assert_eq!((v["status"].as_str(), &v["controller"]), (Some("unknown"), &Value::Null));
    // A year-precision start is uncertain inside its year, settled after it.
    assert_eq!(db.control("segou-ville", "2020-06-01")["status"], "uncertain");
    let v = db.control("segou-ville", "2021-01-01");
    assert_eq!(
        (v["status"].as_str(), v["controller"]["id"].as_str()),
        (Some("controlled"), Some("army"))
    );
    // Controlled, with since, deciding event, claim and sources.
    let v = db.control("segou-ville", "2023-02-01");
    assert_eq!(v["status"], "controlled");
    assert_eq!(
        v["controller"],
        serde_json::json!({"id": "north-front", "kind": "armed_group", "name": "Front du Nord"})
    );
    assert_eq!(v["since"], "2023-01-15");
    assert_eq!(v["event"], "fdn-takes-segou");
    assert_eq!(v["claim"], "confirmed");
    assert_eq!(v["sources"][0]["id"], "r1");
    assert_eq!(v["sources"][0]["title"], "Field report one");
    // Same-day rival claims: contested, both listed with their claims.
    let v = db.control("segou-ville", "2023-03-02");
    assert_eq!(v["status"], "contested");
    assert_eq!(v["controller"], Value::Null);
    assert_eq!(actor_ids(&v), ["militia", "north-front"]);
    assert!(v["candidates"].as_array().unwrap().iter().all(|c| c["claim"] == "claimed"));
    // A month-precision change asked inside that month: uncertain, both candidates.
    let v = db.control("segou-ville", "2023-06-10");
    assert_eq!(v["status"], "uncertain");
    let ids = actor_ids(&v);
    assert!(ids.contains(&"army") && ids.contains(&"north-front"), "{v:#}");
    assert_eq!(v["window"]["earliest"], "2023-06-01");
    assert_eq!(v["window"]["latest"], "2023-06-30");
    assert_eq!(db.control("segou-ville", "2023-07-01")["controller"]["id"], "army");
    // After a control_lost by the controller: unknown, naming the withdrawal.
    let v = db.control("segou-ville", "2023-09-10");
    assert_eq!((v["status"].as_str(), &v["controller"]), (Some("unknown"), &Value::Null));
    assert_eq!(v["event"], "army-leaves-segou");
    assert_eq!(v["since"], "2023-09-10");
}

#[test]
fn names_resolve_without_case_or_accents_and_shared_names_are_refused() {
    let db = Db::with(&[OUTSIDE]);
    for name in ["Ségou", "segou", "SEGOU", "segu"] {
        assert_eq!(db.control(name, "2023-02-01")["place"]["id"], "segou-ville", "{name}");
    }
    let err = fails(&["--db", db.p(), "control", "dire", "--on", "2023-01-01"]);
    assert!(err.contains("names 2 places"), "{err}");
    assert!(
        err.contains("dire-n") && err.contains("in Région Nord") && err.contains("dire-s"),
        "{err}"
    );
}

#[test]
fn bad_queries_fail_clearly() {
    let db = Db::with(&[OUTSIDE]);
    let err = fails(&["--db", db.p(), "control", "atlantis", "--on", "2023-01-01"]);
    assert!(err.contains("unknown place `atlantis`"), "{err}");
    let err = fails(&["--db", db.p(), "control", "segou", "--on", "2023-02-30"]);
    assert!(err.contains("invalid date `2023-02-30`: day 30 does not exist"), "{err}");
    let err = fails(&["--db", "/nonexistent/annals.db", "control", "segou", "--on", "2023-01-01"]);
    assert!(err.contains("no annals log at /nonexistent/annals.db"), "{err}");
}

#[test]
fn a_bad_file_imports_nothing_and_names_its_line() {
    let db = Db::with(&[OUTSIDE]);
    let before = db.export();
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("bad-json.jsonl", "{\"type\":\"source\",\"id\":\"n1\",\"title\":\"New\"}\n{not json\n", 2, "not a JSON object"),
        ("bad-type.jsonl", "{\"type\":\"source\",\"id\":\"n1\",\"title\":\"New\"}\n\n{\"type\":\"seized\"}\n", 3, "unknown type `seized`"),
        (
            "bad-date.jsonl",
            "{\"type\":\"control_lost\",\"place\":\"segou-ville\",\"actor\":\"army\",\"date\":\"2022-13-45\"}\n",
            1,
            "field `date`: invalid date `2022-13-45`: month 13 does not exist",
        ),
        (
            "bad-ref.jsonl",
            "{\"type\":\"actor\",\"id\":\"newcomer\",\"name\":\"New\"}\n{\"type\":\"control_taken\",\"place\":\"segou-ville\",\"actor\":\"ghost\",\"date\":\"2024\"}\n",
            2,
            "field `actor` names `ghost`",
        ),
    ];
    for (name, text, line, problem) in cases {
        let file = write(dir.path(), name, text);
        let err = fails(&["--db", db.p(), "import", &file]);
        assert!(err.contains(&format!("{file}:{line}: {problem}")), "{name}: {err}");
        assert!(err.contains("nothing was stored"), "{err}");
        assert_eq!(db.export(), before, "{name} changed the log");
    }
}

#[test]
fn a_conflict_with_a_stored_event_names_every_line_and_what_differs() {
    let db = Db::with(&[OUTSIDE]);
    let before = db.export();
    let dir = tempfile::tempdir().unwrap();
    // Line 1 is stored as is (skipped); lines 3 and 4 reuse stored ids with
    // other content; line 5 is new.
    let mut lines: Vec<String> = before.lines().take(1).map(str::to_string).collect();
    lines.push(String::new());
    for stored in before.lines().filter(|l| l.contains("\"type\":\"actor\"")).take(2) {
        lines.push(stored.replacen("\"name\":\"", "\"name\":\"Renamed ", 1));
    }
    lines.push("{\"type\":\"source\",\"id\":\"brand-new\",\"title\":\"New\"}".to_string());
    let file = write(dir.path(), "conflict.jsonl", &lines.join("\n"));
    let err = fails(&["--db", db.p(), "import", &file]);
    assert!(err.contains("nothing was stored"), "{err}");
    for line in [3, 4] {
        assert!(err.contains(&format!("{file}:{line}: event id `")), "line {line}: {err}");
    }
    assert!(!err.contains(&format!("{file}:1:")) && !err.contains(&format!("{file}:5:")), "{err}");
    assert!(err.contains("is already stored (record "), "{err}");
    assert!(err.contains("`name`: stored \""), "{err}");
    assert!(err.contains("here \"Renamed "), "{err}");
    assert_eq!(db.export(), before, "a refused import changed the log");

    // An ACLED export revised after it was imported: the revised row's line.
    let layout = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/acled-layout-test.csv");
    db.run(&["import", "--format", "acled", layout]);
    let imported = db.export();
    let text = std::fs::read_to_string(layout).unwrap();
    let revised =
        text.replacen("drove VLF fighters out of Sabra", "drove VLF fighters from Sabra", 1);
    assert_ne!(revised, text, "the fixture changed; pick another revision");
    let line =
        1 + text[..text.find("drove VLF fighters out of Sabra").unwrap()].matches('\n').count();
    let file = write(dir.path(), "revised.csv", &revised);
    let err = fails(&["--db", db.p(), "import", "--format", "acled", &file]);
    assert!(
        err.contains(&format!("{file}:{line}: event id `acled:var10` is already stored")),
        "{err}"
    );
    assert!(err.contains("`note`: stored"), "{err}");
    assert_eq!(db.export(), imported, "a refused import changed the log");
}

#[test]
fn import_is_idempotent_and_export_round_trips() {
    let db = Db::with(&[OUTSIDE]);
    let first = db.export();
    let again = db.run(&["import", OUTSIDE]);
    assert!(again.contains("nothing new"), "{again}");
    assert_eq!(db.export(), first);
    // Export, then import into a fresh log: the same events, in the same format.
    let dir = tempfile::tempdir().unwrap();
    let exported = write(dir.path(), "export.jsonl", &first);
    let copy = Db::with(&[&exported]);
    assert_eq!(copy.export(), first);
    assert_eq!(first.lines().count(), std::fs::read_to_string(OUTSIDE).unwrap().lines().count());
    assert!(db.run(&["verify"]).starts_with("ok: 16 records"));
}

#[test]
fn known_at_answers_as_the_log_knew_things() {
    let db = Db::with(&[OUTSIDE]);
    let dir = tempfile::tempdir().unwrap();
    let later = write(dir.path(), "later.jsonl", "{\"type\":\"control_taken\",\"id\":\"late-news\",\"place\":\"segou-ville\",\"actor\":\"militia\",\"date\":\"2023-09-20\",\"sources\":[\"r2\"]}\n");
    db.run(&["import", &later]);
    assert_eq!(db.control("segou-ville", "2023-10-01")["controller"]["id"], "militia");
    let v = db.json(&["control", "segou-ville", "--on", "2023-10-01", "--known-at", "seq:16"]);
    assert_eq!(
        (v["status"].as_str(), v["event"].as_str()),
        (Some("unknown"), Some("army-leaves-segou"))
    );
}

#[test]
fn verify_reports_a_log_that_is_sound() {
    let out = ok(&["verify"]);
    assert!(out.starts_with("ok: "), "{out}");
}

/// `control` answers from the place snapshot plus the records after it; a
/// snapshot that does not match is reported by `verify`, never trusted, and
/// rebuilt by the next query.
#[test]
fn history_answers_from_the_place_index_as_a_full_replay_would() {
    // `history NAME` shows a place's timeline, or, when the name names no
    // place or one without events, a state's government timeline. The index
    // answers where it can; a name it cannot settle goes to a full replay.
    let dir = tempfile::tempdir().unwrap();
    let first = write(
        dir.path(),
        "first.jsonl",
        r#"{"type":"source","id":"s","title":"A report"}
{"type":"actor","id":"mali","name":"Mali","kind":"state"}
{"type":"actor","id":"junta","name":"The junta"}
{"type":"actor","id":"front","name":"The front"}
{"type":"actor","id":"gao-state","name":"Gao Ville","kind":"state"}
{"type":"place","id":"mali-town","name":"Mali"}
{"type":"place","id":"gao","name":"Gao Ville"}
{"type":"government","id":"g1","state":"mali","actor":"junta","date":"2021-05-24","sources":["s"]}
{"type":"government","id":"g2","state":"gao-state","actor":"front","date":"2012","sources":["s"]}
{"type":"control_taken","id":"c1","place":"gao","actor":"front","date":"2012-06","sources":["s"]}
{"type":"attack","id":"a1","place":"gao","attacker":"junta","date":"2013-01~","sources":["s"]}
"#,
    );
    let db = Db::with(&[&first]);
    // A place without events gives way to the state of the same name.
    let mali = db.run(&["history", "Mali"]);
    assert!(mali.starts_with("Mali (mali): 1 events\n"), "{mali}");
    assert!(mali.contains("The junta (junta)"), "{mali}");
    // A place with events: its control changes and its attacks, in date
    // order, though a state bears the same name.
    let gao = db.run(&["history", "Gao Ville"]);
    assert!(gao.starts_with("Gao Ville (gao): 2 events\n2012-06 "), "{gao}");
    assert!(gao.contains("event a1]") && gao.contains("[s] A report"), "{gao}");
    let gao_json = db.json(&["history", "gao"]);
    let ids: Vec<&str> =
        gao_json["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["c1", "a1"], "{gao_json:#}");

    // A second place named Gao Ville: the name names no one place now, so
    // the state answers; it named one place at record 11, and `--known-at`
    // answers as the log knew it then.
    let second =
        write(dir.path(), "second.jsonl", r#"{"type":"place","id":"gao-2","name":"Gao Ville"}"#);
    db.run(&["import", &second]);
    let state = db.run(&["history", "Gao Ville"]);
    assert!(state.starts_with("Gao Ville (gao-state): 1 events\n2012 "), "{state}");
    assert_eq!(db.run(&["history", "Gao Ville", "--known-at", "seq:11"]), gao);
    // At record 8 neither the place nor the state had events yet.
    let early = db.run(&["history", "Gao Ville", "--known-at", "seq:8"]);
    assert!(early.starts_with("Gao Ville (gao): 0 events"), "{early}");
    // Before the government was recorded, `Mali` names a place without events.
    let then = db.run(&["history", "Mali", "--known-at", "seq:7"]);
    assert!(then.starts_with("Mali (mali-town): 0 events"), "{then}");
}

#[test]
fn control_answers_from_a_snapshot_and_a_damaged_one_is_rebuilt() {
    use annals_log::Log;
    use annals_replay::PlaceIndex;
    let db = Db::with(&[OUTSIDE]);
    let said = db.run(&["verify"]);
    assert!(
        said.contains(
            "snapshot `places`: records 1..16, with the records after it, matches a full replay"
        ),
        "{said}"
    );
    let answer = db.control("segou-ville", "2023-10-01");
    let full = {
        // The same question with --known-at far in the future: a full replay.
        let v =
            db.json(&["control", "segou-ville", "--on", "2023-10-01", "--known-at", "seq:999999"]);
        assert_eq!(v, answer);
        v
    };
    // A place first known after --known-at falls back to a full replay and is refused.
    let dir = tempfile::tempdir().unwrap();
    let later = write(
        dir.path(),
        "later.jsonl",
        "{\"type\":\"place\",\"id\":\"new-town\",\"name\":\"New Town\"}\n",
    );
    db.run(&["import", &later]);
    // The import grew the snapshot with the record it stored.
    let said = db.run(&["verify"]);
    assert!(
        said.contains(
            "snapshot `places`: records 1..17, with the records after it, matches a full replay"
        ),
        "{said}"
    );
    let err = fails(&[
        "--db",
        db.p(),
        "control",
        "new town",
        "--on",
        "2023-10-01",
        "--known-at",
        "seq:16",
    ]);
    assert!(err.contains("unknown place `new town`"), "{err}");

    // Damage the snapshot: one flipped byte in its state.
    {
        let log = Log::open(&db.path).unwrap();
        let mut bytes = log.snapshot_bytes(PlaceIndex::NAME).unwrap().unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        log.put_snapshot_bytes(PlaceIndex::NAME, &bytes).unwrap();
    }
    let out = annals(&["--db", db.p(), "verify"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(!out.status.success() && err.contains("snapshot `places`: checksum mismatch"), "{err}");
    assert_eq!(db.control("segou-ville", "2023-10-01"), full);
    let said = db.run(&["verify"]);
    assert!(
        said.contains(
            "snapshot `places`: records 1..17, with the records after it, matches a full replay"
        ),
        "{said}"
    );
}

#[test]
fn every_chronicle_event_cites_a_source() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/mali/chronicle.jsonl"
    ))
    .unwrap();
    let mut sources = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let event = annals_model::v1::parse_line(line)
            .unwrap_or_else(|e| panic!("line {}: {e}", i + 1))
            .event;
        if let annals_model::EventKind::Source { .. } = event.kind {
            sources.insert(event.id.to_string());
            continue;
        }
        assert!(
            !event.sources.is_empty(),
            "chronicle line {} (`{}`) cites no source",
            i + 1,
            event.id
        );
        for s in &event.sources {
            assert!(
                sources.contains(s.as_str()),
                "line {}: source `{s}` is not defined above",
                i + 1
            );
        }
    }
}

#[test]
fn a_retraction_stops_an_event_counting_from_when_it_was_recorded() {
    let db = Db::with(&[OUTSIDE]);
    assert_eq!(db.control("segou-ville", "2023-02-01")["controller"]["id"], "north-front");
    let out = db.run(&["retract", "fdn-takes-segou", "--reason", "the report confused two towns"]);
    assert!(out.starts_with("retracted `fdn-takes-segou`"), "{out}");
    // The retracted seizure no longer counts: the army's 2020 control stands.
    assert_eq!(db.control("segou-ville", "2023-02-01")["controller"]["id"], "army");
    // As the log knew things before the retraction (record 17), it still counts.
    let v = db.json(&["control", "segou-ville", "--on", "2023-02-01", "--known-at", "seq:16"]);
    assert_eq!(v["controller"]["id"], "north-front");
    // history and log mark it.
    assert!(db.run(&["history", "segou-ville"]).contains("RETRACTED by ev-"));
    let log = db.run(&["log"]);
    let line = log.lines().find(|l| l.contains("\"id\":\"fdn-takes-segou\"")).unwrap();
    assert!(line.contains("[RETRACTED by ev-"), "{line}");
    // Errors: unknown ids, retractions, and events already retracted.
    let err = fails(&["--db", db.p(), "retract", "no-such-event", "--reason", "x"]);
    assert!(err.contains("no event with id `no-such-event`"), "{err}");
    let err = fails(&["--db", db.p(), "retract", "fdn-takes-segou", "--reason", "again"]);
    assert!(err.contains("already retracted"), "{err}");
    let retraction = log.lines().last().unwrap();
    let id = retraction.split("\"id\":\"").nth(1).unwrap().split('"').next().unwrap();
    let err = fails(&["--db", db.p(), "retract", id, "--reason", "undo"]);
    assert!(err.contains("cannot be retracted"), "{err}");
    assert!(db.run(&["verify"]).starts_with("ok: 17 records"));
}

/// The replay laws on an outside log: an imported retraction stops the seizure
/// counting, `--known-at` before it still shows it, and the same events
/// imported in reverse order (entities first: references must resolve) give
/// the same answers on a grid of places and dates. `verify` passes on both.
#[test]
fn an_imported_retraction_and_a_reversed_import_answer_alike() {
    let dir = tempfile::tempdir().unwrap();
    let retraction = write(
        dir.path(),
        "retraction.jsonl",
        "{\"type\":\"retraction\",\"id\":\"no-fdn-in-segou\",\"retracts\":\"fdn-takes-segou\",\"reason\":\"the report confused two towns\",\"sources\":[\"r1\"]}\n",
    );
    let forward = Db::with(&[OUTSIDE, &retraction]);
    assert_eq!(forward.control("segou-ville", "2023-02-01")["controller"]["id"], "army");
    let before =
        forward.json(&["control", "segou-ville", "--on", "2023-02-01", "--known-at", "seq:16"]);
    assert_eq!(before["controller"]["id"], "north-front");

    let text = std::fs::read_to_string(OUTSIDE).unwrap();
    let (entities, dated): (Vec<&str>, Vec<&str>) =
        text.lines().filter(|l| !l.trim().is_empty()).partition(|l| {
            ["source", "actor", "place"].iter().any(|t| l.contains(&format!("\"type\":\"{t}\"")))
        });
    let reversed: String =
        entities.iter().chain(dated.iter().rev()).map(|l| format!("{l}\n")).collect();
    let reversed = write(dir.path(), "reversed.jsonl", &reversed);
    let backward = Db::with(&[&reversed, &retraction]);

    // Days around every event date of the file, and one inside each uncertain span.
    let days = [
        "2019-12-31",
        "2020-06-01",
        "2023-01-15",
        "2023-03-01",
        "2023-06-15",
        "2023-08-20",
        "2024-01-01",
    ];
    for day in days {
        for place in ["segou-ville", "dire-n", "dire-s", "region-n"] {
            assert_eq!(
                forward.control(place, day),
                backward.control(place, day),
                "{place} on {day}"
            );
        }
    }
    let timeline = |db: &Db| db.json(&["graph", "--dynamic", "--format", "json"]);
    assert_eq!(timeline(&forward), timeline(&backward));
    for db in [&forward, &backward] {
        assert!(db.run(&["verify"]).starts_with("ok: 17 records"));
    }
    // References to stored events are checked by kind, through the id index:
    // a retraction of the stored retraction, and an event citing an actor as a source.
    let bad = write(
        dir.path(),
        "bad-refs.jsonl",
        "{\"type\":\"retraction\",\"id\":\"undo\",\"retracts\":\"no-fdn-in-segou\",\"reason\":\"x\",\"sources\":[\"r1\"]}\n{\"type\":\"control_lost\",\"id\":\"odd\",\"place\":\"segou-ville\",\"actor\":\"army\",\"date\":\"2024-01-01\",\"sources\":[\"army\"]}\n",
    );
    let err = fails(&["--db", forward.p(), "import", &bad]);
    assert!(
        err.contains("bad-refs.jsonl:1: ") && err.contains("retractions cannot be retracted"),
        "{err}"
    );
    assert!(err.contains("bad-refs.jsonl:2: field `sources` names `army`, but no source"), "{err}");
}

/// `annals synth` writes the same file for the same seed, and the file imports
/// cleanly and verifies.
#[test]
fn synth_writes_a_deterministic_log_that_imports_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let said = ok(&["synth", "--events", "3000", "--seed", "9", "-o", &file("a.jsonl")]);
    assert!(said.contains("3000 events") && said.contains("control_taken"), "{said}");
    ok(&["synth", "--events", "3000", "--seed", "9", "-o", &file("b.jsonl")]);
    ok(&["synth", "--events", "3000", "--seed", "10", "-o", &file("c.jsonl")]);
    let read = |name: &str| std::fs::read(file(name)).unwrap();
    assert_eq!(read("a.jsonl"), read("b.jsonl"));
    assert_ne!(read("a.jsonl"), read("c.jsonl"));
    let db = Db::with(&[&file("a.jsonl")]);
    assert!(db.run(&["verify"]).starts_with("ok: 3000 records"));
}

const COUPS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/coups-test.jsonl");

#[test]
fn a_successful_coup_changes_the_government_and_a_failed_one_does_not() {
    let db = Db::with(&[COUPS]);
    let gov = |on: &str| db.json(&["government", "sud", "--on", on]);
    let v = gov("2019-01-01");
    assert_eq!(
        v["state"],
        serde_json::json!({"id": "republic", "kind": "state", "name": "République du Sud"})
    );
    assert_eq!(
        (v["status"].as_str(), v["controller"]["id"].as_str()),
        (Some("controlled"), Some("civilian-gov"))
    );
    let v = gov("2021-01-01");
    assert_eq!(
        (v["controller"]["id"].as_str(), v["event"].as_str(), v["since"].as_str()),
        (Some("committee"), Some("coup-2020"), Some("2020-08-18"))
    );
    // The failed coup changes nothing, inside its month or after.
    for on in ["2022-05-15", "2023-01-01"] {
        assert_eq!(gov(on)["controller"]["id"], "committee", "{on}");
    }
    // An approximate month: uncertain inside it, settled after.
    assert_eq!(gov("2023-07-10")["status"], "uncertain");
    assert_eq!(gov("2023-08-01")["controller"]["id"], "colonels");
    assert_eq!(gov("2013-01-01")["status"], "unknown");
    let text = db.run(&["government", "republic", "--on", "2021-01-01"]);
    assert!(text.starts_with("République du Sud (republic) on 2021-01-01: governed by Military committee (committee), since 2020-08-18"), "{text}");
}

#[test]
fn builtin_chronicle_answers_who_governed_mali() {
    let v = json(&["government", "mali", "--on", "2021-06-01", "--json"]);
    assert_eq!(v["state"]["id"], "mali");
    let text = ok(&["government", "mali", "--on", "2021-06-01"]);
    assert!(text.contains("Assimi Goïta (goita) took power in a coup"), "{text}");
    let text = ok(&["government", "mali", "--on", "2021-01-01"]);
    assert!(text.contains("(transition-government) governs  ["), "{text}");
    assert_eq!(v["status"], "controlled");
    assert!(!v["sources"].as_array().unwrap().is_empty());
}

/// A log written by annals with record format 1 (`fixtures/log/v1-log`) answers
/// exactly like a fresh log of the same events written today (format 2).
#[test]
fn a_format_1_log_answers_like_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("v1-log");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/log/v1-log");
    std::fs::create_dir_all(old.join("blobs")).unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), old.join(entry.file_name())).unwrap();
        }
    }
    let old = Db { _dir: dir, path: old };
    let fresh =
        Db::with(&[concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/graph-test.jsonl")]);
    fresh.run(&[
        "retract",
        "front-takes-fort",
        "--reason",
        "written by format 1 to test upcasting",
    ]);
    assert_eq!(old.export(), fresh.export());
    for day in ["2016-06-01", "2021-12-15", "2023-10-02", "2024-02-01"] {
        assert_eq!(
            old.json(&["graph", "--on", day]),
            fresh.json(&["graph", "--on", day]),
            "graph on {day}"
        );
        assert_eq!(old.control("fort", day), fresh.control("fort", day), "control on {day}");
        assert_eq!(
            old.json(&["government", "republic", "--on", day]),
            fresh.json(&["government", "republic", "--on", day])
        );
    }
    // The new format keeps where records came from; the old one did not know.
    let log = fresh.run(&["log"]);
    assert!(
        log.contains("(import ") && log.contains("graph-test.jsonl)") && log.contains("(retract)"),
        "{log}"
    );
    assert!(!old.run(&["log"]).contains("(import "));
    assert!(old.run(&["verify"]).starts_with("ok: 32 records"));
}

/// A JSONL file is read twice (checked, then stored). If it is another file
/// the second time, the import fails, removes what it staged, and the log
/// is as it was. A named pipe gives the import one text on the first open
/// and, once the import has closed it, another on the second.
#[test]
fn a_file_that_changes_between_the_check_and_the_store_is_not_imported() {
    use std::process::Stdio;
    let db = Db::with(&[]);
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("changing.jsonl");
    let made = Command::new("mkfifo").arg(&pipe).status().expect("mkfifo");
    assert!(made.success());
    let first = "{\"type\":\"actor\",\"id\":\"cma\",\"name\":\"CMA\"}\n{\"type\":\"place\",\"id\":\"bamba\",\"name\":\"Bamba\"}\n";
    let second = first.replace("Bamba", "Bourem");
    let import = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", db.p(), "import", pipe.to_str().unwrap()])
        .env_remove("ANNALS_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Opening for writing waits for the import to open the pipe for reading.
    std::fs::write(&pipe, first).unwrap();
    // Wait until the first pass has closed the pipe, so that the second
    // text is not read as the rest of the first.
    let fds = format!("/proc/{}/fd", import.id());
    let holds_pipe = || {
        std::fs::read_dir(&fds).is_ok_and(|fds| {
            fds.flatten().any(|fd| std::fs::read_link(fd.path()).is_ok_and(|to| to == pipe))
        })
    };
    while holds_pipe() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::fs::write(&pipe, second).unwrap();
    let out = import.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("changed while it was being imported"), "{err}");
    assert!(err.contains("nothing was stored"), "{err}");
    let out = annals(&["--db", db.p(), "verify"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 0 records"));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A place with thousands of control records keeps copies of them together
/// (`verify` counts and checks them), and `control` of it, which reads
/// those copies instead of the log's blocks, answers as a full replay of
/// the log does, on every date asked, after a second import that copies
/// more and leaves a tail uncopied.
#[test]
fn a_busy_place_answers_from_copies_of_its_records_as_a_full_replay_would() {
    use annals_log::Log;
    use annals_replay::World;
    let dir = tempfile::tempdir().unwrap();
    let mut head = String::from(
        "{\"type\":\"source\",\"id\":\"s\",\"title\":\"A report\"}\n\
         {\"type\":\"place\",\"id\":\"hub\",\"name\":\"Hub\"}\n",
    );
    for a in 0..12 {
        head += &format!("{{\"type\":\"actor\",\"id\":\"a{a}\",\"name\":\"Actor {a}\"}}\n");
    }
    // Control changes of one place from 1990 on, a few days apart, with
    // every date precision, some uncertain, and some losses.
    let day = |i: u64| {
        chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(i * 3 + i % 5)
    };
    let line = |i: u64| {
        let day = day(i);
        // Mostly exact days, so that most days asked are decided by one event.
        let date = match i % 50 {
            0 => day.format("%Y-%m").to_string(),
            1 => format!("{}~", day.format("%Y-%m-%d")),
            2 => format!(
                "{}/{}",
                day.format("%Y-%m-%d"),
                (day + chrono::Days::new(2)).format("%Y-%m-%d")
            ),
            _ => day.format("%Y-%m-%d").to_string(),
        };
        let kind = if i.is_multiple_of(11) { "control_lost" } else { "control_taken" };
        format!(
            "{{\"type\":\"{kind}\",\"id\":\"c{i}\",\"place\":\"hub\",\"actor\":\"a{}\",\"date\":\"{date}\",\"sources\":[\"s\"]}}\n",
            (i * 7) % 12
        )
    };
    let first: String = head + &(0..4500).map(line).collect::<String>();
    let second: String = (4500..5200).map(line).collect();
    let first = write(dir.path(), "first.jsonl", &first);
    let second = write(dir.path(), "second.jsonl", &second);
    let third: String = (5200..5300).map(line).collect();
    let third = write(dir.path(), "third.jsonl", &third);
    let db = Db::with(&[&first]);
    let said = db.run(&["verify"]);
    assert!(said.contains("copies: 4500 records of busy places kept together"), "{said}");
    db.run(&["import", &second]);
    let said = db.run(&["verify"]);
    assert!(said.contains("copies: 5200 records of busy places kept together"), "{said}");
    // Too few new ones to copy: the last 100 are read from the log.
    db.run(&["import", &third]);
    assert!(db.run(&["verify"]).contains("copies: 5200 records"));

    let world = {
        let log = Log::open(&db.path).unwrap();
        World::replay(log.iter().map(|r| r.unwrap()))
    };
    let hub = annals_model::PlaceId::new("hub").unwrap();
    // Before, between and after the events, and the days of events of each
    // import, away from those of coarser dates: each decided by that event.
    let mut days: Vec<String> = ["1989-12-31", "2001-01-01", "2040-01-01"].map(String::from).into();
    days.extend([23, 73, 1023, 2223, 4473, 4523, 5173, 5223, 5273].map(|i| day(i).to_string()));
    for day in &days {
        let expected = world.control(&hub, day.parse().unwrap());
        let v = db.control("hub", day);
        assert_eq!(v["status"].as_str(), Some(expected.status.as_str()), "{day}: {v:#}");
        assert_eq!(
            v["controller"]["id"].as_str(),
            expected.controller.as_ref().map(|a| a.as_str()),
            "{day}: {v:#}"
        );
        assert_eq!(v["event"].as_str(), expected.event.as_ref().map(|e| e.as_str()), "{day}");
    }
}
