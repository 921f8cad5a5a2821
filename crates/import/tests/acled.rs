//! The ACLED importer on real ACLED exports (read in place from `shared/data`,
//! never copied into the repository: ACLED's terms forbid redistribution) and
//! on `fixtures/outside/acled-layout-test.csv`, a small file in ACLED's layout
//! with invented names. The tests that need the real files skip, saying so,
//! when that folder is absent.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use annals_import::{
    check_acled, read_acled, AcledEvents, AcledImport, Catalog, Refused, SecondPass,
    ACLED_DATASET_SOURCE,
};
use annals_model::{
    parse_day, ActorId, ActorKind, Claim, Event, EventKind, PlaceId, PlaceKind, Recorded, RefKind,
};
use annals_replay::{Status, World};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");
const FIXTURE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/outside/acled-layout-test.csv");

const MALI: &str = "acled_mali_1997-2020_hdx.csv";
const BURKINA: &str = "acled_burkina_faso_1997-2020_hdx.csv";
const NIGER: &str = "acled_niger_1997-2020_hdx.csv";
const MONADIC: &str = "acled_mali_2017-2020_monadic.csv";
const LEGACY: &str = "acled_mali_2017-2019_legacy_schema.csv";

/// The bytes of a real ACLED file, or `None` (and a note) when `shared/data` is absent.
fn data(name: &str) -> Option<Vec<u8>> {
    if !Path::new(DATA).is_dir() {
        eprintln!("skipped: {DATA} is absent, so the real ACLED files cannot be read");
        return None;
    }
    let path = format!("{DATA}/{name}");
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

fn fixture() -> String {
    std::fs::read_to_string(FIXTURE).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"))
}

fn read(name: &str, bytes: &[u8], catalog: &Catalog<'_>) -> AcledImport {
    read_acled(name, bytes, catalog).unwrap_or_else(|errors| {
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        panic!("{name} did not import:\n{}", shown.join("\n"))
    })
}

/// The imported ACLED events (not the entities), by id.
/// The events made of ACLED's rows: not the entities, nor the identifiers
/// of its places.
fn acled_events(import: &AcledImport) -> HashMap<&str, &Event> {
    let of_rows =
        |e: &&Event| !e.kind.is_entity() && !matches!(e.kind, EventKind::Identifiers { .. });
    import.events.iter().filter(of_rows).map(|e| (e.id.as_str(), e)).collect()
}

fn skipped_events(import: &AcledImport) -> usize {
    import.skipped.iter().map(|(_, n)| n).sum()
}

fn control_taken(event: &Event) -> (&str, &str, Option<&str>) {
    match &event.kind {
        EventKind::ControlTaken { place, actor, from } => {
            (place.as_str(), actor.as_str(), from.as_ref().map(ActorId::as_str))
        }
        other => panic!("{} is a {}, not a control_taken", event.id, other.type_name()),
    }
}

fn replay(events: &[Event]) -> World {
    let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
    World::replay(events.iter().enumerate().map(|(i, e)| Recorded {
        seq: i as u64 + 1,
        recorded_at: t,
        origin: None,
        event: e.clone(),
    }))
}

const GATIA: &str = "acled:gatia-imghad-tuareg-and-allies-self-defense-group";
const BAMBA_GAO: &str = "acled:mali.gao.bourem.bamba";
const BAMBA_MOPTI: &str = "acled:mali.mopti.koro.bamba";

#[test]
fn every_export_reads_whole_with_the_counts_of_sources_md() {
    // (file, CSV records, ACLED events, control_taken events) — records and
    // events as SOURCES.md counts them; control events are the territorial
    // sub-event types it lists.
    let expected = [
        (MALI, 3990, 3990, 53 + 28 + 46 + 8),
        (BURKINA, 2730, 2730, 3 + 2 + 2),
        (NIGER, 1349, 1349, 52 + 9 + 1),
        (MONADIC, 6214, 3314, 5 + 8 + 2),
        (LEGACY, 1339, 1339, 4 + 6 + 1),
    ];
    for (name, rows, acled, control) in expected {
        let Some(bytes) = data(name) else { return };
        let import = read(name, &bytes, &Catalog::empty());
        let events = acled_events(&import);
        assert_eq!(import.rows, rows, "{name}: rows");
        assert_eq!(events.len() + skipped_events(&import), acled, "{name}: ACLED events");
        let taken =
            events.values().filter(|e| matches!(e.kind, EventKind::ControlTaken { .. })).count();
        assert_eq!(taken, control, "{name}: control_taken");
        eprintln!(
            "{name}: {} rows, {} events imported ({} control_taken), {} entities, skipped {:?}",
            import.rows,
            events.len(),
            taken,
            import.events.len() - events.len(),
            import.skipped
        );
        // Every event cites the dataset; entities come before their first use.
        let mut seen = HashSet::new();
        for event in &import.events {
            for r in event.references() {
                assert!(
                    seen.contains(r.id),
                    "{name}: {} names {} before it exists",
                    event.id,
                    r.id
                );
            }
            if event.kind.is_entity() {
                seen.insert(event.id.as_str());
            } else {
                assert_eq!(event.sources[0].as_str(), ACLED_DATASET_SOURCE);
            }
        }
    }
}

#[test]
fn the_two_bambas_stay_two_places() {
    for name in [MALI, MONADIC] {
        let Some(bytes) = data(name) else { return };
        let import = read(name, &bytes, &Catalog::empty());
        let mut bambas: Vec<(&str, &str, PlaceKind)> = import
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Place { name, within, kind, .. } if name == "Bamba" => {
                    Some((e.id.as_str(), within.as_ref().unwrap().as_str(), kind.unwrap()))
                }
                _ => None,
            })
            .collect();
        bambas.sort();
        assert_eq!(
            bambas,
            [
                (BAMBA_GAO, "acled:mali.gao", PlaceKind::Town),
                (BAMBA_MOPTI, "acled:mali.mopti", PlaceKind::Town)
            ],
            "{name}"
        );
        let world = replay(&import.events);
        assert_eq!(world.place(BAMBA_GAO).unwrap().name, "Bamba");
        assert_eq!(world.place(BAMBA_MOPTI).unwrap().name, "Bamba");
    }
}

