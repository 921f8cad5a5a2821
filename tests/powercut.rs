//! Power cuts, from a recorded trace (ALICE-style). `strace` records every
//! file-system operation an import makes on the log's directory (writes
//! with their bytes and offsets, creates, truncates, renames, `fsync`s, in
//! the order they completed) and the moment it says `imported`. From that
//! trace the test builds the directories a power cut could leave, opens
//! each with the real binary, and checks the promise: nothing acknowledged
//! lost, nothing half-imported, `verify` passes.
//!
//! The model of the disk (docs/RELIABILITY.md, "Power cuts"): a cut may come
//! after any operation. What an `fsync` of a file covered (the writes to it
//! that completed before the `fsync` began) is on the disk; so are the
//! directory entries an `fsync` of their directory covered. Directory
//! operations (create, truncate, rename) reach the disk in their order, as
//! a journal keeps them: some prefix of them, at least up to the last one
//! synced. Of the writes not synced, any may be lost, in any order: the test
//! tries each dropped alone, each prefix kept, none kept, and (long runs)
//! random subsets; and the last one torn in half. The recorded trace is
//! checked first: applied in full to the log as it was, it must give the
//! directory the import really left, byte for byte.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

use annals_log::Log;
use annals_model::Event;
use annals_synth::SplitMix64 as Rng;

use super::reliability::{copy_log, generate};
use super::{annals, ok};

fn s(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// What a file-system operation does to the log's directory. Names are
/// relative to the log's directory; `obj` is a file (an inode), so that a
/// write to a file later renamed lands where it should.
#[derive(Clone, Debug)]
enum Op {
    /// A new, empty file under a name.
    Create {
        name: PathBuf,
        obj: usize,
    },
    Write {
        obj: usize,
        offset: u64,
        data: Vec<u8>,
    },
    Truncate {
        obj: usize,
        len: u64,
    },
    Rename {
        from: PathBuf,
        to: PathBuf,
    },
    Unlink {
        name: PathBuf,
    },
    /// `fsync` (or `fdatasync`) of a file: the writes to it among the first
    /// `covers` operations are on the disk once it returns.
    SyncFile {
        obj: usize,
        covers: usize,
    },
    /// `fsync` of a directory: its entries' changes among the first
    /// `covers` operations are on the disk.
    SyncDir {
        covers: usize,
    },
    /// The import printed its success line.
    Ack,
}

impl Op {
    /// Create, truncate, rename and unlink: the operations a journal keeps in
    /// order.
    fn is_metadata(&self) -> bool {
        matches!(
            self,
            Op::Create { .. } | Op::Truncate { .. } | Op::Rename { .. } | Op::Unlink { .. }
        )
    }

    fn describe(&self) -> String {
        match self {
            Op::Write { obj, offset, data } => {
                format!("write of {} bytes at {offset} to file #{obj}", data.len())
            }
            other => format!("{other:?}"),
        }
    }
}

/// The log's directory before the import: names to files, and the files'
/// bytes (the first objects; files the import creates come after).
#[derive(Clone, Default)]
struct Dir {
    names: BTreeMap<PathBuf, usize>,
    dirs: Vec<PathBuf>,
    files: Vec<Vec<u8>>,
}

impl Dir {
    fn read(root: &Path) -> Dir {
        fn walk(root: &Path, rel: &Path, dir: &mut Dir) {
            for entry in std::fs::read_dir(root.join(rel)).unwrap() {
                let entry = entry.unwrap();
                let name = rel.join(entry.file_name());
                if entry.file_type().unwrap().is_dir() {
                    dir.dirs.push(name.clone());
                    walk(root, &name, dir);
                } else {
                    dir.names.insert(name.clone(), dir.files.len());
                    dir.files.push(std::fs::read(root.join(&name)).unwrap());
                }
            }
        }
        let mut dir = Dir::default();
        walk(root, Path::new(""), &mut dir);
        dir
    }

    /// The directory after the operations `keep` selects, applied in order.
    fn after(&self, ops: &[Op], keep: impl Fn(usize) -> bool, torn: Option<usize>) -> Dir {
        let mut dir = self.clone();
        for (i, op) in ops.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            match op {
                Op::Create { name, obj } => {
                    dir.files.resize(dir.files.len().max(obj + 1), Vec::new());
                    dir.files[*obj].clear();
                    dir.names.insert(name.clone(), *obj);
                }
                Op::Write { obj, offset, data } => {
                    dir.files.resize(dir.files.len().max(obj + 1), Vec::new());
                    let data = match torn == Some(i) {
                        true => &data[..torn_length(data.len())],
                        false => &data[..],
                    };
                    let file = &mut dir.files[*obj];
                    let end = *offset as usize + data.len();
                    if file.len() < end {
                        file.resize(end, 0);
                    }
                    file[*offset as usize..end].copy_from_slice(data);
                }
                Op::Truncate { obj, len } => {
                    dir.files.resize(dir.files.len().max(obj + 1), Vec::new());
                    dir.files[*obj].resize(*len as usize, 0);
                }
                Op::Rename { from, to } => {
                    if let Some(obj) = dir.names.remove(from) {
                        dir.names.insert(to.clone(), obj);
                    }
                }
                Op::Unlink { name } => {
                    dir.names.remove(name);
                }
                Op::SyncFile { .. } | Op::SyncDir { .. } | Op::Ack => {}
            }
        }
        dir
    }

    fn write_to(&self, root: &Path) {
        if root.exists() {
            std::fs::remove_dir_all(root).unwrap();
        }
        std::fs::create_dir_all(root).unwrap();
        for sub in &self.dirs {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        for (name, obj) in &self.names {
            std::fs::write(root.join(name), &self.files[*obj]).unwrap();
        }
    }

    fn fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (name, obj) in &self.names {
            name.hash(&mut hasher);
            self.files[*obj].hash(&mut hasher);
        }
        hasher.finish()
    }

    /// The names whose files differ between two directories (or that only
    /// one of them has).
    fn differences(&self, other: &Dir) -> Vec<String> {
        let names: HashSet<&PathBuf> = self.names.keys().chain(other.names.keys()).collect();
        let file = |dir: &Dir, name: &PathBuf| dir.names.get(name).map(|o| dir.files[*o].clone());
        let mut differ: Vec<String> = names
            .into_iter()
            .filter(|name| file(self, name) != file(other, name))
            .map(|name| {
                let len = |dir: &Dir| file(dir, name).map(|f| f.len());
                format!("{} ({:?} against {:?} bytes)", name.display(), len(self), len(other))
            })
            .collect();
        differ.sort();
        differ
    }
}

