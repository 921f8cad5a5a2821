//! The identifiers importers give: a state's codes from the catalogue (the
//! same events as the chronicle's, so the two import in any order), UCDP's
//! actor ids, ACLED's actor names; a state another file names by its code
//! is one with the catalogue's.

use std::path::Path;

use serde_json::Value;

use super::{write, Db};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
const CHRONICLE: [&str; 3] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/chronicle.jsonl"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/states.jsonl"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/identifiers.jsonl"),
];

fn data(name: &str) -> Option<String> {
    let path = Path::new(DATA).join(name);
    if path.exists() {
        Some(path.to_str().unwrap().to_string())
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

/// Every stored event, as format v1 lines.
fn events(db: &Db) -> Vec<Value> {
    db.export().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The identifiers events of an actor.
fn identifiers_of<'a>(all: &'a [Value], actor: &str) -> Vec<&'a Value> {
    all.iter().filter(|e| e["type"] == "identifiers" && e["actor"] == actor).collect()
}

/// Powell & Thyne, then UCDP's ACD: Mali bears its codes once; the UCDP
/// actors their ids; importing again stores nothing. After the chronicle,
/// whose codes of Mali are the same event, they store none again and
/// answer for one Mali.
#[test]
fn datasets_give_states_their_codes_and_ucdp_actors_their_ids() {
    let (Some(pt), Some(acd)) =
        (data("powell_thyne_coups_V2022.11.29.csv"), data("ucdp_prio_acd_v22.1.csv"))
    else {
        return;
    };
    let db = Db::with(&[]);
    for file in [&pt, &acd] {
        let done = db.json(&["import", file]);
        assert!(done["appended"].as_u64().unwrap() > 0, "{done:#}");
    }
    let all = events(&db);
    let mali = identifiers_of(&all, "mali");
    assert_eq!(mali.len(), 1, "{mali:#?}");
    assert_eq!(mali[0]["id"], "ids-mali-state-codes");
    assert_eq!(mali[0]["ids"], serde_json::json!({"cow": "432", "gw": "432", "iso3": "MLI"}));
    assert_eq!(
        mali[0]["sources"],
        serde_json::json!(["cow-state-system-2016", "gleditsch-ward-1999", "iso-3166-1"])
    );
    // Germany has two COW codes: both, in two events.
    let germany: Vec<&Value> = identifiers_of(&all, "germany");
    let cow: Vec<&str> = germany.iter().filter_map(|e| e["ids"]["cow"].as_str()).collect();
    assert_eq!(cow, ["255", "260"], "{germany:#?}");
    // The dissidents of the FARC-EP, UCDP actor 7074.
    let farc = identifiers_of(&all, "ucdp-actor-7074");
    assert_eq!(farc.len(), 1, "{farc:#?}");
    assert_eq!(farc[0]["ids"], serde_json::json!({"ucdp-actor": "7074"}));
    assert_eq!(farc[0]["sources"], serde_json::json!(["ucdp-acd"]));

    for file in [&pt, &acd] {
        let again = db.json(&["import", file]);
        assert_eq!(again["appended"], 0, "{again:#}");
    }

    // The chronicle first (as a state's actor must come before a dataset,
    // docs/DATASETS.md): its codes are the catalogue's, stored once.
    let db = Db::with(&CHRONICLE);
    for file in [&pt, &acd] {
        let done = db.json(&["import", file]);
        assert!(done["appended"].as_u64().unwrap() > 0, "{done:#}");
    }
    let all = events(&db);
    let mut mali: Vec<&str> =
        identifiers_of(&all, "mali").iter().map(|e| e["id"].as_str().unwrap()).collect();
    mali.sort();
    assert_eq!(mali, ["ids-mali-state-codes", "ids-mali-wikidata"], "one event of codes");
    let v = db.json(&["government", "mali", "--on", "1980-01-01"]);
    assert_eq!(v["status"], "controlled", "{v:#}");
    assert_eq!(v["state"]["id"], "mali");
    assert!(db.run(&["verify"]).starts_with("ok:"));
}

/// A state another source names under its own id is one with the
/// catalogue's by the code both bear: Powell & Thyne's Mali answers for
/// `etat-malien` without a link.
#[test]
fn a_state_named_by_its_code_elsewhere_is_one_with_the_catalogues() {
    let Some(pt) = data("powell_thyne_coups_V2022.11.29.csv") else { return };
    let db = Db::with(&[&pt]);
    let text = [
        r#"{"type":"source","id":"s","title":"A list of states"}"#,
        r#"{"type":"actor","id":"etat-malien","name":"État malien","kind":"state"}"#,
        r#"{"type":"identifiers","id":"i","actor":"etat-malien","ids":{"cow":"432"},"sources":["s"]}"#,
    ]
    .join("\n");
    let file = write(db.path.parent().unwrap(), "etat.jsonl", &text);
    db.run(&["import", &file]);
    let v = db.json(&["government", "etat-malien", "--on", "1980-01-01"]);
    assert_eq!(v["status"], "controlled", "{v:#}");
    let ids: Vec<&str> =
        v["sources"].as_array().unwrap().iter().filter_map(|s| s["id"].as_str()).collect();
    assert!(ids.iter().any(|s| s.starts_with("powell-thyne")), "{v:#}");
}

/// `link --suggest` on Powell & Thyne and the chronicle suggests no link
/// between two states of the catalogue, nor of a state with anything
/// else: the states are one by their ids and codes already.
#[test]
fn suggested_links_on_powell_thyne_and_the_chronicle_join_no_states() {
    let Some(pt) = data("powell_thyne_coups_V2022.11.29.csv") else { return };
    let db = Db::with(&CHRONICLE);
    db.run(&["import", &pt]);
    let all = events(&db);
    let states: Vec<&str> = all
        .iter()
        .filter(|e| e["type"] == "actor" && e["kind"] == "state")
        .filter_map(|e| e["id"].as_str())
        .collect();
    assert!(states.contains(&"mali") && states.contains(&"france"), "{states:?}");
    let lines = db.run(&["link", "--suggest"]);
    for line in lines.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let actors: Vec<&str> = v["actors"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert!(!actors.iter().any(|a| states.contains(a)), "a link of a state suggested: {line}");
    }
}

/// ACLED's actors bear their ACLED names; its country, the catalogue's
/// ISO code, so the state's identity is reachable from ACLED's places.
#[test]
fn acled_actors_bear_their_names_and_its_country_the_iso_code() {
    let Some(mali) = data("acled_mali_1997-2020_hdx.csv") else { return };
    let db = Db::with(&[]);
    db.run(&["import", "--format", "acled", &mali]);
    let all = events(&db);
    let actors = all.iter().filter(|e| e["type"] == "actor").count();
    let named: Vec<&Value> = all
        .iter()
        .filter(|e| e["type"] == "identifiers" && e["ids"]["acled-actor"].is_string())
        .collect();
    assert!(named.len() >= actors, "{} names for {actors} actors", named.len());
    let forces = "Military Forces of Mali (2012-2013)";
    let one = named.iter().find(|e| e["ids"]["acled-actor"] == forces);
    let one = one.unwrap_or_else(|| panic!("no identifier for {forces}"));
    assert_eq!(one["actor"], "acled:military-forces-of-mali-2012-2013");
    assert_eq!(one["sources"], serde_json::json!(["acled:dataset"]));
    let country: Vec<&Value> =
        all.iter().filter(|e| e["type"] == "identifiers" && e["place"] == "acled:mali").collect();
    assert_eq!(country.len(), 1, "{country:#?}");
    assert_eq!(country[0]["ids"], serde_json::json!({"iso3": "MLI"}));
    // No state is made of ACLED's actors: ACLED names no state.
    assert!(identifiers_of(&all, "mali").is_empty());
    let again = db.json(&["import", "--format", "acled", &mali]);
    assert_eq!(again["appended"], 0, "{again:#}");
}

/// After ACLED's Mali file, the chronicle's country and ACLED's are one
/// place by the ISO code both bear (a name no longer meaning two places),
/// and the state `mali` is still one actor: `government` and `actor`
/// answer for it, the graph draws it once.
#[test]
fn acleds_country_is_one_place_with_the_chronicles_and_the_state_one_actor() {
    let Some(mali) = data("acled_mali_1997-2020_hdx.csv") else { return };
    let db = Db::with(&CHRONICLE);
    db.run(&["import", "--format", "acled", &mali]);
    let country = db.json(&["control", "Mali", "--on", "2016-01-01"]);
    assert_eq!(country["place"]["id"], "mali-country", "{country:#}");
    assert_eq!(country["same_as"], serde_json::json!(["acled:mali", "mali-country"]));
    assert_eq!(
        db.json(&["control", "acled:mali", "--on", "2016-01-01"])["place"]["id"],
        "mali-country"
    );
    let government = db.json(&["government", "Mali", "--on", "2016-01-01"]);
    assert_eq!(government["state"]["id"], "mali", "{government:#}");
    assert_eq!(db.json(&["actor", "Mali", "--on", "2016-01-01"])["actor"]["id"], "mali");
    let graph = db.json(&["graph", "--on", "2016-01-01"]);
    let malis: Vec<&Value> =
        graph["nodes"].as_array().unwrap().iter().filter(|n| n["name"] == "Mali").collect();
    assert_eq!(malis.len(), 1, "{malis:#?}");
    assert_eq!(malis[0]["identifiers"]["iso3"], "MLI", "{malis:#?}");
}
