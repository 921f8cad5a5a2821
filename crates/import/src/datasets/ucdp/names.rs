//! Which name is whose: a UCDP cell that lists several parties gives their
//! names in one column and their ids in another, and the two lists are not
//! always in the same order (the releases reorder id lists). So a party's
//! name is read from the cells that leave no doubt: a cell of one party,
//! or one where every other party's name is already known. What stays in
//! doubt is paired by position, and its actor's note says so.

use std::collections::{BTreeMap, BTreeSet};

use annals_model::{ActorKind, EventKind, RefKind, SourceId};

use crate::emit::noted_entity;
use crate::table::Out;
use crate::Problem;

/// The cells of a file that list parties by name and by id.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Each distinct (names, ids) cell once, in file order.
    cells: Vec<(Vec<String>, Vec<String>)>,
    seen: BTreeSet<(Vec<String>, Vec<String>)>,
    /// Per UCDP id: where it is first listed, and the kind of actor it is.
    first: BTreeMap<String, (usize, ActorKind)>,
}

/// A party's name, and whether it was paired with its id only by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Named {
    pub(crate) name: String,
    pub(crate) by_position: bool,
}

impl Names {
    /// Takes in a cell: `names` and `ids`, as many of each.
    pub(crate) fn add(&mut self, names: &[&str], ids: &[&str], line: usize, kind: ActorKind) {
        for id in ids {
            self.first.entry(id.to_string()).or_insert((line, kind));
        }
        let cell = (
            names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        );
        if self.seen.insert(cell.clone()) {
            self.cells.push(cell);
        }
    }

    /// Every id's name.
    pub(crate) fn resolve(&self) -> BTreeMap<String, Named> {
        let mut known: BTreeMap<String, Named> = BTreeMap::new();
        let open = |cell: &(Vec<String>, Vec<String>), known: &BTreeMap<String, Named>| {
            let (names, ids) = cell;
            let taken: Vec<&str> =
                ids.iter().filter_map(|i| known.get(i)).map(|n| n.name.as_str()).collect();
            let ids: Vec<String> =
                ids.iter().filter(|i| !known.contains_key(*i)).cloned().collect();
            let names: Vec<String> =
                names.iter().filter(|n| !taken.contains(&n.as_str())).cloned().collect();
            (names, ids)
        };
        loop {
            let mut progress = false;
            for cell in &self.cells {
                let (names, ids) = open(cell, &known);
                if let ([name], [id]) = (&names[..], &ids[..]) {
                    known.insert(id.clone(), Named { name: name.clone(), by_position: false });
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        for cell in &self.cells {
            let (names, ids) = open(cell, &known);
            for (id, name) in ids.into_iter().zip(names) {
                known.entry(id).or_insert(Named { name, by_position: true });
            }
        }
        known
    }

    /// Creates the actor of every id (if the log lacks it), and its UCDP
    /// id citing `sources`, at the line where it is first listed.
    pub(crate) fn emit(
        &self,
        resolved: &BTreeMap<String, Named>,
        out: &mut Out<'_, '_>,
        sources: &[SourceId],
    ) -> Result<(), (usize, Problem)> {
        for (id, &(line, kind)) in &self.first {
            let Some(named) = resolved.get(id) else { continue };
            let actor = format!("ucdp-actor-{id}");
            let mut note = format!("UCDP actor {id}");
            if named.by_position {
                note.push_str(" [annals: UCDP lists it with other parties in one cell, and its name is paired with its id by their positions there, which UCDP does not guarantee]");
            }
            out.at(line)
                .entity(RefKind::Actor, &actor, || {
                    noted_entity(
                        &actor,
                        EventKind::Actor {
                            name: named.name.clone(),
                            aliases: Vec::new(),
                            kind: Some(kind),
                        },
                        Some(note),
                    )
                })
                .map_err(|e| (line, e))?;
            super::identify(out, id, sources).map_err(|e| (line, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids listed in another order than their names are told apart by the
    /// cells that name fewer parties.
    #[test]
    fn names_are_paired_with_ids_from_the_cells_that_leave_no_doubt() {
        let mut names = Names::default();
        let k = ActorKind::ArmedGroup;
        names.add(&["SPLM/A - IO", "SSDM/A - Cobra Faction"], &["2", "1"], 5, k);
        names.add(&["SSDM/A - Cobra Faction"], &["1"], 9, k);
        names.add(&["Alpha", "Beta"], &["7", "8"], 11, k);
        let resolved = names.resolve();
        let name = |id: &str| (resolved[id].name.as_str(), resolved[id].by_position);
        assert_eq!(name("1"), ("SSDM/A - Cobra Faction", false));
        assert_eq!(name("2"), ("SPLM/A - IO", false));
        assert_eq!(name("7"), ("Alpha", true));
        assert_eq!(name("8"), ("Beta", true));
    }
}
