/**
 * The cluster view's data: what the HTML report draws for each node over simulated time, built from a run's
 * typed trace records (never from their text). Role and term bands, crashed and paused spans, network faults
 * and their groups, messages paired from send to delivery (or drop), commit indexes and the point events a
 * reader hovers over. Compact on purpose: a page must stay small enough to attach to a CI run, so messages are
 * a flat integer array and their repetitive payload texts go through one string table.
 */
import { describeMessage } from '../../core/describe.js';
import type { Message, NodeId } from '../../sim/contract.js';
import type { Fact } from '../../sim/facts.js';
import type { FaultEvent } from '../../sim/faults.js';
import { describeFault, describeTraceRecord } from '../../sim/trace.js';
import type { TraceRecord } from '../../sim/trace.js';
import type { Violation } from '../../properties/types.js';
import { buildMembershipData } from './membership-model.js';
import type { MembershipData } from './membership-model.js';

/** A node's state in a band; `crashed` and `paused` are what the host saw, the rest what the node announced. */
export const BAND_STATES = ['follower', 'pre-candidate', 'candidate', 'leader', 'crashed'] as const;
export type BandState = (typeof BAND_STATES)[number];

/** What a message's `status` field says happened to it. */
export const MESSAGE_STATUS = { delivered: 0, lost: 1, overflow: 2, undelivered: 3 } as const;

/** Integers per message in {@link ClusterData.messages}. */
export const MESSAGE_FIELDS = 8;

/** A span of time on one lane (node ≥ 1) or on the network row (node 0): a fault in force, or a pause. */
export interface Span {
  readonly node: NodeId;
  readonly startMs: number;
  readonly endMs: number;
  /** The fault kind (`partition`, `pause`, `away`, ...), which the page colours by. */
  readonly kind: string;
  readonly label: string;
}

/** A point event on a lane (node ≥ 1) or the network row (node 0), shown as a tick with its text on hover. */
export interface Mark {
  readonly node: NodeId;
  readonly atMs: number;
  /** The trace record's coarse kind (`fault`, `crash`, `restart`, `client`, `violation`, ...). */
  readonly kind: string;
  readonly text: string;
}

export interface ViolationMark {
  readonly property: string;
  readonly atMs: number;
  /** Where the page centres its first screen: the violation, or for a history violation the failing operation. */
  readonly focusStartMs: number;
  readonly focusEndMs: number;
  readonly nodes: readonly NodeId[];
  readonly message: string;
}

export interface ClusterData {
  /** Lanes drawn: the initial cluster's size, or the highest node id that joined later (membership runs). */
  readonly nodes: number;
  readonly endMs: number;
  readonly livenessStartMs: number | null;
  /** `[node, startMs, endMs, state index in BAND_STATES, term]`, per node in time order. */
  readonly bands: readonly (readonly [number, number, number, number, number])[];
  readonly spans: readonly Span[];
  /** The kinds marks use, indexed by {@link ClusterData.marks}. */
  readonly markKinds: readonly string[];
  /**
   * Point events as `[node, atMs, kind index in markKinds, text]`, in time order: tuples, not objects, since
   * a crash-heavy run has tens of thousands of them and property names would be a third of the page.
   */
  readonly marks: readonly (readonly [number, number, number, string])[];
  /** `[node, atMs, commitIndex]` at each change of a node's durable commit index. */
  readonly commits: readonly (readonly [number, number, number])[];
  readonly messageTypes: readonly string[];
  /** The string table of message payload texts (what follows `from->to type term` in describeMessage). */
  readonly texts: readonly string[];
  /**
   * {@link MESSAGE_FIELDS} integers per message, in send order: from, to, type index, term, sendMs,
   * latencyMs (-1: never delivered), status ({@link MESSAGE_STATUS}), text index. A duplicated message
   * appears twice, once per delivered copy.
   */
  readonly messages: readonly number[];
  /** The largest latency among delivered messages, so the page can find the messages crossing a time window. */
  readonly latencyMsMax: number;
  readonly violations: readonly ViolationMark[];
  /**
   * Lifetimes, configurations, configuration entries and transfers (cli/html/membership-model.ts); absent for a
   * run without membership changes or transfers, whose page stays exactly as it was.
   */
  readonly membership?: MembershipData;
}

export interface ClusterInput {
  readonly nodeCount: number;
  readonly trace: readonly TraceRecord[];
  readonly violations: readonly Violation[];
  readonly endMs: number;
  /** Where the first screen should centre for a violation found in the client history (the failing operation). */
  readonly historyFocus?: { readonly startMs: number; readonly endMs: number } | null;
}

