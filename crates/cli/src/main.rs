//! The `annals` command line: argument parsing, wiring, printing, exit codes.

mod output;

use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::process::ExitCode;

use annals_import::{read_jsonl, Catalog};
use annals_log::{Check, Error as LogError, Log, Snapshot};
use annals_model::{parse_day, v1, ActorId, Event, EventKind, PlaceId, Recorded, RefKind};
use annals_replay::{HistoryEntry, Node, PlaceIndex, RelationKind, Resolve, World};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};

/// The Mali chronicle, compiled in: answers come from it when no `--db` is given.
const CHRONICLE: &str = include_str!("../../../fixtures/mali/chronicle.jsonl");

/// annals: an event-sourced knowledge graph of armed conflicts.
///
/// Without --db (or ANNALS_DB) queries answer from the built-in Mali chronicle.
#[derive(Parser, Debug)]
#[command(name = "annals", version)]
struct Cli {
    /// The event log (a sled database directory).
    #[arg(long, global = true, env = "ANNALS_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Print JSON for scripts instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a new, empty log at --db.
    Init,
    /// Append the events of a file, all or nothing; events already stored are skipped.
    Import {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: Format,
    },
    /// Write every stored event in interchange format v1.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Salvage a damaged log: leave out the records that fail their
        /// checks (each named on standard error) and write all the others,
        /// then exit 1 if any were left out. Without it, export stops at the
        /// first damaged record (docs/RELIABILITY.md, "What can be recovered").
        #[arg(long)]
        skip_damaged: bool,
    },
    /// Who controlled a place on a date, and how we know.
    Control {
        place: String,
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: String,
        #[command(flatten)]
        known: KnownAt,
    },
    /// Who governed a state on a date, from `government` events and coups.
    Government {
        state: String,
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: String,
        #[command(flatten)]
        known: KnownAt,
    },
    /// The relations that hold on a date (or over the whole timeline, --dynamic),
    /// as Graphviz DOT, JSON, GraphML or GEXF.
    Graph {
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", required_unless_present = "dynamic")]
        on: Option<String>,
        /// `dot` (the default, or `json` with --json), `json`, `graphml` or `gexf`.
        #[arg(long, value_enum)]
        format: Option<GraphFormat>,
        /// Every relation with the stretches of time it holds (GEXF or JSON), for Gephi's timeline.
        #[arg(long, conflicts_with_all = ["on", "around", "kind"])]
        dynamic: bool,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Only this actor or place and what lies within --depth relations of it.
        #[arg(long, value_name = "ACTOR")]
        around: Option<String>,
        /// How many relations away from --around to reach.
        #[arg(long, default_value_t = 1, requires = "around")]
        depth: usize,
        /// Only these relation kinds (repeat, or separate with commas).
        #[arg(long, value_delimiter = ',', value_parser = relation_kind)]
        kind: Vec<RelationKind>,
        #[command(flatten)]
        known: KnownAt,
    },
    /// An actor on a date: its groups and members, allies, enemies, places held,
    /// interventions, governments and agreements, each with its sources.
    Actor {
        actor: String,
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: String,
        #[command(flatten)]
        known: KnownAt,
    },
    /// The relations that began or ended between two dates, in date order.
    Diff {
        /// The day before the period (changes settled after it count).
        #[arg(long, value_name = "DATE")]
        from: String,
        /// The last day of the period.
        #[arg(long, value_name = "DATE")]
        to: String,
        #[command(flatten)]
        known: KnownAt,
    },
    /// Blocs on a date: groups of actors tied by alliances and memberships.
    Blocs {
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: String,
        /// The relations that bind a bloc (default: allied_with, member_of).
        #[arg(long, value_delimiter = ',', value_parser = relation_kind)]
        kind: Vec<RelationKind>,
        #[command(flatten)]
        known: KnownAt,
    },
    /// The shortest chain of relations between two actors (or places) on a date.
    Path {
        from: String,
        to: String,
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        on: String,
        /// Only follow these relation kinds.
        #[arg(long, value_delimiter = ',', value_parser = relation_kind)]
        kind: Vec<RelationKind>,
        #[command(flatten)]
        known: KnownAt,
    },
    /// The control timeline of a place (or the government timeline of a state), with sources.
    History {
        place: String,
        #[command(flatten)]
        known: KnownAt,
    },
    /// Withdraw an event: appends a `retraction`; the event stops counting from now on.
    Retract {
        /// The id of the event to retract.
        event: String,
        /// Why (kept in the log).
        #[arg(long)]
        reason: String,
    },
    /// List the stored events in log order, marking retracted ones.
    Log,
    /// Check the log: records decode, sequence is gap-free, references resolve, replay succeeds.
    Verify,
    /// Write a deterministic, ACLED-shaped synthetic log (for benchmarks and scale tests).
    Synth {
        /// How many events to write.
        #[arg(long)]
        events: u64,
        /// The same seed gives the same file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The JSONL file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct KnownAt {
    /// Answer as the log knew things then: an RFC 3339 time, or `seq:N`.
    #[arg(long, value_name = "TIME")]
    known_at: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Interchange format v1, JSON Lines.
    Jsonl,
    /// An ACLED CSV export (import only; see docs/ACLED.md).
    Acled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Json,
    Graphml,
    Gexf,
}

/// A relation kind as the command line spells it (`member_of`, `controls`, ...).
fn relation_kind(s: &str) -> Result<RelationKind, String> {
    RelationKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = RelationKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown relation kind `{s}`; the kinds are {}", all.join(", "))
    })
}

