//! The control map of a day: every place with coordinates and who held it,
//! as a GeoJSON FeatureCollection. Typed, so that a server writes the
//! thousands of features of a large log straight to bytes instead of
//! building (and dropping) a tree of JSON values.

use std::collections::HashMap;
use std::io::Write;

use annals_model::{ActorId, Claim, Date, EventId};
use annals_replay::{Status, World};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::vocab::{days, EntityRef};

/// A FeatureCollection (RFC 7946). Fields are declared in the order of
/// their names, which is the order `serde_json::Value` objects print in,
/// so the bytes are the same either way.
#[derive(Debug, Serialize)]
pub struct ControlMap<'w> {
    date: String,
    features: Vec<Feature<'w>>,
    #[serde(rename = "type")]
    kind: &'static str,
    /// Places without coordinates: counted, not drawn.
    without_coordinates: usize,
}

#[derive(Debug, Serialize)]
struct Feature<'w> {
    geometry: Point,
    id: &'w str,
    properties: Properties<'w>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct Point {
    /// Longitude, latitude.
    coordinates: [f64; 2],
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct Properties<'w> {
    claim: Option<&'static str>,
    controller: Option<EntityRef<'w>>,
    event: Option<&'w str>,
    id: &'w str,
    kind: Option<&'static str>,
    name: &'w str,
    /// The ids of the place's set of linked places, itself included: the
    /// set is drawn once, under the id its answers use.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    same_as: Vec<&'w str>,
    since: Option<String>,
    since_earliest: Option<String>,
    since_latest: Option<String>,
    status: &'static str,
    within: Option<&'w str>,
}

/// Every place with coordinates and who held it on `day`: the answers of
/// `control` (their headlines: no evidence is built), from the interval
/// index when the world has built it. A set
/// of linked places is one feature ([`World::mapped_places`]).
pub fn control_map(world: &World, day: NaiveDate) -> ControlMap<'_> {
    let mut features = Vec::new();
    let (located, without) = world.located_places();
    for (place, (lat, lon)) in located {
        let a = world.control_headline(&place.id, day);
        let [since_earliest, since_latest] = days(a.since.as_ref());
        features.push(Feature {
            geometry: Point { coordinates: [lon, lat], kind: "Point" },
            id: place.id.as_str(),
            properties: Properties {
                claim: a.claim.map(|c| c.as_str()),
                controller: a.controller.map(|c| EntityRef::actor(world, c)),
                event: a.event.map(|e| e.as_str()),
                id: place.id.as_str(),
                kind: place.kind.map(|k| k.as_str()),
                name: &place.name,
                same_as: world.linked_places(&place.id).iter().map(|p| p.as_str()).collect(),
                since: a.since.map(|d| d.to_string()),
                since_earliest,
                since_latest,
                status: a.status.as_str(),
                within: place.within.as_ref().map(|w| w.as_str()),
            },
            kind: "Feature",
        });
    }
    ControlMap {
        date: day.to_string(),
        features,
        kind: "FeatureCollection",
        without_coordinates: without,
    }
}

/// What the map of every day shares, made once per world: each drawn
/// place's feature around the properties that depend on the day, each
/// controller as written, and every answer each place's timeline gives,
/// interval by interval, with the days they change on. [`MapBase::write`]
/// then prints the map of a day as [`control_map`] serialized does, byte
/// for byte, looking each place's answer up among its own days (a server
/// keeps one with its world).
#[derive(Debug)]
pub struct MapBase {
    places: Vec<Piece>,
    without_coordinates: usize,
    /// Each actor that controls a place at some time, numbered, as
    /// `{"id":…,"kind":…,"name":…}`.
    controllers: Vec<String>,
    /// The days each place's answer changes on, place after place.
    days: Vec<NaiveDate>,
    /// The answer of each interval between those days, place after place:
    /// a place with `n` days has `n + 1`, the first holding before them.
    answers: Vec<Head>,
}

