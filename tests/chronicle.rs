//! The built-in Mali chronicle (`fixtures/mali/chronicle.jsonl`) answers as the
//! published record says. Each test names the sources its answer rests on (the
//! source ids of the chronicle); the answers are those of the real binary,
//! without `--db`.

use std::collections::HashSet;

use serde_json::Value;

use super::{json, ok};

const CHRONICLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/chronicle.jsonl");

fn control(place: &str, on: &str) -> Value {
    json(&["control", place, "--on", on, "--json"])
}

/// `(status, controller id)` of a place on a date.
fn holder(place: &str, on: &str) -> (String, Option<String>) {
    let v = control(place, on);
    (v["status"].as_str().unwrap().to_string(), v["controller"]["id"].as_str().map(str::to_string))
}

fn controlled_by(place: &str, on: &str, actor: &str) {
    assert_eq!(
        holder(place, on),
        ("controlled".to_string(), Some(actor.to_string())),
        "{place} on {on}: {:#}",
        control(place, on)
    );
}

fn candidates(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["actor"]["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn history_ids(place: &str) -> Vec<String> {
    let v = json(&["history", place, "--json"]);
    v["events"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect()
}

fn lines() -> Vec<Value> {
    std::fs::read_to_string(CHRONICLE)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn relation_ids(actor: &str, on: &str, kind: &str) -> Vec<String> {
    let v = json(&["actor", actor, "--on", on, "--json"]);
    v["relations"][kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["with"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// Kidal, January–July 2013: French troops took the airport
/// (bloomberg-kidal-2013-01-30, reuters-kidal-airport-2013-01-30: "no reports of
/// Malian government troops being in the town"); the town was claimed by the
/// MNLA and by the MIA (f24-kidal-2013-01-28, europe1-kidal-2013-01-28).
#[test]
fn kidal_in_2013_was_not_frances_only_its_airport() {
    let v = control("kidal", "2013-03-01");
    assert_eq!(v["status"], "contested", "{v:#}");
    assert_eq!(candidates(&v), ["mia", "mnla"]);
    controlled_by("kidal-airport", "2013-03-01", "france");
    // France left Kidal in October 2021 (afp-kidal-barkhane-2021-10-12).
    assert_ne!(holder("kidal-airport", "2022-01-01").1.as_deref(), Some("france"));
}

/// The army entered Kidal and its camp no. 1 on Friday 5 July 2013
/// (ap-kidal-army-2013-07-05, afp-kidal-army-2013-07-05, apa-kidal-army-2013-07),
/// and lost the town to the MNLA on 17–18 May 2014 (lemonde-kidal-2014-05-21) and
/// camp no. 1 on 21 May (wiki-kidal-2014-05).
#[test]
fn the_army_entered_kidal_on_5_july_2013_and_lost_it_in_may_2014() {
    controlled_by("kidal", "2013-08-01", "fama");
    assert_eq!(control("kidal", "2013-08-01")["since"], "2013-07-05");
    controlled_by("kidal-camp-1", "2013-08-01", "fama");
    controlled_by("kidal", "2014-06-01", "mnla");
    controlled_by("kidal-camp-1", "2014-06-01", "mnla");
    let taken = json(&["history", "kidal-camp-1", "--json"]);
    let may = taken["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "mnla-takes-kidal-2014-05-21")
        .expect("the 21 May 2014 event is on camp no. 1");
    assert_eq!(may["from"], "fama");
    controlled_by("kidal", "2023-12-01", "fama");
}

/// Timbuktu: the MNLA entered on 1 April 2012 and Ansar Dine drove it out the
/// next day (afp-timbuktu-ansar-dine-2012-04-02, afrik-timbuktu-2012-04-02); the
/// French and Malian troops entered on 28 January 2013 (afp-timbuktu-2013-01-29).
#[test]
fn timbuktu_from_april_2012_was_ansar_dines() {
    controlled_by("timbuktu", "2012-04-01", "mnla");
    controlled_by("timbuktu", "2012-05-01", "ansar-dine");
    assert_eq!(control("timbuktu", "2012-05-01")["since"], "2012-04-02");
    controlled_by("timbuktu", "2013-02-01", "fama");
    // The MNLA lingered at the airport until late June (afp-timbuktu-2012-06).
    controlled_by("timbuktu-airport", "2012-07-15", "ansar-dine");
}

/// Kidal: contested between the MNLA and Ansar Dine from 30 March 2012
/// (reuters-kidal-2012-03-30, afp-kidal-2012-03-30), Ansar Dine's alone after the
/// MNLA was forced out in June (journaldumali-kidal-2012-06,
/// reuters-kidal-airport-2013-01-30, irishtimes-kidal-2013-01).
#[test]
fn kidal_after_june_2012_was_ansar_dines_alone() {
    let v = control("kidal", "2012-05-01");
    assert_eq!(v["status"], "contested");
    assert_eq!(candidates(&v), ["ansar-dine", "mnla"]);
    controlled_by("kidal", "2012-08-01", "ansar-dine");
    controlled_by("kidal", "2013-01-27", "ansar-dine");
}

/// Bourem, 12 September 2023: the CMA claimed the army camp and left the same
/// day; the army held the town and, by its statement of 13 September, the camp
/// (reuters-bourem-2023-09-12, reuters-bourem-update-2023-09-12,
/// fama-bourem-2023-09-13). The town has been the army's since February 2013
/// (afp-bourem-2013-02), the camp since at least November 2017
/// (bamada-bourem-2017-11-03, 7info-bourem-2023-09-12).
#[test]
fn the_bourem_raid_left_the_army_in_place() {
    for day in ["2023-09-11", "2023-09-12", "2023-09-13", "2025-01-01"] {
        controlled_by("bourem", day, "fama");
    }
    controlled_by("bourem-camp", "2023-09-11", "fama");
    assert!(history_ids("bourem").contains(&"cma-attacks-army-bourem-2023-09-12".to_string()));
    assert_eq!(holder("bourem-camp", "2023-09-12"), ("unknown".to_string(), None));
    controlled_by("bourem-camp", "2023-09-14", "fama");
}

/// Léré, 17 September 2023: the CSP held the town and its two camps for hours
/// and withdrew; the army went back to its positions
/// (alwihda-lere-2023-09-18, maliweb-lere-2023-09, pressafrik-lere-2023-09-18).
/// The army held them before the raid (nouvellevoie-lere-2023-09,
/// ivoirweb-lere-2023-09).
#[test]
fn the_lere_raid_left_the_army_in_place() {
    assert_eq!(holder("lere", "2023-09-17").0, "uncertain");
    for place in ["lere", "lere-army-camp", "lere-garde-camp"] {
        controlled_by(place, "2023-09-16", "fama");
        controlled_by(place, "2023-09-20", "fama");
        controlled_by(place, "2024-06-01", "fama");
    }
}

/// Bamba: the army camp was the army's before the CSP raid of 1 October 2023
/// (essor-bamba-2017-06, studiotamani-bamba-2020-04-06) and again after the
/// attackers left with equipment (rfi-bamba-2023-10-01, maliactu-bamba-2023-10).
/// On 1 October itself the CMA's take and withdrawal tie.
#[test]
fn the_bamba_camp_was_the_armys_before_and_after_the_raid() {
    controlled_by("bamba-camp", "2023-09-30", "fama");
    let raid = control("bamba-camp", "2023-10-01");
    assert_eq!(raid["event"], "cma-withdraws-bamba-camp-2023-10-01", "{raid:#}");
    assert!(candidates(&raid).contains(&"cma".to_string()));
    controlled_by("bamba-camp", "2023-10-02", "fama");
    controlled_by("bamba-camp", "2024-06-01", "fama");
    // The town itself has no control event: the sources speak of the camp.
    assert_eq!(holder("bamba", "2023-10-02"), ("unknown".to_string(), None));
    let camp = history_ids("bamba-camp");
    assert!(camp.contains(&"seed-reports-cma-claim-bamba-2023-10-01".to_string()));
    assert!(history_ids("bamba").contains(&"cma-attacks-army-bamba-2023-10-01".to_string()));
}

/// Tessalit: the MNLA took it on 11 March 2012 (reuters-tessalit-2012-03); French
/// and Chadian forces took the town and airfield on 8 February 2013
/// (reuters-tessalit-2013-02-08, afp-tessalit-2013-02-08).
#[test]
fn tessalit_was_taken_by_french_forces_in_february_2013() {
    controlled_by("tessalit", "2012-06-01", "mnla");
    controlled_by("tessalit", "2013-02-08", "france");
    controlled_by("tessalit-airfield", "2013-03-01", "france");
    let later = control("tessalit", "2015-01-01");
    assert_eq!(later["controller"]["id"], "fama", "{later:#}");
    assert_eq!(later["claim"], "claimed");
}

/// MUJAO merged into Al-Mourabitoun on 22 August 2013 (tsa-mourabitoun-2013-08-22,
/// afp-mourabitoun-2013-08); Ansar Dine and Al-Mourabitoun merged into JNIM on
/// 2 March 2017 (menastream-jnim-2017). None of them is at war, or holds a place,
/// under its old name in 2023.
#[test]
fn merged_groups_stop_fighting_and_holding_under_their_old_names() {
    assert!(relation_ids("mujao", "2013-08-01", "hostile_to").contains(&"fama".to_string()));
    for group in ["mujao", "ansar-dine", "al-mourabitoun"] {
        assert_eq!(
            relation_ids(group, "2023-10-02", "hostile_to"),
            Vec::<String>::new(),
            "{group}"
        );
        assert_eq!(relation_ids(group, "2023-10-02", "controls"), Vec::<String>::new(), "{group}");
    }
    // Each says it was dissolved, into whom, and on what sources.
    for (group, into, event) in [
        ("mujao", "al-mourabitoun", "mujao-dissolved-into-al-mourabitoun-2013-08-22"),
        ("ansar-dine", "jnim", "ansar-dine-dissolved-into-jnim-2017-03-02"),
        ("al-mourabitoun", "jnim", "al-mourabitoun-dissolved-into-jnim-2017-03-02"),
    ] {
        let v = json(&["actor", group, "--on", "2023-10-02", "--json"]);
        let d = &v["dissolved"][0];
        assert_eq!((d["into"]["id"].as_str(), d["event"].as_str()), (Some(into), Some(event)));
        assert!(d["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "menastream-jnim-2017" || s["id"] == "tsa-mourabitoun-2013-08-22"));
        assert_eq!(d["later_events"], serde_json::json!([]), "{group}");
        let text = ok(&["actor", group, "--on", "2023-10-02"]);
        assert!(text.contains(&format!("dissolved {}", &d["date"].as_str().unwrap())), "{text}");
    }
    // Before its dissolution the actor answer says nothing of it.
    assert_eq!(
        json(&["actor", "mujao", "--on", "2013-08-21", "--json"])["dissolved"],
        serde_json::json!([])
    );
}

/// The CSP-DPA and its groups dissolved into the Azawad Liberation Front on
/// 30 November 2024 (afp-fla-2024-11-30, rfi-fla-2024-12-02): the CSP's hold on
/// Tinzaouaten (malitribune-tinzaouaten-2024-10-08) passes to the FLA, and the CMA
/// no longer fights or allies under its name.
#[test]
fn the_csp_and_its_groups_hand_over_to_the_fla_in_november_2024() {
    controlled_by("tinzaouaten", "2024-11-29", "csp-psd");
    let after = control("tinzaouaten", "2024-11-30");
    assert_eq!(after["controller"]["id"], "fla", "{after:#}");
    assert_eq!(after["event"], "csp-psd-dissolved-into-fla-2024-11-30");
    for group in ["cma", "csp-psd", "mnla", "hcua"] {
        let v = json(&["actor", group, "--on", "2025-01-01", "--json"]);
        let live: usize =
            v["relations"].as_object().unwrap().values().map(|r| r.as_array().unwrap().len()).sum();
        assert_eq!(live, 0, "{group}: {v:#}");
        assert_eq!(v["dissolved"][0]["into"]["id"], "fla", "{group}");
    }
    // The disputed ones say so.
    let gatia = json(&["actor", "gatia", "--on", "2025-01-01", "--json"]);
    assert_eq!(gatia["dissolved"][0]["claim"], "disputed");
}

/// `diff` shows every change within its window, also those that cancel out:
/// on 1 October 2023 the CMA entered the Bamba camp (rfi-bamba-2023-10-01,
/// reuters-bamba-claim-2023-10-01) and left it the same day
/// (cma-withdraws-bamba-camp-2023-10-01); the army's hold ended and began again
/// on 2 October (maliactu-bamba-2023-10). The diff is not empty, though the
/// changes cancel out.
#[test]
fn the_diff_around_the_bamba_raid_shows_the_entry_and_the_departure() {
    let v = json(&["diff", "--from", "2023-09-30", "--to", "2023-10-02", "--json"]);
    let changes: Vec<(String, String, String, String, bool)> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["target"] == "bamba-camp")
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (s("date"), s("change"), s("source"), s("event"), c["cancelled"].as_bool().unwrap())
        })
        .collect();
    let row = |date: &str, change: &str, who: &str, event: &str| {
        (date.to_string(), change.to_string(), who.to_string(), event.to_string(), true)
    };
    assert_eq!(
        changes,
        [
            row("2023-10-01", "began", "cma", "rfi-witnesses-cma-in-bamba-camp-2023-10-01"),
            row("2023-10-01", "ended", "fama", "cma-claims-bamba-camp-2023-10-01"),
            row("2023-10-01", "ended", "cma", "cma-withdraws-bamba-camp-2023-10-01"),
            row("2023-10-02", "began", "fama", "fama-back-in-bamba-camp-2023-10-02"),
        ]
    );
    let text = ok(&["diff", "--from", "2023-09-30", "--to", "2023-10-02"]);
    assert!(text.contains("(undone within the window)"), "{text}");
    assert!(text.contains("began controls Coordination of Azawad Movements (cma)"), "{text}");
    // A window that keeps the army's return out leaves its end standing.
    let v = json(&["diff", "--from", "2023-09-30", "--to", "2023-10-01", "--json"]);
    let fama_end = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"] == "fama" && c["target"] == "bamba-camp")
        .unwrap();
    assert_eq!(fama_end["cancelled"], false);
}

/// `diff` reports dissolutions settled within its window (afp-cnsp-dissolved-2021-01-26).
#[test]
fn the_diff_of_january_2021_reports_the_cnsps_dissolution() {
    let v = json(&["diff", "--from", "2021-01-01", "--to", "2021-01-31", "--json"]);
    let ids: Vec<&str> =
        v["dissolved"].as_array().unwrap().iter().map(|d| d["event"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cnsp-dissolved-2021-01-18"]);
    let ended = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["source"] == "goita" && c["target"] == "cnsp" && c["change"] == "ended");
    assert!(ended, "{v:#}");
}

/// The CNSP was dissolved by the decree of 18 January 2021
/// (afp-cnsp-dissolved-2021-01-26, walf-cnsp-dissolved-2021-01-27).
#[test]
fn the_cnsp_has_no_member_and_holds_nothing_after_january_2021() {
    assert_eq!(relation_ids("cnsp", "2020-10-01", "members"), ["goita"]);
    assert_eq!(relation_ids("cnsp", "2023-01-01", "members"), Vec::<String>::new());
    assert_eq!(relation_ids("cnsp", "2023-01-01", "controls"), Vec::<String>::new());
    // It is in no bloc after its dissolution.
    let blocs = json(&["blocs", "--on", "2023-01-01", "--json"]);
    let members: Vec<&str> = blocs["blocs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b.as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()))
        .collect();
    assert!(!members.contains(&"cnsp"), "{blocs:#}");
    let v = json(&["actor", "cnsp", "--on", "2023-01-01", "--json"]);
    assert_eq!(v["dissolved"][0]["event"], "cnsp-dissolved-2021-01-18");
    assert_eq!(v["dissolved"][0]["into"], Value::Null);
}

/// Konna, January 2013: the army's claim of 11 January was denied by France
/// (reuters-konna-2013-01-11, afp-konna-2013-01-15) and confirmed on 17–18
/// January (afp-konna-2013-01-18).
#[test]
fn konna_records_the_disputed_claim_and_the_confirmed_retake() {
    let v = control("konna", "2013-01-10");
    assert_eq!(v["status"], "contested");
    assert_eq!(candidates(&v), ["ansar-dine", "mujao"]);
    let claim = control("konna", "2013-01-13");
    assert_eq!(claim["claim"], "disputed", "{claim:#}");
    let confirmed = control("konna", "2013-01-20");
    assert_eq!(confirmed["claim"], "confirmed");
    assert_eq!(confirmed["controller"]["id"], "fama");
}

/// Ménaka changed hands seven times from 2012 to 2015 (afp-menaka-2012-11-19,
/// afp-menaka-2013-02-05, afp-kidal-menaka-un-2014-05-22,
/// rfi-menaka-gatia-2015-04-27, rfi-menaka-army-2015-06).
#[test]
fn menakas_history_runs_from_the_mnla_to_the_army() {
    controlled_by("menaka", "2012-12-01", "mujao");
    let niger_troops = control("menaka", "2013-01-30");
    assert_eq!(niger_troops["status"], "uncertain", "{niger_troops:#}");
    assert_eq!(niger_troops["before"]["controller"]["id"], "afisma");
    controlled_by("menaka", "2013-03-01", "mnla");
    controlled_by("menaka", "2015-05-01", "gatia");
    controlled_by("menaka", "2015-07-01", "fama");
    assert!(history_ids("menaka").len() >= 10);
}

#[test]
fn every_place_has_coordinates_and_a_region() {
    let places: Vec<Value> = lines().into_iter().filter(|l| l["type"] == "place").collect();
    assert!(places.len() >= 60, "{} places", places.len());
    let ids: HashSet<&str> = places.iter().map(|p| p["id"].as_str().unwrap()).collect();
    for p in &places {
        let id = p["id"].as_str().unwrap();
        let (lat, lon) = (p["lat"].as_f64(), p["lon"].as_f64());
        assert!(lat.is_some() && lon.is_some(), "place `{id}` has no coordinates");
        let (lat, lon) = (lat.unwrap(), lon.unwrap());
        // Mali lies between 10°N and 25°N, 12.5°W and 4.5°E.
        assert!(
            (10.0..=25.0).contains(&lat) && (-12.5..=4.5).contains(&lon),
            "`{id}`: {lat}, {lon}"
        );
        if p["kind"] != "country" {
            let within =
                p["within"].as_str().unwrap_or_else(|| panic!("place `{id}` is within nothing"));
            assert!(ids.contains(within), "`{id}` is within unknown `{within}`");
        }
        assert!(!p["sources"].as_array().unwrap().is_empty(), "place `{id}` cites no source");
    }
}

#[test]
fn every_source_has_a_url_and_every_claim_its_claimant() {
    for l in lines() {
        let id = l["id"].as_str().unwrap_or("");
        if l["type"] == "source" {
            let url = l["url"].as_str().unwrap_or_else(|| panic!("source `{id}` has no url"));
            assert!(url.starts_with("http://") || url.starts_with("https://"), "`{id}`: {url}");
        }
        if l["claim"] == "claimed" {
            assert!(l["claimed_by"].is_string(), "`{id}` is claimed by nobody");
        }
    }
}

#[test]
fn the_foreign_forces_have_their_dates() {
    let text = ok(&["actor", "mali", "--on", "2013-03-01"]);
    for force in ["afisma", "eutm-mali", "france"] {
        assert!(text.contains(&format!("({force})")), "{force} missing on 2013-03-01:\n{text}");
    }
    let later = ok(&["actor", "mali", "--on", "2021-01-01"]);
    assert!(later.contains("(takuba)") && later.contains("(minusma)"), "{later}");
    assert!(!later.contains("(afisma)"), "{later}");
    let last = ok(&["actor", "mali", "--on", "2025-07-01"]);
    assert!(last.contains("(africa-corps)") && !last.contains("(eutm-mali)"), "{last}");
}

fn fixture_lines(name: &str) -> Vec<Value> {
    let path = format!("{}/fixtures/mali/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
        .collect()
}

#[test]
fn every_identifiers_line_names_a_chronicle_entity_and_a_source_showing_it() {
    let ids_file = fixture_lines("identifiers.jsonl");
    let all: Vec<Value> = [fixture_lines("chronicle.jsonl"), fixture_lines("states.jsonl")]
        .concat()
        .into_iter()
        .chain(ids_file.iter().cloned())
        .collect();
    let of_type = |ty: &str| -> HashSet<String> {
        all.iter()
            .filter(|l| l["type"] == ty)
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (actors, places) = (of_type("actor"), of_type("place"));
    let sources: std::collections::HashMap<&str, &Value> = all
        .iter()
        .filter(|l| l["type"] == "source")
        .map(|l| (l["id"].as_str().unwrap(), l))
        .collect();
    // (kind, scheme, value) -> entity: two entities of one kind with one
    // identifier would be linked into one.
    let mut bearer: std::collections::HashMap<(&str, String, String), String> = Default::default();
    let mut with_wikidata = HashSet::new();
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/mali/identifiers.jsonl"
    ))
    .unwrap();
    for (text, l) in raw.lines().zip(&ids_file) {
        let parsed = annals_model::v1::parse_line(text)
            .unwrap_or_else(|e| panic!("identifiers.jsonl does not parse: {e}: {text}"));
        let ty = l["type"].as_str().unwrap();
        if ty == "source" {
            let url = l["url"].as_str().unwrap_or_else(|| panic!("source without url: {text}"));
            assert!(url.starts_with("https://") || url.starts_with("http://"), "{text}");
            continue;
        }
        assert_eq!(ty, "identifiers", "identifiers.jsonl holds sources and identifiers only");
        assert!(!parsed.derived_id, "every identifiers line has an id of its own: {text}");
        let (kind, entity, known) = match (l["actor"].as_str(), l["place"].as_str()) {
            (Some(a), None) => ("actor", a, &actors),
            (None, Some(p)) => ("place", p, &places),
            _ => panic!("{text}"),
        };
        assert!(known.contains(entity), "{entity} is no {kind} of the chronicle: {text}");
        let cited = l["sources"].as_array().unwrap_or_else(|| panic!("no sources: {text}"));
        assert!(!cited.is_empty(), "{text}");
        for s in cited {
            let s = s.as_str().unwrap();
            let source = sources.get(s).unwrap_or_else(|| panic!("source {s} is in no file"));
            let url = source["url"].as_str().unwrap_or_else(|| panic!("{s} has no url"));
            assert!(url.starts_with("https://") || url.starts_with("http://"), "{s}: {url}");
        }
        for (scheme, value) in l["ids"].as_object().unwrap() {
            let value = value.as_str().unwrap().to_string();
            if scheme == "wikidata" {
                with_wikidata.insert((kind, entity));
            }
            let other =
                bearer.entry((kind, scheme.clone(), value.clone())).or_insert(entity.into());
            assert_eq!(other, entity, "{scheme} {value} names both {other} and {entity}");
        }
    }
    assert!(with_wikidata.len() >= 20, "{} entities with a Wikidata id", with_wikidata.len());
    for state in ["mali", "burkina-faso", "niger", "chad", "mauritania", "guinea", "algeria"] {
        assert!(bearer.contains_key(&("actor", "cow".into(), state_code(state))), "{state}");
    }
}

/// The COW code of a state in the built-in catalogue (`crates/model/data/states.csv`).
fn state_code(state: &str) -> String {
    let csv = include_str!("../crates/model/data/states.csv");
    let row = csv.lines().find(|r| r.split(',').next() == Some(state)).unwrap();
    row.split(',').nth(1).unwrap().to_string()
}

#[test]
fn the_built_in_chronicle_holds_the_identifiers_and_verifies_clean() {
    let exported = ok(&["export", "--format", "jsonl"]);
    let ids: HashSet<String> = exported
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["type"] == "identifiers")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    let wanted = fixture_lines("identifiers.jsonl");
    let wanted: HashSet<String> = wanted
        .iter()
        .filter(|l| l["type"] == "identifiers")
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!wanted.is_empty());
    assert_eq!(ids, wanted, "the built-in chronicle's identifiers are those of identifiers.jsonl");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/");
    let files =
        ["chronicle.jsonl", "states.jsonl", "identifiers.jsonl"].map(|f| fixtures.to_string() + f);
    let db = super::Db::with(&files.iter().map(String::as_str).collect::<Vec<_>>());
    let verified = db.json(&["verify"]);
    assert_eq!(verified["ok"], true, "{verified:#}");
    assert_eq!(verified["problems"].as_array().map(Vec::len), Some(0), "{verified:#}");
}

/// What the chronicle covers, checked against the list a historian of the Mali
/// war asks about first: at least 60 places, every event citing a source line
/// of the chronicle or of `states.jsonl`, a control event on each place of the
/// 2012 fall of the north, the January 2013 front and Operation Serval, the 2014
/// Kidal fighting, the 2023 camps, Kidal 2023 and Tinzaouaten 2024; Ménaka's
/// whole history; a government and coups for each of the seven states; the
/// foreign forces with their start (and end, for those that ended); and the
/// coalitions of the armed groups.
#[test]
fn the_chronicle_covers_what_a_historian_asks_first() {
    let states = fixture_lines("states.jsonl");
    let all: Vec<Value> = lines().into_iter().chain(states.iter().cloned()).collect();
    let sources: HashSet<&str> =
        all.iter().filter(|l| l["type"] == "source").map(|l| l["id"].as_str().unwrap()).collect();
    let places = all.iter().filter(|l| l["type"] == "place").count();
    assert!(places >= 60, "{places} places");
    for l in &all {
        if ["source", "actor", "place"].contains(&l["type"].as_str().unwrap()) {
            continue;
        }
        let id = l["id"].as_str().unwrap_or("?");
        let cited = l["sources"].as_array().unwrap_or_else(|| panic!("`{id}` cites no source"));
        assert!(!cited.is_empty(), "`{id}` cites no source");
        for s in cited {
            assert!(sources.contains(s.as_str().unwrap()), "`{id}` cites unknown source {s}");
        }
    }
    // (place, the date's prefix): a control event on that place in that period.
    let control: Vec<(&str, &str)> = all
        .iter()
        .filter(|l| l["type"] == "control_taken" || l["type"] == "control_lost")
        .map(|l| (l["place"].as_str().unwrap(), l["date"].as_str().unwrap()))
        .collect();
    let wanted = [
        // The fall of the north, 2012.
        ("aguelhok-camp", "2012-01"),
        ("anderamboukane", "2012-01"),
        ("tinzaouaten", "2012-02"),
        ("anefis", "2012-03"),
        ("bourem", "2012-03"),
        ("ansongo", "2012-03"),
        ("amachach-camp", "2012-03"),
        ("kidal", "2012-03"),
        ("gao", "2012-03"),
        ("timbuktu", "2012-04"),
        ("douentza", "2012-04"),
        ("gao", "2012-06"),
        ("ansongo", "2012-06"),
        ("ber", "2012-04"),
        ("lere", "2012-11"),
        // The January 2013 front and Operation Serval.
        ("konna", "2013-01"),
        ("diabaly", "2013-01"),
        ("gao", "2013-01"),
        ("timbuktu", "2013-01"),
        ("kidal-airport", "2013-01"),
        ("aguelhok", "2013-02"),
        ("tessalit", "2013-02"),
        ("ber", "2013-05"),
        ("kidal", "2013-07"),
        // Kidal, May 2014.
        ("kidal", "2014-05"),
        ("kidal-camp-1", "2014-05"),
        // The 2023 camps, Kidal 2023, Tinzaouaten 2024.
        ("ber-camp", "2023-08"),
        ("bourem-camp", "2023-09"),
        ("lere-army-camp", "2023-09"),
        ("bamba-camp", "2023-10"),
        ("tessalit-camp", "2023-10"),
        ("aguelhok-un-camp", "2023-10"),
        ("anefis", "2023-10"),
        ("kidal-un-camp", "2023-10"),
        ("kidal", "2023-11"),
        ("tinzaouaten", "2024-07"),
    ];
    for (place, period) in wanted {
        assert!(
            control.iter().any(|(p, d)| *p == place && d.starts_with(period)),
            "no control event on `{place}` in {period}"
        );
    }
    let menaka: HashSet<&str> =
        control.iter().filter(|(p, _)| *p == "menaka").map(|(_, d)| &d[..4]).collect();
    for year in ["2012", "2013", "2014", "2015"] {
        assert!(menaka.contains(year), "Ménaka has no control event in {year}");
    }
    for state in ["mali", "burkina-faso", "niger", "chad", "mauritania", "guinea", "algeria"] {
        let of = |ty: &str| all.iter().filter(|l| l["type"] == ty && l["state"] == state).count();
        assert!(of("government") >= 1 && of("coup") >= 2, "{state}: governments and coups");
    }
    for (force, ended) in [
        ("afisma", true),
        ("minusma", true),
        ("eutm-mali", true),
        ("takuba", true),
        ("wagner", true),
        ("africa-corps", false),
    ] {
        let has = |ty: &str| all.iter().any(|l| l["type"] == ty && l["intervener"] == force);
        assert!(has("intervention_began"), "{force} never began");
        assert_eq!(has("intervention_ended"), ended, "{force}'s end");
    }
    for operation in ["Operation Serval", "Operation Barkhane"] {
        for ty in ["intervention_began", "intervention_ended"] {
            assert!(
                all.iter().any(|l| l["type"] == ty && l["operation"] == operation),
                "{operation}: no {ty}"
            );
        }
    }
    for coalition in ["cma", "plateforme", "csp-psd", "jnim", "fla"] {
        let members = all
            .iter()
            .filter(|l| l["type"] == "membership_began" && l["group"] == coalition)
            .count();
        assert!(members >= 2, "{coalition} has {members} members");
    }
}

/// ACLED's Mali file, read in place from `../shared/data` (ACLED's terms forbid
/// copying it); `None`, with a note, when the folder is absent.
fn acled_mali() -> Option<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = "acled_mali_1997-2020_hdx.csv";
    let found = [root.join("../shared/data"), root.join("../../shared/data")]
        .into_iter()
        .map(|d| d.join(name))
        .find(|f| f.exists());
    if found.is_none() {
        eprintln!("skipped: ../shared/data/{name} is absent");
    }
    found.map(|f| std::fs::read_to_string(f).unwrap())
}

/// The records of a CSV text: fields split on commas outside double quotes,
/// `""` inside quotes standing for one quote, records ending at a newline
/// outside quotes.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// A place name without case, accents, spaces, hyphens or apostrophes.
fn name_key(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'à' | 'â' => 'a',
            'î' | 'ï' => 'i',
            'ô' => 'o',
            'û' | 'ü' => 'u',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Great-circle distance in km.
fn km((lat1, lon1): (f64, f64), (lat2, lon2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// Every town of the chronicle that ACLED's Mali file locates (by its name or
/// an alias) lies within 10 km of ACLED's nearest location row of that name;
/// the distances are printed (`--nocapture`). Ménaka once carried its cercle's
/// coordinates, 87 km from the town; Ber and Tinzaouaten carried those of a
/// battle, 14 and 19 km off.
#[test]
fn every_town_lies_where_acled_locates_it() {
    let Some(text) = acled_mali() else { return };
    let records = csv_records(&text);
    let header = &records[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (location, lat, lon) = (col("location"), col("latitude"), col("longitude"));
    // Row 2 is the HXL tag row.
    let rows: Vec<(String, (f64, f64))> = records[2..]
        .iter()
        .filter(|r| r.len() == header.len())
        .map(|r| (name_key(&r[location]), (r[lat].parse().unwrap(), r[lon].parse().unwrap())))
        .collect();
    assert!(rows.len() > 3_000, "{} ACLED rows", rows.len());
    let mut located = 0;
    for p in lines().iter().filter(|l| l["type"] == "place" && l["kind"] == "town") {
        let id = p["id"].as_str().unwrap();
        let at = (p["lat"].as_f64().unwrap(), p["lon"].as_f64().unwrap());
        let names: HashSet<String> = std::iter::once(&p["name"])
            .chain(p["aliases"].as_array().into_iter().flatten())
            .map(|n| name_key(n.as_str().unwrap()))
            .collect();
        let nearest = rows
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(_, there)| km(at, *there))
            .min_by(f64::total_cmp);
        match nearest {
            Some(d) => {
                eprintln!("{id:<16} {d:6.1} km from ACLED");
                assert!(d <= 10.0, "`{id}` lies {d:.1} km from ACLED's location of it");
                located += 1;
            }
            None => eprintln!("{id:<16} not in ACLED's Mali file"),
        }
    }
    assert!(located >= 20, "only {located} towns found in ACLED's file");
}
