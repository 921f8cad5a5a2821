//! Powell & Thyne and the Cline Center: every coup a `coup` event of a
//! state of the catalogue, by a labelled actor.

use std::collections::{BTreeMap, BTreeSet};

use annals_import::Format;
use annals_model::{parse_day, v1, CoupOutcome, Event, EventKind};
use annals_replay::Status;
use proptest::prelude::*;

use super::{by_type, data, event, import, reads_again_the_same, refused, skipped, world};

const PT_2022: &str = "powell_thyne_coups_V2022.11.29.csv";
const PT_2015: &str = "powell_thyne_coups_final_V2015.05.20.txt";
const CLINE: &str = "cline_center_coup_data_v2.0.0.csv";

fn coups(events: &[Event]) -> BTreeMap<&str, &Event> {
    events.iter().filter(|e| e.kind.type_name() == "coup").map(|e| (e.id.as_str(), e)).collect()
}

fn outcome(e: &Event) -> CoupOutcome {
    match e.kind {
        EventKind::Coup { outcome, .. } => outcome,
        _ => panic!("{} is no coup", e.id),
    }
}

#[test]
fn powell_thyne_2022_every_row_a_coup_and_mali_as_the_sources_list_it() {
    let Some(bytes) = data(PT_2022) else { return };
    let imported = import(Format::PowellThyne, PT_2022, &bytes);
    let coups = coups(&imported.events);
    assert_eq!(imported.rows, 488);
    assert_eq!(coups.len() + skipped(&imported), imported.rows);
    eprintln!("{PT_2022}: {:?}", by_type(&imported.events));
    let mali: Vec<(&str, CoupOutcome)> = coups
        .iter()
        .filter(|(id, _)| id.starts_with("pt-coup-mali-"))
        .map(|(id, e)| (&id["pt-coup-mali-".len()..], outcome(e)))
        .collect();
    use CoupOutcome::*;
    assert_eq!(
        mali,
        [
            ("1968-11-19", Successful),
            ("1978-02-15", Failed),
            ("1991-03-26", Successful),
            ("1991-07-14", Failed),
            ("2012-03-22", Successful),
            ("2012-05-01", Failed),
            ("2020-08-18", Successful),
            ("2021-05-21", Successful),
        ]
    );
    let first = event(&imported.events, "pt-coup-mali-1968-11-19");
    assert_eq!(
        v1::to_line(first),
        r#"{"type":"coup","id":"pt-coup-mali-1968-11-19","state":"mali","perpetrator":"pt-perpetrators-mali-1968-11-19","outcome":"successful","date":"1968-11-19","sources":["powell-thyne"],"note":"Powell & Thyne code this coup attempt successful (2)."}"#
    );
    let who = event(&imported.events, "pt-perpetrators-mali-1968-11-19");
    assert!(
        matches!(&who.kind, EventKind::Actor { name, .. } if name == "the perpetrators of the 1968-11-19 coup in Mali")
    );
    let release = event(&imported.events, "powell-thyne:v2022-11-29");
    assert_eq!(
        v1::to_line(release).split(",\"note\"").next().unwrap(),
        r#"{"type":"source","id":"powell-thyne:v2022-11-29","title":"Powell & Thyne, Global Instances of Coups from 1950 to Present, release V2022.11.29","publisher":"Jonathan M. Powell and Clayton L. Thyne","release":"V2022.11.29","covers":"1950/2022""#
    );
    reads_again_the_same(Format::PowellThyne, PT_2022, &bytes, &imported);
}

/// The governments Powell & Thyne's coups give: Burkina Faso after the
/// coup of 30 September 2022, Mali between 1968 and 1991.
#[test]
fn after_powell_thyne_2022_government_answers_for_burkina_faso_and_mali() {
    let Some(bytes) = data(PT_2022) else { return };
    let imported = import(Format::PowellThyne, PT_2022, &bytes);
    let w = world(&imported.events);
    assert!(w.anomalies().is_empty(), "{:?}", w.anomalies());
    let govern = |state: &str, day: &str| {
        let state = w.resolve_actor(state).unwrap();
        let h = w.government(&state, parse_day(day).unwrap());
        (h.status, h.controller.map(|c| c.as_str().to_string()))
    };
    let by = |id: &str| (Status::Controlled, Some(id.to_string()));
    assert_eq!(govern("Burkina Faso", "2022-10-15"), by("pt-perpetrators-burkina-faso-2022-09-30"));
    assert_eq!(govern("mali", "1980-01-01"), by("pt-perpetrators-mali-1968-11-19"));
    // The failed coup of 1978 changed nothing.
    assert_eq!(govern("mali", "1978-03-01"), by("pt-perpetrators-mali-1968-11-19"));
    assert_eq!(govern("mali", "1992-01-01"), by("pt-perpetrators-mali-1991-03-26"));
    assert_eq!(govern("mali", "1960-01-01").0, Status::Unknown);
}

