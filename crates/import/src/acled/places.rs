//! Locations that share a name within one district. ACLED's place ids
//! follow its hierarchy (`acled:mali.mopti.bandiagara.amba`), but a
//! district may hold two villages of one name, far apart. Before a file's
//! events are made, it is read once for where its locations are (a
//! [`Survey`]); positions of one location id more than [`APART_KM`] apart
//! are different places, and [`Survey::decide`] gives each its id
//! (docs/ACLED.md, "Places"): the location id as before for the one that
//! keeps it, the location id and its position (`….amba.14-78n-3-54w`) for
//! the others. Then each row's places are made: its country, its region,
//! its location and a base, with their `acled-location` and `acled-base`
//! identifiers.

use std::collections::HashMap;

use annals_model::{
    is_coordinate, Claim, Entity, Event, EventId, EventKind, PlaceId, PlaceKind, RefKind, SourceId,
    LATITUDE_LIMIT, LONGITUDE_LIMIT,
};

use super::rows::{Row, Side};
use super::ACLED_DATASET_SOURCE;
use crate::emit::{checked_id, slug_id, slug_part, Emitter};
use crate::Problem;

/// Positions of one location id further apart than this (great-circle,
/// kilometres) are different places. ACLED writes one village's position
/// with other roundings, up to 4.7 km apart in the five files of
/// `shared/data` (Lilgomde, Burkina Faso); the nearest two villages of one
/// name in one district are 48.9 km apart (Kobou, Douentza).
pub(crate) const APART_KM: f64 = 10.0;

/// A position as a row gives it, by the bits of its two numbers (so that
/// `17.035` and `17.0350` are one).
pub(crate) type Key = (u64, u64);

fn key(lat: f64, lon: f64) -> Key {
    // `+ 0.0` makes `-0.0` the same as `0.0`.
    ((lat + 0.0).to_bits(), (lon + 0.0).to_bits())
}

fn position(key: Key) -> (f64, f64) {
    (f64::from_bits(key.0), f64::from_bits(key.1))
}

/// Where ACLED's order of events puts an `event_id_cnty`: by its number
/// (`MLI1998` → 1998), then by its text. ACLED numbers a country's events
/// as it codes them, so the smallest number is the event it knew first.
type Order = (u64, String);

fn order(event_id_cnty: &str) -> Order {
    let digits: String = event_id_cnty.chars().filter(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), event_id_cnty.to_string())
}

/// The id of a location as ACLED's hierarchy makes it:
/// `acled:` country `.` admin1 [`.` admin2] `.` location, each a slug.
pub(crate) fn location_id(
    country: &str,
    admin1: &str,
    admin2: Option<&str>,
    location: &str,
) -> Result<String, Problem> {
    let mut id =
        format!("{}.{}", slug_id("acled:", "country", country)?, slug_part("admin1", admin1)?);
    if let Some(admin2) = admin2 {
        id = format!("{id}.{}", slug_part("admin2", admin2)?);
    }
    id = format!("{id}.{}", slug_part("location", location)?);
    checked_id("location", location, id)
}

/// The great-circle distance between two positions, in kilometres.
pub(crate) fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) =
        (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().min(1.0).asin()
}

/// The positions of each location id in a file's imported rows, each with
/// the first event (in ACLED's order) there. Its size grows with the
/// distinct positions, not with the rows.
#[derive(Debug, Default)]
pub(crate) struct Survey {
    groups: HashMap<String, HashMap<Key, Order>>,
}

impl Survey {
    /// Takes in a row's location (the columns as written); a row whose
    /// location makes no id or whose coordinates do not read is left out
    /// (its reading proper reports it).
    pub(crate) fn row(
        &mut self,
        event_id_cnty: &str,
        [country, admin1, admin2, location]: [&str; 4],
        lat: &str,
        lon: &str,
    ) {
        let admin2 = Some(admin2).filter(|a| !a.is_empty());
        let Ok(id) = location_id(country, admin1, admin2, location) else { return };
        let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else { return };
        if !is_coordinate(lat, LATITUDE_LIMIT) || !is_coordinate(lon, LONGITUDE_LIMIT) {
            return;
        }
        let order = order(event_id_cnty);
        let first = self
            .groups
            .entry(id)
            .or_default()
            .entry(key(lat, lon))
            .or_insert_with(|| order.clone());
        if order < *first {
            *first = order;
        }
    }

