//! The command line's arguments: every command, option and value, with the
//! help text `--help`, the completions and the man page are made from.

use std::path::PathBuf;

use annals_replay::RelationKind;
use clap::{Parser, Subcommand, ValueEnum};

/// annals: an event-sourced knowledge graph of armed conflicts.
///
/// Without --db (or ANNALS_DB) queries answer from the built-in Mali chronicle.
#[derive(Parser, Debug)]
#[command(name = "annals", version)]
pub struct Cli {
    /// The event log (a sled database directory).
    #[arg(long, global = true, env = "ANNALS_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print JSON for scripts instead of text for people.
    #[arg(long, global = true)]
    pub json: bool,
    /// How long to wait for another annals process that holds the log.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10)]
    pub wait: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
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
        /// The place: its id, name or an alias (`annals find` lists them).
        place: String,
        /// The valid date asked about: a day (YYYY-MM-DD), or a month
        /// (YYYY-MM) or a year (YYYY) for what held throughout and what
        /// changed within.
        #[arg(long, value_name = "DATE")]
        on: String,
        #[command(flatten)]
        known: KnownAt,
    },
    /// Who governed a state on a date, from `government` events and coups.
    Government {
        /// The state: its id, name or an alias, e.g. `mali`.
        state: String,
        /// The valid date asked about: a day (YYYY-MM-DD), or a month
        /// (YYYY-MM) or a year (YYYY) for what held throughout and what
        /// changed within.
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
        /// The actor: its id, name or an alias, e.g. `cma`.
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
        /// Where the chain starts: an actor or a place.
        from: String,
        /// Where the chain ends: an actor or a place.
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
        /// The place (or the state): its id, name or an alias.
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
    /// Say that several ids name one actor or one place (appends a
    /// `same_as` event), or, with --suggest, print the links a review of the
    /// log proposes, as lines of format v1 to check and import.
    Link {
        /// The ids to join: two or more, all of actors or all of places.
        ids: Vec<String>,
        /// The id of a source that says they are one (repeatable).
        #[arg(long)]
        source: Vec<String>,
        /// Why they are one (kept in the log).
        #[arg(long)]
        note: Option<String>,
        /// Print suggested links instead of appending one.
        #[arg(long, conflicts_with_all = ["ids", "source", "note"])]
        suggest: bool,
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
    /// Print a completion script for SHELL on standard output, e.g.
    /// `annals completions bash > ~/.local/share/bash-completion/completions/annals`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page annals(1) (roff) on standard output, or
    /// annals-COMMAND(1); read it with `annals man | man -l -`.
    Man {
        /// The command whose page to print, e.g. `control` (default: annals(1)).
        command: Option<String>,
        /// Write every page (annals.1, annals-control.1, ...) into this folder
        /// instead, e.g. ~/.local/share/man/man1.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<PathBuf>,
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
pub struct KnownAt {
    /// Answer as the log knew things then: a date (2024-01-01: the end of
    /// that day, UTC; a month or a year: the end of its last day), an RFC 3339
    /// time (2024-01-01T12:00:00Z), or `seq:N` (up to record N).
    #[arg(long, value_name = "WHEN")]
    pub known_at: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
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
pub enum HistoryFormat {
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Json,
    Graphml,
    Gexf,
    Geojson,
}

/// An import format as the command line spells it (`powell-thyne`, ...).
pub fn import_format(s: &str) -> Result<annals_app::Format, String> {
    annals_app::Format::from_name(s).ok_or_else(|| {
        let all: Vec<&str> = annals_app::Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format `{s}`; the formats are {}", all.join(", "))
    })
}

/// A relation kind as the command line spells it (`member_of`, `controls`, ...).
pub fn relation_kind(s: &str) -> Result<RelationKind, String> {
    RelationKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = RelationKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown relation kind `{s}`; the kinds are {}", all.join(", "))
    })
}

pub fn kinds(list: &[RelationKind], default: &[RelationKind]) -> Vec<RelationKind> {
    if list.is_empty() {
        default.to_vec()
    } else {
        list.to_vec()
    }
}
