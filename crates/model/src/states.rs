//! The built-in catalogue of states: one entry per state, with its codes in
//! the schemes the standard datasets use (Correlates of War, Gleditsch–Ward,
//! ISO 3166 alpha-3, FIPS 10-4), its English and French names and aliases,
//! and its independence date where it has a clear one. Every importer names
//! a state by its catalogue id (`mali`, `burkina-faso`, `cote-d-ivoire`), so
//! a state is one node whichever dataset names it.
//!
//! The data are `data/states.csv`, compiled in; `data/README.md` cites the
//! public lists they come from and the choices made where the lists differ.
//!
//! ```
//! use annals_model::states;
//! let mali = states::by_cow(432).unwrap();
//! assert_eq!(mali.id, "mali");
//! assert_eq!(states::by_gw(432).unwrap().id, "mali");
//! assert_eq!(states::by_iso3("mli").unwrap().id, "mali");
//! assert_eq!(states::by_name("Côte d’Ivoire").unwrap().id, "cote-d-ivoire");
//! assert_eq!(states::by_name("Ivory Coast").unwrap().id, "cote-d-ivoire");
//! assert_eq!(mali.independence.unwrap().to_string(), "1960-09-22");
//! ```

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::date::Date;
use crate::event::{ActorKind, Claim, Event, EventKind, PlaceKind};
use crate::id::{ActorId, EventId, PlaceId};
use crate::text::normalize_name;

/// The catalogue as compiled in.
const DATA: &str = include_str!("../data/states.csv");

/// One state of the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The actor id every importer gives it: its English short name,
    /// lowercase and hyphenated (`burkina-faso`).
    pub id: &'static str,
    /// English short name.
    pub name: &'static str,
    /// French short name.
    pub name_fr: &'static str,
    /// Other names datasets and people use (`Ivory Coast`, `Upper Volta`,
    /// `Russia (Soviet Union)`).
    pub aliases: Vec<&'static str>,
    /// Correlates of War state codes (`germany` has two: 255 and 260).
    pub cow: Vec<u16>,
    /// Gleditsch–Ward numbers.
    pub gw: Vec<u16>,
    /// ISO 3166-1 alpha-3, then former ISO 3166-3 codes and the few other
    /// three-letter codes datasets use for it (`SUN`, `ZAR`, `KSV`).
    pub iso3: Vec<&'static str>,
    /// FIPS 10-4 country codes (GDELT's geography uses them).
    pub fips: Vec<&'static str>,
    /// The day it became independent, where there is one such day.
    pub independence: Option<Date>,
}

impl State {
    /// Its actor id.
    pub fn actor_id(&self) -> ActorId {
        ActorId::new(self.id).expect("catalogue ids are checked by the tests")
    }

    /// The id of the place that is its territory: `<id>-country`, as the
    /// built-in chronicle names Mali's (`mali-country`).
    pub fn country_id(&self) -> PlaceId {
        PlaceId::new(format!("{}-country", self.id)).expect("catalogue ids are checked")
    }

    /// The `actor` event (kind `state`) every importer creates for it when
    /// the log lacks it: the same from every dataset, so that importing
    /// dataset after dataset creates it once.
    pub fn actor_event(&self) -> Event {
        let kind = EventKind::Actor {
            name: self.name.to_string(),
            aliases: self.names(),
            kind: Some(ActorKind::State),
        };
        entity(self.id, kind, Some(self.codes()))
    }

    /// The `place` event (kind `country`) of its territory.
    pub fn country_event(&self) -> Event {
        let kind = EventKind::Place {
            name: self.name.to_string(),
            aliases: self.names(),
            kind: Some(PlaceKind::Country),
            within: None,
            lat: None,
            lon: None,
        };
        let note = format!("the territory of the state `{}`", self.id);
        entity(self.country_id().as_str(), kind, Some(note))
    }

    /// Its French name and aliases, each once, without its English name.
    fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in std::iter::once(self.name_fr).chain(self.aliases.iter().copied()) {
            if n != self.name && !out.iter().any(|o| o == n) {
                out.push(n.to_string());
            }
        }
        out
    }

    /// Its codes, as the note of its actor says them.
    fn codes(&self) -> String {
        let list = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !self.cow.is_empty() {
            parts.push(format!("COW {}", list(&self.cow)));
        }
        if !self.gw.is_empty() {
            parts.push(format!("Gleditsch–Ward {}", list(&self.gw)));
        }
        if !self.iso3.is_empty() {
            parts.push(format!("ISO 3166 {}", self.iso3.join(", ")));
        }
        if let Some(day) = self.independence {
            parts.push(format!("independent since {day}"));
        }
        format!("{} (annals catalogue of states)", parts.join("; "))
    }
}