fn kinds(list: &[RelationKind], default: &[RelationKind]) -> Vec<RelationKind> {
    if list.is_empty() {
        default.to_vec()
    } else {
        list.to_vec()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<serde_json::Error>()
                        .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("annals: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let now = Utc::now();
    let json = cli.json;
    if let Command::Init = cli.command {
        let path =
            cli.db.ok_or_else(|| anyhow!("`init` needs --db PATH (where to create the log)"))?;
        Log::init(&path)?;
        println!("created an empty log at {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Synth { events, seed, output } = &cli.command {
        let file = std::fs::File::create(output)
            .with_context(|| format!("cannot create {}", output.display()))?;
        let summary = annals_synth::write_jsonl(&mut std::io::BufWriter::new(file), *events, *seed)
            .with_context(|| format!("cannot write {}", output.display()))?;
        println!("wrote {} (seed {seed}): {summary}", output.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut log = Open(Some(open(cli.db.as_ref(), now)?));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Init | Command::Synth { .. } => unreachable!("handled above"),
        Command::Import { file, format } => {
            if cli.db.is_none() {
                bail!("`import` needs --db PATH: the built-in chronicle is read-only");
            }
            import(&mut log, &file, format, now, &mut out)?;
        }
        Command::Export { format, output, skip_damaged } => {
            if format != Format::Jsonl {
                bail!("export writes only --format jsonl (interchange format v1)");
            }
            let mut sink: Box<dyn Write> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(out)),
            };
            let (mut written, mut left_out) = (0u64, Vec::new());
            for rec in log.iter() {
                let rec = match rec {
                    Ok(rec) => rec,
                    Err(e @ (LogError::Corrupt { .. } | LogError::CorruptBlock { .. }))
                        if skip_damaged =>
                    {
                        eprintln!("annals export: left out: {e}");
                        left_out.push(e);
                        continue;
                    }
                    Err(e) => return Err(e.into()),
                };
                writeln!(sink, "{}", v1::to_line(&rec.event))?;
                written += 1;
            }
            sink.flush()?;
            if !left_out.is_empty() {
                let damaged: u64 = left_out
                    .iter()
                    .map(|e| match e {
                        LogError::CorruptBlock { first, last, .. } => last - first + 1,
                        _ => 1,
                    })
                    .sum();
                bail!(
                    "export wrote {written} records and left out {damaged} damaged ones (named above); a record that refers to one of them will not import into a new log until that event is written again"
                );
            }
        }
        Command::Control { place, on, known } => {
            let day = parse_day(&on).map_err(|e| anyhow!("--on: {e}"))?;
            let (place, world) = control_world(&log, &place, known.known_at.as_deref())?;
            let answer = world.control(&place, day);
            if json {
                print_json(&mut out, &output::control_json(&world, &place, &answer))?;
            } else {
                output::control_text(&mut out, &world, &place, &answer)?;
            }
        }
        Command::Government { state, on, known } => {
            let day = parse_day(&on).map_err(|e| anyhow!("--on: {e}"))?;
            let (state, world) = government_world(&log, &state, known.known_at.as_deref())?;
            let answer = world.government(&state, day);
            if json {
                print_json(&mut out, &output::government_json(&world, &state, &answer))?;
            } else {
                output::government_text(&mut out, &world, &state, &answer)?;
            }
        }
        Command::Graph { on, format, dynamic, output, around, depth, kind, known } => {
            let format = format.unwrap_or(if json { GraphFormat::Json } else { GraphFormat::Dot });
            let text = if dynamic {
                let world = replay(&log, known.known_at.as_deref())?;
                match format {
                    GraphFormat::Gexf => annals_export::timeline_gexf(&world),
                    GraphFormat::Json => pretty(&annals_export::timeline_json(&world))?,
                    GraphFormat::Dot | GraphFormat::Graphml => {
                        bail!(
                            "--dynamic needs --format gexf or json: DOT and GraphML hold one date"
                        )
                    }
                }
            } else {
                let on = on.expect("clap requires --on without --dynamic");
                let (day, world) = dated(&log, &on, &known)?;
                let mut graph = world.graph_on(day);
                if !kind.is_empty() {
                    graph.retain_kinds(&kind);
                }
                let mut title = format!("annals: relations on {day}");
                if let Some(query) = around {
                    let center = resolve_node(&world, &query)?;
                    graph.retain_around(&center, depth);
                    title.push_str(&format!(" around {}", world.node_name(&center)));
                }
                match format {
                    GraphFormat::Dot => annals_export::graph_dot(&world, &graph, &title),
                    GraphFormat::Json => pretty(&annals_export::graph_json(&world, &graph))?,
                    GraphFormat::Graphml => annals_export::graph_graphml(&world, &graph),
                    GraphFormat::Gexf => annals_export::graph_gexf(&world, &graph),
                }
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
        Command::Actor { actor, on, known } => {
            let (day, world) = dated(&log, &on, &known)?;
            let actor = Node::Actor(resolve_state(&world, &actor).map_err(|e| {
                anyhow!("{}", e.to_string().replacen("unknown state", "unknown actor", 1))
            })?);
            let graph = world.graph_on(day);
            if json {
                print_json(&mut out, &output::actor_relations_json(&world, &graph, &actor))?;
            } else {
                output::actor_text(&mut out, &world, &graph, &actor)?;
            }
        }
        Command::Diff { from, to, known } => {
            let from_day = parse_day(&from).map_err(|e| anyhow!("--from: {e}"))?;
            let to_day = parse_day(&to).map_err(|e| anyhow!("--to: {e}"))?;
            if to_day < from_day {
                bail!("--to {to_day} is before --from {from_day}");
            }
            let world = replay(&log, known.known_at.as_deref())?;
            let changes = world.diff(from_day, to_day);
            if json {
                print_json(&mut out, &output::diff_json(&world, from_day, to_day, &changes))?;
            } else {
                output::diff_text(&mut out, &world, from_day, to_day, &changes)?;
            }
        }
        Command::Blocs { on, kind, known } => {
            let (day, world) = dated(&log, &on, &known)?;
            let kinds = kinds(&kind, &[RelationKind::AlliedWith, RelationKind::MemberOf]);
            let graph = world.graph_on(day);
            let blocs = graph.blocs(&kinds);
            if json {
                print_json(&mut out, &output::blocs_json(&world, day, &kinds, &blocs))?;
            } else {
                output::blocs_text(&mut out, &world, day, &kinds, &blocs)?;
            }
        }
        Command::Path { from, to, on, kind, known } => {
            let (day, world) = dated(&log, &on, &known)?;
            let (a, b) = (resolve_node(&world, &from)?, resolve_node(&world, &to)?);
            let mut graph = world.graph_on(day);
            if !kind.is_empty() {
                graph.retain_kinds(&kinds(&kind, &[]));
            }
            let path = graph.path(&a, &b);
            if json {
                print_json(&mut out, &output::path_json(&world, day, &a, &b, path.as_deref()))?;
            } else {
                output::path_text(&mut out, &world, day, &a, &b, path.as_deref())?;
            }
        }
        Command::History { place, known } => {
            match history_world(&log, &place, known.known_at.as_deref())? {
                Timeline::State(state, world) => {
                    let lines = timeline(&log, &world.government_history(&state))?;
                    if json {
                        let v = output::government_history_json(&world, &state, &lines);
                        print_json(&mut out, &v)?
                    } else {
                        output::government_history_text(&mut out, &world, &state, &lines)?
                    }
                }
                Timeline::Place(place, world) => {
                    let lines = timeline(&log, &world.history(&place))?;
                    if json {
                        print_json(&mut out, &output::history_json(&world, &place, &lines))?
                    } else {
                        output::history_text(&mut out, &world, &place, &lines)?
                    }
                }
            }
        }
        Command::Retract { event, reason } => {
            if cli.db.is_none() {
                bail!("`retract` needs --db PATH: the built-in chronicle is read-only");
            }
            retract(&mut log, &event, &reason, now, &mut out)?;
        }
        Command::Log => {
            let world = replay(&log, None)?;
            for rec in log.iter() {
                let rec = rec?;
                let retracted_by = world.retracted_by(rec.event.id.as_str());
                if json {
                    let line = serde_json::json!({
                        "seq": rec.seq,
                        "recorded_at": rec.recorded_at.to_rfc3339(),
                        "origin": rec.origin.as_deref(),
                        "retracted_by": retracted_by.map(|r| r.as_str()),
                        "event": serde_json::from_str::<serde_json::Value>(&v1::to_line(&rec.event))?,
                    });
                    writeln!(out, "{line}")?;
                } else {
                    let mark =
                        retracted_by.map(|r| format!("  [RETRACTED by {r}]")).unwrap_or_default();
                    let time = rec.recorded_at.format("%Y-%m-%dT%H:%M:%SZ");
                    let origin =
                        rec.origin.as_deref().map(|o| format!("  ({o})")).unwrap_or_default();
                    writeln!(
                        out,
                        "{:>6}  {time}  {}{mark}{origin}",
                        rec.seq,
                        v1::to_line(&rec.event)
                    )?;
                }
            }
        }
        Command::Verify => return verify(&log, &mut out),
    }
    Ok(ExitCode::SUCCESS)
}

/// One JSON value, pretty, with a final line break.
fn pretty(value: &serde_json::Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// Prints one JSON value, pretty, on its own lines.
fn print_json(out: &mut impl Write, value: &serde_json::Value) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The log a command works on. When the command is done the log is flushed,
/// but sled's in-memory state is not torn down: the process ends next, and
/// the teardown took a seventh of a query on a 1M-event log. Stopping after a
/// flush is what the crash tests do to a log at every moment, and it is safe.
/// A temporary log (the built-in chronicle) is dropped, so its files go.
struct Open(Option<Log>);

impl std::ops::Deref for Open {
    type Target = Log;
    fn deref(&self) -> &Log {
        self.0.as_ref().expect("open until dropped")
    }
}

impl std::ops::DerefMut for Open {
    fn deref_mut(&mut self) -> &mut Log {
        self.0.as_mut().expect("open until dropped")
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        let Some(log) = self.0.take() else { return };
        if log.is_temporary() {
            return;
        }
        match log.flush() {
            Ok(()) => std::mem::forget(log),
            // Let sled's own teardown try again.
            Err(e) => eprintln!("annals: warning: flushing the log failed: {e}"),
        }
    }
}

/// Opens the log at `db`, or builds the built-in chronicle in a temporary one.
fn open(db: Option<&PathBuf>, now: DateTime<Utc>) -> Result<Log> {
    if let Some(path) = db {
        let log = Log::open(path)?;
        if log.discarded() > 0 {
            eprintln!(
                "annals: removed {} records staged by an import that did not finish (it never reported success, so nothing it stored was acknowledged)",
                log.discarded()
            );
        }
        return Ok(log);
    }
    let mut log = Log::temporary()?;
    let events = read_jsonl("built-in chronicle", CHRONICLE.as_bytes(), &Catalog::empty())
        .map_err(|errors| anyhow!("the built-in chronicle is invalid: {}", errors[0]))?;
    log.append_from(&events, now, Some("built-in chronicle"))?;
    Ok(log)
}

/// Whether `event` is new to the log or stored with the same content; if
/// its id is stored with other content, what to tell the historian: the
/// stored record and the fields that differ.
fn conflict(log: &Log, event: &Event) -> Result<Result<Check, String>> {
    let seq = match log.check(event) {
        Err(annals_log::Error::Conflict { seq, .. }) => seq,
        other => return Ok(Ok(other?)),
    };
    let Some(stored) = log.get(seq)? else {
        bail!("id `{}` is indexed at record {seq}, which is missing; run `annals verify`", event.id)
    };
    Ok(Err(format!(
        "event id `{}` is already stored (record {seq}) with different content ({}); ids are permanent, so give the new event another id, or retract the old one",
        event.id,
        differences(&stored.event, event)
    )))
}

/// The fields of format v1 in which two events differ, with both values.
fn differences(stored: &Event, new: &Event) -> String {
    let fields = |e: &Event| match serde_json::from_str(&v1::to_line(e)) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (old, new) = (fields(stored), fields(new));
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let shown = |v: Option<&serde_json::Value>| {
        v.map_or("not given".to_string(), |v| v1::excerpt(&v.to_string()).into_owned())
    };
    let diffs: Vec<String> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| format!("`{k}`: stored {}, here {}", shown(old.get(k)), shown(new.get(k))))
        .collect();
    diffs.join("; ")
}

fn import(
    log: &mut Log,
    file: &PathBuf,
    format: Format,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<()> {
    // A spinner on standard error, drawn only when it is a terminal.
    let progress = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(4),
    );
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .expect("a valid template"),
    );
    progress.enable_steady_tick(std::time::Duration::from_millis(250));
    let name = file.display().to_string();
    let origin = format!("import {name}");
    // References to what the log already holds are checked through its id
    // index, one lookup per distinct id, not by replaying the log.
    let stored = StoredKinds::new(log);
    let exists = |kind: RefKind, id: &str| match (kind, stored.kind_of(id)) {
        (_, None) => false,
        (RefKind::Event, Some(_)) => true,
        (RefKind::Source, Some(k)) => k == "source",
        (RefKind::Actor, Some(k)) => k == "actor",
        (RefKind::Place, Some(k)) => k == "place",
    };
    let is_retraction = |id: &str| stored.kind_of(id) == Some("retraction");
    let catalog = Catalog { exists: &exists, is_retraction: &is_retraction };
    let refused = |refusal: annals_import::Refused| {
        progress.finish_and_clear();
        let errors = match refusal {
            annals_import::Refused::Lines(errors) => errors,
            annals_import::Refused::Io(e) => return anyhow!("cannot read {name}: {e}"),
        };
        let more = if errors.len() >= annals_import::MAX_ERRORS {
            "\n(further lines were not checked)"
        } else {
            ""
        };
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        anyhow!("{name} was not imported; nothing was stored:\n{}{more}", list.join("\n"))
    };
    let open = || std::fs::File::open(file).map_err(|e| refused(e.into()));
    // The first pass hands every event to `against_log`, which refuses one
    // whose id is stored with other content; a failure to read the log is
    // kept for after the pass.
    let mut failure = None;
    // The lines whose events are new to the log: the second pass stages
    // them without looking their ids up again.
    let mut fresh = LineSet::default();
    let against_log = |line: usize, event: Event| match conflict(log, &event) {
        Ok(Ok(Check::New)) => {
            fresh.insert(line);
            Ok(())
        }
        Ok(Ok(Check::Stored(_))) => Ok(()),
        Ok(Err(problem)) => Err(problem),
        Err(e) => {
            failure.get_or_insert(e);
            Ok(())
        }
    };
    // Two passes, so that memory does not grow with the file: the first
    // checks every record (and keeps only what references need), the
    // second stores; the file is compared by checksum. A monadic ACLED
    // export is read once more first, to count the rows of each event.
    progress.set_message(format!("checking {name}"));
    let checked = match format {
        Format::Jsonl => {
            let reader = std::io::BufReader::new(open()?);
            annals_import::check_jsonl(&name, reader, &catalog, against_log)
                .map(|c| (c.events, c.checksum, None))
        }
        Format::Acled => annals_import::check_acled(&name, open()?, &catalog, against_log)
            .map(|c| (c.events, c.checksum, Some(c))),
    };
    stored.failure()?;
    if let Some(e) = failure {
        return Err(e.context("cannot check the file against the log"));
    }
    let (events, checksum, acled) = checked.map_err(refused)?;
    drop(stored);
    // The place snapshot grows with the events as they are stored, instead
    // of being rebuilt by reading them back afterwards.
    progress.set_message("reading the snapshot");
    let mut index = place_index(log, false).ok();
    progress.set_message(format!("storing {events} events"));
    let outcome = match &acled {
        // A JSON Lines file is read and parsed on a second thread while
        // its events are stored (an ACLED row's reading holds what the
        // first pass found, which is not shared between threads).
        None => {
            let events = annals_import::JsonlEvents::new(&name, std::io::BufReader::new(open()?));
            annals_import::ahead(events, |events| {
                store(log, &name, &origin, now, events, checksum, Some(&fresh), index.as_mut())
            })
        }
        Some(checked) => annals_import::AcledEvents::new(&name, open()?, checked)
            .map_err(|e| read_again(&name, e))
            .and_then(|mut events| {
                store(log, &name, &origin, now, &mut events, checksum, None, index.as_mut())
            }),
    };
    if outcome.is_err() {
        progress.finish_and_clear();
    }
    let outcome = outcome.map_err(|e| {
        // A disk that failed after the commit mark was written: the import
        // may be in.
        let unconfirmed =
            e.chain().any(|c| matches!(c.downcast_ref(), Some(LogError::Unconfirmed(_))));
        match unconfirmed {
            true => e.context(format!("{name} may or may not have been imported")),
            false => e.context(format!("{name} was not imported; nothing was stored")),
        }
    })?;
    let skipped = acled.map(|c| c.skipped).unwrap_or_default();
    match outcome.seqs {
        Some((first, last)) => writeln!(
            out,
            "imported {} new events from {name} (records {first}..{last}); {} were already stored",
            outcome.appended, outcome.unchanged
        )?,
        None => writeln!(
            out,
            "nothing new in {name}: all {} events were already stored",
            outcome.unchanged
        )?,
    }
    if outcome.appended > 0 {
        progress.set_message("updating the snapshot");
        let saved = match &index {
            Some(index) => save_index(log, index),
            None => place_index(log, true).map(drop),
        };
        if let Err(e) = saved {
            eprintln!(
                "annals: warning: the snapshot was not updated ({e:#}); the next query rebuilds it"
            );
        }
    }
    progress.finish_and_clear();
    if !skipped.is_empty() {
        let total: usize = skipped.iter().map(|(_, n)| n).sum();
        let kinds: Vec<String> = skipped.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            out,
            "not imported: {total} ACLED events of types annals does not model ({})",
            kinds.join("; ")
        )?;
    }
    Ok(())
}

/// A set of line numbers, one bit each.
#[derive(Debug, Default)]
struct LineSet(Vec<u64>);

impl LineSet {
    fn insert(&mut self, line: usize) {
        let (word, bit) = (line / 64, line % 64);
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    fn contains(&self, line: usize) -> bool {
        self.0.get(line / 64).is_some_and(|w| w & (1 << (line % 64)) != 0)
    }
}

/// Why the second pass of an import could not read the file: what the
/// first pass read is no longer there.
fn read_again(name: &str, refusal: annals_import::Refused) -> anyhow::Error {
    match refusal {
        annals_import::Refused::Lines(errors) => {
            anyhow!("{}", errors[0]).context(format!("{name} changed while it was being imported"))
        }
        annals_import::Refused::Io(e) => anyhow!("cannot read {name}: {e}"),
    }
}

/// The second pass of an import: stages the events of the checked file,
/// read again, adding each to the place `index` (which covers the log so
/// far), then commits them if the file is still the one that was checked.
/// The events on the lines in `fresh` were found new to the log by the
/// first pass; they are staged without looking their ids up again, and the
/// others (stored, or repeated in the file) are counted as unchanged
/// without a lookup either (if the file changed in between, its checksum
/// differs and nothing is committed).
/// On any error the staged events are removed.
#[allow(clippy::too_many_arguments)]
fn store(
    log: &mut Log,
    name: &str,
    origin: &str,
    now: DateTime<Utc>,
    events: &mut dyn annals_import::SecondPass,
    checksum: u32,
    fresh: Option<&LineSet>,
    mut index: Option<&mut PlaceIndex>,
) -> Result<annals_log::Appended> {
    let changed = || anyhow!("{name} changed while it was being imported");
    let mut import = log.begin(now, Some(origin))?;
    for read in &mut *events {
        let (line, event) = read.map_err(|e| read_again(name, e))?;
        let pushed = match fresh {
            Some(fresh) if fresh.contains(line) => import.push_new(&event),
            // The first pass found it stored, or on an earlier line with
            // the same content: nothing to look up.
            Some(_) => {
                import.skip_stored();
                Ok(None)
            }
            None => import.push(&event),
        };
        match pushed {
            Ok(None) => {}
            Ok(Some(seq)) => {
                if let Some(index) = index.as_deref_mut() {
                    index.add(seq, &event);
                }
            }
            // The first pass found no such conflict: the file is another now.
            Err(
                e @ (annals_log::Error::Conflict { .. } | annals_log::Error::DuplicateInAppend(_)),
            ) => return Err(anyhow!("{name}:{line}: {e}").context(changed())),
            Err(e) => return Err(e.into()),
        }
    }
    if events.checksum() != checksum {
        return Err(changed());
    }
    Ok(import.commit()?)
}

fn retract(
    log: &mut Log,
    target: &str,
    reason: &str,
    now: DateTime<Utc>,
    out: &mut impl Write,
) -> Result<()> {
    if reason.trim().is_empty() {
        bail!("--reason must say why the event is retracted");
    }
    let damaged = "the log is damaged; run `annals verify` for the full list";
    let Some(rec) =
        log.lookup(target)?.map(|seq| log.get(seq)).transpose().context(damaged)?.flatten()
    else {
        bail!("no event with id `{target}` in the log; `annals log` lists the ids");
    };
    if matches!(rec.event.kind, EventKind::Retraction { .. }) {
        bail!("`{target}` is itself a retraction; retractions cannot be retracted (record a new event instead)");
    }
    // The target is no retraction, so every retraction naming it counts; as in
    // replay, the smallest id is the one named.
    let index = place_index(log, false)?;
    let mut earlier = Vec::new();
    for seq in index.retractions_of(target) {
        earlier.extend(log.get(seq).context(damaged)?.map(|r| r.event.id));
    }
    if let Some(by) = earlier.iter().min() {
        bail!("`{target}` is already retracted by `{by}`");
    }
    let mut event = annals_model::Event {
        id: annals_model::EventId::new("pending").expect("a slug"),
        date: None,
        sources: vec![],
        claim: annals_model::Claim::Reported,
        claimed_by: None,
        note: None,
        kind: EventKind::Retraction { retracts: rec.event.id.clone(), reason: reason.to_string() },
    };
    event.id = v1::derive_id(&event);
    let outcome = log.append_from(std::slice::from_ref(&event), now, Some("retract"))?;
    let seq = outcome.seqs.map_or(0, |(first, _)| first);
    writeln!(
        out,
        "retracted `{target}` (retraction `{}`, record {seq}); it no longer counts from {}",
        event.id,
        now.to_rfc3339()
    )?;
    Ok(())
}

/// The day asked about (`--on`) and the world as the log knew it (`--known-at`).
fn dated(log: &Log, on: &str, known: &KnownAt) -> Result<(NaiveDate, ManuallyDrop<World>)> {
    let day = parse_day(on).map_err(|e| anyhow!("--on: {e}"))?;
    Ok((day, replay(log, known.known_at.as_deref())?))
}

/// Replays the log, as of `known_at` (recorded time) when given.
///
/// Records stream from the log into the world (no second copy of them),
/// read and decoded on a second thread while the world takes them in, and
/// the world is never dropped: the process ends soon after, and freeing a
/// large world one allocation at a time took a tenth of a query's time.
fn replay(log: &Log, known_at: Option<&str>) -> Result<ManuallyDrop<World>> {
    let cutoff = known_at.map(parse_known_at).transpose()?;
    let mut damage = None;
    let world = log.iter_ahead(1, |records| {
        World::replay(
            records
                .take(log.len() as usize)
                .map_while(|rec| rec.map_err(|e| damage = Some(e)).ok())
                .filter(|rec| cutoff.as_ref().is_none_or(|c| c.includes(rec))),
        )
    });
    if let Some(e) = damage {
        return Err(e).context("the log is damaged; run `annals verify` for the full list");
    }
    Ok(ManuallyDrop::new(world))
}

/// The type of each stored event asked about, read through the log's id
/// index and remembered. A storage error is kept and reported by `failure`,
/// since the catalog's callbacks cannot return one.
struct StoredKinds<'l> {
    log: &'l Log,
    known: std::cell::RefCell<std::collections::HashMap<String, Option<&'static str>>>,
    error: std::cell::RefCell<Option<annals_log::Error>>,
}

impl<'l> StoredKinds<'l> {
    fn new(log: &'l Log) -> StoredKinds<'l> {
        StoredKinds { log, known: Default::default(), error: Default::default() }
    }

    /// The interchange `type` of the stored event `id`, if any.
    fn kind_of(&self, id: &str) -> Option<&'static str> {
        if let Some(kind) = self.known.borrow().get(id) {
            return *kind;
        }
        let found = self.log.lookup(id).and_then(|seq| match seq {
            None => Ok(None),
            Some(seq) => self.log.get(seq).map(|r| r.map(|r| r.event.kind.type_name())),
        });
        let kind = found.unwrap_or_else(|e| {
            self.error.borrow_mut().get_or_insert(e);
            None
        });
        self.known.borrow_mut().insert(id.to_string(), kind);
        kind
    }

    fn failure(&self) -> Result<()> {
        match self.error.borrow_mut().take() {
            Some(e) => Err(e).context("cannot check references against the log"),
            None => Ok(()),
        }
    }
}

/// A snapshot that has fallen this many records behind the log is saved again.
const SNAPSHOT_EVERY: u64 = 10_000;

/// The place index: the newest snapshot plus the records after it, or, when
/// there is no snapshot or it does not match the log, a rebuild from the whole
/// log. Saved when rebuilt, when far behind, or when `save` says so.
fn place_index(log: &Log, save: bool) -> Result<PlaceIndex> {
    let (mut index, stale) =
        match log.load_snapshot::<PlaceIndex>(PlaceIndex::NAME, PlaceIndex::SCHEMA)? {
            Snapshot::Fresh { state, last_seq } if state.last_seq() == last_seq => (state, false),
            // Missing, stale, damaged, or a state that disagrees with its header.
            _ => (PlaceIndex::default(), true),
        };
    let snapshot_seq = index.last_seq();
    for rec in log.iter_from(snapshot_seq + 1) {
        let rec = rec.context("the log is damaged; run `annals verify` for the full list")?;
        index.add(rec.seq, &rec.event);
    }
    let behind = index.last_seq() - snapshot_seq;
    if stale || behind >= SNAPSHOT_EVERY || (save && behind > 0) {
        save_index(log, &index)?;
    }
    Ok(index)
}

/// A place with this many control records keeps copies of them together
/// in the log ([`Log::copy_records`]): a cold `control` of it then reads a
/// few values instead of a block per record (the busiest place of a 1M
/// log rests on 40 000 records in 30 000 of its 62 500 blocks).
const COPY_AT: usize = 4096;
/// Copies are appended once this many of a busy place's records are not
/// yet copied; fewer are read from the log.
const COPY_TAIL: usize = 256;

/// Saves `index` as the place snapshot, and copies of the records of its
/// busy places. A failure to copy is a warning: queries then read those
/// records from the log, as for any other place.
fn save_index(log: &Log, index: &PlaceIndex) -> Result<()> {
    log.save_snapshot(PlaceIndex::NAME, PlaceIndex::SCHEMA, index.last_seq(), index)?;
    let busy: Vec<(&str, Vec<u64>)> = index.busy_places(COPY_AT).collect();
    if let Err(e) = log.copy_groups(&busy, COPY_TAIL) {
        eprintln!(
            "annals: warning: the copies of busy places' records were not updated ({e}); queries read those records from the log"
        );
    }
    Ok(())
}

/// What `fetch` of [`PlaceIndex::control_world`] reads for `place`: the
/// records kept as copies for it ([`save_index`]) from those, the others
/// from the log. Damaged copies are a warning: they are removed (the next
/// import copies those records again), and every record is read from the log.
fn fetch_for<'l>(
    log: &'l Log,
    place: &PlaceId,
) -> impl FnMut(&[u64]) -> std::result::Result<Vec<Recorded>, annals_log::Error> + 'l {
    let copies = log.copies(place.as_str()).unwrap_or_else(|e| {
        let removed = match log.remove_copies(place.as_str()) {
            Ok(()) => "removed them (the next import copies those records again), and ",
            Err(_) => "",
        };
        eprintln!("annals: warning: {e}; {removed}reading those records from the log");
        Vec::new()
    });
    log.get_many_with(copies)
}

