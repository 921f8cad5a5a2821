//! DuckDB as a peer of annals: the DuckDB command-line program (a separate
//! executable, nothing linked in), a database file loaded from the same JSON
//! Lines that `annals import` reads, and the questions annals answers, asked
//! in SQL.
//!
//! The executable is `ANNALS_DUCKDB` (a path) or `duckdb` on `PATH`; the PyPI
//! package `duckdb-cli` installs one (`pip install duckdb-cli==1.5.6`). That
//! package's `duckdb` command is a Python script that starts the real binary,
//! shipped inside the package: when `duckdb` on `PATH` is a script, the binary
//! beside the package's `__init__.py` is used instead, so that a timed run
//! does not include a Python interpreter's start.
//!
//! The database (see [`load_sql`]): `sources`, `actors`, `places`,
//! `retractions`; `place_events`, every `control_taken`, `control_lost` and
//! `attack` with its date's earliest and latest day, retracted ones included
//! and marked; `control`, the takes and losses that no retraction withdrew.
//! Both event tables are sorted by place and day, so DuckDB's zone maps skip
//! the row groups of other places. Dates are parsed in SQL for the whole EDTF
//! subset of the interchange format (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each
//! with an optional `?` or `~`, and intervals `A/B` of those): the qualifier
//! does not change the days a date denotes, as in annals. A retraction of a
//! retraction is not modelled (the synthetic logs retract control events only).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

/// The DuckDB command-line program, found and checked.
#[derive(Clone, Debug)]
pub struct DuckDb {
    /// The executable run.
    pub bin: PathBuf,
    /// What `duckdb -version` printed.
    pub version: String,
}

/// How to enable the DuckDB comparison, printed when it is skipped.
pub const HOW: &str = "`pip install duckdb-cli==1.5.6`, or set ANNALS_DUCKDB=/path/to/duckdb";

impl DuckDb {
    /// `ANNALS_DUCKDB`, or `duckdb` on `PATH`; `None` (with one line on stderr
    /// saying why and how to enable it) when there is none that runs.
    pub fn find() -> Option<DuckDb> {
        let bin = match std::env::var_os("ANNALS_DUCKDB") {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => match on_path("duckdb") {
                Some(path) => beyond_wrapper(path),
                None => {
                    eprintln!("skipped: DuckDB comparison (no `duckdb` on PATH): {HOW}");
                    return None;
                }
            },
        };
        match Command::new(&bin).arg("-version").output() {
            Ok(out) if out.status.success() => {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
                Some(DuckDb { bin, version })
            }
            _ => {
                eprintln!("skipped: DuckDB comparison ({} does not run): {HOW}", bin.display());
                None
            }
        }
    }

    /// `duckdb -no-init -readonly -csv DB`: a query process, as a user would
    /// start one (no `~/.duckdbrc`, comma-separated output with a header).
    pub fn query_command(&self, db: &Path) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(["-no-init", "-readonly", "-csv"]).arg(db);
        cmd
    }

    /// Loads the JSON Lines file `jsonl` into a new database file `db`, by
    /// [`load_sql`]; returns how long that took.
    pub fn build(&self, jsonl: &Path, db: &Path) -> Duration {
        let script = db.with_extension("load.sql");
        std::fs::write(&script, load_sql(jsonl)).expect("the load script is written");
        let started = Instant::now();
        let out = Command::new(&self.bin)
            .args(["-no-init", "-bail"])
            .arg(db)
            .arg("-f")
            .arg(&script)
            .output()
            .expect("duckdb runs");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "loading {} into DuckDB failed: {}",
            jsonl.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        started.elapsed()
    }

    /// The rows (header first) that `sql` answers from `db`.
    pub fn rows(&self, db: &Path, sql: &str) -> Vec<Vec<String>> {
        let out = self.query_command(db).arg("-c").arg(sql).output().expect("duckdb runs");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "DuckDB refused {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        parse_csv(&String::from_utf8_lossy(&out.stdout))
    }
}