fn entity(id: &str, kind: EventKind, note: Option<String>) -> Event {
    Event {
        id: EventId::new(id).expect("catalogue ids are checked"),
        date: None,
        sources: Vec::new(),
        claim: Claim::Reported,
        claimed_by: None,
        note,
        kind,
    }
}

/// Every state of the catalogue, in the order of its file (by COW code).
pub fn all() -> &'static [State] {
    &CATALOGUE.states
}

/// The state with this catalogue id.
pub fn by_id(id: &str) -> Option<&'static State> {
    CATALOGUE.by_id.get(id).map(|&i| &CATALOGUE.states[i])
}

/// The state with this Correlates of War code.
pub fn by_cow(code: u16) -> Option<&'static State> {
    CATALOGUE.by_cow.get(&code).map(|&i| &CATALOGUE.states[i])
}

/// The state with this Gleditsch–Ward number.
pub fn by_gw(code: u16) -> Option<&'static State> {
    CATALOGUE.by_gw.get(&code).map(|&i| &CATALOGUE.states[i])
}

/// The state with this ISO 3166 alpha-3 code (any case; former codes too).
pub fn by_iso3(code: &str) -> Option<&'static State> {
    CATALOGUE.by_iso3.get(&code.to_ascii_uppercase()).map(|&i| &CATALOGUE.states[i])
}

/// The state with this FIPS 10-4 code (any case).
pub fn by_fips(code: &str) -> Option<&'static State> {
    CATALOGUE.by_fips.get(&code.to_ascii_uppercase()).map(|&i| &CATALOGUE.states[i])
}

/// The state with this name, French name or alias, compared without case,
/// accents, spaces or punctuation (`Guinea Bissau` is `Guinea-Bissau`).
pub fn by_name(name: &str) -> Option<&'static State> {
    CATALOGUE.by_name.get(&name_key(name)).map(|&i| &CATALOGUE.states[i])
}

