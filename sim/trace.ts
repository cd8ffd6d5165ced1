/**
 * The trace of a run, as data. It owns three things:
 * - `TRACE_CODE`, the one table of the integer codes the running trace hash mixes for every kind of step
 *   (always on, cheap: the simulation, the host and the fault injector mix integers, never text);
 * - `TraceRecord`, the typed record of one observable step (a fact, a message sent, dropped or delivered, a
 *   client request, a fault and what it did, a phase change), kept only when a run is recorded (replay,
 *   reports). Records hold the facts, messages and fault events themselves, so a reader (the terminal
 *   timeline, a later HTML report, a test) never parses text;
 * - `describeTraceRecord` and `describeFault`, the one place where records become text, for the edges that
 *   print them. Messages and entries are described by `core/describe.ts`, so a message reads the same in the
 *   core's golden transcripts and in a run's trace.
 */
import { describeEntry, describeMessage } from '../core/describe.js';
import type { KvResult } from '../core/kv.js';
import type { Entry, Message, NodeId, ProposeResult } from './contract.js';
import type { Fact } from './facts.js';
import type { ConfGoal, FaultEvent, FaultKind } from './faults.js';
import { hashString, RunningHash } from './hash.js';

/** The coarse category of a record: what the timeline colours and filters on. */
export type TraceKind =
  | 'phase'
  | 'fault'
  | 'role'
  | 'send'
  | 'drop'
  | 'deliver'
  | 'persist'
  | 'apply'
  | 'client'
  | 'crash'
  | 'restart'
  | 'violation';

/**
 * Stable integer codes of every step the trace hash covers, in one table. The values are part of the pinned
 * golden hashes: never renumber one. Codes 3, 5 and 10–12 were categories that are never hashed on their own
 * (roles, drops, crashes, restarts and violations reach the hash through the steps that cause them).
 */
export const TRACE_CODE = {
  /** The liveness phase starts. */
  phase: 1,
  /** A fault event fires (`b` = hash of its kind, `d` = 0) or a timed fault ends (`d` = 1). */
  fault: 2,
  /** A message leaves a node, with how many copies the network will deliver (0: lost). */
  send: 4,
  /** A message reaches its destination (up or not). */
  deliver: 6,
  /** A Ready's durable part was fsynced. */
  persist: 7,
  /** A committed entry was applied. */
  apply: 8,
  /** A reply reaches a client. */
  'client-reply': 9,
  /** A node ticks (also each tick of a clock jump). */
  tick: 20,
  /** A client's request timer fires. */
  'client-timeout': 21,
  /** A client's request reaches a node. */
  'client-request': 22,
  /** A node answers a ReadIndex read. */
  'read-served': 23,
  /** Something happened to a node's storage (see {@link StorageEventKind}). */
  storage: 24,
  /** A snapshot became durable (`b` = index, `d` = digest). */
  snapshot: 25,
  /** A state machine was restored from a snapshot (`b` = index, `d` = digest). */
  restore: 26,
  /** A node was asked for a configuration change (`b` = node, `c` = accepted, `d` = number of changes). */
  'conf-proposal': 27,
  /** A leader was asked to transfer its leadership (`b` = node, `c` = target, `d` = accepted). */
  transfer: 28,
  /** A node started with an empty disk to join the cluster. */
  join: 29,
  /** A node was stopped for good. */
  retire: 30,
  /** The membership driver did something (`b` = what, see sim/membership.ts). */
  membership: 31,
  /** A `replay` fault puts an old message back in flight (`b` = its type's hash, `d` = term * 4 + copies). */
  replay: 32,
} as const;

export type TraceCode = (typeof TRACE_CODE)[keyof typeof TRACE_CODE];

/** Something about a node's storage worth recording: a torn write, a dropped torn tail, corruption refused or used. */
export type StorageEventKind = 'torn-write' | 'torn-tail-dropped' | 'storage-refused' | 'corrupt-data-used';

/** What a node did with a client's request: accepted a proposal, rejected it, or started a ReadIndex read. */
export type ClientRequestOutcome = ProposeResult | 'reading';

type CrashPointKind = Extract<FaultEvent, { kind: 'crash-point' }>['point'];

