//! Names close to a mistyped one: what "did you mean" offers when a name
//! is not contained in any other (`timbuktou`, `kidl`, `jmin`).

use annals_model::normalize_name;

/// The ids among `entries` (each an id and its names) with a name closest
/// to `query`, case and accents aside: those at the smallest distance
/// within the tolerance for the query's length, sorted, at most `max`.
/// The distance counts inserted, deleted, replaced and swapped letters.
pub(crate) fn closest<'a, T: Ord + Clone + 'a>(
    query: &str,
    entries: impl Iterator<Item = (&'a T, Vec<&'a str>)>,
    max: usize,
) -> Vec<T> {
    let wanted: Vec<char> = normalize_name(query).chars().collect();
    let tolerance = tolerance(wanted.len());
    if tolerance == 0 {
        return Vec::new();
    }
    let mut best = tolerance + 1;
    let mut found: Vec<T> = Vec::new();
    for (id, names) in entries {
        let d = names
            .iter()
            .map(|n| distance(&wanted, &normalize_name(n).chars().collect::<Vec<_>>()))
            .min()
            .unwrap_or(usize::MAX);
        if d < best {
            best = d;
            found.clear();
        }
        if d == best {
            found.push(id.clone());
        }
    }
    found.sort();
    found.dedup();
    found.truncate(max);
    found
}

/// How many edits a query of `len` letters may be from a name: none for
/// one or two letters (anything is two edits from them), then one more
/// for every three letters, at most three.
fn tolerance(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3 => 1,
        _ => len.div_ceil(3).clamp(2, 3),
    }
}

/// The optimal string alignment distance between `a` and `b`: the edits
/// (insert, delete, replace a letter, swap two neighbours) that turn one
/// into the other.
fn distance(a: &[char], b: &[char]) -> usize {
    if a.len().abs_diff(b.len()) > 3 {
        return usize::MAX;
    }
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        rows[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = d;
        }
    }
    rows[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> usize {
        distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>())
    }

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(d("timbuktou", "timbuktu"), 1);
        assert_eq!(d("kidl", "kidal"), 1);
        assert_eq!(d("jnmi", "jnim"), 1);
        assert_eq!(d("jmin", "jnim"), 2);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("gao", "gao"), 0);
    }

    #[test]
    fn only_the_closest_names_within_the_tolerance_are_offered() {
        let ids = ["kidal".to_string(), "kita".to_string(), "gao".to_string()];
        let entries = || ids.iter().map(|id| (id, vec![id.as_str()]));
        assert_eq!(closest("Kidl", entries(), 8), vec!["kidal".to_string()]);
        assert_eq!(closest("kida", entries(), 8), vec!["kidal".to_string(), "kita".to_string()]);
        assert!(closest("atlantis", entries(), 8).is_empty());
        assert!(closest("ga", entries(), 8).is_empty());
    }
}
