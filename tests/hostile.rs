//! Hostile input: every file under `fixtures/hostile/` is imported by the real
//! binary into a real log, and does what the table in
//! `fixtures/hostile/README.md` says: refused with an error naming `FILE:LINE`
//! and the problem, or accepted. A refusal changes nothing: after each one the
//! bytes of every sled file are compared with what they were, and if sled has
//! rewritten a page (it may, on a read; same content, new bytes: see
//! docs/RELIABILITY.md) `export` and `log` must say what they said before;
//! both are compared again after all of them. A file added to the directory without a row in
//! the table fails the test, and so does a row without a file. The 10 MB
//! lines are generated here, in a temp dir, never committed.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::reliability::copy_log;
use super::{annals, Db, OUTSIDE};

const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/hostile");
const LAYOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/outside/acled-layout-test.csv");

/// What a file must do.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expected {
    /// A non-zero exit, nothing stored, and an error naming `line` (when the
    /// importer knows it) that contains `says`.
    Refused { line: Option<usize>, says: String },
    /// Imported, storing `new` events the log did not hold.
    Accepted { new: usize },
}

/// The table of `fixtures/hostile/README.md`: file (under `fixtures/hostile`) →
/// what it must do. Rows look like
/// ``| `jsonl/x.jsonl` | refused | 2 | `` the error text `` | what it is |``.
fn table() -> BTreeMap<String, Expected> {
    let readme = std::fs::read_to_string(format!("{HOSTILE}/README.md")).unwrap();
    let mut rows = BTreeMap::new();
    for (i, row) in readme.lines().enumerate().filter(|(_, l)| l.starts_with("| `")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let at = format!("README.md line {}", i + 1);
        assert!(cells.len() >= 6, "{at}: a row has 5 cells: {row}");
        let file = cells[1].trim_matches('`').to_string();
        let expected = match cells[2] {
            "refused" => {
                let line = match cells[3] {
                    "—" => None,
                    n => Some(n.parse().unwrap_or_else(|_| panic!("{at}: line `{n}`"))),
                };
                let says = cells[4]
                    .strip_prefix("``")
                    .and_then(|s| s.strip_suffix("``"))
                    .unwrap_or_else(|| panic!("{at}: the error goes in `` ``: {}", cells[4]));
                let says = says.strip_prefix(' ').unwrap_or(says);
                let says = says.strip_suffix(' ').unwrap_or(says).to_string();
                assert!(!says.is_empty(), "{at}: an empty error");
                Expected::Refused { line, says }
            }
            accepted => {
                let new = accepted
                    .strip_prefix("accepted, ")
                    .and_then(|s| s.strip_suffix(" new"))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| {
                        panic!("{at}: `refused` or `accepted, N new`, not `{accepted}`")
                    });
                Expected::Accepted { new }
            }
        };
        assert!(rows.insert(file.clone(), expected).is_none(), "{at}: `{file}` has two rows");
    }
    rows
}

/// Every file of a log: path under the log → bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Which files differ, and where, without printing megabytes of bytes.
fn differences(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Vec<String> {
    let mut names: Vec<&PathBuf> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| match (before.get(name), after.get(name)) {
            (Some(a), Some(b)) if a == b => None,
            (Some(a), Some(b)) => {
                let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
                Some(format!(
                    "{}: {} → {} bytes, first difference at {at}",
                    name.display(),
                    a.len(),
                    b.len()
                ))
            }
            (Some(_), None) => Some(format!("{}: removed", name.display())),
            (None, _) => Some(format!("{}: created", name.display())),
        })
        .collect()
}

/// A log holding `fixtures/outside/sahel-test.jsonl` and the ACLED layout
/// fixture, reopened once so that sled has rewritten its own snapshot file
/// (the first open after a write does); from then on the bytes hold still.
struct Base {
    db: Db,
    records: usize,
    export: String,
    log: String,
    /// The bytes of the log's files, as of the last check.
    files: RefCell<BTreeMap<PathBuf, Vec<u8>>>,
    /// Refusals after which sled had rewritten bytes (with the same content).
    rewrites: Cell<usize>,
}

impl Base {
    fn new() -> Base {
        let db = Db::with(&[OUTSIDE]);
        db.run(&["import", "--format", "acled", LAYOUT]);
        let log = db.run(&["log"]);
        let export = db.export();
        let records = export.lines().count();
        let files = RefCell::new(files(&db.path));
        Base { db, records, export, log, files, rewrites: Cell::new(0) }
    }