/// The place `query` names and a world that answers `control` for it, as the
/// log knew things at `known_at`. From the place index, replaying only the
/// records the answer rests on; names that resolve to no place or to several,
/// or a place not yet known at `known_at`, go to a full replay, which words
/// the error the same way every query does.
fn control_world(
    log: &Log,
    query: &str,
    known_at: Option<&str>,
) -> Result<(PlaceId, ManuallyDrop<World>)> {
    let index = place_index(log, false)?;
    if let Some(found) = indexed_place(log, &index, query, known_at, Gather::Control)? {
        return Ok(found);
    }
    let world = replay(log, known_at)?;
    let place = resolve_place(&world, query)?;
    Ok((place, world))
}

/// The state `query` names and a world that answers `government` for it, as
/// the log knew things at `known_at`: like [`control_world`], from the index
/// when the name resolves to one actor known then, else by a full replay.
fn government_world(
    log: &Log,
    query: &str,
    known_at: Option<&str>,
) -> Result<(ActorId, ManuallyDrop<World>)> {
    let index = place_index(log, false)?;
    if let Some(found) = indexed_state(log, &index, query, known_at)? {
        return Ok(found);
    }
    let world = replay(log, known_at)?;
    let state = resolve_state(&world, query)?;
    Ok((state, world))
}

