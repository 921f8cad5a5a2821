//! Ids an importer owns (docs/FORMAT.md, "Ids an importer owns"): a format
//! v1 file may define an entity in `acled:` only in the shape the ACLED
//! importer makes, so that a later ACLED import never takes over an actor,
//! place or source a historian wrote; an export of imported data still
//! imports into a new log.

use std::process::Command;

use super::{write, Db};

const LAYOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/acled-layout-test.csv");

#[test]
fn owned_ids_a_hand_written_acled_entity_is_refused_and_an_export_of_acled_data_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    // An actor of one's own under ACLED's id for the Varenian Liberation
    // Front, with an alias: the ACLED import would attach its events to it.
    let file = write(
        dir.path(),
        "mine.jsonl",
        concat!(
            "{\"type\":\"source\",\"id\":\"notes\",\"title\":\"My notes\"}\n",
            "{\"type\":\"actor\",\"id\":\"acled:vlf-varenian-liberation-front\",\"name\":\"VLF: Varenian Liberation Front\",\"aliases\":[\"VLF\"]}\n",
            "{\"type\":\"source\",\"id\":\"acled:src.my-notes\",\"title\":\"My notes\",\"publisher\":\"Me\"}\n",
        ),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", db.p(), "import", &file])
        .env_remove("ANNALS_DB")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains(&format!(
            "{file}:2: the actor id `acled:vlf-varenian-liberation-front` is in the namespace of \
             the ACLED importer (`acled:`), which takes a stored actor of that id as its own, and \
             this actor is not one it makes (it has aliases); give it an id outside `acled:`, and \
             cite ACLED as a source (`acled:dataset`) or join it to ACLED's with `annals link`"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:3: the source id `acled:src.my-notes`")), "{err}");
    assert!(err.contains("(it has a publisher)"), "{err}");
    assert_eq!(db.export(), "", "nothing was stored");

    // The same actor under an id of one's own is accepted; so is an entity
    // in `acled:` of the shape the importer makes, which it may take over
    // without changing anything it says.
    let fixed = write(
        dir.path(),
        "fixed.jsonl",
        concat!(
            "{\"type\":\"actor\",\"id\":\"vlf\",\"name\":\"VLF: Varenian Liberation Front\",\"aliases\":[\"VLF\"]}\n",
            "{\"type\":\"actor\",\"id\":\"acled:vlf-varenian-liberation-front\",\"name\":\"VLF: Varenian Liberation Front\"}\n",
        ),
    );
    db.run(&["import", &fixed]);
    db.run(&["import", "--format", "acled", LAYOUT]);

    // An export of a log holding ACLED's data imports into a new log, whole.
    let export = db.export();
    assert!(export.contains("\"id\":\"acled:dataset\""), "{export}");
    let again = Db::with(&[]);
    let file = write(dir.path(), "export.jsonl", &export);
    again.run(&["import", &file]);
    assert_eq!(again.export(), export);
    // And once more into the same log: nothing new, nothing refused.
    let said = again.run(&["import", &file]);
    assert!(said.contains("were already stored"), "{said}");
}

/// Every entity the ACLED importer makes from a real export has the shape
/// a format v1 file may give an `acled:` id: the export of the log imports
/// into a new log, whole. (The export is read in place from `../shared`,
/// never copied; the test is skipped where that folder is absent.)
#[test]
fn owned_ids_an_export_of_a_real_acled_import_imports_into_a_new_log() {
    let real = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/acled_mali_1997-2020_hdx.csv");
    if !std::path::Path::new(real).exists() {
        eprintln!("skipped: {real} is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    db.run(&["import", "--format", "acled", real]);
    let export = db.export();
    let again = Db::with(&[]);
    again.run(&["import", &write(dir.path(), "export.jsonl", &export)]);
    assert_eq!(again.export(), export);
}
