//! `annals import` end to end on every real data set of `../shared/data`
//! (read in place, never copied): each file's format told from its first
//! line, imported into a fresh log that `verify` passes, and imported again
//! without storing anything; one release of each together in one log with
//! the chronicle; and the answers the datasets give.

use std::path::{Path, PathBuf};

use super::{fails, ok, Db};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

/// Every data file (CSV, tab-separated text), sorted; none when the folder
/// is absent (the test then says it skipped).
fn data_files() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(DATA) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("csv" | "txt")))
        .collect();
    files.sort();
    files
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn every_data_file_imports_alone_verifies_and_imports_again_as_nothing_new() {
    let files = data_files();
    if files.is_empty() {
        eprintln!("skipped: {DATA} is absent");
        return;
    }
    // 18 CSV and text files; PRIF's .xlsx is read as its derived CSV.
    assert!(files.len() >= 18, "{} data files", files.len());
    for file in &files {
        let db = Db::with(&[]);
        let said = db.run(&["import", s(file)]);
        assert!(said.starts_with("imported "), "{}: {said}", file.display());
        assert!(said.contains("(told from its first line)"), "{}: {said}", file.display());
        let verified = db.run(&["verify"]);
        assert!(verified.starts_with("ok: "), "{}: {verified}", file.display());
        let again = db.run(&["import", s(file)]);
        assert!(again.starts_with("nothing new"), "{}: {again}", file.display());
    }
}

#[test]
fn one_release_of_each_dataset_and_the_chronicle_make_one_world() {
    let files: Vec<PathBuf> = data_files()
        .into_iter()
        // One release of each dataset (`releases.rs` imports several).
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            !name.contains("V2015") && !name.contains("acd_v21.1") && !name.contains("2017-20")
        })
        .collect();
    if files.is_empty() {
        eprintln!("skipped: {DATA} is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let chronicle = dir.path().join("chronicle.jsonl");
    std::fs::write(&chronicle, ok(&["export"])).unwrap();
    let db = Db::with(&[s(&chronicle)]);
    let mut args = vec!["import"];
    args.extend(files.iter().map(|f| s(f)));
    let said = db.run(&args);
    assert_eq!(said.matches("imported ").count(), files.len(), "{said}");
    assert!(db.run(&["verify"]).starts_with("ok: "));
    // Powell & Thyne and the chronicle name Mali by one id: the 1968 coup
    // of the dataset and the chronicle's governments answer together.
    let mali = db.json(&["government", "mali", "--on", "1980-01-01"]);
    assert_eq!(mali["status"], "controlled", "{mali:#}");
    // Every state the catalogue knows, from the datasets alone.
    let chad = db.json(&["government", "chad", "--on", "1980-01-01"]);
    assert_ne!(chad["status"], "unknown", "{chad:#}");
    let bf = db.json(&["government", "burkina-faso", "--on", "2022-10-15"]);
    let candidates = bf["candidates"].as_array().unwrap();
    assert!(
        candidates.iter().any(|c| c["event"].as_str().unwrap().starts_with("pt-coup-")),
        "{bf:#}"
    );
    // The relations of ATOP and UCDP are in the graph.
    // The Agacher Strip war (UCDP conflict 355, from about 26 December 1985).
    let relations = db.json(&["actor", "mali", "--on", "1985-12-28"]);
    let hostile = relations["relations"]["hostile_to"].as_array().unwrap();
    assert!(hostile.iter().any(|e| e["with"]["id"] == "burkina-faso"), "{relations:#}");
}

#[test]
fn a_file_of_no_known_format_is_refused_with_the_list_of_formats() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.csv");
    std::fs::write(&notes, "when,what\n2020,something\n").unwrap();
    let db = Db::with(&[]);
    let err = fails(&["--db", db.p(), "import", s(&notes)]);
    assert!(err.contains("the format is not recognised from its first line"), "{err}");
    assert!(err.contains("powell-thyne") && err.contains("ucdp-acd"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// An answer says how old its evidence is: a question about 2024 answered
/// by the coup of 2021 says so.
#[test]
fn an_answer_says_how_old_its_evidence_is() {
    let file = Path::new(DATA).join("powell_thyne_coups_V2022.11.29.csv");
    if !file.exists() {
        eprintln!("skipped: {DATA} is absent");
        return;
    }
    let db = Db::with(&[]);
    db.run(&["import", s(&file)]);
    let fresh = db.json(&["government", "mali", "--on", "2021-06-01"]);
    assert_eq!(fresh["evidence_age_days"], 11, "{fresh:#}");
    let old = db.json(&["government", "mali", "--on", "2024-06-01"]);
    // The coup of 2021-05-21, three years and eleven days before.
    assert_eq!(old["evidence_age_days"], 1107, "{old:#}");
    let text = db.run(&["government", "mali", "--on", "2024-06-01"]);
    assert!(text.contains("note: the last evidence is from 2021-05-21, 3 years before"), "{text}");
    assert!(!db.run(&["government", "mali", "--on", "2021-06-01"]).contains("note:"));
}

/// An answer about a day past the end of the datasets it rests on says so:
/// ACLED's Mali file ends on 2020-07-31, so its Bamba on 2023-10-02 is
/// beyond what the data cover, while 2016 is not; Powell & Thyne 2022
/// covers up to 2022. The command line answers from the place snapshot and
/// the server from a full replay: both say the same.
#[test]
fn an_answer_past_the_data_it_rests_on_says_so() {
    let acled = Path::new(DATA).join("acled_mali_1997-2020_hdx.csv");
    let coups = Path::new(DATA).join("powell_thyne_coups_V2022.11.29.csv");
    if !acled.exists() || !coups.exists() {
        eprintln!("skipped: {DATA} is absent");
        return;
    }
    let db = Db::with(&[s(&acled), s(&coups)]);
    let bamba = "acled:mali.gao.bourem.bamba";
    let past = db.control(bamba, "2023-10-02");
    assert_eq!(past["beyond_coverage"], true, "{past:#}");
    assert_eq!(past["covered_until"], "2020-07-31", "{past:#}");
    let within = db.control(bamba, "2016-01-01");
    assert_eq!(within["beyond_coverage"], false, "{within:#}");
    assert_eq!(within["covered_until"], "2020-07-31", "{within:#}");
    let text = db.run(&["control", bamba, "--on", "2023-10-02"]);
    assert!(
        text.contains(
            "this day is past the data it rests on, which end 2020-07-31 (ACLED export, Mali"
        ),
        "{text}"
    );
    assert!(!db.run(&["control", bamba, "--on", "2016-01-01"]).contains("past the data"));
    let state = db.json(&["government", "mali", "--on", "2024-06-01"]);
    assert_eq!(state["beyond_coverage"], true, "{state:#}");
    assert_eq!(state["covered_until"], "2022-12-31", "{state:#}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let api = super::server::api(Some(&db.path));
    for (uri, cli) in [
        (format!("/api/control?place={bamba}&on=2023-10-02"), past),
        ("/api/government?state=mali&on=2024-06-01".to_string(), state),
    ] {
        let (status, served) = rt.block_on(super::server::get(&api, &uri));
        assert!(status.is_success(), "{uri}: {served}");
        assert_eq!(served["beyond_coverage"], cli["beyond_coverage"], "{uri}");
        assert_eq!(served["covered_until"], cli["covered_until"], "{uri}");
    }
}