#[test]
fn bamba_in_gao_passes_to_gatia_on_2014_12_24() {
    let Some(bytes) = data(MALI) else { return };
    let import = read(MALI, &bytes, &Catalog::empty());
    let events = acled_events(&import);
    let transfer = events["acled:mli947"];
    assert_eq!(control_taken(transfer), (BAMBA_GAO, GATIA, None));
    assert_eq!(transfer.claim, Claim::Reported);
    // time_precision 2: about that day.
    assert_eq!(transfer.date.unwrap().to_string(), "2014-12-24~");
    let note = transfer.note.as_deref().unwrap();
    assert!(
        note.starts_with("GATIA and a splinter faction of the MAA have taken control of Bamba.")
    );
    assert!(note.contains("with GATIA: Imghad Tuareg and Allies Self-Defense Group: MAA: Arab Movement of the Azawad (Splinter Faction)"), "{note}");
    let sources: Vec<&str> = transfer.sources.iter().map(|s| s.as_str()).collect();
    assert_eq!(sources, [ACLED_DATASET_SOURCE, "acled:src.rfi"]);

    let world = replay(&import.events);
    assert!(world.anomalies().is_empty(), "{:?}", world.anomalies());
    let bamba = PlaceId::new(BAMBA_GAO).unwrap();
    let answer = world.control(&bamba, parse_day("2015-01-01").unwrap());
    assert_eq!(answer.status, Status::Controlled);
    assert_eq!(answer.controller.unwrap().as_str(), GATIA);
    assert_eq!(answer.event.unwrap().as_str(), "acled:mli947");
    assert_eq!(
        world.actor(GATIA).unwrap().name,
        "GATIA: Imghad Tuareg and Allies Self-Defense Group"
    );
    // The other Bamba has no control event at all.
    let other =
        world.control(&PlaceId::new(BAMBA_MOPTI).unwrap(), parse_day("2015-01-01").unwrap());
    assert_eq!(other.status, Status::Unknown);
}

#[test]
fn a_government_recapture_goes_to_the_state_forces_whatever_the_actor_order() {
    let Some(bytes) = data(MALI) else { return };
    let import = read(MALI, &bytes, &Catalog::empty());
    let events = acled_events(&import);
    // 2012-02-01, Menaka: actor1 = MNLA, actor2 = Military Forces of Mali.
    // The rule follows the sub-event type and the inter codes. (ACLED's own
    // notes for this row say the rebels took Menaka after the army left: the
    // row contradicts itself, and the note carries ACLED's words for a reader.)
    let menaka = events["acled:mli165"];
    assert_eq!(menaka.date.unwrap().to_string(), "2012-02-01");
    assert_eq!(
        control_taken(menaka),
        (
            "acled:mali.gao.menaka.menaka",
            "acled:military-forces-of-mali-2012-2013",
            Some("acled:mnla-national-movement-for-the-liberation-of-azawad")
        )
    );
    assert_eq!(menaka.claim, Claim::Reported);
    assert!(menaka.note.as_deref().unwrap().contains("the side ACLED codes as state forces"));
    // 2011-06-25: AQIM (rebels, 2) against Mauritania's army abroad (external, 8).
    let nioro = events["acled:mli133"];
    assert_eq!(control_taken(nioro).1, "acled:military-forces-of-mauritania-2009");
    assert_eq!(nioro.claim, Claim::Reported);
    // A takeover by a non-state actor goes to the side that is not state forces:
    // 2013-02-21 Gao, actor1 = the army, actor2 = Ansar Dine.
    assert_eq!(
        control_taken(events["acled:mli605"]),
        (
            "acled:mali.gao.gao.gao",
            "acled:ansar-dine",
            Some("acled:military-forces-of-mali-2012-2013")
        )
    );
}

