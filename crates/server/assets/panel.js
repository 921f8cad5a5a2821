// The side panel: a place's control on the day and its timeline
// (/api/control, /api/history), or an actor's relations on the day
// (/api/actor, and a state's government timeline), each dated event with its
// claim and sources. A date with a range (a month, a year, an interval) is
// drawn as a bar from its earliest to its latest day.

import { dayNumber, edtfQualified, edtfRange, el, nameOf } from './util.js';

/** Whether a source's `url` may be a link: http and https only (never `javascript:`). */
function linkable(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url);
}

/** Links to the sources of an answer or event (`{id, title, url}`). */
export function sourceList(sources) {
  if (!sources || !sources.length) return el('p', { class: 'muted sources' }, 'no source cited');
  return el(
    'ul',
    { class: 'sources' },
    sources.map((s) =>
      el(
        'li',
        {},
        linkable(s.url) ? el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.title || s.id) : s.title || s.id,
        ' ',
        el('span', { class: 'muted' }, `[${s.id}]`)
      )
    )
  );
}

function claimBadge(claim, claimedBy) {
  if (!claim) return null;
  const who = claimedBy ? ` by ${typeof claimedBy === 'object' ? claimedBy.name : nameOf(claimedBy)}` : '';
  return el('span', { class: `claim claim-${claim}` }, `${claim}${who}`);
}

/** A link that selects an actor or a place in the page. */
function pick(kind, id, text, onPick) {
  return el('a', { href: '#', class: `pick pick-${kind}`, onclick: (e) => { e.preventDefault(); onPick(kind, id); } }, text || nameOf(id));
}

/**
 * A range bar: the days [from, to] within the axis [lo, hi], with the day
 * asked (`on`) marked.
 */
function rangeBar(range, axis, on, title) {
  const [lo, hi] = axis;
  const width = Math.max(1, hi - lo);
  const x = (d) => `${(100 * (d - lo)) / width}%`;
  const a = Math.max(lo, Math.min(hi, range[0]));
  const b = Math.max(a, Math.min(hi, range[1]));
  const bar = el('span', {
    class: a === b ? 'tick' : 'bar',
    title,
    style: a === b ? { left: x(a) } : { left: x(a), width: `${Math.max(0.6, (100 * (b - a + 1)) / width)}%` },
  });
  const now = on >= lo && on <= hi ? el('span', { class: 'now', style: { left: x(on) } }) : null;
  return el('span', { class: 'track' }, bar, now);
}

/** The axis [lo, hi] of day numbers covering every range and the day asked. */
function axisOf(ranges, on) {
  let lo = on;
  let hi = on;
  for (const r of ranges) {
    if (!r) continue;
    lo = Math.min(lo, r[0]);
    hi = Math.max(hi, r[1]);
  }
  const pad = Math.max(15, Math.round((hi - lo) * 0.02));
  return [lo - pad, hi + pad];
}

function dayRange(text) {
  const r = edtfRange(text);
  return r ? [dayNumber(r[0]), dayNumber(r[1])] : null;
}

function eventLine(e, onPick) {
  const who = e.actor || e.perpetrator || e.attacker;
  const parts = [el('span', { class: 'etype' }, e.type.replace(/_/g, ' '))];
  if (e.state) parts.push(' of ', pick('actor', e.state, null, onPick));
  if (who) parts.push(' by ', pick('actor', who, null, onPick));
  if (e.from) parts.push(' from ', pick('actor', e.from, null, onPick));
  if (e.target) parts.push(' on ', pick('actor', e.target, null, onPick));
  if (e.ousted) parts.push(' ousting ', pick('actor', e.ousted, null, onPick));
  if (e.outcome) parts.push(` (${e.outcome})`);
  if (e.fatalities !== undefined && e.fatalities !== null) parts.push(`, ${e.fatalities} killed`);
  return parts;
}

/** A timeline of history events (each a format-v1 line with seq and sources). */
export function timeline(events, on, onPick) {
  const ranges = events.map((e) => dayRange(e.date));
  const axis = axisOf(ranges, dayNumber(on));
  const rows = events.map((e, i) => {
    const range = ranges[i];
    const retracted = e.retracted_by ? el('span', { class: 'retracted-by' }, `retracted by ${e.retracted_by}`) : null;
    return el(
      'li',
      { class: e.retracted_by ? 'event retracted' : 'event', 'data-event': e.id },
      el(
        'div',
        { class: 'when' },
        el('span', { class: edtfQualified(e.date) ? 'date qualified' : 'date' }, e.date || 'undated'),
        range ? rangeBar(range, axis, dayNumber(on), range[0] === range[1] ? e.date : `${e.date}: ${edtfRange(e.date).join(' to ')}`) : null
      ),
      el('div', { class: 'what' }, eventLine(e, onPick), ' ', claimBadge(e.claim || 'reported', e.claimed_by), ' ', retracted),
      e.note ? el('div', { class: 'note' }, e.note) : null,
      sourceList(e.sources)
    );
  });
  return el('ol', { class: 'timeline' }, rows);
}