/// The timeline `history` shows, with a world that holds it.
enum Timeline {
    Place(PlaceId, ManuallyDrop<World>),
    State(ActorId, ManuallyDrop<World>),
}

/// What `history QUERY` shows: the place `query` names, unless it names no
/// place or one without events, and a state with a government timeline
/// answers instead. From the place index when the names resolve there (see
/// [`control_world`]), else by a full replay.
fn history_world(log: &Log, query: &str, known_at: Option<&str>) -> Result<Timeline> {
    let index = place_index(log, false)?;
    match indexed_place(log, &index, query, known_at, Gather::History)? {
        Some((place, world)) if !world.history(&place).is_empty() => {
            return Ok(Timeline::Place(place, world));
        }
        // Known, without events: a state may answer.
        Some(_) => {}
        // No one place in the whole log: none then either, and a state may
        // answer. At `--known-at`, a name two places share now may have been
        // one place's then: only a full replay can say.
        None if known_at.is_none() => {}
        None => return history_replayed(log, query, known_at),
    }
    match indexed_state(log, &index, query, known_at)? {
        Some((state, world)) if !world.government_history(&state).is_empty() => {
            Ok(Timeline::State(state, world))
        }
        _ => history_replayed(log, query, known_at),
    }
}

/// [`history_world`] by a full replay, which also words every refusal.
fn history_replayed(log: &Log, query: &str, known_at: Option<&str>) -> Result<Timeline> {
    let world = replay(log, known_at)?;
    // A state with a government timeline, unless a place answers with events.
    let place_events = world.resolve_place(query).map(|p| world.history(&p).len());
    if place_events.is_err() || place_events == Ok(0) {
        if let Ok(state) = world.resolve_actor(query) {
            if !world.government_history(&state).is_empty() {
                return Ok(Timeline::State(state, world));
            }
        }
    }
    let place = resolve_place(&world, query)?;
    Ok(Timeline::Place(place, world))
}