#[test]
fn when_the_codes_do_not_decide_actor1_is_assumed_and_the_claim_is_disputed() {
    let Some(bytes) = data(MALI) else { return };
    let import = read(MALI, &bytes, &Catalog::empty());
    let events = acled_events(&import);
    // 2013-01-29, Kidal: Ansar Dine (actor1) and MNLA, both rebels; ACLED's
    // notes say the MNLA took the town, so actor1 cannot be trusted.
    let kidal = events["acled:mli546"];
    assert_eq!(control_taken(kidal).1, "acled:ansar-dine");
    assert_eq!(kidal.claim, Claim::Disputed);
    assert!(kidal.note.as_deref().unwrap().contains("actor1 (Ansar Dine) is assumed"));
    // A non-violent transfer naming two actors: 2017-07-29, CMA left Menaka.
    let menaka = events["acled:mli1602"];
    assert_eq!(menaka.claim, Claim::Disputed);
    // Disputed claims are few: only where the codes cannot tell.
    let disputed = events.values().filter(|e| e.claim == Claim::Disputed).count();
    assert_eq!(disputed, 25);
}

#[test]
fn a_base_is_a_place_of_its_own_not_control_of_the_town() {
    let Some(bytes) = data(MALI) else { return };
    let import = read(MALI, &bytes, &Catalog::empty());
    let events = acled_events(&import);
    // 2013-01-12: French troops establish a base in Bamako.
    let (place, actor, from) = control_taken(events["acled:mli479"]);
    assert_eq!(place, "acled:mali.bamako.bamako.bamako.base.military-forces-of-france-2012-2017");
    assert_eq!((actor, from), ("acled:military-forces-of-france-2012-2017", None));
    let world = replay(&import.events);
    let base = world.place(place).unwrap();
    assert_eq!(base.name, "Military Forces of France (2012-2017) base at Bamako");
    let bamako = PlaceId::new("acled:mali.bamako.bamako.bamako").unwrap();
    let answer = world.control(&bamako, parse_day("2013-02-01").unwrap());
    assert_ne!(answer.controller.map(|a| a.as_str().to_string()).as_deref(), Some(actor));
}

#[test]
fn actor_kinds_follow_inter_codes_and_state_names() {
    let Some(bytes) = data(MALI) else { return };
    let import = read(MALI, &bytes, &Catalog::empty());
    let kinds: HashMap<&str, ActorKind> = import
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Actor { kind, .. } => Some((e.id.as_str(), kind.unwrap())),
            _ => None,
        })
        .collect();
    assert_eq!(kinds["acled:military-forces-of-mali-2013"], ActorKind::ArmedForce);
    assert_eq!(kinds["acled:military-forces-of-france-2012-2017"], ActorKind::ArmedForce);
    assert_eq!(kinds[GATIA], ActorKind::ArmedGroup);
    assert_eq!(kinds["acled:civilians-mali"], ActorKind::Other);
    assert_eq!(
        kinds["acled:minusma-united-nations-multidimensional-integrated-stabilization-mission-in-mali-2013"],
        ActorKind::Other
    );
}