/// How much of a torn write reaches the disk: the first half, cut at a
/// 512-byte sector where the write spans more than one.
fn torn_length(len: usize) -> usize {
    match len > 512 {
        true => (len / 2) / 512 * 512,
        false => len / 2,
    }
}

/// Undoes strace's quoting of a string argument (`-xx`: every byte as
/// `\xNN`; other escapes are decoded too).
fn unquote(text: &str) -> Vec<u8> {
    let text = text.trim();
    assert!(!text.ends_with("..."), "strace cut a string short (raise -s): {text:.80}");
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let bytes = inner.as_bytes();
    let (mut out, mut i) = (Vec::with_capacity(bytes.len() / 4), 0);
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'x' => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                }
                b'n' => (out.push(b'\n'), i += 2).1,
                b't' => (out.push(b'\t'), i += 2).1,
                b'\\' => (out.push(b'\\'), i += 2).1,
                b'"' => (out.push(b'"'), i += 2).1,
                other => panic!("an escape strace -xx does not write: \\{}", other as char),
            }
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Splits a system call's arguments at the commas outside strings and
/// brackets.
fn split_args(args: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, false, 0);
    let bytes = args.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quoted = !quoted,
            b'(' | b'[' | b'{' | b'<' if !quoted => depth += 1,
            b')' | b']' | b'}' | b'>' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                parts.push(args[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(args[start..].trim());
    parts
}

/// An fd argument as `strace -y` prints it, `3</path>`: the number and the
/// path.
fn fd_arg(arg: &str) -> (i64, PathBuf) {
    let (num, rest) = arg.split_once('<').unwrap_or((arg, ""));
    let path = rest.strip_suffix('>').map(|p| PathBuf::from(bytes_to_string(unquote(p))));
    (num.parse().unwrap_or(-1), path.unwrap_or_default())
}

fn bytes_to_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("a UTF-8 path")
}

