//! ATOP (member and alliance level) and GDELT 1.0.

use annals_import::Format;
use annals_model::{parse_day, v1, EventKind};
use annals_replay::RelationKind;

use super::{by_type, data, event, import, reads_again_the_same, world};

const MEMBERS: &str = "atop_v4.01_member_level.csv";
const ALLIANCES: &str = "atop_v4.01_alliance_level.csv";
const GDELT: &str = "gdelt1_west_africa_conflict_1991.csv";

#[test]
fn atop_members_join_and_leave_their_pacts() {
    let Some(bytes) = data(MEMBERS) else { return };
    let imported = import(Format::AtopMember, MEMBERS, &bytes);
    eprintln!(
        "{MEMBERS}: {} rows, {:?}, skipped {:?}",
        imported.rows,
        by_type(&imported.events),
        imported.skipped
    );
    assert_eq!(imported.rows, 2398);
    let joined = event(&imported.events, "atop:3385:mali:1960-06-22:began");
    assert_eq!(
        v1::to_line(joined),
        r#"{"type":"membership_began","id":"atop:3385:mali:1960-06-22:began","member":"mali","group":"atop-3385","date":"1960-06-22","sources":["atop"],"note":"Obligations: defense, consultation."}"#
    );
    let left = event(&imported.events, "atop:3385:mali:1960-06-22:ended");
    assert_eq!(left.date.unwrap().to_string(), "1960-09-22");
    // Alliance 4953: two phases that run together are one membership.
    let phases = event(&imported.events, "atop:4953:mali:2000-07-12:began");
    assert!(phases.note.as_deref().unwrap().starts_with("Obligations by phase: phase 1 (from 2000-07-12): non-aggression; phase 2 (from 2002-07-09)"));
    assert!(!imported.events.iter().any(|e| e.id.as_str() == "atop:4953:mali:2002-07-09:began"));
    // Hanover's alliance 1020: the gap between 1848 and 1850 makes two spells.
    event(&imported.events, "atop:1020:hanover:1815-06-08:began");
    event(&imported.events, "atop:1020:hanover:1850-11-29:began");
    let w = world(&imported.events);
    assert!(w.anomalies().is_empty(), "{:?}", &w.anomalies()[..1]);
    let graph = w.graph_on(parse_day("1960-07-01").unwrap());
    let member_of = graph.edges().iter().filter(|e| e.key.kind == RelationKind::MemberOf).count();
    assert!(member_of > 0);
    reads_again_the_same(Format::AtopMember, MEMBERS, &bytes, &imported);
}

#[test]
fn atop_bilateral_alliances_and_counted_multilateral_members() {
    let Some(bytes) = data(ALLIANCES) else { return };
    let imported = import(Format::AtopAlliance, ALLIANCES, &bytes);
    eprintln!(
        "{ALLIANCES}: {} rows, {:?}, skipped {:?}",
        imported.rows,
        by_type(&imported.events),
        imported.skipped
    );
    assert_eq!(imported.rows, 745);
    let pacts = imported
        .events
        .iter()
        .filter(|e| e.id.as_str().starts_with("atop-") && e.kind.is_entity())
        .count();
    assert!(pacts >= 745, "{pacts}");
    let formed = by_type(&imported.events)["alliance_formed"];
    let listed: usize = imported.skipped.iter().map(|(_, n)| n).sum();
    eprintln!("{formed} bilateral alliances, {listed} members of multilateral ones counted");
    reads_again_the_same(Format::AtopAlliance, ALLIANCES, &bytes, &imported);
    // The pact actors are the same from both files.
    if let Some(members) = data(MEMBERS) {
        let other = import(Format::AtopMember, MEMBERS, &members);
        assert_eq!(event(&imported.events, "atop-3385"), event(&other.events, "atop-3385"));
    }
}

#[test]
fn gdelt_fighting_as_machine_coded_attacks() {
    let Some(bytes) = data(GDELT) else { return };
    let imported = import(Format::Gdelt, GDELT, &bytes);
    eprintln!(
        "{GDELT}: {} rows, {:?}, skipped {:?}",
        imported.rows,
        by_type(&imported.events),
        imported.skipped
    );
    assert_eq!(imported.rows, 3484);
    let attacks = by_type(&imported.events)["attack"];
    let skipped: usize = imported.skipped.iter().map(|(_, n)| n).sum();
    assert_eq!(attacks + skipped, imported.rows);
    let a = imported.events.iter().find(|e| matches!(e.kind, EventKind::Attack { .. })).unwrap();
    assert!(a
        .note
        .as_deref()
        .unwrap()
        .starts_with("[machine-coded by GDELT from news reports] CAMEO"));
    let w = world(&imported.events);
    assert!(w.anomalies().is_empty(), "{:?}", &w.anomalies()[..1]);
    reads_again_the_same(Format::Gdelt, GDELT, &bytes, &imported);
}