    /// Gives every position its place id. `stored` is where the log puts
    /// a place id it holds (`None` when it holds no such place, or one
    /// without coordinates).
    ///
    /// The positions of a location id within [`APART_KM`] of one another
    /// (transitively) are one place. When they all are, the place keeps
    /// the location id, unless the log holds that id more than
    /// [`APART_KM`] from them. Otherwise the location id goes to the
    /// place nearest where the log puts it (if within [`APART_KM`]), or,
    /// when the log lacks it, to the place of the first event in ACLED's
    /// order; every other place gets the location id followed by its
    /// position ([`suffix`]) at its first event. Nothing here depends on
    /// the order of the rows.
    pub(crate) fn decide(self, stored: impl Fn(&str) -> Option<(f64, f64)>) -> PlaceIds {
        let mut split = HashMap::new();
        for (location, positions) in self.groups {
            let clusters = clusters(positions);
            let held = stored(&location);
            let owner = match held {
                Some(at) => clusters
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        (
                            i,
                            c.keys
                                .iter()
                                .map(|k| km(at, position(*k)))
                                .fold(f64::INFINITY, f64::min),
                        )
                    })
                    .filter(|(_, d)| *d <= APART_KM)
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(i, _)| i),
                None => {
                    (0..clusters.len()).min_by(|&a, &b| clusters[a].first.cmp(&clusters[b].first))
                }
            };
            if clusters.len() == 1 && owner == Some(0) {
                continue;
            }
            let places = clusters
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let id = if owner == Some(i) {
                        location.clone()
                    } else {
                        let (lat, lon) = position(c.at);
                        format!("{location}.{}", suffix(lat, lon))
                    };
                    (c.keys, id)
                })
                .collect();
            split.insert(location, places);
        }
        PlaceIds { split }
    }
}

/// One place among the positions of a location id.
struct Cluster {
    /// Its positions, sorted.
    keys: Vec<Key>,
    /// The first event at any of them, in ACLED's order.
    first: Order,
    /// The position of that event.
    at: Key,
}