/// Reads `strace -f -y -xx` output into operations on the log's directory
/// `root`, whose state before the import is `base`.
struct Parser<'a> {
    root: &'a Path,
    ops: Vec<Op>,
    names: BTreeMap<PathBuf, usize>,
    objects: usize,
    dirs: HashSet<PathBuf>,
    positions: HashMap<i64, u64>,
    /// Per thread: the text of a call strace printed as unfinished, and how
    /// many operations had completed when it began.
    pending: HashMap<String, (String, usize)>,
}

impl<'a> Parser<'a> {
    fn new(root: &'a Path, base: &Dir) -> Parser<'a> {
        let mut dirs: HashSet<PathBuf> = base.dirs.iter().cloned().collect();
        dirs.insert(PathBuf::new());
        let (names, objects) = (base.names.clone(), base.files.len());
        let (ops, positions, pending) = (Vec::new(), HashMap::new(), HashMap::new());
        Parser { root, ops, names, objects, dirs, positions, pending }
    }

    fn rel(&self, path: &Path) -> Option<PathBuf> {
        path.strip_prefix(self.root).ok().map(Path::to_path_buf)
    }

    fn line(&mut self, line: &str) {
        let Some((pid, rest)) = line.split_once(' ') else { return };
        let rest = rest.trim_start();
        if rest.starts_with("+++") || rest.starts_with("---") {
            return;
        }
        let (call, began) = if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            self.pending.insert(pid.to_string(), (head.to_string(), self.ops.len()));
            return;
        } else if rest.starts_with("<... ") {
            let (head, began) = self.pending.remove(pid).expect("a resumed call was begun");
            let tail = rest.split_once("resumed>").expect("a resumed call").1;
            (format!("{head}{tail}"), began)
        } else {
            (rest.to_string(), self.ops.len())
        };
        self.call(&call, began);
    }

    fn call(&mut self, call: &str, began: usize) {
        let (name, rest) = call.split_once('(').expect("a system call");
        // strace pads the result (`)     = 24`) after a resumed call. A call
        // that never returned (the process ended in it) changed nothing.
        let Some((args, ret)) = rest.rsplit_once(" = ") else { return };
        let Some(args) = args.trim_end().strip_suffix(')') else { return };
        let ret_num: i64 = ret.split(['<', ' ']).next().unwrap().parse().unwrap_or(-1);
        if ret_num < 0 {
            return;
        }
        let args = split_args(args);
        match name {
            "openat" => {
                let (fd, path) = fd_arg(ret);
                self.positions.insert(fd, 0);
                let Some(rel) = self.rel(&path) else { return };
                if self.dirs.contains(&rel) {
                    return;
                }
                let flags = args[2];
                if !self.names.contains_key(&rel) {
                    assert!(
                        flags.contains("O_CREAT"),
                        "opened a file that is not there: {call:.200}"
                    );
                    let obj = self.objects;
                    self.objects += 1;
                    self.names.insert(rel.clone(), obj);
                    self.ops.push(Op::Create { name: rel, obj });
                } else if flags.contains("O_TRUNC") {
                    self.ops.push(Op::Truncate { obj: self.names[&rel], len: 0 });
                }
            }
            "write" | "pwrite64" => {
                let (fd, path) = fd_arg(args[0]);
                let mut data = unquote(args[1]);
                data.truncate(ret_num as usize);
                if fd == 1 && data.starts_with(b"imported ") {
                    self.ops.push(Op::Ack);
                }
                let offset = match name {
                    "write" => {
                        let pos = self.positions.entry(fd).or_default();
                        let at = *pos;
                        *pos += data.len() as u64;
                        at
                    }
                    _ => args[3].parse().unwrap(),
                };
                if let Some(rel) = self.rel(&path) {
                    self.ops.push(Op::Write { obj: self.names[&rel], offset, data });
                }
            }
            "lseek" => {
                let (fd, _) = fd_arg(args[0]);
                self.positions.insert(fd, ret_num as u64);
            }
            "ftruncate" => {
                let (_, path) = fd_arg(args[0]);
                if let Some(rel) = self.rel(&path) {
                    let len = args[1].parse().unwrap();
                    self.ops.push(Op::Truncate { obj: self.names[&rel], len });
                }
            }
            "rename" => {
                let from = PathBuf::from(bytes_to_string(unquote(args[0])));
                let to = PathBuf::from(bytes_to_string(unquote(args[1])));
                if let (Some(from), Some(to)) = (self.rel(&from), self.rel(&to)) {
                    let obj = self.names.remove(&from).expect("a rename of a file that is there");
                    self.names.insert(to.clone(), obj);
                    self.ops.push(Op::Rename { from, to });
                }
            }
            "unlink" => {
                let path = PathBuf::from(bytes_to_string(unquote(args[0])));
                if let Some(name) = self.rel(&path) {
                    self.names.remove(&name);
                    self.ops.push(Op::Unlink { name });
                }
            }
            "fsync" | "fdatasync" => {
                let (_, path) = fd_arg(args[0]);
                let Some(rel) = self.rel(&path) else { return };
                self.ops.push(match self.dirs.contains(&rel) {
                    true => Op::SyncDir { covers: began },
                    false => Op::SyncFile { obj: self.names[&rel], covers: began },
                });
            }
            "close" | "sync_file_range" => {}
            other => {
                let touches = args.iter().any(|a| {
                    let path = match a.starts_with('"') {
                        true => PathBuf::from(bytes_to_string(unquote(a))),
                        false => fd_arg(a).1,
                    };
                    self.rel(&path).is_some()
                });
                assert!(!touches, "an operation on the log this model does not know: {other}");
            }
        }
    }
}

