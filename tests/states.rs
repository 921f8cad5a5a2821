//! The governments and coups of Mali, Burkina Faso, Niger, Chad, Mauritania,
//! Guinea and Algeria (`fixtures/mali/states.jsonl`, imported after
//! `chronicle.jsonl` into one log): answers at known dates, every line sourced,
//! and a cross-check against the Powell & Thyne and Cline Center coup files read
//! in place from `../shared/data`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use annals_model::{v1, Date, EventKind};
use chrono::NaiveDate;
use serde_json::Value;

use super::Db;

const CHRONICLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/chronicle.jsonl");
const STATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mali/states.jsonl");
const POWELL_THYNE: &str = "powell_thyne_coups_V2022.11.29.csv";
const CLINE: &str = "cline_center_coup_data_v2.0.0.csv";

/// The seven states, as the datasets name them and as the chronicle does.
const STATES_BY_NAME: [(&str, &str); 7] = [
    ("Mali", "mali"),
    ("Burkina Faso", "burkina-faso"),
    ("Niger", "niger"),
    ("Chad", "chad"),
    ("Mauritania", "mauritania"),
    ("Guinea", "guinea"),
    ("Algeria", "algeria"),
];

/// How far (in days) a dataset's date may lie outside an event's date interval.
const SLACK_DAYS: i64 = 5;

fn log() -> Db {
    Db::with(&[CHRONICLE, STATES])
}

/// `government STATE --on DATE --json` must name `governor` as the controller.
#[track_caller]
fn governs(db: &Db, state: &str, on: &str, governor: &str) -> Value {
    let v = db.json(&["government", state, "--on", on]);
    assert_eq!(v["status"], "controlled", "{state} on {on}: {v:#}");
    assert_eq!(v["controller"]["id"], governor, "{state} on {on}: {v:#}");
    assert!(!v["sources"].as_array().unwrap().is_empty(), "{state} on {on}: no sources");
    v
}

#[test]
fn mali_governments_since_independence() {
    let db = log();
    // RFI Savoirs (2020-09-17): Modibo Keïta proclaimed independence on 22 September 1960.
    governs(&db, "mali", "1965-01-01", "modibo-keita-government");
    // Time and AFP (2020-09-15): the coup of 19 November 1968 ended Keïta's rule.
    governs(&db, "mali", "1968-12-01", "cmln");
    // Jeune Afrique via abamako: Moussa Traoré president of the Republic from 19 September 1969.
    governs(&db, "mali", "1980-01-01", "moussa-traore-government");
    // AP (1991-03-26) and AP (1991-07-15): Touré's officers took power and put down
    // the Diabira attempt of 14–15 July, which changed no government.
    let v = governs(&db, "mali", "1991-07-20", "crn-mali");
    assert_eq!(v["event"], "coup-1991-03-26", "{v:#}");
    // Maliweb (2024-06): Konaré sworn in on 8 June 1992.
    governs(&db, "mali", "1995-01-01", "konare-government");
    // Reuters (2021-06-07), from the chronicle: Goïta after the coup of May 2021.
    governs(&db, "mali", "2022-01-01", "goita");
}

#[test]
fn burkina_faso_governments_since_independence() {
    let db = log();
    // Wikipedia: Upper Volta independent on 5 August 1960 under Maurice Yaméogo.
    governs(&db, "burkina-faso", "1961-01-01", "yameogo-government");
    // LeFaso.net (2005-06-08): Lamizana at the head of the state from 3 January 1966;
    // the self-coup of 8 February 1974 kept him there.
    governs(&db, "burkina-faso", "1977-01-01", "sangoule-lamizana");
    // Netafrique, Universalis: Sankara's National Council of the Revolution from 4 August 1983.
    governs(&db, "burkina-faso", "1985-01-01", "cnr-burkina");
    // NPR (2015-09-17): the presidential guard's National Council for Democracy held
    // Ouagadougou; Powell & Thyne and Cline disagree on whether it succeeded.
    let v = governs(&db, "burkina-faso", "2015-09-20", "cnd-burkina");
    assert_eq!(v["claim"], "disputed", "{v:#}");
    // BBC (2015-09-23): Kafando reinstated.
    governs(&db, "burkina-faso", "2015-10-01", "kafando-transition");
    // The Africa Report (2022-01-25): the MPSR of Damiba ousted Kaboré on 24 January 2022.
    governs(&db, "burkina-faso", "2022-06-01", "mpsr");
    // Nord-Sud (2022-09-30), The Times (2022-10-01): Captain Ibrahim Traoré ousted Damiba.
    governs(&db, "burkina-faso", "2022-10-15", "ibrahim-traore");
}