/**
 * What the membership driver did on its own (sim/membership.ts): a goal met or given up at its deadline, a
 * transfer with no leader to ask, a goal that cannot be reached from the committed configuration, an event the
 * implementation lacks the capability for, or goals dropped when the liveness phase began.
 */
export type MembershipStep = 'done' | 'given-up' | 'no-leader' | 'impossible' | 'not-capable' | 'dropped';

/** What one record says, by `type`. */
export type TraceDetail =
  /** A fact the host observed (persist, role, apply, ack, crash, restart): exactly what the checkers saw. */
  | { readonly type: 'fact'; readonly fact: Fact }
  /** A message left `message.from`; the network will deliver `copies` copies (2: duplicated). */
  | { readonly type: 'send'; readonly message: Message; readonly copies: 1 | 2 }
  /** A message left `message.from` and will never arrive: lost (loss or partition) or its link was full. */
  | { readonly type: 'drop'; readonly message: Message; readonly reason: 'loss' | 'overflow' }
  /**
   * A `replay` fault took `message`, sent by `message.from` at `sentAtMs`, and put it back in flight (`copies`
   * 1) or found its link cut or full (0).
   */
  | { readonly type: 'replayed'; readonly message: Message; readonly sentAtMs: number; readonly copies: 0 | 1 }
  /** A message reached a live `message.to`, which steps on it. */
  | { readonly type: 'deliver'; readonly message: Message }
  /** A client's request reached the node, and what the node did with it. */
  | { readonly type: 'client-request'; readonly client: number; readonly seq: number; readonly data: string; readonly outcome: ClientRequestOutcome }
  /** The node served a client's ReadIndex read from its state machine. */
  | { readonly type: 'read-served'; readonly client: number; readonly seq: number; readonly key: string; readonly result: KvResult }
  /** A fault event of the plan (or a scheduled restart) fired. */
  | { readonly type: 'fault'; readonly fault: FaultEvent }
  /** A fault aimed at the leader hit this node; `cut` is the partition `isolate-leader` made. */
  | { readonly type: 'fault-target'; readonly fault: FaultKind; readonly leader: NodeId; readonly cut: { readonly side: readonly NodeId[]; readonly rest: readonly NodeId[] } | null }
  /** A `corrupt` fault flipped a bit in stored entry `index` (null: nothing synced to corrupt). */
  | { readonly type: 'corrupted'; readonly index: number | null }
  | { readonly type: 'crash-point-armed'; readonly point: CrashPointKind }
  /** An armed crash point struck: the node died mid-Ready and restarts `downMs` later. */
  | { readonly type: 'crash-point-struck'; readonly downMs: number }
  | { readonly type: 'latency-spike-end'; readonly extraMsMax: number }
  /** A clog of `from → to` ended: `released` held messages are delivered now, in send order. */
  | { readonly type: 'clog-end'; readonly from: NodeId; readonly to: NodeId; readonly released: number }
  /** A paused node resumed with its stale state; `held` inputs waited for it. */
  | { readonly type: 'resume'; readonly held: number }
  /** `index`: the dropped torn tail's first index, or the entry failing its checksum (null for a torn write). */
  | { readonly type: 'storage'; readonly incident: StorageEventKind; readonly index: number | null }
  | { readonly type: 'liveness-start' }
  /** The liveness phase ended: converged after `convergedAfterMs`, or not (null) with the `problems` left. */
  | { readonly type: 'liveness-end'; readonly convergedAfterMs: number | null; readonly problems: readonly string[] }
  /** The membership driver's own step, about `goal` (null: a transfer). */
  | { readonly type: 'membership'; readonly step: MembershipStep; readonly goal: ConfGoal | null }
  /** A fault that would have taken more than f of a configuration in force down was skipped (membership runs). */
  | { readonly type: 'fault-skipped'; readonly fault: FaultKind; readonly target: NodeId }
  /** The implementation threw or broke the contract (or the run stormed); the run stops. */
  | { readonly type: 'implementation-error'; readonly message: string };

export type TraceType = TraceDetail['type'];

/** One observable step of a recorded run. */
export type TraceRecord = TraceDetail & {
  /** Simulated time, in ms. */
  readonly atMs: number;
  /** Index of the simulation event during which it happened (the `event` of facts and violations). */
  readonly event: number;
  /** The node concerned; 0 for none. */
  readonly node: NodeId;
  /** Category, derived from the detail (see {@link traceKind}). */
  readonly kind: TraceKind;
};

