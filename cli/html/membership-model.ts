/**
 * The cluster view's membership data (Raft thesis §4, §3.10): when each node's process existed (bootstrap or
 * join, to retirement), the committed configuration over time, every configuration entry from its first append to
 * its commit (or its loss), and every leadership transfer with how it ended. Built from the typed trace records
 * only: facts (`join`, `retire`, `persist`, `apply`, `transfer`, `role`), never from their text. A run without
 * any of these gets none, so a fixed-cluster page is drawn exactly as before.
 */
import { decodeConfEntry, isConfEntryData, simpleConfiguration } from '../../core/configuration.js';
import type { Configuration } from '../../core/configuration.js';
import type { Entry, NodeId } from '../../sim/contract.js';
import { configurationOfData } from '../../sim/configuration-view.js';
import type { TraceRecord } from '../../sim/trace.js';
import { describeConfigurationChange } from '../timeline-membership.js';

/** When a node's process existed: from 0 (a bootstrap member) or its join, to its retirement or the run's end. */
export interface Lifetime {
  readonly node: NodeId;
  readonly startMs: number;
  readonly endMs: number;
  /** Started later with an empty disk (a `join` fact), rather than being a bootstrap member. */
  readonly joined: boolean;
  /** Stopped for good (a `retire` fact) at `endMs`. */
  readonly retired: boolean;
}

/** The voters, learners and, during joint consensus, C_old's voters (`outgoing`) of a configuration. */
export interface MemberLists {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly outgoing: readonly NodeId[];
}

/** The committed configuration over `[startMs, endMs)`: set by entry `index`/`term` (0/0: the bootstrap one). */
export interface ConfigurationSpan extends MemberLists {
  readonly startMs: number;
  readonly endMs: number;
  readonly index: number;
  readonly term: number;
  /** What changed from the configuration before, in words (`describeConfigurationChange`). */
  readonly change: string;
}

/** What became of a configuration entry: committed, replaced at its index by another committed entry, or neither by the run's end. */
export type EntryFate = 'committed' | 'overwritten' | 'pending';

/** One configuration entry (by index and term), from the first time any node persisted it. */
export interface ConfEntryMark extends MemberLists {
  readonly index: number;
  readonly term: number;
  readonly appendedMs: number;
  /** The node that persisted it first: the leader that appended it. */
  readonly appendedBy: NodeId;
  /** When a node first applied it (null: never). */
  readonly committedMs: number | null;
  readonly fate: EntryFate;
  /** What it changes from the configuration appended before it, in words. */
  readonly change: string;
}

/**
 * How a leadership transfer ended: its target announced leadership (`completed`), another node did or the next
 * transfer was asked first (`aborted`), the leader refused it (`refused`), or nothing by the run's end (`pending`).
 */
export type TransferOutcome = 'completed' | 'aborted' | 'refused' | 'pending';

export interface TransferMark {
  /** The leader asked to hand over. */
  readonly from: NodeId;
  readonly target: NodeId;
  readonly atMs: number;
  readonly outcome: TransferOutcome;
  /** When it ended (the request's time when refused, the run's end when pending). */
  readonly endMs: number;
  /** The node that announced leadership and ended it (0: none, refused, superseded or pending), and its term. */
  readonly leader: NodeId | 0;
  readonly term: number;
  /** The whole story in one line, for the tooltip. */
  readonly text: string;
}

/**
 * `[node, startMs, endMs, index, term]`: over `[startMs, endMs)` the node's durable log ended with the configuration
 * entry `index`/`term` (0/0: the bootstrap configuration), the one it acts on (thesis §4.1: a server uses the newest
 * configuration in its log, committed or not). A node with none (joined, nothing received yet) has no span.
 */
export type NodeConfigurationSpan = readonly [number, number, number, number, number];

export interface MembershipData {
  readonly lifetimes: readonly Lifetime[];
  readonly configurations: readonly ConfigurationSpan[];
  /** Each node's own configuration over time, per node in time order. */
  readonly nodeConfigurations: readonly NodeConfigurationSpan[];
  readonly entries: readonly ConfEntryMark[];
  readonly transfers: readonly TransferMark[];
}

