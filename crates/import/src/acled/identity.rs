//! What ties ACLED's actors and countries to other sources: each actor
//! bears its ACLED name (scheme `acled-actor`), and a country the catalogue
//! of states knows by ACLED's name for it bears the state's ISO 3166 code
//! (`acled:mali`: `iso3` `MLI`), so that a territory other sources give the
//! same code is one place with it. Nothing more is said: ACLED's
//! `Military Forces of Mali (2021-)` is an actor of its own, not the state
//! `mali`, and ACLED says nothing of who governed.

use annals_model::states;
use annals_model::{ActorId, Claim, Entity, Event, EventId, EventKind, SourceId};

use crate::emit::Emitter;
use crate::state_codes::iso_list_source;
use crate::{Problem, ACLED_DATASET_SOURCE};

/// The scheme of ACLED's actor names, in `identifiers` events.
pub(crate) const ACLED_ACTOR: &str = "acled-actor";

impl Emitter<'_> {
    /// Gives the ACLED actor `actor` its name as a row writes it, citing
    /// the dataset. Names that differ only in case or accents are one
    /// actor, each spelling an identifier of its own (the id derives from
    /// the content).
    pub(super) fn acled_actor(
        &mut self,
        line: usize,
        actor: &ActorId,
        name: &str,
    ) -> Result<(), Problem> {
        let entity = Entity::Actor(actor.clone());
        let ids = vec![(ACLED_ACTOR.to_string(), name.to_string())];
        let sources = vec![dataset()?];
        let event = derived(EventKind::Identifiers { entity, ids }, sources)?;
        self.push(line, event, || format!("the ACLED name of `{actor}`"))
    }

    /// Gives the ACLED country place `place`, named `country` in the file,
    /// the ISO 3166 alpha-3 code of the catalogue's state of that name
    /// (nothing for a country the catalogue does not know), citing the
    /// dataset and the ISO list: once per file.
    pub(super) fn acled_country(
        &mut self,
        line: usize,
        place: &str,
        country: &str,
    ) -> Result<(), Problem> {
        let id = format!("{place}:ids.iso3");
        if self.ids.contains_key(&id) {
            return Ok(());
        }
        let Some(code) = states::by_name(country).and_then(|s| s.iso3.first()) else {
            return Ok(());
        };
        let iso = iso_list_source(self, line)?;
        let entity = Entity::Place(annals_model::PlaceId::new(place).map_err(Problem::from)?);
        let event = Event {
            id: EventId::new(id).map_err(Problem::from)?,
            date: None,
            sources: vec![dataset()?, iso],
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Identifiers { entity, ids: vec![("iso3".into(), code.to_string())] },
        };
        self.push(line, event, || format!("the ISO code of `{place}`"))
    }
}

fn dataset() -> Result<SourceId, Problem> {
    SourceId::new(ACLED_DATASET_SOURCE).map_err(Problem::from)
}

/// An undated event whose id derives from its content.
fn derived(kind: EventKind, sources: Vec<SourceId>) -> Result<Event, Problem> {
    let mut event = Event {
        id: EventId::new("pending").map_err(Problem::from)?,
        date: None,
        sources,
        claim: Claim::Reported,
        claimed_by: None,
        note: None,
        kind,
    };
    event.id = annals_model::v1::derive_id(&event);
    Ok(event)
}

#[cfg(test)]
mod tests {
    use annals_model::v1::to_line;

    use crate::{read_acled, Catalog};

    const HEADER: &str = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,inter2,country,admin1,admin2,location,latitude,longitude,source,notes,fatalities\n";

    fn identifiers(rows: &str) -> Vec<String> {
        let text = format!("{HEADER}{rows}");
        let imported = read_acled("a.csv", text.as_bytes(), &Catalog::empty()).unwrap();
        let lines = imported.events.iter().map(to_line);
        lines
            .filter(|l| l.contains(r#""type":"identifiers""#) && !l.contains("acled-location"))
            .collect()
    }

    #[test]
    fn actors_bear_their_names_and_a_known_country_its_iso_code_once() {
        let got = identifiers(
            "M1,2013-01-11,1,Battles,Armed clash,Military Forces of Mali (2012-2013),1,MUJAO,2,Mali,Mopti,Douentza,Konna,14.9,-3.9,AFP,Clash.,3\n\
             M2,2013-01-12,1,Battles,Armed clash,MILITARY FORCES OF MALI (2012-2013),1,MUJAO,2,Mali,Mopti,Douentza,Konna,14.9,-3.9,AFP,Clash.,1\n",
        );
        let names: Vec<&String> = got.iter().filter(|l| l.contains("acled-actor")).collect();
        assert_eq!(names.len(), 3, "one for each spelling of each actor: {got:#?}");
        assert!(
            names
                .iter()
                .all(|l| l.contains(r#""actor":"acled:military-forces-of-mali-2012-2013""#)
                    || l.contains(r#""actor":"acled:mujao""#)),
            "{names:#?}"
        );
        assert!(names
            .iter()
            .any(|l| l.contains(r#""ids":{"acled-actor":"MILITARY FORCES OF MALI (2012-2013)"}"#)));
        let country: Vec<&String> =
            got.iter().filter(|l| l.contains(r#""place":"acled:mali""#)).collect();
        assert_eq!(country.len(), 1, "{got:#?}");
        assert!(country[0].contains(r#""id":"acled:mali:ids.iso3""#), "{country:?}");
        assert!(
            country[0].contains(r#""ids":{"iso3":"MLI"},"sources":["acled:dataset","iso-3166-1"]"#),
            "{country:?}"
        );
        // A country the catalogue does not know gets no code.
        let none = identifiers(
            "V1,2021-03-05,1,Battles,Armed clash,Blue Front,2,,,Varenia,Kessa,Ubbo,Sabra,17.1,-1.5,Radio Kessa,Clash.,3\n",
        );
        assert!(none.iter().all(|l| !l.contains("iso3")), "{none:#?}");
        assert_eq!(none.len(), 1, "{none:#?}");
    }
}
