//! What the server holds: the log, and the world replayed from it.

use std::sync::{Arc, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use annals_app::map::MapBase;
use annals_app::{Annals, Error};
use annals_replay::World;

/// The world as the log stands, and what its maps share, made on the
/// first map asked for.
type Warm = (Arc<World>, Arc<OnceLock<MapBase>>);

/// The state every request shares. The world is replayed when the server
/// starts and after each write, and swapped in whole: a request holds the
/// world it started with (an `Arc`), so no reader waits for a replay.
pub struct Shared {
    annals: RwLock<Annals>,
    warm: RwLock<Warm>,
    token: Option<String>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("writable", &self.token.is_some()).finish_non_exhaustive()
    }
}

impl Shared {
    /// Replays `annals` and keeps the world; `token` enables writes. The
    /// world's interval index is built on a thread of its own while
    /// the server starts answering: until it is there, control answers
    /// are folded from the place's facts (the same answers, slower for a
    /// busy place), and what needs the index waits for it.
    pub fn new(annals: Annals, token: Option<String>) -> Result<Shared, Error> {
        let world = Arc::new(annals.replay(None)?);
        let indexed = Arc::clone(&world);
        let spawned = std::thread::Builder::new().name("interval-index".into()).spawn(move || {
            indexed.index();
        });
        if spawned.is_err() {
            world.index();
        }
        let warm = RwLock::new((world, Arc::default()));
        Ok(Shared { annals: RwLock::new(annals), warm, token })
    }

    /// The world as the log stands.
    pub fn world(&self) -> Arc<World> {
        self.warm.read().unwrap_or_else(PoisonError::into_inner).0.clone()
    }

    /// The world as the log stands, with the base of its maps.
    pub fn world_and_map(&self) -> (Arc<World>, Arc<OnceLock<MapBase>>) {
        self.warm.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The log, for reading (answers at `known_at`, timelines' records).
    pub fn annals(&self) -> RwLockReadGuard<'_, Annals> {
        self.annals.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The log, for writing; the caller calls [`Shared::refresh`] after.
    pub fn annals_mut(&self) -> RwLockWriteGuard<'_, Annals> {
        self.annals.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replays the log again and swaps the new world in, its interval
    /// index built (the old world answers meanwhile).
    pub fn refresh(&self, annals: &Annals) -> Result<(), Error> {
        let world = Arc::new(warmed(annals.replay(None)?));
        *self.warm.write().unwrap_or_else(PoisonError::into_inner) = (world, Arc::default());
        Ok(())
    }

    /// Whether `given` is the token writes need (false when there is none).
    pub fn allows(&self, given: Option<&str>) -> bool {
        match (&self.token, given) {
            (Some(token), Some(given)) => constant_time_eq(token.as_bytes(), given.as_bytes()),
            _ => false,
        }
    }
}

/// `world` with its interval index built, so that control answers (one
/// place, the map) read intervals instead of folding timelines.
fn warmed(world: World) -> World {
    world.index();
    world
}

/// Compares two byte strings in a time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