#[test]
fn niger_governments_since_independence() {
    let db = log();
    // The Guardian's archive of 16 April 1974: Kountché's army overthrew Diori.
    governs(&db, "niger", "1980-01-01", "cms-niger");
    // Failed attempts (Bayéré 1976, Bonkano 1983) change no government.
    governs(&db, "niger", "1983-11-01", "cms-niger");
    // Universalis: Ali Saïbou interim chairman of the CMS on 10 November 1987.
    governs(&db, "niger", "1990-01-01", "saibou-government");
    // IRIN (1999-04-12): Wanké's National Reconciliation Council after 9 April 1999.
    governs(&db, "niger", "1999-06-01", "crn-niger");
    // AFP (2021-03-31): the attempt of 31 March failed; Issoufou still governed the next day.
    governs(&db, "niger", "2021-04-01", "issoufou-government");
    // Reuters (2023-07-28): Tiani's CNSP since the coup of 26 July 2023.
    governs(&db, "niger", "2024-01-01", "cnsp-niger");
}

#[test]
fn chad_governments_since_independence() {
    let db = log();
    // TV5Monde: Tombalbaye president at independence, 11 August 1960.
    governs(&db, "chad", "1970-01-01", "tombalbaye-government");
    // Tchadinfos (2021-04-29): Lol Mahamat Choua head of the GUNT from 29 April 1979.
    governs(&db, "chad", "1979-06-01", "lol-mahamat-choua-government");
    // PANA and the Wikipedia translation disagree (29 August or 3 September 1979):
    // between the two the answer is uncertain.
    let v = db.json(&["government", "chad", "--on", "1979-09-01"]);
    assert_eq!(v["status"], "uncertain", "{v:#}");
    // Le N'Djam Post: Habré's FAN took N'Djamena on 7 June 1982.
    governs(&db, "chad", "1985-01-01", "hissene-habre");
    // BBC (2008-02-03): the rebels besieged the palace but Déby held it.
    governs(&db, "chad", "2008-02-10", "idriss-deby");
    // teleSUR (2021-04-20): the Transitional Military Council after Déby's death.
    governs(&db, "chad", "2022-01-01", "cmt");
    // Reuters (2024-05-23): Mahamat Déby sworn in as elected president.
    governs(&db, "chad", "2025-01-01", "mahamat-deby-government");
}

#[test]
fn mauritania_governments_since_independence() {
    let db = log();
    // Rapide Info: Ould Daddah president from independence on 28 November 1960.
    governs(&db, "mauritania", "1970-01-01", "ould-daddah-government");
    // Kampuspedia (French Wikipedia): the CMSN's coup of 6 April 1979.
    governs(&db, "mauritania", "1979-05-01", "cmsn");
    // Universalis: Ould Taya replaced Haidalla on 12 December 1984; the 2003 attempt failed.
    governs(&db, "mauritania", "2004-01-01", "taya");
    // Africalog (AP): Ba Mamadou Mbaré interim president from 15 April 2009.
    governs(&db, "mauritania", "2009-06-01", "mbare-interim");
    // Africanews (2019-08-02): Ghazouani sworn in on 1 August 2019.
    governs(&db, "mauritania", "2020-01-01", "ghazouani-government");
}

#[test]
fn guinea_governments_since_independence() {
    let db = log();
    // Wikipedia: Operation Green Sea failed to topple Sékou Touré in November 1970.
    governs(&db, "guinea", "1970-12-01", "sekou-toure-government");
    // Les Nouvelles d'Afrique (2024-04-04): Conté's coup of 3 April 1984.
    governs(&db, "guinea", "1990-01-01", "lansana-conte");
    // BBC (2009-12-04): Camara was shot, but the CNDD kept power.
    governs(&db, "guinea", "2009-12-10", "cndd");
    // PA-X: the Ouagadougou declaration of 15 January 2010 made Konaté interim president.
    governs(&db, "guinea", "2010-06-01", "konate-interim");
    // AFP (2021-09-05): Doumbouya's CNRD since 5 September 2021.
    governs(&db, "guinea", "2023-01-01", "cnrd");
}

