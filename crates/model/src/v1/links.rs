//! The bodies of the lines that join or identify entities: `same_as` and
//! `identifiers`.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::fields::Fields;
use super::{bad, describe, distinct, excerpt, LineError};
use crate::event::{Entity, EventKind, Linked, ID_SCHEMES};
use crate::id::{ActorId, PlaceId};

/// The body of an `identifiers` line: `actor` or `place`, and `ids`, an
/// object of one or more schemes (lower-case slugs) and their values.
pub(super) fn parse_identifiers(f: &mut Fields) -> Result<EventKind, LineError> {
    let actor = f.id("actor", ActorId::new)?;
    let place = f.id("place", PlaceId::new)?;
    let entity = match (actor, place) {
        (Some(a), None) => Entity::Actor(a),
        (None, Some(p)) => Entity::Place(p),
        (Some(_), Some(_)) => {
            return Err(bad("place", "identifiers name an actor or a place, not both"))
        }
        (None, None) => {
            return Err(LineError::MissingField { ty: "identifiers", field: "actor` or `place" })
        }
    };
    let map = match f.remove("ids") {
        None | Some(Value::Null) => {
            return Err(LineError::MissingField { ty: "identifiers", field: "ids" })
        }
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(bad("ids", format!("expected an object, found {}", describe(&other))))
        }
    };
    if let Some(scheme) = repeated_scheme(f.line) {
        return Err(bad("ids", format!("the scheme `{}` is given twice", excerpt(&scheme))));
    }
    let mut ids = Vec::new();
    for (scheme, value) in map {
        let Value::String(value) = value else {
            return Err(bad(
                "ids",
                format!("`{}`: expected a string, found {}", excerpt(&scheme), describe(&value)),
            ));
        };
        check_identifier(&scheme, &value)?;
        ids.push((scheme, value));
    }
    if ids.is_empty() {
        return Err(bad("ids", "must name at least one identifier"));
    }
    ids.sort();
    Ok(EventKind::Identifiers { entity, ids })
}

/// The first scheme that the `ids` object of `line` gives twice. The
/// line's values are read into serde_json's maps, which keep the last of
/// two equal keys without a word: this reads `ids` again from the line
/// (`identifiers` lines are few) so that a repeated scheme is refused,
/// not one of its values silently dropped.
fn repeated_scheme(line: &str) -> Option<String> {
    /// A map visitor: with `ids`, the value of the line's `ids` field;
    /// without, the line itself.
    struct Repeated {
        ids: bool,
    }
    impl<'de> Visitor<'de> for Repeated {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            let mut keys: Vec<String> = Vec::new();
            let mut repeated = None;
            while let Some(key) = map.next_key::<String>()? {
                if !self.ids && key == "ids" {
                    repeated = map.next_value_seed(Seed)?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                    if self.ids && repeated.is_none() && keys.contains(&key) {
                        repeated = Some(key.clone());
                    }
                    keys.push(key);
                }
            }
            Ok(repeated)
        }
    }
    /// Reads the value of `ids` with [`Repeated`].
    struct Seed;
    impl<'de> serde::de::DeserializeSeed<'de> for Seed {
        type Value = Option<String>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            d.deserialize_map(Repeated { ids: true })
        }
    }
    let mut line = serde_json::Deserializer::from_str(line);
    line.deserialize_map(Repeated { ids: false }).ok().flatten()
}

/// Checks one identifier: a scheme that is a slug without `:`, and a value
/// of the form its scheme has (any non-blank text for other schemes).
fn check_identifier(scheme: &str, value: &str) -> Result<(), LineError> {
    if crate::id::check_slug(scheme).is_err() || scheme.contains(':') {
        return Err(bad(
            "ids",
            format!(
                "`{}` is not a scheme name (lower-case letters, digits, `-`, `_`)",
                excerpt(scheme)
            ),
        ));
    }
    if value.trim().is_empty() || value.len() > 1000 {
        return Err(bad("ids", format!("`{scheme}`: a value of 1 to 1000 bytes")));
    }
    if let Some((_, want, valid)) = ID_SCHEMES.iter().find(|(s, ..)| *s == scheme) {
        if !valid(value) {
            return Err(bad("ids", format!("`{scheme}`: `{}` is not {want}", excerpt(value))));
        }
    }
    Ok(())
}

