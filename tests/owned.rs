//! Ids an importer owns (docs/FORMAT.md, "Ids an importer owns"): a format
//! v1 file may define an entity in an importer's namespace (`acled:`,
//! `ucdp-`, `gdelt:`, …) only in the shape that importer makes, so that a
//! later dataset import never takes over an actor, place or source a
//! historian wrote; an export of imported data still imports into a new
//! log.

use super::{annals, write, Db};

const LAYOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/acled-layout-test.csv");

#[test]
fn owned_ids_a_hand_written_acled_entity_is_refused_and_an_export_of_acled_data_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    // An actor of one's own under ACLED's id for the Varenian Liberation
    // Front, with an alias: the ACLED import would attach its events to it.
    let file = write(
        dir.path(),
        "mine.jsonl",
        concat!(
            "{\"type\":\"source\",\"id\":\"notes\",\"title\":\"My notes\"}\n",
            "{\"type\":\"actor\",\"id\":\"acled:vlf-varenian-liberation-front\",\"name\":\"VLF: Varenian Liberation Front\",\"aliases\":[\"VLF\"]}\n",
            "{\"type\":\"source\",\"id\":\"acled:src.my-notes\",\"title\":\"My notes\",\"publisher\":\"Me\"}\n",
        ),
    );
    let out = annals(&["--db", db.p(), "import", &file]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains(&format!(
            "{file}:2: the actor id `acled:vlf-varenian-liberation-front` is in the namespace of \
             the ACLED importer (`acled:`), which takes a stored actor of that id as its own, and \
             this actor is not one it makes (it has aliases); give it an id outside `acled:`, and \
             cite ACLED as a source (`acled:dataset`) or join it to ACLED's with `annals link`"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:3: the source id `acled:src.my-notes`")), "{err}");
    assert!(err.contains("(it has a publisher)"), "{err}");
    assert_eq!(db.export(), "", "nothing was stored");

    // The same actor under an id of one's own is accepted; so is an entity
    // in `acled:` of the shape the importer makes, which it may take over
    // without changing anything it says.
    let fixed = write(
        dir.path(),
        "fixed.jsonl",
        concat!(
            "{\"type\":\"actor\",\"id\":\"vlf\",\"name\":\"VLF: Varenian Liberation Front\",\"aliases\":[\"VLF\"]}\n",
            "{\"type\":\"actor\",\"id\":\"acled:vlf-varenian-liberation-front\",\"name\":\"VLF: Varenian Liberation Front\"}\n",
        ),
    );
    db.run(&["import", &fixed]);
    db.run(&["import", "--format", "acled", LAYOUT]);

    // An export of a log holding ACLED's data imports into a new log, whole.
    let export = db.export();
    assert!(export.contains("\"id\":\"acled:dataset\""), "{export}");
    let again = Db::with(&[]);
    let file = write(dir.path(), "export.jsonl", &export);
    again.run(&["import", &file]);
    assert_eq!(again.export(), export);
    // And once more into the same log: nothing new, nothing refused.
    let said = again.run(&["import", &file]);
    assert!(said.contains("were already stored"), "{said}");
}

/// Every entity the ACLED importer makes from a real export has the shape
/// a format v1 file may give an `acled:` id: the export of the log imports
/// into a new log, whole. (The export is read in place from `../shared`,
/// never copied; the test is skipped where that folder is absent.)
#[test]
fn owned_ids_an_export_of_a_real_acled_import_imports_into_a_new_log() {
    let real = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/acled_mali_1997-2020_hdx.csv");
    if !std::path::Path::new(real).exists() {
        eprintln!("skipped: {real} is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    db.run(&["import", "--format", "acled", real]);
    let export = db.export();
    let again = Db::with(&[]);
    again.run(&["import", &write(dir.path(), "export.jsonl", &export)]);
    assert_eq!(again.export(), export);
}

/// Every importer's namespace is guarded alike: a hand-written entity in
/// it that the importer does not make is refused with its line, naming the
/// importer and what to do instead (exit code 4, nothing stored).
#[test]
fn owned_ids_a_hand_written_entity_in_any_importers_namespace_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    // (line, importer, the prefix its namespace is named by, why)
    let cases = [
        (r#"{"type":"actor","id":"acled:jnim","name":"JNIM","aliases":["GSIM"]}"#, "ACLED", "acled:", "it has aliases"),
        (r#"{"type":"actor","id":"pt-perpetrators-mali-2012-03-22","name":"Sanogo's men","aliases":["CNRDRE"]}"#, "Powell & Thyne", "pt-", "it has aliases"),
        (r#"{"type":"source","id":"powell-thyne","title":"My copy of Powell & Thyne"}"#, "Powell & Thyne", "powell-thyne", "its publisher is not Jonathan M. Powell and Clayton L. Thyne"),
        (r#"{"type":"actor","id":"cline-perpetrators-43203222012","name":"Junta","aliases":["CNRDRE"]}"#, "Cline Center", "cline-", "it has aliases"),
        (r#"{"type":"actor","id":"ucdp-actor-6180","name":"MNLA","aliases":["Azawad"]}"#, "UCDP", "ucdp-", "it has aliases"),
        (r#"{"type":"source","id":"ucdp-notes","title":"My UCDP notes"}"#, "UCDP", "ucdp-", "the UCDP importer names its sources `ucdp-acd`, `ucdp-brd`, `ucdp-nonstate`, `ucdp-onesided` and their releases"),
        (r#"{"type":"actor","id":"cow-intra-1-side-a","name":"Rebels","aliases":["R"]}"#, "COW", "cow-intra-", "it has aliases"),
        (r#"{"type":"actor","id":"prif-org-un","name":"UN","aliases":["United Nations"]}"#, "PRIF", "prif-", "it has aliases"),
        (r#"{"type":"actor","id":"atop-1234","name":"My alliance","aliases":["Pact"]}"#, "ATOP", "atop-", "it has aliases"),
        (r#"{"type":"place","id":"gdelt:geo.1234","name":"Gao","aliases":["Gao town"]}"#, "GDELT", "gdelt", "it has aliases"),
    ];
    let text: String = cases.iter().map(|(line, ..)| format!("{line}\n")).collect();
    let file = write(dir.path(), "mine.jsonl", &text);
    let out = annals(&["--db", db.p(), "import", &file]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    for (n, (line, importer, prefix, why)) in cases.iter().enumerate() {
        let event = annals_model::v1::parse_line(line).unwrap().event;
        let (id, what) = (event.id.as_str(), event.kind.type_name());
        let said = format!(
            "{file}:{}: the {what} id `{id}` is in the namespace of the {importer} importer \
             (`{prefix}`), which takes a stored {what} of that id as its own, and this {what} is \
             not one it makes ({why}",
            n + 1
        );
        assert!(err.contains(&said), "{said}\nnot in:\n{err}");
        assert!(
            err.contains(&format!(
                "give it an id outside `{prefix}`, and cite {importer} as a source"
            )),
            "{err}"
        );
    }
    assert_eq!(db.export(), "", "nothing was stored");
}

/// What every dataset importer makes has the shape a format v1 file may
/// give an id in its namespace: the export of a log holding one file of
/// each dataset imports into a new log, whole. (The data are read in place
/// from `../shared`; the test is skipped where that folder is absent.)
#[test]
fn owned_ids_an_export_of_every_dataset_import_imports_into_a_new_log() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
    let files = [
        "powell_thyne_coups_V2022.11.29.csv",
        "cline_center_coup_data_v2.0.0.csv",
        "ucdp_prio_acd_v22.1.csv",
        "ucdp_brd_dyadic_v21.1.csv",
        "ucdp_nonstate_v22.1.csv",
        "ucdp_onesided_v21.1.csv",
        "cow_intrastate_war_v4.1.csv",
        "prif_hmi_v0.3_humanitarian_military_interventions.DERIVED.csv",
        "atop_v4.01_alliance_level.csv",
        "atop_v4.01_member_level.csv",
        "gdelt1_west_africa_conflict_1991.csv",
    ];
    let paths: Vec<String> = files.iter().map(|f| format!("{data}/{f}")).collect();
    if !paths.iter().all(|p| std::path::Path::new(p).exists()) {
        eprintln!("skipped: {data} is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = Db::with(&[]);
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    db.run(&args);
    let export = db.export();
    for prefix in [
        "\"id\":\"ucdp-actor-",
        "\"id\":\"gdelt:actor.",
        "\"id\":\"atop-",
        "\"id\":\"prif-org-",
        "\"id\":\"cow-intra-",
        "\"id\":\"pt-perpetrators-",
        "\"id\":\"cline-perpetrators-",
    ] {
        assert!(export.contains(prefix), "the export has no {prefix}");
    }
    let again = Db::with(&[]);
    again.run(&["import", &write(dir.path(), "export.jsonl", &export)]);
    assert_eq!(again.export(), export);
}