#[test]
fn algeria_governments_since_independence() {
    let db = log();
    // Algérie360: the GPRA arrived in Algiers on 3 July 1962.
    governs(&db, "algeria", "1962-07-20", "gpra");
    // APS: Ben Bella's government invested by the Constituent Assembly (September 1962).
    governs(&db, "algeria", "1963-01-01", "ben-bella-government");
    // Jeune Afrique: Boumediène's Council of the Revolution from 19 June 1965;
    // Zbiri's march of December 1967 failed.
    governs(&db, "algeria", "1970-01-01", "revolutionary-council-algeria");
    // Universalis: the High Council of State under Boudiaf from 14 January 1992.
    governs(&db, "algeria", "1992-04-01", "boudiaf-hce");
    // Leaders (2019-04-02): Bouteflika resigned under the army's pressure.
    governs(&db, "algeria", "2019-04-05", "anp-high-command");
    // TV5Monde (2019-12-19): Tebboune sworn in.
    governs(&db, "algeria", "2020-01-01", "tebboune-government");
}

#[test]
fn every_states_line_cites_a_source_and_redefines_nothing() {
    let chronicle = std::fs::read_to_string(CHRONICLE).unwrap();
    let taken: HashSet<String> =
        chronicle.lines().map(|l| v1::parse_line(l).unwrap().event.id.to_string()).collect();
    let text = std::fs::read_to_string(STATES).unwrap();
    let mut sources = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let at = format!("states.jsonl line {}", i + 1);
        let event = v1::parse_line(line).unwrap_or_else(|e| panic!("{at}: {e}")).event;
        assert!(
            !taken.contains(event.id.as_str()),
            "{at}: `{}` redefines a chronicle id",
            event.id
        );
        if let EventKind::Source { url, .. } = &event.kind {
            assert!(url.as_deref().is_some_and(|u| u.starts_with("http")), "{at}: no URL");
            sources.insert(event.id.to_string());
            continue;
        }
        assert!(!event.sources.is_empty(), "{at} (`{}`) cites no source", event.id);
        for s in &event.sources {
            assert!(sources.contains(s.as_str()), "{at}: source `{s}` is not defined above");
        }
    }
}

/// A `coup` or `government` event of one of the seven states, from the log.
#[derive(Debug)]
struct Change {
    id: String,
    kind: String,
    outcome: Option<String>,
    earliest: NaiveDate,
    latest: NaiveDate,
}

impl Change {
    /// Whether a dataset's day falls within the event's interval, give or take the slack.
    fn near(&self, day: NaiveDate) -> bool {
        (day - self.earliest).num_days() >= -SLACK_DAYS
            && (day - self.latest).num_days() <= SLACK_DAYS
    }
}

/// The coups and governments of each state, as the log exports them.
fn changes(db: &Db) -> BTreeMap<String, Vec<Change>> {
    let mut by_state: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for line in db.export().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let kind = v["type"].as_str().unwrap();
        if kind != "coup" && kind != "government" {
            continue;
        }
        let date: Date = v["date"].as_str().unwrap().parse().unwrap();
        by_state.entry(v["state"].as_str().unwrap().to_string()).or_default().push(Change {
            id: v["id"].as_str().unwrap().to_string(),
            kind: kind.to_string(),
            outcome: v["outcome"].as_str().map(str::to_string),
            earliest: date.earliest(),
            latest: date.latest(),
        });
    }
    by_state
}

/// The directory of the shared datasets: beside the project, or beside the
/// directory of its worktrees. `None` (with a note) when it is absent.
fn shared_data() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = [root.join("../shared/data"), root.join("../../shared/data")]
        .into_iter()
        .find(|d| d.join(POWELL_THYNE).exists() && d.join(CLINE).exists());
    if found.is_none() {
        eprintln!("skipped: ../shared/data (Powell & Thyne, Cline Center) is absent");
    }
    found
}

/// One dataset row for the seven states: (state id, day, what the dataset says).
type Row = (&'static str, NaiveDate, String);

fn state_id(country: &str) -> Option<&'static str> {
    STATES_BY_NAME.iter().find(|(name, _)| *name == country).map(|(_, id)| *id)
}

fn day(year: &str, month: &str, day: &str) -> NaiveDate {
    NaiveDate::from_ymd_opt(year.parse().unwrap(), month.parse().unwrap(), day.parse().unwrap())
        .unwrap()
}

/// Powell & Thyne: country, ccode, ccode_gw, ccode_polity, year, month, day, coup
/// (1 failed, 2 successful), version.
fn powell_thyne(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join(POWELL_THYNE)).unwrap();
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let Some(state) = state_id(f[0]) {
            let what = if f[7] == "2" { "successful" } else { "failed" };
            rows.push((state, day(f[4], f[5], f[6]), format!("Powell & Thyne: {what}")));
        }
    }
    rows
}