#[test]
fn monadic_rows_of_one_event_become_one_event_with_its_counterpart() {
    let Some(bytes) = data(MONADIC) else { return };
    let import = read(MONADIC, &bytes, &Catalog::empty());
    let events = acled_events(&import);
    // 2017-07-27 Kidal: a CMA row and a Platform row.
    let kidal = events["acled:mli1599"];
    assert_eq!(kidal.date.unwrap().to_string(), "2017-07-27");
    assert_eq!(
        control_taken(kidal),
        (
            "acled:mali.kidal.kidal.kidal",
            "acled:cma-coordination-of-movements-of-the-azawad",
            Some("acled:platform-of-june-14th-2014-movements")
        )
    );
    // An attack keeps both sides: attacker from the first row, target from the second.
    match &events["acled:mli3661"].kind {
        EventKind::Attack { attacker, target, place, fatalities } => {
            assert_eq!(attacker.as_str(), "acled:jnim-group-for-support-of-islam-and-muslims");
            assert_eq!(
                target.as_ref().unwrap().as_str(),
                "acled:military-forces-of-mali-2013-2020"
            );
            assert_eq!(place.as_str(), BAMBA_GAO);
            assert!(fatalities.unwrap() >= 25);
        }
        other => panic!("{other:?}"),
    }
    // No "Government regains territory" in this file (SOURCES.md).
    assert!(!import.skipped.iter().any(|(t, _)| t.contains("regains")));
}

#[test]
fn the_legacy_schema_maps_its_old_event_types() {
    let Some(bytes) = data(LEGACY) else { return };
    let import = read(LEGACY, &bytes, &Catalog::empty());
    let skipped: HashMap<&str, usize> =
        import.skipped.iter().map(|(t, n)| (t.as_str(), *n)).collect();
    assert_eq!(skipped, HashMap::from([("Riots/Protests", 117), ("Strategic development", 125)]));
    let events = acled_events(&import);
    let count = |t: &str| events.values().filter(|e| e.kind.type_name() == t).count();
    assert_eq!(count("attack"), 425 + 216 + 445);
    assert_eq!(count("control_taken"), 4 + 6 + 1);
    assert_eq!(
        control_taken(events["acled:mli1599"]).1,
        "acled:cma-coordination-of-movements-of-the-azawad"
    );
    assert_eq!(events["acled:mli2665"].date.unwrap().to_string(), "2019-02-22");
}

#[test]
fn reading_again_against_the_log_emits_no_entity_twice() {
    let Some(bytes) = data(MALI) else { return };
    let first = read(MALI, &bytes, &Catalog::empty());
    let stored = entities(&first.events);
    let exists = |kind: RefKind, id: &str| stored.contains(&(kind, id.to_string()));
    let no_retraction = |_: &str| false;
    let catalog = Catalog { exists: &exists, is_retraction: &no_retraction, place_at: &|_| None };
    let second = read(MALI, &bytes, &catalog);
    assert!(second.events.iter().all(|e| !e.kind.is_entity()));
    let again: Vec<&Event> = first.events.iter().filter(|e| !e.kind.is_entity()).collect();
    assert_eq!(second.events.iter().collect::<Vec<_>>(), again);
    // Entities are emitted once within one file too.
    let ids: HashSet<&str> = first.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), first.events.len());
}

