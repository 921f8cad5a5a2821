//! COW intra-state wars and PRIF's humanitarian military interventions.

use annals_import::Format;
use annals_model::{v1, EventKind};

use super::{by_type, data, event, import, reads_again_the_same, refused, world};

const COW: &str = "cow_intrastate_war_v4.1.csv";
const PRIF: &str = "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv";

#[test]
fn cow_wars_as_two_sides_with_their_participants_spells() {
    let Some(bytes) = data(COW) else { return };
    let imported = import(Format::CowIntra, COW, &bytes);
    eprintln!(
        "{COW}: {} rows, {:?}, skipped {:?}",
        imported.rows,
        by_type(&imported.events),
        imported.skipped
    );
    assert_eq!(imported.rows, 442);
    // War 502: Two Sicilies against the Liberals from 1820-07-02, Austria
    // on its side from March 1821 (day unknown: -9).
    let austria =
        event(&imported.events, "cow-intra:502:cow-intra-502-side-a:austria-hungary:1821-03:began");
    assert!(
        matches!(&austria.kind, EventKind::MembershipBegan { member, .. } if member.as_str() == "austria-hungary")
    );
    let war = event(&imported.events, "cow-intra:502:hostilities:began");
    assert_eq!(war.date.unwrap().to_string(), "1820-07-02");
    let end = event(&imported.events, "cow-intra:502:hostilities:ended");
    assert_eq!(end.date.unwrap().to_string(), "1821-03-23");
    assert_eq!(
        end.note.as_deref(),
        Some("At the last exit of a participant. Outcome: side A won.")
    );
    // Windows-1252 text reads as text.
    assert!(imported.events.iter().any(|e| v1::to_line(e).contains('é')));
    let w = world(&imported.events);
    assert!(w.anomalies().is_empty(), "{:?}", &w.anomalies()[..1]);
    reads_again_the_same(Format::CowIntra, COW, &bytes, &imported);
}

#[test]
fn prif_interventions_from_excel_serial_days() {
    let Some(bytes) = data(PRIF) else { return };
    let imported = import(Format::Prif, PRIF, &bytes);
    eprintln!(
        "{PRIF}: {} rows, {:?}, skipped {:?}",
        imported.rows,
        by_type(&imported.events),
        imported.skipped
    );
    assert_eq!(imported.rows, 41);
    let serval = event(&imported.events, "prif-hmi:mali-2013:france:began");
    assert_eq!(serval.date.unwrap().to_string(), "2013-01-11");
    assert!(
        matches!(&serval.kind, EventKind::InterventionBegan { host, .. } if host.as_str() == "mali")
    );
    let un = event(&imported.events, "prif-hmi:mali-2013:prif-org-un:began");
    assert_eq!(un.date.unwrap().to_string(), "2013-01-11");
    reads_again_the_same(Format::Prif, PRIF, &bytes, &imported);
}

#[test]
fn cow_bad_codes_name_their_line_and_column() {
    let header = "WarNum,WarName,WarType,CcodeA,SideA,CcodeB,SideB,StartMonth1,StartDay1,StartYear1,EndMonth1,EndDay1,EndYear1,StartMonth2,StartDay2,StartYear2,EndMonth2,EndDay2,EndYear2,Outcome,SideADeaths,SideBDeaths\n";
    let good = "900,Test War,4,432,Mali,-8,Rebels,1,-9,1990,-9,-9,1991,-8,-8,-8,-8,-8,-8,1,-9,-9\n";
    let bad = "901,Other War,4,999,Varenia,-8,Rebels,1,2,1990,3,4,1991,-8,-8,-8,-8,-8,-8,1,-9,-9\n";
    let errors = refused(Format::CowIntra, "cow.csv", format!("{header}{good}{bad}").as_bytes());
    assert_eq!(errors, ["cow.csv:3: column `ccodea`: `999` is no COW state code annals knows, and column `sidea` (`Varenia`) names no state of its catalogue"]);
    let imported = import(Format::CowIntra, "cow.csv", format!("{header}{good}").as_bytes());
    let mali = event(&imported.events, "cow-intra:900:cow-intra-900-side-a:mali:1990-01:began");
    assert_eq!(mali.date.unwrap().to_string(), "1990-01");
    let left = event(&imported.events, "cow-intra:900:cow-intra-900-side-a:mali:1990-01:ended");
    assert_eq!(left.date.unwrap().to_string(), "1991");
}
