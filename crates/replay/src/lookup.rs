//! Finding actors and places: by id, name or alias, under the links that
//! make several ids one, and the identifiers they bear elsewhere.

use annals_model::{ActorId, Entity, PlaceId};
use hashbrown::HashMap;

use crate::names::{linked, namesakes, resolve, Resolve};
use crate::world::{ActorInfo, PlaceInfo, SourceInfo, World};

/// A place a map draws, with its latitude and longitude.
pub type Located<'w> = (&'w PlaceInfo, (f64, f64));

impl World {
    pub fn source(&self, id: &str) -> Option<&SourceInfo> {
        self.sources.get(id)
    }

    /// All sources, sorted by id.
    pub fn sources(&self) -> impl Iterator<Item = &SourceInfo> {
        self.sources.values()
    }

    /// The sources whose ids begin with `prefix`, in id order: the
    /// releases of a dataset (`ucdp-acd:` gives `ucdp-acd:22.1`, …).
    pub fn sources_under<'w, 'p>(
        &'w self,
        prefix: &'p str,
    ) -> impl Iterator<Item = &'w SourceInfo> + use<'w, 'p> {
        use std::ops::Bound;
        self.sources
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |(id, _)| id.as_str().starts_with(prefix))
            .map(|(_, info)| info)
    }

    pub fn actor(&self, id: &str) -> Option<&ActorInfo> {
        self.actors.get(id)
    }

    pub fn place(&self, id: &str) -> Option<&PlaceInfo> {
        self.places.get(id)
    }

    /// All places, sorted by id.
    pub fn places(&self) -> impl Iterator<Item = &PlaceInfo> {
        self.places.values()
    }

    /// The places directly within `place` (whose `within` names it),
    /// sorted by id. The first call gathers them for every place.
    pub fn places_within(&self, place: &PlaceId) -> impl Iterator<Item = &PlaceInfo> {
        let within = self.within.get_or_init(|| {
            let mut within: HashMap<PlaceId, Vec<PlaceId>> = HashMap::new();
            // In id order, so each list is sorted.
            for p in self.places.values() {
                if let Some(parent) = &p.within {
                    within.entry(parent.clone()).or_default().push(p.id.clone());
                }
            }
            within
        });
        let ids = within.get(place).map_or(&[][..], Vec::as_slice);
        ids.iter().filter_map(|id| self.places.get(id))
    }

    /// All actors, sorted by id.
    pub fn actors(&self) -> impl Iterator<Item = &ActorInfo> {
        self.actors.values()
    }

    /// Finds a place by id, or by name or alias (case- and accent-insensitive).
    /// An exact id always wins; a name shared by several places is
    /// ambiguous, unless links make them one. The id found is that of its
    /// set of linked places ([`World::linked_places`]), which every answer
    /// uses.
    pub fn resolve_place(&self, query: &str) -> Result<PlaceId, Resolve<PlaceId>> {
        linked(resolve(query, &self.places, &self.place_names), &self.place_sets)
    }

    /// Finds an actor by id, or by name or alias, as [`World::resolve_place`].
    pub fn resolve_actor(&self, query: &str) -> Result<ActorId, Resolve<ActorId>> {
        linked(resolve(query, &self.actors, &self.actor_names), &self.actor_sets)
    }

    /// The ids `same_as` links join with `place` (itself included), sorted;
    /// empty when no link joins it. The first by preference answers for all.
    pub fn linked_places(&self, place: &PlaceId) -> &[PlaceId] {
        self.place_sets.set_of(place)
    }

    /// The places a map draws, one per set of linked places, sorted by id:
    /// each place no link joins, and the id each set answers under, with
    /// coordinates: its own, else those of the first id of its set that has
    /// them (none if no id has).
    pub fn mapped_places(&self) -> impl Iterator<Item = (&PlaceInfo, Option<(f64, f64)>)> {
        self.places.values().filter(|p| self.place_sets.representative(&p.id) == &p.id).map(|p| {
            let own = std::iter::once(p);
            let set = self.linked_places(&p.id).iter().filter_map(|id| self.places.get(id));
            let at = own.chain(set).find_map(|q| q.lat.zip(q.lon));
            (p, at)
        })
    }

    /// The places of [`World::mapped_places`] that have coordinates, with
    /// them, and how many have none (a map cannot draw those).
    pub fn located_places(&self) -> (Vec<Located<'_>>, usize) {
        let mut without = 0;
        let located = self
            .mapped_places()
            .filter_map(|(p, at)| {
                without += usize::from(at.is_none());
                at.map(|at| (p, at))
            })
            .collect();
        (located, without)
    }

    /// The ids `same_as` links join with `actor`, as [`World::linked_places`].
    pub fn linked_actors(&self, actor: &ActorId) -> &[ActorId] {
        self.actor_sets.set_of(actor)
    }

    /// The places that share a name or alias with `place` but are not
    /// linked to it, one id per set, sorted: a name that still means several
    /// things, which an answer should mention.
    pub fn place_namesakes(&self, place: &PlaceId) -> Vec<PlaceId> {
        let info = self.places.get(self.place_sets.representative(place));
        let names = info.map(|i| (&i.name, &i.aliases));
        namesakes(place, names, &self.place_names, &self.place_sets)
    }

    /// The identifiers of an actor or a place in other catalogues, from
    /// its live `identifiers` events, sorted: (scheme, value).
    pub fn identifiers(&self, entity: &Entity) -> &[(String, String)] {
        self.identifiers.get(entity).map_or(&[], Vec::as_slice)
    }
}