#[test]
fn the_layout_fixture_maps_every_rule() {
    let text = fixture();
    let import = read("acled-layout-test.csv", text.as_bytes(), &Catalog::empty());
    // The HXL tag row is not a record.
    assert_eq!(import.rows, 7);
    assert_eq!(import.skipped, [("Protests: Peaceful protest".to_string(), 1)]);
    assert!(import.events.iter().all(|e| match &e.kind {
        EventKind::Actor { name, .. } | EventKind::Place { name, .. } => !name.starts_with('#'),
        _ => true,
    }));
    let events = acled_events(&import);
    let army = "acled:military-forces-of-varenia-2010";
    let vlf = "acled:vlf-varenian-liberation-front";
    let sabra_kessa = "acled:varenia.kessa.ubbo.sabra";
    let sabra_dolmar = "acled:varenia.dolmar.tarn.sabra";
    // Government regains: actor1 is the VLF, the army (inter 1) gains.
    assert_eq!(control_taken(events["acled:var10"]), (sabra_kessa, army, Some(vlf)));
    // Non-state takeover: actor1 is the army, the VLF gains; precision 2.
    let var9 = events["acled:var9"];
    assert_eq!(control_taken(var9), (sabra_kessa, vlf, Some(army)));
    assert_eq!(var9.date.unwrap().to_string(), "2021-03-01~");
    assert!(var9.note.as_deref().unwrap().starts_with("Around 1 March 2021, VLF fighters seized Sabra (Ubbo, Kessa),\nafter the army withdrew. [ACLED Battles: Non-state actor overtakes territory]"));
    let var9_sources: Vec<&str> = var9.sources.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        var9_sources,
        [ACLED_DATASET_SOURCE, "acled:src.radio-kessa", "acled:src.varenia-daily"]
    );
    // Non-violent transfer by one actor, only the month known.
    let var8 = events["acled:var8"];
    assert_eq!(control_taken(var8), (sabra_dolmar, "acled:sabra-communal-militia-varenia", None));
    assert_eq!(var8.date.unwrap().to_string(), "2021-02");
    // Violence against civilians: an attack with its fatalities.
    match &events["acled:var7"].kind {
        EventKind::Attack { attacker, target, place, fatalities } => {
            assert_eq!(attacker.as_str(), vlf);
            assert_eq!(target.as_ref().unwrap().as_str(), "acled:civilians-varenia");
            assert_eq!((place.as_str(), *fatalities), (sabra_dolmar, Some(2)));
        }
        other => panic!("{other:?}"),
    }
    // "varenia daily" and "Varenia Daily" are one source, titled as first seen.
    let titles: Vec<&str> = import
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Source { title, .. } => Some(title.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        titles,
        [
            "ACLED (Armed Conflict Location & Event Data Project) export",
            "Radio Kessa",
            "Varenia Daily",
            "Ostland Herald",
            // The release the export is: its country, its days and the
            // last day an event of it was modified.
            "ACLED export, Varenia, 2021-01-12 to 2021-03-05, events as last modified by 2021-03-04"
        ]
    );
    // A base is its own place inside the town.
    let (base, ostland, _) = control_taken(events["acled:var5"]);
    assert_eq!(base, "acled:varenia.coast.ilse.port-ilse.base.military-forces-of-ostland-2011");
    assert_eq!(ostland, "acled:military-forces-of-ostland-2011");
    // Accents are folded in ids and kept in names.
    match &events["acled:var4"].kind {
        EventKind::Attack { attacker, place, fatalities, .. } => {
            assert_eq!(attacker.as_str(), "acled:tenere-brigade");
            assert_eq!(place.as_str(), "acled:varenia.dolmar.tarn.tessa");
            assert_eq!(*fatalities, Some(1));
        }
        other => panic!("{other:?}"),
    }
    let world = replay(&import.events);
    assert_eq!(world.place("acled:varenia.dolmar.tarn.tessa").unwrap().name, "Tëssa");
    assert_eq!(world.actor("acled:tenere-brigade").unwrap().name, "Ténéré Brigade");
    // Two Sabras, two regions.
    assert_eq!(
        world.place(sabra_kessa).unwrap().within.as_ref().unwrap().as_str(),
        "acled:varenia.kessa"
    );
    assert_eq!(
        world.place(sabra_dolmar).unwrap().within.as_ref().unwrap().as_str(),
        "acled:varenia.dolmar"
    );
    let on = |place: &str, day: &str| {
        let h = world.control(&PlaceId::new(place).unwrap(), parse_day(day).unwrap());
        h.controller.map(|a| a.as_str().to_string())
    };
    assert_eq!(on(sabra_kessa, "2021-03-03").as_deref(), Some(vlf));
    assert_eq!(on(sabra_kessa, "2021-03-06").as_deref(), Some(army));
}

/// The fixture with its columns in another order and an extra column.
fn reordered(text: &str) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.unwrap();
        let mut fields: Vec<&str> = record.iter().rev().collect();
        fields.insert(3, if i == 0 { "tags" } else { "" });
        writer.write_record(&fields).unwrap();
    }
    writer.into_inner().unwrap()
}

#[test]
fn column_order_and_extra_columns_do_not_matter() {
    let text = fixture();
    let plain = read("a.csv", text.as_bytes(), &Catalog::empty());
    let shuffled = read("b.csv", &reordered(&text), &Catalog::empty());
    assert_eq!(plain, shuffled);
    // A byte order mark and CRLF line ends are accepted too.
    let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let windows = read("c.csv", crlf.as_bytes(), &Catalog::empty());
    assert_eq!(windows.events.len(), plain.events.len());
}

