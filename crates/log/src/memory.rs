//! A store in memory that fails on request and can lose what was not
//! flushed, for tests of what the log promises when the disk or the
//! machine fails ([`Log::init_in`], [`Log::open_in`]).
//!
//! It keeps two states: what was flushed (the disk) and what was written
//! (the disk and the page cache). A crash keeps the flushed state plus the
//! first `keep` writes after it, as sled's log-structured files do: a
//! write (one atomic batch) is recovered whole or not at all, and never
//! one without those before it.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use sled::IVec;

use crate::error::StorageError;
use crate::store::{Batch, Engine, Iter, Store, Tree};
use crate::{Error, Log};

type Trees = BTreeMap<String, BTreeMap<IVec, IVec>>;
/// The writes of one batch, in order: a removal has no value.
type Writes = Vec<(IVec, Option<IVec>)>;

/// A key-value store in memory with injected faults. Clones share the
/// same store: keep one to crash it and reopen the log on it.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore(Arc<Mutex<State>>);

#[derive(Debug, Default)]
struct State {
    /// What a crash keeps.
    flushed: Trees,
    /// What reads see.
    written: Trees,
    /// The writes since the last flush, in order: (tree, batch).
    pending: Vec<(String, Writes)>,
    /// Operations (writes and flushes) done so far.
    ops: u64,
    /// The write and flush numbers (counted in `ops`) that fail, once.
    fail_at: Vec<u64>,
    /// After this many operations, every write and flush fails: the
    /// machine stopped, until [`MemoryStore::crash`].
    stop_at: Option<u64>,
}

/// The error an injected fault gives: an I/O error, as a failing disk's.
fn injected() -> StorageError {
    StorageError::from(std::io::Error::from_raw_os_error(5))
}

impl State {
    /// Counts one write or flush; an error if a fault is due.
    fn operation(&mut self) -> Result<(), StorageError> {
        if self.stop_at.is_some_and(|stop| self.ops >= stop) {
            return Err(injected());
        }
        self.ops += 1;
        if let Some(at) = self.fail_at.iter().position(|&n| n == self.ops) {
            self.fail_at.swap_remove(at);
            return Err(injected());
        }
        Ok(())
    }

    fn write(&mut self, tree: &str, writes: Writes) -> Result<(), StorageError> {
        self.operation()?;
        apply(&mut self.written, tree, &writes);
        self.pending.push((tree.to_string(), writes));
        Ok(())
    }

    fn flush(&mut self) -> Result<usize, StorageError> {
        self.operation()?;
        let flushed = self.pending.len();
        self.pending.clear();
        self.flushed = self.written.clone();
        Ok(flushed)
    }
}

fn apply(trees: &mut Trees, tree: &str, writes: &[(IVec, Option<IVec>)]) {
    let tree = trees.entry(tree.to_string()).or_default();
    for (key, value) in writes {
        match value {
            Some(value) => tree.insert(key.clone(), value.clone()),
            None => tree.remove(key),
        };
    }
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes and flushes done so far: [`MemoryStore::fail`] and
    /// [`MemoryStore::stop_after`] count from it.
    pub fn operations(&self) -> u64 {
        self.state().ops
    }

    /// The `n`-th write or flush from now (1 is the next) and the
    /// `count - 1` after it fail with an I/O error and change nothing; the
    /// ones after them succeed.
    pub fn fail(&self, n: u64, count: u64) {
        let mut state = self.state();
        let at = state.ops + n;
        state.fail_at.extend(at..at + count);
    }

    /// The next `n` writes and flushes succeed; every one after them fails,
    /// as if the machine had stopped, until [`MemoryStore::crash`].
    pub fn stop_after(&self, n: u64) {
        let mut state = self.state();
        state.stop_at = Some(state.ops + n);
    }

    /// No fault is due any more (those asked for and not reached yet are
    /// forgotten).
    pub fn heal(&self) {
        let mut state = self.state();
        state.fail_at.clear();
        state.stop_at = None;
    }

    /// Writes done since the last flush: what a crash may lose.
    pub fn unflushed(&self) -> usize {
        self.state().pending.len()
    }

    /// The machine restarts: what was flushed survives, with the first
    /// `keep` writes after it (the rest is lost), and no fault is due any
    /// more. Open the log again with [`Log::open_in`].
    pub fn crash(&self, keep: usize) {
        let mut state = self.state();
        let mut trees = state.flushed.clone();
        let pending = std::mem::take(&mut state.pending);
        for (tree, writes) in pending.iter().take(keep) {
            apply(&mut trees, tree, writes);
        }
        state.written = trees.clone();
        state.flushed = trees;
        drop(state);
        self.heal();
    }
}

impl Engine for MemoryStore {
    fn tree(&self, name: &str) -> Result<Tree, StorageError> {
        Ok(Tree(Box::new(MemoryTree { store: self.clone(), name: name.to_string() })))
    }

    fn flush(&self) -> Result<usize, StorageError> {
        self.state().flush()
    }

    fn sync(&self, _dir: Option<&Path>) -> Result<(), StorageError> {
        self.state().flush().map(drop)
    }
}

#[derive(Debug)]
struct MemoryTree {
    store: MemoryStore,
    name: String,
}

impl Store for MemoryTree {
    fn get(&self, key: &[u8]) -> Result<Option<IVec>, StorageError> {
        Ok(self.store.state().written.get(&self.name).and_then(|t| t.get(key)).cloned())
    }

    fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StorageError> {
        self.store.state().write(&self.name, vec![(key.into(), Some(value.into()))])
    }

    fn range(&self, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Iter<'_> {
        let state = self.store.state();
        let Some(tree) = state.written.get(&self.name) else { return Box::new(std::iter::empty()) };
        let empty = match (lo, hi) {
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                a > b || (a == b && !matches!((lo, hi), (Bound::Included(_), Bound::Included(_))))
            }
            _ => false,
        };
        if empty {
            return Box::new(std::iter::empty());
        }
        // A scan sees the tree as it was when it began.
        let pairs: Vec<_> =
            tree.range::<[u8], _>((lo, hi)).map(|(k, v)| Ok((k.clone(), v.clone()))).collect();
        Box::new(pairs.into_iter())
    }

    fn apply_batch(&self, batch: Batch) -> Result<(), StorageError> {
        self.store.state().write(&self.name, batch.writes)
    }

    fn flush(&self) -> Result<usize, StorageError> {
        self.store.state().flush()
    }
}

impl Log {
    /// Creates a new, empty log in `store`.
    pub fn init_in(store: &MemoryStore) -> Result<Log, Error> {
        Log::init_engine(Box::new(store.clone()), None)
    }

    /// Opens the log in `store` as [`Log::open`] opens one on disk:
    /// records an unfinished append staged are removed.
    pub fn open_in(store: &MemoryStore) -> Result<Log, Error> {
        let mut log =
            Log::open_engine(Box::new(store.clone()), None, std::path::Path::new("memory"))?;
        log.discard_staged(None)?;
        Ok(log)
    }
}
