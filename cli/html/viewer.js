// The report viewer: reads the page's embedded JSON (cli/html/page.ts) and draws the cluster view, the
// history view and the batch view with plain DOM and SVG. Only what lies in the visible time window is drawn,
// and the window is redrawn at most once per animation frame, so runs with tens of thousands of messages stay
// responsive. Every drawn element carries a class and data attributes, which the browser tests read.

const data = JSON.parse(document.getElementById('seaworthy-data').textContent);
const SVG_NS = 'http://www.w3.org/2000/svg';
const BAND_STATES = ['follower', 'pre-candidate', 'candidate', 'leader', 'crashed'];
const STATUS = ['delivered', 'dropped', 'dropped', 'undelivered'];
const MSG_FIELDS = 8;
/** Above this many messages in the window, they are not drawn: the page says how many and asks to zoom in. */
const MESSAGES_DRAWN_MAX = 2500;
const MARGIN_LEFT = 64;
const AXIS_H = 22;
const NET_H = 18;
const LANE_H = 34;
const OP_H = 16;
/** Membership runs only: the members row under the network row, and a strip atop each lane (its membership). */
const MEMBER_H = 22;
const STRIP_H = 5;
/** Marks closer than this on one lane are thinned to the first (zooming in shows the rest). */
const MARK_GAP_PX = 3;
const VIOLATIONS_LISTED_MAX = 2;

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function html(tag, attrs, parent, text) {
  const e = document.createElement(tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// ---- The shared time window: zoom and pan ------------------------------------------------------------

/** A time window over [min, max]; every view drawn on it is redrawn when it moves. */
function makeWindow(min, max, unit) {
  const w = { min, max, t0: min, t1: max, unit, views: [], pending: false };
  w.set = (t0, t1) => {
    const span = Math.max(unit === 'ms' ? 5 : 2, Math.min(max - min, t1 - t0));
    t0 = Math.max(min, Math.min(t0, max - span));
    w.t0 = t0;
    w.t1 = t0 + span;
    if (w.pending) return;
    w.pending = true;
    requestAnimationFrame(() => {
      w.pending = false;
      for (const v of w.views) v.draw();
      document.body.setAttribute('data-ready', 'true');
    });
  };
  w.zoom = (factor, atT) => {
    const at = atT === undefined ? (w.t0 + w.t1) / 2 : atT;
    w.set(at - (at - w.t0) * factor, at + (w.t1 - at) * factor);
  };
  return w;
}

/** Wheel zooms around the pointer, dragging pans; both act on the window `w` through the view's scale. */
function attachZoomPan(svg, w, scaleOf) {
  svg.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const s = scaleOf();
    w.zoom(ev.deltaY > 0 ? 1.25 : 0.8, s.invert(ev.offsetX));
  }, { passive: false });
  let drag = null;
  svg.addEventListener('mousedown', (ev) => {
    drag = { x: ev.clientX, t0: w.t0, t1: w.t1 };
    svg.classList.add('dragging');
  });
  window.addEventListener('mousemove', (ev) => {
    if (drag === null) return;
    const s = scaleOf();
    const dt = (drag.x - ev.clientX) / s.k;
    w.set(drag.t0 + dt, drag.t1 + dt);
  });
  window.addEventListener('mouseup', () => {
    drag = null;
    svg.classList.remove('dragging');
  });
}

/** Clears `svg` for a new frame of window `w` and draws its axis; returns the frame's width and scale. */
function startFrame(svg, w, height) {
  const width = svg.clientWidth || 1000;
  const s = scaleFor(w, width);
  svg.setAttribute('data-view-start', String(Math.round(w.t0)));
  svg.setAttribute('data-view-end', String(Math.round(w.t1)));
  svg.textContent = '';
  defs(svg);
  drawAxis(svg, w, s, height);
  return { width, s };
}

function scaleFor(w, width) {
  const k = (width - MARGIN_LEFT - 8) / (w.t1 - w.t0);
  return { k, x: (t) => MARGIN_LEFT + (t - w.t0) * k, invert: (px) => w.t0 + (px - MARGIN_LEFT) / k };
}

/** Tick step for about `n` ticks over `span`: 1, 2 or 5 times a power of ten. */
function tickStep(span, n) {
  const raw = span / n;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw;
}

function drawAxis(svg, w, s, height) {
  const g = el('g', { class: 'axis' }, svg);
  const step = tickStep(w.t1 - w.t0, 10);
  for (let t = Math.ceil(w.t0 / step) * step; t <= w.t1; t += step) {
    const x = s.x(t);
    el('line', { x1: x, x2: x, y1: AXIS_H - 4, y2: height }, g);
    el('text', { x: x + 2, y: 12 }, g, `${+t.toFixed(3)}${w.unit === 'ms' ? ' ms' : ''}`);
  }
}

