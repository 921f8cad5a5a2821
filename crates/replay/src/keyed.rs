//! A map whose entries are numbered: each key keeps the position it was
//! first inserted at, so that once a world is replayed (and no entry is
//! added or moved) a place or a state can be named by its number, and what
//! is kept per place elsewhere (the interval index's timelines) lives in
//! arrays in the same order. A lookup by key is one hash; by number, none.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use hashbrown::{DefaultHashBuilder, HashTable};

/// Keys and values in insertion order, with a hash table of positions.
#[derive(Debug)]
pub(crate) struct Keyed<K, V> {
    keys: Vec<K>,
    values: Vec<V>,
    /// Positions in `keys`, hashed with `hasher` on the keys, so the
    /// table holds no copy of a key.
    positions: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Keyed {
            keys: Vec::new(),
            values: Vec::new(),
            positions: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Keyed<K, V> {
    /// The number of `key`, if it has an entry.
    pub(crate) fn position<Q>(&self, key: &Q) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let found = self.positions.find(hash, |&i| self.keys[i as usize].borrow() == key);
        found.map(|&i| i as usize)
    }

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.position(key).map(|i| &self.values[i])
    }

    /// The value of `key`, made with `new` (and numbered next) if it has none.
    pub(crate) fn get_or_insert_with(&mut self, key: &K, new: impl FnOnce() -> V) -> &mut V {
        let (keys, hasher) = (&self.keys, &self.hasher);
        let hash = hasher.hash_one(key);
        let rehash = |&i: &u32| hasher.hash_one(&keys[i as usize]);
        let entry = self.positions.entry(hash, |&i| &keys[i as usize] == key, rehash);
        let at = match entry {
            hashbrown::hash_table::Entry::Occupied(slot) => *slot.get() as usize,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                let at = self.keys.len();
                slot.insert(number(at));
                self.keys.push(key.clone());
                self.values.push(new());
                at
            }
        };
        &mut self.values[at]
    }

    /// The number of `key`, which is given an entry (with the default
    /// value) if it has none: `owned` makes the key to keep, only then.
    pub(crate) fn intern<Q>(&mut self, key: &Q, owned: impl FnOnce(&Q) -> K) -> u32
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        V: Default,
    {
        match self.position(key) {
            Some(i) => number(i),
            None => {
                self.get_or_insert_with(&owned(key), V::default);
                number(self.keys.len() - 1)
            }
        }
    }

    /// The key numbered `i`.
    pub(crate) fn key(&self, i: usize) -> &K {
        &self.keys[i]
    }

    /// The value numbered `i`.
    pub(crate) fn value(&self, i: usize) -> &V {
        &self.values[i]
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Entries in the order of their numbers.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.keys.iter().zip(&self.values)
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.keys.iter().zip(&mut self.values)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.values.iter()
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.values.iter_mut()
    }
}

impl<K: Hash + Eq + Clone, T> Keyed<K, Vec<T>> {
    /// Appends `value` to the list of `key`.
    pub(crate) fn push(&mut self, key: &K, value: T) {
        self.get_or_insert_with(key, Vec::new).push(value);
    }

    /// Moves every list under its key's representative (`rep`), joining
    /// the lists of one set's keys; entries are numbered anew.
    pub(crate) fn merge_keys(&mut self, rep: impl Fn(&K) -> K) {
        let old = std::mem::take(self);
        for (key, mut list) in old.keys.into_iter().zip(old.values) {
            self.get_or_insert_with(&rep(&key), Vec::new).append(&mut list);
        }
    }
}

/// A position as a `u32`: what the world keeps per event and per entry.
pub(crate) fn number(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 of a kind")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_the_number_of_their_first_insertion() {
        let mut map: Keyed<String, Vec<u32>> = Keyed::default();
        for (i, key) in ["b", "a", "b", "c", "a"].into_iter().enumerate() {
            map.push(&key.to_string(), i as u32);
        }
        assert_eq!(map.len(), 3);
        assert_eq!(map.position("b"), Some(0));
        assert_eq!(map.position("a"), Some(1));
        assert_eq!(map.position("c"), Some(2));
        assert_eq!(map.position("d"), None);
        assert_eq!(map.get("a"), Some(&vec![1, 4]));
        assert_eq!((map.key(0), map.value(0)), (&"b".to_string(), &vec![0, 2]));
        let keys: Vec<&str> = map.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn merging_keys_joins_their_lists_under_the_representative() {
        let mut map: Keyed<String, Vec<u32>> = Keyed::default();
        for (i, key) in ["x", "y", "z", "x"].into_iter().enumerate() {
            map.push(&key.to_string(), i as u32);
        }
        map.merge_keys(|k| if k == "z" { "x".to_string() } else { k.clone() });
        assert_eq!(map.len(), 2);
        assert_eq!(map.get("x"), Some(&vec![0, 3, 2]));
        assert_eq!(map.get("y"), Some(&vec![1]));
        assert_eq!(map.get("z"), None);
        for (i, (key, _)) in map.iter().enumerate() {
            assert_eq!(map.position(key.as_str()), Some(i));
        }
    }
}
