//! Reliability: crash consistency under SIGKILL, corruption detection on real
//! sled files, and one writer at a time. `docs/RELIABILITY.md` says
//! what each test shows, and gives the figures of a long crash run
//! (`ANNALS_CRASH_ITERATIONS=200 cargo test --release --test tests crash -- --nocapture`).

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use annals_log::Log;
use annals_model::{v1, Event};
use annals_synth::SplitMix64 as Rng;

use super::{annals, Db, OUTSIDE};

// ---------------------------------------------------------------------------
// Helpers

fn s(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// Uniform in [0, 1), from the crash run's PRNG (the synthetic log's
/// SplitMix64, so a run is reproducible from its seed).
fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The seed of a crash run: `ANNALS_CRASH_SEED`, or one from the clock.
fn crash_seed() -> u64 {
    match std::env::var("ANNALS_CRASH_SEED") {
        Ok(text) => text.parse().expect("ANNALS_CRASH_SEED is a u64"),
        Err(_) => {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
                as u64
        }
    }
}

/// Writes a file of format v1: a source, 50 actors, `places` places, then
/// `events` control events among them (one in ten a `control_lost`), every id
/// starting with `prefix`; events also cite `cite` when given (a source the
/// log must already hold). Returns the events as annals reads them, in order.
pub(super) fn generate(
    path: &Path,
    prefix: &str,
    places: usize,
    events: usize,
    cite: Option<&str>,
) -> Vec<Event> {
    const ACTORS: usize = 50;
    let mut text = String::with_capacity(events * 150);
    text += &format!(
        "{{\"type\":\"source\",\"id\":\"{prefix}-src\",\"title\":\"Generated field reports ({prefix})\",\"published\":\"2024-01\"}}\n"
    );
    for a in 0..ACTORS {
        text += &format!(
            "{{\"type\":\"actor\",\"id\":\"{prefix}-a{a}\",\"name\":\"{prefix} actor {a}\",\"kind\":\"armed_group\"}}\n"
        );
    }
    for p in 0..places {
        text += &format!(
            "{{\"type\":\"place\",\"id\":\"{prefix}-p{p}\",\"name\":\"{prefix} place {p}\",\"kind\":\"town\",\"lat\":{},\"lon\":{}}}\n",
            10.0 + (p % 90) as f64 / 10.0,
            -5.0 + (p % 70) as f64 / 10.0
        );
    }
    let sources = match cite {
        Some(other) => format!("[\"{prefix}-src\",\"{other}\"]"),
        None => format!("[\"{prefix}-src\"]"),
    };
    for i in 0..events {
        let date = format!("{}-{:02}-{:02}", 1990 + (i / 3000) % 35, 1 + i % 12, 1 + i % 28);
        let (ty, claim) =
            if i % 10 == 9 { ("control_lost", "reported") } else { ("control_taken", "confirmed") };
        text += &format!(
            "{{\"type\":\"{ty}\",\"id\":\"{prefix}-e{i}\",\"place\":\"{prefix}-p{}\",\"actor\":\"{prefix}-a{}\",\"date\":\"{date}\",\"sources\":{sources},\"claim\":\"{claim}\"}}\n",
            i % places,
            (i / places) % ACTORS
        );
    }
    std::fs::write(path, &text).unwrap();
    text.lines().map(|line| v1::parse_line(line).unwrap().event).collect()
}

/// Copies a closed log (a sled directory) to `to`, replacing what is there.
pub(super) fn copy_log(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_log(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Reads a pipe to its end on a thread, so the child never blocks on it and
/// the test can look at what it has said so far.
fn collect(mut pipe: impl Read + Send + 'static) -> (Arc<Mutex<String>>, JoinHandle<()>) {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    (text, reader)
}

/// Runs `annals ARGS` and waits for it, but never forever: a process still
/// running after `limit` is killed and reported as hung. (A guard against a
/// hang, not a measure of speed: the limit is far above any normal run.)
fn annals_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(args)
        .env_remove("ANNALS_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (stdout, out_reader) = collect(child.stdout.take().unwrap());
    let (stderr, err_reader) = collect(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("annals {args:?} hung: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    out_reader.join().unwrap();
    err_reader.join().unwrap();
    let take = |text: Arc<Mutex<String>>| std::mem::take(&mut *text.lock().unwrap()).into_bytes();
    Output { status, stdout: take(stdout), stderr: take(stderr) }
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------------------
// Crash consistency

/// Where an import was when it was killed, as seen from outside the process
/// (`/proc/PID/io` and what it has printed), just before the SIGKILL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Opening the log and reading the file: less than the file's size read.
    Reading,
    /// Parsing and checking every line (references through the log), then
    /// building the batch: the file is read, nothing written since.
    Checking,
    /// Appending the batch and flushing it: the process writes to the log
    /// and has not yet said that it succeeded.
    Storing,
    /// The import has said it succeeded (it is acknowledged) and is updating
    /// the place snapshot.
    Committed,
    /// The import had exited before the kill.
    Finished,
}

const PHASES: [Phase; 4] = [Phase::Reading, Phase::Checking, Phase::Storing, Phase::Committed];

/// `rchar` and `wchar` of a running process (bytes it has read and written).
fn proc_io(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    let field = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse().ok())
    };
    Some((field("rchar:")?, field("wchar:")?))
}

/// A running `annals import`, watched from outside.
struct Import {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    file_size: u64,
    written_after_reading: Option<u64>,
    started: Instant,
    /// When each phase was first seen.
    seen: BTreeMap<Phase, Duration>,
}

/// How a killed (or finished) import ended.
struct Ended {
    phase: Phase,
    at: Duration,
    stdout: String,
    stderr: String,
    status: ExitStatus,
}

impl Import {
    fn start(db: &Path, file: &Path) -> Import {
        Import::spawn(&["--db", s(db), "import", s(file)], std::fs::metadata(file).unwrap().len())
    }

    /// Starts `annals ARGS`; `file_size` is what it reads before it checks.
    fn spawn(args: &[&str], file_size: u64) -> Import {
        let mut child = Command::new(env!("CARGO_BIN_EXE_annals"))
            .args(args)
            .env_remove("ANNALS_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let (stdout, out_reader) = collect(child.stdout.take().unwrap());
        let (stderr, err_reader) = collect(child.stderr.take().unwrap());
        Import {
            child,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
            file_size,
            written_after_reading: None,
            started,
            seen: BTreeMap::new(),
        }
    }

    fn phase(&mut self) -> Phase {
        if self.child.try_wait().unwrap().is_some() {
            return Phase::Finished;
        }
        let said = self.stdout.lock().unwrap().clone();
        if said.contains("imported ") || said.contains("nothing new") {
            return Phase::Committed;
        }
        let Some((read, written)) = proc_io(self.child.id()) else {
            return Phase::Finished;
        };
        if read < self.file_size {
            return Phase::Reading;
        }
        if written > *self.written_after_reading.get_or_insert(written) {
            Phase::Storing
        } else {
            Phase::Checking
        }
    }

    /// Watches the import until `delay` after its start (or its end).
    fn watch(&mut self, delay: Duration) -> Phase {
        loop {
            let phase = self.phase();
            let at = self.started.elapsed();
            self.seen.entry(phase).or_insert(at);
            if phase == Phase::Finished || at >= delay {
                return phase;
            }
            std::thread::sleep(Duration::from_millis(1).min(delay.saturating_sub(at)));
        }
    }

    /// SIGKILL (`Child::kill` on Unix), then waits for the process.
    fn kill(mut self) -> Ended {
        let phase = self.phase();
        let at = self.started.elapsed();
        let _ = self.child.kill();
        self.end(phase, at)
    }

    /// Waits for the import to end by itself.
    fn finish(mut self) -> Ended {
        self.watch(Duration::MAX);
        let at = self.started.elapsed();
        self.end(Phase::Finished, at)
    }

    fn end(&mut self, phase: Phase, at: Duration) -> Ended {
        let status = self.child.wait().unwrap();
        for reader in self.readers.drain(..) {
            reader.join().unwrap();
        }
        let take = |text: &Arc<Mutex<String>>| std::mem::take(&mut *text.lock().unwrap());
        Ended { phase, at, stdout: take(&self.stdout), stderr: take(&self.stderr), status }
    }
}

impl Drop for Import {
    fn drop(&mut self) {
        // A failed assertion must not leave an import running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// When each phase of an uninterrupted import began, measured once.
#[derive(Debug)]
struct Timeline {
    /// Start of each phase in `PHASES` order, and the end of the import.
    starts: [Duration; 4],
    end: Duration,
}

impl Timeline {
    fn measure(db: &Path, file: &Path) -> Timeline {
        let mut import = Import::start(db, file);
        import.watch(Duration::MAX);
        let seen = import.seen.clone();
        let ended = import.finish();
        assert!(ended.status.success(), "calibration import failed: {}", ended.stderr);
        let end = ended.at;
        let mut starts = [Duration::ZERO; 4];
        // A phase too short to be seen starts where the next one does.
        let mut next = end;
        for (i, phase) in PHASES.iter().enumerate().rev() {
            starts[i] = seen.get(phase).copied().unwrap_or(next).min(next);
            next = starts[i];
        }
        starts[0] = Duration::ZERO;
        Timeline { starts, end }
    }

    fn scaled(&self, factor: f64) -> Timeline {
        Timeline { starts: self.starts.map(|d| d.mul_f64(factor)), end: self.end.mul_f64(factor) }
    }

    /// A moment inside `phase`, drawn uniformly.
    fn inside(&self, phase: usize, rng: &mut Rng) -> Duration {
        let from = self.starts[phase];
        let to = self.starts.get(phase + 1).copied().unwrap_or(self.end);
        from + (to.saturating_sub(from)).mul_f64(unit(rng))
    }
}

impl std::fmt::Display for Timeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_millis();
        write!(
            f,
            "reading 0 ms, checking from {} ms, storing from {} ms, committed from {} ms, exit at {} ms",
            ms(self.starts[1]),
            ms(self.starts[2]),
            ms(self.starts[3]),
            ms(self.end)
        )
    }
}

/// Checks a log after a crash: `annals verify` passes, the acknowledged
/// events are all there, and the big file's events are all there or none of
/// them (and all of them if the import had said it succeeded). Returns
/// whether the big file is in, and how many records the killed import had
/// staged that opening the log removed (`verify` says so on stderr).
/// How many staged records a command said it removed when it opened the log.
fn removed_by(stderr: &str) -> u64 {
    stderr
        .strip_prefix("annals: removed ")
        .and_then(|rest| rest.split_once(" records staged by an import that did not finish"))
        .map_or(0, |(n, _)| n.parse().expect("a count of removed records"))
}

/// Runs `annals verify` on a crashed log and returns how long the log's
/// recovery took (sled's own at open, then the removal of staged records:
/// until the command says it removed them, or, with none, until it ends)
/// and what it said.
fn recover(db: &Path) -> (Duration, Ended) {
    let mut verify = Import::spawn(&["--db", s(db), "verify"], 0);
    loop {
        let said = verify.stderr.lock().unwrap().contains("staged by an import that did not");
        if said || verify.child.try_wait().unwrap().is_some() {
            let at = verify.started.elapsed();
            return (at, verify.end(Phase::Finished, at));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// A crash inside the recovery of a crashed log: `annals verify` on it is
/// killed at a random moment of the time the same recovery takes on a copy.
/// Returns where the kill landed, and what the uninterrupted recovery of the
/// copy found: whether the big file was in, and how many staged records it
/// removed.
fn kill_recovery(
    db: &Path,
    reference: &Path,
    rng: &mut Rng,
    (ack, big, acknowledged): (&[Event], &[Event], bool),
) -> (Recovery, bool, u64) {
    copy_log(db, reference);
    let (window, ended) = recover(reference);
    let removed = removed_by(&ended.stderr);
    let (present, _) = check_after_crash(reference, ack, big, acknowledged);
    std::fs::remove_dir_all(reference).unwrap();

    let mut verify = Import::spawn(&["--db", s(db), "verify"], 0);
    let delay = window.mul_f64(unit(rng));
    std::thread::sleep(delay);
    let running = verify.child.try_wait().unwrap().is_none();
    let _ = verify.child.kill();
    let killed = verify.end(Phase::Finished, delay);
    assert!(!killed.stderr.contains("panicked"), "{}", killed.stderr);
    let mid_removal = running && removed > 0 && removed_by(&killed.stderr) == 0;
    (Recovery { running, mid_removal }, present, removed)
}

/// Where the kill of a recovery landed.
struct Recovery {
    /// The command was still running.
    running: bool,
    /// Before it had said it removed the staged records the copy's recovery removed.
    mid_removal: bool,
}

fn check_after_crash(db: &Path, ack: &[Event], big: &[Event], acknowledged: bool) -> (bool, u64) {
    let out = annals(&["--db", s(db), "verify"]);
    let removed = removed_by(&stderr_of(&out));
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("ok: "),
        "annals verify fails after the crash: {}",
        stderr_of(&out)
    );
    assert!(!stderr_of(&out).contains("panicked"), "{}", stderr_of(&out));
    let log = Log::open(db).expect("the log opens after the crash");
    let records = log.len() as usize;
    assert!(
        records == ack.len() || records == ack.len() + big.len(),
        "a half-imported file: {records} records, expected {} (acknowledged only) or {} (all)",
        ack.len(),
        ack.len() + big.len()
    );
    let mut seq = 0;
    for (rec, expected) in log.iter().zip(ack.iter().chain(big)) {
        let rec = rec.expect("a record decodes after the crash");
        seq += 1;
        assert_eq!(rec.seq, seq, "records are in sequence");
        assert_eq!(&rec.event, expected, "record {seq} differs from the file");
    }
    assert_eq!(seq, records as u64, "every record was read back");
    let present = records > ack.len();
    assert!(present || !acknowledged, "the import said it succeeded, but its events are gone");
    assert!(removed == 0 || !present, "staged records were removed from a committed import");
    (present, removed)
}

/// The crash harness. Imports a small file (the acknowledged data), then
/// starts `annals import BIG` (100,071 events) again and again and kills it
/// with SIGKILL at seeded random moments aimed at each phase of the import
/// in turn (reading, checking, storing, committed), measured beforehand.
/// After every kill, the recovery of the log (`annals verify`: sled's own at
/// open, then the removal of staged records) is itself killed at a random
/// moment, then run to its end, and must come to what the same recovery,
/// uninterrupted, came to on a copy. Then `verify` passes, the acknowledged
/// events are all there, the big file is all there or not at all. A killed log is reused by the
/// next kill (a crash after a recovered crash) until the big file is in;
/// then it starts again from the acknowledged data. At the end a re-run of
/// the import completes. `ANNALS_CRASH_ITERATIONS=N` makes a long run (with
/// the whole import measured, not a tenth of it); `ANNALS_CRASH_SEED`
/// replays one.
#[test]
fn crash_an_import_killed_at_any_moment_stores_all_or_nothing_and_loses_nothing_acknowledged() {
    let long = std::env::var("ANNALS_CRASH_ITERATIONS").ok();
    let iterations: usize =
        long.as_deref().map_or(2, |n| n.parse().expect("ANNALS_CRASH_ITERATIONS is a number"));
    let seed = crash_seed();
    eprintln!("crash run: seed {seed} (ANNALS_CRASH_SEED={seed} replays it), {iterations} kills");
    let mut rng = Rng::new(seed);

    let dir = tempfile::tempdir().unwrap();
    let ack_file = dir.path().join("acknowledged.jsonl");
    let big_file = dir.path().join("big.jsonl");
    let ack = generate(&ack_file, "ack", 20, 200, None);
    // 20 places of 5,000 control events each: every place is busy enough for
    // copies of its records, which the import writes after its success.
    let big = generate(&big_file, "big", 20, 100_000, Some("ack-src"));
    assert!(big.len() > 100_000);

    let template = dir.path().join("acknowledged.db");
    super::ok(&["--db", s(&template), "init"]);
    let said = super::ok(&["--db", s(&template), "import", s(&ack_file)]);
    assert!(said.starts_with(&format!("imported {} new events", ack.len())), "{said}");

    // How long an import takes, and when each phase begins: on the whole file
    // for a long run, on a tenth of it (scaled up) otherwise.
    let scratch = dir.path().join("scratch.db");
    copy_log(&template, &scratch);
    let timeline = if long.is_some() {
        Timeline::measure(&scratch, &big_file)
    } else {
        let tenth = dir.path().join("tenth.jsonl");
        let events = generate(&tenth, "cal", 500, 10_000, Some("ack-src"));
        Timeline::measure(&scratch, &tenth).scaled(big.len() as f64 / events.len() as f64)
    };
    std::fs::remove_dir_all(&scratch).unwrap();
    eprintln!(
        "crash run: {} events, {} MB; import timeline: {timeline}",
        big.len(),
        std::fs::metadata(&big_file).unwrap().len() / 1_000_000
    );

    // Each round of four kills aims once at each phase, in a shuffled order.
    let mut targets = Vec::with_capacity(iterations);
    while targets.len() < iterations {
        let mut round = [0, 1, 2, 3];
        for i in (1..round.len()).rev() {
            round.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
        targets.extend(round);
    }
    targets.truncate(iterations);

    let db = dir.path().join("crash.db");
    copy_log(&template, &db);
    let mut by_phase: BTreeMap<Phase, usize> = BTreeMap::new();
    let mut fractions = [0usize; 12];
    let (mut present_after, mut absent_after) = (0, 0);
    let (mut kills_with_staged, mut staged_removed) = (0, 0);
    let mut copies_unfinished = 0;
    let reference = dir.path().join("reference.db");
    let (mut recoveries_killed_running, mut recoveries_killed_removing) = (0, 0);
    for (i, &target) in targets.iter().enumerate() {
        let delay = timeline.inside(target, &mut rng);
        let mut import = Import::start(&db, &big_file);
        import.watch(delay);
        let ended = import.kill();
        assert!(!ended.stderr.contains("panicked"), "{}", ended.stderr);
        *by_phase.entry(ended.phase).or_default() += 1;
        let bucket = (ended.at.as_secs_f64() / timeline.end.as_secs_f64() * 10.0) as usize;
        fractions[bucket.min(11)] += 1;
        let acknowledged = ended.stdout.contains("imported ");
        // A crash inside the recovery, then the recovery runs to its end and
        // comes to what the same recovery, uninterrupted, came to on a copy.
        let (recovery, expected, removed) =
            kill_recovery(&db, &reference, &mut rng, (&ack, &big, acknowledged));
        recoveries_killed_running += usize::from(recovery.running);
        recoveries_killed_removing += usize::from(recovery.mid_removal);
        let (present, _) = check_after_crash(&db, &ack, &big, acknowledged);
        assert_eq!(present, expected, "a killed recovery came to another log than a whole one");
        if removed > 0 {
            kills_with_staged += 1;
            staged_removed += removed;
        }
        if long.is_some() {
            eprintln!(
                "kill {:>4}: aimed at {:?}, at {:>6} ms, in {:?}, big file {}, {removed} staged records removed; its recovery killed {}",
                i + 1,
                PHASES[target],
                ended.at.as_millis(),
                ended.phase,
                if present { "in" } else { "absent" },
                if recovery.mid_removal {
                    "while removing them"
                } else if recovery.running {
                    "while running"
                } else {
                    "after it ended"
                }
            );
        }
        if present {
            present_after += 1;
            // Killed while copying busy places' records: verify passed
            // (above) with the pieces that copy left.
            let said = super::ok(&["--db", s(&db), "verify"]);
            copies_unfinished +=
                usize::from(said.contains("pieces left by a copy that did not finish"));
            copy_log(&template, &db);
        } else {
            absent_after += 1;
        }
    }

    // A re-run completes, and the log holds everything, once.
    let rerun = Import::start(&db, &big_file).finish();
    assert!(rerun.status.success(), "the re-run after the crashes failed: {}", rerun.stderr);
    assert!(
        rerun.stdout.starts_with(&format!("imported {} new events", big.len())),
        "{}",
        rerun.stdout
    );
    assert_eq!(check_after_crash(&db, &ack, &big, true), (true, 0));
    // It kept copies of every place's control records, which `verify` compared with the log.
    let said = super::ok(&["--db", s(&db), "verify"]);
    assert!(said.contains("copies: 100000 records of busy places"), "{said}");

    eprintln!(
        "crash run: seed {seed}: {iterations} kills; by phase {by_phase:?}; by tenth of the import time {fractions:?}; big file in after {present_after} kills, absent after {absent_after}; staged records of the killed import removed after {kills_with_staged} kills ({staged_removed} records); copies of busy places left unfinished by {copies_unfinished} kills; recoveries killed while running {recoveries_killed_running}, before they had removed the staged records {recoveries_killed_removing}; acknowledged events lost: 0; half-imported files: 0; verify failures: 0; re-run: {}",
        rerun.stdout.trim()
    );
    if iterations >= 20 {
        // Every phase long enough to aim at (the snapshot, once the success
        // line is out, now takes a few milliseconds) was hit.
        for (i, phase) in PHASES.iter().enumerate() {
            let to = timeline.starts.get(i + 1).copied().unwrap_or(timeline.end);
            if to.saturating_sub(timeline.starts[i]) >= Duration::from_millis(50) {
                assert!(by_phase.contains_key(phase), "no kill landed in {phase:?}: {by_phase:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// One writer

/// The inode of sled's data file, to find its lock in `/proc/locks`.
fn holds_lock(pid: u32, db: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(db.join("db")) else {
        return false;
    };
    let inode = meta.ino().to_string();
    let pid = pid.to_string();
    std::fs::read_to_string("/proc/locks").unwrap_or_default().lines().any(|line| {
        // `1: FLOCK  ADVISORY  WRITE 4521 fe:00:5611523 0 EOF`
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() >= 6 && f[1] == "FLOCK" && f[4] == pid && f[5].rsplit(':').next() == Some(&inode)
    })
}

fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill").args([signal, &pid.to_string()]).status().unwrap();
    assert!(status.success(), "kill {signal} {pid}");
}

/// Every command on a log that another process has open.
fn assert_in_use(db: &Path) {
    let file = db.parent().unwrap().join("more.jsonl");
    std::fs::write(&file, "{\"type\":\"source\",\"id\":\"more\",\"title\":\"More\"}\n").unwrap();
    for args in [
        vec!["verify"],
        vec!["import", s(&file)],
        vec!["export"],
        vec!["control", "segou-ville", "--on", "2023-02-01"],
        vec!["retract", "fdn-takes-segou", "--reason", "test"],
    ] {
        let out = annals_within(
            &[&["--db", s(db), "--wait", "1"], &args[..]].concat(),
            Duration::from_secs(60),
        );
        let err = stderr_of(&out);
        assert!(!out.status.success(), "annals {args:?} ran on a log in use");
        assert!(
            err.contains(&format!("the log at {} is in use by another annals process", s(db))),
            "annals {args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A second process that opens a log another process holds gets a clear
/// "in use" error, quickly, whatever the command; nothing is written. The
/// holder here is the test process (through the log library), so the lock is
/// held for certain while the commands run.
#[test]
fn one_writer_a_log_held_by_another_process_is_reported_in_use() {
    let db = Db::with(&[OUTSIDE]);
    let before = db.export();
    let held = Log::open(&db.path).unwrap();
    assert_in_use(&db.path);
    drop(held);
    assert_eq!(db.export(), before, "the refused commands changed the log");
    assert!(db.run(&["verify"]).starts_with("ok: 16 records"));
}

/// A reader waits (up to `--wait`) for the process that holds the log, and
/// says so, instead of failing at once: it answers once the log is free.
#[test]
fn one_writer_a_reader_waits_for_the_holder_to_let_go() {
    let db = Db::with(&[OUTSIDE]);
    let held = Log::open(&db.path).unwrap();
    let reader = Command::new(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", s(&db.path), "--wait", "60", "control", "segou-ville", "--on", "2023-02-01"])
        .env_remove("ANNALS_DB")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Held until the reader has said that it waits.
    std::thread::sleep(Duration::from_millis(1500));
    drop(held);
    let out = reader.wait_with_output().unwrap();
    let err = stderr_of(&out);
    assert!(out.status.success(), "the reader did not wait: {err}");
    assert!(err.contains("in use by another annals process; waiting up to 60 s"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Ségou"), "{out:?}");
}

/// A log on a read-only mount answers queries (from a temporary copy, with a
/// warning naming the log) and refuses writes with a message that says why
/// and what to do; the log is untouched. A read-only bind mount in a private
/// mount namespace (root, as CI has; without the rights the test says so).
#[test]
fn a_read_only_log_answers_queries_and_refuses_writes() {
    let probe = Command::new("unshare").args(["--mount", "true"]).output();
    if !probe.as_ref().is_ok_and(|out| out.status.success()) {
        eprintln!("SKIPPED: `unshare --mount` is not permitted here (it needs root or CAP_SYS_ADMIN): {probe:?}");
        return;
    }
    let db = Db::with(&[OUTSIDE]);
    let before = db.export();
    let dir = tempfile::tempdir().unwrap();
    let (mnt, out) = (dir.path().join("ro"), dir.path().join("out"));
    std::fs::create_dir_all(&mnt).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let script = r#"
annals=$1 db=$2 mnt=$3 out=$4 file=$5
mount --bind "$db" "$mnt" && mount -o remount,ro,bind "$mnt" || exit 90
"$annals" --db "$mnt" control segou-ville --on 2023-02-01 > "$out/query.out" 2> "$out/query.err"
echo $? > "$out/query.status"
"$annals" --db "$mnt" import "$file" > "$out/import.out" 2> "$out/import.err"
echo $? > "$out/import.status"
"#;
    let run = Command::new("unshare")
        .args(["--mount", "sh", "-c", script, "sh", env!("CARGO_BIN_EXE_annals")])
        .args([s(&db.path), s(&mnt), s(&out), OUTSIDE])
        .env_remove("ANNALS_DB")
        .output()
        .expect("unshare runs the script");
    assert!(run.status.success(), "the set-up failed: {run:?}");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert_eq!(read("query.status").trim(), "0", "{}", read("query.err"));
    assert!(read("query.out").contains("Ségou"), "{}", read("query.out"));
    assert!(read("query.err").contains("cannot be written here"), "{}", read("query.err"));
    assert!(
        read("query.err").contains(s(&mnt)),
        "the warning names no path: {}",
        read("query.err")
    );
    assert_eq!(read("import.status").trim(), "2", "{}", read("import.err"));
    assert!(read("import.err").contains("read-only"), "{}", read("import.err"));
    assert_eq!(db.export(), before);
}

/// The same with a real `annals import` holding the log: it is stopped
/// (SIGSTOP) once `/proc/locks` shows it holding sled's lock, the other
/// commands are refused, then it is continued and completes.
#[test]
fn one_writer_a_running_import_keeps_other_processes_out() {
    let db = Db::with(&[OUTSIDE]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.jsonl");
    let events = generate(&file, "held", 100, 5_000, Some("r1"));
    let mut import = Import::start(&db.path, &file);
    let pid = import.child.id();
    while !holds_lock(pid, &db.path) {
        assert_ne!(
            import.phase(),
            Phase::Finished,
            "the import ended before it was seen holding the lock"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    signal(pid, "-STOP");
    let stopped = std::panic::catch_unwind(|| assert_in_use(&db.path));
    signal(pid, "-CONT");
    if let Err(panic) = stopped {
        std::panic::resume_unwind(panic);
    }
    let ended = import.finish();
    assert!(ended.status.success(), "{}", ended.stderr);
    assert!(ended.stdout.starts_with(&format!("imported {} new events", events.len())));
    let records = 16 + events.len();
    assert!(db.run(&["verify"]).starts_with(&format!("ok: {records} records")));
}

// ---------------------------------------------------------------------------
// A full disk

/// The logs of the full-disk tests, in `dir`: a log `base` holding 571
/// acknowledged events (`ack`), and a file of 20,251 more (`big`) to import.
fn full_disk_logs(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<Event>, Vec<Event>) {
    let base = dir.join("base");
    let ack = generate(&dir.join("ack.jsonl"), "ack", 20, 500, None);
    let file = dir.join("big.jsonl");
    let big = generate(&file, "big", 200, 20_000, Some("ack-src"));
    annals(&["--db", s(&base), "init"]);
    let out = annals(&["--db", s(&base), "import", s(&dir.join("ack.jsonl"))]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    (base, file, ack, big)
}

/// A disk that fills up during an import, simulated with a limit on the size
/// of any file the import writes (`ulimit -f`, with SIGXFSZ ignored, so that
/// a write past the limit fails with EFBIG as it would with ENOSPC, instead
/// of killing the process). At every limit tried, from below the size of
/// the log already there to a few MB: the import fails with a storage error
/// and a non-zero exit, never a panic; the log verifies and holds exactly
/// the acknowledged events; and with room again the same import completes.
#[test]
fn full_disk_an_import_that_runs_out_of_room_stores_nothing_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (base, file, ack, big) = full_disk_logs(dir.path());
    let db = dir.path().join("db");
    let mut largest_limit = 0;
    // In 512-byte blocks (dash) or 1024-byte ones (bash): from 64 KB to 3 MB
    // (sled's file after the import is 4–5 MB, in 512 KiB segments).
    for blocks in [128, 1024, 2048, 3072] {
        copy_log(&base, &db);
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_annals"))
            .args(["--db", s(&db), "import", s(&file)])
            .env_remove("ANNALS_DB")
            .output()
            .expect("sh runs annals");
        let err = stderr_of(&out);
        assert!(!out.status.success(), "the import fit under {blocks} blocks: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("storage error: ")
                && err.contains("the disk (or this user's quota) is full"),
            "{blocks} blocks: {err}"
        );
        // sled's error is said once, not again as its own cause.
        assert_eq!(
            err.matches("too large").count(),
            err.lines().filter(|l| l.contains("too large")).count(),
            "{err}"
        );
        let (present, _) = check_after_crash(&db, &ack, &big, false);
        assert!(!present, "a failed import left its events ({blocks} blocks)");
        let out = annals(&["--db", s(&db), "import", s(&file)]);
        assert!(out.status.success(), "with room again: {}", stderr_of(&out));
        let (present, _) = check_after_crash(&db, &ack, &big, true);
        assert!(present);
        largest_limit = blocks * 1024;
    }
    // Every limit was below what the import needs, whatever the unit.
    let needed = std::fs::metadata(db.join("db")).unwrap().len();
    assert!(needed > largest_limit, "the log is {needed} bytes, the largest limit {largest_limit}");
}

/// A disk that fails: `strace` makes one of the system calls sled writes
/// or syncs its files with (`pwrite64`, `sync_file_range`, `fsync`) fail
/// with EIO from its Nth call on (in each thread), for several N, during an
/// import. Each time: no panic, and the OS's words, not a debug dump; the
/// log (opened again without faults) verifies and holds the acknowledged
/// events and the file all or not at all; an import that said it succeeded
/// is all there, and one that said "nothing was stored" is absent. (One that
/// failed after its commit mark says it may or may not be in, and may be
/// either.) Then the same import completes.
#[test]
fn disk_errors_injected_into_sleds_writes_and_syncs_never_lose_or_half_store() {
    let strace = Command::new("strace").args(["-o", "/dev/null", "true"]).output();
    assert!(
        strace.as_ref().is_ok_and(|out| out.status.success()),
        "strace cannot trace here (.ci/setup installs it): {strace:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (base, file, ack, big) = full_disk_logs(dir.path());
    let db = dir.path().join("db");
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let faults = [
        ("pwrite64", 1),
        ("pwrite64", 3),
        ("pwrite64", 10),
        ("sync_file_range", 1),
        ("sync_file_range", 4),
        ("sync_file_range", 16),
        ("fsync", 1),
        ("fsync", 2),
        ("fsync", 3),
        ("fsync", 4),
        ("fsync", 5),
    ];
    for (call, from) in faults {
        copy_log(&base, &db);
        let out = Command::new("strace")
            .args(["-f", "-o", "/dev/null", "-e", &format!("trace={call}")])
            .args(["-e", &format!("inject={call}:error=EIO:when={from}+")])
            .arg(env!("CARGO_BIN_EXE_annals"))
            .args(["--db", s(&db), "import", s(&file)])
            .env_remove("ANNALS_DB")
            .output()
            .expect("strace runs annals");
        let (said, err) = (String::from_utf8_lossy(&out.stdout), stderr_of(&out));
        let fault = format!("{call} failing from call {from}");
        assert!(!err.contains("panicked"), "{fault}: {err}");
        assert!(!err.contains("Os {"), "{fault}: a debug dump: {err}");
        let acknowledged = said.starts_with("imported ");
        assert_eq!(acknowledged, out.status.success(), "{fault}: {said}{err}");
        let outcome = if acknowledged {
            "imported"
        } else if err.contains("may or may not have been imported") {
            "unconfirmed"
        } else {
            assert!(err.contains("Input/output error (os error 5)"), "{fault}: {err}");
            match err.contains("was not imported; nothing was stored") {
                true => "refused",
                // Opening the log failed: the import did not begin.
                false => "refused at open",
            }
        };
        *outcomes.entry(outcome).or_default() += 1;
        let (present, _) = check_after_crash(&db, &ack, &big, acknowledged);
        let file_is = if present { "in" } else { "absent" };
        eprintln!("disk errors: {fault}: {outcome}, the file {file_is}");
        assert!(present || outcome != "imported", "{fault}: {err}");
        assert!(
            !present || !outcome.starts_with("refused"),
            "{fault}: said nothing was stored: {err}"
        );
        if !present {
            let out = annals(&["--db", s(&db), "import", s(&file)]);
            assert!(out.status.success(), "{fault}, then without: {}", stderr_of(&out));
            assert!(check_after_crash(&db, &ack, &big, true).0);
        }
    }
    eprintln!("disk errors: {outcomes:?}");
    // The faults reached the import: most refused it.
    let refused = outcomes.iter().filter(|(o, _)| o.starts_with("refused")).map(|(_, n)| n);
    assert!(refused.sum::<usize>() >= 5, "{outcomes:?}");
    // The fsync of sled's file after the mark (annals' third, after sled's
    // two at open) failing leaves the outcome open, and the import says so.
    assert!(outcomes.contains_key("unconfirmed"), "{outcomes:?}");
}

/// An import says it succeeded only after sled's data file was `fsync`ed
/// after its last write before the success line: sled's own flush waits
/// with `sync_file_range`, which a power cut can undo (the disk's cache,
/// a grown file's size). Seen from outside, in the order `strace -f`
/// records the calls.
#[test]
fn an_acknowledged_import_was_fsynced_after_its_last_write() {
    let dir = tempfile::tempdir().unwrap();
    let (db, trace) = (dir.path().join("log.db"), dir.path().join("trace"));
    super::ok(&["--db", s(&db), "init"]);
    let out = Command::new("strace")
        .args(["-f", "-y", "-o", s(&trace), "-e", "trace=pwrite64,fsync,write"])
        .arg(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", s(&db), "import", OUTSIDE])
        .env_remove("ANNALS_DB")
        .output()
        .expect("strace runs annals");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let calls = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = calls.lines().collect();
    let data = format!("<{}>", db.join("db").display());
    let said = lines
        .iter()
        .position(|l| l.contains("write(1<") && l.contains("\"imported 16 new events"))
        .unwrap_or_else(|| panic!("no success line in the trace:\n{calls}"));
    let last_write = lines[..said]
        .iter()
        .rposition(|l| l.contains("pwrite64(") && l.contains(&data))
        .unwrap_or_else(|| panic!("no write to {data} before the success line:\n{calls}"));
    assert!(
        lines[last_write..said].iter().any(|l| l.contains("fsync(") && l.contains(&data)),
        "{data} was not fsynced between its last write and the success line:\n{calls}"
    );
}

/// The bytes of the files under `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            match entry.file_type().unwrap().is_dir() {
                true => dir_bytes(&entry.path()),
                false => entry.metadata().unwrap().len(),
            }
        })
        .sum()
}

/// What the script of the real full disk runs, inside its own mount
/// namespace: a tmpfs of `$size` bytes at `$mnt` holding a copy of the log,
/// an import into it (which runs out of room), a copy of the log as the
/// failure left it, then the same tmpfs made larger, the same import again,
/// and a copy of the log after it. Exit codes 90-94 say which step of the
/// set-up failed.
const FULL_VOLUME_SCRIPT: &str = r#"
annals=$1 base=$2 big=$3 out=$4 mnt=$5 size=$6
mount -t tmpfs -o "size=$size" annals-full "$mnt" || exit 90
cp -R "$base" "$mnt/db" || exit 91
"$annals" --db "$mnt/db" import "$big" > "$out/full.out" 2> "$out/full.err"
echo $? > "$out/full.status"
cp -R "$mnt/db" "$out/after-full" || exit 92
mount -o "remount,size=512m" "$mnt" || exit 93
"$annals" --db "$mnt/db" import "$big" > "$out/room.out" 2> "$out/room.err"
echo $? > "$out/room.status"
cp -R "$mnt/db" "$out/after-room" || exit 94
"#;

/// A real full disk: a tmpfs of a few hundred KB more than the log already
/// there, in a private mount namespace (`unshare --mount`, which needs root
/// or CAP_SYS_ADMIN, as CI has; without them the test says so and stops),
/// so the import's writes fail with ENOSPC from the kernel, not with the
/// simulated EFBIG of the test above. At each size: the import fails with a
/// storage error that says the disk is full, and no panic; the log it
/// leaves verifies and holds exactly the acknowledged events; with the
/// volume made larger, the same import completes into the same log.
#[test]
fn full_disk_a_real_full_volume_refuses_the_import_and_keeps_the_log() {
    let probe = Command::new("unshare").args(["--mount", "true"]).output();
    if !probe.as_ref().is_ok_and(|out| out.status.success()) {
        eprintln!(
            "SKIPPED: `unshare --mount` is not permitted here (it needs root or CAP_SYS_ADMIN): {probe:?}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (base, file, ack, big) = full_disk_logs(dir.path());
    let base_bytes = dir_bytes(&base);
    for room in [64 << 10, 512 << 10, 2 << 20] {
        let size = base_bytes + room;
        let run = dir.path().join(format!("room-{room}"));
        let mnt = run.join("mnt");
        std::fs::create_dir_all(&mnt).unwrap();
        let out = Command::new("unshare")
            .args(["--mount", "sh", "-c", FULL_VOLUME_SCRIPT, "sh"])
            .args([env!("CARGO_BIN_EXE_annals"), s(&base), s(&file), s(&run), s(&mnt)])
            .arg(size.to_string())
            .env_remove("ANNALS_DB")
            .output()
            .expect("unshare runs the script");
        assert!(out.status.success(), "the set-up failed at {size} bytes: {out:?}");
        let read = |name: &str| std::fs::read_to_string(run.join(name)).unwrap();
        let err = read("full.err");
        assert_ne!(read("full.status").trim(), "0", "the import fit in {size} bytes: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            err.contains("was not imported; nothing was stored: storage error: ")
                && err.contains("the disk (or this user's quota) is full"),
            "{size} bytes: {err}"
        );
        let (present, _) = check_after_crash(&run.join("after-full"), &ack, &big, false);
        assert!(!present, "a failed import left its events ({size} bytes)");
        assert_eq!(read("room.status").trim(), "0", "with room again: {}", read("room.err"));
        let (present, _) = check_after_crash(&run.join("after-room"), &ack, &big, true);
        assert!(present);
    }
}

// ---------------------------------------------------------------------------
// Corruption

/// CRC-32 (IEEE), as sled's checksums use it.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = !0u32;
    for part in parts {
        for &byte in *part {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
    }
    !crc
}

/// sled 0.34's variable-length integer at `at`: (value, next position).
fn sled_varint(buf: &[u8], at: usize) -> Option<(u64, usize)> {
    let first = *buf.get(at)?;
    let byte = |i: usize| buf.get(at + i).map(|&b| u64::from(b));
    Some(match first {
        0..=240 => (u64::from(first), at + 1),
        241..=248 => (240 + 256 * (u64::from(first) - 241) + byte(1)?, at + 2),
        249 => (2288 + 256 * byte(1)? + byte(2)?, at + 3),
        _ => {
            let n = usize::from(first - 247);
            let mut le = [0u8; 8];
            le[..n].copy_from_slice(buf.get(at + 1..at + 1 + n)?);
            (u64::from_le_bytes(le), at + 1 + n)
        }
    })
}

/// The sled log message holding byte `at` of the data file: the message
/// header `[crc32][kind][len][segment][page]` whose body covers `at` and
/// whose checksum is right. Returns (header start, body start, body length).
fn sled_message(buf: &[u8], at: usize) -> Option<(usize, usize, usize)> {
    const SEGMENT: usize = 512 * 1024;
    let segment = at / SEGMENT * SEGMENT;
    (segment..at).rev().find_map(|h| {
        let kind = *buf.get(h + 4)?;
        if !(3..=11).contains(&kind) {
            return None;
        }
        let (len, i) = sled_varint(buf, h + 5)?;
        let (_, i) = sled_varint(buf, i)?;
        let (_, body) = sled_varint(buf, i)?;
        let len = usize::try_from(len).ok()?;
        if !(body <= at && at < body + len && body + len <= buf.len()) {
            return None;
        }
        let stored = u32::from_le_bytes(buf[h..h + 4].try_into().unwrap());
        (crc32(&[&buf[body..body + len], &buf[h + 4..body]]) ^ 0xFFFF_FFFF == stored)
            .then_some((h, body, len))
    })
}

/// Where a stored record's event id lies in sled's data file: every copy of
/// `[length][id]` (bincode's string, as in a record; the id index key
/// `i` + id is left alone).
fn record_copies(data: &[u8], id: &str) -> Vec<usize> {
    let mut needle = vec![u8::try_from(id.len()).unwrap()];
    needle.extend_from_slice(id.as_bytes());
    data.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i + 1)
        .collect()
}

/// Damages the event id of every stored copy of the record of `id` (one byte
/// each). With `fix_sled_checksums`, the checksum of each sled message is
/// made right again, so that the damage passes sled and only annals' own
/// checksum can find it.
fn damage_record(db: &Path, id: &str, fix_sled_checksums: bool) -> usize {
    let path = db.join("db");
    let mut data = std::fs::read(&path).unwrap();
    let copies = record_copies(&data, id);
    assert!(!copies.is_empty(), "no copy of `{id}` in {}", path.display());
    for &at in &copies {
        let message = sled_message(&data, at);
        data[at + 1] ^= 0x01;
        if fix_sled_checksums {
            let (h, body, len) =
                message.unwrap_or_else(|| panic!("no sled message holds byte {at}"));
            let crc = crc32(&[&data[body..body + len], &data[h + 4..body]]) ^ 0xFFFF_FFFF;
            data[h..h + 4].copy_from_slice(&crc.to_le_bytes());
        }
    }
    std::fs::write(&path, data).unwrap();
    copies.len()
}

/// Commands a historian runs, with what the undamaged log answers.
fn answers(db: &Db) -> Vec<(Vec<&'static str>, Output)> {
    let queries: [&[&'static str]; 7] = [
        &["export"],
        &["log"],
        &["control", "segou-ville", "--on", "2023-02-01"],
        &["control", "dire-n", "--on", "2023-02-01"],
        &["history", "segou-ville"],
        &["graph", "--on", "2023-02-01", "--format", "json"],
        &["diff", "--from", "2020-01-01", "--to", "2024-01-01"],
    ];
    queries.iter().map(|q| (q.to_vec(), annals(&[&["--db", db.p()], *q].concat()))).collect()
}

/// On a damaged log, every command either answers exactly as the undamaged
/// log did, or fails with a message about the damage; none panics.
fn assert_never_silently_different(damaged: &Db, pristine: &[(Vec<&'static str>, Output)]) {
    for (query, good) in pristine {
        let out = annals(&[&["--db", damaged.p()], &query[..]].concat());
        let err = stderr_of(&out);
        assert!(!err.contains("panicked"), "annals {query:?} panicked: {err}");
        if out.status.success() {
            assert_eq!(
                out.stdout, good.stdout,
                "annals {query:?} answers differently on the damaged log"
            );
        } else {
            assert!(
                err.contains("corrupt") || err.contains("damaged"),
                "annals {query:?} fails without naming the damage: {err}"
            );
        }
    }
}

/// A log whose last write session has been closed and reopened (sled writes
/// a new snapshot of its page table on open), so its records are read from
/// disk when needed rather than replayed by sled's recovery.
fn settled_log() -> Db {
    let db = Db::with(&[OUTSIDE]);
    db.run(&["log"]);
    db
}

/// A record whose bytes are damaged in a way sled does not notice (its own
/// checksums made right again) is caught by annals' per-record CRC: `verify`
/// names record 11 and fails, `export` gives the 10 records before it and
/// fails, `export --skip-damaged` all the others (which import into a new
/// log) and fails, and no command answers differently from the undamaged log.
#[test]
fn corruption_a_damaged_record_is_reported_by_verify_with_its_sequence_number() {
    let db = settled_log();
    let pristine = answers(&db);
    assert!(damage_record(&db.path, "fdn-takes-segou", true) >= 1);

    let out = annals(&["--db", db.p(), "verify"]);
    let err = stderr_of(&out);
    assert!(!out.status.success(), "verify passed a damaged log");
    assert!(
        err.contains("annals verify: record 11 is corrupt: checksum mismatch"),
        "verify does not name record 11: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // For scripts: each problem with its kind, in the same order.
    let out = annals(&["--db", db.p(), "verify", "--json"]);
    assert!(!out.status.success(), "verify --json passed a damaged log");
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let problems = found["problems"].as_array().unwrap();
    let kinds = found["problem_kinds"].as_array().unwrap();
    assert_eq!(problems.len(), kinds.len(), "{found}");
    let damaged = problems.iter().position(|p| p.as_str().unwrap().starts_with("record 11 is"));
    assert_eq!(kinds[damaged.expect("record 11 named")], "damaged_record", "{found}");

    // What can be recovered: export writes every record before the damaged one.
    let out = annals(&["--db", db.p(), "export"]);
    assert!(!out.status.success());
    assert!(stderr_of(&out).contains("record 11 is corrupt"), "{}", stderr_of(&out));
    let good = String::from_utf8(pristine[0].1.stdout.clone()).unwrap();
    let intact: String = good.lines().take(10).map(|l| format!("{l}\n")).collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), intact);

    // Salvage: `--skip-damaged` writes every other record, names the one it
    // left out, fails; what it wrote imports into a new log.
    let out = annals(&["--db", db.p(), "export", "--skip-damaged"]);
    let err = stderr_of(&out);
    assert!(!out.status.success(), "an export that left out a record succeeded");
    assert!(err.contains("left out: record 11 is corrupt: checksum mismatch"), "{err}");
    let total = good.lines().count();
    assert!(
        err.contains(&format!("export wrote {} records and left out 1 damaged", total - 1)),
        "{err}"
    );
    let salvaged: String =
        good.lines().enumerate().filter(|&(i, _)| i != 10).map(|(_, l)| format!("{l}\n")).collect();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), salvaged);
    let dir = tempfile::tempdir().unwrap();
    let (file, fresh) = (dir.path().join("salvaged.jsonl"), dir.path().join("fresh.db"));
    std::fs::write(&file, &salvaged).unwrap();
    super::ok(&["--db", s(&fresh), "init"]);
    let said = super::ok(&["--db", s(&fresh), "import", s(&file)]);
    assert!(said.starts_with(&format!("imported {} new events", total - 1)), "{said}");

    assert_never_silently_different(&db, &pristine);
}

/// A flipped byte that sled's own checksum catches, in a log that has been
/// reopened since it was written: every command fails with sled's message
/// (which names a file offset, not a record), nothing panics, nothing
/// answers differently. KNOWN GAP (docs/RELIABILITY.md): the failed open
/// is not harmless: sled's recovery overwrites the damaged segment with
/// zeros, so the records are gone from the file after the first command;
/// only a copy taken before it keeps them.
#[test]
fn corruption_a_flipped_byte_that_sled_catches_fails_every_command() {
    let db = settled_log();
    let pristine = answers(&db);
    let path = db.path.join("db");
    let mut data = std::fs::read(&path).unwrap();
    let at = record_copies(&data, "fdn-takes-segou").into_iter().max().unwrap();
    data[at + 1] ^= 0x01;
    std::fs::write(&path, &data).unwrap();

    let out = annals(&["--db", db.p(), "verify"]);
    let err = stderr_of(&out);
    assert!(!out.status.success(), "verify passed a damaged log");
    assert!(err.contains("storage error: Read corrupted data"), "{err}");
    assert!(err.contains("copy the whole directory aside"), "{err}");
    assert_eq!(err.matches("Read corrupted data").count(), 1, "said once: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_never_silently_different(&db, &pristine);

    // sled's recovery often zeroes the damaged segment on the failed open,
    // but not every time (about one run in three kept it here): that is
    // sled's behaviour, not a promise of ours, so it is reported, not asserted.
    let after = std::fs::read(&path).unwrap();
    let erased = record_copies(&after, "segou-ville").is_empty();
    eprintln!("sled erased the damaged segment on open: {erased}");
}

/// A truncated data file in a settled log is refused the same way.
#[test]
fn corruption_a_truncated_data_file_in_a_settled_log_is_refused() {
    let db = settled_log();
    let pristine = answers(&db);
    let path = db.path.join("db");
    let data = std::fs::read(&path).unwrap();
    let last = record_copies(&data, "army-leaves-segou").into_iter().max().unwrap();
    std::fs::write(&path, &data[..last]).unwrap();

    let out = annals(&["--db", db.p(), "verify"]);
    assert!(!out.status.success(), "verify passed a truncated log");
    assert!(stderr_of(&out).contains("storage error"), "{}", stderr_of(&out));
    assert_never_silently_different(&db, &pristine);
}

/// A damaged sled snapshot file (`snap.*`, sled's page table) makes sled
/// refuse to open the log; deleting it makes sled rebuild it from the data
/// file, and every record is back.
#[test]
fn corruption_a_damaged_sled_snapshot_is_refused_and_deleting_it_recovers_the_log() {
    let db = settled_log();
    let before = db.export();
    let snap = std::fs::read_dir(&db.path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("snap."))
        .expect("sled keeps a snapshot file");
    let mut bytes = std::fs::read(&snap).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&snap, bytes).unwrap();

    let out = annals(&["--db", db.p(), "verify"]);
    assert!(!out.status.success(), "verify passed a log with a damaged sled snapshot");
    assert!(stderr_of(&out).contains("storage error"), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("panicked"));

    std::fs::remove_file(&snap).unwrap();
    assert!(db.run(&["verify"]).starts_with("ok: 16 records"));
    assert_eq!(db.export(), before);
}

/// KNOWN GAP (docs/RELIABILITY.md, "What sled does with damage"): a flipped
/// byte or a truncation in what the last write session wrote, before any
/// other process has opened the log, is taken by sled's recovery for a torn
/// write. sled drops that session's writes (and everything after the damage)
/// without a word and overwrites them with zeros, so `verify` passes on a
/// log that has lost events. This test pins that behaviour; when the log
/// learns to detect it, it must fail, and should then assert the detection.
#[test]
fn corruption_damage_in_the_last_write_session_is_dropped_by_sled_and_refused_by_the_head_file() {
    for truncate in [false, true] {
        let db = Db::with(&[OUTSIDE]);
        let dir = tempfile::tempdir().unwrap();
        let more = super::write(
            dir.path(),
            "later.jsonl",
            "{\"type\":\"control_taken\",\"id\":\"late-news\",\"place\":\"segou-ville\",\"actor\":\"militia\",\"date\":\"2023-09-20\",\"sources\":[\"r2\"]}\n",
        );
        db.run(&["log"]);
        db.run(&["import", &more]);
        let path = db.path.join("db");
        let mut data = std::fs::read(&path).unwrap();
        // The first copy: sled may write a record twice in one session (a
        // page update, then the whole page), and the damage must come first.
        let at = record_copies(&data, "late-news").into_iter().min().unwrap();
        if truncate {
            data.truncate(at);
        } else {
            data[at + 1] ^= 0x01;
        }
        std::fs::write(&path, data).unwrap();

        // sled drops the damaged last batch on open; the head file, written
        // after every append, says 17 records were acknowledged: refused.
        for command in
            [&["verify"][..], &["export"], &["control", "segou-ville", "--on", "2023-10-01"]]
        {
            let err = super::fails(&[&["--db", db.p()], command].concat());
            assert!(
                err.contains("acknowledged 17 records") && err.contains("but now it holds 16"),
                "truncate {truncate}, {command:?}: {err}"
            );
        }
        // Deleting the head file opens what is left, as the message says.
        std::fs::remove_file(db.path.join(annals_log::HEAD_FILE)).unwrap();
        let said = db.run(&["verify"]);
        assert!(said.starts_with("ok: 16 records"), "truncate {truncate}: {said}");
        assert!(!db.export().contains("late-news"), "truncate {truncate}");
    }
}
