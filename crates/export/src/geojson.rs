//! Control over time as GeoJSON (RFC 7946), for maps with a time slider
//! (QGIS's temporal controller, kepler.gl): every place with coordinates, one
//! Point feature per stretch of days over which an actor holds it the same
//! way (`start` to `end`, both included, as `graph --on` shows it). The map of
//! one day is the application's (`annals_app::answer::map_json`).

use std::collections::BTreeMap;

use annals_model::PlaceId;
use annals_replay::{EdgeStatus, Node, RelationKind, Stretch, World};
use serde_json::{json, Value};

use crate::node_json;

/// `{"type": "FeatureCollection", "features": [...], "without_coordinates": N}`.
/// A set of linked places is drawn once, under the id its answers use,
/// with `same_as` listing its ids (itself included).
/// Each feature's properties: the place's `id`, `name`, `kind` and `within`;
/// the `controller` (`{id, name, kind}`), the `status` as the map of one
/// day words it (`controlled`, `contested` or `uncertain`: this actor may
/// hold it), `since` and `claim`, and `start` and `end`
/// (the first and last day, `end` null while it still holds). A place no
/// one is known to hold is one feature with a null controller, `status`
/// `unknown` and null days. Sorted by place, then start, then controller.
pub fn timeline_geojson(world: &World) -> Value {
    let stretches = world.stretches();
    let mut held: BTreeMap<&PlaceId, Vec<(&Node, &Stretch)>> = BTreeMap::new();
    for (key, list) in &stretches {
        if let (RelationKind::Controls, Node::Place(p)) = (key.kind, &key.target) {
            held.entry(p).or_default().extend(list.iter().map(|s| (&key.source, s)));
        }
    }
    let mut features = Vec::new();
    let (located, without) = world.located_places();
    for (place, (lat, lon)) in located {
        let mut base = json!({
            "id": place.id.as_str(),
            "name": place.name,
            "kind": place.kind.map(|k| k.as_str()),
            "within": place.within.as_ref().map(|w| w.as_str()),
        });
        let linked = world.linked_places(&place.id);
        if !linked.is_empty() {
            base["same_as"] = json!(linked.iter().map(PlaceId::as_str).collect::<Vec<_>>());
        }
        let feature = |id: String, properties: Value| {
            json!({
                "type": "Feature",
                "id": id,
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": properties,
            })
        };
        let mut list = runs(held.remove(&place.id).unwrap_or_default());
        list.sort_by(|a, b| (a.1, a.0).cmp(&(b.1, b.0)));
        if list.is_empty() {
            let mut p = base.clone();
            for (k, v) in [("controller", Value::Null), ("status", json!("unknown"))] {
                p[k] = v;
            }
            for k in ["since", "claim", "start", "end"] {
                p[k] = Value::Null;
            }
            features.push(feature(place.id.to_string(), p));
        }
        for (actor, start, last, s) in list {
            let mut p = base.clone();
            p["controller"] = node_json(world, actor);
            p["status"] = json!(match s.edge.status {
                EdgeStatus::Valid => "controlled",
                other => other.as_str(),
            });
            p["since"] = json!(s.edge.since.map(|d| d.to_string()));
            p["claim"] = json!(s.edge.claim.map(|c| c.as_str()));
            p["start"] = json!(start.to_string());
            p["end"] = json!(last.map(|d| d.to_string()));
            features.push(feature(format!("{}@{}@{start}", place.id, actor.id()), p));
        }
    }
    json!({ "type": "FeatureCollection", "features": features, "without_coordinates": without })
}

type Run<'a> = (&'a Node, chrono::NaiveDate, Option<chrono::NaiveDate>, &'a Stretch);

/// Stretches of one actor that follow one another with the same status,
/// date and claim joined (a map has no use for the expected end).
fn runs<'a>(list: Vec<(&'a Node, &'a Stretch)>) -> Vec<Run<'a>> {
    let mut out: Vec<Run<'a>> = Vec::new();
    for (actor, s) in list {
        if let Some((a, _, last, first)) = out.last_mut() {
            let same = (first.edge.status, first.edge.since, first.edge.claim)
                == (s.edge.status, s.edge.since, s.edge.claim);
            if *a == actor && same && last.and_then(|l| l.succ_opt()) == Some(s.start) {
                *last = s.last;
                continue;
            }
        }
        out.push((actor, s.start, s.last, s));
    }
    out
}