const FACT_KIND: Readonly<Record<Fact['kind'], TraceKind>> = { persist: 'persist', role: 'role', apply: 'apply', ack: 'client', crash: 'crash', restart: 'restart', snapshot: 'persist', restore: 'apply', join: 'restart', retire: 'crash', 'conf-proposal': 'client', transfer: 'client' };

/** The category of a detail: facts by their kind, storage trouble as a crash or a violation, fault steps as faults. */
export function traceKind(d: TraceDetail): TraceKind {
  switch (d.type) {
    case 'fact':
      return FACT_KIND[d.fact.kind];
    case 'send':
    case 'drop':
    case 'deliver':
      return d.type;
    case 'client-request':
    case 'read-served':
      return 'client';
    case 'storage':
      return d.incident === 'torn-write' || d.incident === 'torn-tail-dropped' ? 'crash' : 'violation';
    case 'liveness-start':
    case 'liveness-end':
      return 'phase';
    case 'implementation-error':
      return 'violation';
    default:
      return 'fault';
  }
}

/**
 * The FNV-1a hash of `text` as the trace mixes it: a signed 32-bit integer, the same bits as `hashString(text)`
 * (so the same trace hash; see {@link Trace.mix} for why it is signed).
 */
export function traceHash32(text: string): number {
  return hashString(text) | 0;
}

/** The running hash of a run and, when recording, its records. */
export class Trace {
  readonly hash = new RunningHash();
  /** The records, or null when not recording. */
  readonly records: TraceRecord[] | null;

  constructor(record: boolean) {
    this.records = record ? [] : null;
  }

  get recording(): boolean {
    return this.records !== null;
  }

  /**
   * Mixes one step into the hash: the event index, its code and three integers of its identity. A 32-bit hash or
   * digest goes in as a signed integer ({@link traceHash32}, or `digest | 0`): the hash folds any integer to its low
   * 32 bits, so both forms mix the same, but V8 keeps an unsigned value above 2^31 as a heap number, and one such
   * argument turned the type feedback of every mix (shared by all callers) from small integers to numbers.
   */
  mix(eventIndex: number, code: TraceCode, b: number, c: number, d: number): void {
    this.hash.mix5(eventIndex, code, b, c, d);
  }

  /** Keeps a record; callers check {@link recording} first so nothing is built on the hot path. */
  add(atMs: number, event: number, node: NodeId, detail: TraceDetail): void {
    this.records?.push({ ...detail, atMs, event, node, kind: traceKind(detail) } as TraceRecord);
  }
}

// ---- Rendering (only for the edges that print) ----------------------------------------------------

function describeEntryRange(entries: readonly Entry[]): string {
  const first = entries[0] as Entry;
  const last = entries[entries.length - 1] as Entry;
  return entries.length === 1 ? `${first.index}/${first.term}` : `${first.index}/${first.term}..${last.index}/${last.term} (${entries.length})`;
}

function describeFact(f: Fact): string {
  switch (f.kind) {
    case 'persist':
      return `persist term ${f.hardState.term} vote ${f.hardState.vote} commit ${f.hardState.commit}${f.entries.length > 0 ? ` entries ${describeEntryRange(f.entries)}` : ''}`;
    case 'role':
      return `becomes ${f.role} in term ${f.term}${f.leader !== 0 ? ` (leader ${f.leader})` : ''}`;
    case 'apply':
      return `apply ${describeEntry(f.entry)}`;
    case 'ack':
      return `ack client ${f.clientId} seq ${f.seq} at ${f.index}/${f.term}`;
    case 'crash':
      return 'crashed: volatile state and unsynced writes lost';
    case 'restart': {
      const hs = f.stored.hardState;
      const snap = f.stored.snapshot === undefined ? '' : `, snapshot ${f.stored.snapshot.index}/${f.stored.snapshot.term}`;
      return `restarted from disk: term ${hs.term} vote ${hs.vote} commit ${hs.commit}${snap}, ${f.stored.entries.length} entries`;
    }
    case 'snapshot':
      return `snapshot ${f.index}/${f.term} ${f.origin} durably (digest ${f.digest.toString(16)})`;
    case 'restore':
      return `state machine restored from snapshot ${f.index}/${f.term} on ${f.origin} (digest ${f.digest.toString(16)})`;
    case 'join':
      return 'started with an empty disk to join the cluster';
    case 'retire':
      return 'stopped for good (retired)';
    case 'conf-proposal':
      return `asked to change the configuration: ${f.request.changes.map((c) => `${c.type} ${c.node}`).join(', ')}: ${f.accepted ? 'accepted' : 'refused'}`;
    case 'transfer':
      return `asked to transfer leadership to node ${f.target}: ${f.accepted ? 'accepted' : 'refused'}`;
  }
}

