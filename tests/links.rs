//! `same_as` links end to end: the chronicle and a real ACLED export in one
//! log, a name that still means several places, a link made by hand and
//! honoured at `--known-at`, its retraction, and `link --suggest`.

use std::path::Path;

use serde_json::Value;

use super::{fails, schema, Db};

const CHRONICLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/chronicle.jsonl");
const MALI: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/acled_mali_1997-2020_hdx.csv");
const ACLED_BAMBA: &str = "acled:mali.gao.bourem.bamba";

fn chronicle_and_acled() -> Option<Db> {
    if !Path::new(MALI).exists() {
        eprintln!("skipped: {MALI} is absent");
        return None;
    }
    let db = Db::with(&[CHRONICLE]);
    db.run(&["import", "--format", "acled", MALI]);
    Some(db)
}

#[test]
fn a_link_makes_the_chronicles_bamba_and_acleds_one_place_until_it_is_retracted() {
    let Some(db) = chronicle_and_acled() else { return };
    // Unlinked: the chronicle's `bamba` answers alone (it has no control
    // event of its own before 2023) and says that other places bear its name.
    let before = db.control("bamba", "2016-01-01");
    assert_eq!(before["status"], "unknown", "{before:#}");
    let namesakes = before["namesakes"].as_array().expect("namesakes listed");
    assert!(namesakes.iter().any(|n| n == ACLED_BAMBA), "{before:#}");
    let text = db.run(&["control", "bamba", "--on", "2016-01-01"]);
    assert!(text.contains("not linked") && text.contains(ACLED_BAMBA), "{text}");

    let review = db.path.with_file_name("review.jsonl");
    std::fs::write(
        &review,
        "{\"type\":\"source\",\"id\":\"review\",\"title\":\"Review of ACLED's places against the chronicle\"}\n",
    )
    .unwrap();
    db.run(&["import", review.to_str().unwrap()]);
    let just_before = chrono::Utc::now().to_rfc3339();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let said = db.run(&["link", "bamba", ACLED_BAMBA, "--source", "review"]);
    assert!(said.starts_with("linked bamba, acled:mali.gao.bourem.bamba as one"), "{said}");

    // Linked: the answer rests on ACLED's events too (GATIA since 2014).
    let after = db.control("bamba", "2016-01-01");
    assert_eq!(after["status"], "controlled", "{after:#}");
    assert!(after["controller"]["name"].as_str().unwrap().contains("GATIA"), "{after:#}");
    assert_eq!(after["same_as"], serde_json::json!(["acled:mali.gao.bourem.bamba", "bamba"]));
    assert!(!after["namesakes"].as_array().unwrap().iter().any(|n| n == ACLED_BAMBA));
    assert_eq!(db.control(ACLED_BAMBA, "2016-01-01")["place"]["id"], "bamba");
    schema::validate(&[
        ("control", "control bamba, unlinked".into(), before.clone()),
        ("control", "control bamba, linked".into(), after.clone()),
    ]);

    // As the log knew it before the link: as before.
    let then: Value =
        db.json(&["control", "bamba", "--on", "2016-01-01", "--known-at", &just_before]);
    assert_eq!(then["status"], before["status"], "{then:#}");

    // Retracted: as if never linked.
    let link = db.json(&["link", "bamba", ACLED_BAMBA, "--source", "review"]);
    assert_eq!(link["stored"], false, "the same link again stores nothing: {link:#}");
    let id = link["link"].as_str().unwrap();
    db.run(&["retract", id, "--reason", "linked in error"]);
    assert_eq!(db.control("bamba", "2016-01-01"), before);
}

#[test]
fn a_link_of_unknown_ids_or_of_an_actor_with_a_place_is_refused() {
    let db = Db::with(&[CHRONICLE]);
    let err =
        fails(&["--db", db.p(), "link", "bamba", "atlantis", "--source", "alwihda-bamba-2023-10"]);
    assert!(err.contains("`atlantis`"), "{err}");
    let err =
        fails(&["--db", db.p(), "link", "bamba", "fama", "--source", "alwihda-bamba-2023-10"]);
    assert!(err.contains("actors or places, not both"), "{err}");
    let err = fails(&["--db", db.p(), "link", "bamba", "bamba-camp"]);
    assert!(err.contains("--source"), "{err}");
}

