//! GDELT 1.0 events: machine-coded from news reports with the CAMEO
//! scheme. The root codes that denote fighting (18 assault, 19 fight,
//! 20 unconventional mass violence) become `attack`s at the event's
//! action location, marked as machine-coded; every other root code is
//! counted by name, not imported. `NA` is GDELT's empty value.

use annals_model::states;
use annals_model::{
    is_coordinate, ActorId, ActorKind, EventKind, PlaceId, PlaceKind, RefKind, LATITUDE_LIMIT,
    LONGITUDE_LIMIT,
};

use super::dated;
use crate::dates::ymd;
use crate::emit::{noted_entity, slug};
use crate::sources::{Coverage, DatasetSource};
use crate::table::{Dataset, Out, Row};
use crate::{Expected, Problem};

pub(crate) const GDELT: DatasetSource = DatasetSource {
    id: "gdelt",
    title: "GDELT 1.0 event data (Global Database of Events, Language, and Tone)",
    publisher: "The GDELT Project",
    url: Some("https://www.gdeltproject.org"),
    cite: "Leetaru, Kalev and Philip A. Schrodt (2013), \"GDELT: Global Data on Events, Location and Tone, 1979-2012\", paper presented at the International Studies Association annual convention.",
};

const NA: &[&str] = &["NA"];

/// The CAMEO root codes, by number.
const ROOTS: [&str; 20] = [
    "make public statement",
    "appeal",
    "express intent to cooperate",
    "consult",
    "engage in diplomatic cooperation",
    "engage in material cooperation",
    "provide aid",
    "yield",
    "investigate",
    "demand",
    "disapprove",
    "reject",
    "threaten",
    "protest",
    "exhibit force posture",
    "reduce relations",
    "coerce",
    "assault",
    "fight",
    "use unconventional mass violence",
];

/// GDELT 1.0 events.
#[derive(Debug, Default)]
pub(crate) struct Gdelt {
    coverage: Coverage,
}

impl Dataset for Gdelt {
    fn what(&self) -> &'static str {
        "a GDELT 1.0 events file"
    }

    fn required(&self) -> &'static [&'static str] {
        &[
            "globaleventid",
            "sqldate",
            "actor1code",
            "actor1name",
            "actor1type1code",
            "actor2code",
            "actor2name",
            "actor2type1code",
            "eventcode",
            "eventrootcode",
            "nummentions",
            "numsources",
            "actiongeo_type",
            "actiongeo_fullname",
            "actiongeo_countrycode",
            "actiongeo_lat",
            "actiongeo_long",
            "actiongeo_featureid",
        ]
    }

    fn row(&mut self, row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<(), Problem> {
        let sources = GDELT.cited(out)?;
        let id = row.text("globaleventid")?;
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Problem::invalid("globaleventid", id, Expected::GdeltEventId));
        }
        let date = day(row)?;
        self.coverage.year(date.start().year(), row.line);
        let root: usize = row.number("eventrootcode")?;
        let label = ROOTS.get(root.wrapping_sub(1)).ok_or_else(|| {
            Problem::invalid("eventrootcode", &root.to_string(), Expected::CameoRootCode)
        })?;
        if !(18..=20).contains(&root) {
            out.skip(&format!("CAMEO {root:02}: {label}"));
            return Ok(());
        }
        let Some(attacker) = actor(row, out, "actor1")? else {
            out.skip("fighting with no first actor");
            return Ok(());
        };
        let target = actor(row, out, "actor2")?;
        let Some(place) = place(row, out)? else {
            out.skip("fighting with no action location");
            return Ok(());
        };
        let note = format!(
            "[machine-coded by GDELT from news reports] CAMEO {} ({label}); {} mentions in {} sources; the actors as GDELT names them: {} / {}; the place as GDELT geocodes it: {}.",
            row.get("eventcode"),
            row.get("nummentions"),
            row.get("numsources"),
            row.get("actor1name"),
            row.optional("actor2name", NA).unwrap_or("none"),
            row.get("actiongeo_fullname"),
        );
        let kind = EventKind::Attack { attacker, target, place, fatalities: None };
        let event = dated(&format!("gdelt:{id}"), date, &sources, Some(note), kind)?;
        out.event(event, || format!("globaleventid `{id}`"))
    }

    fn finish(&mut self, out: &mut Out<'_, '_>) -> Result<(), (usize, Problem)> {
        self.coverage.emit(&GDELT, None, out)
    }
}

