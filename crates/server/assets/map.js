// The map: Natural Earth country outlines as the basemap (no tiles: the page
// works offline), and each place of /api/map as a mark on a canvas, coloured
// by who held it on the day, with distinct marks for contested, uncertain
// and unknown places, and a legend of the controllers shown.

import { actorColour, el } from './util.js';

/* global L, topojson */

const RADIUS = { country: 9, region: 8, town: 6, base: 5, site: 5 };

/** How large marks are drawn: smaller when zoomed out, where many crowd together. */
let scale = 1;

/** How a place's mark looks for its status (and whether it is selected). */
export function markStyle(p, selected) {
  const r = (RADIUS[p.kind] || 6) * scale;
  let style;
  switch (p.status) {
    case 'controlled':
      style = { radius: r, color: '#1d1d1d', weight: 1, fillColor: actorColour(p.controller.id), fillOpacity: 0.92 };
      break;
    case 'contested':
      style = { radius: r + 1, color: '#c4001a', weight: 3, dashArray: '3 2', fillColor: '#ffffff', fillOpacity: 1 };
      break;
    case 'uncertain':
      style = { radius: r, color: '#4a4a4a', weight: 2, dashArray: '1 3', fillColor: '#fff6c8', fillOpacity: 0.85 };
      break;
    default:
      style = { radius: Math.max(3, r - 2.5), color: '#8a8a8a', weight: 1, fillColor: '#c8c8c8', fillOpacity: 0.8 };
  }
  if (selected) {
    style.radius += 4;
    style.weight += 1.5;
    if (p.status === 'controlled' || p.status === 'unknown') style.color = '#000000';
  }
  return style;
}

/** What a mark's look depends on, besides the selection and the zoom. */
function looks(p) {
  return `${p.status}|${p.controller ? p.controller.id : ''}|${p.kind}`;
}

const STATUS_TEXT = {
  controlled: 'held by',
  contested: 'contested',
  uncertain: 'uncertain (a change dated within a range that contains the day)',
  unknown: 'unknown',
};

function tooltip(p) {
  let line = p.status === 'controlled' ? `held by ${p.controller.name}` : STATUS_TEXT[p.status] || p.status;
  if (p.since) line += ` since ${p.since}`;
  return `<b>${escape(p.name)}</b> <span class="muted">(${escape(p.id)})</span><br>${escape(line)}`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The centre and area (square degrees) of the largest ring of a polygon or multipolygon. */
function labelSpot(geometry) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  let best = null;
  for (const polygon of polygons) {
    const ring = polygon[0];
    let area = 0;
    let x = 0;
    let y = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += cross;
      x += (ring[j][0] + ring[i][0]) * cross;
      y += (ring[j][1] + ring[i][1]) * cross;
    }
    if (area === 0) continue;
    const spot = { lon: x / (3 * area), lat: y / (3 * area), area: Math.abs(area / 2) };
    if (!best || spot.area > best.area) best = spot;
  }
  return best;
}

/** The map in `container`; `onPick(placeId)` is called when a mark is clicked. */
export class ConflictMap {
  constructor(container, onPick) {
    this.map = L.map(container, { preferCanvas: true, zoomSnap: 0.25, minZoom: 2, maxZoom: 12, worldCopyJump: true });
    this.map.attributionControl.setPrefix(false);
    this.map.attributionControl.addAttribution(
      'outlines: <a href="/assets/vendor/README.md">Natural Earth</a> · <a href="/assets/vendor/leaflet/LICENSE">Leaflet</a>'
    );
    this.map.setView([17.5, -2], 5);
    this.map.createPane('basemap').style.zIndex = 250;
    this.marks = new Map();
    this.layer = L.layerGroup().addTo(this.map);
    this.onPick = onPick;
    this.selected = null;
    this.fitted = false;
    this.legend = L.control({ position: 'bottomleft' });
    this.legend.onAdd = () => el('div', { class: 'legend', id: 'legend' });
    this.legend.addTo(this.map);
    this.map.on('zoomend', () => this.rescale());
    this.rescale();
    this.loadBasemap();
  }

  async loadBasemap() {
    try {
      const topology = await (await fetch('/assets/vendor/world-atlas/countries-50m.json')).json();
      const countries = topojson.feature(topology, topology.objects.countries);
      L.geoJSON(countries, {
        pane: 'basemap',
        renderer: L.canvas({ pane: 'basemap' }),
        interactive: false,
        style: { color: '#8f8a80', weight: 0.8, fillColor: '#f4f1e8', fillOpacity: 1 },
      }).addTo(this.map);
      this.countryNames(countries);
    } catch (e) {
      console.warn('no basemap', e);
    }
  }

  /** Sizes the marks for the zoom: full size from zoom 5 on, half size at zoom 2. */
  rescale() {
    const next = Math.min(1, Math.max(0.5, 0.5 + (this.map.getZoom() - 2) / 6));
    if (next === scale) return;
    scale = next;
    for (const [id, mark] of this.marks) mark.setStyle(markStyle(mark.place, id === this.selected));
  }

  /** Country names at the centre of each country's largest part; small countries' only when zoomed in. */
  countryNames(countries) {
    this.map.createPane('names').style.zIndex = 300;
    const names = L.layerGroup().addTo(this.map);
    for (const f of countries.features) {
      const spot = labelSpot(f.geometry);
      if (!spot || !f.properties || !f.properties.name) continue;
      const size = spot.area > 40 ? 'big' : spot.area > 4 ? 'mid' : 'small';
      const icon = L.divIcon({ className: `country-name ${size}`, html: escape(f.properties.name), iconSize: null });
      L.marker([spot.lat, spot.lon], { icon, pane: 'names', interactive: false, keyboard: false }).addTo(names);
    }
    const zoomClass = () => {
      const box = this.map.getContainer();
      const z = this.map.getZoom();
      box.classList.toggle('names-mid', z >= 5);
      box.classList.toggle('names-small', z >= 7);
    };
    this.map.on('zoomend', zoomClass);
    zoomClass();
  }

