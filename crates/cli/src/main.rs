//! The `annals` command line: argument parsing, wiring, printing, exit codes.

mod exports;
mod output;
mod terminal;

use terminal::Terminal;

use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use annals_app::{answer, parse_day_arg, parse_known_at, Annals, Asked, GraphQuery, Timeline};
use annals_model::v1;
use annals_replay::{Node, RelationKind, World};
use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};

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
    /// How long to wait for another annals process that holds the log.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10)]
    wait: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a new, empty log at --db.
    Init,
    /// Append the events of a file, all or nothing; events already stored are skipped.
    Import {
        /// The files to import, each all or nothing, in this order.
        #[arg(required = true, num_args = 1..)]
        files: Vec<PathBuf>,
        /// The files' format (default: told from each file's first line):
        /// jsonl, acled, powell-thyne, cline, ucdp-acd, ucdp-brd,
        /// ucdp-nonstate, ucdp-onesided, atop-member, atop-alliance,
        /// cow-intrastate, prif-hmi, gdelt (docs/DATASETS.md).
        #[arg(long, value_parser = import_format, value_name = "FORMAT")]
        format: Option<annals_app::Format>,
    },
    /// Write every stored event (interchange format v1, or CSV), or the
    /// sources as citations (CSL-JSON, BibTeX); docs/EXPORTS.md.
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
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
    /// as Graphviz DOT, JSON, GraphML or GEXF; or who holds each place, as GeoJSON.
    Graph {
        /// The valid date asked about (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", required_unless_present = "dynamic")]
        on: Option<String>,
        /// `dot` (the default, or `json` with --json), `json`, `graphml`, `gexf`,
        /// or `geojson` (every place with coordinates and its controller).
        #[arg(long, value_enum)]
        format: Option<GraphFormat>,
        /// Every relation with the stretches of time it holds (GEXF or JSON), for
        /// Gephi's timeline; with geojson, every stretch of control of a place.
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
    /// Places and actors whose id, name or alias contains TEXT (case and
    /// accents aside), with their ids, kinds and the places they lie within.
    Find {
        /// The text to look for, e.g. `menaka` or `azawad`.
        text: String,
        /// At most this many of each.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// The control timeline of a place (or the government timeline of a state), with sources.
    History {
        place: String,
        /// `text` (the default, or `json` with --json), `json`, or `csv` (the
        /// columns of `export --format csv`).
        #[arg(long, value_enum)]
        format: Option<HistoryFormat>,
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
    /// Serve the HTTP API on --addr, answering from the log replayed once
    /// and kept in memory (docs/API.md). Writes (import, retract) need the
    /// token printed at start, or the one in --token-file.
    Serve {
        /// Where to listen. Loopback by default: the API has no other access control.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
        addr: std::net::SocketAddr,
        /// Read the token that writes need from this file instead of making a new one.
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
    },
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// Interchange format v1, JSON Lines: every stored event, re-importable.
    Jsonl,
    /// One row per stored event (RFC 4180), retracted ones marked.
    Csv,
    /// The sources as CSL-JSON items (Zotero, citeproc).
    CslJson,
    /// The sources as BibTeX entries.
    Bibtex,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum HistoryFormat {
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    Dot,
    Json,
    Graphml,
    Gexf,
    Geojson,
}

/// An import format as the command line spells it (`powell-thyne`, ...).
fn import_format(s: &str) -> Result<annals_app::Format, String> {
    annals_app::Format::from_name(s).ok_or_else(|| {
        let all: Vec<&str> = annals_app::Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format `{s}`; the formats are {}", all.join(", "))
    })
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
    let json = cli.json;
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
            // The first classified cause decides the exit code (docs/CLI.md).
            let kind =
                err.chain().find_map(|c| c.downcast_ref::<annals_app::Error>()).map(|e| e.kind());
            let mut stderr = annals_app::Visible(std::io::stderr().lock());
            let _ = if json {
                let kind = kind.map_or("error", |k| k.as_str());
                let error = serde_json::json!({ "error": format!("{err:#}"), "kind": kind });
                writeln!(stderr, "{error}")
            } else {
                writeln!(stderr, "annals: {err:#}")
            };
            ExitCode::from(kind.map_or(1, |k| k.exit_code()))
        }
    }
}

/// `annals find`: the places and actors whose names contain `text`.
fn find(annals: &Annals, text: &str, limit: usize, json: bool, out: &mut impl Write) -> Result<()> {
    let world = ManuallyDrop::new(annals.replay(None)?);
    let places = answer::places_json(&world, text, limit);
    let actors = answer::actors_json(&world, text, limit);
    if json {
        let found = serde_json::json!({
            "query": text, "places": places["places"], "actors": actors["actors"],
            "more": places["more"] == true || actors["more"] == true,
        });
        return print_json(out, &found);
    }
    Ok(output::found_text(out, &world, &places, &actors)?)
}

/// `text` to the file `output` (whole or not at all), or to `out`.
fn write_out(
    annals: &Annals,
    output: Option<&Path>,
    text: &str,
    out: &mut impl Write,
) -> Result<()> {
    match output {
        Some(path) => {
            annals.write_file(path, |sink| -> Result<()> { Ok(sink.write_all(text.as_bytes())?) })
        }
        None => Ok(out.write_all(text.as_bytes())?),
    }
}

/// What an export that leaves nothing out wrote, for the formats that do
/// not count.
fn nothing() -> annals_app::Exported {
    annals_app::Exported { written: 0, damaged: 0 }
}

/// A command that cannot run as asked: exit code 2, like a malformed command line.
fn usage(message: impl Into<String>) -> anyhow::Error {
    annals_app::Error::Usage(message.into()).into()
}

fn run(cli: Cli) -> Result<ExitCode> {
    let now = Utc::now();
    let json = cli.json;
    match cli.command {
        Command::Init => {
            let path =
                cli.db.ok_or_else(|| usage("`init` needs --db PATH (where to create the log)"))?;
            Annals::init(&path)?;
            match json {
                true => {
                    println!("{}", serde_json::json!({ "created": path.display().to_string() }))
                }
                false => println!("created an empty log at {}", path.display()),
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::Synth { events, seed, output } => {
            let file = std::fs::File::create(&output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            let summary =
                annals_synth::write_jsonl(&mut std::io::BufWriter::new(file), events, seed)
                    .with_context(|| format!("cannot write {}", output.display()))?;
            println!("wrote {} (seed {seed}): {summary}", output.display());
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let wait = std::time::Duration::from_secs(cli.wait);
    let mut annals = Annals::open_waiting(cli.db.as_ref(), now, Box::new(Terminal::new()), wait)?;
    // Whatever is printed, the data's control characters are shown, not obeyed.
    let mut out = annals_app::Visible(std::io::stdout().lock());
    match cli.command {
        Command::Init | Command::Synth { .. } => unreachable!("handled above"),
        Command::Import { files, format } => {
            for file in &files {
                import(&mut annals, file, format, json, &mut out)?;
            }
        }
        Command::Export { format, output, skip_damaged } => {
            if skip_damaged && format != ExportFormat::Jsonl {
                return Err(usage("--skip-damaged salvages a damaged log as --format jsonl only"));
            }
            let write = |sink: &mut dyn Write| -> Result<annals_app::Exported> {
                match format {
                    ExportFormat::Jsonl => Ok(annals.export_jsonl(sink, skip_damaged)?),
                    ExportFormat::Csv => exports::events_csv(&annals, sink).map(|()| nothing()),
                    ExportFormat::CslJson | ExportFormat::Bibtex => {
                        exports::citations(&annals, format == ExportFormat::Bibtex, sink)
                            .map(|()| nothing())
                    }
                }
            };
            let exported = match &output {
                Some(path) => annals.write_file(path, write)?,
                // A file format: the data's bytes exactly, control characters included.
                None => write(&mut std::io::BufWriter::new(out.0))?,
            };
            exported.complete()?;
        }
        Command::History { place, known, format } => {
            let format =
                format.unwrap_or(if json { HistoryFormat::Json } else { HistoryFormat::Text });
            match format {
                // CSV is a file format: its bytes exactly, CRLF and all.
                HistoryFormat::Csv => history(&annals, &place, &known, format, &mut out.0)?,
                _ => history(&annals, &place, &known, format, &mut out)?,
            }
        }
        Command::Find { text, limit } => find(&annals, &text, limit, json, &mut out)?,
        Command::Retract { event, reason } => {
            let done = annals.retract(&event, &reason, now)?;
            if json {
                print_json(&mut out, &answer::retracted_json(&done))?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(
                out,
                "retracted `{event}` (retraction `{}`, record {}); it no longer counts from {}",
                done.retraction,
                done.seq,
                done.at.to_rfc3339()
            )?;
        }
        Command::Log => log(&annals, json, &mut out)?,
        Command::Verify => return verify(&annals, json, &mut out),
        Command::Serve { addr, token_file } => serve(annals, addr, token_file.as_deref())?,
        query => ask(&annals, query, json, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The questions about the world on a date: printed as text, or as JSON.
fn ask(
    annals: &Annals,
    command: Command,
    json: bool,
    out: &mut annals_app::Visible<impl Write>,
) -> Result<()> {
    let mut out = out;
    match command {
        Command::Control { place, on, known } => {
            let day = parse_day_arg("--on", &on)?;
            let known_at = known.parse()?;
            let (place, world) = annals.control_world(&place, known_at.as_ref())?;
            let world = ManuallyDrop::new(world);
            let answer = world.control(&place, day);
            let within = annals.within(&place, &answer, known_at.as_ref())?;
            if json {
                let value = answer::control_with_within(&world, &place, &answer, within);
                print_json(&mut out, &value)?;
            } else {
                output::control_text(&mut out, &world, &place, &answer)?;
                output::within_text(&mut out, &world, &place, &within)?;
            }
        }
        Command::Government { state, on, known } => {
            let day = parse_day_arg("--on", &on)?;
            let (state, world) = annals.government_world(&state, known.parse()?.as_ref())?;
            let world = ManuallyDrop::new(world);
            let answer = world.government(&state, day);
            if json {
                print_json(&mut out, &answer::government_json(&world, &state, &answer))?;
            } else {
                output::government_text(&mut out, &world, &state, &answer)?;
            }
        }
        Command::Graph { on, format, dynamic, output, around, depth, kind, known } => {
            let format = format.unwrap_or(if json { GraphFormat::Json } else { GraphFormat::Dot });
            let query = GraphQuery { kinds: &kind, around: around.as_deref(), depth };
            let text = graph(annals, on.as_deref(), dynamic, format, &query, &known)?;
            write_out(annals, output.as_deref(), &text, &mut out.0)?;
        }
        Command::Actor { actor, on, known } => {
            let (day, world) = dated(annals, &on, &known)?;
            let actor = Node::Actor(annals_app::resolve_actor(&world, &actor, Asked::Actor)?);
            let graph = world.graph_on(day);
            if json {
                print_json(&mut out, &answer::actor_relations_json(&world, &graph, &actor))?;
            } else {
                output::actor_text(&mut out, &world, &graph, &actor)?;
            }
        }
        Command::Diff { from, to, known } => {
            let from_day = parse_day_arg("--from", &from)?;
            let to_day = parse_day_arg("--to", &to)?;
            if to_day < from_day {
                return Err(usage(format!("--to {to_day} is before --from {from_day}")));
            }
            let world = ManuallyDrop::new(annals.replay(known.parse()?.as_ref())?);
            let changes = world.diff(from_day, to_day);
            if json {
                print_json(&mut out, &answer::diff_json(&world, from_day, to_day, &changes))?;
            } else {
                output::diff_text(&mut out, &world, from_day, to_day, &changes)?;
            }
        }
        Command::Blocs { on, kind, known } => {
            let (day, world) = dated(annals, &on, &known)?;
            let kinds = kinds(&kind, &[RelationKind::AlliedWith, RelationKind::MemberOf]);
            let graph = world.graph_on(day);
            let blocs = graph.blocs(&kinds);
            if json {
                print_json(&mut out, &answer::blocs_json(&world, day, &kinds, &blocs))?;
            } else {
                output::blocs_text(&mut out, &world, day, &kinds, &blocs)?;
            }
        }
        Command::Path { from, to, on, kind, known } => {
            let (day, world) = dated(annals, &on, &known)?;
            let a = annals_app::resolve_node(&world, &from)?;
            let b = annals_app::resolve_node(&world, &to)?;
            let mut graph = world.graph_on(day);
            if !kind.is_empty() {
                graph.retain_kinds(&kinds(&kind, &[]));
            }
            let path = graph.path(&a, &b);
            if json {
                print_json(&mut out, &answer::path_json(&world, day, &a, &b, path.as_deref()))?;
            } else {
                output::path_text(&mut out, &world, day, &a, &b, path.as_deref())?;
            }
        }
        _ => unreachable!("`run` answers the other commands"),
    }
    Ok(())
}

impl KnownAt {
    fn parse(&self) -> Result<Option<annals_model::KnownAt>> {
        Ok(self.known_at.as_deref().map(|t| parse_known_at("--known-at", t)).transpose()?)
    }
}

/// `annals serve`: prints where it listens, and the token writes need.
fn serve(annals: Annals, addr: std::net::SocketAddr, token_file: Option<&Path>) -> Result<()> {
    let builtin = annals.is_builtin();
    let token = match token_file {
        _ if builtin => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the token from {}", path.display()))?;
            Some(text.trim().to_string()).filter(|t| !t.is_empty())
        }
        None => Some(annals_server::new_token().context("cannot make a token")?),
    };
    let mut options = annals_server::Options::new(addr);
    options.token = token.clone();
    annals_server::serve(annals, options, |bound| {
        // Told once; a closed standard output must not stop the server.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "annals: serving the page at http://{bound}/ and the API at http://{bound}/api/ (docs/API.md)"
        );
        let _ = match (&token, token_file) {
            _ if builtin => writeln!(out, "the built-in chronicle is read-only"),
            (Some(token), None) => writeln!(out, "writes need: Authorization: Bearer {token}"),
            (Some(_), Some(path)) => writeln!(out, "writes need the token in {}", path.display()),
            (None, _) => writeln!(out, "read-only: the token file is empty"),
        };
        let _ = out.flush();
    })?;
    Ok(())
}

/// The day asked about (`--on`) and the world as the log knew it (`--known-at`).
fn dated(annals: &Annals, on: &str, known: &KnownAt) -> Result<(NaiveDate, ManuallyDrop<World>)> {
    let day = parse_day_arg("--on", on)?;
    Ok((day, ManuallyDrop::new(annals.replay(known.parse()?.as_ref())?)))
}

/// The text of `graph`: one date's relations, or every relation over time.
fn graph(
    annals: &Annals,
    on: Option<&str>,
    dynamic: bool,
    format: GraphFormat,
    query: &GraphQuery<'_>,
    known: &KnownAt,
) -> Result<String> {
    if dynamic {
        let world = ManuallyDrop::new(annals.replay(known.parse()?.as_ref())?);
        return Ok(match format {
            GraphFormat::Gexf => annals_export::timeline_gexf(&world),
            GraphFormat::Json => pretty(&annals_export::timeline_json(&world))?,
            GraphFormat::Geojson => pretty(&annals_export::timeline_geojson(&world))?,
            GraphFormat::Dot | GraphFormat::Graphml => {
                return Err(usage(
                    "--dynamic needs --format gexf, json or geojson: DOT and GraphML hold one date",
                ))
            }
        });
    }
    let on = on.expect("clap requires --on without --dynamic");
    let (day, world) = dated(annals, on, known)?;
    if format == GraphFormat::Geojson {
        if query.around.is_some() || !query.kinds.is_empty() {
            return Err(usage(
                "--format geojson maps every place with coordinates: --around and --kind do not apply",
            ));
        }
        return pretty(&answer::map_json(&world, day));
    }
    let (graph, title) = annals_app::dated_graph(&world, day, query)?;
    Ok(match format {
        GraphFormat::Dot => {
            if let Some(hint) = annals_export::large_graph_hint(&graph) {
                eprintln!("annals: {hint}");
            }
            annals_export::graph_dot(&world, &graph, &title)
        }
        GraphFormat::Json => pretty(&annals_export::graph_json(&world, &graph))?,
        GraphFormat::Graphml => annals_export::graph_graphml(&world, &graph),
        GraphFormat::Gexf => annals_export::graph_gexf(&world, &graph),
        GraphFormat::Geojson => unreachable!("answered above"),
    })
}

fn history(
    annals: &Annals,
    query: &str,
    known: &KnownAt,
    format: HistoryFormat,
    out: &mut impl Write,
) -> Result<()> {
    match annals.history_world(query, known.parse()?.as_ref())? {
        Timeline::State(state, world) => {
            let world = ManuallyDrop::new(world);
            let lines = annals.timeline(&world.government_history(&state))?;
            match format {
                HistoryFormat::Json => {
                    print_json(out, &answer::government_history_json(&world, &state, &lines))
                }
                HistoryFormat::Text => {
                    Ok(output::government_history_text(out, &world, &state, &lines)?)
                }
                HistoryFormat::Csv => exports::csv_rows(out, &lines),
            }
        }
        Timeline::Place(place, world) => {
            let world = ManuallyDrop::new(world);
            let lines = annals.timeline(&world.history(&place))?;
            match format {
                HistoryFormat::Json => {
                    print_json(out, &answer::history_json(&world, &place, &lines))
                }
                HistoryFormat::Text => Ok(output::history_text(out, &world, &place, &lines)?),
                HistoryFormat::Csv => exports::csv_rows(out, &lines),
            }
        }
    }
}

fn import(
    annals: &mut Annals,
    file: &Path,
    format: Option<annals_app::Format>,
    json: bool,
    out: &mut impl Write,
) -> Result<()> {
    let name = file.display().to_string();
    annals.import_named(file, &name, format, Utc::now(), &mut |done| match json {
        true => print_json(out, &answer::imported_json(done)).map_err(std::io::Error::other),
        false => output::report_import(out, done),
    })?;
    Ok(())
}

fn log(annals: &Annals, json: bool, out: &mut impl Write) -> Result<()> {
    let world = ManuallyDrop::new(annals.replay(None)?);
    for line in annals.records(&world) {
        let (rec, retracted_by) = line?;
        if json {
            let line = serde_json::json!({
                "seq": rec.seq,
                "recorded_at": rec.recorded_at.to_rfc3339(),
                "origin": rec.origin.as_deref(),
                "retracted_by": retracted_by.map(|r| r.as_str()),
                "replaced_by": retracted_by.and_then(|r| world.replaced_by(r.as_str())).map(|n| n.as_str()),
                "event": serde_json::from_str::<serde_json::Value>(&v1::to_line(&rec.event))?,
            });
            writeln!(out, "{line}")?;
        } else {
            let mark = match retracted_by.map(|r| (r, world.replaced_by(r.as_str()))) {
                Some((r, Some(new))) => format!("  [REVISED by {r}: new version {new}]"),
                Some((r, None)) => format!("  [RETRACTED by {r}]"),
                None => String::new(),
            };
            let time = rec.recorded_at.format("%Y-%m-%dT%H:%M:%SZ");
            let origin = rec.origin.as_deref().map(|o| format!("  ({o})")).unwrap_or_default();
            writeln!(out, "{:>6}  {time}  {}{mark}{origin}", rec.seq, v1::to_line(&rec.event))?;
        }
    }
    Ok(())
}

fn verify(annals: &Annals, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let found = annals.verify()?;
    let integrity = &found.integrity;
    let damaged = ExitCode::from(annals_app::ErrorKind::Damaged.exit_code());
    if json {
        print_json(out, &answer::verified_json(&found))?;
        return Ok(if found.problems.is_empty() { ExitCode::SUCCESS } else { damaged });
    }
    if !found.problems.is_empty() {
        for p in &found.problems {
            eprintln!("annals verify: {p}");
        }
        eprintln!(
            "annals verify: {} problem(s) in {} records",
            found.problems.len(),
            integrity.records
        );
        return Ok(damaged);
    }
    writeln!(
        out,
        "ok: {} records, sequence 1..{} without gaps, every reference resolves, replay succeeds",
        integrity.records, integrity.records
    )?;
    writeln!(out, "{}", found.snapshot)?;
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