fn errors(text: &str) -> Vec<String> {
    match read_acled("acled-layout-test.csv", text.as_bytes(), &Catalog::empty()) {
        Ok(import) => panic!("read {} events from a broken file", import.events.len()),
        Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn a_bad_row_rejects_the_file_and_names_its_physical_line() {
    let text = fixture();
    // Line 7 follows a record that spans lines 4 and 5.
    let bad_date = text.replacen("2021-02-10", "31 Februar 2021", 1);
    assert_eq!(
        errors(&bad_date),
        ["acled-layout-test.csv:7: column `event_date`: `31 Februar 2021` is not a date (expected YYYY-MM-DD or a day like `22 February 2019`)"]
    );
    let no_such_day = text.replacen("2021-02-10", "2021-02-30", 1);
    assert_eq!(
        errors(&no_such_day),
        ["acled-layout-test.csv:7: column `event_date`: `2021-02-30` is not a date (expected YYYY-MM-DD or a day like `22 February 2019`): day 30 does not exist in 2021-02 (it has 28 days)"]
    );
    let bad_precision =
        text.replacen(",VAR8,8,2021-02-14,2021,3,", ",VAR8,8,2021-02-14,2021,4,", 1);
    assert_eq!(
        errors(&bad_precision),
        ["acled-layout-test.csv:6: column `time_precision`: `4` is not an ACLED time precision (1 the day, 2 about that day, 3 only the month)"]
    );
    let missing = text.replacen("event_date,", "date_of_event,", 1);
    assert_eq!(
        errors(&missing),
        ["acled-layout-test.csv:1: the header has no column `event_date`, which an ACLED export has"]
    );
    // Every bad row is listed, not only the first.
    let two = bad_date.replacen(",3,1614900000,VAR", ",three,1614900000,VAR", 1);
    assert_eq!(
        errors(&two),
        [
            "acled-layout-test.csv:3: column `fatalities`: `three` is not a number of people",
            "acled-layout-test.csv:7: column `event_date`: `31 Februar 2021` is not a date (expected YYYY-MM-DD or a day like `22 February 2019`)"
        ]
    );
    let unknown_type =
        text.replacen("Violence against civilians,Attack", "Cyber operations,Hack", 1);
    assert_eq!(
        errors(&unknown_type),
        ["acled-layout-test.csv:7: column `event_type`: `Cyber operations` is not an ACLED event type this importer knows"]
    );
    let bad_inter = text.replacen(
        ",Civilians (Varenia),Herders (Varenia),7,",
        ",Civilians (Varenia),Herders (Varenia),0,",
        1,
    );
    assert!(errors(&bad_inter)[0]
        .starts_with("acled-layout-test.csv:7: column `inter2`: `0` is not an ACLED actor type"));
    let short = text.replacen(",3,1614900000,VAR", ",3,1614900000", 1);
    assert_eq!(
        errors(&short),
        ["acled-layout-test.csv:3: the record has 30 fields, but the header names 31 columns"]
    );
    let mut latin1 = text.clone().into_bytes();
    let at = text.find("T\u{eb}ssa,").unwrap();
    latin1.splice(at + 1..at + 3, [0xEB]);
    let latin1 = read_acled("acled-layout-test.csv", &latin1, &Catalog::empty()).unwrap_err();
    assert_eq!(latin1[0].to_string(), "acled-layout-test.csv:10: the record is not valid UTF-8");
    assert_eq!(
        errors(""),
        ["acled-layout-test.csv:1: the file is empty; an ACLED export starts with a header line naming its columns"]
    );
}

#[test]
fn the_rows_of_a_monadic_event_must_agree() {
    let header = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,inter1,interaction,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n";
    let row = |actor: &str, inter: &str, fatalities: &str| {
        format!("VAR1,\"1 March 2021\",1,Battles,Armed clash,{actor},,{inter},12,Varenia,Kessa,Ubbo,Sabra,17.1,-1.5,Radio Kessa,Shots at Sabra.,{fatalities}\n")
    };
    let army = "Military Forces of Varenia (2010-)";
    let good = format!("{header}{}{}", row("VLF", "2", "1"), row(army, "1", "1"));
    let import = read("m.csv", good.as_bytes(), &Catalog::empty());
    assert_eq!(import.rows, 2);
    let events = acled_events(&import);
    match &events["acled:var1"].kind {
        EventKind::Attack { attacker, target, .. } => {
            assert_eq!(attacker.as_str(), "acled:vlf");
            assert_eq!(target.as_ref().unwrap().as_str(), "acled:military-forces-of-varenia-2010");
        }
        other => panic!("{other:?}"),
    }
    let disagree = format!("{header}{}{}", row("VLF", "2", "1"), row(army, "1", "2"));
    assert_eq!(
        errors(&disagree),
        ["acled-layout-test.csv:3: column `fatalities` differs from line 2, which has the same event_id_cnty `VAR1`; the rows of one event may differ only in their actor"]
    );
    let three = format!("{good}{}", row("Sabra Militia", "4", "1"));
    assert!(errors(&three)[0]
        .starts_with("acled-layout-test.csv:4: event_id_cnty `VAR1` has a third row"));
}

// ---------------------------------------------------------------------------
// Streaming: check_acled, then AcledEvents

/// The events of a file read in two passes as an import does: checked
/// against `catalog`, then read again; with the checksum of each pass.
fn streamed(bytes: &[u8], catalog: &Catalog<'_>) -> (Vec<(usize, Event)>, u32, u32) {
    let mut checked_events = Vec::new();
    let checked = check_acled("s.csv", Cursor::new(bytes), catalog, |line, event| {
        checked_events.push((line, event));
        Ok(())
    })
    .unwrap_or_else(|e| panic!("the check refused the file: {e:?}"));
    assert_eq!(checked.events, checked_events.len() as u64);
    let mut again = AcledEvents::new("s.csv", Cursor::new(bytes), &checked).unwrap();
    let events: Vec<(usize, Event)> = again.by_ref().map(|e| e.unwrap()).collect();
    assert_eq!(events, checked_events, "the second pass reads what the first checked");
    (events, checked.checksum, again.checksum())
}

/// The entities among `events`, as a catalog would list them.
fn entities(events: &[Event]) -> HashSet<(RefKind, String)> {
    events
        .iter()
        .filter_map(|e| {
            let kind = match e.kind {
                EventKind::Source { .. } => RefKind::Source,
                EventKind::Actor { .. } => RefKind::Actor,
                EventKind::Place { .. } => RefKind::Place,
                _ => return None,
            };
            Some((kind, e.id.as_str().to_string()))
        })
        .collect()
}

#[test]
fn every_export_streams_to_the_events_it_reads_whole() {
    for name in [MALI, BURKINA, NIGER, MONADIC, LEGACY] {
        let Some(bytes) = data(name) else { return };
        let whole = read(name, &bytes, &Catalog::empty());
        let (events, first, second) = streamed(&bytes, &Catalog::empty());
        let lines: Vec<usize> = events.iter().map(|(line, _)| *line).collect();
        let events: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
        assert_eq!((&events, &lines), (&whole.events, &whole.lines), "{name}");
        assert_eq!(first, second, "{name}");
        // Against a log that holds every other entity of the file, the
        // second pass, which no longer asks the log, makes exactly the
        // entities the first found missing.
        let held: HashSet<(RefKind, String)> =
            entities(&whole.events).into_iter().filter(|(_, id)| id.len() % 2 == 0).collect();
        assert!(!held.is_empty());
        let exists = |kind: RefKind, id: &str| held.contains(&(kind, id.to_string()));
        let no_retraction = |_: &str| false;
        let catalog =
            Catalog { exists: &exists, is_retraction: &no_retraction, place_at: &|_| None };
        let against_log = read(name, &bytes, &catalog);
        let (events, _, _) = streamed(&bytes, &catalog);
        let events: Vec<Event> = events.into_iter().map(|(_, e)| e).collect();
        assert_eq!(events, against_log.events, "{name}");
        assert!(events.len() < whole.events.len(), "{name}");
    }
}

/// A monadic export in ACLED's layout with invented names, one row per line.
fn monadic(rows: &[(&str, &str, &str)]) -> String {
    let mut text = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,assoc_actor_1,inter1,interaction,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n".to_string();
    for (id, actor, inter) in rows {
        text.push_str(&format!("{id},2021-03-01,1,Battles,Armed clash,{actor},,{inter},12,Varenia,Kessa,Ubbo,Sabra,17.1,-1.5,Radio Kessa,Shots at Sabra.,1\n"));
    }
    text
}

#[test]
fn the_rows_of_a_monadic_event_need_not_be_adjacent() {
    let (vlf, army, militia) = ("VLF", "Military Forces of Varenia (2010-)", "Sabra Militia");
    let apart = monadic(&[
        ("VAR1", vlf, "2"),
        ("VAR2", militia, "4"),
        ("VAR3", army, "1"),
        ("VAR1", army, "1"),
        ("VAR3", vlf, "2"),
    ]);
    let adjacent = monadic(&[
        ("VAR1", vlf, "2"),
        ("VAR1", army, "1"),
        ("VAR2", militia, "4"),
        ("VAR3", army, "1"),
        ("VAR3", vlf, "2"),
    ]);
    let ids = |text: &str| -> Vec<(String, Option<String>)> {
        let import = read("m.csv", text.as_bytes(), &Catalog::empty());
        let (streamed, _, _) = streamed(text.as_bytes(), &Catalog::empty());
        assert_eq!(streamed.into_iter().map(|(_, e)| e).collect::<Vec<_>>(), import.events);
        import
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Attack { attacker, target, .. } => Some((
                    format!("{} {}", e.id, attacker),
                    target.as_ref().map(|t| t.as_str().to_string()),
                )),
                _ => None,
            })
            .collect()
    };
    let expected = vec![
        (
            "acled:var1 acled:vlf".to_string(),
            Some("acled:military-forces-of-varenia-2010".to_string()),
        ),
        ("acled:var2 acled:sabra-militia".to_string(), None),
        (
            "acled:var3 acled:military-forces-of-varenia-2010".to_string(),
            Some("acled:vlf".to_string()),
        ),
    ];
    assert_eq!(ids(&apart), expected, "in order of first appearance, each with both sides");
    assert_eq!(ids(&adjacent), expected);
}

