//! The key-value storage under the log: the handful of operations the log
//! uses (get, insert, ordered range scans, atomic batches, flush, `fsync`),
//! behind a trait, so that tests can run the log on a store that fails
//! where they say and loses what was not flushed ([`crate::MemoryStore`],
//! with the `testing` feature). sled is the store of every real log.
//!
//! The trait is object-safe and used through a box: a call through it
//! costs a pointer jump, against the microseconds of the sled operation
//! behind it, and a range scan pays it once per block of records.

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::path::Path;

use sled::IVec;

use crate::error::StorageError;

/// A stored value: shared, cheap to clone (sled's own type, which the
/// store in memory uses too).
pub(crate) type Value = IVec;

/// The name of the tree that holds the log's format (sled's default tree).
pub(crate) const DEFAULT_TREE: &str = "";

/// An ordered scan of key-value pairs.
pub(crate) type Iter<'a> =
    Box<dyn DoubleEndedIterator<Item = Result<(IVec, IVec), StorageError>> + 'a>;

/// One ordered map of bytes to bytes, as a sled tree is.
pub(crate) trait Store: Send + Sync + Debug {
    fn get(&self, key: &[u8]) -> Result<Option<IVec>, StorageError>;
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StorageError>;
    /// The pairs whose keys lie between `lo` and `hi`, in key order.
    fn range(&self, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Iter<'_>;
    /// Applies every write of `batch`, all or none.
    fn apply_batch(&self, batch: Batch) -> Result<(), StorageError>;
    /// Makes every write before it durable (of every tree of the engine);
    /// returns how much it wrote.
    fn flush(&self) -> Result<usize, StorageError>;
}

/// The trees of one database.
pub(crate) trait Engine: Send + Sync + Debug {
    /// The tree `name` ([`DEFAULT_TREE`] for the database's own).
    fn tree(&self, name: &str) -> Result<Tree, StorageError>;
    /// Makes every write before it durable; returns how much it wrote.
    fn flush(&self) -> Result<usize, StorageError>;
    /// Makes what was flushed survive a power cut (`fsync` of the files in
    /// `dir`, for a store that lives in files).
    fn sync(&self, dir: Option<&Path>) -> Result<(), StorageError>;
}

/// Writes applied together ([`Store::apply_batch`]); a later write of a
/// key replaces an earlier one.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) writes: Vec<(IVec, Option<IVec>)>,
}

impl Batch {
    pub(crate) fn insert(&mut self, key: impl Into<IVec>, value: impl Into<IVec>) {
        self.writes.push((key.into(), Some(value.into())));
    }

    pub(crate) fn remove(&mut self, key: impl Into<IVec>) {
        self.writes.push((key.into(), None));
    }
}

/// A tree of the log's store, with the shapes of arguments the log's
/// modules use.
#[derive(Debug)]
pub(crate) struct Tree(pub(crate) Box<dyn Store>);

impl Tree {
    pub(crate) fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<IVec>, StorageError> {
        self.0.get(key.as_ref())
    }

    pub(crate) fn contains_key(&self, key: impl AsRef<[u8]>) -> Result<bool, StorageError> {
        Ok(self.0.get(key.as_ref())?.is_some())
    }

    pub(crate) fn insert(
        &self,
        key: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), StorageError> {
        self.0.insert(key.as_ref(), value.as_ref())
    }

    #[cfg(feature = "testing")]
    pub(crate) fn remove(&self, key: impl AsRef<[u8]>) -> Result<(), StorageError> {
        let mut batch = Batch::default();
        batch.remove(key.as_ref());
        self.0.apply_batch(batch)
    }

    pub(crate) fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(&self, range: R) -> Iter<'_> {
        self.0.range(as_bytes(range.start_bound()), as_bytes(range.end_bound()))
    }

    /// The pairs whose keys start with `prefix`, in key order.
    pub(crate) fn scan_prefix(&self, prefix: impl AsRef<[u8]>) -> Iter<'_> {
        let prefix = prefix.as_ref();
        match prefix_end(prefix) {
            Some(end) => self.0.range(Bound::Included(prefix), Bound::Excluded(&end)),
            None => self.0.range(Bound::Included(prefix), Bound::Unbounded),
        }
    }

    pub(crate) fn iter(&self) -> Iter<'_> {
        self.0.range(Bound::Unbounded, Bound::Unbounded)
    }

    pub(crate) fn apply_batch(&self, batch: Batch) -> Result<(), StorageError> {
        self.0.apply_batch(batch)
    }

    pub(crate) fn flush(&self) -> Result<usize, StorageError> {
        self.0.flush()
    }
}

fn as_bytes<K: AsRef<[u8]>>(bound: Bound<&K>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_ref()),
        Bound::Excluded(k) => Bound::Excluded(k.as_ref()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The least key above every key that starts with `prefix` (none if
/// there is none: the prefix is all 0xff).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// sled: the store of every log on disk (and of the built-in chronicle's
/// temporary one).
#[derive(Debug)]
pub(crate) struct Sled(pub(crate) sled::Db);

impl Engine for Sled {
    fn tree(&self, name: &str) -> Result<Tree, StorageError> {
        let tree = match name {
            DEFAULT_TREE => sled::Tree::clone(&self.0),
            _ => self.0.open_tree(name).map_err(StorageError)?,
        };
        Ok(Tree(Box::new(SledTree(tree))))
    }

    fn flush(&self) -> Result<usize, StorageError> {
        self.0.flush().map_err(StorageError)
    }

    /// `fsync`s sled's data file and the log's directory. sled's flush
    /// waits for its writes with `sync_file_range` on Linux, which neither
    /// empties the disk's write cache nor records a grown file's size, so
    /// a power cut could still lose what it flushed; an `fsync` of the
    /// file (through any descriptor: it syncs the file, not the
    /// descriptor) does both. sled's snapshot and blob files are its own,
    /// and a log's records fit in its data file.
    fn sync(&self, dir: Option<&Path>) -> Result<(), StorageError> {
        let Some(dir) = dir else { return Ok(()) };
        std::fs::File::open(dir.join("db"))?.sync_all()?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }
}

#[derive(Debug)]
struct SledTree(sled::Tree);

impl Store for SledTree {
    fn get(&self, key: &[u8]) -> Result<Option<IVec>, StorageError> {
        self.0.get(key).map_err(StorageError)
    }

    fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StorageError> {
        self.0.insert(key, value).map(drop).map_err(StorageError)
    }

    fn range(&self, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> Iter<'_> {
        Box::new(self.0.range::<&[u8], _>((lo, hi)).map(|kv| kv.map_err(StorageError)))
    }

    fn apply_batch(&self, batch: Batch) -> Result<(), StorageError> {
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch.writes {
            match value {
                Some(value) => sled_batch.insert(key, value),
                None => sled_batch.remove(key),
            }
        }
        self.0.apply_batch(sled_batch).map_err(StorageError)
    }

    fn flush(&self) -> Result<usize, StorageError> {
        self.0.flush().map_err(StorageError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_after_its_last_byte_below_0xff() {
        assert_eq!(prefix_end(b"b"), Some(b"c".to_vec()));
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
        assert_eq!(prefix_end(b""), None);
    }
}