/// A drawn place's feature, less its day's answer: `head` runs to the
/// value of `claim`, `middle` from after `event` to the value of `since`,
/// `tail` from after `status` to the end.
#[derive(Debug)]
struct Piece {
    head: String,
    middle: String,
    tail: String,
    /// Its days in `MapBase::days`.
    days: std::ops::Range<u32>,
    /// Its first answer in `MapBase::answers`.
    answers: u32,
}

/// What a map shows of one answer ([`annals_replay::Headline`]), with its
/// controller as a number of `MapBase::controllers`.
#[derive(Debug)]
struct Head {
    status: Status,
    claim: Option<Claim>,
    controller: Option<u32>,
    since: Option<Date>,
    event: Option<EventId>,
}

impl MapBase {
    /// The base of `world`'s maps, from its interval index (built here if
    /// it is not yet).
    pub fn new(world: &World) -> MapBase {
        let index = world.index();
        let (located, without_coordinates) = world.located_places();
        let mut base = MapBase {
            places: Vec::with_capacity(located.len()),
            without_coordinates,
            controllers: Vec::new(),
            days: Vec::new(),
            answers: Vec::new(),
        };
        let mut numbers: HashMap<&ActorId, u32> = HashMap::new();
        for (place, (lat, lon)) in located {
            let id = json(&place.id.as_str());
            let geometry = json(&Point { coordinates: [lon, lat], kind: "Point" });
            let same_as: Vec<&str> =
                world.linked_places(&place.id).iter().map(|p| p.as_str()).collect();
            let same_as = match same_as.is_empty() {
                true => String::new(),
                false => format!(",\"same_as\":{}", json(&same_as)),
            };
            let kind = json(&place.kind.map(|k| k.as_str()));
            let name = json(&place.name.as_str());
            let within = json(&place.within.as_ref().map(|w| w.as_str()));
            let (first_day, answers) = (number(base.days.len()), number(base.answers.len()));
            for (start, a) in index.control_headlines(index.place_key(&place.id)) {
                base.days.extend(start);
                let controller = a.controller.map(|c| {
                    *numbers.entry(c).or_insert_with(|| {
                        base.controllers.push(json(&EntityRef::actor(world, c)));
                        number(base.controllers.len() - 1)
                    })
                });
                let (status, claim, since) = (a.status, a.claim, a.since);
                base.answers.push(Head {
                    status,
                    claim,
                    controller,
                    since,
                    event: a.event.cloned(),
                });
            }
            base.places.push(Piece {
                head: format!("{{\"geometry\":{geometry},\"id\":{id},\"properties\":{{\"claim\":"),
                middle: format!(",\"id\":{id},\"kind\":{kind},\"name\":{name}{same_as},\"since\":"),
                tail: format!(",\"within\":{within}}},\"type\":\"Feature\"}}"),
                days: first_day..number(base.days.len()),
                answers,
            });
        }
        base
    }

    /// The map of `day` as JSON: the bytes of [`control_map`] serialized.
    pub fn write(&self, day: NaiveDate) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.places.len() * 400 + 128);
        out.extend_from_slice(b"{\"date\":");
        quoted_day(&mut out, day);
        out.extend_from_slice(b",\"features\":[");
        for (i, piece) in self.places.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let days = &self.days[piece.days.start as usize..piece.days.end as usize];
            let a = &self.answers[piece.answers as usize + days.partition_point(|d| *d <= day)];
            out.extend_from_slice(piece.head.as_bytes());
            match a.claim {
                Some(claim) => quoted(&mut out, claim.as_str()),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"controller\":");
            match a.controller {
                Some(c) => out.extend_from_slice(self.controllers[c as usize].as_bytes()),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"event\":");
            match &a.event {
                Some(event) => quoted(&mut out, event),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(piece.middle.as_bytes());
            match &a.since {
                Some(since) => {
                    let (earliest, latest) = (since.earliest(), since.latest());
                    match *since == Date::day(earliest) {
                        true => quoted_day(&mut out, earliest),
                        false => quoted(&mut out, since),
                    }
                    out.extend_from_slice(b",\"since_earliest\":");
                    quoted_day(&mut out, earliest);
                    out.extend_from_slice(b",\"since_latest\":");
                    quoted_day(&mut out, latest);
                }
                None => {
                    out.extend_from_slice(b"null,\"since_earliest\":null,\"since_latest\":null")
                }
            }
            out.extend_from_slice(b",\"status\":");
            quoted(&mut out, a.status.as_str());
            out.extend_from_slice(piece.tail.as_bytes());
        }
        out.extend_from_slice(b"],\"type\":\"FeatureCollection\",\"without_coordinates\":");
        out.extend_from_slice(self.without_coordinates.to_string().as_bytes());
        out.push(b'}');
        out
    }
}

