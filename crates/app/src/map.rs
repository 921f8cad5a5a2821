//! The control map of a day: every place with coordinates and who held it,
//! as a GeoJSON FeatureCollection. Typed, so that a server writes the
//! thousands of features of a large log straight to bytes instead of
//! building (and dropping) a tree of JSON values.

use annals_replay::World;
use chrono::NaiveDate;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chronicle() -> World {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        let lines = crate::CHRONICLE.lines().filter(|l| !l.trim().is_empty());
        World::replay(lines.enumerate().map(|(i, l)| annals_model::Recorded {
            seq: i as u64 + 1,
            recorded_at: t,
            origin: None,
            event: annals_model::v1::parse_line(l).unwrap().event,
        }))
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