/// Cline Center v2.0.0: coup_id, cowcode, country, year, month, day, event_type
/// (coup, attempted, conspiracy), … Conspiracies are left out: they never reached
/// an attempt.
fn cline(dir: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(dir.join(CLINE)).unwrap();
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if let Some(state) = state_id(f[2]) {
            if f[6] != "conspiracy" {
                rows.push((state, day(f[3], f[4], f[5]), format!("Cline: {}", f[6])));
            }
        }
    }
    rows
}

/// Dataset events deliberately not recorded as a `coup`, with the reason; the
/// same list is in `fixtures/mali/README.md`. The reason `GOVERNMENT` means the
/// change is recorded as a `government` event instead, which the test checks.
const GOVERNMENT: &str = "recorded as a government event";
const NOT_A_COUP: [(&str, &str, &str); 11] = [
    ("mali", "1969-08-12", "a plot: the Diby Silas Diarra group was arrested before acting"),
    ("mali", "1978-02-15", "a plot: Tiécoro Bagayoko and Kissima Doukara arrested on 28 February"),
    ("chad", "1971-08-26", "a plot discovered before action (Larousse, Revue Défense nationale)"),
    ("chad", "1989-04-01", "the sources describe a plot and the flight of Djamous and Déby"),
    ("chad", "1991-10-13", "the only source describes Déby accusing Maldom Bada Abbas"),
    ("chad", "1992-06-18", "a plot announced as foiled (Abbas Koty)"),
    ("chad", "1993-01-27", "no source found for an attempt on this date"),
    ("mauritania", "1982-02-06", "no source found for this attempt"),
    ("algeria", "1991-06-06", "state of siege and a new government; the head of state stayed"),
    ("algeria", "1992-07-02", GOVERNMENT),
    ("algeria", "1994-01-31", GOVERNMENT),
];

#[test]
fn every_powell_thyne_successful_coup_has_its_coup_event() {
    let Some(dir) = shared_data() else { return };
    let db = log();
    let changes = changes(&db);
    let mut missing = Vec::new();
    for (state, day, what) in powell_thyne(&dir) {
        if what != "Powell & Thyne: successful" {
            continue;
        }
        let found = changes[state]
            .iter()
            .any(|c| c.kind == "coup" && c.outcome.as_deref() == Some("successful") && c.near(day));
        if !found {
            missing.push(format!("{state} {day}"));
        }
    }
    assert!(
        missing.is_empty(),
        "successful coups in Powell & Thyne with no `coup` event: {missing:?}"
    );
}

#[test]
fn every_dataset_coup_and_attempt_is_recorded_or_explained() {
    let Some(dir) = shared_data() else { return };
    let db = log();
    let changes = changes(&db);
    let mut unexplained = Vec::new();
    let mut explained_but_recorded = Vec::new();
    let rows: Vec<Row> = powell_thyne(&dir).into_iter().chain(cline(&dir)).collect();
    for (state, day, what) in &rows {
        let (state, day) = (*state, *day);
        let coup = changes[state].iter().find(|c| c.kind == "coup" && c.near(day));
        let government = changes[state].iter().find(|c| c.kind == "government" && c.near(day));
        let listed = NOT_A_COUP
            .iter()
            .find(|(s, d, _)| *s == state && d.parse::<NaiveDate>().unwrap() == day)
            .map(|(_, _, why)| *why);
        match (coup, listed) {
            (Some(_), None) => {}
            (Some(c), Some(_)) => {
                explained_but_recorded.push(format!("{state} {day} ({what}): {}", c.id))
            }
            (None, Some(GOVERNMENT)) if government.is_none() => {
                unexplained.push(format!("{state} {day} ({what}): no government event"))
            }
            (None, Some(_)) => {}
            (None, None) => unexplained.push(format!("{state} {day} ({what})")),
        }
    }
    assert!(
        unexplained.is_empty(),
        "dataset events neither recorded nor explained: {unexplained:#?}"
    );
    let stale: Vec<_> = NOT_A_COUP
        .iter()
        .filter(|(s, d, _)| {
            !rows.iter().any(|(rs, rd, _)| rs == s && *rd == d.parse::<NaiveDate>().unwrap())
        })
        .collect();
    assert!(stale.is_empty(), "listed as not recorded, but in neither dataset: {stale:?}");
    assert!(
        explained_but_recorded.is_empty(),
        "listed as not recorded, but a coup event is near: {explained_but_recorded:#?}"
    );
}