/// The records of a timeline's entries, read from the log (the world keeps
/// what orders them, not the events), each with the retraction that withdrew it.
fn timeline<'w>(log: &Log, entries: &[HistoryEntry<'w>]) -> Result<Vec<output::Line<'w>>> {
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    let records =
        log.get_many(&seqs).context("the log is damaged; run `annals verify` for the full list")?;
    if records.len() != entries.len() {
        bail!(
            "the log holds {} of the {} records replayed; run `annals verify`",
            records.len(),
            entries.len()
        );
    }
    Ok(records.into_iter().zip(entries).map(|(r, e)| (r, e.retracted_by)).collect())
}

/// Which records of a place the index gathers.
#[derive(Clone, Copy)]
enum Gather {
    /// Those its control answers rest on.
    Control,
    /// Those and its attacks: its whole history.
    History,
}

/// The place `query` names in the place index, with the world of the
/// records `gather` names, as the log knew them at `known_at`; `None` if the
/// index names no one place, or one not yet known then.
fn indexed_place(
    log: &Log,
    index: &PlaceIndex,
    query: &str,
    known_at: Option<&str>,
    gather: Gather,
) -> Result<Option<(PlaceId, ManuallyDrop<World>)>> {
    from_index(
        index,
        known_at,
        |index| index.resolve(query),
        |index, place, keep| {
            let (fetch, lookup) = (fetch_for(log, place), |id: &str| log.lookup(id));
            match gather {
                Gather::Control => index.control_world(place, keep, fetch, lookup),
                Gather::History => index.history_world(place, keep, fetch, lookup),
            }
        },
        |world, place| world.place(place.as_str()).is_some(),
    )
}