/// Appends `day` as a JSON string, as its `Display` writes it
/// (`YYYY-MM-DD`), without the formatting machinery for the years
/// 0–9999.
fn quoted_day(out: &mut Vec<u8>, day: NaiveDate) {
    let Ok(year @ 0..=9999) = u32::try_from(day.year()) else {
        return quoted(out, day);
    };
    let digit = |n: u32| b'0' + (n % 10) as u8;
    let (month, d) = (day.month(), day.day());
    out.extend_from_slice(&[
        b'"',
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(d / 10),
        digit(d),
        b'"',
    ]);
}

/// `i` as a `u32` position.
fn number(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 places, days and actors")
}

/// Appends `text` as a JSON string. Only for texts that JSON does not
/// escape: ids (slugs), dates and the words of statuses and claims.
fn quoted(out: &mut Vec<u8>, text: impl std::fmt::Display) {
    let start = out.len();
    write!(out, "\"{text}\"").expect("writing to memory");
    debug_assert!(
        !out[start + 1..out.len() - 1].iter().any(|&b| b == b'"' || b == b'\\' || b < 0x20),
        "{text} needs escaping"
    );
}

/// `value` as compact JSON text.
fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("a value of the map is JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_day(text: &str) -> NaiveDate {
        annals_model::parse_day(text).unwrap()
    }

    fn chronicle() -> World {
        World::replay(annals_testkit::recorded(annals_testkit::parse_lines(crate::CHRONICLE)))
    }

    #[test]
    fn the_typed_map_prints_as_a_tree_of_json_values_would() {
        let world = chronicle();
        let day = annals_model::parse_day("2023-10-02").unwrap();
        let map = control_map(&world, day);
        let typed = serde_json::to_string(&map).unwrap();
        let tree = serde_json::to_string(&serde_json::to_value(&map).unwrap()).unwrap();
        assert_eq!(typed, tree);
        let drawn = world.mapped_places().filter(|(_, at)| at.is_some()).count();
        assert_eq!(map.features.len(), drawn);
        assert_eq!(map.without_coordinates, world.mapped_places().count() - drawn);
    }

    /// Every day on which some place's answer changes, the days either
    /// side, and the ends of time: from the interval index of `world`.
    fn days_that_matter(world: &World) -> Vec<NaiveDate> {
        let (first, last) = world.date_span().unwrap();
        let mut days = vec![first.pred_opt().unwrap(), last.succ_opt().unwrap()];
        let (located, _) = world.located_places();
        for (place, _) in located {
            for &d in world.index().control_changes(&place.id) {
                days.extend([d.pred_opt().unwrap(), d, d.succ_opt().unwrap()]);
            }
        }
        days.sort();
        days.dedup();
        days
    }

    /// The base's bytes are the typed map's, folded (on a world that
    /// never built its interval index) and from the index; `replay`
    /// gives the same world each time.
    fn base_writes_as_the_typed_map(replay: impl Fn() -> World, days: &[NaiveDate]) {
        let (folded, indexed) = (replay(), replay());
        let base = MapBase::new(&indexed);
        assert!(folded.built_index().is_none() && indexed.built_index().is_some());
        for &day in days {
            let written = String::from_utf8(base.write(day)).unwrap();
            for world in [&folded, &indexed] {
                let typed = serde_json::to_string(&control_map(world, day)).unwrap();
                assert_eq!(written, typed, "{day}, index built: {}", world.built_index().is_some());
            }
        }
    }

    #[test]
    fn the_base_writes_the_chronicles_map_of_every_day_as_the_typed_map_prints() {
        let days = days_that_matter(&chronicle());
        assert!(days.len() > 100);
        base_writes_as_the_typed_map(chronicle, &days);
    }

    #[test]
    fn the_base_writes_a_synthetic_logs_map_as_the_typed_map_prints() {
        let replay =
            || World::replay(annals_testkit::recorded(annals_synth::events(20_000, 5).collect()));
        let days: Vec<NaiveDate> = days_that_matter(&replay()).into_iter().step_by(37).collect();
        assert!(replay().located_places().0.len() > 50);
        base_writes_as_the_typed_map(replay, &days);
    }

    #[test]
    fn the_base_writes_linked_places_once_with_their_ids() {
        let lines = [
            r#"{"type":"source","id":"s","title":"S"}"#,
            r#"{"type":"actor","id":"a","name":"A \"the first\"","kind":"armed_group"}"#,
            r#"{"type":"place","id":"p","name":"P","kind":"town","lat":16.5,"lon":-1.25}"#,
            r#"{"type":"place","id":"gazetteer:p","name":"Pé","within":"p"}"#,
            r#"{"type":"place","id":"q","name":"Q"}"#,
            r#"{"type":"same_as","id":"link-p","places":["p","gazetteer:p"],"sources":["s"]}"#,
            r#"{"type":"control_taken","id":"t1","place":"gazetteer:p","actor":"a","date":"2020-03","sources":["s"]}"#,
            r#"{"type":"control_taken","id":"t2","place":"q","actor":"undescribed","date":"2020-03-04","sources":["s"]}"#,
        ];
        let replay = || {
            World::replay(annals_testkit::recorded(annals_testkit::parse_lines(&lines.join("\n"))))
        };
        let map = serde_json::to_value(control_map(&replay(), parse_day("2021-01-01"))).unwrap();
        assert_eq!(
            map["features"][0]["properties"]["same_as"],
            serde_json::json!(["gazetteer:p", "p"])
        );
        let days = ["2019-12-31", "2020-03-01", "2020-03-31", "2020-04-01"].map(parse_day);
        base_writes_as_the_typed_map(replay, &days);
    }

    #[test]
    fn a_day_is_quoted_as_it_displays() {
        let years = [-44, 0, 7, 99, 1000, 1999, 2023, 9999, 10_000];
        for (year, month, day) in
            years.into_iter().flat_map(|y| [(y, 1, 1), (y, 10, 31), (y, 2, 28)])
        {
            let date = NaiveDate::from_ymd_opt(year, month, day).unwrap();
            let mut out = Vec::new();
            quoted_day(&mut out, date);
            assert_eq!(String::from_utf8(out).unwrap(), format!("\"{date}\""));
        }
    }

    #[test]
    fn each_feature_carries_the_control_answer_of_its_place() {
        let world = chronicle();
        let day = annals_model::parse_day("2023-10-02").unwrap();
        let value = serde_json::to_value(control_map(&world, day)).unwrap();
        let mut controlled = 0;
        for feature in value["features"].as_array().unwrap() {
            let id = feature["id"].as_str().unwrap();
            let place = world.resolve_place(id).unwrap();
            let answer = world.control(&place, day);
            let properties = &feature["properties"];
            assert_eq!(properties["status"], answer.status.as_str(), "{id}");
            let controller = answer.controller.as_ref().map(|c| c.as_str());
            assert_eq!(properties["controller"]["id"].as_str(), controller, "{id}");
            controlled += usize::from(controller.is_some());
        }
        assert!(controlled > 10, "the chronicle holds controlled places on that day");
    }
}
