//! Questions about one day's graph: neighbourhoods, kinds, blocs, chains.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use hashbrown::HashMap;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use petgraph::Direction;

use super::dated::{DatedEdge, DatedGraph};
use crate::relations::{Node, RelationKind};

impl DatedGraph {
    pub(crate) fn drop_isolated(&mut self) {
        let isolated: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| self.graph.neighbors_undirected(n).next().is_none())
            .collect();
        for n in isolated {
            self.graph.remove_node(n);
        }
        self.reindex();
    }

    pub(crate) fn reindex(&mut self) {
        self.index = self.graph.node_indices().map(|i| (self.graph[i].clone(), i)).collect();
    }

    /// The nodes, sorted.
    pub fn nodes(&self) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self.graph.node_weights().collect();
        nodes.sort();
        nodes
    }

    /// The edges, sorted by key.
    pub fn edges(&self) -> Vec<&DatedEdge> {
        let mut edges: Vec<&DatedEdge> = self.graph.edge_weights().collect();
        edges.sort_by(|a, b| a.key.cmp(&b.key));
        edges
    }

    pub fn contains(&self, node: &Node) -> bool {
        self.index.contains_key(node)
    }

    /// The edges touching `node`, sorted by key.
    pub fn edges_of(&self, node: &Node) -> Vec<&DatedEdge> {
        let Some(&n) = self.index.get(node) else { return Vec::new() };
        let mut edges: Vec<&DatedEdge> = self
            .graph
            .edges_directed(n, Direction::Outgoing)
            .chain(self.graph.edges_directed(n, Direction::Incoming))
            .map(|e| e.weight())
            .collect();
        edges.sort_by(|a, b| a.key.cmp(&b.key));
        edges.dedup_by(|a, b| a.key == b.key);
        edges
    }

    /// Keeps only the edges of the given kinds (and the nodes they touch).
    pub fn retain_kinds(&mut self, kinds: &[RelationKind]) {
        self.graph.retain_edges(|g, e| kinds.contains(&g[e].key.kind));
        self.drop_isolated();
    }

    /// Keeps only `center` and what lies within `depth` relations of it, in
    /// either direction. `center` stays even without edges.
    pub fn retain_around(&mut self, center: &Node, depth: usize) {
        let near: HashMap<NodeIndex, usize> = match self.index.get(center) {
            Some(&start) => self.distances(start, depth),
            None => HashMap::new(),
        };
        self.graph.retain_nodes(|_, n| near.contains_key(&n));
        if self.graph.node_count() == 0 {
            self.graph.add_node(center.clone());
        }
        self.reindex();
    }

    /// Breadth-first distances from `start`, over edges in either direction.
    pub(crate) fn distances(&self, start: NodeIndex, limit: usize) -> HashMap<NodeIndex, usize> {
        let mut seen = HashMap::from([(start, 0)]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            let d = seen[&n];
            if d == limit {
                continue;
            }
            for m in self.graph.neighbors_undirected(n) {
                seen.entry(m).or_insert_with(|| {
                    queue.push_back(m);
                    d + 1
                });
            }
        }
        seen
    }

    /// Groups of actors tied by the given relations (connected components,
    /// ignoring direction), largest first; lone nodes are left out.
    pub fn blocs(&self, kinds: &[RelationKind]) -> Vec<Vec<&Node>> {
        let bound = self.graph.node_bound();
        let mut sets = UnionFind::<usize>::new(bound);
        for e in (&self.graph).edge_references() {
            if kinds.contains(&e.weight().key.kind) {
                sets.union(e.source().index(), e.target().index());
            }
        }
        let mut groups: BTreeMap<usize, Vec<&Node>> = BTreeMap::new();
        for n in self.graph.node_indices() {
            groups.entry(sets.find(n.index())).or_default().push(&self.graph[n]);
        }
        let mut blocs: Vec<Vec<&Node>> = groups.into_values().filter(|g| g.len() > 1).collect();
        for b in &mut blocs {
            b.sort();
        }
        blocs.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        blocs
    }

    /// A shortest chain of relations from `from` to `to`, ignoring direction:
    /// each step is the edge taken and the node it reaches. Among chains of the
    /// same length, the one through the smallest ids wins.
    pub fn path(&self, from: &Node, to: &Node) -> Option<Vec<(&DatedEdge, &Node)>> {
        let (&start, &goal) = (self.index.get(from)?, self.index.get(to)?);
        let mut back: HashMap<NodeIndex, (NodeIndex, EdgeIndex)> = HashMap::new();
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            if n == goal {
                break;
            }
            let mut steps: Vec<(NodeIndex, EdgeIndex)> = self
                .graph
                .edges_directed(n, Direction::Outgoing)
                .map(|e| (e.target(), e.id()))
                .chain(
                    self.graph.edges_directed(n, Direction::Incoming).map(|e| (e.source(), e.id())),
                )
                .collect();
            steps.sort_by(|a, b| {
                (&self.graph[a.0], &self.graph[a.1].key)
                    .cmp(&(&self.graph[b.0], &self.graph[b.1].key))
            });
            for (m, e) in steps {
                if seen.insert(m) {
                    back.insert(m, (n, e));
                    queue.push_back(m);
                }
            }
        }
        if !seen.contains(&goal) {
            return None;
        }
        let mut chain = Vec::new();
        let mut at = goal;
        while at != start {
            let (prev, e) = back[&at];
            chain.push((&self.graph[e], &self.graph[at]));
            at = prev;
        }
        chain.reverse();
        Some(chain)
    }
}
