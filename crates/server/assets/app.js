// The page: the state of the view (the day, `known_at`, the place or actor
// selected), kept in the URL so that a view can be cited; the controls that
// change it; and the loads that redraw the map, the graph and the panel.
// Requests are debounced while the slider moves, and a newer request
// cancels an older one of the same kind.

import { ConflictMap } from './map.js';
import { RelationGraph, edgeLegend } from './graph.js';
import { actorPanel, placePanel } from './panel.js';
import {
  addStep, aborted, dayNumber, debounce, el, getJSON, isDay, isoDay, learnNames, nameOf, query,
} from './util.js';

/** More nodes than this, and the graph shows a neighbourhood or fewer kinds. */
const GRAPH_LIMIT = 300;
/** The kinds drawn when the whole graph is too big: every kind but control and signing. */
const FEW_KINDS = 'member_of,allied_with,hostile_to,governs,intervenes_in';

const $ = (id) => document.getElementById(id);

const span = { from: document.body.dataset.from, to: document.body.dataset.to };
const view = { on: span.to, knownAt: '', place: null, actor: null };
const loaded = { map: null };
/** The graph queries (all but their day) found too big to draw: not asked again until `known_at` changes. */
const tooBig = new Set();
let playing = false;

const map = new ConflictMap($('map'), (id) => select('place', id, false));
// A node's id is the actor's or the place's own; an agreement has no panel.
const graph = new RelationGraph($('graph'), (node) => {
  if (node.category === 'actor' || node.category === 'place') select(node.category, node.id, true);
});
$('graph-legend').replaceChildren(...edgeLegend());

function status(text, error) {
  const bar = $('status');
  bar.textContent = text;
  bar.classList.toggle('error', Boolean(error));
}

/** The view from the URL's query: `on`, `known_at`, `place`, `actor`. */
function readUrl() {
  const q = new URLSearchParams(window.location.search);
  const on = q.get('on');
  view.on = on && isDay(on) ? on : span.to;
  view.knownAt = q.get('known_at') || '';
  view.place = q.get('place') || null;
  view.actor = view.place ? null : q.get('actor') || null;
}