/** Records the page shows as point events (the rest are bands, spans, commits or messages). */
function markOf(r: TraceRecord): Mark | null {
  switch (r.type) {
    case 'fact':
      if (r.fact.kind === 'persist' || r.fact.kind === 'apply' || r.fact.kind === 'role') return null;
      return { node: r.node, atMs: r.atMs, kind: FACT_MARK_KIND[r.fact.kind] ?? r.kind, text: describeTraceRecord(r) };
    case 'membership':
      // The membership driver's own steps go on the membership band; a goal it could not meet stands out.
      return { node: 0, atMs: r.atMs, kind: r.step === 'done' || r.step === 'dropped' ? 'goal' : 'goal-failed', text: describeTraceRecord(r) };
    case 'fault':
      if (r.fault.kind === 'conf-change' || r.fault.kind === 'transfer') return { node: 0, atMs: r.atMs, kind: 'goal', text: describeTraceRecord(r) };
      return { node: r.node, atMs: r.atMs, kind: r.kind, text: describeTraceRecord(r) };
    case 'send':
    case 'deliver':
    case 'drop':
    case 'replayed':
    case 'latency-spike-end':
    case 'clog-end':
      return null;
    default:
      return { node: r.node, atMs: r.atMs, kind: r.kind, text: describeTraceRecord(r) };
  }
}

/**
 * Facts whose marks are not their trace kind's: snapshots taken or installed and state machines restored from
 * one (Raft §7), and the membership facts, which the trace files under `restart`, `crash` and `client`.
 */
const FACT_MARK_KIND: Partial<Record<Fact['kind'], string>> = { snapshot: 'snapshot', restore: 'snapshot', join: 'join', retire: 'retire', 'conf-proposal': 'conf', transfer: 'transfer' };

/** A fault that changes the network's link shape until a heal, the next shape or the liveness phase. */
function isNetworkShape(f: FaultEvent): boolean {
  return f.kind === 'partition' || f.kind === 'bridge' || f.kind === 'isolate-leader' || f.kind === 'one-way' || f.kind === 'ring';
}

/**
 * Builds the bands of one node's state changes; `open` tracks the band still running, null while the node has no
 * process: before it joins (membership runs) and after it is retired. Its bands start at its join, end at retirement.
 */
class BandBuilder {
  readonly bands: [number, number, number, number, number][] = [];
  private readonly open: ({ startMs: number; state: number; term: number } | null)[];

  /** `started`: the nodes running from the start (all but those that join later). */
  constructor(laneCount: number, started: (node: NodeId) => boolean) {
    this.open = Array.from({ length: laneCount + 1 }, (_, node) => (started(node) ? { startMs: 0, state: 0, term: 0 } : null));
  }

  set(node: NodeId, atMs: number, state: BandState, term: number): void {
    const index = BAND_STATES.indexOf(state);
    const current = this.open[node];
    // No process: a node not yet joined (or retired) has no state to draw, whatever a fault aimed at it did.
    if (current === undefined || current === null) return;
    if (current.state === index && current.term === term) return;
    if (atMs > current.startMs) this.bands.push([node, current.startMs, atMs, current.state, current.term]);
    this.open[node] = { startMs: atMs, state: index, term };
  }

  /** A node's process starts (it joins with an empty disk): a follower in term 0. */
  start(node: NodeId, atMs: number): void {
    if (this.open[node] === null) this.open[node] = { startMs: atMs, state: 0, term: 0 };
  }

  /** A node's process is stopped for good: its last band ends here. */
  stop(node: NodeId, atMs: number): void {
    const current = this.open[node];
    if (current === undefined || current === null) return;
    if (atMs > current.startMs) this.bands.push([node, current.startMs, atMs, current.state, current.term]);
    this.open[node] = null;
  }

  termOf(node: NodeId): number {
    return this.open[node]?.term ?? 0;
  }

  stateOf(node: NodeId): BandState | undefined {
    const open = this.open[node];
    return open === null || open === undefined ? undefined : BAND_STATES[open.state];
  }

  finish(endMs: number): void {
    this.open.forEach((o, node) => {
      if (node >= 1 && o !== null && endMs > o.startMs) this.bands.push([node, o.startMs, endMs, o.state, o.term]);
    });
    this.bands.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  }
}

