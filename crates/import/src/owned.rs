//! Ids an importer owns. Each dataset importer names the actors, places and
//! sources it makes with its own prefix (`acled:`, `ucdp-`, `gdelt:`, …:
//! [`namespaces`]) and, on a later import, takes an entity the log already
//! holds under such an id as its own (it attaches its events to it without
//! looking at it). So a format v1 file may define a new entity in an
//! importer's namespace only in the shape the importer itself makes, as an
//! export of imported data does: no aliases, sources, date or
//! `claimed_by`, and a source only as one of the importer's own.
//!
//! The ACLED importer's shape is the narrowest: no note either; an actor's
//! id made from its name (`acled:` and its slug), a source's from its title
//! (`acled:src.` and its slug) or ACLED as its publisher. The table
//! importers write notes on what they make, so a note is allowed there;
//! their only sources are their datasets (`ucdp-acd`) and the releases of
//! them (`ucdp-acd:23.1`), published by the dataset's publisher.
//!
//! Anything else (a hand-written actor with aliases, a source of one's own)
//! is refused with what to do instead, so that a later dataset import never
//! takes over what a historian wrote.

use annals_model::{Event, EventKind};

use crate::acled::ACLED_DATASET_SOURCE;
use crate::datasets::Namespace;
use crate::emit::slug;
use crate::problem::{OwnedId, Unlike};
use crate::Problem;

/// The namespace of the ACLED importer's ids.
pub const ACLED_NAMESPACE: &str = "acled:";

/// Every importer's namespace, as `(importer, prefixes)`: ACLED's first,
/// then those of the table importers (docs/FORMAT.md, "Ids an importer
/// owns").
pub fn namespaces() -> Vec<(&'static str, &'static [&'static str])> {
    let acled: &'static [&'static str] = &[ACLED_NAMESPACE];
    let tables = crate::datasets::NAMESPACES.iter().map(|n| (n.importer, n.prefixes));
    std::iter::once(("ACLED", acled)).chain(tables).collect()
}

/// Why a new entity of format v1 may not take its id, if it may not: its id
/// is in an importer's namespace and it is not one that importer makes
/// (docs/FORMAT.md, "Ids an importer owns").
pub fn owned_id_problem(event: &Event) -> Option<Problem> {
    if !event.kind.is_entity() {
        return None;
    }
    let id = event.id.as_str();
    let what = event.kind.type_name();
    let owned = |importer, prefix, cite, unlike| {
        let id = id.to_string();
        Problem::Owned(Box::new(OwnedId { id, what, importer, prefix, cite, unlike }))
    };
    if let Some(rest) = id.strip_prefix(ACLED_NAMESPACE) {
        let unlike = unlike_acled(event, rest)?;
        return Some(owned("ACLED", ACLED_NAMESPACE, vec![ACLED_DATASET_SOURCE], unlike));
    }
    let (namespace, prefix) = crate::datasets::NAMESPACES
        .iter()
        .find_map(|n| n.prefix_of(id).map(|prefix| (n, prefix)))?;
    let unlike = unlike_table(event, namespace)?;
    let cite = namespace.sources.iter().map(|s| s.id).collect();
    Some(owned(namespace.importer, prefix, cite, unlike))
}

/// What sets an entity with an id in `acled:` apart from those the ACLED
/// importer makes, if anything. `rest` is its id after `acled:`.
fn unlike_acled(event: &Event, rest: &str) -> Option<Unlike> {
    if event.date.is_some() || !event.sources.is_empty() || event.note.is_some() {
        return Some(Unlike::DatedOrNoted);
    }
    if event.claimed_by.is_some() {
        return Some(Unlike::ClaimedBy);
    }
    let from_name = |name: &str, last: &str| match slug(name) == last {
        true => None,
        false => Some(Unlike::NotFromName(slug(name))),
    };
    match &event.kind {
        EventKind::Actor { name, aliases, .. } => match aliases.is_empty() {
            true => from_name(name, rest),
            false => Some(Unlike::Aliases),
        },
        // A place's id follows ACLED's hierarchy (country, region, town,
        // and a base's actor), so only its shape is compared.
        EventKind::Place { aliases, .. } => match aliases.is_empty() {
            true => None,
            false => Some(Unlike::Aliases),
        },
        EventKind::Source { title, publisher, .. } => {
            let dataset = &ACLED_DATASET_SOURCE[ACLED_NAMESPACE.len()..];
            if rest == dataset || rest.starts_with(&format!("{dataset}:")) {
                match publisher.as_deref() {
                    Some("ACLED") => None,
                    _ => Some(Unlike::PublisherNot("ACLED")),
                }
            } else if let Some(slugged) = rest.strip_prefix("src.") {
                match publisher {
                    None => from_name(title, slugged),
                    Some(_) => Some(Unlike::Publisher),
                }
            } else {
                Some(Unlike::SourceId("ACLED", "`acled:src.…`".to_string()))
            }
        }
        _ => None,
    }
}