function defs(svg) {
  const d = el('defs', {}, svg);
  const hatch = el('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, d);
  el('rect', { width: 6, height: 6, fill: '#ffffff00' }, hatch);
  el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#444', 'stroke-width': 2, 'stroke-opacity': 0.5 }, hatch);
  const grad = el('linearGradient', { id: 'open-ended' }, d);
  el('stop', { offset: '0%', 'stop-color': '#f0ad4e' }, grad);
  el('stop', { offset: '100%', 'stop-color': '#f0ad4e', 'stop-opacity': 0.1 }, grad);
  const arrow = el('marker', { id: 'arrow', viewBox: '0 0 6 6', refX: 6, refY: 3, markerWidth: 5, markerHeight: 5, orient: 'auto' }, d);
  el('path', { d: 'M0,0 L6,3 L0,6 z', fill: '#5a6b7d' }, arrow);
  const transfer = el('marker', { id: 'arrow-transfer', viewBox: '0 0 6 6', refX: 6, refY: 3, markerWidth: 6, markerHeight: 6, orient: 'auto' }, d);
  el('path', { d: 'M0,0 L6,3 L0,6 z', fill: '#2ca02c' }, transfer);
  const joint = el('pattern', { id: 'joint-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, d);
  el('rect', { width: 6, height: 6, fill: '#fbe7b5' }, joint);
  el('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#f0ad4e', 'stroke-width': 3 }, joint);
}

// ---- Tooltips: any element with data-tip ---------------------------------------------------------------

const tooltip = html('div', { id: 'tooltip' }, document.body);
document.addEventListener('mousemove', (ev) => {
  const target = ev.target instanceof Element ? ev.target.closest('[data-tip]') : null;
  if (target === null) {
    tooltip.style.display = 'none';
    return;
  }
  tooltip.textContent = target.getAttribute('data-tip');
  tooltip.style.display = 'block';
  const x = Math.min(ev.clientX + 12, window.innerWidth - tooltip.offsetWidth - 4);
  const y = ev.clientY + 16 + tooltip.offsetHeight > window.innerHeight ? ev.clientY - tooltip.offsetHeight - 8 : ev.clientY + 16;
  tooltip.style.left = `${x}px`;
  tooltip.style.top = `${y}px`;
});

// ---- Header -------------------------------------------------------------------------------------------

function drawHeader() {
  const h = html('header', {}, document.body);
  const title = html('h1', {}, h);
  html('span', { class: `verdict ${data.ok ? 'ok' : 'bad'}` }, title, data.ok ? 'pass' : 'fail');
  title.appendChild(document.createTextNode(data.title));
  for (const line of data.summary) html('p', {}, h, line);
}

// ---- The cluster view ----------------------------------------------------------------------------------

function drawClusterSection(c, w, focus) {
  const sec = html('section', { id: 'cluster' }, document.body);
  const started = c.membership ? c.membership.lifetimes.filter((l) => !l.joined).length : c.nodes;
  const who = started === c.nodes ? `${c.nodes} node${c.nodes === 1 ? '' : 's'}` : `${started} nodes at the start, ${c.nodes} node ids in all`;
  html('h2', {}, sec, `Cluster: ${who}${started === c.nodes ? '' : ','} over ${c.endMs} ms of simulated time`);
  // One fact can break a property several times over (a vote sent to every peer): the first few are enough.
  for (const v of c.violations.slice(0, VIOLATIONS_LISTED_MAX)) html('div', { class: 'violation-text' }, sec, `✘ ${v.property} at ${v.atMs} ms${v.nodes.length ? ` (nodes ${v.nodes.join(',')})` : ''}: ${v.message}`);
  if (c.violations.length > VIOLATIONS_LISTED_MAX) html('div', { class: 'note' }, sec, `… and ${c.violations.length - VIOLATIONS_LISTED_MAX} more violation(s) (replay --json lists them all)`);
  const filter = clusterControls(sec, c, w, focus, () => view.draw());
  // A fixed cluster has neither the members row nor the strips: its page is laid out exactly as before.
  const m = c.membership || null;
  const lanesTop = AXIS_H + NET_H + (m ? MEMBER_H : 0);
  const stripH = m ? STRIP_H : 0;
  const pitch = LANE_H + stripH;
  const height = lanesTop + c.nodes * pitch + 6;
  const svg = el('svg', { class: 'timeline', id: 'cluster-svg', height }, sec);
  legend(sec, [['leader', 'var(--leader)'], ['candidate', 'var(--candidate)'], ['pre-candidate', 'var(--pre-candidate)'], ['follower', 'var(--follower)'], ['crashed', 'var(--crashed)'], ['many changes: zoom in', '#9aa3ad'], ['fault in force', '#7b4fb833'], ['paused (hatched)', '#ccc'], ['commit index (line)', '#1f3a5f'], ['fault ◆', '#9467bd'], ['crash ◆', 'var(--crashed)'], ['restart ◆', '#f0ad4e'], ['client request ◆', '#17becf'], ['snapshot ◆', '#8c564b'], ['dropped message (red dashes, ✕)', 'var(--bad)'], ['violation', 'var(--bad)']]);
  if (m) legend(sec, [['voter (strip atop a lane: the configuration the node acts on; faded until committed)', 'var(--voter)'], ['learner', 'var(--learner)'], ['leaving: in C_old only', 'var(--outgoing)'], ['joining: in C_new only', 'var(--incoming)'], ['joint consensus (members row)', 'var(--joint)'], ['configuration entry: ▷ appended … ▶ committed', 'var(--conf)'], ['change asked ◆', 'var(--conf)'], ['leadership transfer (arrow; ✕ aborted)', 'var(--transfer)'], ['join ▶, retire ■', '#333'], ['membership goal ◆ (red: not met)', '#2ca02c']]);
  const maxCommit = Math.max(1, ...c.commits.map((x) => x[2]));
  const view = {
    draw() {
      const { width, s } = startFrame(svg, w, height);
      /** What every part of one frame needs: where things go, and what is visible. */
      const f = {
        svg, c, w, s, width, height, m, stripH,
        memberY: AXIS_H + NET_H,
        lanesTop,
        lifetimeOf: (node) => (m ? m.lifetimes.find((l) => l.node === node) || null : null),
        laneY: (node) => lanesTop + (node - 1) * pitch + stripH,
        clipX: (t) => Math.max(MARGIN_LEFT, Math.min(width, s.x(t))),
        visible: (a, b) => b >= w.t0 && a <= w.t1,
      };
      drawLanes(f);
      if (m) {
        drawMembership(f);
        drawNodeConfigurations(f);
      }
      drawBands(f);
      drawCommits(f, maxCommit);
      drawSpans(f);
      drawMessages(f, filter);
      if (m) drawTransfers(f);
      drawMarks(f);
      drawViolations(f);
    },
  };
  w.views.push(view);
  attachZoomPan(svg, w, () => scaleFor(w, svg.clientWidth || 1000));
  return view;
}

/** Zoom buttons and message filters; returns the filter state the messages are drawn with. */
function clusterControls(sec, c, w, focus, redraw) {
  const controls = html('div', { class: 'controls' }, sec);
  const button = (text, title, fn) => html('button', { type: 'button', title }, controls, text).addEventListener('click', fn);
  button('−', 'zoom out', () => w.zoom(2));
  button('+', 'zoom in', () => w.zoom(0.5));
  button('whole run', 'show the whole run', () => w.set(w.min, w.max));
  if (focus !== null) button('violation', 'centre on the violation', () => w.set(focus[0], focus[1]));
  const filter = { shown: new Set(c.messageTypes), droppedOnly: false, note: null };
  html('span', {}, controls, 'messages:');
  const checkbox = (text, attrs, checked, onChange) => {
    const label = html('label', {}, controls);
    const box = html('input', { type: 'checkbox', ...attrs, ...(checked ? { checked: '' } : {}) }, label);
    label.appendChild(document.createTextNode(` ${text}`));
    box.addEventListener('change', () => {
      onChange(box.checked);
      redraw();
    });
  };
  for (const t of c.messageTypes) checkbox(t, { 'data-type': t }, true, (on) => (on ? filter.shown.add(t) : filter.shown.delete(t)));
  checkbox('dropped only', { id: 'dropped-only' }, false, (on) => (filter.droppedOnly = on));
  filter.note = html('span', { class: 'note', id: 'message-note' }, controls);
  return filter;
}

function drawLanes(f) {
  const { svg, c, width, laneY, m } = f;
  el('text', { x: 4, y: AXIS_H + 13, class: 'lane-label' }, svg, 'network');
  for (let n = 1; n <= c.nodes; n++) {
    const involved = c.violations.some((v) => v.nodes.includes(n));
    if (m) drawMemberLane(f, n);
    else el('rect', { class: 'lane-bg', x: MARGIN_LEFT, y: laneY(n), width: width - MARGIN_LEFT, height: LANE_H - 4, 'data-lane': n }, svg);
    el('text', { x: 4, y: laneY(n) + 18, class: 'lane-label', fill: involved ? 'var(--bad)' : 'var(--fg)' }, svg, `n${n}${involved ? ' ✘' : ''}`);
  }
}

/**
 * A lane of a membership run exists while its node's process does: from 0 or its join to its retirement. Outside
 * that a dotted line says why the lane is empty; the label's hover tells the node's life.
 */
function drawMemberLane({ svg, c, w, width, laneY, clipX, visible, lifetimeOf }, n) {
  const life = lifetimeOf(n);
  const y = laneY(n);
  const story = life === null ? `n${n}: never started` : `n${n}: ${life.joined ? `joined at ${life.startMs} ms with an empty disk` : 'a bootstrap member'}${life.retired ? `; retired at ${life.endMs} ms (stopped for good)` : ''}`;
  el('rect', { class: 'lane-hit', x: 0, y, width: MARGIN_LEFT - 4, height: LANE_H - 4, 'data-tip': story }, svg);
  const absent = (a, b, tip) => {
    if (!visible(a, b) || b <= a) return;
    el('line', { class: 'lane-absent', x1: clipX(a), x2: clipX(b), y1: y + (LANE_H - 4) / 2, y2: y + (LANE_H - 4) / 2, 'data-node': n, 'data-tip': tip }, svg);
  };
  if (life === null) {
    absent(w.min, w.max, story);
    return;
  }
  absent(w.min, life.startMs, `n${n}: not started yet (joins at ${life.startMs} ms)`);
  if (life.retired) absent(life.endMs, w.max, `n${n}: retired at ${life.endMs} ms`);
  const end = life.retired ? life.endMs : w.max;
  if (!visible(life.startMs, end)) return;
  const x0 = clipX(life.startMs);
  el('rect', { class: 'lane-bg', x: x0, y, width: Math.max(1, (life.retired ? clipX(end) : width) - x0), height: LANE_H - 4, 'data-lane': n, 'data-start': life.startMs, 'data-end': life.endMs }, svg);
}

/** A node's place in configuration `k`: voter, learner, leaving (C_old only), joining (C_new only), or none. */
function memberStatus(k, n) {
  if (k.learners.includes(n)) return 'learner';
  const inNew = k.voters.includes(n);
  const inOld = k.outgoing.includes(n);
  if (k.outgoing.length === 0 || (inNew && inOld)) return inNew ? 'voter' : null;
  return inNew ? 'incoming' : inOld ? 'outgoing' : null;
}

const MEMBER_STATUS_TEXT = { voter: 'a voter', learner: 'a learner (receives the log, never counted in a quorum)', outgoing: 'leaving: a voter of C_old only', incoming: 'joining: a voter of C_new only' };

function listText(k) {
  if (k.outgoing.length > 0) return `joint: C_old {${k.outgoing.join(',')}} and C_new {${k.voters.join(',')}} must both agree${k.learners.length ? `; learners {${k.learners.join(',')}}` : ''}`;
  return `voters {${k.voters.join(',')}}${k.learners.length ? `; learners {${k.learners.join(',')}}` : ''}`;
}

/**
 * The members row: the committed configuration over time (joint consensus hatched) and each configuration entry
 * from its first append (▷) to its commit (▶).
 */
function drawMembership({ svg, w, m, memberY, clipX, visible }) {
  el('text', { x: 4, y: memberY + 13, class: 'lane-label' }, svg, 'members');
  const h = MEMBER_H - 4;
  for (const k of m.configurations) {
    if (!visible(k.startMs, k.endMs)) continue;
    const x0 = clipX(k.startMs);
    const x1 = clipX(k.endMs);
    const joint = k.outgoing.length > 0;
    const what = `committed configuration ${k.index === 0 ? '(bootstrap)' : `${k.index}/${k.term}`}, ${k.startMs}–${k.endMs} ms`;
    // A joint period lasts a few ms: at least a few pixels, so the whole run still shows where each one was.
    el('rect', { class: `member-config${joint ? ' joint' : ''}`, x: x0, y: memberY, width: Math.max(joint ? 3 : 1, x1 - x0), height: h, 'data-index': k.index, 'data-joint': joint ? 'true' : 'false', 'data-tip': `${what}\n${listText(k)}\n${k.change}` }, svg);
    const label = joint ? `joint {${k.outgoing.join(',')}}→{${k.voters.join(',')}}` : `{${k.voters.join(',')}}${k.learners.length ? ` +L{${k.learners.join(',')}}` : ''}`;
    if (x1 - x0 > label.length * 6 + 6) el('text', { x: x0 + 3, y: memberY + 12 }, svg, label);
  }
  const y = memberY + h - 3;
  for (const e of m.entries) {
    const end = e.committedMs === null ? w.max : e.committedMs;
    if (!visible(e.appendedMs, end)) continue;
    const fate = e.fate === 'committed' ? `committed at ${e.committedMs} ms, ${e.committedMs - e.appendedMs} ms after` : e.fate === 'overwritten' ? 'never committed: another entry was committed at its index' : "not committed by the run's end";
    const tip = `configuration entry ${e.index}/${e.term}: ${e.change}\nappended by n${e.appendedBy} at ${e.appendedMs} ms; ${fate}\n${listText(e)}`;
    const x0 = clipX(e.appendedMs);
    const x1 = clipX(end);
    el('line', { class: `conf-pending ${e.fate}`, x1: x0, x2: x1, y1: y, y2: y, 'data-tip': tip }, svg);
    if (e.appendedMs >= w.t0 && e.appendedMs <= w.t1) el('path', { class: `conf-entry appended ${e.fate}`, d: `M${x0},${y - 5} l7,5 l-7,5 z`, 'data-entry': `${e.index}/${e.term}`, 'data-state': 'appended', 'data-tip': tip }, svg);
    if (e.committedMs !== null && e.committedMs >= w.t0 && e.committedMs <= w.t1) el('path', { class: 'conf-entry committed', d: `M${x1},${y - 5} l7,5 l-7,5 z`, 'data-entry': `${e.index}/${e.term}`, 'data-state': 'committed', 'data-tip': tip }, svg);
  }
}

/**
 * The strip atop each lane: the node's place in the configuration its own log ends with, the one it acts on
 * (thesis §4.1), faded while that entry is not committed yet (or never is): where a node's view runs ahead of the
 * cluster's, or a removed node still thinks it is a member, the strips show it.
 */
function drawNodeConfigurations({ svg, m, stripH, laneY, clipX, visible }) {
  const configOf = membershipIndex(m);
  for (const [n, a, b, index, term] of m.nodeConfigurations) {
    if (!visible(a, b)) continue;
    const k = configOf.get(`${index}/${term}`);
    if (k === undefined) continue;
    const status = memberStatus(k, n);
    const which = index === 0 ? 'the bootstrap configuration' : `configuration ${index}/${term}`;
    const committedMs = index === 0 ? 0 : k.committedMs;
    const cut = committedMs === null ? b : Math.min(b, Math.max(a, committedMs));
    const piece = (from, to, uncommitted) => {
      if (to <= from || !visible(from, to)) return;
      const x0 = clipX(from);
      const state = uncommitted ? (committedMs === null ? `, never committed (${k.fate})` : `, not committed until ${committedMs} ms`) : '';
      const place = status === null ? 'not a member' : MEMBER_STATUS_TEXT[status];
      el('rect', { class: `member-strip ${status || 'none'}${uncommitted ? ' uncommitted' : ''}`, x: x0, y: laneY(n) - stripH, width: Math.max(1, clipX(to) - x0), height: stripH - 1, 'data-node': n, 'data-status': status || 'none', 'data-committed': uncommitted ? 'false' : 'true', 'data-tip': `n${n} acts on ${which}${state}, ${from}–${to} ms: ${place}\n${listText(k)}` }, svg);
    };
    piece(a, cut, true);
    piece(cut, b, false);
  }
}

/** Configurations by `index/term`, the bootstrap one as `0/0`, built once per page. */
function membershipIndex(m) {
  if (m.byKey === undefined) {
    m.byKey = new Map(m.entries.map((e) => [`${e.index}/${e.term}`, e]));
    const boot = m.configurations.find((k) => k.index === 0);
    if (boot !== undefined) m.byKey.set('0/0', { ...boot, committedMs: 0, fate: 'committed' });
  }
  return m.byKey;
}

/**
 * Leadership transfers: a curve from the leader asked (at the request) to the target (when it ended): solid for
 * completed, dashed ending in ✕ for aborted, dotted while pending. A refused one is only its request's mark.
 */
function drawTransfers({ svg, c, m, width, height, s, laneY, visible }) {
  const clip = el('clipPath', { id: 'transfer-clip' }, svg);
  el('rect', { x: MARGIN_LEFT, y: 0, width: Math.max(0, width - MARGIN_LEFT), height }, clip);
  const g = el('g', { 'clip-path': 'url(#transfer-clip)' }, svg);
  const mid = (n) => laneY(n) + (LANE_H - 14) / 2;
  for (const t of m.transfers) {
    if (t.outcome === 'refused' || !visible(t.atMs, t.endMs) || t.target > c.nodes) continue;
    const x0 = s.x(t.atMs);
    const x1 = Math.max(x0 + 6, s.x(t.endMs));
    const y0 = mid(t.from);
    const y1 = mid(t.target);
    const bend = Math.max(12, (x1 - x0) / 2);
    const d = `M${x0},${y0} C${x0 + bend},${y0} ${x1 - bend},${y1} ${x1},${y1}`;
    // A white halo keeps the curve readable over the message arrows it crosses.
    el('path', { class: 'transfer-halo', d }, g);
    el('path', { class: `transfer ${t.outcome}`, d, 'marker-end': t.outcome === 'completed' ? 'url(#arrow-transfer)' : undefined, 'data-outcome': t.outcome, 'data-from': t.from, 'data-target': t.target, 'data-tip': t.text }, g);
    if (t.outcome === 'aborted') el('path', { class: 'transfer-x', d: `M${x1 - 4},${y1 - 4} l8,8 m0,-8 l-8,8`, 'data-tip': t.text }, g);
  }
}

/**
 * Role and term bands. Bands narrower than a pixel are merged into one grey 'busy' run per lane, so a crash
 * storm costs at most a rect per pixel, not one per state change.
 */
function drawBands({ svg, c, laneY, clipX, visible }) {
  let busy = null;
  const flushBusy = () => {
    if (busy === null) return;
    el('rect', { class: 'band busy', x: busy.x0, y: laneY(busy.node), width: Math.max(1, busy.x1 - busy.x0), height: LANE_H - 14, 'data-tip': `n${busy.node}: ${busy.count} state changes in ${busy.a}–${busy.b} ms: zoom in to see them` }, svg);
    busy = null;
  };
  for (const [node, a, b, st, term] of c.bands) {
    if (!visible(a, b)) continue;
    const x0 = clipX(a);
    const x1 = clipX(b);
    if (busy !== null && (busy.node !== node || x0 - busy.x1 > 1)) flushBusy();
    if (x1 - x0 < 1) {
      if (busy === null) busy = { node, x0, x1, a, b, count: 0 };
      busy.x1 = x1;
      busy.b = b;
      busy.count++;
      continue;
    }
    flushBusy();
    const state = BAND_STATES[st];
    el('rect', { class: `band ${state}`, x: x0, y: laneY(node), width: x1 - x0, height: LANE_H - 14, 'data-node': node, 'data-state': state, 'data-tip': `n${node}: ${state} in term ${term}\n${a}–${b} ms` }, svg);
    if (x1 - x0 > 34) el('text', { x: x0 + 3, y: laneY(node) + 13 }, svg, `${state === 'crashed' ? 'down' : state[0].toUpperCase()} t${term}`);
  }
  flushBusy();
}

/** Commit index: a step line in each lane's lower strip, from the value at the window's start. */
function drawCommits({ svg, c, w, s, width, laneY, m, lifetimeOf, clipX }, maxCommit) {
  for (let n = 1; n <= c.nodes; n++) {
    // In a membership run the line runs only while the node's process exists.
    const life = m ? lifetimeOf(n) : null;
    if (m && (life === null || life.startMs > w.t1 || (life.retired && life.endMs < w.t0))) continue;
    const xStart = life === null ? MARGIN_LEFT : clipX(life.startMs);
    const xEnd = life === null || !life.retired ? width : clipX(life.endMs);
    const base = laneY(n) + LANE_H - 5;
    const yOf = (commit) => (base - (commit / maxCommit) * 8).toFixed(1);
    let y = yOf(commitAt(c, n, w.t0));
    const pts = [`${xStart},${y}`];
    for (const [node, at, commit] of c.commits) {
      if (at > w.t1) break;
      if (node !== n || at < w.t0) continue;
      const x = s.x(at).toFixed(1);
      pts.push(`${x},${y}`);
      y = yOf(commit);
      pts.push(`${x},${y}`);
    }
    pts.push(`${xEnd},${y}`);
    el('polyline', { class: 'commit', points: pts.join(' '), 'data-commit': n, 'data-tip': `n${n}: commit index ${commitAt(c, n, w.t1)} at the window's end` }, svg);
  }
}

/**
 * Fault spans, each twice: a shade over what the fault covers (which lets the pointer through to the bands),
 * and a hoverable strip (the network row for a network fault, the lane's bottom strip for a node's own).
 */
function drawSpans({ svg, c, height, laneY, clipX, visible }) {
  for (const sp of c.spans) {
    if (!visible(sp.startMs, sp.endMs)) continue;
    const x0 = clipX(sp.startMs);
    const x1 = clipX(sp.endMs);
    const w0 = Math.max(1, x1 - x0);
    const shadeY = sp.node === 0 ? AXIS_H + NET_H - 3 : laneY(sp.node);
    el('rect', { class: `span-shade ${sp.kind}`, x: x0, y: shadeY, width: w0, height: sp.node === 0 ? height - 6 - shadeY : LANE_H - 4 }, svg);
    const y = sp.node === 0 ? AXIS_H : laneY(sp.node) + LANE_H - 14;
    el('rect', { class: `span ${sp.kind}`, x: x0, y, width: w0, height: sp.node === 0 ? NET_H - 3 : 10, 'data-fault': sp.kind, 'data-node': sp.node, 'data-tip': `${sp.label}\n${sp.startMs}–${sp.endMs} ms` }, svg);
    if (sp.node === 0 && x1 - x0 > 60) el('text', { x: x0 + 3, y: AXIS_H + 12 }, svg, sp.label.length * 6 > x1 - x0 ? `${sp.label.slice(0, Math.max(4, Math.floor((x1 - x0) / 6) - 1))}…` : sp.label);
  }
}

/** Point events, at most one every few pixels per lane: a crash storm has thousands; zooming in shows the rest. */
function drawMarks({ svg, c, w, s, height, laneY, m, memberY }) {
  // One thinning slot per lane, one for the network row and one for the members row (the last).
  const lastMarkX = new Array(c.nodes + 2).fill(-Infinity);
  // A join or a retirement opens or closes a lane: never thinned, and drawn over the diamonds near it.
  const lifeMarks = [];
  for (const [node, at, kindIndex, text] of c.marks) {
    if (at < w.t0 || at > w.t1 || node > c.nodes) continue;
    const kind = c.markKinds[kindIndex];
    const onMembers = m && node === 0 && (kind === 'goal' || kind === 'goal-failed');
    const x = s.x(at);
    const y = onMembers ? memberY + 6 : node === 0 ? AXIS_H + 8 : laneY(node) + LANE_H - 10;
    const attrs = { class: `mark ${kind}`, d: markShape(kind, x, y), 'data-kind': kind, 'data-tip': `${at} ms${node ? ` n${node}` : ''}: ${text}` };
    if (kind === 'join' || kind === 'retire') {
      lifeMarks.push(attrs);
      continue;
    }
    const slot = onMembers ? c.nodes + 1 : node;
    if (x - lastMarkX[slot] < MARK_GAP_PX) continue;
    lastMarkX[slot] = x;
    el('path', attrs, svg);
  }
  for (const attrs of lifeMarks) el('path', attrs, svg);
  if (c.livenessStartMs !== null && c.livenessStartMs >= w.t0 && c.livenessStartMs <= w.t1) {
    const x = s.x(c.livenessStartMs);
    el('line', { class: 'liveness-line', x1: x, x2: x, y1: AXIS_H, y2: height, 'data-tip': `${c.livenessStartMs} ms: the liveness phase starts (faults healed for a majority)` }, svg);
  }
}

/**
 * The violations: a red line and flag at each one's time; a linearizability violation, found at the end of
 * the run, is marked on the failing operation's interval instead. The first one's marker has an id.
 */
function drawViolations({ svg, c, w, s, width, height, clipX, visible }) {
  const flag = (x, label, tip) => {
    const fx = Math.min(x, width - label.length * 7 - 8);
    el('rect', { class: 'violation-flag', x: fx, y: 0, width: label.length * 7 + 6, height: 15, rx: 3, 'data-tip': tip }, svg);
    el('text', { class: 'violation-flag-text', x: fx + 3, y: 11 }, svg, label);
  };
  c.violations.forEach((v, i) => {
    const tip = `✘ ${v.property} at ${v.atMs} ms\n${v.message}`;
    const id = i === 0 ? 'violation-marker' : undefined;
    if (v.focusStartMs !== v.atMs || v.focusEndMs !== v.atMs) {
      if (!visible(v.focusStartMs, v.focusEndMs)) return;
      const x0 = clipX(v.focusStartMs);
      el('rect', { class: 'violation-band', x: x0, y: AXIS_H, width: Math.max(2, clipX(v.focusEndMs) - x0), height: height - AXIS_H, 'data-tip': `${tip}\n(the operation that cannot be placed: ${v.focusStartMs}–${v.focusEndMs} ms)`, id }, svg);
      flag(x0, `✘ ${v.property}`, tip);
      return;
    }
    if (v.atMs < w.t0 || v.atMs > w.t1) return;
    const x = s.x(v.atMs);
    el('line', { class: 'violation-line', x1: x, x2: x, y1: AXIS_H, y2: height, 'data-tip': tip, id }, svg);
    flag(x, `✘ ${v.property}`, tip);
  });
}

/** A diamond, except a join (a triangle opening the lane) and a retirement (a square closing it). */
function markShape(kind, x, y) {
  if (kind === 'join') return `M${x},${y - 7} l8,7 l-8,7 z`;
  if (kind === 'retire') return `M${x - 5},${y - 5} h10 v10 h-10 z`;
  return `M${x},${y - 6} l4,6 l-4,6 l-4,-6 z`;
}

function commitAt(c, node, t) {
  let commit = 0;
  for (const [n, at, value] of c.commits) {
    if (at > t) break;
    if (n === node) commit = value;
  }
  return commit;
}

/** The first message index whose send time is at least `t` (messages are in send order). */
function firstSentFrom(flat, t) {
  let lo = 0;
  let hi = flat.length / MSG_FIELDS;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (flat[mid * MSG_FIELDS + 4] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function drawMessages({ svg, c, s, w, width, height, laneY }, { shown, droppedOnly, note }) {
  const msgTypes = c.messageTypes;
  const flat = c.messages;
  const count = flat.length / MSG_FIELDS;
  const picked = [];
  for (let i = firstSentFrom(flat, w.t0 - c.latencyMsMax); i < count; i++) {
    const o = i * MSG_FIELDS;
    const sent = flat[o + 4];
    if (sent > w.t1) break;
    const latency = flat[o + 5];
    const status = flat[o + 6];
    if (!shown.has(msgTypes[flat[o + 2]])) continue;
    if (droppedOnly && (status === 1 || status === 2) === false) continue;
    const end = latency >= 0 ? sent + latency : sent;
    if (end < w.t0) continue;
    picked.push(o);
  }
  if (picked.length > MESSAGES_DRAWN_MAX) {
    note.textContent = `${picked.length} messages in this window: zoom in (or filter) to draw them`;
    return;
  }
  note.textContent = `${picked.length} message${picked.length === 1 ? '' : 's'} in this window`;
  // Clipped to the plot, so a message sent before the window does not cross the lane labels.
  const clip = el('clipPath', { id: 'plot-clip' }, svg);
  el('rect', { x: MARGIN_LEFT, y: 0, width: Math.max(0, width - MARGIN_LEFT), height }, clip);
  const g = el('g', { 'clip-path': 'url(#plot-clip)' }, svg);
  const mid = (n) => laneY(n) + (LANE_H - 14) / 2;
  for (const o of picked) {
    const [from, to, type, term, sent, latency, status, text] = flat.slice(o, o + MSG_FIELDS);
    const tip = `${sent} ms: ${from}->${to} ${msgTypes[type]} t${term} ${c.texts[text]}\n${status === 0 ? `delivered at ${sent + latency} ms (${latency} ms)` : status === 1 ? 'dropped: lost (loss or a partition)' : status === 2 ? 'dropped: link full' : 'never delivered (the receiver was down, or the run ended)'}`;
    const x0 = s.x(sent);
    const y0 = mid(from);
    const y1 = mid(to);
    if (status === 0) {
      el('line', { class: 'msg', x1: x0, y1: y0, x2: s.x(sent + latency), y2: y1, 'marker-end': 'url(#arrow)', 'data-msg': msgTypes[type], 'data-status': 'delivered', 'data-tip': tip }, g);
    } else if (status === 1 || status === 2) {
      // A dropped message goes a third of the way and ends in a cross.
      const x1 = x0 + 12;
      const ym = y0 + (y1 - y0) / 3;
      el('line', { class: 'msg dropped', x1: x0, y1: y0, x2: x1, y2: ym, 'data-msg': msgTypes[type], 'data-status': 'dropped', 'data-tip': tip }, g);
      el('path', { class: 'drop-x', d: `M${x1 - 3},${ym - 3} l6,6 m0,-6 l-6,6`, 'data-tip': tip }, g);
    } else {
      el('line', { class: 'msg undelivered', x1: x0, y1: y0, x2: x0 + 10, y2: y0 + (y1 - y0) / 4, 'data-msg': msgTypes[type], 'data-status': 'undelivered', 'data-tip': tip }, g);
    }
  }
}

function legend(parent, items) {
  const l = html('div', { class: 'legend' }, parent);
  for (const [name, colour] of items) {
    const span = html('span', {}, l);
    html('i', { style: `background:${colour}` }, span);
    span.appendChild(document.createTextNode(name));
  }
}

// ---- The history view ----------------------------------------------------------------------------------

function drawHistorySection(h, w) {
  const sec = html('section', { id: 'history' }, document.body);
  const processes = [...new Set(h.ops.map((o) => o.process))].sort((a, b) => a - b);
  html('h2', {}, sec, `Client history: ${h.ops.length} operations by ${processes.length} client process${processes.length === 1 ? '' : 'es'} (${h.model}) — ${h.verdict}`);
  const e = h.explanation;
  const classOf = new Map();
  let failingKey = null;
  if (e !== null) {
    for (const id of e.concurrentIds) classOf.set(id, 'concurrent');
    for (const id of e.prefixIds) classOf.set(id, 'prefix');
    if (e.forcingId !== null) classOf.set(e.forcingId, 'forcing');
    classOf.set(e.failingId, 'failing');
    failingKey = (h.ops.find((o) => o.id === e.failingId) || {}).key ?? null;
    html('div', { class: 'reason', id: 'lin-reason' }, sec, `✘ in ${e.partition}: ${e.reason}`);
    const controls = html('div', { class: 'controls' }, sec);
    const b = html('button', { type: 'button' }, controls, 'show the failing operation');
    b.addEventListener('click', () => focusOp(e.failingId));
    html('span', {}, controls, `longest linearizable prefix: ${e.prefixIds.length} operation(s) of ${e.partition}; operations on other keys are dimmed`);
  }
  const rowOf = new Map(processes.map((p, i) => [p, i]));
  const height = AXIS_H + processes.length * (OP_H + 2) + 6;
  const svg = el('svg', { class: 'timeline', id: 'history-svg', height }, sec);
  legend(sec, [['ok', 'var(--ok)'], ['failed (not applied)', 'var(--fail)'], ['unknown outcome (open-ended)', 'var(--info)'], ['longest linearizable prefix (blue outline)', 'var(--prefix)'], ['forces the contradiction (purple outline)', 'var(--forcing)'], ['cannot be placed', 'var(--bad)']]);
  const focusOp = (id) => {
    const op = h.ops.find((o) => o.id === id);
    if (op === undefined) return;
    const end = op.end ?? h.endAt;
    const pad = Math.max((end - op.start) * 2, w.unit === 'ms' ? 200 : 10);
    w.set(op.start - pad, end + pad);
  };
  const view = {
    draw() {
      const { width, s } = startFrame(svg, w, height);
      processes.forEach((p, i) => el('text', { x: 4, y: AXIS_H + i * (OP_H + 2) + 12, class: 'lane-label' }, svg, `p${p}`));
      for (const op of h.ops) {
        const end = op.end === null ? h.endAt : op.end;
        if (end < w.t0 || op.start > w.t1) continue;
        const x0 = Math.max(MARGIN_LEFT, s.x(op.start));
        const x1 = Math.min(width, s.x(end));
        const y = AXIS_H + rowOf.get(op.process) * (OP_H + 2);
        const role = classOf.get(op.id);
        const dimmed = failingKey !== null && op.key !== failingKey ? ' dimmed' : '';
        const ended = op.end === null ? 'never returned (crashed or timed out): its outcome is unknown' : `${op.start}–${op.end}${h.unit === 'ms' ? ' ms' : ` (${h.unit}s)`}`;
        const roleText = role === 'failing' ? '\ncannot be placed after the longest linearizable prefix' : role === 'forcing' ? '\nforces the contradiction' : role === 'prefix' ? '\nin the longest linearizable prefix' : role === 'concurrent' ? '\nconcurrent with the failing operation' : '';
        el('rect', { class: `op ${op.outcome}${role && role !== 'concurrent' ? ` ${role}` : ''}${dimmed}`, x: x0, y, width: Math.max(2, x1 - x0), height: OP_H, rx: 2, 'data-op': op.id, 'data-outcome': op.outcome, 'data-tip': `p${op.process}: ${op.label}\n${ended}${roleText}` }, svg);
        if (x1 - x0 > op.label.length * 6) el('text', { x: x0 + 3, y: y + 12 }, svg, op.label);
      }
    },
  };
  w.views.push(view);
  attachZoomPan(svg, w, () => scaleFor(w, svg.clientWidth || 1000));
  return view;
}

// ---- The batch view ------------------------------------------------------------------------------------

function drawBatch(b) {
  const sec = html('section', { id: 'batch' }, document.body);
  html('h2', {}, sec, 'Scenarios');
  const st = html('table', { id: 'scenarios' }, sec);
  const head = html('tr', {}, st);
  for (const t of ['scenario', 'passed', 'failed']) html('th', {}, head, t);
  for (const s of b.scenarios) {
    const tr = html('tr', { 'data-scenario': s.name }, st);
    html('td', {}, tr, s.name);
    html('td', {}, tr, String(s.passed));
    html('td', { style: s.failed > 0 ? 'color:var(--bad);font-weight:600' : '' }, tr, String(s.failed));
  }
  const ft = html('table', {}, sec);
  for (const [k, v] of b.facts) {
    const tr = html('tr', {}, ft);
    html('th', {}, tr, k);
    html('td', {}, tr, v);
  }
  const cs = html('section', { id: 'classes' }, document.body);
  html('h2', {}, cs, b.classes.length === 0 ? 'No failures' : `Failure classes (${b.classes.length})`);
  if (b.classes.length > 0) {
    const t = html('table', {}, cs);
    const hr = html('tr', {}, t);
    for (const x of ['count', 'property', 'first failure', 'seeds', 'repro', 'page']) html('th', {}, hr, x);
    for (const c of b.classes) {
      const tr = html('tr', { class: 'failure-class' }, t);
      html('td', {}, tr, `${c.count}×`);
      html('td', {}, tr, c.property);
      html('td', {}, tr, c.message);
      html('td', {}, tr, c.seeds.join(', '));
      html('code', { class: 'repro' }, html('td', {}, tr), c.repro);
      const td = html('td', {}, tr);
      if (c.href !== null) html('a', { href: c.href }, td, 'open');
    }
  }
  chart('faults', 'Faults injected', b.faults, []);
  chart('probes', `Coverage probes (${b.missed.length} missed)`, b.probes, b.missed);
}

function chart(id, title, rows, missed) {
  const sec = html('section', { id }, document.body);
  html('h2', {}, sec, `${title} (bars on a logarithmic scale)`);
  if (rows.length === 0) {
    html('p', { class: 'note' }, sec, 'none');
    return;
  }
  // A logarithmic scale: counts span five orders of magnitude (message loss against a rare probe), and a
  // rare but non-zero count must still show as a bar.
  const max = Math.log1p(Math.max(1, ...rows.map((r) => r[1])));
  const box = html('div', { class: 'bars' }, sec);
  for (const [name, n] of rows) {
    const miss = missed.includes(name);
    const row = html('div', { class: `row${miss ? ' missed' : ''}`, 'data-name': name, 'data-count': n }, box);
    html('span', { class: 'name' }, row, name);
    const track = html('span', {}, row);
    html('div', { class: 'bar', style: miss ? '' : `width:${Math.max(0.5, (100 * Math.log1p(n)) / max)}%`, 'data-tip': `${name}: ${n}` }, track);
    html('span', { class: 'count' }, row, miss ? 'missed' : String(n));
  }
}

// ---- The page ------------------------------------------------------------------------------------------

drawHeader();
if (data.kind === 'batch') {
  drawBatch(data.batch);
} else {
  const c = data.cluster;
  const h = data.history;
  const end = c ? c.endMs : h.endAt;
  // A little room past the end, so a violation found at the run's last step is not drawn on the edge.
  const w = makeWindow(0, Math.max(1, end + Math.ceil(end / 25)), h && !c ? h.unit : 'ms');
  const v = c ? c.violations[0] : undefined;
  let focus = null;
  if (v !== undefined) {
    // More of the lead-up than of the aftermath: the story is what led to the violation, and a violation
    // that stops the run has no aftermath at all.
    const span = Math.max(600, (v.focusEndMs - v.focusStartMs) * 2.5);
    const around = span - (v.focusEndMs - v.focusStartMs);
    focus = [v.focusStartMs - around * 0.7, v.focusEndMs + around * 0.3];
  } else if (h && h.explanation) {
    const op = h.ops.find((o) => o.id === h.explanation.failingId);
    if (op) {
      const opEnd = op.end ?? h.endAt;
      const pad = Math.max((opEnd - op.start) * 2, h.unit === 'ms' ? 200 : 10);
      focus = [op.start - pad, opEnd + pad];
    }
  }
  if (c) drawClusterSection(c, w, focus);
  if (h) drawHistorySection(h, w);
  // The first screen opens on the violation (the issue's "scrolled to it"); the rest is a zoom-out away.
  if (focus !== null) w.set(focus[0], focus[1]);
  else w.set(w.min, w.max);
  window.addEventListener('resize', () => w.set(w.t0, w.t1));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === '+' || ev.key === '=') w.zoom(0.5);
    else if (ev.key === '-') w.zoom(2);
    else if (ev.key === 'ArrowLeft') w.set(w.t0 - (w.t1 - w.t0) / 4, w.t1 - (w.t1 - w.t0) / 4);
    else if (ev.key === 'ArrowRight') w.set(w.t0 + (w.t1 - w.t0) / 4, w.t1 + (w.t1 - w.t0) / 4);
  });
}
if (data.kind === 'batch') document.body.setAttribute('data-ready', 'true');