/**
 * The configuration an entry carries, or undefined. Entry data is text, or base64 for a contract version 2
 * implementation declaring `entryData: 'base64'`; the report is not told which, but the two cannot be confused:
 * a text configuration entry starts `conf:` (not base64: `:`), and base64 of `conf:` starts `Y29uZj`, which no text
 * entry the host writes does (commands start `{`, no-ops are empty).
 */
export function entryConfiguration(data: string): Configuration | undefined {
  if (isConfEntryData(data)) {
    const c = decodeConfEntry(data);
    return typeof c === 'object' ? c : undefined;
  }
  return data.startsWith('Y29uZj') ? configurationOfData(data, true) : undefined;
}

function lists(c: Configuration): MemberLists {
  return { voters: c.voters, learners: c.learners, outgoing: c.outgoing };
}

const ids = (list: readonly NodeId[]): string => `{${list.join(',')}}`;

interface OpenTransfer {
  readonly from: NodeId;
  readonly target: NodeId;
  readonly atMs: number;
}

/** Follows the records one at a time (see {@link buildMembershipData}). */
class MembershipTracker {
  /** Whether anything about membership happened at all (otherwise the page gets no membership data). */
  any = false;
  private readonly joinedAt = new Map<NodeId, number>();
  private readonly retiredAt = new Map<NodeId, number>();
  private readonly configurations: { startMs: number; index: number; term: number; configuration: Configuration; change: string }[];
  /** Entries by `index/term`, in the order first appended. */
  private readonly entries = new Map<string, { index: number; term: number; appendedMs: number; appendedBy: NodeId; committedMs: number | null; configuration: Configuration; change: string }>();
  /** The newest configuration appended so far (by term, then index): what the next entry changes. */
  private newest: { index: number; term: number; configuration: Configuration } | null;
  /** The indexes at which some node appended a configuration entry. */
  private readonly confIndexes = new Set<number>();
  /** The term of the committed entry (of any kind) at each of {@link confIndexes}, once one is applied there. */
  private readonly committedTermAt = new Map<number, number>();
  private readonly transfers: TransferMark[] = [];
  private open: OpenTransfer | null = null;
  /**
   * Per node: the configuration entries of its durable log, ascending by index (Invariant), above a base (0/0 for a
   * bootstrap member, or the configuration of the snapshot it installed).
   */
  private readonly nodeLogs = new Map<NodeId, { index: number; term: number }[]>();
  /** The span each node's current configuration started (its `[node, startMs, index, term]`), and those closed. */
  private readonly nodeOpen = new Map<NodeId, { startMs: number; index: number; term: number }>();
  private readonly nodeSpans: [number, number, number, number, number][] = [];

  constructor(bootstrap: readonly NodeId[]) {
    for (const node of bootstrap) {
      this.nodeLogs.set(node, [{ index: 0, term: 0 }]);
      this.nodeOpen.set(node, { startMs: 0, index: 0, term: 0 });
    }
    const initial = bootstrap.length === 0 ? null : simpleConfiguration(bootstrap);
    this.newest = initial === null ? null : { index: 0, term: 0, configuration: initial };
    this.configurations = initial === null ? [] : [{ startMs: 0, index: 0, term: 0, configuration: initial, change: `bootstrap: voters ${ids(initial.voters)}` }];
  }

  observe(r: TraceRecord): void {
    if (r.type === 'membership' || (r.type === 'fault' && (r.fault.kind === 'conf-change' || r.fault.kind === 'transfer'))) this.any = true;
    if (r.type !== 'fact') return;
    const f = r.fact;
    switch (f.kind) {
      case 'join':
        this.any = true;
        this.joinedAt.set(f.node, f.atMs);
        return;
      case 'retire':
        this.any = true;
        this.retiredAt.set(f.node, f.atMs);
        this.closeNode(f.node, f.atMs);
        return;
      case 'conf-proposal':
        this.any = true;
        return;
      case 'persist':
        for (const e of f.entries) this.appended(e, f.node, f.atMs);
        this.persisted(f.node, f.entries, f.atMs);
        return;
      case 'snapshot':
        // An installed snapshot replaces the whole log: its configuration is the newest committed one at its index.
        if (f.origin === 'installed') {
          this.nodeLogs.set(f.node, [this.committedAt(f.index)]);
          this.nodeChanged(f.node, f.atMs);
        }
        return;
      case 'apply':
        this.applied(f.entry, f.atMs);
        return;
      case 'transfer':
        this.any = true;
        this.endTransfer(f.atMs, 'aborted', 0, 0, 'the next transfer was asked first');
        if (f.accepted) this.open = { from: f.node, target: f.target, atMs: f.atMs };
        else this.transfers.push(transferMark({ from: f.node, target: f.target, atMs: f.atMs }, 'refused', f.atMs, 0, 0, ''));
        return;
      case 'role':
        if (f.role !== 'leader' || this.open === null) return;
        if (f.node === this.open.target) this.endTransfer(f.atMs, 'completed', f.node, f.term, '');
        else this.endTransfer(f.atMs, 'aborted', f.node, f.term, '');
        return;
      default:
        return;
    }
  }