    /// Imports `file` and checks that it does what `expected` says.
    fn check(&self, file: &Path, acled: bool, expected: &Expected) {
        let path = file.to_str().unwrap();
        let format: &[&str] = if acled { &["--format", "acled"] } else { &[] };
        match expected {
            Expected::Refused { line, says } => {
                let out = annals(&[&["--db", self.db.p(), "import"], format, &[path]].concat());
                let err = String::from_utf8_lossy(&out.stderr);
                let name = file.file_name().unwrap().to_string_lossy();
                assert!(!out.status.success(), "{name} was not refused");
                assert!(!err.contains("panicked"), "{name}: {err}");
                assert!(!String::from_utf8_lossy(&out.stdout).contains("imported"), "{name}");
                assert!(err.len() < 16_000, "{name}: {} bytes of errors", err.len());
                assert!(
                    err.contains(&format!("{path} was not imported; nothing was stored")),
                    "{name}: {err}"
                );
                match line {
                    Some(line) => {
                        let at = format!("{path}:{line}: ");
                        assert!(
                            err.lines().any(|l| l.starts_with(&at) && l.contains(says.as_str())),
                            "{name}: no line `{at}… {says} …` in:\n{err}"
                        );
                    }
                    None => assert!(err.contains(says.as_str()), "{name}: no `{says}` in:\n{err}"),
                }
                self.assert_unchanged(&name);
            }
            Expected::Accepted { new } => {
                let dir = tempfile::tempdir().unwrap();
                let copy = dir.path().join("log.db");
                copy_log(&self.db.path, &copy);
                let db = copy.to_str().unwrap();
                let out = annals(&[&["--db", db, "import"], format, &[path]].concat());
                let said = String::from_utf8_lossy(&out.stdout);
                let err = String::from_utf8_lossy(&out.stderr);
                let name = file.file_name().unwrap().to_string_lossy();
                assert!(out.status.success(), "{name} was refused: {err}");
                assert!(!err.contains("panicked"), "{name}: {err}");
                let start = match new {
                    0 => format!("nothing new in {path}"),
                    n => format!("imported {n} new events from {path}"),
                };
                assert!(said.starts_with(&start), "{name}: {said}");
                let verify = annals(&["--db", db, "verify"]);
                let ok = format!("ok: {} records", self.records + new);
                assert!(
                    String::from_utf8_lossy(&verify.stdout).starts_with(&ok),
                    "{name}: verify after the import: {}{}",
                    String::from_utf8_lossy(&verify.stdout),
                    String::from_utf8_lossy(&verify.stderr)
                );
            }
        }
    }

    /// The log is what it was: the same bytes, or else (sled has rewritten
    /// a page) the same `export` and `log`.
    fn assert_unchanged(&self, after: &str) {
        if differences(&self.files.borrow(), &files(&self.db.path)).is_empty() {
            return;
        }
        assert_eq!(self.db.export(), self.export, "{after} changed `annals export`");
        assert_eq!(self.db.run(&["log"]), self.log, "{after} changed `annals log`");
        self.rewrites.set(self.rewrites.get() + 1);
        *self.files.borrow_mut() = files(&self.db.path);
    }

    /// After all the refusals: `export` and `log` say what they said before.
    fn unchanged(&self) {
        assert_eq!(self.db.export(), self.export, "the refusals changed `annals export`");
        assert_eq!(self.db.run(&["log"]), self.log, "the refusals changed `annals log`");
        if self.rewrites.get() > 0 {
            eprintln!("sled rewrote bytes (same content) after {} refusals", self.rewrites.get());
        }
    }
}