/// `SQLDATE`, `YYYYMMDD`.
fn day(row: &Row<'_>) -> Result<annals_model::Date, Problem> {
    let text = row.text("sqldate")?;
    let bad = || Problem::not_a_date("sqldate", text, "YYYYMMDD");
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (y, m, d) = (
        text[..4].parse().map_err(|_| bad())?,
        text[4..6].parse().map_err(|_| bad())?,
        text[6..].parse().map_err(|_| bad())?,
    );
    ymd(y, Some(m), Some(d)).map_err(|e| Problem::in_column("sqldate", e))
}

/// The actor of `actor1` or `actor2`: a state when its code is a country's
/// alone (`MLI`); else the actors GDELT gives that code (`MLIMIL`, `CVL`),
/// one actor per code. `None` when the code is empty.
fn actor(row: &Row<'_>, out: &mut Out<'_, '_>, prefix: &str) -> Result<Option<ActorId>, Problem> {
    let Some(code) = row.optional(&format!("{prefix}code"), NA) else { return Ok(None) };
    if let Some(state) = (code.len() == 3).then(|| states::by_iso3(code)).flatten() {
        return out.state(state).map(Some);
    }
    let key = slug(code);
    if key.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Problem::invalid(&format!("{prefix}code"), code, Expected::CameoActorCode));
    }
    let kind = match row.optional(&format!("{prefix}type1code"), NA) {
        Some("MIL" | "COP" | "SPY") => ActorKind::ArmedForce,
        Some("GOV" | "JUD" | "LEG") => ActorKind::Government,
        Some("REB" | "INS" | "SEP" | "UAF") => ActorKind::ArmedGroup,
        _ => ActorKind::Other,
    };
    let id = format!("gdelt:actor.{key}");
    let name = format!("GDELT actor code {code}");
    let first = row.get(&format!("{prefix}name")).to_string();
    out.entity(RefKind::Actor, &id, || {
        noted_entity(
            &id,
            EventKind::Actor { name, aliases: Vec::new(), kind: Some(kind) },
            Some(format!("the actors GDELT codes {code} (first named {first})")),
        )
    })?;
    ActorId::new(id).map(Some).map_err(Problem::from)
}

/// The action location: a country's territory (type 1), or a place by
/// GDELT's feature id, within its country when the FIPS code names a state
/// of the catalogue. `None` for no location (type 0).
fn place(row: &Row<'_>, out: &mut Out<'_, '_>) -> Result<Option<PlaceId>, Problem> {
    let kind = row.text("actiongeo_type")?;
    let fips = row.optional("actiongeo_countrycode", NA);
    let state = fips.and_then(states::by_fips);
    let (id, place_kind) = match kind {
        "0" => return Ok(None),
        "1" => match state {
            Some(state) => return out.country(state).map(Some),
            None => (
                format!("gdelt:geo.country-{}", slug(fips.unwrap_or_default())),
                PlaceKind::Country,
            ),
        },
        "4" | "3" => (feature_id(row)?, PlaceKind::Town),
        "5" | "2" => (feature_id(row)?, PlaceKind::Region),
        other => {
            return Err(Problem::invalid("actiongeo_type", other, Expected::GdeltLocationType))
        }
    };
    let within = match state {
        Some(state) => Some(out.country(state)?),
        None => None,
    };
    let coordinate = |column: &str, limit: f64| -> Result<Option<f64>, Problem> {
        match row.optional(column, NA) {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(x) if is_coordinate(x, limit) => Ok(Some(x)),
                _ => Err(Problem::invalid(column, v, Expected::Coordinate)),
            },
        }
    };
    let (lat, lon) = (
        coordinate("actiongeo_lat", LATITUDE_LIMIT)?,
        coordinate("actiongeo_long", LONGITUDE_LIMIT)?,
    );
    let name = row.text("actiongeo_fullname")?.to_string();
    out.entity(RefKind::Place, &id, || {
        noted_entity(
            &id,
            EventKind::Place {
                name,
                aliases: Vec::new(),
                kind: Some(place_kind),
                within,
                lat,
                lon,
            },
            Some("as GDELT geocodes it".to_string()),
        )
    })?;
    PlaceId::new(id).map(Some).map_err(Problem::from)
}

/// The place id of a GDELT feature id (`-2266494` is `gdelt:geo.m2266494`).
fn feature_id(row: &Row<'_>) -> Result<String, Problem> {
    let feature = row.text("actiongeo_featureid")?;
    let (sign, digits) = match feature.strip_prefix('-') {
        Some(rest) => ("m", rest),
        None => ("", feature),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Problem::invalid("actiongeo_featureid", feature, Expected::GdeltFeatureId));
    }
    Ok(format!("gdelt:geo.{sign}{}", digits.to_ascii_lowercase()))
}
