//! The `annals` command line: argument parsing, wiring, printing, exit codes.

mod args;
mod exports;
mod holding;
mod manual;
mod output;
mod records;
mod terminal;

use terminal::Terminal;

use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::Path;
use std::process::ExitCode;

use annals_app::{answer, parse_known_at, Annals, Asked, GraphQuery, Timeline};
use annals_replay::{Node, RelationKind, World};
use anyhow::{Context, Result};
use args::{kinds, Cli, Command, ExportFormat, GraphFormat, HistoryFormat, KnownAt};
use chrono::{NaiveDate, Utc};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return malformed(&err),
    };
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
            let app = err.chain().find_map(|c| c.downcast_ref::<annals_app::Error>());
            let kind = app.map(|e| e.kind());
            let mut stderr = annals_app::Visible(std::io::stderr().lock());
            let _ = if json {
                let kind = kind.map_or("error", |k| k.as_str());
                let mut error = serde_json::json!({ "error": format!("{err:#}"), "kind": kind });
                // A refused import also lists its lines, each with the kind
                // of its problem.
                if let Some(lines) = app.and_then(annals_app::Error::refused_lines) {
                    error["problems"] = annals_app::refused_lines_json(lines);
                }
                writeln!(stderr, "{error}")
            } else {
                writeln!(stderr, "annals: {err:#}")
            };
            ExitCode::from(kind.map_or(1, |k| k.exit_code()))
        }
    }
}

