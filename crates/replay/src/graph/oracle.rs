//! The construction of a day's graph that judges every relation of the
//! temporal graph, copies every node and drops the isolated ones: slow
//! (it costs what the whole temporal graph costs), plain, and kept as the
//! reference [`World::graph_of_kinds`], [`World::graph_of_node`] and
//! [`World::graph_around`] are held equal to on every day of generated logs.

use annals_model::{ActorId, PlaceId};
use chrono::NaiveDate;
use hashbrown::HashMap;
use proptest::prelude::*;

use super::dated::{edge_status, source_actor, DatedEdge, DatedGraph};
use crate::control::Holding;
use crate::relations::{Node, Relation, RelationKind};
use crate::world::World;

/// Per-query cache of holder answers, so a place's timeline is folded once.
#[derive(Default)]
struct Holdings {
    control: HashMap<PlaceId, Holding>,
    government: HashMap<ActorId, Holding>,
}

impl World {
    fn graph_by_every_relation(&self, date: NaiveDate, kinds: &[RelationKind]) -> DatedGraph {
        let mut cache = Holdings::default();
        let wanted = |kind: &RelationKind| kinds.is_empty() || kinds.contains(kind);
        let graph = self.temporal.graph.filter_map(
            |_, node| Some(node.clone()),
            |_, relation| match wanted(&relation.key.kind) {
                true => self.edge_on(relation, date, &mut cache),
                false => None,
            },
        );
        let mut dated = DatedGraph { date, graph, index: HashMap::new() };
        dated.drop_isolated();
        dated
    }

    fn holding_for<'c>(
        &self,
        relation: &Relation,
        date: NaiveDate,
        cache: &'c mut Holdings,
    ) -> std::borrow::Cow<'c, Holding> {
        use std::borrow::Cow;
        match (&relation.key.kind, &relation.key.target) {
            (RelationKind::Controls, Node::Place(p)) => Cow::Borrowed(
                cache.control.entry(p.clone()).or_insert_with(|| self.control_answer(p, date)),
            ),
            (RelationKind::Governs, Node::Actor(s)) => Cow::Borrowed(
                cache
                    .government
                    .entry(s.clone())
                    .or_insert_with(|| self.government_answer(s, date)),
            ),
            _ => Cow::Owned(self.holding(&relation.facts, date)),
        }
    }

    fn edge_on(
        &self,
        relation: &Relation,
        date: NaiveDate,
        cache: &mut Holdings,
    ) -> Option<DatedEdge> {
        let actor = source_actor(relation)?;
        let h = self.holding_for(relation, date, cache);
        let status = edge_status(&h, actor)?;
        Some(self.edge(relation, &h, actor, status, self.timeline_of(relation), date))
    }
}

/// The nodes and edges of a graph, each edge with every field, in order.
fn shown(g: &DatedGraph) -> (Vec<Node>, Vec<DatedEdge>) {
    let nodes = g.nodes().into_iter().cloned().collect();
    (nodes, g.edges().into_iter().cloned().collect())
}

fn copy(g: &DatedGraph) -> DatedGraph {
    DatedGraph { date: g.date, graph: g.graph.clone(), index: g.index.clone() }
}

/// The days to look at: every day some fact of the log begins or settles
/// on, the days around them, and a day before and after everything.
fn days(world: &World) -> Vec<NaiveDate> {
    let facts = world.control.values().chain(world.governments.values());
    let facts = facts.flatten().chain(world.temporal.relations().flat_map(|(_, r)| &r.facts));
    let mut days: Vec<NaiveDate> = facts
        .flat_map(|f| [f.earliest, f.latest])
        .flat_map(|d| [d.pred_opt(), Some(d), d.succ_opt()])
        .flatten()
        .collect();
    days.extend(NaiveDate::from_ymd_opt(1900, 1, 1));
    days.extend(NaiveDate::from_ymd_opt(2100, 1, 1));
    days.sort_unstable();
    days.dedup();
    days
}

/// The new graphs equal the reference on every day, for every kind, for
/// every node and its neighbourhoods, and the blocs of a graph of some kinds are those of the
/// whole graph, in `world` as it is.
fn agrees(world: &World) -> Result<(), TestCaseError> {
    let nodes: Vec<Node> = world.temporal.graph.node_weights().cloned().collect();
    for (d, day) in days(world).into_iter().enumerate() {
        let reference = world.graph_by_every_relation(day, &[]);
        prop_assert_eq!(shown(&world.graph_on(day)), shown(&reference), "on {}", day);
        for kind in RelationKind::ALL {
            let only = world.graph_of_kinds(day, &[kind]);
            let mut want = copy(&reference);
            want.retain_kinds(&[kind]);
            prop_assert_eq!(shown(&only), shown(&want));
        }
        // A bloc is tied by edges of its kinds alone: the graph of those
        // kinds has the blocs of the whole graph.
        let ties = [RelationKind::AlliedWith, RelationKind::MemberOf];
        for kinds in [&ties[..], &RelationKind::ALL, &[RelationKind::Controls]] {
            let only = world.graph_of_kinds(day, kinds);
            prop_assert_eq!(only.blocs(kinds), reference.blocs(kinds), "on {}", day);
        }
        let few = [RelationKind::AlliedWith, RelationKind::HostileTo, RelationKind::Controls];
        let mut of_few = copy(&reference);
        of_few.retain_kinds(&few);
        let nobody = Node::Actor(ActorId::new("nobody").expect("an id"));
        for (i, node) in nodes.iter().chain([&nobody]).enumerate() {
            let mine = world.graph_of_node(day, node);
            let want: Vec<&DatedEdge> = reference.edges_of(node);
            prop_assert_eq!(mine.edges_of(node), want, "{} on {}", node, day);
            // One depth (0 to 2) and one set of kinds per node and day, in turn.
            let turn = i + d;
            let depth = turn % 3;
            let (kinds, whole) = match turn % 2 {
                0 => (&[][..], &reference),
                _ => (&few[..], &of_few),
            };
            let mut want = copy(whole);
            want.retain_around(node, depth);
            let mine = world.graph_around(day, kinds, node, depth);
            prop_assert_eq!(shown(&mine), shown(&want), "{} {} on {}", node, depth, day);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The graph of a day, of some kinds, and of one node is what judging
    /// every relation gives: the same nodes, and the same edges with the
    /// same status, since, until, events, claim and sources. With links
    /// and retractions (of links too), dissolutions, coups and every
    /// relation; with the interval index and without; and as known at an
    /// earlier time (the records up to a cut).
    #[test]
    fn a_days_graph_is_what_judging_every_relation_gives(
        log in annals_testkit::linked_log(),
        cut in 0usize..100,
    ) {
        let records = annals_testkit::recorded(log);
        let known = records.len() * cut / 100;
        for records in [records.clone(), records[..known].to_vec()] {
            let world = World::replay(records);
            agrees(&world)?;
            world.index();
            agrees(&world)?;
        }
    }
}