/// The body of a `same_as` line: `actors` or `places`, two or more distinct ids.
pub(super) fn parse_linked(f: &mut Fields) -> Result<Linked, LineError> {
    let actors = f.ids("actors", ActorId::new)?;
    let places = f.ids("places", PlaceId::new)?;
    match (actors, places) {
        (Some(actors), None) => {
            distinct("actors", &actors, 2, usize::MAX)?;
            Ok(Linked::Actors(actors))
        }
        (None, Some(places)) => {
            distinct("places", &places, 2, usize::MAX)?;
            Ok(Linked::Places(places))
        }
        (Some(_), Some(_)) => {
            Err(bad("places", "a link joins actors or places, not both: give `actors` or `places`"))
        }
        (None, None) => Err(LineError::MissingField { ty: "same_as", field: "actors` or `places" }),
    }
}

#[cfg(test)]
mod tests {
    use crate::v1::{parse_line, to_line};
    use crate::{Entity, EventKind, Linked};

    fn err(line: &str) -> String {
        parse_line(line).unwrap_err().to_string()
    }

    #[test]
    fn links_and_identifiers_parse_write_and_parse_again_the_same() {
        for line in [
            r#"{"type":"same_as","id":"l","places":["bamba","acled:bamba"],"sources":["s"]}"#,
            r#"{"type":"same_as","id":"m","actors":["gatia","acled:gatia","ucdp:gatia"]}"#,
            r#"{"type":"identifiers","id":"i","actor":"mali","ids":{"wikidata":"Q912","iso3":"MLI","cow":"432","ucdp":"Mali"},"sources":["s"]}"#,
            r#"{"type":"identifiers","id":"j","place":"bamba","ids":{"geonames":"2460596"}}"#,
        ] {
            let event = parse_line(line).unwrap().event;
            assert_eq!(parse_line(&to_line(&event)).unwrap().event, event, "{line}");
        }
        let i = parse_line(r#"{"type":"identifiers","id":"i","actor":"mali","ids":{"wikidata":"Q912","cow":"432"}}"#).unwrap().event;
        let EventKind::Identifiers { entity: Entity::Actor(a), ids } = i.kind else { panic!() };
        assert_eq!(a.as_str(), "mali");
        assert_eq!(ids, [("cow".into(), "432".into()), ("wikidata".into(), "Q912".into())]);
        let l = parse_line(r#"{"type":"same_as","places":["a","b"]}"#).unwrap();
        assert!(l.derived_id, "a link's id may be derived from its content");
        assert!(matches!(l.event.kind, EventKind::SameAs { linked: Linked::Places(_) }));
    }

    #[test]
    fn bad_links_and_identifiers_name_the_problem() {
        assert!(err(r#"{"type":"same_as","places":["a"]}"#).contains("at least 2 place ids"));
        assert!(err(r#"{"type":"same_as","places":["a","a"]}"#).contains("listed twice"));
        assert!(
            err(r#"{"type":"same_as","actors":["a","b"],"places":["c","d"]}"#).contains("not both")
        );
        assert!(err(r#"{"type":"same_as"}"#).contains("`actors` or `places`"));
        assert!(err(r#"{"type":"identifiers","actor":"m","ids":{"wikidata":"912"}}"#)
            .contains("not a Wikidata item"));
        assert!(
            err(r#"{"type":"identifiers","actor":"m","ids":{"iso3":"mli"}}"#).contains("ISO 3166")
        );
        assert!(err(r#"{"type":"identifiers","actor":"m","ids":{"cow":"4a"}}"#)
            .contains("Correlates of War"));
        assert!(err(r#"{"type":"identifiers","actor":"m","ids":{}}"#).contains("at least one"));
        assert!(err(r#"{"type":"identifiers","actor":"m","ids":{"Wiki Data":"Q1"}}"#)
            .contains("scheme"));
        assert!(err(r#"{"type":"identifiers","actor":"m","ids":{"cow":432}}"#)
            .contains("expected a string"));
        assert!(err(r#"{"type":"identifiers","actor":"m","place":"p","ids":{"cow":"1"}}"#)
            .contains("not both"));
        assert!(err(r#"{"type":"identifiers","ids":{"cow":"1"}}"#).contains("`actor` or `place`"));
        assert!(err(r#"{"type":"identifiers","actor":"m"}"#).contains("`ids`"));
        assert_eq!(
            err(
                r#"{"type":"identifiers","actor":"m","ids":{"wikidata":"Q1","cow":"1","wikidata":"Q2"}}"#
            ),
            "field `ids`: the scheme `wikidata` is given twice"
        );
        // A scheme spelt with an escape is the same scheme.
        assert!(err(r#"{"type":"identifiers","actor":"m","ids":{"cow":"1","c\u006fw":"2"}}"#)
            .contains("`cow` is given twice"));
    }
}
