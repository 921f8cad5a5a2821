//! Ids an importer owns. The ACLED importer names the actors, places and
//! sources it makes `acled:…` and, on a later import, takes an entity the
//! log already holds under such an id as its own (it attaches its events to
//! it without looking at it). So a format v1 file may define a new entity
//! in `acled:` only in the shape the importer itself makes, as an export of
//! imported data does: no aliases, note, sources, date or `claimed_by`; an
//! actor's id made from its name (`acled:` and its slug), a source's from
//! its title (`acled:src.` and its slug) or ACLED as its publisher. Anything else (a hand-written actor with aliases, a
//! source of one's own) is refused with what to do instead, so that a later
//! ACLED import never takes over what a historian wrote.

use annals_model::{Event, EventKind};

use crate::acled::ACLED_DATASET_SOURCE;
use crate::emit::slug;

/// The namespace of the ACLED importer's ids.
pub const ACLED_NAMESPACE: &str = "acled:";

/// Why a new entity of format v1 may not take its id, if it may not: its id
/// is in the ACLED importer's namespace and it is not one that importer
/// makes (docs/FORMAT.md, "Ids an importer owns").
pub fn owned_id_problem(event: &Event) -> Option<String> {
    if !event.kind.is_entity() {
        return None;
    }
    let id = event.id.as_str();
    let rest = id.strip_prefix(ACLED_NAMESPACE)?;
    let what = event.kind.type_name();
    let unlike = unlike_acled(event, rest)?;
    Some(format!(
        "the {what} id `{id}` is in the namespace of the ACLED importer (`{ACLED_NAMESPACE}`), \
         which takes a stored {what} of that id as its own, and this {what} is not one it makes \
         ({unlike}); give it an id outside `{ACLED_NAMESPACE}`, and cite ACLED as a source \
         (`{ACLED_DATASET_SOURCE}`) or join it to ACLED's with `annals link`"
    ))
}

/// What sets an entity with an id in `acled:` apart from those the ACLED
/// importer makes, if anything. `rest` is its id after `acled:`.
fn unlike_acled(event: &Event, rest: &str) -> Option<String> {
    if event.date.is_some() || !event.sources.is_empty() || event.note.is_some() {
        return Some("it has a date, sources or a note".to_string());
    }
    if event.claimed_by.is_some() {
        return Some("it has `claimed_by`".to_string());
    }
    let from_name = |name: &str, last: &str| match slug(name) == last {
        true => None,
        false => Some(format!("its id does not end in `{}`, made from its name", slug(name))),
    };
    match &event.kind {
        EventKind::Actor { name, aliases, .. } => match aliases.is_empty() {
            true => from_name(name, rest),
            false => Some("it has aliases".to_string()),
        },
        // A place's id follows ACLED's hierarchy (country, region, town,
        // and a base's actor), so only its shape is compared.
        EventKind::Place { aliases, .. } => match aliases.is_empty() {
            true => None,
            false => Some("it has aliases".to_string()),
        },
        EventKind::Source { title, publisher, .. } => {
            let dataset = &ACLED_DATASET_SOURCE[ACLED_NAMESPACE.len()..];
            if rest == dataset || rest.starts_with(&format!("{dataset}:")) {
                match publisher.as_deref() {
                    Some("ACLED") => None,
                    _ => Some("its publisher is not ACLED".to_string()),
                }
            } else if let Some(slugged) = rest.strip_prefix("src.") {
                match publisher {
                    None => from_name(title, slugged),
                    Some(_) => Some("it has a publisher".to_string()),
                }
            } else {
                Some("the ACLED importer names its sources `acled:src.…`".to_string())
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
        owned_id_problem(&v1::parse_line(line).unwrap().event)
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
}