/// The system calls traced: every one that changes a file or a directory
/// (those the model does not apply fail the test if they touch the log).
const TRACED: &str = "trace=openat,open,creat,write,pwrite64,writev,pwritev,pwritev2,lseek,\
ftruncate,truncate,fallocate,rename,renameat,renameat2,unlink,unlinkat,link,linkat,mkdir,\
mkdirat,rmdir,fsync,fdatasync,sync_file_range,copy_file_range,close";

/// Runs `annals --db DB import FILE` under strace and returns the
/// operations it made on the log's directory.
fn record(db: &Path, file: &Path, trace: &Path, base: &Dir) -> Vec<Op> {
    let out = Command::new("strace")
        .args(["-f", "-y", "-xx", "-s", "100000000", "-o", s(trace), "-e", TRACED])
        .arg(env!("CARGO_BIN_EXE_annals"))
        .args(["--db", s(db), "import", s(file)])
        .env_remove("ANNALS_DB")
        .output()
        .expect("strace runs annals");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut parser = Parser::new(db, base);
    for line in std::fs::read_to_string(trace).unwrap().lines() {
        parser.line(line);
    }
    parser.ops
}

/// One state a power cut could leave: which operations reached the disk.
struct State {
    /// The cut came after the first `at` operations.
    at: usize,
    keep: Vec<bool>,
    torn: Option<usize>,
    how: String,
}

/// Every state of the model for a cut after the first `at` operations
/// (before deduplication), and `random` more of random subsets.
fn states_at(ops: &[Op], at: usize, rng: &mut Rng, random: usize) -> Vec<State> {
    let done = &ops[..at];
    let mut synced = vec![false; at];
    for op in done {
        match op {
            Op::SyncFile { obj, covers } => {
                for (i, earlier) in done[..*covers].iter().enumerate() {
                    if matches!(earlier, Op::Write { obj: o, .. } if o == obj) {
                        synced[i] = true;
                    }
                }
            }
            Op::SyncDir { covers, .. } => {
                for (i, earlier) in done[..*covers].iter().enumerate() {
                    synced[i] |= earlier.is_metadata();
                }
            }
            _ => {}
        }
    }
    let metadata: Vec<usize> = (0..at).filter(|&i| done[i].is_metadata()).collect();
    let least = metadata.iter().rposition(|&i| synced[i]).map_or(0, |p| p + 1);
    let unsynced: Vec<usize> =
        (0..at).filter(|&i| matches!(done[i], Op::Write { .. }) && !synced[i]).collect();
    let state = |meta: usize, writes: &dyn Fn(usize) -> bool, torn: Option<usize>, how: String| {
        let keep = (0..at)
            .map(|i| match &done[i] {
                Op::Write { .. } => synced[i] || writes(i),
                op if op.is_metadata() => metadata[..meta].contains(&i),
                _ => true,
            })
            .collect();
        State { at, keep, torn, how }
    };
    let all = metadata.len();
    let mut states = vec![
        state(all, &|_| true, None, "everything written".into()),
        state(least, &|_| false, None, "only what was synced".into()),
    ];
    for meta in least..all {
        states.push(state(meta, &|_| true, None, format!("{meta} of {all} directory operations")));
    }
    for (n, &dropped) in unsynced.iter().enumerate() {
        states.push(state(all, &|i| i != dropped, None, format!("all but write {dropped}")));
        let kept = &unsynced[..n];
        states.push(state(all, &|i| kept.contains(&i), None, format!("the first {n} unsynced")));
    }
    if let Some(&last) = unsynced.last() {
        states.push(state(all, &|_| true, Some(last), format!("write {last} torn")));
    }
    for _ in 0..random {
        let chosen: HashSet<usize> =
            unsynced.iter().copied().filter(|_| rng.next_u64().is_multiple_of(2)).collect();
        let meta = least + (rng.next_u64() as usize) % (all - least + 1);
        let how = format!("{meta} directory operations, unsynced writes {chosen:?}");
        states.push(state(meta, &|i| chosen.contains(&i), None, how));
    }
    states
}