/** Writes the view into the URL (`push`: a new history entry, for selections). */
function writeUrl(push) {
  const q = query({ on: view.on, place: view.place, actor: view.actor, known_at: view.knownAt });
  const url = `${window.location.pathname}?${q}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (push) window.history.pushState(null, '', url);
  else window.history.replaceState(null, '', url);
}

function known() {
  return view.knownAt ? { known_at: view.knownAt } : {};
}

/** Shows the day in the date field and on the slider. */
function showDay() {
  $('date').value = view.on;
  $('slider').value = String(dayNumber(view.on) - dayNumber(span.from));
  document.title = `annals: ${view.on}`;
}

async function loadMap() {
  const started = performance.now();
  const data = await getJSON('map', `/api/map?${query({ on: view.on, ...known() })}`);
  learnNames(data.features.map((f) => f.properties));
  map.show(data);
  loaded.map = data;
  const box = $('map');
  box.dataset.date = data.date;
  box.dataset.places = String(data.features.length);
  box.dataset.summary = summary(data);
  const ms = Math.round(performance.now() - started);
  const without = data.without_coordinates ? `, ${data.without_coordinates} without coordinates` : '';
  status(`${data.date}: ${data.features.length} places on the map${without} (${ms} ms)`);
}

/** The map's data in a few words: how many places each status and controller has. */
function summary(data) {
  const counts = {};
  for (const f of data.features) {
    const p = f.properties;
    const key = p.status === 'controlled' ? `controlled:${p.controller.id}` : p.status;
    counts[key] = (counts[key] || 0) + 1;
  }
  return Object.keys(counts).sort().map((k) => `${k}=${counts[k]}`).join(' ');
}

/** The graph queries to try, in order, and what each says about what is left out. */
function graphQueries() {
  const base = { format: 'json', ...known() };
  const selected = view.actor || view.place;
  const tries = [[base, '']];
  if (selected) {
    tries.push([{ ...base, around: selected }, `only the neighbourhood of ${selected}: the whole graph is too big to draw`]);
    tries.push([{ ...base, around: selected, kind: FEW_KINDS }, `only the neighbourhood of ${selected}, without control and signing edges: the graph is too big to draw`]);
  }
  tries.push([{ ...base, kind: FEW_KINDS }, 'without control and signing edges: the whole graph is too big to draw; select a place or an actor to see its neighbourhood']);
  return tries.filter(([params]) => !tooBig.has(query(params)));
}

/**
 * Draws the graph of the day: the whole graph if it has at most
 * GRAPH_LIMIT nodes, else the first smaller query of graphQueries().
 */
async function loadGraph() {
  const selected = view.actor || view.place;
  // Each place held is a node of the whole graph: with more held places
  // than the limit, the whole graph is not asked for.
  const map = await loaded.mapLoad;
  const held = map ? map.features.filter((f) => f.properties.status === 'controlled').length : 0;
  if (held > GRAPH_LIMIT) tooBig.add(query({ format: 'json', ...known() }));
  for (const [params, note] of graphQueries()) {
    const data = await getJSON('graph', `/api/graph?${query({ on: view.on, ...params })}`);
    if (data.nodes.length > GRAPH_LIMIT) {
      tooBig.add(query(params));
      continue;
    }
    learnNames(data.nodes);
    graph.show(data, selected);
    $('graph-note').textContent = `${data.date}: ${data.nodes.length} nodes, ${data.edges.length} edges${note ? ` (${note})` : ''}`;
    return;
  }
  graph.clear();
  $('graph-note').textContent = selected
    ? `${view.on}: the graph around ${selected} has more than ${GRAPH_LIMIT} nodes, too many to draw`
    : `${view.on}: the graph has more than ${GRAPH_LIMIT} nodes, too many to draw; select a place or an actor to see its neighbourhood`;
}

const histories = new Map();

/** A timeline that does not depend on the day: fetched once per `known_at`. */
async function history(id) {
  const key = `${id}|${view.knownAt}`;
  if (!histories.has(key)) {
    histories.set(key, getJSON(null, `/api/history?${query({ place: id, ...known() })}`));
  }
  try {
    return await histories.get(key);
  } catch (e) {
    histories.delete(key);
    throw e;
  }
}

async function loadPanel() {
  const panel = $('panel');
  if (view.place) {
    const [control, events] = await Promise.all([
      getJSON('panel', `/api/control?${query({ place: view.place, on: view.on, ...known() })}`),
      history(view.place),
    ]);
    learnNames(control);
    panel.replaceChildren(...placePanel(control, events, view.on, pickFromPanel).filter(Boolean));
    panel.dataset.place = control.place.id;
  } else if (view.actor) {
    const actor = await getJSON('panel', `/api/actor?${query({ actor: view.actor, on: view.on, ...known() })}`);
    learnNames(actor);
    let government = null;
    if (actor.actor.kind === 'state') {
      const [now, events] = await Promise.all([
        getJSON('government', `/api/government?${query({ state: actor.actor.id, on: view.on, ...known() })}`),
        history(actor.actor.id),
      ]);
      government = { now, history: events };
    }
    panel.replaceChildren(...actorPanel(actor, government, view.on, pickFromPanel).filter(Boolean));
    panel.dataset.actor = actor.actor.id;
  } else {
    panel.replaceChildren(el('p', { class: 'hint' }, 'Click a place on the map or an actor in the graph to see its timeline and sources.'));
  }
  panel.dataset.date = view.on;
}

function pickFromPanel(kind, id) {
  select(kind, id, true);
}

/** Runs a load, showing its error unless a newer request replaced it. */
async function guarded(what, load) {
  try {
    await load();
  } catch (e) {
    if (aborted(e)) return;
    status(`${what}: ${e.message}`, true);
    if (what === 'panel') $('panel').replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

/** Redraws what depends on the day and on `known_at`. */
function refresh() {
  writeUrl(false);
  const map = guarded('map', loadMap);
  loaded.mapLoad = map.then(() => loaded.map);
  return Promise.all([map, guarded('graph', loadGraph), guarded('panel', loadPanel)]);
}

const refreshSoon = debounce(refresh, 160);

/** Sets the day (clamped to the span); `soon`: wait until the slider rests. */
function setDay(iso, soon) {
  if (!isDay(iso)) return;
  const n = Math.min(Math.max(dayNumber(iso), dayNumber(span.from)), dayNumber(span.to));
  view.on = isoDay(n);
  showDay();
  if (soon) refreshSoon();
  else refresh();
}

/** Selects a place or an actor (null: nothing); `pan`: centre the map on a place. */
function select(kind, id, pan) {
  view.place = kind === 'place' ? id : null;
  view.actor = kind === 'actor' ? id : null;
  writeUrl(true);
  map.select(view.place, pan);
  graph.stress(view.place || view.actor, true);
  guarded('panel', loadPanel);
  if (tooBig.size) guarded('graph', loadGraph);
}

function step(sign) {
  const next = addStep(view.on, $('unit').value, sign);
  if (dayNumber(next) > dayNumber(span.to) || dayNumber(next) < dayNumber(span.from)) return false;
  setDay(next, false);
  return true;
}

async function play() {
  playing = !playing;
  $('play').textContent = playing ? '❚❚ pause' : '▶ play';
  while (playing) {
    const next = addStep(view.on, $('unit').value, 1);
    if (dayNumber(next) > dayNumber(span.to)) break;
    view.on = next;
    showDay();
    await refresh();
    await new Promise((resolve) => setTimeout(resolve, 450));
  }
  playing = false;
  $('play').textContent = '▶ play';
}

function stopPlaying() {
  playing = false;
}

function wireControls() {
  const slider = $('slider');
  slider.max = String(dayNumber(span.to) - dayNumber(span.from));
  slider.addEventListener('input', () => {
    stopPlaying();
    setDay(isoDay(dayNumber(span.from) + Number(slider.value)), true);
  });
  $('date').addEventListener('change', (e) => {
    stopPlaying();
    setDay(e.target.value, false);
  });
  $('back').addEventListener('click', () => { stopPlaying(); step(-1); });
  $('forward').addEventListener('click', () => { stopPlaying(); step(1); });
  $('play').addEventListener('click', play);
  const knownAt = $('known-at');
  knownAt.value = view.knownAt;
  knownAt.addEventListener('change', () => {
    view.knownAt = knownAt.value.trim();
    tooBig.clear();
    refresh();
  });
  wireSearch();
  window.addEventListener('popstate', () => {
    readUrl();
    $('known-at').value = view.knownAt;
    showDay();
    map.select(view.place, true);
    refresh();
  });
}

function wireSearch() {
  const input = $('search');
  const list = $('results');
  const run = debounce(async () => {
    const q = input.value.trim();
    if (!q) {
      list.hidden = true;
      return;
    }
    try {
      const found = await getJSON('search', `/api/places?${query({ q, limit: 20 })}`);
      const items = found.places.map((p) =>
        el('li', { tabindex: 0, 'data-place': p.id, onclick: () => choose(p) }, p.name, ' ', el('span', { class: 'muted' }, `${p.kind || 'place'}${p.within ? `, in ${nameOf(p.within)}` : ''}`))
      );
      if (found.more) items.push(el('li', { class: 'muted' }, 'more places match: type more'));
      if (!found.places.length) items.push(el('li', { class: 'muted' }, 'no place matches'));
      list.replaceChildren(...items);
      list.hidden = false;
    } catch (e) {
      if (!aborted(e)) status(`search: ${e.message}`, true);
    }
  }, 180);
  const choose = (p) => {
    list.hidden = true;
    input.value = p.name;
    if (p.lat !== null && p.lat !== undefined) map.centre(p.lat, p.lon);
    select('place', p.id, false);
  };
  input.addEventListener('input', run);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') list.querySelector('li[data-place]')?.click();
    if (e.key === 'Escape') list.hidden = true;
  });
  list.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.target.click();
  });
}

readUrl();
wireControls();
showDay();
map.select(view.place, false);
refresh().then(() => {
  if (view.place) map.select(view.place, true);
  document.body.dataset.ready = 'true';
});

// For the browser test and for people at the console.
window.annals = { view, span, setDay, select, map, graph };
