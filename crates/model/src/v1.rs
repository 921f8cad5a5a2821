//! Interchange format v1: JSON Lines, one event per line, `type` first.
//!
//! This module is the contract with the outside world: [`parse_line`] reads one
//! line (strictly: unknown fields and misplaced fields are errors, so a typo never
//! silently drops data) and [`to_line`] writes one canonical line back.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::date::DateError;
use crate::event::{
    ActorKind, Claim, CoupOutcome, Event, EventKind, Fatalities, PlaceKind, LATITUDE_LIMIT,
    LONGITUDE_LIMIT,
};
use crate::id::{ActorId, AgreementId, EventId, IdError, PlaceId, SourceId};
/// How error messages quote untrusted text: short values whole, long ones cut.
pub use crate::text::excerpt;
pub use write::{derive_id, to_line};

use fields::Fields;
use links::{parse_identifiers, parse_linked};

mod fields;
mod links;
mod write;

/// Why one line of interchange format v1 was rejected. The importer adds the
/// file name and line number.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LineError {
    /// The line is not JSON, or not a JSON object.
    #[error("not a JSON object: {0}")]
    Json(String),
    /// `type` is missing.
    #[error("missing field `type` (one of {})", TYPES.join(", "))]
    MissingType,
    /// `type` names no event type of format v1.
    #[error("unknown type `{}` (expected one of {types})", excerpt(.0), types = TYPES.join(", "))]
    UnknownType(String),
    /// A required field is absent.
    #[error("a `{ty}` line needs the field `{field}`")]
    MissingField { ty: &'static str, field: &'static str },
    /// A field that format v1 does not know.
    #[error("unknown field `{}`", excerpt(.field))]
    UnknownField { field: String },
    /// A field given twice on one line (JSON parsers disagree on which one
    /// counts, so neither is guessed).
    #[error("the field `{}` is given twice", excerpt(.field))]
    DuplicateField { field: String },
    /// A known field on a line type that does not take it.
    #[error("field `{field}` does not belong on a `{ty}` line")]
    MisplacedField { ty: &'static str, field: String },
    /// A field holds the wrong kind of value.
    #[error("field `{field}`: {problem}")]
    BadValue { field: &'static str, problem: String },
    #[error("field `{field}`: {source}")]
    BadDate { field: &'static str, source: DateError },
    #[error("field `{field}`: {source}")]
    BadId { field: &'static str, source: IdError },
}

/// Every `type` of format v1, in the order of the MISSION table.
pub const TYPES: &[&str] = &[
    "source",
    "actor",
    "place",
    "membership_began",
    "membership_ended",
    "alliance_formed",
    "alliance_ended",
    "hostilities_began",
    "hostilities_ended",
    "agreement_signed",
    "agreement_ended",
    "government",
    "coup",
    "intervention_began",
    "intervention_ended",
    "control_taken",
    "control_lost",
    "attack",
    "retraction",
    "same_as",
    "identifiers",
    "actor_dissolved",
];

/// The fields every event may have.
pub const COMMON: &[&str] = &["type", "id", "date", "sources", "claim", "claimed_by", "note"];

/// The fields of some event type or other; each type accepts its own.
pub const ALL_FIELDS: &[&str] = &[
    "title",
    "publisher",
    "published",
    "url",
    "release",
    "covers",
    "name",
    "aliases",
    "kind",
    "within",
    "lat",
    "lon",
    "member",
    "group",
    "actors",
    "alliance",
    "agreement",
    "signatories",
    "state",
    "actor",
    "perpetrator",
    "ousted",
    "outcome",
    "intervener",
    "host",
    "operation",
    "supporting",
    "place",
    "from",
    "attacker",
    "target",
    "fatalities",
    "fatalities_low",
    "fatalities_high",
    "retracts",
    "reason",
    "places",
    "ids",
    "into",
    "replaced_by",
];

/// One parsed line: the event, and whether its id was derived from its content.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    pub event: Event,
    pub derived_id: bool,
}

/// Parses one line of format v1.
///
/// ```
/// let line = r#"{"type":"control_taken","place":"bamba","actor":"cma","date":"2023-10-01","claim":"claimed","claimed_by":"cma","sources":["seed"]}"#;
/// let parsed = annals_model::v1::parse_line(line).unwrap();
/// assert!(parsed.derived_id);
/// assert_eq!(parsed.event.kind.type_name(), "control_taken");
/// ```
pub fn parse_line(line: &str) -> Result<Parsed, LineError> {
    let fields = match serde_json::from_str(line).map_err(|e| LineError::Json(e.to_string()))? {
        TopLevel::Object(fields) => fields,
        TopLevel::Duplicate(field) => return Err(LineError::DuplicateField { field }),
        TopLevel::Other(what) => return Err(LineError::Json(format!("found {what}"))),
    };
    let mut f = Fields { fields, line };
    let ty_text = match f.remove("type") {
        None | Some(Value::Null) => return Err(LineError::MissingType),
        Some(Value::String(s)) => s,
        Some(other) => {
            return Err(LineError::BadValue {
                field: "type",
                problem: format!("expected a string, found {}", describe(&other)),
            })
        }
    };
    let ty = TYPES
        .iter()
        .copied()
        .find(|t| *t == ty_text)
        .ok_or_else(|| LineError::UnknownType(ty_text.clone()))?;

    // Unknown fields first: they are the likeliest typos (the first in
    // alphabetical order, so that the message does not depend on the order
    // of the line's fields).
    let unknown = f.keys().filter(|k| !COMMON.contains(k) && !ALL_FIELDS.contains(k)).min();
    if let Some(k) = unknown {
        return Err(LineError::UnknownField { field: k.to_string() });
    }

    let id: Option<EventId> = f.id("id", EventId::new)?;
    let date = f.date("date")?;
    let sources = f.ids("sources", SourceId::new)?.unwrap_or_default();
    let claim = match f.string("claim")? {
        None => None,
        Some(s) => Some(Claim::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| {
            LineError::BadValue {
                field: "claim",
                problem: format!(
                    "`{}` is not one of confirmed, reported, claimed, disputed",
                    excerpt(&s)
                ),
            }
        })?),
    };
    let claimed_by = f.id("claimed_by", ActorId::new)?;
    let claim =
        claim.unwrap_or(if claimed_by.is_some() { Claim::Claimed } else { Claim::Reported });
    let note = f.string("note")?;

    let kind = parse_kind(ty, &mut f)?;
    if let Some(k) = f.keys().min() {
        return Err(LineError::MisplacedField { ty, field: k.to_string() });
    }
    if kind.is_entity() && id.is_none() {
        return Err(LineError::MissingField { ty, field: "id" });
    }
    let undated = matches!(
        kind,
        EventKind::Retraction { .. } | EventKind::SameAs { .. } | EventKind::Identifiers { .. }
    );
    if !kind.is_entity() && !undated && date.is_none() {
        return Err(LineError::MissingField { ty, field: "date" });
    }
    let mut event =
        Event { id: EventId(Arc::from("")), date, sources, claim, claimed_by, note, kind };
    let derived_id = id.is_none();
    event.id = match id {
        Some(id) => id,
        None => derive_id(&event),
    };
    Ok(Parsed { event, derived_id })
}

// long because it has one arm per line type of format v1.
fn parse_kind(ty: &'static str, f: &mut Fields) -> Result<EventKind, LineError> {
    let need = Need(ty);
    let actor = |f: &mut Fields, field| f.id(field, ActorId::new);
    Ok(match ty {
        "source" | "actor" | "place" => parse_entity(ty, f)?,
        "membership_began" | "membership_ended" => {
            let member = need.get(actor(f, "member")?, "member")?;
            let group = need.get(actor(f, "group")?, "group")?;
            if member == group {
                return Err(bad("group", format!("`{member}` cannot be a member of itself")));
            }
            if ty == "membership_began" {
                EventKind::MembershipBegan { member, group }
            } else {
                EventKind::MembershipEnded { member, group }
            }
        }
        "alliance_formed" | "alliance_ended" => {
            let actors = need.get(f.ids("actors", ActorId::new)?, "actors")?;
            distinct("actors", &actors, 2, usize::MAX)?;
            let alliance = actor(f, "alliance")?;
            if ty == "alliance_formed" {
                EventKind::AllianceFormed { actors, alliance }
            } else {
                EventKind::AllianceEnded { actors, alliance }
            }
        }
        "hostilities_began" | "hostilities_ended" => {
            let actors = need.get(f.ids("actors", ActorId::new)?, "actors")?;
            distinct("actors", &actors, 2, 2)?;
            let [a, b]: [ActorId; 2] = actors.try_into().expect("checked length");
            let fatalities = fatalities(f)?;
            if ty == "hostilities_began" {
                EventKind::HostilitiesBegan { actors: [a, b], fatalities }
            } else {
                EventKind::HostilitiesEnded { actors: [a, b], fatalities }
            }
        }
        "agreement_signed" | "agreement_ended" => {
            let agreement = need.get(f.id("agreement", AgreementId::new)?, "agreement")?;
            let name = f.text("name")?;
            let signatories = f.ids("signatories", ActorId::new)?;
            if ty == "agreement_signed" {
                let name = need.get(name, "name")?;
                let signatories = need.get(signatories, "signatories")?;
                distinct("signatories", &signatories, 1, usize::MAX)?;
                EventKind::AgreementSigned { agreement, name: Some(name), signatories }
            } else {
                let signatories = signatories.unwrap_or_default();
                distinct("signatories", &signatories, 0, usize::MAX)?;
                EventKind::AgreementEnded { agreement, name, signatories }
            }
        }
        "government" => EventKind::Government {
            state: need.get(actor(f, "state")?, "state")?,
            actor: need.get(actor(f, "actor")?, "actor")?,
        },
        "coup" => EventKind::Coup {
            state: need.get(actor(f, "state")?, "state")?,
            perpetrator: need.get(actor(f, "perpetrator")?, "perpetrator")?,
            ousted: actor(f, "ousted")?,
            outcome: need
                .get(f.keyword("outcome", CoupOutcome::parse, CoupOutcome::ALL)?, "outcome")?,
        },
        "intervention_began" | "intervention_ended" => {
            let intervener = need.get(actor(f, "intervener")?, "intervener")?;
            let host = need.get(actor(f, "host")?, "host")?;
            let operation = f.text("operation")?;
            let supporting = actor(f, "supporting")?;
            if ty == "intervention_began" {
                EventKind::InterventionBegan { intervener, host, operation, supporting }
            } else {
                EventKind::InterventionEnded { intervener, host, operation, supporting }
            }
        }
        "control_taken" => EventKind::ControlTaken {
            place: need.get(f.id("place", PlaceId::new)?, "place")?,
            actor: need.get(actor(f, "actor")?, "actor")?,
            from: actor(f, "from")?,
        },
        "control_lost" => EventKind::ControlLost {
            place: need.get(f.id("place", PlaceId::new)?, "place")?,
            actor: need.get(actor(f, "actor")?, "actor")?,
        },
        "attack" => EventKind::Attack {
            attacker: need.get(actor(f, "attacker")?, "attacker")?,
            target: actor(f, "target")?,
            place: need.get(f.id("place", PlaceId::new)?, "place")?,
            fatalities: f.count("fatalities")?,
        },
        "retraction" => EventKind::Retraction {
            retracts: need.get(f.id("retracts", EventId::new)?, "retracts")?,
            reason: need.get(f.text("reason")?, "reason")?,
            replaced_by: f.id("replaced_by", EventId::new)?,
        },
        "same_as" => EventKind::SameAs { linked: parse_linked(f)? },
        "identifiers" => parse_identifiers(f)?,
        "actor_dissolved" => parse_dissolution(f)?,
        _ => unreachable!("type checked against TYPES"),
    })
}

/// The body of an `actor_dissolved` line.
fn parse_dissolution(f: &mut Fields) -> Result<EventKind, LineError> {
    let need = Need("actor_dissolved");
    let actor = need.get(f.id("actor", ActorId::new)?, "actor")?;
    let into = f.id("into", ActorId::new)?;
    if into.as_ref() == Some(&actor) {
        return Err(bad("into", format!("`{actor}` cannot dissolve into itself")));
    }
    Ok(EventKind::ActorDissolved { actor, into })
}

/// The body of an entity line: `source`, `actor` or `place`.
fn parse_entity(ty: &'static str, f: &mut Fields) -> Result<EventKind, LineError> {
    let need = Need(ty);
    Ok(match ty {
        "source" => EventKind::Source {
            title: need.get(f.text("title")?, "title")?,
            publisher: f.text("publisher")?,
            published: f.date("published")?,
            url: f.text("url")?,
            release: f.text("release")?,
            covers: f.date("covers")?,
        },
        "actor" => EventKind::Actor {
            name: need.get(f.name("name")?, "name")?,
            aliases: f.texts("aliases")?.unwrap_or_default(),
            kind: f.keyword("kind", ActorKind::parse, ActorKind::ALL)?,
        },
        "place" => EventKind::Place {
            name: need.get(f.name("name")?, "name")?,
            aliases: f.texts("aliases")?.unwrap_or_default(),
            kind: f.keyword("kind", PlaceKind::parse, PlaceKind::ALL)?,
            within: f.id("within", PlaceId::new)?,
            lat: f.coordinate("lat", LATITUDE_LIMIT)?,
            lon: f.coordinate("lon", LONGITUDE_LIMIT)?,
        },
        _ => unreachable!("called for entities only"),
    })
}

/// The deaths counted for hostilities: `fatalities` (the best estimate),
/// with `fatalities_low` and `fatalities_high` beside it, in that order.
fn fatalities(f: &mut Fields) -> Result<Option<Fatalities>, LineError> {
    let (best, low, high) =
        (f.count("fatalities")?, f.count("fatalities_low")?, f.count("fatalities_high")?);
    match best {
        Some(best) => Ok(Some(Fatalities { best, low, high })),
        None if low.is_some() || high.is_some() => Err(bad(
            if low.is_some() { "fatalities_low" } else { "fatalities_high" },
            "needs `fatalities`, the best estimate, beside it",
        )),
        None => Ok(None),
    }
}

/// Turns an absent required field into the error for this line type.
#[derive(Clone, Copy)]
struct Need(&'static str);

impl Need {
    fn get<T>(self, value: Option<T>, field: &'static str) -> Result<T, LineError> {
        value.ok_or(LineError::MissingField { ty: self.0, field })
    }
}

fn bad(field: &'static str, problem: impl Into<String>) -> LineError {
    LineError::BadValue { field, problem: problem.into() }
}

fn distinct<T: PartialEq + std::fmt::Display>(
    field: &'static str,
    ids: &[T],
    min: usize,
    max: usize,
) -> Result<(), LineError> {
    if ids.len() < min || ids.len() > max {
        let want = if min == max { format!("exactly {min}") } else { format!("at least {min}") };
        let what = if field == "places" { "place" } else { "actor" };
        return Err(bad(field, format!("expected {want} {what} ids, found {}", ids.len())));
    }
    for (i, a) in ids.iter().enumerate() {
        if ids[..i].contains(a) {
            return Err(bad(field, format!("`{a}` is listed twice")));
        }
    }
    Ok(())
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// What a line holds at its top level. serde_json's own maps keep the last of
/// two equal keys without a word, which would drop data silently; this reader
/// notices the repetition instead.
enum TopLevel<'a> {
    /// An object, each key given once, in the order of the line.
    Object(Vec<(Cow<'a, str>, Value)>),
    /// An object that gives this key more than once.
    Duplicate(String),
    /// Not an object: what it is instead (`a list`, `null` ...).
    Other(&'static str),
}

impl<'de> Deserialize<'de> for TopLevel<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TopLevel<'de>, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<TopLevel<'de>, A::Error> {
        // A line has a handful of fields: a list searched from end to end
        // is quicker than a map, and most keys are borrowed from the line.
        // A line with many (it is refused, but must be read to the end)
        // gets a set of its keys, so that reading it takes linear time.
        const MANY: usize = 32;
        let mut fields: Vec<(Cow<'de, str>, Value)> = Vec::with_capacity(8);
        let mut many: Option<HashSet<Cow<'de, str>>> = None;
        let mut duplicate = None;
        while let Some(Key(key)) = access.next_key::<Key<'de>>()? {
            let repeated = match &many {
                Some(keys) => keys.contains(&key),
                None => fields.iter().any(|(k, _)| *k == key),
            };
            if duplicate.is_some() || repeated {
                // Read on, so that a syntax error later in the line still wins.
                access.next_value::<IgnoredAny>()?;
                duplicate.get_or_insert(key.into_owned());
                continue;
            }
            let value = access.next_value::<Value>()?;
            match &mut many {
                Some(keys) => {
                    keys.insert(key.clone());
                }
                None if fields.len() + 1 == MANY => {
                    let keys = fields.iter().map(|(k, _)| k.clone());
                    many = Some(keys.chain([key.clone()]).collect());
                }
                None => {}
            }
            fields.push((key, value));
        }
        Ok(duplicate.map_or(TopLevel::Object(fields), TopLevel::Duplicate))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<TopLevel<'de>, A::Error> {
        while access.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other("a list"))
    }

    fn visit_unit<E>(self) -> Result<TopLevel<'de>, E> {
        Ok(TopLevel::Other("null"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<TopLevel<'de>, E> {
        Ok(TopLevel::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<TopLevel<'de>, E> {
        Ok(TopLevel::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<TopLevel<'de>, E> {
        Ok(TopLevel::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<TopLevel<'de>, E> {
        Ok(TopLevel::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<TopLevel<'de>, E> {
        Ok(TopLevel::Other("a string"))
    }
}

/// A key of a line's object: borrowed from the line unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key<'de>, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_string())))
    }

    fn visit_string<E>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> String {
        parse_line(line).unwrap_err().to_string()
    }

    #[test]
    fn lines_round_trip_through_the_canonical_form() {
        let line = r#"{"type":"control_taken","id":"cma-bamba","place":"bamba","actor":"cma","from":"fama","date":"2023-10-01","sources":["seed"],"claim":"claimed","claimed_by":"cma","note":"the army camp"}"#;
        let parsed = parse_line(line).unwrap();
        assert!(!parsed.derived_id);
        assert_eq!(to_line(&parsed.event), line);
    }

    #[test]
    fn a_dissolution_names_its_actor_and_perhaps_its_successor() {
        let line = r#"{"type":"actor_dissolved","id":"mujao-merged","actor":"mujao","into":"al-mourabitoun","date":"2013-08-22","sources":["s"]}"#;
        let parsed = parse_line(line).unwrap();
        assert_eq!(to_line(&parsed.event), line);
        let refs: Vec<(&str, &str)> =
            parsed.event.references().iter().map(|r| (r.field, r.id)).collect();
        assert_eq!(refs, [("sources", "s"), ("actor", "mujao"), ("into", "al-mourabitoun")]);
        let alone = parse_line(r#"{"type":"actor_dissolved","actor":"cnsp","date":"2021-01?"}"#);
        assert!(matches!(alone.unwrap().event.kind, EventKind::ActorDissolved { into: None, .. }));
        assert_eq!(
            err(r#"{"type":"actor_dissolved","actor":"a","into":"a","date":"2021"}"#),
            "field `into`: `a` cannot dissolve into itself"
        );
        assert_eq!(
            err(r#"{"type":"actor_dissolved","into":"b","date":"2021"}"#),
            "a `actor_dissolved` line needs the field `actor`"
        );
        assert_eq!(
            err(r#"{"type":"actor_dissolved","actor":"a"}"#),
            "a `actor_dissolved` line needs the field `date`"
        );
        assert_eq!(
            err(r#"{"type":"control_lost","place":"x","actor":"a","into":"b","date":"2023"}"#),
            "field `into` does not belong on a `control_lost` line"
        );
    }

    #[test]
    fn derived_ids_depend_on_content_only() {
        let a =
            parse_line(r#"{"type":"control_lost","place":"bamba","actor":"cma","date":"2023-10"}"#)
                .unwrap();
        let b = parse_line(r#"{ "date":"2023-10", "actor":"cma", "place":"bamba", "type":"control_lost", "claim":"reported" }"#).unwrap();
        let c =
            parse_line(r#"{"type":"control_lost","place":"bamba","actor":"cma","date":"2023-11"}"#)
                .unwrap();
        assert!(a.derived_id);
        assert_eq!(a.event.id, b.event.id);
        assert_ne!(a.event.id, c.event.id);
        assert!(a.event.id.as_str().starts_with("ev-"));
    }

    /// Lines with many fields are read in linear time (before, the list of
    /// fields was searched for every new key, so this line took minutes),
    /// and name the same field, wherever the key is repeated or misspelt.
    #[test]
    fn a_line_with_many_fields_names_its_duplicate_or_its_first_unknown_field() {
        let fields: Vec<String> = (0..200_000).rev().map(|i| format!(r#""k{i:06}":1"#)).collect();
        let line = format!(r#"{{"type":"attack",{}}}"#, fields.join(","));
        assert_eq!(err(&line), "unknown field `k000000`");
        let repeated =
            format!(r#"{{"type":"attack",{},"k123456":2,"k000001":3}}"#, fields.join(","));
        assert_eq!(err(&repeated), "the field `k123456` is given twice");
        // A repetition among the first few fields, before the set exists.
        let early = r#"{"type":"attack","place":"a","note":"x","place":"b"}"#;
        assert_eq!(err(early), "the field `place` is given twice");
    }

    /// The fields added to format v1 for datasets: a source's release and
    /// coverage, deaths on hostilities, and coup conspiracies. A line
    /// without them reads and writes as before.
    #[test]
    fn dataset_fields_round_trip_and_are_checked() {
        for line in [
            r#"{"type":"source","id":"powell-thyne:v2022.11.29","title":"Powell & Thyne coups, V2022.11.29","release":"V2022.11.29","covers":"1950/2022"}"#,
            r#"{"type":"hostilities_began","id":"h","actors":["mali","cma"],"fatalities":59,"fatalities_low":3,"fatalities_high":138,"date":"1991"}"#,
            r#"{"type":"hostilities_ended","id":"h2","actors":["mali","cma"],"fatalities":7,"date":"1991"}"#,
            r#"{"type":"coup","id":"c","state":"mali","perpetrator":"p","outcome":"conspiracy","date":"1978-02-28"}"#,
        ] {
            assert_eq!(to_line(&parse_line(line).unwrap().event), line);
        }
        assert_eq!(
            err(
                r#"{"type":"hostilities_began","actors":["a","b"],"fatalities_low":3,"date":"1991"}"#
            ),
            "field `fatalities_low`: needs `fatalities`, the best estimate, beside it"
        );
        // Estimates are kept as the dataset gives them, in any order.
        let unordered = r#"{"type":"hostilities_began","id":"h3","actors":["a","b"],"fatalities":3,"fatalities_high":2,"date":"1991"}"#;
        assert_eq!(to_line(&parse_line(unordered).unwrap().event), unordered);
        assert_eq!(
            err(r#"{"type":"source","id":"s","title":"T","covers":"1950/1949"}"#),
            "field `covers`: invalid date `1950/1949`: the interval ends before it starts"
        );
        assert_eq!(
            err(r#"{"type":"actor","id":"a","name":"A","release":"1"}"#),
            "field `release` does not belong on a `actor` line"
        );
    }

    #[test]
    fn claimed_by_implies_a_claim() {
        let p = parse_line(r#"{"type":"attack","attacker":"jnim","place":"bamba","date":"2023-09-07","claimed_by":"jnim"}"#).unwrap();
        assert_eq!(p.event.claim, Claim::Claimed);
    }

    #[test]
    fn bad_lines_name_the_problem() {
        assert!(err("{").starts_with("not a JSON object"));
        assert_eq!(err("[1]"), "not a JSON object: found a list");
        assert!(err(r#"{"id":"x"}"#).starts_with("missing field `type`"));
        assert!(err(r#"{"type":"seized"}"#).starts_with("unknown type `seized`"));
        assert_eq!(
            err(r#"{"type":"control_taken","palce":"x","actor":"a","date":"2023"}"#),
            "unknown field `palce`"
        );
        assert_eq!(
            err(r#"{"type":"control_lost","place":"x","actor":"a","from":"b","date":"2023"}"#),
            "field `from` does not belong on a `control_lost` line"
        );
        assert_eq!(
            err(r#"{"type":"control_lost","actor":"a","date":"2023"}"#),
            "a `control_lost` line needs the field `place`"
        );
        assert_eq!(
            err(r#"{"type":"control_lost","place":"x","actor":"a"}"#),
            "a `control_lost` line needs the field `date`"
        );
        assert_eq!(err(r#"{"type":"actor","name":"CMA"}"#), "a `actor` line needs the field `id`");
        assert_eq!(
            err(r#"{"type":"control_lost","place":"x","actor":"a","date":"2022-13-45"}"#),
            "field `date`: invalid date `2022-13-45`: month 13 does not exist"
        );
        assert!(err(r#"{"type":"control_lost","place":"Bamba","actor":"a","date":"2023"}"#)
            .starts_with("field `place`: invalid id `Bamba`"));
        assert_eq!(
            err(r#"{"type":"hostilities_began","actors":["a"],"date":"2023"}"#),
            "field `actors`: expected exactly 2 actor ids, found 1"
        );
        assert_eq!(
            err(r#"{"type":"attack","attacker":"a","place":"p","date":"2023","fatalities":-1}"#),
            format!("field `fatalities`: -1 is not a whole number from 0 to {}", u64::MAX)
        );
        // A name that folds to nothing for lookup.
        assert!(err(r#"{"type":"actor","id":"a","name":"\u0301\u0302"}"#)
            .starts_with("field `name`: the name `\u{301}\u{302}` (U+0301 U+0302) is only spacing and combining marks"));
        assert!(err(r#"{"type":"place","id":"p","name":"P","aliases":["Q"," \u0301 "]}"#)
            .starts_with("field `aliases`: the name"));
        // A number is quoted as written, not as it reads (`100.0`).
        for (written, line) in [
            (
                "1e2",
                r#"{"type":"attack","attacker":"a","place":"p","date":"2023","fatalities":1e2}"#,
            ),
            (
                "2.50",
                r#"{"type":"attack","note":"\"fatalities\": 1","fatalities" : 2.50,"attacker":"a","place":"p","date":"2023"}"#,
            ),
            (
                "-0.0",
                r#"{"type":"attack","attacker":"a","place":"p","date":"2023","fatalities":-0.0}"#,
            ),
        ] {
            let want = format!(
                "field `fatalities`: {written} is not a whole number from 0 to {}",
                u64::MAX
            );
            assert_eq!(err(line), want);
        }
        assert_eq!(
            err(r#"{"type":"place","id":"p","name":"P","lat":9.1E1}"#),
            "field `lat`: 9.1E1 is outside -90..90"
        );
        assert_eq!(
            err(r#"{"type":"place","id":"p","name":"P","lat":91}"#),
            "field `lat`: 91 is outside -90..90"
        );
        assert_eq!(
            err(r#"{"type":"actor","id":"a","name":"A","kind":"rebels"}"#).split(" is not").next(),
            Some("field `kind`: `rebels`")
        );
        assert!(err(
            r#"{"type":"control_lost","place":"x","actor":"a","date":"2023","claim":"sure"}"#
        )
        .contains("`sure` is not one of"));
        assert!(err(
            r#"{"type":"control_lost","place":"x","actor":"a","date":"2023","sources":"s"}"#
        )
        .contains("expected a list"));
    }

    #[test]
    fn a_field_given_twice_is_an_error_not_a_silent_choice() {
        assert_eq!(
            err(r#"{"type":"source","id":"s","title":"A","title":"B"}"#),
            "the field `title` is given twice"
        );
        assert_eq!(
            err(r#"{"type":"source","type":"actor","id":"s","title":"A"}"#),
            "the field `type` is given twice"
        );
        // A syntax error further on is still what the line is told.
        assert!(err(r#"{"type":"source","id":"s","id":"t","title":}"#)
            .starts_with("not a JSON object: expected value"));
        for (line, what) in [("null", "null"), ("true", "a boolean"), ("-1.5", "a number")] {
            assert_eq!(err(line), format!("not a JSON object: found {what}"));
        }
        assert_eq!(err(r#""source""#), "not a JSON object: found a string");
    }

    #[test]
    fn huge_values_make_short_messages() {
        let huge = "x".repeat(10_000_000);
        let lines = [
            format!(r#"{{"type":"{huge}"}}"#),
            format!(r#"{{"type":"source","id":"s","title":"T","{huge}":1}}"#),
            format!(r#"{{"type":"source","id":"s","title":"T","{huge}":1,"{huge}":2}}"#),
            format!(r#"{{"type":"source","id":"{huge}","title":"T"}}"#),
            format!(r#"{{"type":"source","id":"s","title":"T","claim":"{huge}"}}"#),
            format!(r#"{{"type":"actor","id":"a","name":"A","kind":"{huge}"}}"#),
            format!(r#"{{"type":"control_lost","place":"p","actor":"a","date":"{huge}"}}"#),
            format!(r#"{{"type":"control_lost","place":"p","actor":"a","date":"2023/{huge}"}}"#),
        ];
        for line in &lines {
            let message = err(line);
            assert!(message.len() < 700, "{} bytes: {}", message.len(), excerpt(&message));
            assert!(message.contains("… (10000000 bytes)"), "{message}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let line =
            format!("{{\"type\":\"source\",\"x\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_line(&line).is_err());
    }
}
