//! The mappings of the datasets read by the table engine, one module each,
//! and what they share: finding a state in the catalogue from a dataset's
//! code (or, when the code is none, its name), and labelled actors for
//! parties a dataset does not name.

use annals_model::states::{self, State};
use annals_model::v1::excerpt;
use annals_model::{ActorId, ActorKind, Claim, Date, Event, EventId, EventKind, RefKind, SourceId};

use crate::emit::noted_entity;
use crate::format::Format;
use crate::problem::quoted;
use crate::sources::DatasetSource;
use crate::table::{Dataset, Out};
use crate::Problem;

mod atop;
mod coups;
mod cow;
mod gdelt;
mod prif;
mod ucdp;

/// The mapping of a table format; `None` for JSON Lines and ACLED, which
/// have readers of their own.
pub(crate) fn mapping(format: Format) -> Option<Box<dyn Dataset>> {
    Some(match format {
        Format::Jsonl | Format::Acled => return None,
        Format::PowellThyne => Box::<coups::PowellThyne>::default(),
        Format::Cline => Box::<coups::Cline>::default(),
        Format::UcdpAcd => Box::<ucdp::Acd>::default(),
        Format::UcdpBrd => Box::<ucdp::Brd>::default(),
        Format::UcdpNonState => Box::<ucdp::NonState>::default(),
        Format::UcdpOneSided => Box::<ucdp::OneSided>::default(),
        Format::CowIntra => Box::<cow::CowIntra>::default(),
        Format::Prif => Box::<prif::Prif>::default(),
        Format::AtopMember => Box::<atop::AtopMember>::default(),
        Format::AtopAlliance => Box::<atop::AtopAlliance>::default(),
        Format::Gdelt => Box::<gdelt::Gdelt>::default(),
    })
}

/// The ids a table importer owns: those equal to a prefix, or that start
/// with it and then `:` (`gdelt`, `gdelt:actor.usa`), or, for a prefix
/// ending in `-` or `:`, any id that starts with it (`ucdp-actor-123`).
pub(crate) struct Namespace {
    /// The importer as messages name it (`UCDP`).
    pub(crate) importer: &'static str,
    pub(crate) prefixes: &'static [&'static str],
    /// Its datasets, the only sources it makes (with their releases).
    pub(crate) sources: &'static [&'static DatasetSource],
}

impl Namespace {
    /// The prefix `id` falls under, if any.
    pub(crate) fn prefix_of(&self, id: &str) -> Option<&'static str> {
        self.prefixes.iter().copied().find(|&p| match id.strip_prefix(p) {
            Some(rest) => rest.is_empty() || p.ends_with(['-', ':']) || rest.starts_with(':'),
            None => false,
        })
    }
}

/// The namespace of each table importer: the prefixes of the ids of the
/// entities it makes, and its datasets (`crate::owned`).
pub(crate) const NAMESPACES: &[Namespace] = &[
    Namespace {
        importer: "Powell & Thyne",
        prefixes: &["powell-thyne", "pt-"],
        sources: &[&coups::POWELL_THYNE],
    },
    Namespace { importer: "Cline Center", prefixes: &["cline-"], sources: &[&coups::CLINE] },
    Namespace { importer: "UCDP", prefixes: &["ucdp-"], sources: &ucdp::SOURCES },
    Namespace {
        importer: "COW",
        prefixes: &["cow-intrastate", "cow-intra-"],
        sources: &[&cow::COW],
    },
    Namespace { importer: "PRIF", prefixes: &["prif-"], sources: &[&prif::PRIF] },
    Namespace { importer: "ATOP", prefixes: &["atop", "atop-"], sources: &[&atop::ATOP] },
    Namespace { importer: "GDELT", prefixes: &["gdelt"], sources: &[&gdelt::GDELT] },
];

/// A code scheme of the catalogue of states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    Cow,
    Gw,
}

impl Scheme {
    fn lookup(self, code: u16) -> Option<&'static State> {
        match self {
            Scheme::Cow => states::by_cow(code),
            Scheme::Gw => states::by_gw(code),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Scheme::Cow => "COW state code",
            Scheme::Gw => "Gleditsch–Ward number",
        }
    }
}

/// The state a record names by code in `column` (and by name in
/// `name_column`, if the dataset has one). A code the catalogue lacks is
/// resolved by the name, and the second value says so (for the event's
/// note); neither resolving is an error.
pub(crate) fn state_of(
    scheme: Scheme,
    column: &str,
    code: &str,
    name: Option<(&str, &str)>,
) -> Result<(&'static State, Option<String>), Problem> {
    let by_code = code.parse::<u16>().ok().and_then(|c| scheme.lookup(c));
    if let Some(state) = by_code {
        return Ok((state, None));
    }
    let by_name = name.and_then(|(_, n)| states::by_name(n).map(|s| (s, n)));
    match (by_name, name) {
        (Some((state, n)), Some((name_column, _))) => Ok((
            state,
            Some(format!(
                "{column} `{}` is no {}; the state is taken from {name_column} `{n}`",
                excerpt(code),
                scheme.label()
            )),
        )),
        (_, name) => {
            let name = name.map(|(name_column, n)| (name_column.to_string(), quoted(n)));
            let (code, scheme) = (quoted(code), scheme.label());
            Err(Problem::in_column(column, Problem::UnknownCode { code, scheme, name }))
        }
    }
}

/// An actor a dataset stands for without naming it (the perpetrators of a
/// coup): created once, labelled for what it is, never a guess.
pub(crate) fn labelled_actor(
    out: &mut Out<'_, '_>,
    id: &str,
    name: String,
    kind: Option<ActorKind>,
    note: String,
) -> Result<ActorId, Problem> {
    out.entity(RefKind::Actor, id, || {
        noted_entity(id, EventKind::Actor { name, aliases: Vec::new(), kind }, Some(note))
    })?;
    Ok(ActorId::new(id)?)
}

/// An event dated and sourced, with a note.
pub(crate) fn dated(
    id: &str,
    date: Date,
    sources: &[SourceId],
    note: Option<String>,
    kind: EventKind,
) -> Result<Event, Problem> {
    Ok(Event {
        id: EventId::new(id).map_err(|e| Problem::no_valid_id(id, e))?,
        date: Some(date),
        sources: sources.to_vec(),
        claim: Claim::Reported,
        claimed_by: None,
        note,
        kind,
    })
}