/// A file in memory that counts the bytes read since it was last rewound,
/// and can refuse to seek, as a pipe does.
struct Counted<'a> {
    bytes: Cursor<&'a [u8]>,
    read: std::rc::Rc<std::cell::Cell<usize>>,
    seekable: bool,
}

impl<'a> Counted<'a> {
    fn new(bytes: &'a [u8], seekable: bool) -> Counted<'a> {
        Counted { bytes: Cursor::new(bytes), read: Default::default(), seekable }
    }
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.bytes.read(buf)?;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

impl Seek for Counted<'_> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        if !self.seekable {
            return Err(std::io::Error::from_raw_os_error(29)); // ESPIPE
        }
        self.read.set(0);
        self.bytes.seek(to)
    }
}

#[test]
fn an_event_comes_out_before_the_rest_of_the_file_is_read() {
    for name in [MALI, MONADIC] {
        let Some(bytes) = data(name) else { return };
        let empty = Catalog::empty();
        let checked = check_acled(name, Cursor::new(&bytes[..]), &empty, |_, _| Ok(())).unwrap();
        let file = Counted::new(&bytes, true);
        let read = file.read.clone();
        let mut events = AcledEvents::new(name, file, &checked).unwrap();
        for _ in 0..20 {
            assert!(events.next().unwrap().is_ok());
        }
        // Since the last rewind (a monadic export is counted first).
        let read = read.get();
        assert!(read < bytes.len() / 10, "{name}: {read} of {} bytes read", bytes.len());
    }
}

