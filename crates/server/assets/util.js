// Small helpers shared by the page's modules: days, EDTF dates, colours,
// requests that a newer one cancels, and building elements.

const DAY_MS = 86400000;

/** Days since 1970-01-01 of an ISO day `YYYY-MM-DD`. */
export function dayNumber(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** The ISO day `YYYY-MM-DD` of a day number. */
export function isoDay(n) {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** Whether `text` is a valid ISO day. */
export function isDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  return isoDay(dayNumber(text)) === text;
}

/** `iso` moved by `count` days, months or years (a month's end is kept in range). */
export function addStep(iso, unit, count) {
  if (unit === 'day') return isoDay(dayNumber(iso) + count);
  const [y, m, d] = iso.split('-').map(Number);
  const months = unit === 'year' ? 12 * count : count;
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

function lastDayOfMonth(y, m) {
  return new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate();
}

function edtfOne(text) {
  const t = text.trim().replace(/[?~%]+$/, '');
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return [t, t];
  m = /^(\d{4})-(\d{2})$/.exec(t);
  if (m) return [`${t}-01`, `${t}-${String(lastDayOfMonth(m[1], m[2])).padStart(2, '0')}`];
  m = /^(\d{4})$/.exec(t);
  if (m) return [`${t}-01-01`, `${t}-12-31`];
  return null;
}

/**
 * The days `[earliest, latest]` of an EDTF date of the subset the log uses
 * (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, a trailing `?` or `~`, intervals `A/B`),
 * or null.
 */
export function edtfRange(text) {
  if (!text) return null;
  const parts = String(text).split('/');
  if (parts.length === 2) {
    const a = edtfOne(parts[0]);
    const b = edtfOne(parts[1]);
    return a && b ? [a[0], b[1]] : null;
  }
  return edtfOne(parts[0]);
}

/** Whether an EDTF date is uncertain or approximate (`?`, `~`). */
export function edtfQualified(text) {
  return /[?~%]/.test(String(text || ''));
}

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * Twenty colours far apart (Kelly's colours of maximum contrast, without
 * white, black and grey, which mark places no one holds; teal instead).
 */
const PALETTE = [
  '#f3c300', '#875692', '#f38400', '#a1caf1', '#be0032', '#c2b280', '#1f9e9e', '#008856', '#e68fac', '#0067a5',
  '#f99379', '#604e97', '#f6a600', '#b3446c', '#dcd300', '#882d17', '#8db600', '#654522', '#e25822', '#2b3d26',
];

/**
 * Mixed into the hash of an id: chosen so that the built-in chronicle's main
 * holders (the Malian army, the CMA, the MNLA, the MAA, the MSA, the ISGS,
 * JNIM, Wagner, GATIA, France, MUJAO, Ansar Dine) get twelve different
 * colours. Any other log gets colours just as stable, by id.
 */
const SALT = '164796:';

/** A colour for an actor id: the same id always gets the same colour. */
export function actorColour(id) {
  return PALETTE[hash(SALT + String(id)) % PALETTE.length];
}

/** An error the API answered: its message and status. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

const inflight = new Map();

/**
 * GETs JSON from the API. A newer request under the same `key` aborts the
 * older one (its promise rejects with an AbortError, which callers ignore).
 */
export async function getJSON(key, url) {
  if (key) inflight.get(key)?.abort();
  const controller = new AbortController();
  if (key) inflight.set(key, controller);
  try {
    const response = await fetch(url, { signal: controller.signal });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(body.error || response.statusText, response.status);
    return body;
  } finally {
    if (key && inflight.get(key) === controller) inflight.delete(key);
  }
}

/** Whether `e` is the rejection of a request aborted by a newer one. */
export function aborted(e) {
  return e && e.name === 'AbortError';
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  return q.toString();
}

/**
 * An element: `el('a', {href, class: 'x'}, child, ...)`. Children are
 * elements or text (never parsed as HTML); null children are skipped.
 */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(node.style, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Calls `fn` once `ms` have passed without another call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Names of actors and places met in answers, for ids the timelines give bare. */
export const names = new Map();

/** Remembers `{id, name}` entities found in an answer, at any depth. */
export function learnNames(value, depth = 0) {
  if (!value || typeof value !== 'object' || depth > 6) return;
  if (Array.isArray(value)) {
    for (const v of value) learnNames(v, depth + 1);
    return;
  }
  if (typeof value.id === 'string' && typeof value.name === 'string') names.set(value.id, value.name);
  for (const v of Object.values(value)) {
    if (v && typeof v === 'object') learnNames(v, depth + 1);
  }
}

/** The name of an id, if met, else the id. */
export function nameOf(id) {
  return names.get(id) || id;
}