function describeOutcome(o: ClientRequestOutcome): string {
  if (o === 'reading') return 'read via ReadIndex';
  if (!o.accepted) return `not leader (hint ${o.leaderHint})`;
  return o.index === undefined ? 'accepted (index unknown until applied)' : `accepted at ${o.index}`;
}

function describeStorage(event: StorageEventKind, index: number | null): string {
  switch (event) {
    case 'torn-write':
      return 'crash tore the unsynced write in flight';
    case 'torn-tail-dropped':
      return `dropped a torn tail from index ${index ?? '?'} (never synced)`;
    case 'storage-refused':
      return `refuses to start: stored entry ${index ?? '?'} fails its checksum`;
    case 'corrupt-data-used':
      return `starts on stored entry ${index ?? '?'}, which fails its checksum (checksums ignored)`;
  }
}

/** One line of text for a record (without its time, event or node, which the printer lays out). */
export function describeTraceRecord(r: TraceRecord): string {
  switch (r.type) {
    case 'fact':
      return describeFact(r.fact);
    case 'send':
      return `${describeMessage(r.message)}${r.copies === 2 ? ' (duplicated)' : ''}`;
    case 'drop':
      return `${describeMessage(r.message)} dropped${r.reason === 'overflow' ? ' (link full)' : ''}`;
    case 'deliver':
      return `${describeMessage(r.message)} delivered`;
    case 'replayed':
      return `${describeMessage(r.message)} (sent at ${r.sentAtMs} ms) replayed${r.copies === 0 ? ', dropped (link cut or full)' : ''}`;
    case 'client-request':
      return `client ${r.client} seq ${r.seq} ${r.data} → ${describeOutcome(r.outcome)}`;
    case 'read-served':
      return `read ${r.key} by client ${r.client} seq ${r.seq} served: ${r.result.ok ? String(r.result.value) : 'failed'}`;
    case 'fault':
      return describeFault(r.fault);
    case 'fault-target':
      return r.cut === null ? `(the leader is node ${r.leader})` : `(the leader is node ${r.leader}: cut off {${r.cut.side.join(',')}} from {${r.cut.rest.join(',')}})`;
    case 'corrupted':
      return r.index === null ? 'nothing synced to corrupt' : `bit flip in stored entry ${r.index}`;
    case 'crash-point-armed':
      return `crash point armed on node ${r.node}: ${r.point}`;
    case 'crash-point-struck':
      return `crash point struck: node ${r.node} dies mid-Ready, back in ${r.downMs} ms`;
    case 'latency-spike-end':
      return `latency spike of up to ${r.extraMsMax} ms ends`;
    case 'clog-end':
      return `clog ${r.from}→${r.to} ends: ${r.released} held message(s) delivered in send order`;
    case 'resume':
      return `node ${r.node} resumes with stale state; ${r.held} input(s) waited for it`;
    case 'storage':
      return describeStorage(r.incident, r.index);
    case 'liveness-start':
      return 'liveness phase: network healed, every node up, no new client operations';
    case 'liveness-end':
      return r.convergedAfterMs !== null ? `converged after ${r.convergedAfterMs} ms` : `did not converge: ${r.problems.join('; ')}`;
    case 'implementation-error':
      return `implementation error on node ${r.node}: ${r.message}`;
    case 'membership':
      return describeMembershipStep(r.step, r.goal);
    case 'fault-skipped':
      return `${r.fault} of node ${r.target} skipped: it would take more than f of a configuration in force down`;
  }
}