/// The state `query` names in the place index, with the world of its
/// government records as the log knew them at `known_at`; `None` as for
/// [`indexed_place`].
fn indexed_state(
    log: &Log,
    index: &PlaceIndex,
    query: &str,
    known_at: Option<&str>,
) -> Result<Option<(ActorId, ManuallyDrop<World>)>> {
    from_index(
        index,
        known_at,
        |index| index.resolve_actor(query),
        |index, state, keep| {
            index.government_world(state, keep, |seqs| log.get_many(seqs), |id| log.lookup(id))
        },
        |world, state| world.actor(state.as_str()).is_some(),
    )
}

/// What the place `index` `find`s, with the world `gather` replays for it
/// from the records kept at `known_at`; `None` if the index finds nothing, or
/// finds something the gathered world does not `know` (not yet recorded then).
fn from_index<T>(
    index: &PlaceIndex,
    known_at: Option<&str>,
    find: impl Fn(&PlaceIndex) -> Option<T>,
    gather: impl Fn(
        &PlaceIndex,
        &T,
        &dyn Fn(&Recorded) -> bool,
    ) -> std::result::Result<World, annals_log::Error>,
    know: impl Fn(&World, &T) -> bool,
) -> Result<Option<(T, ManuallyDrop<World>)>> {
    let cutoff = known_at.map(parse_known_at).transpose()?;
    let Some(found) = find(index) else { return Ok(None) };
    let keep = |r: &Recorded| cutoff.as_ref().is_none_or(|c| c.includes(r));
    let world = gather(index, &found, &keep)
        .context("the log is damaged; run `annals verify` for the full list")?;
    Ok(know(&world, &found).then(|| (found, ManuallyDrop::new(world))))
}

