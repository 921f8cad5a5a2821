//! The events that join or identify entities, wire → model.

use annals_model::{ActorId, Entity, EventKind, Interner, Linked, PlaceId};

use super::{id, ids, InvalidValue, R};

/// A `same_as` event's ids, wire → model: two or more actors, or places.
pub(super) fn linked(actors: Vec<&str>, places: Vec<&str>, i: &mut Interner) -> R<Linked> {
    match (actors.len(), places.len()) {
        (2.., 0) => Ok(Linked::Actors(ids(ActorId::interned, actors, i)?)),
        (0, 2..) => Ok(Linked::Places(ids(PlaceId::interned, places, i)?)),
        _ => Err(InvalidValue::Shape("a link of fewer than two actors or places, or of both")),
    }
}

/// An `identifiers` event, wire → model: one entity and at least one
/// identifier, checked as import checks them.
pub(super) fn identifiers(
    actor: Option<&str>,
    place: Option<&str>,
    ids: Vec<(&str, &str)>,
    i: &mut Interner,
) -> R<EventKind> {
    let entity = match (actor, place) {
        (Some(a), None) => Entity::Actor(id(ActorId::interned, a, i)?),
        (None, Some(p)) => Entity::Place(id(PlaceId::interned, p, i)?),
        _ => {
            return Err(InvalidValue::Shape("identifiers of both or neither an actor and a place"))
        }
    };
    let ids: Vec<(String, String)> =
        ids.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if ids.is_empty() || !ids.windows(2).all(|w| w[0].0 < w[1].0) {
        return Err(InvalidValue::Shape("identifiers empty or not sorted by scheme"));
    }
    Ok(EventKind::Identifiers { entity, ids })
}