#[test]
fn suggested_links_join_the_chronicles_towns_with_acleds_places_of_the_same_name() {
    let Some(db) = chronicle_and_acled() else { return };
    let lines = db.run(&["link", "--suggest"]);
    let suggested: Vec<Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let places: Vec<Vec<String>> = suggested
        .iter()
        .filter_map(|s| s["places"].as_array())
        .map(|p| p.iter().map(|id| id.as_str().unwrap().to_string()).collect())
        .collect();
    for town in ["bamba", "kidal", "timbuktu", "gao", "aguelhok", "bourem", "lere"] {
        assert!(
            places.iter().any(|p| p.contains(&town.to_string()) && p.iter().any(|i| i.starts_with("acled:"))),
            "{town} not suggested: {places:?}"
        );
    }
    // Nothing absurd: Bamba of Koro (Mopti), 320 km away, is not Bamba of Bourem.
    assert!(
        !places.iter().any(|p| p.contains(&"acled:mali.mopti.koro.bamba".to_string())),
        "{places:?}"
    );
    // Every suggestion is a line of format v1 that imports as it is.
    let file = db.path.with_file_name("suggested.jsonl");
    std::fs::write(&file, &lines).unwrap();
    db.run(&["import", file.to_str().unwrap()]);
    assert_eq!(db.run(&["link", "--suggest"]), "", "imported, nothing is left to suggest");
    assert_eq!(
        db.control("timbuktu", "2016-01-01")["same_as"][0],
        "acled:mali.tombouctou.tombouctou.timbuktu"
    );
}

/// Two fictional ACLED files in ACLED's layout: the same town, at the same
/// coordinates, in one region in the first file and in another in the
/// second (as ACLED moved Ménaka from the Gao region to its own).
fn acled_file(id: &str, date: &str, admin1: &str, actor: &str) -> String {
    let header = "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,timestamp,iso3";
    format!(
        "{header}\n1,999,{id},1,{date},{},1,Battles,Non-state actor overtakes territory,{actor},,2,Military Forces of Varenia (2010-),,1,12,Western Africa,Varenia,{admin1},Ubbo,,Sabra,17.1000,-1.5000,1,Radio Kessa,Subnational,\"{actor} took Sabra.\",0,1614900000,VAR\n",
        &date[..4]
    )
}

#[test]
fn an_acled_town_moved_to_another_region_stays_one_place() {
    let db = Db::with(&[]);
    let dir = db.path.parent().unwrap().to_path_buf();
    let first = dir.join("first.csv");
    let second = dir.join("second.csv");
    std::fs::write(
        &first,
        acled_file("VAR1", "2019-03-05", "Kessa", "VLF: Varenian Liberation Front"),
    )
    .unwrap();
    std::fs::write(
        &second,
        acled_file("VAR2", "2020-06-01", "Ubbo Region", "Varenian Islamic Movement"),
    )
    .unwrap();
    db.run(&["import", "--format", "acled", first.to_str().unwrap()]);
    db.run(&["import", "--format", "acled", second.to_str().unwrap()]);
    let old = "acled:varenia.kessa.ubbo.sabra";
    let new = "acled:varenia.ubbo-region.ubbo.sabra";
    let v = db.control(old, "2020-12-31");
    assert_eq!(v["same_as"], serde_json::json!([old, new]), "{v:#}");
    assert_eq!(v["controller"]["name"], "Varenian Islamic Movement", "{v:#}");
    assert_eq!(
        db.control(new, "2019-12-31")["controller"]["name"],
        "VLF: Varenian Liberation Front"
    );
    assert!(db.run(&["verify"]).starts_with("ok:"));
}