fn parse_known_at(s: &str) -> Result<annals_model::KnownAt> {
    s.parse().map_err(|e| anyhow!("--known-at {e}"))
}

fn resolve_place(world: &World, query: &str) -> Result<PlaceId> {
    world.resolve_place(query).map_err(|r| match r {
        Resolve::NotFound { query, suggestions } => {
            let hint = if suggestions.is_empty() {
                String::new()
            } else {
                let names: Vec<String> =
                    suggestions.iter().map(|p| output::place_label(world, p)).collect();
                format!("; did you mean {}?", names.join(", "))
            };
            anyhow!("unknown place `{query}`: no place has this id, name or alias{hint}")
        }
        Resolve::Ambiguous { query, candidates } => {
            let names: Vec<String> =
                candidates.iter().map(|p| format!("  {}", output::place_label(world, p))).collect();
            anyhow!(
                "`{query}` names {} places; ask again with one of these ids:\n{}",
                candidates.len(),
                names.join("\n")
            )
        }
    })
}

/// An actor, or else a place, by id, name or alias.
fn resolve_node(world: &World, query: &str) -> Result<Node> {
    if let Ok(actor) = world.resolve_actor(query) {
        return Ok(Node::Actor(actor));
    }
    match world.resolve_place(query) {
        Ok(place) => Ok(Node::Place(place)),
        Err(Resolve::NotFound { .. }) => {
            resolve_state(world, query).map(Node::Actor).map_err(|e| {
                anyhow!("{}", e.to_string().replacen("unknown state", "unknown actor or place", 1))
            })
        }
        Err(_) => resolve_place(world, query).map(Node::Place),
    }
}

