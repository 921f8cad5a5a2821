//! What the server holds: the log, and the world replayed from it.

use std::sync::{
    Arc, Condvar, Mutex, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard,
};

use annals_app::map::MapBase;
use annals_app::{Annals, Error};
use annals_replay::World;

/// The world as the log stands, and what its maps share (made with the
/// world's interval index, or on the first map asked for).
type Warm = (Arc<World>, Arc<OnceLock<MapBase>>);

/// The state every request shares. The world is replayed when the server
/// starts and after each write, and swapped in whole: a request holds the
/// world it started with (an `Arc`), so no reader waits for a replay.
/// Until the first replay is done, what needs the world waits for it, and
/// `control`, `government` and `history` answer from the place index, as
/// the command line does.
pub struct Shared {
    annals: RwLock<Annals>,
    warm: Mutex<Option<Warm>>,
    /// Signalled when the first world is in.
    warmed: Condvar,
    token: Option<String>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("writable", &self.token.is_some()).finish_non_exhaustive()
    }
}

impl Shared {
    /// Replays `annals` and keeps the world ([`Shared::warm_up`]); `token`
    /// enables writes.
    pub fn new(annals: Annals, token: Option<String>) -> Result<Shared, Error> {
        let shared = Shared::starting(annals, token);
        shared.warm_up()?;
        Ok(shared)
    }

    /// A server state whose world is not replayed yet: call
    /// [`Shared::warm_up`], on a thread of its own, to replay it.
    pub fn starting(annals: Annals, token: Option<String>) -> Shared {
        Shared {
            annals: RwLock::new(annals),
            warm: Mutex::new(None),
            warmed: Condvar::new(),
            token,
        }
    }

    /// Replays the log and keeps the world. Its interval index and the
    /// base of its maps are built on a thread of their own while the
    /// server answers: until they are there, control answers are folded
    /// from the place's facts (the same answers, slower for a busy place),
    /// and what needs the index or the base waits for it.
    pub fn warm_up(&self) -> Result<(), Error> {
        let world = Arc::new(self.annals().replay(None)?);
        let map: Arc<OnceLock<MapBase>> = Arc::default();
        let (indexed, based) = (Arc::clone(&world), Arc::clone(&map));
        let spawned = std::thread::Builder::new().name("interval-index".into()).spawn(move || {
            based.get_or_init(|| MapBase::new(&indexed));
        });
        if spawned.is_err() {
            world.index();
        }
        self.swap(world, map);
        Ok(())
    }

    fn swap(&self, world: Arc<World>, map: Arc<OnceLock<MapBase>>) {
        *self.warm.lock().unwrap_or_else(PoisonError::into_inner) = Some((world, map));
        self.warmed.notify_all();
    }

    /// The world as the log stands, once replayed (until then, this waits).
    pub fn world(&self) -> Arc<World> {
        self.world_and_map().0
    }

    /// The world if it is replayed, without waiting.
    pub fn world_if_warm(&self) -> Option<Arc<World>> {
        let warm = self.warm.lock().unwrap_or_else(PoisonError::into_inner);
        warm.as_ref().map(|(world, _)| Arc::clone(world))
    }

    /// The world as the log stands, with the base of its maps, once
    /// replayed (until then, this waits).
    pub fn world_and_map(&self) -> (Arc<World>, Arc<OnceLock<MapBase>>) {
        let warm = self.warm.lock().unwrap_or_else(PoisonError::into_inner);
        let warm = self.warmed.wait_while(warm, |w| w.is_none());
        warm.unwrap_or_else(PoisonError::into_inner).clone().expect("waited for the world")
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
    /// index and the base of its maps built (the old world answers
    /// meanwhile).
    pub fn refresh(&self, annals: &Annals) -> Result<(), Error> {
        let world = Arc::new(annals.replay(None)?);
        let map = Arc::new(OnceLock::from(MapBase::new(&world)));
        self.swap(world, map);
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

/// Compares two byte strings in a time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