/// The key names are compared under: letters and digits of the
/// normalized name.
fn name_key(name: &str) -> String {
    normalize_name(name).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The parsed catalogue and its indexes.
struct Catalogue {
    states: Vec<State>,
    by_id: HashMap<&'static str, usize>,
    by_cow: HashMap<u16, usize>,
    by_gw: HashMap<u16, usize>,
    by_iso3: HashMap<String, usize>,
    by_fips: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| parse(DATA));

/// Parses the catalogue: a header, then one state a line of comma-separated
/// fields (no quoting); lists inside a field are separated by `|`. The
/// data are compiled in and checked by the tests, so a malformed line is a
/// bug of this build and panics.
fn parse(data: &'static str) -> Catalogue {
    let mut c = Catalogue {
        states: Vec::new(),
        by_id: HashMap::new(),
        by_cow: HashMap::new(),
        by_gw: HashMap::new(),
        by_iso3: HashMap::new(),
        by_fips: HashMap::new(),
        by_name: HashMap::new(),
    };
    for (n, line) in data.lines().enumerate().skip(1).filter(|(_, l)| !l.trim().is_empty()) {
        let state = parse_line(line).unwrap_or_else(|e| panic!("states.csv:{}: {e}", n + 1));
        let i = c.states.len();
        c.by_id.insert(state.id, i);
        c.by_cow.extend(state.cow.iter().map(|&k| (k, i)));
        c.by_gw.extend(state.gw.iter().map(|&k| (k, i)));
        c.by_iso3.extend(state.iso3.iter().map(|k| (k.to_string(), i)));
        c.by_fips.extend(state.fips.iter().map(|k| (k.to_string(), i)));
        for name in [state.name, state.name_fr, state.id].iter().chain(&state.aliases) {
            c.by_name.insert(name_key(name), i);
        }
        c.states.push(state);
    }
    c
}

fn parse_line(line: &'static str) -> Result<State, String> {
    let fields: Vec<&'static str> = line.split(',').collect();
    let [id, cow, gw, iso3, fips, independence, name, name_fr, aliases] = fields[..] else {
        return Err(format!("{} fields, not 9", fields.len()));
    };
    let list = |s: &'static str| -> Vec<&'static str> {
        s.split('|').map(str::trim).filter(|x| !x.is_empty()).collect()
    };
    let codes = |s: &'static str| -> Result<Vec<u16>, String> {
        list(s).into_iter().map(|x| x.parse().map_err(|_| format!("`{x}` is not a code"))).collect()
    };
    let independence = match independence {
        "" => None,
        day => Some(day.parse::<Date>().map_err(|e| e.to_string())?),
    };
    Ok(State {
        id,
        name,
        name_fr,
        aliases: list(aliases),
        cow: codes(cow)?,
        gw: codes(gw)?,
        iso3: list(iso3),
        fips: list(fips),
        independence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Ids are slugs and unique, and no code or name names two states:
    /// a lookup never depends on the order of the file.
    #[test]
    fn ids_codes_and_names_each_name_one_state() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        let mut once = |key: String, id: &'static str| {
            if let Some(other) = seen.insert(key.clone(), id) {
                assert_eq!(other, id, "`{key}` names both `{other}` and `{id}`");
            }
        };
        for s in all() {
            crate::id::check_slug(s.id).unwrap();
            assert!(!s.name.is_empty() && !s.name_fr.is_empty(), "{}", s.id);
            once(format!("id {}", s.id), s.id);
            s.cow.iter().for_each(|c| once(format!("cow {c}"), s.id));
            s.gw.iter().for_each(|c| once(format!("gw {c}"), s.id));
            s.iso3.iter().for_each(|c| once(format!("iso3 {c}"), s.id));
            s.fips.iter().for_each(|c| once(format!("fips {c}"), s.id));
            for n in [s.name, s.name_fr, s.id].iter().chain(&s.aliases) {
                once(format!("name {}", name_key(n)), s.id);
            }
            assert!(s
                .iso3
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())));
            assert!(s
                .fips
                .iter()
                .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
            assert_eq!(s.actor_event().id.as_str(), s.id);
        }
        assert!(all().len() > 200);
    }

    /// The ids the built-in chronicle already uses for states.
    #[test]
    fn the_chronicle_s_states_keep_their_ids() {
        for (name, id) in [
            ("Mali", "mali"),
            ("France", "france"),
            ("Burkina Faso", "burkina-faso"),
            ("Niger", "niger"),
            ("Tchad", "chad"),
            ("Mauritanie", "mauritania"),
            ("Guinée", "guinea"),
            ("Algérie", "algeria"),
            ("Côte d'Ivoire", "cote-d-ivoire"),
            ("United States of America", "united-states"),
            ("UK", "united-kingdom"),
            ("Russia (Soviet Union)", "russia"),
        ] {
            assert_eq!(by_name(name).map(|s| s.id), Some(id), "{name}");
        }
    }

    /// The schemes disagree on some numbers: Gleditsch–Ward 970 is
    /// Kiribati, COW 970 Nauru; one state may hold several codes.
    #[test]
    fn each_scheme_is_looked_up_in_its_own_column() {
        assert_eq!(by_gw(970).unwrap().id, "kiribati");
        assert_eq!(by_cow(970).unwrap().id, "nauru");
        assert_eq!(by_cow(260).unwrap().id, "germany");
        assert_eq!(by_gw(260).unwrap().id, "germany");
        assert_eq!(by_cow(679).unwrap().id, "yemen");
        assert_eq!(by_gw(340).unwrap().id, "serbia");
        assert_eq!(by_cow(345).unwrap().id, "yugoslavia");
        assert_eq!(by_iso3("ZAR").unwrap().id, "dr-congo");
        assert_eq!(by_fips("UV").unwrap().id, "burkina-faso");
        assert!(by_cow(480).is_none());
        let ids: HashSet<&str> = all().iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), all().len());
    }

    #[test]
    fn a_state_s_actor_and_territory_are_the_same_from_every_call() {
        let mali = by_id("mali").unwrap();
        let actor = mali.actor_event();
        assert_eq!(actor, by_cow(432).unwrap().actor_event());
        assert_eq!(
            crate::v1::to_line(&actor),
            r#"{"type":"actor","id":"mali","name":"Mali","aliases":["Republic of Mali","République du Mali"],"kind":"state","note":"COW 432; Gleditsch–Ward 432; ISO 3166 MLI; independent since 1960-09-22 (annals catalogue of states)"}"#
        );
        assert_eq!(mali.country_event().id.as_str(), "mali-country");
    }
}