/// The positions joined into places: two within [`APART_KM`] are one.
fn clusters(positions: HashMap<Key, Order>) -> Vec<Cluster> {
    let mut points: Vec<(Key, Order)> = positions.into_iter().collect();
    // By latitude, so that only positions close in latitude are compared.
    points.sort_by(|a, b| {
        let (pa, pb) = (position(a.0), position(b.0));
        pa.0.total_cmp(&pb.0).then(pa.1.total_cmp(&pb.1))
    });
    let mut parent: Vec<usize> = (0..points.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // A degree of latitude is at least 110.5 km: further apart in
    // latitude, two positions are further apart than APART_KM.
    let window = APART_KM / 110.5;
    for (i, (at, _)) in points.iter().enumerate() {
        let a = position(*at);
        for (j, (other, _)) in points.iter().enumerate().skip(i + 1) {
            let b = position(*other);
            if b.0 - a.0 > window {
                break;
            }
            if km(a, b) <= APART_KM {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut by_root: Vec<Option<Cluster>> = (0..points.len()).map(|_| None).collect();
    for (i, (k, first)) in points.into_iter().enumerate() {
        let r = root(&mut parent, i);
        match &mut by_root[r] {
            Some(c) => {
                c.keys.push(k);
                if first < c.first {
                    (c.first, c.at) = (first, k);
                }
            }
            slot @ None => *slot = Some(Cluster { keys: vec![k], first, at: k }),
        }
    }
    by_root.into_iter().flatten().collect()
}

/// A position as part of an id, to the hundredth of a degree (about a
/// kilometre, so that two places more than [`APART_KM`] apart never get
/// one): `14.7827, -3.5372` → `14-78n-3-54w`.
pub(crate) fn suffix(lat: f64, lon: f64) -> String {
    let part = |x: f64, plus: char, minus: char| {
        let h = (x * 100.0).round() as i64;
        let hemisphere = if h < 0 { minus } else { plus };
        format!("{}-{:02}{hemisphere}", h.abs() / 100, h.abs() % 100)
    };
    format!("{}-{}", part(lat, 'n', 's'), part(lon, 'e', 'w'))
}

/// The place id of each position of the location ids that are not one
/// place under their own id: what [`Survey::decide`] decided, kept for the
/// file's second reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PlaceIds {
    /// Location id → each of its places: its positions and its id.
    split: HashMap<String, Vec<(Vec<Key>, String)>>,
}

impl PlaceIds {
    /// The id of the place at `lat`, `lon` of the location id `location`.
    /// A position the survey did not see (the file changed since) goes to
    /// the nearest place.
    pub(crate) fn id<'a>(&'a self, location: &'a str, lat: f64, lon: f64) -> &'a str {
        let Some(places) = self.split.get(location) else { return location };
        let k = key(lat, lon);
        if let Some((_, id)) =
            places.iter().find(|(keys, _)| keys.binary_search_by(|p| cmp_key(p, &k)).is_ok())
        {
            return id;
        }
        let distance = |keys: &Vec<Key>| {
            keys.iter().map(|p| km((lat, lon), position(*p))).fold(f64::INFINITY, f64::min)
        };
        places
            .iter()
            .min_by(|a, b| distance(&a.0).total_cmp(&distance(&b.0)))
            .map_or(location, |(_, id)| id.as_str())
    }

    /// The location ids that are several places, or whose one place the
    /// log holds elsewhere, with the ids of their places (sorted).
    #[cfg(test)]
    pub(crate) fn split(&self) -> std::collections::BTreeMap<&str, Vec<&str>> {
        self.split
            .iter()
            .map(|(l, places)| {
                let mut ids: Vec<&str> = places.iter().map(|(_, id)| id.as_str()).collect();
                ids.sort();
                (l.as_str(), ids)
            })
            .collect()
    }
}

/// The order [`clusters`] sorts a cluster's positions in.
fn cmp_key(a: &Key, b: &Key) -> std::cmp::Ordering {
    let (pa, pb) = (position(*a), position(*b));
    pa.0.total_cmp(&pb.0).then(pa.1.total_cmp(&pb.1))
}

// ---------------------------------------------------------------------------
// The places of a row

impl Emitter<'_> {
    /// The country, its region (`admin1`) and the location, created on first
    /// sight; returns the location. Ids follow the administrative hierarchy so
    /// that two places with one name in different districts stay two places;
    /// `places` tells apart places of one name in one district.
    pub(super) fn places(&mut self, row: &Row, places: &PlaceIds) -> Result<PlaceId, Problem> {
        let line = row.line;
        let country = slug_id("acled:", "country", &row.country)?;
        self.entity(line, RefKind::Place, &country, || EventKind::Place {
            name: row.country.clone(),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Country),
            within: None,
            lat: None,
            lon: None,
        })?;
        self.acled_country(line, &country, &row.country)?;
        let region = format!("{country}.{}", slug_part("admin1", &row.admin1)?);
        let region = checked_id("admin1", &row.admin1, region)?;
        let country_id = PlaceId::new(country).map_err(Problem::from)?;
        self.entity(line, RefKind::Place, &region, || EventKind::Place {
            name: row.admin1.clone(),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Region),
            within: Some(country_id),
            lat: None,
            lon: None,
        })?;
        let location =
            location_id(&row.country, &row.admin1, row.admin2.as_deref(), &row.location)?;
        let location = places.id(&location, row.lat, row.lon);
        let location = checked_id("location", &row.location, location.to_string())?;
        let region_id = PlaceId::new(region).map_err(Problem::from)?;
        self.entity(line, RefKind::Place, &location, || EventKind::Place {
            name: row.location.clone(),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Town),
            within: Some(region_id),
            lat: Some(row.lat),
            lon: Some(row.lon),
        })?;
        let location = PlaceId::new(location).map_err(Problem::from)?;
        let value = format!("{}|{}|{}|{}", row.country, row.location, row.lat, row.lon);
        self.identify(row, &location, "acled-location", value)?;
        Ok(location)
    }

    /// Gives an ACLED place an identifier of its own (`scheme`: its
    /// country, name and coordinates as a row gives them; a place that
    /// rows put at several coordinates has one for each). ACLED moves
    /// towns between regions from one release to another (Ménaka, from the
    /// Gao region to its own), which changes their ids here, since ids
    /// follow the hierarchy; the identifier stays, and makes the town's ids
    /// one place.
    fn identify(
        &mut self,
        row: &Row,
        place: &PlaceId,
        scheme: &str,
        value: String,
    ) -> Result<(), Problem> {
        let mut event = Event {
            id: EventId::new("pending").map_err(Problem::from)?,
            date: None,
            sources: vec![SourceId::new(ACLED_DATASET_SOURCE).map_err(Problem::from)?],
            claim: Claim::Reported,
            claimed_by: None,
            note: None,
            kind: EventKind::Identifiers {
                entity: Entity::Place(place.clone()),
                ids: vec![(scheme.to_string(), value)],
            },
        };
        // Derived from the content: rows may place one location at other
        // coordinates, each an identifier of its own.
        event.id = annals_model::v1::derive_id(&event);
        self.push(row.line, event, || format!("the identifiers of `{place}`"))
    }

    /// The base an actor established at a location: a place of its own, so
    /// that a base does not read as control of the whole town.
    pub(super) fn base(
        &mut self,
        row: &Row,
        location: &PlaceId,
        side: &Side,
    ) -> Result<PlaceId, Problem> {
        let id = format!("{location}.base.{}", slug_part("actor1", &side.name)?);
        let id = checked_id("actor1", &side.name, id)?;
        self.entity(row.line, RefKind::Place, &id, || EventKind::Place {
            name: format!("{} base at {}", side.name, row.location),
            aliases: Vec::new(),
            kind: Some(PlaceKind::Base),
            within: Some(location.clone()),
            lat: Some(row.lat),
            lon: Some(row.lon),
        })?;
        let base = PlaceId::new(id).map_err(Problem::from)?;
        let value =
            format!("{}|{}|{}|{}|{}", side.name, row.country, row.location, row.lat, row.lon);
        self.identify(row, &base, "acled-base", value)?;
        Ok(base)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const AMBA: [&str; 4] = ["Mali", "Mopti", "Bandiagara", "Amba"];

    fn survey(rows: &[(&str, [&str; 4], &str, &str)]) -> Survey {
        let mut s = Survey::default();
        for (id, place, lat, lon) in rows {
            s.row(id, *place, lat, lon);
        }
        s
    }

    /// The Ambas of Bandiagara cercle (Kendié's and Kassa's, 61 km apart),
    /// a second rounding of Kassa's, and Doro in Gao cercle.
    const ROWS: [(&str, [&str; 4], &str, &str); 5] = [
        ("MLI3895", AMBA, "14.7827", "-3.5372"),
        ("MLI1998", AMBA, "14.7916", "-2.9708"),
        ("MLI2001", AMBA, "14.79160", "-2.971"),
        ("MLI1027", ["Mali", "Gao", "Gao", "Doro"], "16.1433", "-0.8439"),
        ("MLI1594", ["Mali", "Gao", "Gao", "Doro"], "16.1433", "-0.8439"),
    ];

    #[test]
    fn far_apart_positions_of_one_name_are_places_of_their_own() {
        let ids = survey(&ROWS).decide(|_| None);
        let amba = "acled:mali.mopti.bandiagara.amba";
        // Kassa's Amba has the first event (MLI1998): it keeps the id.
        assert_eq!(ids.id(amba, 14.7916, -2.9708), amba);
        assert_eq!(ids.id(amba, 14.7916, -2.971), amba);
        assert_eq!(ids.id(amba, 14.7827, -3.5372), "acled:mali.mopti.bandiagara.amba.14-78n-3-54w");
        // One position: the id of the hierarchy, as ever.
        assert_eq!(ids.split().len(), 1, "{:?}", ids.split());
        assert_eq!(ids.id("acled:mali.gao.gao.doro", 16.1433, -0.8439), "acled:mali.gao.gao.doro");
    }

    #[test]
    fn the_log_decides_which_place_keeps_the_id() {
        let amba = "acled:mali.mopti.bandiagara.amba";
        // The log holds the id at Kendié's Amba: it keeps it.
        let ids = survey(&ROWS).decide(|id| (id == amba).then_some((14.7827, -3.5372)));
        assert_eq!(ids.id(amba, 14.7827, -3.5372), amba);
        assert_eq!(ids.id(amba, 14.7916, -2.9708), "acled:mali.mopti.bandiagara.amba.14-79n-2-97w");
        // A file that knows only Kendié's Amba, with a log that holds the
        // id at Kassa's: the id is not given to another village.
        let kendie = survey(&ROWS[..1]).decide(|id| (id == amba).then_some((14.7916, -2.9708)));
        assert_eq!(
            kendie.id(amba, 14.7827, -3.5372),
            "acled:mali.mopti.bandiagara.amba.14-78n-3-54w"
        );
        // Near where the log holds it: the id.
        let near = survey(&ROWS[..1]).decide(|id| (id == amba).then_some((14.78, -3.54)));
        assert_eq!(near.id(amba, 14.7827, -3.5372), amba);
        assert!(near.split().is_empty());
    }

    #[test]
    fn suffixes_are_hundredths_of_a_degree_with_their_hemisphere() {
        assert_eq!(suffix(14.7827, -3.5372), "14-78n-3-54w");
        assert_eq!(suffix(-0.004, 0.0569), "0-00n-0-06e");
        assert_eq!(suffix(-33.926, 151.2), "33-93s-151-20e");
    }

    #[test]
    fn positions_chain_into_one_place_within_the_distance() {
        // 0.08° of latitude apart, about 8.9 km each: one place of three.
        let rows: Vec<_> = ["15.00", "15.08", "15.16"]
            .iter()
            .enumerate()
            .map(|(i, lat)| (["E1", "E2", "E3"][i], ["X", "Y", "Z", "W"], *lat, "1.0"))
            .collect();
        assert!(survey(&rows).decide(|_| None).split().is_empty());
    }

    proptest! {
        /// Ids depend on the rows, never on their order.
        #[test]
        fn ids_do_not_depend_on_the_order_of_the_rows(
            rows in proptest::collection::vec((0u64..40, 0usize..3, 0usize..6), 1..30),
            seed in any::<u64>(),
        ) {
            // Three names, six positions: three near one another, three far.
            const AT: [(&str, &str); 6] = [
                ("14.7827", "-3.5372"), ("14.78270", "-3.537"), ("14.80", "-3.50"),
                ("14.7916", "-2.9708"), ("15.60", "0.06"), ("-14.7827", "3.5372"),
            ];
            const NAMES: [&str; 3] = ["Amba", "Doro", "Bara"];
            let owned: Vec<(String, usize, usize)> =
                rows.iter().map(|(n, name, at)| (format!("MLI{n}"), *name, *at)).collect();
            let build = |order: &[usize]| {
                let mut s = Survey::default();
                for &i in order {
                    let (id, name, at) = &owned[i];
                    s.row(id, ["Mali", "Mopti", "Bandiagara", NAMES[*name]], AT[*at].0, AT[*at].1);
                }
                s.decide(|_| None)
            };
            let forward: Vec<usize> = (0..owned.len()).collect();
            let mut shuffled = forward.clone();
            // A Fisher–Yates shuffle driven by the seed.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let (a, b) = (build(&forward), build(&shuffled));
            prop_assert_eq!(&a, &b);
            for (_, name, at) in &owned {
                let location = location_id("Mali", "Mopti", Some("Bandiagara"), NAMES[*name]).unwrap();
                let (lat, lon) = (AT[*at].0.parse().unwrap(), AT[*at].1.parse().unwrap());
                let id = a.id(&location, lat, lon);
                // Near positions share an id; far ones never do.
                for (_, other_name, other_at) in &owned {
                    if other_name != name {
                        continue;
                    }
                    let other = (AT[*other_at].0.parse().unwrap(), AT[*other_at].1.parse().unwrap());
                    let same = a.id(&location, other.0, other.1) == id;
                    prop_assert_eq!(same, km((lat, lon), other) <= APART_KM);
                }
            }
        }
    }
}