/// A command line that does not parse: clap's message, or with `--json`
/// anywhere on it, the JSON error of kind `usage` on standard error; exit
/// code 2 either way. `--help` and `--version` print as clap prints them.
fn malformed(err: &clap::Error) -> ExitCode {
    let json = std::env::args_os().skip(1).take_while(|a| a != "--").any(|a| a == "--json");
    if !err.use_stderr() || !json {
        err.exit();
    }
    let message = err.render().to_string();
    // clap's message is "error: what\n\nUsage: ...\n\nFor more information, ...".
    let first = message.lines().next().unwrap_or_default();
    let what = first.strip_prefix("error: ").unwrap_or(first);
    let error = serde_json::json!({ "error": what, "kind": "usage" });
    let mut stderr = annals_app::Visible(std::io::stderr().lock());
    let _ = writeln!(stderr, "{error}");
    ExitCode::from(annals_app::ErrorKind::Usage.exit_code())
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

/// A day argument of a question answered for one day; a month or a year
/// is refused, naming the commands that take one.
fn day_arg(name: &str, text: &str) -> Result<NaiveDate> {
    match annals_app::parse_on(name, text)? {
        annals_app::On::Day(day) => Ok(day),
        annals_app::On::Period(_) => {
            let refused = annals_app::parse_day_arg(name, text).expect_err("a period");
            Err(annals_app::Error::Argument(format!(
                "{refused} (`control` and `government` answer over a month or a year)"
            ))
            .into())
        }
    }
}

/// A name that names nothing, or several things: exit code 3.
fn not_found(unresolved: annals_app::Unresolved) -> anyhow::Error {
    annals_app::Error::from(unresolved).into()
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
        Command::Completions { .. } | Command::Man { .. } => {
            manual::run(cli.command, &mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Synth { events, seed, output } => {
            synth(events, seed, &output, json)?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let wait = std::time::Duration::from_secs(cli.wait);
    let terminal = Box::new(Terminal::new(json));
    let mut annals = Annals::open_waiting(cli.db.as_ref(), now, terminal, wait)?;
    // Whatever is printed, the data's control characters are shown, not obeyed.
    let mut out = annals_app::Visible(std::io::stdout().lock());
    match cli.command {
        Command::Init
        | Command::Synth { .. }
        | Command::Completions { .. }
        | Command::Man { .. } => {
            unreachable!("handled above")
        }
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
            records::retract(&mut annals, &event, &reason, json, now, &mut out)?
        }
        Command::Log => records::log(&annals, json, &mut out)?,
        Command::Verify => return records::verify(&annals, json, &mut out),
        Command::Link { ids, source, note, suggest } => {
            let link = records::LinkArgs { ids, sources: source, note, suggest };
            records::link(&mut annals, link, json, now, &mut out)?
        }
        Command::Serve { addr, token_file } => serve(annals, addr, token_file.as_deref(), json)?,
        query => ask(&annals, query, json, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `annals synth`: writes a synthetic log of `events` lines to `output`,
/// and says so (with `json`, as `{file, seed, events, bytes}`).
fn synth(events: u64, seed: u64, output: &Path, json: bool) -> Result<()> {
    let file = std::fs::File::create(output)
        .with_context(|| format!("cannot create {}", output.display()))?;
    let summary = annals_synth::write_jsonl(&mut std::io::BufWriter::new(file), events, seed)
        .with_context(|| format!("cannot write {}", output.display()))?;
    match json {
        true => println!(
            "{}",
            serde_json::json!({
                "file": output.display().to_string(), "seed": seed,
                "events": summary.events, "bytes": summary.bytes,
            })
        ),
        false => println!("wrote {} (seed {seed}): {summary}", output.display()),
    }
    Ok(())
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
            holding::control(annals, &place, &on, &known, json, &mut out)?
        }
        Command::Government { state, on, known } => {
            holding::government(annals, &state, &on, &known, json, &mut out)?
        }
        Command::Graph { on, format, dynamic, output, around, depth, kind, known } => {
            let format = format.unwrap_or(if json { GraphFormat::Json } else { GraphFormat::Dot });
            let query = GraphQuery { kinds: &kind, around: around.as_deref(), depth };
            let text = graph(annals, on.as_deref(), dynamic, format, &query, &known)?;
            write_out(annals, output.as_deref(), &text, &mut out.0)?;
        }
        Command::Actor { actor, on, known } => {
            let (day, world) = dated(annals, &on, &known)?;
            let actor = Node::Actor(
                annals_app::resolve_actor(&world, &actor, Asked::Actor).map_err(not_found)?,
            );
            let graph = world.graph_of_node(day, &actor);
            if json {
                print_json(&mut out, &answer::actor_relations_json(&world, &graph, &actor))?;
            } else {
                output::actor_text(&mut out, &world, &graph, &actor)?;
            }
        }
        Command::Diff { from, to, known } => {
            let from_day = day_arg("--from", &from)?;
            let to_day = day_arg("--to", &to)?;
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
            // Blocs are tied by edges of their kinds alone.
            let graph = world.graph_of_kinds(day, &kinds);
            let blocs = graph.blocs(&kinds);
            if json {
                print_json(&mut out, &answer::blocs_json(&world, day, &kinds, &blocs))?;
            } else {
                output::blocs_text(&mut out, &world, day, &kinds, &blocs)?;
            }
        }
        Command::Path { from, to, on, kind, known } => {
            let (day, world) = dated(annals, &on, &known)?;
            let a = annals_app::resolve_node(&world, &from).map_err(not_found)?;
            let b = annals_app::resolve_node(&world, &to).map_err(not_found)?;
            let graph = world.graph_of_kinds(day, &kinds(&kind, &[]));
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

/// `annals serve`: prints where it listens, and the token writes need
/// (with `json`, as one JSON line: `{page, api, writes, token}`).
fn serve(
    annals: Annals,
    addr: std::net::SocketAddr,
    token_file: Option<&Path>,
    json: bool,
) -> Result<()> {
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
        if json {
            let writes = match (&token, token_file) {
                _ if builtin => "read_only",
                (Some(_), None) => "token",
                (Some(_), Some(_)) => "token_file",
                (None, _) => "read_only",
            };
            let token = token.as_deref().filter(|_| token_file.is_none() && !builtin);
            let line = serde_json::json!({
                "page": format!("http://{bound}/"), "api": format!("http://{bound}/api/"),
                "writes": writes, "token": token,
            });
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
            return;
        }
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
    let day = day_arg("--on", on)?;
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