#[test]
fn an_export_is_checked_from_a_file_and_a_dyadic_one_read_again_from_a_pipe() {
    let Some(dyadic) = data(MALI) else { return };
    let empty = Catalog::empty();
    let checked = check_acled(MALI, Counted::new(&dyadic, true), &empty, |_, _| Ok(())).unwrap();
    let whole = read(MALI, &dyadic, &empty);
    assert_eq!(checked.events, whole.events.len() as u64);
    // The second reading knows where the locations are from the first.
    let again = AcledEvents::new(MALI, Counted::new(&dyadic, false), &checked).unwrap();
    assert_eq!(again.map(|e| e.unwrap().1).collect::<Vec<_>>(), whole.events);

    // The first reading needs the file twice, whatever its layout.
    let monadic = monadic(&[("VAR1", "VLF", "2")]);
    for (name, text) in [("d.csv", fixture()), ("m.csv", monadic)] {
        let refusal =
            check_acled(name, Counted::new(text.as_bytes(), false), &empty, |_, _| Ok(()))
                .unwrap_err();
        let Refused::Io(e) = refusal else { panic!("{refusal:?}") };
        assert!(
            e.to_string()
                .starts_with("an ACLED export is read twice (first for where its locations are")
                && e.to_string().contains("so it must be a file, not a stream"),
            "{e}"
        );
    }
}

#[test]
fn a_file_changed_after_its_check_reads_differently() {
    let text = fixture();
    let empty = Catalog::empty();
    let checked =
        check_acled("f.csv", Cursor::new(text.as_bytes()), &empty, |_, _| Ok(())).unwrap();
    // Other words in a note: the rows still read, the checksum differs.
    let revised = text.replacen("Sabra", "Sabrah", 1);
    assert_ne!(revised, text);
    let mut again = AcledEvents::new("f.csv", Cursor::new(revised.as_bytes()), &checked).unwrap();
    assert!(again.by_ref().all(|e| e.is_ok()));
    assert_ne!(again.checksum(), checked.checksum);
    let mut same = AcledEvents::new("f.csv", Cursor::new(text.as_bytes()), &checked).unwrap();
    assert!(same.by_ref().all(|e| e.is_ok()));
    assert_eq!(same.checksum(), checked.checksum);
    // A row broken since: an error that names its line, then nothing more.
    let broken = text.replacen("2021-02-10", "31 Februar 2021", 1);
    let again = AcledEvents::new("f.csv", Cursor::new(broken.as_bytes()), &checked).unwrap();
    let read: Vec<_> = again.collect();
    let Some(Err(Refused::Lines(errors))) = read.last() else { panic!("{read:?}") };
    assert_eq!(errors[0].line, 7);
    assert_eq!(read.iter().filter(|r| r.is_err()).count(), 1);
}
