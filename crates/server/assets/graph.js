// The relation graph of the day (cytoscape.js, laid out by fcose): groups
// drawn as compound nodes holding their members (a `member_of` edge; a
// member of several groups sits in the first, by id, that makes no cycle, and
// keeps its other memberships as edges), and edge styles as in the DOT
// export: hostility red, alliance green, control dashed blue, governs purple,
// interventions orange, signing dashed grey, uncertain dotted.

import { actorColour, el } from './util.js';

/* global cytoscape */

const SHAPES = {
  state: 'octagon',
  government: 'rectangle',
  armed_force: 'round-rectangle',
  armed_group: 'ellipse',
  coalition: 'hexagon',
  pmc: 'diamond',
  international_org: 'round-octagon',
  mission: 'round-octagon',
  person: 'ellipse',
  agreement: 'rectangle',
};

/** Relation kinds: colour, line style, arrow, and the words of the legend. */
export const EDGES = {
  member_of: { colour: '#666666', line: 'solid', arrow: true, words: 'member of' },
  allied_with: { colour: '#228b22', line: 'solid', arrow: false, words: 'allied' },
  hostile_to: { colour: '#cd0000', line: 'solid', arrow: false, words: 'hostile' },
  controls: { colour: '#0000cd', line: 'dashed', arrow: true, words: 'controls' },
  governs: { colour: '#a020f0', line: 'solid', arrow: true, words: 'governs' },
  intervenes_in: { colour: '#ee7600', line: 'solid', arrow: true, words: 'intervenes in' },
  signed: { colour: '#7f7f7f', line: 'dashed', arrow: true, words: 'signed' },
};

const STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(name)',
      'font-size': 9,
      'text-wrap': 'wrap',
      'text-max-width': 90,
      'text-valign': 'bottom',
      'text-margin-y': 2,
      width: 16,
      height: 16,
      'background-color': 'data(colour)',
      'border-width': 1,
      'border-color': '#333',
      shape: 'data(shape)',
    },
  },
  { selector: 'node.place', style: { width: 9, height: 9, 'background-color': '#f0e68c', shape: 'tag', 'font-size': 7, color: '#555' } },
  { selector: 'node.agreement', style: { 'background-color': '#eeeeee', 'font-size': 7 } },
  {
    selector: ':parent',
    style: {
      'background-color': '#f4f4f8',
      'background-opacity': 0.75,
      'border-color': 'data(colour)',
      'border-width': 2,
      shape: 'round-rectangle',
      'text-valign': 'top',
      'text-margin-y': -2,
      'font-size': 10,
      'font-weight': 'bold',
      padding: 8,
    },
  },
  { selector: 'node.selected', style: { 'border-width': 4, 'border-color': '#000', 'font-weight': 'bold', 'z-index': 10 } },
  { selector: 'node.faded', style: { opacity: 0.35 } },
  {
    selector: 'edge',
    style: {
      width: 1.6,
      'curve-style': 'bezier',
      'line-color': 'data(colour)',
      'line-style': 'data(line)',
      'target-arrow-color': 'data(colour)',
      'target-arrow-shape': 'data(arrow)',
      'arrow-scale': 0.7,
    },
  },
  { selector: 'edge.uncertain', style: { 'line-style': 'dotted', width: 2.2 } },
  { selector: 'edge.contested', style: { label: 'contested', 'font-size': 7, color: '#c4001a' } },
  { selector: 'edge.faded', style: { opacity: 0.25 } },
];

/**
 * The graph in `container`; `onPick(node)` gets `{id, kind, name, category}`
 * of a clicked node: its id is the actor's or the place's own (an
 * agreement's is `agreement::` and its slug).
 */
export class RelationGraph {
  constructor(container, onPick) {
    this.cy = cytoscape({ container, style: STYLE, minZoom: 0.05, maxZoom: 4 });
    this.cy.on('tap', 'node', (e) => onPick(e.target.data()));
    this.signature = '';
    this.selected = null;
  }