/// Both releases give one coup they agree on the same event, byte for
/// byte (same id, same dataset source); their differences are counted.
#[test]
fn powell_thyne_releases_agree_byte_for_byte_where_they_agree() {
    let (Some(new), Some(old)) = (data(PT_2022), data(PT_2015)) else { return };
    let new = import(Format::PowellThyne, PT_2022, &new);
    let old_bytes = old;
    let old = import(Format::PowellThyne, PT_2015, &old_bytes);
    assert_eq!(old.rows, 473);
    reads_again_the_same(Format::PowellThyne, PT_2015, &old_bytes, &old);
    let (a, b) = (coups(&old.events), coups(&new.events));
    let same = a.iter().filter(|(id, e)| b.get(*id) == Some(*e)).count();
    let changed: Vec<&str> =
        a.iter().filter(|(id, e)| b.get(*id).is_some_and(|n| n != *e)).map(|(id, _)| *id).collect();
    let only_old: BTreeSet<&str> = a.keys().filter(|id| !b.contains_key(*id)).copied().collect();
    let only_new: BTreeSet<&str> = b.keys().filter(|id| !a.contains_key(*id)).copied().collect();
    let new_before_2015 =
        only_new.iter().filter(|id| id[id.len() - 10..id.len() - 6] <= *"2015").count();
    eprintln!(
        "Powell & Thyne 2015 → 2022: {same} coups identical, {} changed {changed:?}, {} only in 2015 {only_old:?}, {} only in 2022 ({new_before_2015} of them dated 2015 or before)",
        changed.len(),
        only_old.len(),
        only_new.len()
    );
    assert_eq!(changed, ["pt-coup-congo-1968-08-03"]);
    assert_eq!(only_old.len(), 6);
    assert_eq!(same + changed.len() + only_old.len(), a.len());
    assert_eq!(
        event(&old.events, "pt-coup-mali-1968-11-19"),
        event(&new.events, "pt-coup-mali-1968-11-19")
    );
}

#[test]
fn cline_realised_coups_attempts_and_conspiracies() {
    let Some(bytes) = data(CLINE) else { return };
    let imported = import(Format::Cline, CLINE, &bytes);
    let coups = coups(&imported.events);
    assert_eq!(imported.rows, 943);
    assert_eq!(coups.len() + skipped(&imported), imported.rows);
    let mut outcomes = BTreeMap::new();
    for e in coups.values() {
        *outcomes.entry(outcome(e)).or_insert(0) += 1;
    }
    eprintln!("{CLINE}: {:?}, outcomes {outcomes:?}", by_type(&imported.events));
    use CoupOutcome::*;
    assert_eq!(outcomes, BTreeMap::from([(Successful, 426), (Failed, 336), (Conspiracy, 181)]));
    let plot = event(&imported.events, "cline-coup-43202281978");
    assert_eq!(plot.date.unwrap().to_string(), "1978-02-28");
    assert_eq!(outcome(plot), Conspiracy);
    assert_eq!(
        plot.note.as_deref(),
        Some("Cline Center 43202281978: coup plot. By: the military, dissidents, a palace coup. The leader: not harmed.")
    );
    // Cline's codes that are no COW code resolve by the country's name.
    let drc = coups.values().find(|e| e.note.as_deref().unwrap_or("").contains("`480`")).unwrap();
    assert!(matches!(&drc.kind, EventKind::Coup { state, .. } if state.as_str() == "dr-congo"));
    let somalia = event(&imported.events, "cline-coup-52004211970");
    assert!(somalia.note.as_deref().unwrap().contains("the coup_id reads as 1970-04-21"));
    // A conspiracy changes no government: Mali after 1978 is still governed
    // by the perpetrators of 1968.
    let w = world(&imported.events);
    let mali = w.resolve_actor("mali").unwrap();
    let h = w.government(&mali, parse_day("1980-01-01").unwrap());
    assert_eq!(h.controller.unwrap().as_str(), "cline-perpetrators-43211191968");
    reads_again_the_same(Format::Cline, CLINE, &bytes, &imported);
}