/** Pairs sends with deliveries and drops, into the flat message array. */
class MessageTable {
  readonly types: string[] = [];
  readonly texts: string[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly textIndex = new Map<string, number>();
  /** Per message object: the flat offsets of its copies not yet delivered (duplicates share the object). */
  private readonly waiting = new Map<Message, number[]>();
  readonly flat: number[] = [];
  latencyMsMax = 0;

  private intern(map: Map<string, number>, list: string[], value: string): number {
    let index = map.get(value);
    if (index === undefined) {
      index = list.length;
      list.push(value);
      map.set(value, index);
    }
    return index;
  }

  add(m: Message, atMs: number, copies: number, status: number): void {
    const type = this.intern(this.typeIndex, this.types, m.type);
    const head = `${m.from}->${m.to} ${m.type} t${m.term}`;
    const full = describeMessage(m);
    const text = this.intern(this.textIndex, this.texts, full.startsWith(head) ? full.slice(head.length).trim() : full);
    const offsets: number[] = [];
    for (let i = 0; i < copies; i++) {
      offsets.push(this.flat.length);
      this.flat.push(m.from, m.to, type, m.term, atMs, -1, status, text);
    }
    // The same object may be in flight more than once (duplicated, or replayed while a copy still travels).
    if (status === MESSAGE_STATUS.undelivered) this.waiting.set(m, [...(this.waiting.get(m) ?? []), ...offsets]);
  }

  deliver(m: Message, atMs: number): void {
    const offsets = this.waiting.get(m);
    const offset = offsets?.shift();
    if (offset === undefined) return;
    if (offsets?.length === 0) this.waiting.delete(m);
    const latency = atMs - (this.flat[offset + 4] as number);
    this.flat[offset + 5] = latency;
    this.flat[offset + 6] = MESSAGE_STATUS.delivered;
    this.latencyMsMax = Math.max(this.latencyMsMax, latency);
  }
}

/** Builds the cluster view's data from a recorded run. */
export function buildClusterData(input: ClusterInput): ClusterData {
  const { nodeCount, trace, endMs } = input;
  // Nodes that join later have the ids above the initial cluster's (sim/faults.ts NODE_IDS_MAX): a lane each.
  const joined = new Set<NodeId>();
  for (const r of trace) if (r.type === 'fact' && r.fact.kind === 'join') joined.add(r.node);
  const laneCount = Math.max(nodeCount, ...joined);
  const bands = new BandBuilder(laneCount, (node) => node >= 1 && node <= nodeCount && !joined.has(node));
  const messages = new MessageTable();
  const spans: Span[] = [];
  const marks: Mark[] = [];
  const commits: [number, number, number][] = [];
  const commitOf = new Array<number>(laneCount + 1).fill(0);
  const pausedSince = new Map<NodeId, number>();
  let shape: { startMs: number; kind: string; label: string } | null = null;
  let livenessStartMs: number | null = null;
  const closeShape = (atMs: number): void => {
    if (shape !== null && atMs > shape.startMs) spans.push({ node: 0, startMs: shape.startMs, endMs: atMs, kind: shape.kind, label: shape.label });
    shape = null;
  };
  const setCommit = (node: NodeId, atMs: number, commit: number): void => {
    if (commitOf[node] === commit) return;
    commitOf[node] = commit;
    commits.push([node, atMs, commit]);
  };

  for (let i = 0; i < trace.length; i++) {
    const r = trace[i] as TraceRecord;
    const mark = markOf(r);
    if (mark !== null) marks.push(mark);
    switch (r.type) {
      case 'send':
        messages.add(r.message, r.atMs, r.copies, MESSAGE_STATUS.undelivered);
        break;
      case 'drop':
        messages.add(r.message, r.atMs, 1, r.reason === 'overflow' ? MESSAGE_STATUS.overflow : MESSAGE_STATUS.lost);
        break;
      case 'replayed':
        // A replay (hundreds of old messages) is one fault mark; each copy it put in flight is a message of its own,
        // leaving its sender at the replay's time (dropped ones, on a cut or full link, as lost).
        messages.add(r.message, r.atMs, 1, r.copies === 1 ? MESSAGE_STATUS.undelivered : MESSAGE_STATUS.lost);
        break;
      case 'deliver':
        messages.deliver(r.message, r.atMs);
        break;
      case 'fact': {
        const f = r.fact;
        if (f.kind === 'role') bands.set(r.node, r.atMs, f.role, f.term);
        else if (f.kind === 'join') bands.start(r.node, r.atMs);
        else if (f.kind === 'retire') bands.stop(r.node, r.atMs);
        else if (f.kind === 'crash') bands.set(r.node, r.atMs, 'crashed', bands.termOf(r.node));
        else if (f.kind === 'restart') {
          bands.set(r.node, r.atMs, 'follower', f.stored.hardState.term);
          setCommit(r.node, r.atMs, f.stored.hardState.commit);
        } else if (f.kind === 'persist') {
          // A term learnt from a message shows as a new band only with the role the node announces with it;
          // a follower's term rise is still worth a band, since Figure 8 stories turn on it.
          if (f.hardState.term > bands.termOf(r.node) && bands.stateOf(r.node) === 'follower') bands.set(r.node, r.atMs, 'follower', f.hardState.term);
          setCommit(r.node, r.atMs, f.hardState.commit);
        }
        break;
      }
      case 'fault':
        faultSpan(r, trace, i, spans, pausedSince, (s) => {
          closeShape(r.atMs);
          shape = s;
        }, () => closeShape(r.atMs));
        break;
      case 'resume': {
        const since = pausedSince.get(r.node);
        if (since !== undefined) spans.push({ node: r.node, startMs: since, endMs: r.atMs, kind: 'pause', label: `paused (${r.held} input(s) held)` });
        pausedSince.delete(r.node);
        break;
      }
      case 'liveness-start':
        livenessStartMs = r.atMs;
        closeShape(r.atMs);
        break;
      default:
        break;
    }
  }
  closeShape(endMs);
  for (const [node, since] of pausedSince) spans.push({ node, startMs: since, endMs, kind: 'pause', label: 'paused' });
  bands.finish(endMs);
  const markKinds: string[] = [];
  const kindIndex = (kind: string): number => {
    const i = markKinds.indexOf(kind);
    return i >= 0 ? i : markKinds.push(kind) - 1;
  };
  spans.sort((a, b) => a.node - b.node || a.startMs - b.startMs);
  const membership = buildMembershipData(trace, nodeCount, laneCount, endMs);
  return {
    nodes: laneCount,
    endMs,
    livenessStartMs,
    bands: bands.bands,
    spans,
    markKinds,
    marks: marks.map((m) => [m.node, m.atMs, kindIndex(m.kind), m.text] as const),
    commits,
    messageTypes: messages.types,
    texts: messages.texts,
    messages: messages.flat,
    latencyMsMax: messages.latencyMsMax,
    violations: input.violations.map((v) => violationMark(v, input.historyFocus ?? null)),
    ...(membership === null ? {} : { membership }),
  };
}

function violationMark(v: Violation, historyFocus: { readonly startMs: number; readonly endMs: number } | null): ViolationMark {
  const focus = v.property === 'linearizability' && historyFocus !== null ? historyFocus : { startMs: v.atMs, endMs: v.atMs };
  return { property: v.property, atMs: v.atMs, focusStartMs: focus.startMs, focusEndMs: focus.endMs, nodes: v.nodes, message: v.message };
}

/** The node a fault aimed at the leader hit: the `fault-target` record of the same event, if any. */
function targetOf(trace: readonly TraceRecord[], i: number, r: TraceRecord): NodeId {
  for (let j = i + 1; j < trace.length; j++) {
    const next = trace[j] as TraceRecord;
    if (next.event !== r.event) break;
    if (next.type === 'fault-target') return next.node;
  }
  return r.node;
}

/** Turns a fault record into its span: network shapes through `openShape`/`heal`, timed faults directly. */
function faultSpan(r: Extract<TraceRecord, { type: 'fault' }>, trace: readonly TraceRecord[], i: number, spans: Span[], pausedSince: Map<NodeId, number>, openShape: (s: { startMs: number; kind: string; label: string }) => void, heal: () => void): void {
  const f = r.fault;
  if (isNetworkShape(f)) {
    const target = trace[i + 1];
    const cut = target !== undefined && target.event === r.event && target.type === 'fault-target' && target.cut !== null ? `: {${target.cut.side.join(',')}} | {${target.cut.rest.join(',')}}` : '';
    openShape({ startMs: r.atMs, kind: f.kind, label: `${describeFault(f)}${cut}` });
    return;
  }
  switch (f.kind) {
    case 'heal':
      heal();
      return;
    case 'pause': {
      const node = typeof f.node === 'number' ? f.node : targetOf(trace, i, r);
      if (node !== 0) pausedSince.set(node, r.atMs);
      return;
    }
    case 'away':
      spans.push({ node: f.node, startMs: r.atMs, endMs: r.atMs + f.durationMs, kind: 'away', label: describeFault(f) });
      return;
    case 'latency-spike':
      spans.push({ node: 0, startMs: r.atMs, endMs: r.atMs + f.durationMs, kind: 'latency-spike', label: describeFault(f) });
      return;
    case 'clog':
      spans.push({ node: f.from, startMs: r.atMs, endMs: r.atMs + f.durationMs, kind: 'clog', label: describeFault(f) });
      return;
    default:
      return;
  }
}