  private appended(e: Entry, node: NodeId, atMs: number): void {
    const configuration = entryConfiguration(e.data);
    if (configuration === undefined) return;
    this.any = true;
    const key = `${e.index}/${e.term}`;
    if (this.entries.has(key)) return;
    this.confIndexes.add(e.index);
    const prev = this.newest?.configuration ?? { voters: [], learners: [], outgoing: [] };
    this.entries.set(key, { index: e.index, term: e.term, appendedMs: atMs, appendedBy: node, committedMs: null, configuration, change: describeConfigurationChange(prev, configuration) });
    if (this.newest === null || e.term > this.newest.term || (e.term === this.newest.term && e.index > this.newest.index)) this.newest = { index: e.index, term: e.term, configuration };
  }

  private applied(e: Entry, atMs: number): void {
    // Any entry committed at the index of a configuration entry settles it: that one, or another that replaced it.
    if (this.confIndexes.has(e.index)) this.committedTermAt.set(e.index, e.term);
    const entry = this.entries.get(`${e.index}/${e.term}`);
    if (entry === undefined) {
      if (entryConfiguration(e.data) === undefined) return;
      // Applied but never seen persisted (a durable state machine's replay): still a committed configuration.
      this.appended(e, 0, atMs);
      this.applied(e, atMs);
      return;
    }
    if (entry.committedMs !== null) return;
    entry.committedMs = atMs;
    const last = this.configurations[this.configurations.length - 1];
    if (last !== undefined && e.index <= last.index) return;
    const prev = last?.configuration ?? { voters: [], learners: [], outgoing: [] };
    this.configurations.push({ startMs: atMs, index: e.index, term: e.term, configuration: entry.configuration, change: describeConfigurationChange(prev, entry.configuration) });
  }

  /** Follows a node's log: persisted entries replace its suffix from the first one's index (Raft §5.3). */
  private persisted(node: NodeId, entries: readonly Entry[], atMs: number): void {
    const first = entries[0];
    if (first === undefined) return;
    let log = this.nodeLogs.get(node);
    if (log === undefined) {
      log = [];
      this.nodeLogs.set(node, log);
    }
    const before = log.length;
    while (log.length > 0 && (log[log.length - 1] as { index: number }).index >= first.index) log.pop();
    const truncated = log.length !== before;
    let added = false;
    for (const e of entries) {
      if (!this.confIndexes.has(e.index) || !this.entries.has(`${e.index}/${e.term}`)) continue;
      log.push({ index: e.index, term: e.term });
      added = true;
    }
    if (truncated || added) this.nodeChanged(node, atMs);
  }

  /** The newest committed configuration entry at or below `index` (0/0: the bootstrap configuration). */
  private committedAt(index: number): { index: number; term: number } {
    let best = { index: 0, term: 0 };
    for (const k of this.configurations) if (k.index <= index && k.index >= best.index) best = { index: k.index, term: k.term };
    return best;
  }

  /** Closes the node's configuration span and opens one for the configuration its log now ends with, if it changed. */
  private nodeChanged(node: NodeId, atMs: number): void {
    const latest = this.nodeLogs.get(node)?.at(-1);
    const open = this.nodeOpen.get(node);
    if (open !== undefined && latest !== undefined && open.index === latest.index && open.term === latest.term) return;
    this.closeNode(node, atMs);
    if (latest !== undefined) this.nodeOpen.set(node, { startMs: atMs, index: latest.index, term: latest.term });
  }