/// Every file of `fixtures/hostile/{dir}`, each with its row of the table.
fn corpus(dir: &str) -> Vec<(PathBuf, Expected)> {
    let mut table = table();
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(format!("{HOSTILE}/{dir}")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let cases: Vec<(PathBuf, Expected)> = files
        .into_iter()
        .map(|path| {
            let key = format!("{dir}/{}", path.file_name().unwrap().to_str().unwrap());
            let expected = table
                .remove(&key)
                .unwrap_or_else(|| panic!("{key} has no row in fixtures/hostile/README.md"));
            (path, expected)
        })
        .collect();
    let orphans: Vec<&String> =
        table.keys().filter(|k| k.starts_with(&format!("{dir}/"))).collect();
    assert!(orphans.is_empty(), "README.md rows without a file: {orphans:?}");
    cases
}

fn run_corpus(dir: &str, acled: bool) -> usize {
    let base = Base::new();
    let cases = corpus(dir);
    for (path, expected) in &cases {
        base.check(path, acled, expected);
    }
    base.unchanged();
    cases.len()
}

#[test]
fn hostile_jsonl_files_are_refused_with_their_line_or_accepted_and_refusals_change_nothing() {
    assert!(run_corpus("jsonl", false) >= 50);
}

#[test]
fn hostile_acled_files_are_refused_with_their_line_or_accepted_and_refusals_change_nothing() {
    assert!(run_corpus("acled", true) >= 30);
}

#[test]
fn hostile_corpus_holds_at_least_fifty_files_each_described_in_one_line() {
    let table = table();
    assert!(table.len() >= 50, "{} files", table.len());
    let folder_is_a_format =
        |k: &str| k.split('/').next().and_then(annals_import::Format::from_name).is_some();
    assert!(table.keys().all(|k| folder_is_a_format(k)), "{:?}", table.keys());
    assert!(table.values().any(|e| matches!(e, Expected::Accepted { .. })));
}

/// The files of the datasets read by the import library (the command line
/// does not take these formats yet): each refused with its line and
/// problem, or accepted with as many events as its row says.
#[test]
fn hostile_dataset_files_are_refused_with_their_line_or_accepted() {
    use annals_import::{read, Catalog, Format};
    let mut checked = 0;
    for format in Format::ALL.into_iter().filter(|f| !matches!(f, Format::Jsonl | Format::Acled)) {
        for (path, expected) in corpus(format.name()) {
            let name =
                path.strip_prefix(HOSTILE).unwrap().to_str().unwrap().trim_start_matches('/');
            let bytes = std::fs::read(&path).unwrap();
            match (read(format, name, &bytes, &Catalog::empty()), &expected) {
                (Ok(imported), Expected::Accepted { new }) => {
                    assert_eq!(imported.events.len(), *new, "{name}")
                }
                (Err(errors), Expected::Refused { line, says }) => {
                    let first = errors[0].to_string();
                    let at = line.map(|l| format!("{name}:{l}: ")).unwrap_or_default();
                    assert!(first.starts_with(&at) && first.contains(says), "{name}: {first}");
                }
                (Ok(imported), _) => {
                    panic!("{name} was accepted: {} events", imported.events.len())
                }
                (Err(errors), _) => panic!("{name} was refused: {}", errors[0]),
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} files");
}

/// Lines of 10 MB, made here (never committed): refused with a short error
/// that still names the line, or accepted when they are well formed.
#[test]
fn hostile_ten_megabyte_lines_are_refused_with_short_errors_or_accepted() {
    let base = Base::new();
    let dir = tempfile::tempdir().unwrap();
    let huge = "x".repeat(10 * 1024 * 1024);
    let refused =
        |line: usize, says: &str| Expected::Refused { line: Some(line), says: says.to_string() };
    let source = "{\"type\":\"source\",\"id\":\"h-src\",\"title\":\"T\"}\n";
    let header = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,inter2,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n";
    let row = |date: &str, notes: &str| {
        format!("HOS1,{date},1,Battles,Armed clash,Blue Front,2,,,Varenia,Kessa,Ubbo,Sabra,17.1,-1.5,Radio Kessa,{notes},3\n")
    };
    let cases: Vec<(&str, String, bool, Expected)> = vec![
        (
            "unterminated.jsonl",
            format!("{source}{{\"type\":\"source\",\"id\":\"h-src2\",\"title\":\"{huge}\n"),
            false,
            refused(2, "not a JSON object: EOF while parsing a string"),
        ),
        (
            "huge-type.jsonl",
            format!("{{\"type\":\"{huge}\"}}\n"),
            false,
            refused(1, "unknown type `xxxxxxxxxx"),
        ),
        (
            "huge-id.jsonl",
            format!("{source}{{\"type\":\"actor\",\"id\":\"{}\",\"name\":\"A\"}}\n", huge.to_uppercase()),
            false,
            refused(2, "field `id`: invalid id `XXXXXXXXXX"),
        ),
        (
            "huge-field-name.jsonl",
            format!("{{\"type\":\"source\",\"id\":\"h-src\",\"title\":\"T\",\"{huge}\":1}}\n"),
            false,
            refused(1, "… (10485760 bytes)`"),
        ),
        (
            "huge-date.jsonl",
            format!("{{\"type\":\"control_lost\",\"place\":\"segou-ville\",\"actor\":\"army\",\"date\":\"2023/{huge}\"}}\n"),
            false,
            refused(1, "field `date`: invalid date `2023/xxxx"),
        ),
        (
            "huge-note.jsonl",
            format!("{{\"type\":\"source\",\"id\":\"h-src\",\"title\":\"T\",\"note\":\"{huge}\"}}\n"),
            false,
            Expected::Accepted { new: 1 },
        ),
        ("huge-cell.csv", format!("{header}{}", row(&huge, "Clash.")), true, refused(2, "column `event_date`: `xxxx")),
        ("huge-notes.csv", format!("{header}{}", row("2021-03-05", &huge)), true, Expected::Accepted { new: 4 }),
    ];
    for (name, text, acled, expected) in &cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        base.check(&file, *acled, expected);
    }
    base.unchanged();
}