fn resolve_state(world: &World, query: &str) -> Result<ActorId> {
    world.resolve_actor(query).map_err(|r| match r {
        Resolve::NotFound { query, suggestions } => {
            let ids: Vec<&str> = suggestions.iter().map(|a| a.as_str()).collect();
            let hint = if ids.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", ids.join(", "))
            };
            anyhow!("unknown state `{query}`: no actor has this id, name or alias{hint}")
        }
        Resolve::Ambiguous { query, candidates } => {
            let ids: Vec<&str> = candidates.iter().map(|a| a.as_str()).collect();
            anyhow!(
                "`{query}` names {} actors; ask again with one of these ids: {}",
                ids.len(),
                ids.join(", ")
            )
        }
    })
}

fn verify(log: &Log, out: &mut impl Write) -> Result<ExitCode> {
    let integrity = log.verify()?;
    let mut problems = integrity.problems;
    // One pass: the records stream into the world, the index of them all,
    // and the saved snapshot's tail, never all held at once.
    let mut snapshot = log.load_snapshot::<PlaceIndex>(PlaceIndex::NAME, PlaceIndex::SCHEMA)?;
    let mut full = PlaceIndex::default();
    let world = World::replay(log.iter().filter_map(Result::ok).inspect(|rec| {
        full.add(rec.seq, &rec.event);
        if let Snapshot::Fresh { state, last_seq } = &mut snapshot {
            if rec.seq > *last_seq {
                state.add(rec.seq, &rec.event);
            }
        }
    }));
    let snapshot = check_snapshot(snapshot, &full, &mut problems);
    problems.extend(world.anomalies().iter().map(|a| a.to_string()));
    if problems.is_empty() {
        writeln!(out, "ok: {} records, sequence 1..{} without gaps, every reference resolves, replay succeeds", integrity.records, integrity.records)?;
        writeln!(out, "{snapshot}")?;
        if integrity.copies > 0 {
            writeln!(
                out,
                "copies: {} records of busy places kept together, each the same as its record",
                integrity.copies
            )?;
        }
        if integrity.copies_left > 0 {
            writeln!(
                out,
                "copies: {} pieces left by a copy that did not finish (no query reads them; the next import replaces them)",
                integrity.copies_left
            )?;
        }
        Ok(ExitCode::SUCCESS)
    } else {
        for p in &problems {
            eprintln!("annals verify: {p}");
        }
        eprintln!("annals verify: {} problem(s) in {} records", problems.len(), integrity.records);
        Ok(ExitCode::FAILURE)
    }
}

/// Checks the place snapshot against a full replay: a fresh snapshot plus the
/// records after it (added while replaying) must equal `full`, the index of
/// every record. A stale or missing snapshot is no problem (the next query
/// rebuilds it); a damaged one is.
fn check_snapshot(
    snapshot: Snapshot<PlaceIndex>,
    full: &PlaceIndex,
    problems: &mut Vec<String>,
) -> String {
    let name = PlaceIndex::NAME;
    match snapshot {
        Snapshot::Missing => format!("snapshot `{name}`: none yet; the next query builds it"),
        Snapshot::Stale(why) => format!("{why}; the next query rebuilds it"),
        Snapshot::Damaged(why) => {
            problems.push(format!("{why}; the next query rebuilds it"));
            format!("{why}; the next query rebuilds it")
        }
        Snapshot::Fresh { state, last_seq } => {
            if state == *full {
                format!("snapshot `{name}`: records 1..{last_seq}, with the records after it, matches a full replay")
            } else {
                let problem = format!("snapshot `{name}` (records 1..{last_seq}) does not match a full replay of the log");
                problems.push(problem.clone());
                problem
            }
        }
    }
}