/// What sets an entity in a table importer's namespace apart from those
/// the importer makes, if anything.
fn unlike_table(event: &Event, namespace: &Namespace) -> Option<Unlike> {
    if event.date.is_some() || !event.sources.is_empty() {
        return Some(Unlike::Dated);
    }
    if event.claimed_by.is_some() {
        return Some(Unlike::ClaimedBy);
    }
    let id = event.id.as_str();
    match &event.kind {
        EventKind::Actor { aliases, .. } | EventKind::Place { aliases, .. } => {
            (!aliases.is_empty()).then_some(Unlike::Aliases)
        }
        EventKind::Source { publisher, .. } => {
            let dataset = namespace.sources.iter().find(|s| {
                id == s.id || id.strip_prefix(s.id).is_some_and(|rest| rest.starts_with(':'))
            });
            let Some(dataset) = dataset else {
                let names: Vec<String> =
                    namespace.sources.iter().map(|s| format!("`{}`", s.id)).collect();
                let names = format!("{} and their releases (`ID:RELEASE`)", names.join(", "));
                return Some(Unlike::SourceId(namespace.importer, names));
            };
            match publisher.as_deref() == Some(dataset.publisher) {
                true => None,
                false => Some(Unlike::PublisherNot(dataset.publisher)),
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_model::v1;

    fn problem(line: &str) -> Option<String> {
        owned_id_problem(&v1::parse_line(line).unwrap().event).map(|p| p.to_string())
    }

    #[test]
    fn entities_in_acled_are_accepted_only_in_the_shape_the_importer_makes() {
        for made in [
            r#"{"type":"actor","id":"acled:jnim","name":"JNIM","kind":"armed_group"}"#,
            r#"{"type":"place","id":"acled:mali","name":"Mali","kind":"country"}"#,
            r#"{"type":"place","id":"acled:mali.gao.ansongo","name":"Ansongo","within":"acled:mali.gao","lat":15.6,"lon":0.5}"#,
            r#"{"type":"source","id":"acled:src.le-republicain","title":"Le Republicain"}"#,
            r#"{"type":"source","id":"acled:dataset","title":"ACLED","publisher":"ACLED"}"#,
            r#"{"type":"source","id":"acled:dataset:mli:2024-01-02","title":"ACLED export","publisher":"ACLED"}"#,
            r#"{"type":"actor","id":"jnim","name":"JNIM","aliases":["GSIM"]}"#,
            r#"{"type":"attack","id":"acled:mli123","date":"2024-01-02","attacker":"jnim","place":"gao","sources":["r1"]}"#,
        ] {
            assert_eq!(problem(made), None, "{made}");
        }
        for (hand, why) in [
            (r#"{"type":"actor","id":"acled:jnim","name":"JNIM","aliases":["GSIM"]}"#, "aliases"),
            (r#"{"type":"actor","id":"acled:jnim","name":"Jama'at Nusrat"}"#, "`jama-at-nusrat`"),
            (r#"{"type":"actor","id":"acled:x","name":"X","note":"mine"}"#, "a note"),
            (r#"{"type":"place","id":"acled:mali.gao","name":"Gao","aliases":["G"]}"#, "aliases"),
            (r#"{"type":"source","id":"acled:my-notes","title":"My notes"}"#, "`acled:src.…`"),
            (r#"{"type":"source","id":"acled:src.x","title":"X","publisher":"Me"}"#, "publisher"),
            (r#"{"type":"source","id":"acled:dataset","title":"ACLED"}"#, "not ACLED"),
        ] {
            let problem = problem(hand).unwrap_or_else(|| panic!("accepted: {hand}"));
            assert!(problem.contains(why), "{hand}: {problem}");
            assert!(problem.contains("annals link"), "{problem}");
        }
    }

    /// Each table importer's namespace: what its importer makes is
    /// accepted, a hand-written entity in it refused; ids that only look
    /// alike (`atopia`, `cow-state-system-2016`) are anyone's.
    #[test]
    fn entities_in_a_table_importers_namespace_are_accepted_only_in_its_shape() {
        for made in [
            r#"{"type":"actor","id":"ucdp-actor-123","name":"Ansar Dine","kind":"armed_group","note":"UCDP actor 123"}"#,
            r#"{"type":"place","id":"ucdp-location-432-433","name":"Mali and Senegal"}"#,
            r#"{"type":"source","id":"ucdp-acd","title":"UCDP/PRIO","publisher":"Uppsala Conflict Data Program (UCDP) and Peace Research Institute Oslo (PRIO)"}"#,
            r#"{"type":"source","id":"ucdp-brd:23-1","title":"UCDP","publisher":"Uppsala Conflict Data Program (UCDP)","release":"23.1"}"#,
            r#"{"type":"actor","id":"gdelt:actor.mlireb","name":"GDELT actor code MLIREB"}"#,
            r#"{"type":"place","id":"gdelt:geo.1234","name":"Gao","lat":16.3,"lon":-0.04}"#,
            r#"{"type":"actor","id":"atop-1234","name":"ATOP alliance 1234","kind":"coalition"}"#,
            r#"{"type":"actor","id":"pt-perpetrators-mali-2012-03-22","name":"the perpetrators"}"#,
            r#"{"type":"actor","id":"atopia","name":"Atopia","aliases":["A"]}"#,
            r#"{"type":"source","id":"cow-state-system-2016","title":"COW","publisher":"Me"}"#,
            r#"{"type":"source","id":"gdeltish","title":"Mine"}"#,
        ] {
            assert_eq!(problem(made), None, "{made}");
        }
        for (hand, importer, why) in [
            (
                r#"{"type":"actor","id":"ucdp-actor-1","name":"X","aliases":["Y"]}"#,
                "UCDP",
                "aliases",
            ),
            (
                r#"{"type":"source","id":"ucdp-mine","title":"Mine"}"#,
                "UCDP",
                "`ucdp-acd`, `ucdp-brd`",
            ),
            (
                r#"{"type":"source","id":"ucdp-acd","title":"UCDP","publisher":"Me"}"#,
                "UCDP",
                "publisher is not",
            ),
            (
                r#"{"type":"place","id":"gdelt:geo.1","name":"G","aliases":["H"]}"#,
                "GDELT",
                "aliases",
            ),
            (r#"{"type":"source","id":"gdelt","title":"GDELT"}"#, "GDELT", "publisher is not"),
            (
                r#"{"type":"actor","id":"atop-member-9","name":"M","claimed_by":"x"}"#,
                "ATOP",
                "claimed_by",
            ),
            (
                r#"{"type":"actor","id":"cow-intra-1-side-a","name":"A","aliases":["B"]}"#,
                "COW",
                "aliases",
            ),
            (
                r#"{"type":"source","id":"cow-intrastate:5-1","title":"COW"}"#,
                "COW",
                "publisher is not",
            ),
            (
                r#"{"type":"actor","id":"prif-org-un","name":"UN","aliases":["U"]}"#,
                "PRIF",
                "aliases",
            ),
            (
                r#"{"type":"actor","id":"pt-perpetrators-x","name":"P","aliases":["Q"]}"#,
                "Powell & Thyne",
                "aliases",
            ),
            (
                r#"{"type":"actor","id":"cline-perpetrators-1","name":"P","aliases":["Q"]}"#,
                "Cline Center",
                "aliases",
            ),
        ] {
            let problem = problem(hand).unwrap_or_else(|| panic!("accepted: {hand}"));
            assert!(problem.contains(&format!("the {importer} importer")), "{hand}: {problem}");
            assert!(problem.contains(why), "{hand}: {problem}");
            assert!(problem.contains("annals link"), "{problem}");
        }
    }
}