/** A control (or government: `verb` 'governed by') answer: the holder, the events weighed, the sources. */
function holdingSummary(c, onPick, verb = 'held by') {
  const line = [];
  if (c.status === 'controlled') {
    line.push(`${verb} `, pick('actor', c.controller.id, c.controller.name, onPick));
    if (c.since) line.push(` since ${c.since}`);
  } else if (c.status === 'unknown') {
    line.push('unknown');
    if (c.since) line.push(` (no holder since ${c.since})`);
  } else {
    line.push(c.status);
    if (c.window) line.push(` between ${c.window.earliest} and ${c.window.latest}`);
  }
  const candidates = (c.candidates || []).map((k) =>
    el(
      'li',
      {},
      `${k.change} by `,
      pick('actor', k.actor.id, k.actor.name, onPick),
      ` on ${k.date} `,
      claimBadge(k.claim, k.claimed_by),
      k.pending ? el('span', { class: 'muted' }, ' (not settled on the day)') : null
    )
  );
  return [
    el('p', { class: `holding status-${c.status}` }, el('b', {}, `On ${c.date}: `), line, ' ', claimBadge(c.claim, null)),
    candidates.length ? el('div', { class: 'weighed' }, el('h4', {}, 'the events weighed'), el('ul', {}, candidates)) : null,
    el('h4', {}, 'sources of the answer'),
    sourceList(c.sources),
  ];
}

/** The panel of a place: its control on the day, then its timeline. */
export function placePanel(control, history, on, onPick) {
  const p = control.place;
  return [
    el('h2', { class: 'title' }, p.name, ' ', el('span', { class: 'muted' }, `(${p.id})`)),
    ...holdingSummary(control, onPick),
    el('h3', {}, `timeline (${history.events.length} events)`),
    history.events.length ? timeline(history.events, on, onPick) : el('p', { class: 'muted' }, 'no control event'),
  ];
}

const SECTIONS = [
  ['member_of', 'member of'],
  ['members', 'members'],
  ['allied_with', 'allied with'],
  ['hostile_to', 'hostile to'],
  ['governs', 'governs'],
  ['governed_by', 'governed by'],
  ['intervenes_in', 'intervenes in'],
  ['interventions', 'foreign interventions'],
  ['signed', 'signed'],
  ['controls', 'controls'],
];

/** The days a relation holds: from its start to its end, or to `open` while it lasts. */
function relationRange(r, open) {
  const from = r.since ? dayRange(r.since) : null;
  const until = r.until ? dayRange(r.until) : null;
  return from ? [from[0], until ? until[1] : open] : null;
}

function relationRows(rows, axis, on, onPick) {
  return rows.map((r) => {
    const range = relationRange(r, axis[1]);
    const dates = `${r.since || '?'} – ${r.until || ''}`;
    return el(
      'li',
      { class: 'event' },
      el('div', { class: 'when' }, el('span', { class: 'date' }, dates), range ? rangeBar(range, axis, on, dates) : null),
      el(
        'div',
        { class: 'what' },
        r.with.category === 'agreement' ? r.with.name : pick(r.with.category, r.with.id, r.with.name, onPick),
        r.alliance ? ` (${nameOf(r.alliance)})` : '',
        r.operation ? ` (${r.operation})` : '',
        ' ',
        r.status !== 'valid' ? el('span', { class: `claim claim-${r.status}` }, r.status) : null,
        ' ',
        claimBadge(r.claim, null)
      ),
      sourceList(r.sources)
    );
  });
}

/** The panel of an actor: its relations on the day, and a state's governments. */
export function actorPanel(actor, government, on, onPick) {
  const a = actor.actor;
  const day = dayNumber(on);
  const all = SECTIONS.flatMap(([key]) => actor.relations[key] || []);
  const axis = axisOf(all.map((r) => relationRange(r, day)), day);
  const out = [el('h2', { class: 'title' }, a.name, ' ', el('span', { class: 'muted' }, `(${a.id}, ${a.kind || a.category})`))];
  if (government) {
    out.push(...holdingSummary(government.now, onPick, 'governed by').slice(0, 1));
  }
  out.push(el('h3', {}, `relations on ${actor.date}`));
  let any = false;
  for (const [key, words] of SECTIONS) {
    const rows = actor.relations[key] || [];
    if (!rows.length) continue;
    any = true;
    const shown = rows.slice(0, 200);
    out.push(el('h4', {}, `${words} (${rows.length})`), el('ol', { class: 'timeline' }, relationRows(shown, axis, day, onPick)));
    if (rows.length > shown.length) out.push(el('p', { class: 'muted' }, `and ${rows.length - shown.length} more`));
  }
  if (!any) out.push(el('p', { class: 'muted' }, 'no relation on that day'));
  if (government && government.history.events.length) {
    out.push(el('h3', {}, `governments (${government.history.events.length} events)`), timeline(government.history.events, on, onPick));
  }
  return out;
}