  /**
   * Draws a graph of /api/graph (format json); `selected` is a node id to
   * stress. Nodes already drawn keep their places, so that playing the
   * conflict moves the drawing little from one day to the next.
   */
  show(graph, selected) {
    const elements = elementsOf(graph);
    const signature = elements.map((e) => e.data.id + (e.data.parent || '') + (e.classes || '')).join('|');
    const redrawn = signature !== this.signature;
    const moved = redrawn || selected !== this.selected;
    this.selected = selected;
    if (redrawn) {
      this.signature = signature;
      const before = new Map(this.cy.nodes().map((n) => [n.id(), { ...n.position() }]));
      let kept = 0;
      for (const e of elements) {
        if (e.group === 'nodes' && before.has(e.data.id)) {
          e.position = before.get(e.data.id);
          kept += 1;
        }
      }
      this.cy.batch(() => {
        this.cy.elements().remove();
        this.cy.add(elements);
      });
      const incremental = kept > graph.nodes.length / 2;
      if (incremental) placeNewcomers(this.cy, before);
      const quality = graph.nodes.length > 120 ? 'draft' : 'proof';
      this.cy
        .layout({
          name: 'fcose', animate: false, quality, randomize: !incremental, fit: true,
          nodeRepulsion: () => 6000, idealEdgeLength: () => 45, packComponents: true, padding: 10,
        })
        .run();
    }
    this.stress(selected, moved);
  }

  /**
   * Stresses node `id` (an actor or place id) and its neighbours (null:
   * none); `fit`: zooms to them (to the whole graph when nothing is stressed).
   */
  stress(id, fit) {
    const node = id ? this.cy.getElementById(id) : this.cy.collection();
    let near = node.closedNeighborhood().union(node.descendants());
    if (near.nodes().length < 6) near = near.closedNeighborhood();
    near = near.union(near.ancestors());
    this.cy.batch(() => {
      this.cy.elements().removeClass('selected faded');
      if (node.empty()) return;
      node.addClass('selected');
      this.cy.elements().not(near).addClass('faded');
    });
    if (!fit) return;
    if (node.empty()) {
      this.cy.fit(undefined, 10);
      return;
    }
    this.cy.fit(near, 24);
    if (this.cy.zoom() > 1.5) this.cy.zoom({ level: 1.5, position: node.position() });
  }

  clear() {
    this.signature = '';
    this.cy.elements().remove();
  }
}

/** Puts nodes drawn for the first time beside a neighbour that was drawn before. */
function placeNewcomers(cy, before) {
  cy.nodes().forEach((n) => {
    if (before.has(n.id()) || n.isParent()) return;
    const old = n.neighborhood('node').filter((m) => before.has(m.id()));
    const at = old.nonempty() ? old[0].position() : { x: 0, y: 0 };
    n.position({ x: at.x + 20 * (Math.random() - 0.5), y: at.y + 20 * (Math.random() - 0.5) });
  });
}

/**
 * Cytoscape elements of a graph: nodes under the ids of /api/graph (the same
 * in every graph format, so an edge's ends are node ids as they are), groups
 * as parents.
 */
export function elementsOf(graph) {
  const nodes = graph.nodes.map((n) => ({
    group: 'nodes',
    classes: n.category,
    data: {
      id: n.id,
      name: n.name,
      kind: n.kind,
      category: n.category,
      shape: SHAPES[n.kind] || SHAPES[n.category] || 'ellipse',
      colour: n.category === 'actor' ? actorColour(n.id) : '#f0e68c',
    },
  }));
  const keys = new Set(nodes.map((n) => n.data.id));
  const parent = new Map();
  const holds = (group, node) => {
    for (let at = group; at; at = parent.get(at)) if (at === node) return true;
    return false;
  };
  const edges = [];
  graph.edges.forEach((e, i) => {
    const { source, target } = e;
    if (!keys.has(source) || !keys.has(target)) return;
    const group = e.kind === 'member_of' && e.status === 'valid';
    if (group && !parent.has(source) && !holds(target, source)) {
      parent.set(source, target);
      return;
    }
    const look = EDGES[e.kind] || EDGES.member_of;
    edges.push({
      group: 'edges',
      classes: e.status === 'valid' ? '' : e.status,
      data: {
        id: `e${i}:${e.kind}:${source}>${target}`,
        source,
        target,
        kind: e.kind,
        colour: look.colour,
        line: look.line,
        arrow: look.arrow ? 'triangle' : 'none',
      },
    });
  });
  for (const n of nodes) {
    const p = parent.get(n.data.id);
    if (p) n.data.parent = p;
  }
  return [...nodes, ...edges];
}

/** The legend of edge kinds, as elements. */
export function edgeLegend() {
  return Object.entries(EDGES).map(([, look]) =>
    el(
      'span',
      { class: 'edge-kind' },
      el('span', { class: 'edge-line', style: { borderTopColor: look.colour, borderTopStyle: look.line } }),
      look.words
    )
  );
}