/// Checks one materialised state: `verify` passes and the log holds the
/// acknowledged events and the import's events all or none (all if the
/// import had said it succeeded). Returns what is wrong, if anything.
fn check(db: &Path, ack: &[Event], big: &[Event], acknowledged: bool) -> Result<bool, String> {
    let out = annals(&["--db", s(db), "verify"]);
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !String::from_utf8_lossy(&out.stdout).starts_with("ok: ") {
        return Err(format!("verify fails: {}", err.trim()));
    }
    let log = Log::open(db).map_err(|e| format!("the log does not open: {e}"))?;
    let records = log.len() as usize;
    if records != ack.len() && records != ack.len() + big.len() {
        return Err(format!("half imported: {records} records"));
    }
    for (rec, expected) in log.iter().zip(ack.iter().chain(big)) {
        let rec = rec.map_err(|e| format!("a record does not read: {e}"))?;
        if &rec.event != expected {
            return Err(format!("record {} differs from the file", rec.seq));
        }
    }
    let present = records > ack.len();
    if acknowledged && !present {
        return Err("acknowledged, but the import's events are gone".into());
    }
    Ok(present)
}

/// Power cuts during an import: every state of the model (above) for a cut
/// after each operation the import made, deduplicated, is opened with the
/// real binary and checked. `ANNALS_POWERCUT_EVENTS` sets the size of the
/// import (CI: 150 events, two staged batches) and `ANNALS_POWERCUT_RANDOM`
/// the random subsets of unsynced writes tried per cut (CI: 2), with
/// `ANNALS_POWERCUT_SEED` (docs/RELIABILITY.md gives the long run).
#[test]
fn powercut_states_from_a_recorded_import_lose_nothing_acknowledged_and_half_store_nothing() {
    let strace = Command::new("strace").args(["-o", "/dev/null", "true"]).output();
    assert!(
        strace.as_ref().is_ok_and(|out| out.status.success()),
        "strace cannot trace here (.ci/setup installs it): {strace:?}"
    );
    let env = |name: &str, default: u64| {
        std::env::var(name).map_or(default, |v| v.parse().expect("a whole number"))
    };
    let (events, random) = (env("ANNALS_POWERCUT_EVENTS", 150), env("ANNALS_POWERCUT_RANDOM", 2));
    let mut rng = Rng::new(env("ANNALS_POWERCUT_SEED", 20261207));
    let dir = tempfile::tempdir().unwrap();
    let (base_db, db) = (dir.path().join("base"), dir.path().join("log"));
    let (small, file) = (dir.path().join("small.jsonl"), dir.path().join("big.jsonl"));
    let ack = generate(&small, "a", 3, 20, None);
    let big = generate(&file, "b", 5, events as usize, Some("a-src"));
    ok(&["--db", s(&base_db), "init"]);
    ok(&["--db", s(&base_db), "import", s(&small)]);
    // Not settled: the first open after a write makes sled write a new
    // snapshot of its own (`snap.N.generating`, then renamed), so the trace
    // holds that too.
    copy_log(&base_db, &db);
    let base = Dir::read(&db);
    let ops = record(&db, &file, &dir.path().join("trace"), &base);
    let acked = ops.iter().position(|op| matches!(op, Op::Ack)).expect("the import said so");
    let snapshot = |op: &Op| matches!(op, Op::Create { name, .. } if name.to_string_lossy().ends_with(".generating"));
    assert!(ops.iter().any(snapshot), "sled wrote no snapshot at open ({} operations)", ops.len());
    // The head file's new name is made durable before the import says it
    // is done: the directory is `fsync`ed after the rename.
    let renamed_head =
        |op: &Op| matches!(op, Op::Rename { to, .. } if to == Path::new("annals-head"));
    let head =
        ops[..acked].iter().rposition(renamed_head).expect("the import renamed the head file");
    assert!(
        ops[head..acked].iter().any(|op| matches!(op, Op::SyncDir { covers } if *covers > head)),
        "no fsync of the directory after the head file's rename (operation {head})"
    );

    // The trace holds every change: applied in full, it gives the directory
    // the import left.
    let replayed = base.after(&ops, |_| true, None);
    let missed = replayed.differences(&Dir::read(&db));
    if let (false, Some(keep)) = (missed.is_empty(), std::env::var_os("ANNALS_POWERCUT_KEEP")) {
        let keep = Path::new(&keep);
        replayed.write_to(&keep.join("replayed"));
        copy_log(&db, &keep.join("real"));
        std::fs::copy(dir.path().join("trace"), keep.join("trace")).unwrap();
    }
    assert!(missed.is_empty(), "the trace misses changes to the log: {missed:?}");

    let state_dir = dir.path().join("state");
    let (mut seen, mut checked, mut present) = (HashSet::new(), 0, 0);
    let mut findings = Vec::new();
    for at in 0..=ops.len() {
        for state in states_at(&ops, at, &mut rng, random as usize) {
            let after = base.after(&ops[..state.at], |i| state.keep[i], state.torn);
            if !seen.insert(after.fingerprint()) {
                continue;
            }
            after.write_to(&state_dir);
            checked += 1;
            let acknowledged = state.at > acked;
            match check(&state_dir, &ack, &big, acknowledged) {
                Ok(in_log) => present += usize::from(in_log),
                Err(problem) => {
                    let dropped: Vec<String> = (0..state.at)
                        .filter(|&i| !state.keep[i])
                        .map(|i| format!("{i}: {}", ops[i].describe()))
                        .collect();
                    findings.push(format!(
                        "cut after operation {} ({}; acknowledged: {acknowledged}), dropped {dropped:?}: {problem}",
                        state.at, state.how
                    ));
                }
            }
        }
    }
    eprintln!(
        "power cuts: {} operations (acknowledged after {acked}), {checked} distinct states, \
         the import in {present}, {} findings",
        ops.len(),
        findings.len()
    );
    if std::env::var_os("ANNALS_POWERCUT_SHOW").is_some() {
        for (i, op) in ops.iter().enumerate() {
            eprintln!("power cuts: operation {i}: {}", op.describe());
        }
    }
    for finding in findings.iter().take(10) {
        eprintln!("power cuts: {finding}");
    }
    assert!(
        findings.is_empty(),
        "{} states break the promise; the first: {}",
        findings.len(),
        findings[0]
    );
    assert!(
        present > 0 && present < checked,
        "the states cover both outcomes: {present} of {checked}"
    );
}

/// A snapshot sled had not finished writing when the power went (or the
/// process was killed), `snap.N.generating` cut short, is removed on open,
/// and the log opens with every record: sled reads it as its newest
/// snapshot otherwise and refuses every command with "Read corrupted data".
#[test]
fn powercut_an_unfinished_sled_snapshot_is_removed_and_the_log_opens_whole() {
    let db = super::Db::with(&[super::OUTSIDE]);
    let before = db.export();
    let unfinished = db.path.join("snap.FFFFFFFFFFFFFFFF.generating");
    std::fs::write(&unfinished, b"a snapshot cut short").unwrap();
    let verified = db.run(&["verify"]);
    assert!(verified.starts_with("ok: 16 records"), "{verified}");
    assert!(!unfinished.exists(), "the unfinished snapshot is still there");
    assert_eq!(db.export(), before);
    // A damaged finished snapshot is still refused (docs/RELIABILITY.md,
    // "Damaged files"): only unfinished ones are removed.
    let snap = std::fs::read_dir(&db.path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("snap."))
        .expect("sled's snapshot");
    std::fs::write(&snap, b"damaged").unwrap();
    let err = super::fails(&["--db", db.p(), "verify"]);
    assert!(err.contains("Read corrupted data"), "{err}");
}