const PT_HEADER: &str = "country\tccode\tyear\tmonth\tday\tcoup\tversion\r\n";

#[test]
fn powell_thyne_missing_values_and_bad_rows() {
    let text = format!("{PT_HEADER}\"Mali\"\t432\t1968\t11\tNA\t2\t\"V1\"\r\n\"Varenia\"\t999\t1970\t1\t1\t1\t\"V1\"\r\n");
    let errors = refused(Format::PowellThyne, "pt.txt", text.as_bytes());
    assert_eq!(
        errors,
        ["pt.txt:3: column `ccode`: `999` is no COW state code annals knows, and column `country` (`Varenia`) names no state of its catalogue"]
    );
    let text = format!("{PT_HEADER}\"Mali\"\t432\t1968\tNA\tNA\t2\t\"V1\"\r\n\"Mali\"\t432\t1978\t2\t30\t1\t\"V1\"\r\n\"Mali\"\t432\t1979\t2\t3\t3\t\"V1\"\r\n");
    let errors = refused(Format::PowellThyne, "pt.txt", text.as_bytes());
    assert_eq!(
        errors,
        [
            "pt.txt:3: columns `year`, `month`, `day`: `1978-2-30` is not a date: day 30 does not exist in 1978-02 (it has 28 days)",
            "pt.txt:4: column `coup`: `3` is not a Powell & Thyne outcome (1 failed, 2 successful)",
        ]
    );
    let text = format!("{PT_HEADER}\"Mali\"\t432\t1968\t11\tNA\t2\t\"V1\"\r\n");
    let imported = import(Format::PowellThyne, "pt.txt", text.as_bytes());
    assert_eq!(
        event(&imported.events, "pt-coup-mali-1968-11").date.unwrap().to_string(),
        "1968-11"
    );
    let text = "country,year\nMali,1968\n";
    assert_eq!(
        refused(Format::PowellThyne, "pt.csv", text.as_bytes())[0],
        "pt.csv:1: the header has no column `ccode`, which a Powell & Thyne coup file has"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any row never panics the reader: it is an event or a line-numbered error.
    #[test]
    fn powell_thyne_rows_never_panic(cells in prop::collection::vec("[0-9A-Za-z \"\t,NA-]{0,8}", 0..9)) {
        let text = format!("{PT_HEADER}{}\n", cells.join("\t"));
        match annals_import::read(Format::PowellThyne, "p.txt", text.as_bytes(), &annals_import::Catalog::empty()) {
            Ok(imported) => prop_assert!(imported.rows <= 1),
            Err(errors) => prop_assert!(errors.iter().all(|e| e.line >= 1 && e.line <= 3)),
        }
    }

    /// A well-formed row is the coup it states.
    #[test]
    fn powell_thyne_rows_round_trip(
        code in prop::sample::select(vec![(432u16, "mali"), (439, "burkina-faso"), (437, "cote-d-ivoire"), (2, "united-states")]),
        year in 1950u16..2023, month in 1u8..=12, day in 1u8..=28, successful in any::<bool>(),
    ) {
        let text = format!("{PT_HEADER}\"X\"\t{}\t{year}\t{month}\t{day}\t{}\t\"V9\"\n", code.0, if successful { 2 } else { 1 });
        let imported = import(Format::PowellThyne, "p.txt", text.as_bytes());
        let id = format!("pt-coup-{}-{year:04}-{month:02}-{day:02}", code.1);
        let coup = event(&imported.events, &id);
        let want = if successful { CoupOutcome::Successful } else { CoupOutcome::Failed };
        prop_assert_eq!(outcome(coup), want);
        let state_is = matches!(&coup.kind, EventKind::Coup { state, .. } if state.as_str() == code.1);
        prop_assert!(state_is);
        prop_assert_eq!(coup.date.unwrap().to_string(), format!("{year:04}-{month:02}-{day:02}"));
    }

    #[test]
    fn cline_rows_never_panic(cells in prop::collection::vec("[0-9a-z -]{0,12}", 0..8)) {
        let text = format!("coup_id,cowcode,country,year,month,day,event_type\n{}\n", cells.join(","));
        let _ = annals_import::read(Format::Cline, "c.csv", text.as_bytes(), &annals_import::Catalog::empty());
    }
}