/// Powell & Thyne name states by the built-in catalogue's ids, as the
/// chronicle does: Mali in both is one state without a hand-made link.
#[test]
fn powell_and_thyne_and_the_chronicle_answer_for_one_mali_without_a_link() {
    let pt =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/powell_thyne_coups_V2022.11.29.csv");
    if !Path::new(pt).exists() {
        eprintln!("skipped: {pt} is absent");
        return;
    }
    let states = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/states.jsonl");
    let db = Db::with(&[CHRONICLE, states]);
    db.run(&["import", pt]);
    let v = db.json(&["government", "mali", "--on", "1980-01-01"]);
    assert_eq!(v["status"], "controlled", "{v:#}");
    assert_eq!(v["state"]["id"], "mali");
    // The coups of both sources are on one timeline: the chronicle's and
    // the dataset's account of 19 November 1968.
    let history = db.json(&["history", "mali"]);
    let events = history["events"].as_array().unwrap();
    let on_1968_11_19 =
        |e: &&Value| e["date"].as_str().is_some_and(|d| d.starts_with("1968-11-19"));
    let sources: Vec<String> = events
        .iter()
        .filter(on_1968_11_19)
        .flat_map(|e| {
            e["sources"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(sources.iter().any(|s| s.starts_with("powell-thyne")), "{sources:?}");
    assert!(sources.iter().any(|s| !s.starts_with("powell-thyne")), "{sources:?}");
}

/// `control` of an ACLED log, which always holds links (ACLED's location
/// identifiers join places), and of the chronicle linked with it, answers
/// from the place snapshot's records (a world far smaller than the log)
/// exactly as a full replay does: the place a name or id resolves to, the
/// answer, and the namesakes, now and as the log
/// knew it before the link was made.
#[test]
fn control_under_links_answers_from_the_snapshot_as_a_full_replay_does() {
    use annals_app::{answer, resolve_place, Annals, Silent};
    use annals_model::KnownAt;

    let Some(db) = chronicle_and_acled() else { return };
    let review = db.path.with_file_name("review.jsonl");
    std::fs::write(&review, "{\"type\":\"source\",\"id\":\"review\",\"title\":\"Review\"}\n")
        .unwrap();
    db.run(&["import", review.to_str().unwrap()]);
    let before_link = chrono::Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(20));
    db.run(&["link", "bamba", ACLED_BAMBA, "--source", "review"]);

    let annals = Annals::open(Some(&db.path), chrono::Utc::now(), Box::new(Silent)).unwrap();
    let full = annals.replay(None).unwrap();
    // Every place in a linked set, the chronicle's places, a sample of the
    // others, and their names.
    let mut queries: Vec<String> = Vec::new();
    for (i, p) in full.places().enumerate() {
        if !full.linked_places(&p.id).is_empty() || !p.id.as_str().contains(':') || i % 100 == 0 {
            queries.push(p.id.to_string());
            queries.push(p.name.clone());
        }
    }
    let linked = full.places().filter(|p| !full.linked_places(&p.id).is_empty()).count();
    assert!(linked >= 4, "ACLED's identifiers and the link join places: {linked}");
    let days = ["2012-06-01", "2016-01-01", "2020-01-01"].map(|d| d.parse().unwrap());
    for known_at in [None, Some(KnownAt::Time(before_link))] {
        let then = known_at.as_ref().map(|k| annals.replay(Some(k)).unwrap());
        let world = then.as_ref().unwrap_or(&full);
        for query in &queries {
            // A name several unlinked places bear is refused, by a full
            // replay that words the error.
            let Ok(place) = resolve_place(world, query) else { continue };
            let (found, gathered, namesakes) =
                annals.control_world(query, known_at.as_ref()).unwrap();
            assert_eq!(found, place, "{query} known at {known_at:?}");
            assert!(
                gathered.len() * 4 < world.len(),
                "{query}: {} of {} records",
                gathered.len(),
                world.len()
            );
            let got = annals.place_namesakes(&namesakes, &gathered, &place, known_at.as_ref());
            assert_eq!(got.unwrap(), world.place_namesakes(&place), "{query}");
            for day in days {
                // The places within come from a full replay either way.
                let shown = |w: &annals_replay::World| {
                    answer::control_with_within(w, &place, &w.control(&place, day), Vec::new())
                };
                assert_eq!(
                    shown(&gathered),
                    shown(world),
                    "{query} on {day} known at {known_at:?}"
                );
            }
        }
    }
}

/// An `identifiers` line that gives one scheme twice is refused, naming the
/// line and the scheme, with the exit code of bad input, and nothing of the
/// file is stored (JSON readers disagree on which value would count).
#[test]
fn an_identifier_scheme_given_twice_is_refused_with_its_line() {
    let db = Db::with(&[CHRONICLE]);
    let before = db.export();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("twice.jsonl");
    std::fs::write(
        &bad,
        "{\"type\":\"identifiers\",\"id\":\"ids-kidal\",\"place\":\"kidal\",\"ids\":{\"geonames\":\"2455290\"},\"sources\":[\"alwihda-bamba-2023-10\"]}\n\
         {\"type\":\"identifiers\",\"id\":\"ids-gao\",\"place\":\"gao\",\"ids\":{\"wikidata\":\"Q1\",\"wikidata\":\"Q2\"},\"sources\":[\"alwihda-bamba-2023-10\"]}\n",
    )
    .unwrap();
    let out = super::annals(&["--db", db.p(), "import", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("twice.jsonl:2: field `ids`: the scheme `wikidata` is given twice"),
        "{err}"
    );
    assert_eq!(db.export(), before, "nothing stored");
}

/// A map draws a set of linked places once, under the id its answers use,
/// with its ids in `same_as` and the answer that rests on the events of
/// each: the map of a day and the map over time.
#[test]
fn a_map_draws_linked_places_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = super::write(
        dir.path(),
        "linked.jsonl",
        concat!(
            "{\"type\":\"source\",\"id\":\"s\",\"title\":\"Report\"}\n",
            "{\"type\":\"actor\",\"id\":\"a\",\"name\":\"Group A\"}\n",
            "{\"type\":\"place\",\"id\":\"tessit\",\"name\":\"Tessit\",\"sources\":[\"s\"]}\n",
            "{\"type\":\"place\",\"id\":\"gazetteer:tessit\",\"name\":\"Tessit\",\"lat\":15.01,\"lon\":0.97,\"sources\":[\"s\"]}\n",
            "{\"type\":\"place\",\"id\":\"far\",\"name\":\"Far\",\"lat\":16.0,\"lon\":1.0,\"sources\":[\"s\"]}\n",
            "{\"type\":\"same_as\",\"places\":[\"tessit\",\"gazetteer:tessit\"],\"sources\":[\"s\"]}\n",
            "{\"type\":\"control_taken\",\"place\":\"gazetteer:tessit\",\"actor\":\"a\",\"date\":\"2020-01-01\",\"sources\":[\"s\"]}\n",
        ),
    );
    let db = Db::with(&[&log]);
    let day: Value =
        serde_json::from_str(&db.run(&["graph", "--on", "2021-01-01", "--format", "geojson"]))
            .unwrap();
    let features = day["features"].as_array().unwrap();
    let ids: Vec<&str> = features.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["far", "tessit"], "{day:#}");
    let tessit = &features[1];
    // Drawn where the linked place that has coordinates lies.
    assert_eq!(tessit["geometry"]["coordinates"], serde_json::json!([0.97, 15.01]));
    let p = &tessit["properties"];
    assert_eq!(p["same_as"], serde_json::json!(["gazetteer:tessit", "tessit"]));
    assert_eq!((&p["status"], &p["controller"]["id"]), (&"controlled".into(), &"a".into()));
    assert!(features[0]["properties"].get("same_as").is_none());
    assert_eq!(day["without_coordinates"], 0);
    schema::validate(&[("map", "map of linked places".into(), day.clone())]);

    let timeline: Value =
        serde_json::from_str(&db.run(&["graph", "--dynamic", "--format", "geojson"])).unwrap();
    let drawn: Vec<(&str, &Value)> = timeline["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["properties"]["id"].as_str().unwrap(), &f["properties"]["controller"]))
        .collect();
    assert_eq!(drawn.len(), 2, "{timeline:#}");
    assert_eq!(drawn[0], ("far", &Value::Null));
    assert_eq!((drawn[1].0, &drawn[1].1["id"]), ("tessit", &"a".into()));
}

/// `find` shows what links and identifiers say of each entity it finds:
/// its set's ids in `same_as`, its identifiers by scheme; nothing for an
/// entity without them.
#[test]
fn find_shows_an_entitys_links_and_identifiers() {
    let dir = tempfile::tempdir().unwrap();
    let log = super::write(
        dir.path(),
        "linked.jsonl",
        concat!(
            "{\"type\":\"source\",\"id\":\"s\",\"title\":\"Report\"}\n",
            "{\"type\":\"actor\",\"id\":\"mnla\",\"name\":\"MNLA\"}\n",
            "{\"type\":\"actor\",\"id\":\"gazetteer:mnla\",\"name\":\"MNLA\"}\n",
            "{\"type\":\"place\",\"id\":\"tessit\",\"name\":\"Tessit\",\"sources\":[\"s\"]}\n",
            "{\"type\":\"place\",\"id\":\"tessalit\",\"name\":\"Tessalit\",\"sources\":[\"s\"]}\n",
            "{\"type\":\"same_as\",\"actors\":[\"mnla\",\"gazetteer:mnla\"],\"sources\":[\"s\"]}\n",
            "{\"type\":\"identifiers\",\"place\":\"tessit\",\"ids\":{\"geonames\":\"2449893\"},\"sources\":[\"s\"]}\n",
        ),
    );
    let db = Db::with(&[&log]);
    let found: Value = serde_json::from_str(&db.run(&["--json", "find", "tess"])).unwrap();
    let places = found["places"].as_array().unwrap();
    let place = |id: &str| places.iter().find(|p| p["id"] == id).unwrap();
    assert_eq!(place("tessit")["identifiers"], serde_json::json!({"geonames": "2449893"}));
    assert!(place("tessit").get("same_as").is_none(), "{found:#}");
    assert!(place("tessalit").get("identifiers").is_none(), "{found:#}");
    let found: Value = serde_json::from_str(&db.run(&["--json", "find", "mnla"])).unwrap();
    let actors = found["actors"].as_array().unwrap();
    assert_eq!(actors.len(), 2, "{found:#}");
    for actor in actors {
        assert_eq!(actor["same_as"], serde_json::json!(["gazetteer:mnla", "mnla"]), "{found:#}");
    }
    schema::validate(&[("found", "find of linked entities".into(), found)]);
}