/** One line of text for a fault event of a plan. */
export function describeFault(f: FaultEvent): string {
  switch (f.kind) {
    case 'partition':
      return `partition ${f.groups.map((g) => `{${g.join(',')}}`).join(' | ')}`;
    case 'bridge':
      return `bridge: node ${f.bridge} links {${f.sides[0].join(',')}} and {${f.sides[1].join(',')}}, which cannot talk`;
    case 'isolate-leader':
      return f.companions === 0 ? 'isolate the leader' : `isolate the leader with ${f.companions} follower(s)`;
    case 'heal':
      return 'heal all links';
    case 'crash':
      return `crash node ${f.node}`;
    case 'bounce':
      return `crash ${f.node === 'leader' ? 'the leader' : `node ${f.node}`}, restart it ${f.downMs} ms later`;
    case 'restart':
      return `restart node ${f.node}`;
    case 'power-loss':
      return `power loss: every node crashes, back ${f.downMs} ms later`;
    case 'corrupt':
      return `corrupt a stored entry of node ${f.node} (crash, restart ${f.downMs} ms later)`;
    case 'crash-point':
      return `arm crash point ${f.point} on ${f.node === 'leader' ? 'the leader' : `node ${f.node}`} (restart ${f.downMs} ms after it strikes)`;
    case 'one-way':
      return `one-way partition: {${f.from.join(',')}} cannot reach {${f.to.join(',')}}, the reverse still works`;
    case 'ring':
      return 'ring: every node talks only to its two ring neighbours';
    case 'latency-spike':
      return `latency spike: up to ${f.extraMsMax} ms extra on every message for ${f.durationMs} ms`;
    case 'clog':
      return `clog link ${f.from}→${f.to} for ${f.durationMs} ms (messages held, then delivered in order)`;
    case 'pause':
      return `pause ${f.node === 'leader' ? 'the leader' : `node ${f.node}`} for ${f.durationMs} ms`;
    case 'clock-jump':
      return `clock of node ${f.node} jumps ${f.ticks} tick(s) forward`;
    case 'away':
      return `cut node ${f.node} off from every other node for ${f.durationMs} ms`;
    case 'replay':
      return `replay up to ${f.count} old message(s), sent at least ${f.ageMsMin} ms ago`;
    case 'reactive':
      return `reactive for ${f.windowMs} ms: on the first ${f.trigger} fact, ${f.delayMs} ms later ${f.action}${f.action === 'bounce-peer' || f.action === 'clog' ? ` (peer +${f.peer})` : ''} for ${f.durationMs} ms`;
    case 'conf-change':
      return `membership goal: ${describeConfGoal(f.goal)}${f.retire ? ', retiring the node removed' : ''}${f.crashLeaderMs === undefined ? '' : `, the leader crashing once right after persisting the change (back ${f.crashLeaderMs} ms later)`} (give up after ${f.giveUpMs} ms)`;
    case 'transfer':
      return `ask the leader to transfer its leadership to ${f.target === 'random' ? 'a random voter' : `node ${f.target}`}`;
  }
}

function describeMembershipStep(step: MembershipStep, goal: ConfGoal | null): string {
  const what = goal === null ? 'leadership transfer' : `membership goal "${describeConfGoal(goal)}"`;
  switch (step) {
    case 'done':
      return `${what}: met by the committed configuration`;
    case 'given-up':
      return `${what}: given up at its deadline`;
    case 'no-leader':
      return `${what}: no leader (or no voter to hand over to) to ask`;
    case 'impossible':
      return `${what}: cannot be reached from the committed configuration, given up`;
    case 'not-capable':
      return `${what}: skipped, the implementation does not declare the capability`;
    case 'dropped':
      return `${what}: dropped, the liveness phase began`;
  }
}

/** A membership goal as words. */
export function describeConfGoal(g: ConfGoal): string {
  const who = (n: NodeId | 'leader'): string => (n === 'leader' ? 'the leader' : `node ${n}`);
  switch (g.op) {
    case 'add':
      return g.via === 'learner' ? `add node ${g.node} as a learner, then promote it` : `add node ${g.node} as a voter`;
    case 'remove':
      return `remove ${who(g.node)}`;
    case 'replace':
      return `replace ${who(g.remove)} by node ${g.add} (joint consensus)`;
  }
}
