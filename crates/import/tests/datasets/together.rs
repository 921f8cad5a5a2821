//! Every data file is told apart by its header, and all of them import into
//! one log: each file read against what the files before it stored, as the
//! log would check it. Where two releases of a dataset disagree about one
//! event, the later one is refused for that event (a revision must go
//! through a retraction); everything else coexists.

use std::collections::HashMap;

use annals_import::{detect, read, Catalog, Format};
use annals_model::{v1, Event, RefKind};

use super::{data, data_dir, kind_of, world};

/// Every file of `shared/data` but ACLED's (its own tests read those), with
/// the format it is in, in an order where the older release comes first.
const FILES: &[(&str, Format)] = &[
    ("powell_thyne_coups_final_V2015.05.20.txt", Format::PowellThyne),
    ("powell_thyne_coups_V2022.11.29.csv", Format::PowellThyne),
    ("cline_center_coup_data_v2.0.0.csv", Format::Cline),
    ("ucdp_prio_acd_v21.1.csv", Format::UcdpAcd),
    ("ucdp_prio_acd_v22.1.csv", Format::UcdpAcd),
    ("ucdp_nonstate_v22.1.csv", Format::UcdpNonState),
    ("ucdp_onesided_v21.1.csv", Format::UcdpOneSided),
    ("ucdp_brd_dyadic_v21.1.csv", Format::UcdpBrd),
    ("atop_v4.01_member_level.csv", Format::AtopMember),
    ("atop_v4.01_alliance_level.csv", Format::AtopAlliance),
    ("cow_intrastate_war_v4.1.csv", Format::CowIntra),
    ("prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv", Format::Prif),
    ("gdelt1_west_africa_conflict_1991.csv", Format::Gdelt),
    ("acled_mali_1997-2020_hdx.csv", Format::Acled),
];

#[test]
fn every_file_is_detected_as_its_format() {
    let Some(dir) = data_dir() else { return };
    for &(file, format) in FILES {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let head = &bytes[..bytes.len().min(4096)];
        assert_eq!(detect(file, head), Ok(format), "{file}");
    }
    let error = detect("x.csv", b"a,b,c\n1,2,3\n").unwrap_err().to_string();
    for format in Format::ALL {
        assert!(error.contains(format.name()), "{error}");
    }
}

#[test]
fn all_files_import_into_one_log_but_for_the_revisions_between_releases() {
    if data_dir().is_none() {
        return;
    }
    let mut log: HashMap<String, Event> = HashMap::new();
    let mut conflicts: Vec<(String, String)> = Vec::new();
    for &(file, format) in FILES {
        let bytes = data(file).unwrap();
        let kinds: HashMap<&str, RefKind> =
            log.iter().map(|(id, e)| (id.as_str(), kind_of(e))).collect();
        let exists = |kind: RefKind, id: &str| match kinds.get(id) {
            Some(k) => kind == RefKind::Event || *k == kind,
            None => false,
        };
        let catalog = Catalog { exists: &exists, is_retraction: &|_| false, place_at: &|_| None };
        let imported =
            read(format, file, &bytes, &catalog).unwrap_or_else(|e| panic!("{file}: {}", e[0]));
        let mut new = 0;
        for event in imported.events {
            match log.get(event.id.as_str()) {
                Some(stored) if *stored == event => {}
                Some(_) => conflicts.push((file.to_string(), event.id.as_str().to_string())),
                None => {
                    new += 1;
                    log.insert(event.id.as_str().to_string(), event);
                }
            }
        }
        eprintln!("{file}: {new} new events");
    }
    let by_file = |f: &str| conflicts.iter().filter(|(file, _)| file == f).count();
    eprintln!("{} events in one log; revisions refused: {conflicts:?}", log.len());
    assert_eq!(by_file("powell_thyne_coups_V2022.11.29.csv"), 1);
    assert_eq!(
        conflicts.iter().map(|(_, id)| id.as_str()).find(|id| id.starts_with("pt-")),
        Some("pt-coup-congo-1968-08-03")
    );
    assert!(by_file("ucdp_prio_acd_v22.1.csv") > 0);
    let others: Vec<_> = conflicts
        .iter()
        .filter(|(f, _)| {
            f != "powell_thyne_coups_V2022.11.29.csv" && f != "ucdp_prio_acd_v22.1.csv"
        })
        .collect();
    assert!(others.is_empty(), "{others:?}");
    let mut events: Vec<Event> = log.into_values().collect();
    events.sort_by_key(|e| (!e.kind.is_entity(), v1::to_line(e)));
    let w = world(&events);
    assert!(w.anomalies().is_empty(), "{:?}", &w.anomalies()[..w.anomalies().len().min(3)]);
    // The identifiers the importers give actors (states' codes, UCDP's
    // actor ids, ACLED's names) join no two actors of these files, nor
    // does the ISO code of ACLED's country join it with another place.
    let joined: Vec<_> = w.actors().filter(|a| w.linked_actors(&a.id).len() > 1).collect();
    assert!(joined.is_empty(), "{:?}", &joined[..joined.len().min(3)]);
    let mali = annals_model::PlaceId::new("acled:mali").unwrap();
    assert!(w.linked_places(&mali).len() <= 1, "{:?}", w.linked_places(&mali));
}
