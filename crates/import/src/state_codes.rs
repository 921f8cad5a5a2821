//! The codes of a state of the catalogue as `identifiers` events: its
//! Correlates of War code, Gleditsch–Ward number and ISO 3166 alpha-3 code,
//! as the catalogue holds them (`crates/model/data/states.csv`), each
//! citing the list it comes from. Every importer that names a state emits
//! them once, like the state's actor: the same events from every dataset,
//! created only if the log lacks them, so a second import stores nothing
//! and a state named by other sources under its codes is linked to it.
//!
//! The events are those the built-in chronicle holds for its states
//! (`fixtures/mali/identifiers.jsonl`: `ids-mali-state-codes`, citing
//! `cow-state-system-2016`, `gleditsch-ward-1999` and `iso-3166-1`), byte
//! for byte, so a log that holds the chronicle's gets none of them again
//! from a dataset, and the chronicle's sources of codes are the ones a
//! dataset creates. A state with several codes in a scheme (Germany's COW 255 and
//! 260, Russia's ISO `RUS` and `SUN`) has its first code of each scheme in
//! that event and each further code in one of its own
//! (`ids-germany-cow-260`).

use annals_model::states::State;
use annals_model::{Claim, Entity, Event, EventId, EventKind, RefKind, SourceId};

use crate::emit::{noted_entity, Emitter};
use crate::Problem;

/// A list the catalogue's codes come from, as a source.
struct CodeList {
    scheme: &'static str,
    id: &'static str,
    title: &'static str,
    publisher: &'static str,
    url: &'static str,
    note: &'static str,
}

/// The lists of the three schemes, in the order the events cite them.
const LISTS: [CodeList; 3] = [
    CodeList {
        scheme: "cow",
        id: "cow-state-system-2016",
        title: "State System Membership List, v2016",
        publisher: "Correlates of War Project",
        url: "https://correlatesofwar.org/data-sets/state-system-membership/",
        note: "The COW state codes (`states2016.csv`). The codes cited here are those of annals' built-in catalogue of states (crates/model/data/states.csv), compiled from this list.",
    },
    CodeList {
        scheme: "gw",
        id: "gleditsch-ward-1999",
        title: "A Revised List of Independent States since the Congress of Vienna",
        publisher: "Kristian S. Gleditsch and Michael D. Ward, International Interactions 25(4): 393–413",
        url: "http://ksgleditsch.com/statelist.html",
        note: "Gleditsch–Ward state numbers, from the article and its updated list at this address. The numbers cited here are those of annals' built-in catalogue of states (crates/model/data/states.csv).",
    },
    CodeList {
        scheme: "iso3",
        id: "iso-3166-1",
        title: "ISO 3166 Country Codes",
        publisher: "International Organization for Standardization",
        url: "https://www.iso.org/iso-3166-country-codes.html",
        note: "ISO 3166-1 alpha-3 codes. The codes cited here are those of annals' built-in catalogue of states (crates/model/data/states.csv).",
    },
];

/// The source event of a list.
fn list_source(list: &CodeList) -> Result<Event, Problem> {
    let kind = EventKind::Source {
        title: list.title.to_string(),
        publisher: Some(list.publisher.to_string()),
        published: None,
        url: Some(list.url.to_string()),
        release: None,
        covers: None,
    };
    noted_entity(list.id, kind, Some(list.note.to_string()))
}

/// A state's codes in each scheme, in the catalogue's order.
fn codes(state: &State) -> [Vec<String>; 3] {
    [
        state.cow.iter().map(u16::to_string).collect(),
        state.gw.iter().map(u16::to_string).collect(),
        state.iso3.iter().map(|c| c.to_string()).collect(),
    ]
}

/// The `identifiers` events of a state: its first code of each scheme in
/// `ids-<state>-state-codes`, each further one in
/// `ids-<state>-<scheme>-<code>`; none for a state without codes.
pub(crate) fn state_code_events(state: &State) -> Vec<Event> {
    let actor = state.actor_id();
    let make = |id: String, pairs: Vec<(usize, String)>| -> Event {
        let sources = pairs.iter().map(|(i, _)| source_id(&LISTS[*i])).collect();
        let ids = pairs.into_iter().map(|(i, code)| (LISTS[i].scheme.to_string(), code)).collect();
        Event {
            id: EventId::new(id).expect("catalogue ids and codes make valid ids"),
            date: None,
            sources,
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Identifiers { entity: Entity::Actor(actor.clone()), ids },
        }
    };
    let codes = codes(state);
    let mut events = Vec::new();
    let first: Vec<(usize, String)> =
        codes.iter().enumerate().filter_map(|(i, c)| Some((i, c.first()?.clone()))).collect();
    if !first.is_empty() {
        events.push(make(first_id(state), first));
    }
    for (i, list) in codes.iter().enumerate() {
        for code in list.iter().skip(1) {
            let id = format!("ids-{}-{}-{}", state.id, LISTS[i].scheme, code.to_ascii_lowercase());
            events.push(make(id, vec![(i, code.clone())]));
        }
    }
    events
}

