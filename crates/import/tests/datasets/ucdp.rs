//! The UCDP datasets: hostilities per dyad and episode (or run of years),
//! interventions from the secondary warring parties, one-sided violence as
//! year-dated attacks.

use std::collections::{BTreeMap, BTreeSet};

use annals_import::Format;
use annals_model::{v1, Event, EventKind};

use super::{by_type, data, event, import, reads_again_the_same, world};

const ACD_21: &str = "ucdp_prio_acd_v21.1.csv";
const ACD_22: &str = "ucdp_prio_acd_v22.1.csv";
const NON_STATE: &str = "ucdp_nonstate_v22.1.csv";
const ONE_SIDED: &str = "ucdp_onesided_v21.1.csv";
const BRD: &str = "ucdp_brd_dyadic_v21.1.csv";

fn summary(name: &str, imported: &annals_import::Imported) {
    eprintln!(
        "{name}: {} rows, {:?}, skipped {:?}",
        imported.rows,
        by_type(&imported.events),
        imported.skipped
    );
}

#[test]
fn acd_22_mali_dyads_and_the_states_that_supported_mali() {
    let Some(bytes) = data(ACD_22) else { return };
    let imported = import(Format::UcdpAcd, ACD_22, &bytes);
    summary(ACD_22, &imported);
    assert_eq!(imported.rows, 2568);
    let fpla = event(&imported.events, "ucdp-acd:372:1990-07-21:mali:ucdp-actor-934:began");
    assert_eq!(
        v1::to_line(fpla).split(",\"sources\"").next().unwrap(),
        r#"{"type":"hostilities_began","id":"ucdp-acd:372:1990-07-21:mali:ucdp-actor-934:began","actors":["mali","ucdp-actor-934"],"date":"1991""#
    );
    let ended = event(&imported.events, "ucdp-acd:372:1990-07-21:mali:ucdp-actor-934:ended");
    assert_eq!(ended.date.unwrap().to_string(), "1991-11-09");
    let mpa = event(&imported.events, "ucdp-acd:372:1990-07-21:mali:ucdp-actor-521:began");
    assert_eq!(mpa.date.unwrap().to_string(), "1990-07-21~");
    let france = event(&imported.events, "ucdp-acd:11347:france:a:2013:began");
    assert!(
        matches!(&france.kind, EventKind::InterventionBegan { intervener, host, supporting: Some(s), .. }
        if intervener.as_str() == "france" && host.as_str() == "mali" && s.as_str() == "mali")
    );
    // Burkina Faso against Mali, 1985: an interstate war.
    let war = event(&imported.events, "ucdp-acd:355:1985-12-26:burkina-faso:mali:began");
    assert_eq!(war.date.unwrap().to_string(), "1985-12-26~");
    let w = world(&imported.events);
    assert!(w.anomalies().is_empty(), "{:?}", &w.anomalies()[..3.min(w.anomalies().len())]);
    reads_again_the_same(Format::UcdpAcd, ACD_22, &bytes, &imported);
}

/// The two releases of the ACD: the dyad events they agree on are the
/// same; the differences are counted.
#[test]
fn acd_releases_differ_where_ucdp_revised_them() {
    let (Some(old), Some(new)) = (data(ACD_21), data(ACD_22)) else { return };
    let old_imported = import(Format::UcdpAcd, ACD_21, &old);
    summary(ACD_21, &old_imported);
    reads_again_the_same(Format::UcdpAcd, ACD_21, &old, &old_imported);
    let new_imported = import(Format::UcdpAcd, ACD_22, &new);
    let map = |events: &[Event]| -> BTreeMap<String, Event> {
        events
            .iter()
            .filter(|e| !e.kind.is_entity())
            .map(|e| (e.id.as_str().to_string(), e.clone()))
            .collect()
    };
    let (a, b) = (map(&old_imported.events), map(&new_imported.events));
    let same = a.iter().filter(|(id, e)| b.get(*id) == Some(*e)).count();
    let changed_events: Vec<(&Event, &Event)> =
        a.iter().filter_map(|(id, e)| b.get(id).filter(|n| *n != e).map(|n| (e, n))).collect();
    let changed = changed_events.len();
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    for (old, new) in &changed_events {
        let what = if old.date != new.date {
            "date"
        } else if old.kind != new.kind {
            "parties or deaths"
        } else {
            "note"
        };
        let n = why.entry(format!("{} {what}", old.kind.type_name())).or_default();
        *n += 1;
        if *n < 3 && what == "note" {
            eprintln!("  {:?}\n  {:?}", old.note, new.note);
        }
    }
    eprintln!("changed: {why:?}");
    let only_old: BTreeSet<&String> = a.keys().filter(|id| !b.contains_key(*id)).collect();
    let only_new = b.keys().filter(|id| !a.contains_key(*id)).count();
    eprintln!("UCDP/PRIO ACD 21.1 → 22.1: {same} events identical, {changed} changed, {} only in 21.1, {only_new} only in 22.1", only_old.len());
    assert!(same > changed);
}

#[test]
fn non_state_dyads_with_their_deaths() {
    let Some(bytes) = data(NON_STATE) else { return };
    let imported = import(Format::UcdpNonState, NON_STATE, &bytes);
    summary(NON_STATE, &imported);
    assert_eq!(imported.rows, 1442);
    reads_again_the_same(Format::UcdpNonState, NON_STATE, &bytes, &imported);
}

#[test]
fn one_sided_violence_as_attacks_by_year() {
    let Some(bytes) = data(ONE_SIDED) else { return };
    let imported = import(Format::UcdpOneSided, ONE_SIDED, &bytes);
    summary(ONE_SIDED, &imported);
    assert_eq!(by_type(&imported.events)["attack"], imported.rows);
    reads_again_the_same(Format::UcdpOneSided, ONE_SIDED, &bytes, &imported);
}

#[test]
fn brd_dyads_by_runs_of_years_with_their_deaths() {
    let Some(bytes) = data(BRD) else { return };
    let imported = import(Format::UcdpBrd, BRD, &bytes);
    summary(BRD, &imported);
    let fpla = event(&imported.events, "ucdp-brd:10054:mali:ucdp-actor-934:1991:began");
    assert_eq!(fpla.date.unwrap().to_string(), "1991");
    let ended = event(&imported.events, "ucdp-brd:10054:mali:ucdp-actor-934:1991:ended");
    assert_eq!(ended.date.unwrap().to_string(), "1991");
    assert!(
        matches!(ended.kind, EventKind::HostilitiesEnded { fatalities: Some(f), .. } if f.best == 59 && f.low == Some(3) && f.high == Some(138))
    );
    reads_again_the_same(Format::UcdpBrd, BRD, &bytes, &imported);
}
