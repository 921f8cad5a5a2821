//! Files the user asks for (`export -o`, `graph -o`) are written whole or
//! not at all, and never inside the log.

use std::process::Command;

use super::{annals, ok, Db};

fn s(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// `-o` into the log's directory would damage the log: refused (exit 2),
/// and the log is as it was.
#[test]
fn an_output_inside_the_log_is_refused_and_the_log_keeps_working() {
    let db = Db::with(&[]);
    let log = s(&db.path);
    for (args, target) in [
        (vec!["export", "--format", "jsonl", "-o"], "db"),
        (vec!["graph", "--on", "2023-10-02", "-o"], "annals-head"),
        (vec!["graph", "--on", "2023-10-02", "-o"], "new-file.dot"),
    ] {
        let path = db.path.join(target);
        let before = std::fs::read(&path).ok();
        let mut all = vec!["--db", log];
        all.extend(&args);
        all.push(s(&path));
        let out = annals(&all);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("inside the log"), "{stderr}");
        // sled's own file changes when the log opens; the others must not.
        if target != "db" {
            assert_eq!(std::fs::read(&path).ok(), before, "{target} was changed");
        }
    }
    assert!(ok(&["--db", log, "verify"]).starts_with("ok:"));
}

/// Outside the log, `-o` replaces the file with the whole new content and
/// leaves no temporary file behind.
#[test]
fn an_output_replaces_the_file_whole_and_leaves_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chronicle.jsonl");
    std::fs::write(&file, "an old backup\n").unwrap();
    ok(&["export", "--format", "jsonl", "-o", s(&file)]);
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written, ok(&["export", "--format", "jsonl"]));
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("chronicle.jsonl")]);
}

/// A full disk while `export -o` writes: the command fails naming the file,
/// and the file that was there is intact (a real tmpfs too small for the
/// export, in a private mount namespace; without the rights for one the
/// test says so and stops).
#[test]
fn a_full_disk_during_an_export_keeps_the_previous_file() {
    let probe = Command::new("unshare").args(["--mount", "true"]).output();
    if !probe.as_ref().is_ok_and(|out| out.status.success()) {
        eprintln!("SKIPPED: `unshare --mount` is not permitted here (it needs root or CAP_SYS_ADMIN): {probe:?}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mnt, out) = (dir.path().join("mnt"), dir.path().join("out"));
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"
annals=$1 mnt=$2 out=$3
mount -t tmpfs -o size=96k annals-full "$mnt" || exit 90
printf 'the previous backup\n' > "$mnt/backup.jsonl" || exit 91
"$annals" export --format jsonl -o "$mnt/backup.jsonl" 2> "$out/err"
echo $? > "$out/status"
cp "$mnt/backup.jsonl" "$out/backup.jsonl" || exit 92
ls -a "$mnt" > "$out/files"
"#;
    let run = Command::new("unshare")
        .args(["--mount", "sh", "-c", script, "sh", env!("CARGO_BIN_EXE_annals"), s(&mnt), s(&out)])
        .env_remove("ANNALS_DB")
        .output()
        .expect("unshare runs the script");
    assert!(run.status.success(), "the set-up failed: {run:?}");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let err = read("err");
    assert_eq!(read("status").trim(), "8", "the export should fail with an I/O error: {err}");
    assert!(err.contains("backup.jsonl"), "the message names no file: {err}");
    assert_eq!(read("backup.jsonl"), "the previous backup\n");
    assert!(!read("files").contains(".partial"), "a temporary file was left: {}", read("files"));
}
