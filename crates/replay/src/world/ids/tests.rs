//! [`Ids`] against a plain oracle: one set of texts per kind and a map of
//! texts to the events naming them, as the world kept them before.

use std::collections::{HashMap, HashSet};

use annals_model::{EventId, Interner, RefKind};
use proptest::prelude::*;

use super::Ids;

#[derive(Clone, Debug)]
enum Op {
    /// Entity `.0` of kind `.1`; `.2`: its id is the interned copy, else
    /// one of its own (an event decoded apart).
    Introduce(usize, RefKind, bool),
    /// A reference to id `.1` as `.0`; counted as event `.2` if any; `.3`:
    /// with the interned copy of the text, else a copy of its own.
    Refer(RefKind, usize, Option<u32>, bool),
    Forget,
}

const TEXTS: [&str; 6] = ["a", "b", "cma", "bamba", "s-1", "pl-3175"];

fn kind() -> impl Strategy<Value = RefKind> {
    prop_oneof![Just(RefKind::Source), Just(RefKind::Actor), Just(RefKind::Place)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..TEXTS.len(), kind(), any::<bool>()).prop_map(|(i, k, s)| Op::Introduce(i, k, s)),
        4 => (kind(), 0..TEXTS.len(), proptest::option::of(0u32..50), any::<bool>())
            .prop_map(|(k, i, e, shared)| Op::Refer(k, i, e, shared)),
        1 => Just(Op::Forget),
    ]
}

#[derive(Default)]
struct Oracle {
    kinds: HashMap<RefKind, HashSet<String>>,
    named: HashMap<String, Vec<u32>>,
}

impl Oracle {
    fn is(&self, kind: RefKind, id: &str) -> bool {
        self.kinds.get(&kind).is_some_and(|s| s.contains(id))
    }
}

proptest! {
    #[test]
    fn the_table_answers_as_sets_and_a_map_of_texts_do(ops in proptest::collection::vec(op(), 0..60)) {
        let mut interner = Interner::new();
        let ids: Vec<EventId> =
            TEXTS.iter().map(|t| EventId::interned(t, &mut interner).unwrap()).collect();
        let (mut table, mut oracle) = (Ids::default(), Oracle::default());
        for op in ops {
            match op {
                Op::Introduce(i, kind, shared) => {
                    let own = EventId::new(TEXTS[i]).unwrap();
                    table.introduce(if shared { &ids[i] } else { &own }, kind);
                    oracle.kinds.entry(kind).or_default().insert(TEXTS[i].to_string());
                }
                Op::Refer(kind, i, event, shared) => {
                    let own = TEXTS[i].to_string();
                    let text = if shared { ids[i].as_str() } else { own.as_str() };
                    let known = table.refer(kind, text, event);
                    prop_assert_eq!(known, oracle.is(kind, TEXTS[i]));
                    if let (Some(e), RefKind::Actor | RefKind::Place) = (event, kind) {
                        oracle.named.entry(own.clone()).or_default().push(e);
                    }
                }
                Op::Forget => {
                    table.forget_named();
                    oracle.named.clear();
                }
            }
            for (i, text) in TEXTS.iter().enumerate() {
                for kind in [RefKind::Source, RefKind::Actor, RefKind::Place] {
                    prop_assert_eq!(table.is(kind, text), oracle.is(kind, text));
                    prop_assert_eq!(table.is(kind, ids[i].as_str()), oracle.is(kind, text));
                }
                let entity = [RefKind::Source, RefKind::Actor, RefKind::Place]
                    .iter()
                    .any(|&k| oracle.is(k, text));
                prop_assert_eq!(table.is_entity(text), entity);
                let named = oracle.named.get(*text).map_or(&[][..], Vec::as_slice);
                prop_assert_eq!(table.named(text), named);
            }
        }
    }
}
