//! `annals import --format acled` end to end: a real ACLED export from
//! `../shared/data` (read in place, never copied: ACLED's terms), and a small
//! file in ACLED's layout written for these tests.

use std::path::Path;

use super::{fails, Db};

const LAYOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/acled-layout-test.csv");
const MALI: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/acled_mali_1997-2020_hdx.csv");

#[test]
fn a_real_acled_export_imports_and_control_answers_on_its_places() {
    if !Path::new(MALI).exists() {
        eprintln!("skipped: {MALI} is absent");
        return;
    }
    let db = Db::with(&[]);
    let said = db.run(&["import", "--format", "acled", MALI]);
    assert!(
        said.starts_with("imported ") && said.contains("not imported: 889 ACLED events"),
        "{said}"
    );
    // Bamba in Bourem cercle (Gao), not the Bamba of Koro cercle (Mopti).
    let v = db.control("acled:mali.gao.bourem.bamba", "2015-01-01");
    assert_eq!(v["status"], "controlled", "{v:#}");
    assert!(v["controller"]["name"].as_str().unwrap().contains("GATIA"), "{v:#}");
    assert_eq!(v["sources"][0]["id"], "acled:dataset");
    let err = fails(&["--db", db.p(), "control", "bamba", "--on", "2015-01-01"]);
    assert!(
        err.contains("acled:mali.gao.bourem.bamba") && err.contains("acled:mali.mopti.koro.bamba"),
        "{err}"
    );
    // Re-import stores nothing.
    let before = db.export();
    let again = db.run(&["import", "--format", "acled", MALI]);
    assert!(again.starts_with("nothing new"), "{again}");
    assert_eq!(db.export(), before);
}

#[test]
fn a_broken_acled_row_names_its_line_and_stores_nothing() {
    let db = Db::with(&[]);
    db.run(&["import", "--format", "acled", LAYOUT]);
    let before = db.export();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(LAYOUT).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines[2].contains("2021-03-05"));
    lines[2] = lines[2].replacen("2021-03-05", "2021-02-30", 1);
    let bad = super::write(dir.path(), "bad.csv", &(lines.join("\n") + "\n"));
    let err = fails(&["--db", db.p(), "import", "--format", "acled", &bad]);
    assert!(err.contains("bad.csv:3: column `event_date`"), "{err}");
    assert!(err.contains("nothing was stored"), "{err}");
    assert_eq!(db.export(), before);
}