  /** Draws a FeatureCollection of /api/map: one mark per place, reused across days. */
  show(collection) {
    const seen = new Set();
    for (const f of collection.features) {
      const p = f.properties;
      seen.add(p.id);
      let mark = this.marks.get(p.id);
      const [lon, lat] = f.geometry.coordinates;
      if (!mark) {
        mark = L.circleMarker([lat, lon], markStyle(p, p.id === this.selected));
        mark.on('click', () => this.onPick(mark.place.id));
        mark.bindTooltip(() => tooltip(mark.place), { direction: 'top', offset: [0, -4] });
        mark.addTo(this.layer);
        this.marks.set(p.id, mark);
      } else {
        const at = mark.getLatLng();
        if (at.lat !== lat || at.lng !== lon) mark.setLatLng([lat, lon]);
        // Most places keep their holder from one day to the next: those are not redrawn.
        if (looks(p) !== looks(mark.place)) mark.setStyle(markStyle(p, p.id === this.selected));
      }
      mark.place = p;
    }
    for (const [id, mark] of this.marks) {
      if (!seen.has(id)) {
        mark.remove();
        this.marks.delete(id);
      }
    }
    this.showLegend(collection);
    if (!this.fitted && collection.features.length) {
      this.fitted = true;
      this.fit(collection);
    }
    this.label();
  }

  /** Fits the view to the places, leaving out the few far from the rest. */
  fit(collection) {
    const lats = collection.features.map((f) => f.geometry.coordinates[1]).sort((a, b) => a - b);
    const lons = collection.features.map((f) => f.geometry.coordinates[0]).sort((a, b) => a - b);
    const q = (xs, t) => xs[Math.min(xs.length - 1, Math.floor(t * (xs.length - 1)))];
    const lo = collection.features.length > 20 ? 0.02 : 0;
    const bounds = L.latLngBounds([q(lats, lo), q(lons, lo)], [q(lats, 1 - lo), q(lons, 1 - lo)]);
    this.map.fitBounds(bounds.pad(0.08), { maxZoom: 8 });
  }

  /** Marks `id` as the selected place (null: none) and centres it if asked. */
  select(id, pan) {
    const old = this.selected;
    this.selected = id;
    for (const key of [old, id]) {
      const mark = key && this.marks.get(key);
      if (mark) mark.setStyle(markStyle(mark.place, key === id));
    }
    const mark = id && this.marks.get(id);
    if (mark) {
      mark.bringToFront();
      if (pan) this.map.panTo(mark.getLatLng());
    }
    this.label();
  }

  /** Centres the map on a point. */
  centre(lat, lon) {
    this.map.setView([lat, lon], Math.max(this.map.getZoom(), 7));
  }

  /** A permanent label on the selected place. */
  label() {
    if (this.labelled && this.labelled !== this.marks.get(this.selected)) {
      this.labelled.unbindTooltip();
      const mark = this.labelled;
      mark.bindTooltip(() => tooltip(mark.place), { direction: 'top', offset: [0, -4] });
      this.labelled = null;
    }
    const mark = this.selected && this.marks.get(this.selected);
    if (mark && this.labelled !== mark) {
      mark.unbindTooltip();
      mark.bindTooltip(() => escape(mark.place.name), { permanent: true, direction: 'right', offset: [8, 0], className: 'label' });
      mark.openTooltip();
      this.labelled = mark;
    }
  }

  showLegend(collection) {
    const box = document.getElementById('legend');
    if (!box) return;
    const held = new Map();
    const counts = { controlled: 0, contested: 0, uncertain: 0, unknown: 0 };
    for (const f of collection.features) {
      const p = f.properties;
      counts[p.status] = (counts[p.status] || 0) + 1;
      if (p.status === 'controlled') {
        const c = held.get(p.controller.id) || { name: p.controller.name, n: 0 };
        c.n += 1;
        held.set(p.controller.id, c);
      }
    }
    const top = [...held.entries()].sort((a, b) => b[1].n - a[1].n || a[1].name.localeCompare(b[1].name));
    const shown = top.slice(0, 12);
    const swatch = (style) =>
      el('span', {
        class: 'swatch',
        style: {
          background: style.fillColor,
          borderColor: style.color,
          borderStyle: style.dashArray ? (style.dashArray.startsWith('1') ? 'dotted' : 'dashed') : 'solid',
          borderWidth: `${Math.min(style.weight, 3)}px`,
        },
      });
    const rows = shown.map(([id, c]) =>
      el('li', { 'data-actor': id }, swatch(markStyle({ status: 'controlled', controller: { id } })), `${c.name} `, el('span', { class: 'muted' }, c.n))
    );
    if (top.length > shown.length) rows.push(el('li', { class: 'muted' }, `and ${top.length - shown.length} more controllers`));
    const statuses = ['contested', 'uncertain', 'unknown'].map((s) =>
      el('li', {}, swatch(markStyle({ status: s })), `${s} `, el('span', { class: 'muted' }, counts[s]))
    );
    box.replaceChildren(
      el('div', { class: 'legend-title' }, `held on ${collection.date}`),
      el('ul', {}, rows.length ? rows : el('li', { class: 'muted' }, 'no place held')),
      el('ul', {}, statuses)
    );
  }
}