/// Creates the source of the ISO 3166 list (if the log and the file lack
/// it), for other identifiers that give an ISO code; returns its id.
pub(crate) fn iso_list_source(emitter: &mut Emitter<'_>, line: usize) -> Result<SourceId, Problem> {
    let list = &LISTS[2];
    emitter.entity_with(line, RefKind::Source, list.id, || list_source(list))?;
    Ok(source_id(list))
}

/// The id of a state's first event of codes.
fn first_id(state: &State) -> String {
    format!("ids-{}-state-codes", state.id)
}

fn source_id(list: &CodeList) -> SourceId {
    SourceId::new(list.id).expect("the lists' ids are slugs")
}

impl Emitter<'_> {
    /// Emits the codes of `state` (whose actor is known), each event and
    /// the sources it cites only if the log and the file lack them: once
    /// per state and file.
    pub(crate) fn state_codes(&mut self, line: usize, state: &State) -> Result<(), Problem> {
        if self.ids.contains_key(&first_id(state)) {
            return Ok(());
        }
        for event in state_code_events(state) {
            for source in &event.sources {
                let list = LISTS.iter().find(|l| l.id == source.as_str());
                let list = list.expect("the events cite the lists");
                self.entity_with(line, RefKind::Source, list.id, || list_source(list))?;
            }
            let id = event.id.as_str().to_string();
            self.entity_with(line, RefKind::Event, &id, || Ok(event))?;
        }
        Ok(())
    }
}

/// Whether `event` is one of the codes of a state of the catalogue, as
/// [`state_code_events`] makes them (for tests that set them apart from a
/// dataset's own events, since they are created only if the log lacks them).
pub fn is_state_codes(event: &Event) -> bool {
    let EventKind::Identifiers { entity: Entity::Actor(actor), .. } = &event.kind else {
        return false;
    };
    let Some(state) = annals_model::states::by_id(actor.as_str()) else { return false };
    state_code_events(state).iter().any(|e| e == event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use annals_model::states;

    /// Every code of `states` is of its scheme's form and names one state
    /// only; else each problem.
    fn check_codes(states: &[State]) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut seen: std::collections::HashMap<(usize, String), &str> = Default::default();
        for state in states {
            for (i, list) in codes(state).into_iter().enumerate() {
                let scheme = LISTS[i].scheme;
                for code in list {
                    let (_, want, valid) =
                        annals_model::ID_SCHEMES.iter().find(|(s, ..)| *s == scheme).unwrap();
                    if !valid(&code) {
                        problems.push(format!("{}: {scheme} `{code}` is not {want}", state.id));
                    }
                    if let Some(other) = seen.insert((i, code.clone()), state.id) {
                        problems
                            .push(format!("{scheme} `{code}` names both {other} and {}", state.id));
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    #[test]
    fn every_code_of_the_catalogue_is_well_formed_and_names_one_state() {
        assert_eq!(check_codes(states::all()), Ok(()));
        // The check finds a code two states share, and a malformed one.
        let mut two =
            vec![states::by_id("mali").unwrap().clone(), states::by_id("niger").unwrap().clone()];
        two[1].iso3 = vec!["MLI", "Ner"];
        let problems = check_codes(&two).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("iso3 `MLI` names both mali and niger"), "{problems:?}");
        assert!(problems[1].contains("`Ner` is not"), "{problems:?}");
    }

    #[test]
    fn the_chronicles_state_codes_and_their_sources_are_the_catalogues() {
        let text = include_str!("../../../fixtures/mali/identifiers.jsonl");
        let mut states_seen = 0;
        for line in text.lines() {
            let event = annals_model::v1::parse_line(line).unwrap().event;
            if let Some(list) = LISTS.iter().find(|l| l.id == event.id.as_str()) {
                assert_eq!(list_source(list).unwrap(), event, "{line}");
            }
            if event.id.as_str().ends_with("-state-codes") {
                assert!(is_state_codes(&event), "{line}");
                states_seen += 1;
            }
        }
        assert_eq!(states_seen, 8);
    }

    #[test]
    fn a_state_with_several_codes_has_an_event_for_each_further_code() {
        let line = |e: &Event| annals_model::v1::to_line(e);
        let mali: Vec<String> =
            state_code_events(states::by_id("mali").unwrap()).iter().map(line).collect();
        assert_eq!(mali.len(), 1);
        assert!(mali[0].contains(r#""ids":{"cow":"432","gw":"432","iso3":"MLI"}"#), "{mali:?}");
        let germany = state_code_events(states::by_id("germany").unwrap());
        let ids: Vec<&str> = germany.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["ids-germany-state-codes", "ids-germany-cow-260", "ids-germany-gw-260"]);
        let serbia = state_code_events(states::by_id("serbia").unwrap());
        assert_eq!(serbia.len(), 1);
        assert_eq!(
            serbia[0].sources.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ["gleditsch-ward-1999", "iso-3166-1"],
            "a scheme without a code cites no list"
        );
        let russia = state_code_events(states::by_id("russia").unwrap());
        assert_eq!(russia.last().unwrap().id.as_str(), "ids-russia-iso3-sun");
        // Every state's events parse back as they are written.
        for state in states::all() {
            for event in state_code_events(state) {
                assert_eq!(annals_model::v1::parse_line(&line(&event)).unwrap().event, event);
            }
        }
    }
}