  private closeNode(node: NodeId, atMs: number): void {
    const open = this.nodeOpen.get(node);
    if (open === undefined) return;
    if (atMs > open.startMs) this.nodeSpans.push([node, open.startMs, atMs, open.index, open.term]);
    this.nodeOpen.delete(node);
  }

  private endTransfer(atMs: number, outcome: TransferOutcome, leader: NodeId | 0, term: number, why: string): void {
    if (this.open === null) return;
    this.transfers.push(transferMark(this.open, outcome, atMs, leader, term, why));
    this.open = null;
  }

  finish(nodeCount: number, bootstrap: readonly NodeId[], endMs: number): MembershipData {
    this.endTransfer(endMs, 'pending', 0, 0, '');
    for (const node of [...this.nodeOpen.keys()]) this.closeNode(node, endMs);
    const nodeConfigurations = this.nodeSpans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const lifetimes: Lifetime[] = [];
    for (let node = 1; node <= nodeCount; node++) {
      const joined = this.joinedAt.get(node);
      if (joined === undefined && !bootstrap.includes(node)) continue;
      const retired = this.retiredAt.get(node);
      lifetimes.push({ node, startMs: joined ?? 0, endMs: retired ?? endMs, joined: joined !== undefined, retired: retired !== undefined });
    }
    const configurations = this.configurations.map((c, i) => ({ startMs: c.startMs, endMs: this.configurations[i + 1]?.startMs ?? endMs, index: c.index, term: c.term, ...lists(c.configuration), change: c.change }));
    const entries = [...this.entries.values()].map((e) => {
      const committedTerm = this.committedTermAt.get(e.index);
      const fate: EntryFate = e.committedMs !== null ? 'committed' : committedTerm !== undefined && committedTerm !== e.term ? 'overwritten' : 'pending';
      return { index: e.index, term: e.term, appendedMs: e.appendedMs, appendedBy: e.appendedBy, committedMs: e.committedMs, fate, ...lists(e.configuration), change: e.change };
    });
    return { lifetimes, configurations, nodeConfigurations, entries, transfers: this.transfers };
  }
}

function transferMark(t: OpenTransfer, outcome: TransferOutcome, endMs: number, leader: NodeId | 0, term: number, why: string): TransferMark {
  const head = `transfer of leadership n${t.from} → n${t.target}, asked at ${t.atMs} ms`;
  const after = `${endMs - t.atMs} ms after the request`;
  let text: string;
  switch (outcome) {
    case 'completed':
      text = `${head}: completed, n${leader} leads in term ${term}, ${after}`;
      break;
    case 'aborted':
      text = leader !== 0 ? `${head}: aborted, n${leader} leads in term ${term} instead, ${after}` : `${head}: aborted, ${why}, ${after}`;
      break;
    case 'refused':
      text = `${head}: refused by n${t.from}`;
      break;
    case 'pending':
      text = `${head}: no leader announced by the run's end`;
      break;
  }
  return { from: t.from, target: t.target, atMs: t.atMs, outcome, endMs, leader, term, text };
}

/** The bootstrap voters: nodes 1..`nodeCount`, less any that joined later (it started with an empty disk). */
export function bootstrapVoters(trace: readonly TraceRecord[], nodeCount: number): NodeId[] {
  const joined = new Set<NodeId>();
  for (const r of trace) if (r.type === 'fact' && r.fact.kind === 'join') joined.add(r.node);
  return Array.from({ length: nodeCount }, (_, i) => i + 1).filter((id) => !joined.has(id));
}

/**
 * The membership data of a recorded run, or null when it has none (no join, retirement, configuration entry,
 * proposal, transfer or membership goal): a fixed-cluster run's page stays as it was. `laneCount` is the highest
 * node id drawn; `nodeCount` the initial cluster's size.
 */
export function buildMembershipData(trace: readonly TraceRecord[], nodeCount: number, laneCount: number, endMs: number): MembershipData | null {
  const bootstrap = bootstrapVoters(trace, nodeCount);
  const tracker = new MembershipTracker(bootstrap);
  for (const r of trace) tracker.observe(r);
  return tracker.any ? tracker.finish(laneCount, bootstrap, endMs) : null;
}
