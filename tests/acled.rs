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

const LEGACY: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/acled_mali_2017-2019_legacy_schema.csv");
const MONADIC: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/acled_mali_2017-2020_monadic.csv");

/// The places `find NAME` lists under the district `district` (an id prefix).
fn places_in(db: &Db, name: &str, district: &str) -> Vec<serde_json::Value> {
    let found = db.json(&["find", name]);
    let places = found["places"].as_array().expect("places listed");
    places.iter().filter(|p| p["id"].as_str().unwrap().starts_with(district)).cloned().collect()
}

/// The ids of the events `history PLACE` lists.
fn history_ids(db: &Db, place: &str) -> Vec<String> {
    let h = db.json(&["history", place]);
    let events = h["events"].as_array().expect("events listed");
    events.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn two_villages_of_one_name_in_one_district_stay_two_places_across_releases() {
    if ![LEGACY, MALI, MONADIC].iter().all(|f| Path::new(f).exists()) {
        eprintln!("skipped: the ACLED Mali files are absent");
        return;
    }
    let db = Db::with(&[]);
    for file in [LEGACY, MALI, MONADIC] {
        db.run(&["import", "--format", "acled", file]);
    }
    // Bandiagara cercle: Kassa's Amba keeps the id, Kendié's (61 km west)
    // is a place of its own, named with its position.
    let kassa = "acled:mali.mopti.bandiagara.amba";
    let kendie = "acled:mali.mopti.bandiagara.amba.14-78n-3-54w";
    let ambas = places_in(&db, "amba", "acled:mali.mopti.bandiagara.amba");
    let ids: Vec<&str> = ambas.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [kassa, kendie], "{ambas:#?}");
    let (k, w) = (&ambas[0], &ambas[1]);
    assert!((k["lon"].as_f64().unwrap() + 2.97).abs() < 0.01, "{k:#}");
    assert!((w["lon"].as_f64().unwrap() + 3.54).abs() < 0.01, "{w:#}");
    // Each names only its own position, so an identifier joins Kassa's
    // Amba with Koro's (the monadic export moved that village to Koro
    // cercle) and never Kendié's with either.
    assert_eq!(w["identifiers"]["acled-location"], "Mali|Amba|14.7827|-3.5372", "{w:#}");
    assert!(!k["identifiers"].to_string().contains("-3.5372"), "{k:#}");
    assert_eq!(k["same_as"], serde_json::json!([kassa, "acled:mali.mopti.koro.amba"]), "{k:#}");
    assert!(w.get("same_as").is_none_or(|s| s.as_array().is_some_and(Vec::is_empty)), "{w:#}");
    // Their histories are their own events.
    let west = history_ids(&db, kendie);
    let east = history_ids(&db, kassa);
    assert!(west.iter().any(|e| e == "acled:mli3895"), "{west:?}");
    assert!(!west.iter().any(|e| e.starts_with("acled:mli1998")), "{west:?}");
    assert!(east.iter().any(|e| e == "acled:mli1998"), "{east:?}");
    assert!(!east.iter().any(|e| e.starts_with("acled:mli3895")), "{east:?}");
    // A name several unlinked places bear is ambiguous, and says which.
    let err = fails(&["--db", db.p(), "control", "amba", "--on", "2020-07-01"]);
    assert!(err.contains(kendie) && err.contains("acled:mali.mopti.douentza.amba"), "{err}");

    // Gao cercle: the older files know one Doro; the monadic export adds a
    // second, 114 km away, which does not take the first one's id.
    let doros = places_in(&db, "doro", "acled:mali.gao.gao.doro");
    let ids: Vec<&str> = doros.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["acled:mali.gao.gao.doro", "acled:mali.gao.gao.doro.15-60n-0-06e"]);
    assert!((doros[0]["lat"].as_f64().unwrap() - 16.1433).abs() < 1e-9, "{doros:#?}");
    let second = history_ids(&db, "acled:mali.gao.gao.doro.15-60n-0-06e");
    // MLI4055 was at Boya in the HDX export: its revision is at Doro.
    assert!(second.iter().any(|e| e == "acled:mli4055:rev.2022-03-04"), "{second:?}");
    let first = history_ids(&db, "acled:mali.gao.gao.doro");
    assert!(first.iter().any(|e| e.starts_with("acled:mli1594")), "{first:?}");
    assert!(!first.iter().any(|e| e.starts_with("acled:mli4055")), "{first:?}");

    // Every release again: nothing new.
    let before = db.export();
    for file in [LEGACY, MALI, MONADIC] {
        let said = db.run(&["import", "--format", "acled", file]);
        assert!(said.starts_with("nothing new"), "{said}");
    }
    assert_eq!(db.export(), before);
}