/// The first executable file called `name` in a directory of `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// The binary that the `duckdb-cli` package's Python script (or a shim in
/// front of it) starts, where `path` is such a script and the package is
/// importable by `python3`; else `path` itself.
fn beyond_wrapper(path: PathBuf) -> PathBuf {
    let is_script = std::fs::read(&path).map(|b| b.starts_with(b"#!")).unwrap_or(false);
    if !is_script {
        return path;
    }
    let package = Command::new("python3")
        .args(["-c", "import duckdb_cli, os; print(os.path.dirname(duckdb_cli.__file__))"])
        .output();
    let inner = package
        .ok()
        .filter(|out| out.status.success())
        .map(|out| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("duckdb"))
        .filter(|p| p.is_file());
    match inner {
        Some(bin) => {
            eprintln!(
                "DuckDB: {} is a script; timing the binary it starts, {}",
                path.display(),
                bin.display()
            );
            bin
        }
        None => {
            eprintln!(
                "DuckDB: {} is a script and no duckdb_cli package was found beside python3: \
                 its interpreter's start is timed too (set ANNALS_DUCKDB to the binary)",
                path.display()
            );
            path
        }
    }
}

/// `text` as an SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The SQL that builds the database from the JSON Lines file `jsonl`
/// (described in the module's documentation).
pub fn load_sql(jsonl: &Path) -> String {
    let file = literal(&jsonl.to_string_lossy());
    format!(
        r#"
CREATE TEMP MACRO edtf_first(p) AS (
  CASE length(p) WHEN 4 THEN make_date(p::INTEGER, 1, 1)
                 WHEN 7 THEN make_date(p[1:4]::INTEGER, p[6:7]::INTEGER, 1)
                 ELSE p::DATE END);
CREATE TEMP MACRO edtf_last(p) AS (
  CASE length(p) WHEN 4 THEN make_date(p::INTEGER, 12, 31)
                 WHEN 7 THEN last_day(make_date(p[1:4]::INTEGER, p[6:7]::INTEGER, 1))
                 ELSE p::DATE END);
CREATE TEMP MACRO edtf_earliest(d) AS edtf_first(rtrim(split_part(d, '/', 1), '?~'));
CREATE TEMP MACRO edtf_latest(d) AS
  edtf_last(rtrim(CASE WHEN contains(d, '/') THEN split_part(d, '/', 2) ELSE d END, '?~'));
CREATE TEMP TABLE raw AS SELECT * FROM read_ndjson({file}, columns = {{
  type: 'VARCHAR', id: 'VARCHAR', date: 'VARCHAR', place: 'VARCHAR', actor: 'VARCHAR',
  "from": 'VARCHAR', attacker: 'VARCHAR', target: 'VARCHAR', fatalities: 'BIGINT',
  claim: 'VARCHAR', claimed_by: 'VARCHAR', sources: 'VARCHAR[]', note: 'VARCHAR',
  retracts: 'VARCHAR', reason: 'VARCHAR', name: 'VARCHAR', kind: 'VARCHAR', within: 'VARCHAR',
  lat: 'DOUBLE', lon: 'DOUBLE', title: 'VARCHAR', publisher: 'VARCHAR', published: 'VARCHAR',
  url: 'VARCHAR'}});
CREATE TABLE sources AS SELECT id, title, publisher, published, url FROM raw WHERE type = 'source';
CREATE TABLE actors AS SELECT id, name, kind FROM raw WHERE type = 'actor';
CREATE TABLE places AS SELECT id, name, kind, within, lat, lon FROM raw WHERE type = 'place';
CREATE TABLE retractions AS SELECT retracts, id, reason FROM raw WHERE type = 'retraction';
CREATE TABLE place_events AS
  SELECT r.place, r.type, r.id, coalesce(r.actor, r.attacker) AS actor, r.target, r."from",
         r.fatalities, r.date, edtf_earliest(r.date) AS earliest, edtf_latest(r.date) AS latest,
         coalesce(r.claim, 'reported') AS claim, r.claimed_by, r.sources, r.note,
         x.id AS retracted_by
  FROM raw r LEFT JOIN retractions x ON x.retracts = r.id
  WHERE r.type IN ('control_taken', 'control_lost', 'attack')
  ORDER BY r.place, earliest, latest, r.id;
CREATE TABLE control AS
  SELECT place, type = 'control_taken' AS taken, actor, earliest, latest, id, claim, sources
  FROM place_events WHERE type <> 'attack' AND retracted_by IS NULL
  ORDER BY place, earliest, id;
CHECKPOINT;
"#
    )
}

