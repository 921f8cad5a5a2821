//! `annals import` of a dataset's releases, end to end on the real files of
//! `../shared/data` (read in place; each test skips, saying so, when the
//! folder is absent): a newer release revises and drops in one import,
//! `--known-at` before it answers as the older release did, the same
//! release again stores nothing, and an older release after a newer one
//! changes nothing.

use std::path::Path;

use serde_json::Value;

use super::Db;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// The data file `name`, or `None` (and a note) when the folder is absent.
fn data(name: &str) -> Option<String> {
    let path = Path::new(DATA).join(name);
    if path.exists() {
        Some(path.to_str().unwrap().to_string())
    } else {
        eprintln!("skipped: {DATA} is absent");
        None
    }
}

/// Every record of the log, as `log --json` prints them.
fn records(db: &Db) -> Vec<Value> {
    db.run(&["--json", "log"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// When the last record was stored: `--known-at` this answers as the log
/// stood then.
fn last_recorded(db: &Db) -> String {
    records(db).last().unwrap()["recorded_at"].as_str().unwrap().to_string()
}

fn import(db: &Db, file: &str) -> Value {
    db.json(&["import", file])
}

/// The record of event `id`.
fn record(all: &[Value], id: &str) -> Value {
    all.iter().find(|r| r["event"]["id"] == id).unwrap_or_else(|| panic!("no {id}")).clone()
}

#[test]
fn powell_thyne_2022_revises_and_drops_what_2015_said() {
    let (Some(old), Some(new)) = (
        data("powell_thyne_coups_final_V2015.05.20.txt"),
        data("powell_thyne_coups_V2022.11.29.csv"),
    ) else {
        return;
    };
    let db = Db::with(&[&old]);
    let before = last_recorded(&db);
    let congo = |known: Option<&str>| {
        let mut args = vec!["government", "congo-brazzaville", "--on", "1968-08-10"];
        args.extend(known.map(|k| ["--known-at", k]).into_iter().flatten());
        db.json(&args)
    };
    // 2015: the coup of 1968-08-03 succeeded.
    assert_eq!(congo(None)["event"], "pt-coup-congo-1968-08-03", "{:#}", congo(None));

    let done = import(&db, &new);
    assert_eq!(done["release"], "V2022.11.29", "{done:#}");
    // Congo 1968-08-03 successful → failed; six coups only in 2015, all
    // within the years 2022 covers.
    assert_eq!((done["revised"].as_u64(), done["dropped"].as_u64()), (Some(1), Some(6)));
    assert_eq!(done["unchanged"], 466, "{done:#}");
    // Each revision is two records, each drop one.
    assert_eq!(done["appended"].as_u64().unwrap(), done["new"].as_u64().unwrap() + 2 + 6);
    assert!(db.run(&["verify"]).starts_with("ok: "));

    // 2022: it failed, so the government of 1968-08-10 is an older one ...
    let now = congo(None);
    assert_ne!(now["event"], "pt-coup-congo-1968-08-03", "{now:#}");
    // ... and as the log knew it before, it is 2015's answer.
    let then = congo(Some(&before));
    assert_eq!(then["event"], "pt-coup-congo-1968-08-03", "{then:#}");
    assert_eq!(then["controller"]["id"], "pt-perpetrators-congo-1968-08-03", "{then:#}");

    // The versions: the old one revised by a retraction that names the new.
    let all = records(&db);
    let old_coup = record(&all, "pt-coup-congo-1968-08-03");
    assert_eq!(old_coup["replaced_by"], "pt-coup-congo-1968-08-03:rev.v2022-11-29");
    let revision = record(&all, old_coup["retracted_by"].as_str().unwrap());
    assert_eq!(revision["event"]["reason"], "revised in release V2022.11.29");
    assert_eq!(revision["event"]["sources"][0], "powell-thyne:v2022-11-29");
    let new_coup = record(&all, "pt-coup-congo-1968-08-03:rev.v2022-11-29");
    assert_eq!(new_coup["event"]["outcome"], "failed");
    let dropped = record(&all, "pt-coup-uganda-1966-02-22");
    let by = record(&all, dropped["retracted_by"].as_str().unwrap());
    assert_eq!(by["event"]["reason"], "dropped in release V2022.11.29");
    // `history` shows both versions, the old one marked with the new one.
    let history = db.run(&["history", "congo-brazzaville"]);
    let mark = format!(
        "REVISED by {}: new version pt-coup-congo-1968-08-03:rev.v2022-11-29",
        revision["event"]["id"].as_str().unwrap()
    );
    assert!(history.contains(&mark), "{history}");

    // The same release again, and the older one again: nothing stored.
    for file in [&new, &old] {
        let again = import(&db, file);
        assert_eq!((again["appended"].as_u64(), again["revised"].as_u64()), (Some(0), Some(0)));
    }
    assert_eq!(records(&db).len(), all.len());
}

#[test]
fn an_older_release_after_a_newer_one_changes_nothing() {
    let (Some(old), Some(new)) = (
        data("powell_thyne_coups_final_V2015.05.20.txt"),
        data("powell_thyne_coups_V2022.11.29.csv"),
    ) else {
        return;
    };
    let db = Db::with(&[&new]);
    let stored = records(&db).len();
    let answer = db.json(&["government", "congo-brazzaville", "--on", "1968-08-10"]);
    let done = import(&db, &old);
    assert_eq!(done["appended"], 0, "{done:#}");
    assert_eq!(done["release"], "V2015.05.20");
    assert_eq!(done["newer_stored"], "V2022.11.29");
    let text = db.run(&["import", &old]);
    assert!(
        text.starts_with("nothing stored from ")
            && text.contains("the log holds the newer release V2022.11.29"),
        "{text}"
    );
    assert_eq!(records(&db).len(), stored);
    assert_eq!(db.json(&["government", "congo-brazzaville", "--on", "1968-08-10"]), answer);
}

#[test]
fn ucdp_acd_22_1_revises_21_1_and_known_at_answers_as_21_1() {
    let (Some(old), Some(new)) = (data("ucdp_prio_acd_v21.1.csv"), data("ucdp_prio_acd_v22.1.csv"))
    else {
        return;
    };
    let db = Db::with(&[&old]);
    let before = last_recorded(&db);
    let done = import(&db, &new);
    assert_eq!(done["release"], "22.1");
    assert_eq!((done["revised"].as_u64(), done["dropped"].as_u64()), (Some(46), Some(27)));
    // 2,703 events, and the UCDP ids of the 554 actors both releases name.
    assert_eq!(done["unchanged"], 2703 + 554, "{done:#}");
    assert!(db.run(&["verify"]).starts_with("ok: "));
    // UCDP 22.1 dates the hostilities of FARC-EP's successor dissidents
    // (actor 7074) with Colombia from 2000, 21.1 from 2004.
    let hostile = |known: Option<&str>| {
        let mut args = vec!["actor", "ucdp-actor-7074", "--on", "2002-06-01"];
        args.extend(known.map(|k| ["--known-at", k]).into_iter().flatten());
        let v = db.json(&args);
        v["relations"]["hostile_to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["with"]["id"] == "colombia")
    };
    assert!(hostile(None));
    assert!(!hostile(Some(&before)));
    let again = import(&db, &new);
    assert_eq!(again["appended"], 0, "{again:#}");
    let older = import(&db, &old);
    assert_eq!(older["appended"], 0, "{older:#}");
}

/// ACLED's Mali exports are three releases of one country's data, told
/// apart by the last day an event of each was modified: the pre-2019
/// schema file (2019-03-01), HDX's (2020-08-03) and the monadic one
/// (2022-03-04). Each covers its own days; a later one revises the events
/// of the days it covers and says nothing of the others.
#[test]
fn acled_mali_exports_import_as_releases_in_the_order_acled_made_them() {
    let (Some(legacy), Some(hdx), Some(monadic)) = (
        data("acled_mali_2017-2019_legacy_schema.csv"),
        data("acled_mali_1997-2020_hdx.csv"),
        data("acled_mali_2017-2020_monadic.csv"),
    ) else {
        return;
    };
    let db = Db::with(&[&legacy]);
    let done = import(&db, &hdx);
    assert_eq!(done["release"], "2020-08-03");
    // Every event both hold differs (the legacy schema's event types are in
    // the notes); 20 of the legacy events are not in HDX's file.
    assert_eq!((done["revised"].as_u64(), done["dropped"].as_u64()), (Some(1076), Some(20)));
    let second = last_recorded(&db);
    let done = import(&db, &monadic);
    assert_eq!(done["release"], "2022-03-04");
    assert_eq!((done["revised"].as_u64(), done["dropped"].as_u64()), (Some(1193), Some(1)));
    assert!(db.run(&["verify"]).starts_with("ok: "));
    // The monadic file covers 2017-2020: HDX's events before 2017 stand,
    // and so do those of other countries' files.
    let all = records(&db);
    let early: Vec<&Value> = all
        .iter()
        .filter(|r| r["event"]["id"].as_str().unwrap().starts_with("acled:mli"))
        .filter(|r| r["event"]["date"].as_str().is_some_and(|d| d < "2017"))
        .collect();
    assert_eq!(early.len(), 953, "events before 2017");
    assert!(early.iter().all(|r| r["retracted_by"].is_null()));
    // An event moved from Gao region to Ménaka region between releases: as
    // the log knew it after HDX's file, it was at Tamalat in Gao region.
    let revised = record(&all, "acled:mli2665:rev.2022-03-04");
    assert_eq!(revised["event"]["place"], "acled:mali.menaka.anderamboukane.tamalat");
    let earlier = record(&all, "acled:mli2665:rev.2020-08-03");
    assert_eq!(earlier["replaced_by"], "acled:mli2665:rev.2022-03-04", "{earlier:#}");
    let tamalat = |known: Option<&str>| {
        let mut args = vec!["history", "acled:mali.gao.menaka.tamalat"];
        args.extend(known.map(|k| ["--known-at", k]).into_iter().flatten());
        let v = db.json(&args);
        let events = v["events"].as_array().unwrap().clone();
        events
            .iter()
            .any(|e| e["id"] == "acled:mli2665:rev.2020-08-03" && e["retracted_by"].is_null())
    };
    assert!(tamalat(Some(&second)));
    assert!(!tamalat(None));
    // Older releases again: nothing.
    for file in [&hdx, &legacy, &monadic] {
        assert_eq!(import(&db, file)["appended"], 0);
    }
    // HDX's file after the monadic one, in a new log: an older release.
    let other = Db::with(&[&monadic]);
    let done = import(&other, &hdx);
    assert_eq!(
        (done["appended"].as_u64(), done["newer_stored"].as_str()),
        (Some(0), Some("2022-03-04"))
    );
}

/// ATOP's member and alliance files are two tables of one release whose
/// version cells read `4.01` and `4.0100002`; the second is no newer
/// release, which would drop the first one's events (or, the other way
/// round, store nothing). A file that shares no event with the log is
/// another part of the dataset, imported as any file.
#[test]
fn two_tables_of_one_dataset_are_no_releases_of_each_other() {
    let (Some(member), Some(alliance)) =
        (data("atop_v4.01_member_level.csv"), data("atop_v4.01_alliance_level.csv"))
    else {
        return;
    };
    for (first, second) in [(&member, &alliance), (&alliance, &member)] {
        let db = Db::with(&[first]);
        let done = import(&db, second);
        assert!(done["new"].as_u64().unwrap() > 900, "{done:#}");
        assert_eq!((done["revised"].as_u64(), done["dropped"].as_u64()), (Some(0), Some(0)));
        assert!(done["release"].is_null() && done["newer_stored"].is_null(), "{done:#}");
    }
}
