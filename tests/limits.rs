//! The longest line annals reads (16 MiB, `MAX_LINE_BYTES`): a longer line,
//! in any format family, refuses the file with its line number and exit
//! code 4, is not read to its end (`/dev/zero` is one endless line), and
//! changes nothing in the log. The real binary is watched while it runs:
//! its resident memory must stay far below what reading the line whole
//! would take.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Db, OUTSIDE};

const MIB: usize = 1 << 20;

/// What an import did: its exit code, its standard error, the most
/// resident memory seen while it ran (kB, from `/proc/PID/status`), and
/// how long it took.
struct Run {
    code: Option<i32>,
    stderr: String,
    peak_kb: u64,
    took: Duration,
}

fn import_watched(db: &Db, file: &Path, format: Option<&str>) -> Run {
    let mut args = vec!["--db", db.p(), "import"];
    if let Some(format) = format {
        args.extend(["--format", format]);
    }
    args.push(file.to_str().unwrap());
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(&args)
        .env_remove("ANNALS_DB")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        let rss = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
        peak_kb = peak_kb.max(rss.unwrap_or(0));
        if peak_kb > 1_000_000 || start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("annals {args:?} still ran after {:?}, {peak_kb} kB resident", start.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let took = start.elapsed();
    eprintln!("annals {args:?}: exit {code:?}, peak {peak_kb} kB resident, {took:?}");
    Run { code, stderr, peak_kb, took }
}

/// `run` refused the file at `line` for its length, quickly, in bounded
/// memory.
fn refused_for_length(run: &Run, name: &str, line: usize) {
    assert_eq!(run.code, Some(4), "{name}: {}", run.stderr);
    let at = format!("{name}:{line}: the line is longer than the 16 MiB annals accepts");
    assert!(run.stderr.contains(&at), "{name}: wanted `{at}`, got: {}", run.stderr);
    assert!(run.stderr.len() < 2048, "{name}: a long error ({} bytes)", run.stderr.len());
    // Reading 16 MiB and then stopping needs tens of MB; the line read
    // whole (or the file, or /dev/zero) would need far more.
    assert!(run.peak_kb < 400_000, "{name}: {} kB resident", run.peak_kb);
    assert!(run.took < Duration::from_secs(60), "{name}: took {:?}", run.took);
}

#[test]
fn limits_dev_zero_is_refused_at_its_first_line_in_every_format_family() {
    let db = Db::with(&[OUTSIDE]);
    let before = db.run(&["export"]);
    // Without a format, its first 64 KiB tell none.
    let run = import_watched(&db, Path::new("/dev/zero"), None);
    assert_eq!(run.code, Some(4), "{}", run.stderr);
    assert!(run.stderr.contains("/dev/zero: the format is not recognised"), "{}", run.stderr);
    for format in ["jsonl", "acled", "powell-thyne", "ucdp-acd", "gdelt"] {
        let run = import_watched(&db, Path::new("/dev/zero"), Some(format));
        refused_for_length(&run, "/dev/zero", 1);
    }
    assert_eq!(db.run(&["export"]), before, "a refused import changed the log");
}

#[test]
fn limits_a_line_over_16_mib_is_refused_with_its_number_in_every_format_family() {
    let db = Db::with(&[OUTSIDE]);
    let before = db.run(&["export"]);
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(17 * MIB);
    let acled_header = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,inter2,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n";
    let acled_row = |notes: &str| {
        format!("LIM1,2021-03-05,1,Battles,Armed clash,Blue Front,2,,,Varenia,Kessa,Ubbo,Sabra,17.1,-1.5,Radio Kessa,{notes},3\n")
    };
    let coups = "country\tccode\tccode_gw\tccode_polity\tyear\tmonth\tday\tcoup\tversion\n";
    let coup = "Mali\t432\tNA\tNA\t1968\t11\t19\t2\tV2022.11.29\n";
    let cases = [
        (
            "long.jsonl",
            format!("{{\"type\":\"source\",\"id\":\"l-src\",\"title\":\"T\"}}\n\n{{\"type\":\"source\",\"id\":\"l-2\",\"title\":\"T\",\"note\":\"{long}\"}}\n"),
            3,
        ),
        // A quoted cell may hold line ends; one without any is one line.
        ("long.csv", format!("{acled_header}{}{}", acled_row("Clash."), acled_row(&format!("\"{long}\""))), 3),
        ("long-unquoted.csv", format!("{acled_header}{}", acled_row(&long)), 2),
        ("long.tsv", format!("{coups}{coup}{coup}Mali\t432\tNA\tNA\t1968\t11\t19\t2\t{long}\n"), 4),
    ];
    for (name, text, line) in &cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let run = import_watched(&db, &file, None);
        refused_for_length(&run, &file.display().to_string(), *line);
    }
    assert_eq!(db.run(&["export"]), before, "a refused import changed the log");
    // Just under the limit is read as usual (the error is then not about
    // the length).
    let under = dir.path().join("under.jsonl");
    let note = "x".repeat(16 * MIB - 100);
    std::fs::write(
        &under,
        format!("{{\"type\":\"source\",\"id\":\"u-src\",\"title\":\"T\",\"note\":\"{note}\"}}\n"),
    )
    .unwrap();
    let run = import_watched(&db, &under, None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}