/// The columns of a controller answer: the place, the controller (empty
/// after a loss), the deciding event's type, actor, earliest day and id.
const DECIDING: &str = "c.place, p.name AS place_name, c.controller, a.name AS controller_name, \
     c.type, c.actor, c.earliest AS since, c.id AS event";

/// The deciding row of a place on `day`: the latest settled take or loss
/// (`latest <= day`, greatest `earliest`, ties broken by the greater id); a
/// loss leaves no controller, whoever lost.
fn deciding(filter: &str, day: NaiveDate) -> String {
    format!(
        "SELECT place, CASE WHEN taken THEN actor END AS controller, \
         CASE WHEN taken THEN 'control_taken' ELSE 'control_lost' END AS type, actor, earliest, \
         id, claim, sources FROM control WHERE {filter} latest <= DATE '{day}'"
    )
}

/// The ids and titles of the sources of the row `row`, in one text.
fn source_titles(row: &str) -> String {
    format!(
        "(SELECT string_agg(s.id || ' ' || s.title, '; ' ORDER BY s.id) \
         FROM unnest({row}.sources) u(sid) JOIN sources s ON s.id = u.sid) AS sources"
    )
}

/// Who controlled `place` on `day`, naively (see [`deciding`]), with the
/// deciding event's claim and sources.
pub fn control_sql(place: &str, day: NaiveDate) -> String {
    let inner = deciding(&format!("place = {} AND", literal(place)), day);
    format!(
        "SELECT {DECIDING}, c.claim, {} FROM ({inner} ORDER BY earliest DESC, id DESC LIMIT 1) c \
         JOIN places p ON p.id = c.place LEFT JOIN actors a ON a.id = c.controller;",
        source_titles("c")
    )
}

/// Every place's controller on `day`, naively (see [`deciding`]): the data of
/// a control map, one row per place with a settled take or loss.
pub fn map_sql(day: NaiveDate) -> String {
    let inner = deciding("", day).replacen("SELECT ", "SELECT DISTINCT ON (place) ", 1);
    format!(
        "SELECT {DECIDING} FROM ({inner} ORDER BY place, earliest DESC, id DESC) c \
         JOIN places p ON p.id = c.place LEFT JOIN actors a ON a.id = c.controller \
         ORDER BY c.place;"
    )
}

/// A place's timeline, as `annals history` prints it: its takes, losses and
/// attacks in date order, with the actors' names, the claim, the sources'
/// titles and the retraction, if any.
pub fn history_sql(place: &str) -> String {
    format!(
        "SELECT e.date, e.type, e.id, e.actor, a.name AS actor_name, e.target, \
         t.name AS target_name, e.fatalities, e.claim, e.claimed_by, e.note, e.retracted_by, {} \
         FROM place_events e LEFT JOIN actors a ON a.id = e.actor \
         LEFT JOIN actors t ON t.id = e.target \
         WHERE e.place = {} ORDER BY e.earliest, e.latest, e.id;",
        source_titles("e"),
        literal(place)
    )
}

/// Rows of DuckDB's CSV output: fields split at commas, `"` quoting (with
/// `""` for a quote) honoured, `NULL` kept as the text DuckDB prints.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            ('\r', false) => {}
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// The CPU time (user and system) of this process's children that have been
/// waited for, from `/proc/self/stat` (Linux; clock ticks of 1/100 s, the
/// fixed `USER_HZ` of Linux's interface). `None` elsewhere.
pub fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name in parentheses, which may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 here (from 1).
    let ticks: u64 = fields.get(13)?.parse::<u64>().ok()? + fields.get(14)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}
