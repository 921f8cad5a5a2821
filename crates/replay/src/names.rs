//! Looking names up: by id, then by name or alias, under links.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;

use annals_model::normalize_name;

use crate::links::Sets;

/// The outcome of looking a name up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolve<T> {
    /// Nothing has this id, name or alias; close names, if any.
    NotFound { query: String, suggestions: Vec<T> },
    /// Several things share this name: every candidate id, sorted.
    Ambiguous { query: String, candidates: Vec<T> },
}

/// The id `query` names in `by_id`, or the one id that bears it as a name
/// or alias in `by_name`; else every candidate, or close names.
pub(crate) fn resolve<T: Clone + Ord + std::borrow::Borrow<str>, I>(
    query: &str,
    by_id: &BTreeMap<T, I>,
    by_name: &BTreeMap<String, BTreeSet<T>>,
) -> Result<T, Resolve<T>> {
    let trimmed = query.trim();
    if let Some((id, _)) = by_id.get_key_value(trimmed) {
        return Ok(id.clone());
    }
    let key = normalize_name(trimmed);
    // A query that folds to nothing finds nothing (not names that do too).
    if key.is_empty() {
        let query = query.to_string();
        return Err(Resolve::NotFound { query, suggestions: Vec::new() });
    }
    if let Some((id, _)) = by_id.get_key_value(key.as_str()) {
        return Ok(id.clone());
    }
    match by_name.get(&key) {
        Some(ids) if ids.len() == 1 => Ok(ids.iter().next().expect("one").clone()),
        Some(ids) if !ids.is_empty() => Err(Resolve::Ambiguous {
            query: query.to_string(),
            candidates: ids.iter().cloned().collect(),
        }),
        _ => {
            let mut suggestions: BTreeSet<T> = BTreeSet::new();
            if !key.is_empty() {
                for (name, ids) in by_name {
                    if name.contains(&key) || key.contains(name.as_str()) {
                        suggestions.extend(ids.iter().cloned());
                    }
                }
            }
            Err(Resolve::NotFound {
                query: query.to_string(),
                suggestions: suggestions.into_iter().take(8).collect(),
            })
        }
    }
}

/// A lookup's outcome under links: the id found stands for its set; several
/// candidates that links make one are that one.
pub(crate) fn linked<T: Clone + Eq + Hash + Ord + std::borrow::Borrow<str>>(
    found: Result<T, Resolve<T>>,
    sets: &Sets<T>,
) -> Result<T, Resolve<T>> {
    match found {
        Ok(id) => Ok(sets.representative(&id).clone()),
        Err(Resolve::Ambiguous { query, candidates }) => {
            let mut reps: Vec<T> =
                candidates.iter().map(|c| sets.representative(c).clone()).collect();
            reps.sort();
            reps.dedup();
            match reps.len() {
                1 => Ok(reps.pop().expect("one")),
                _ => Err(Resolve::Ambiguous { query, candidates }),
            }
        }
        Err(other) => Err(other),
    }
}

/// The entities bearing one of `names` (a name and its aliases) that are
/// not in `id`'s set, one per set (its representative), sorted.
pub(crate) fn namesakes<T: Clone + Eq + Hash + Ord + std::borrow::Borrow<str>>(
    id: &T,
    names: Option<(&String, &Vec<String>)>,
    by_name: &BTreeMap<String, BTreeSet<T>>,
    sets: &Sets<T>,
) -> Vec<T> {
    let Some((name, aliases)) = names else { return Vec::new() };
    let own = sets.representative(id);
    let mut out: BTreeSet<T> = BTreeSet::new();
    for n in std::iter::once(name).chain(aliases) {
        for other in by_name.get(&normalize_name(n)).into_iter().flatten() {
            let rep = sets.representative(other);
            if rep != own {
                out.insert(rep.clone());
            }
        }
    }
    out.into_iter().collect()
}
