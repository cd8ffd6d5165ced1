/**
 * A node's log as observed on its disk (PersistFact / RestartFact), with a chain hash per index so two logs
 * can be compared up to an index in O(1); and {@link PersistedLogs}, every node's, kept once per run for all
 * the checkers and probes that read persisted logs (so each persisted entry is stored and hashed once, not
 * once per reader).
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';
import { CHAIN_EMPTY, chainNext, hashEntryData } from './entry-hash.js';

/**
 * Why a persisted batch of entries cannot be applied to a stored log:
 * - `bad-index`: the first entry's index is below 1;
 * - `gap`: the first entry's index is beyond the stored last index + 1;
 * - `not-consecutive`: some entry's index is not its predecessor's + 1.
 */
export type PersistProblem = 'bad-index' | 'gap' | 'not-consecutive';

/**
 * What is wrong with replacing a log whose last index is `lastIndex` by `entries` from `entries[0].index`
 * on, or null when the batch is well formed. An empty batch is always well formed.
 */
export function persistProblem(entries: readonly Entry[], lastIndex: number): PersistProblem | null {
  const first = entries[0];
  if (first === undefined) return null;
  if (first.index < 1) return 'bad-index';
  if (first.index > lastIndex + 1) return 'gap';
  for (let k = 1; k < entries.length; k++) {
    if (entries[k]!.index !== first.index + k) return 'not-consecutive';
  }
  return null;
}

/** Position in `entries` of the first entry that breaks consecutiveness, or -1. */
export function firstNonConsecutive(entries: readonly Entry[]): number {
  const first = entries[0];
  if (first === undefined) return -1;
  for (let k = 1; k < entries.length; k++) {
    if (entries[k]!.index !== first.index + k) return k;
  }
  return -1;
}

/**
 * The chain last computed at each index, with the entry and previous chain it was computed from. Every node
 * persists the same Entry objects (messages carry references) on the same prefixes, so the logs of a run
 * sharing one cache hash each entry once instead of once per node. A hit needs the same object and the same
 * previous chain, so the cache can never change a chain, only skip recomputing it.
 */
export class ChainCache {
  private readonly entries: (Entry | undefined)[] = [undefined];
  private readonly previous: number[] = [CHAIN_EMPTY];
  private readonly chains: number[] = [CHAIN_EMPTY];

  /** chainNext(previous, entry.term, hashEntryData(entry)) for the entry at `index`. */
  chainAt(index: number, previous: number, entry: Entry): number {
    if (index < this.entries.length && this.entries[index] === entry && this.previous[index] === previous) return this.chains[index]!;
    const chain = chainNext(previous, entry.term, hashEntryData(entry));
    // Indexes arrive consecutively per log, so the arrays grow without holes; a far index is not cached.
    if (index <= this.entries.length) {
      this.entries[index] = entry;
      this.previous[index] = previous;
      this.chains[index] = chain;
    }
    return chain;
  }
}

export class PersistedLog {
  /** Invariant: entries[i - 1].index === i for 1 <= i <= lastIndex; positions beyond are stale. */
  private readonly entries: Entry[] = [];
  /** Invariant: chains[i] is the chain of entries 1..i for 0 <= i <= lastIndex; chains[0] = CHAIN_EMPTY. */
  private readonly chains: number[] = [CHAIN_EMPTY];
  /** The index of the last stored entry; 0 when the log is empty. */
  lastIndex = 0;

  /** `cache` is shared by the logs of one run (see {@link ChainCache}); each log has its own otherwise. */
  constructor(private readonly cache: ChainCache = new ChainCache()) {}

  /** The stored entry at `index`, or undefined when `index` is outside 1..lastIndex. */
  entryAt(index: number): Entry | undefined {
    return index >= 1 && index <= this.lastIndex ? this.entries[index - 1] : undefined;
  }

  /** The chain of entries 1..index. Precondition: 0 <= index <= lastIndex. */
  chainAt(index: number): number {
    return this.chains[index]!;
  }

  /**
   * Replaces the log from `entries[0].index` on by `entries` (dropping any stored suffix beyond them), as
   * a PersistFact says. Precondition: `persistProblem(entries, this.lastIndex) === null`. An empty batch
   * leaves the log as it was. Returns true when some stored entry was replaced by one of another term (a
   * conflict truncation, Raft §5.3), false otherwise.
   */
  replaceFrom(entries: readonly Entry[]): boolean {
    const first = entries[0];
    if (first === undefined) return false;
    let index = first.index;
    let chain = this.chains[index - 1]!;
    let truncated = false;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k] as Entry;
      if (index <= this.lastIndex && this.entries[index - 1]!.term !== e.term) truncated = true;
      chain = this.cache.chainAt(index, chain, e);
      this.set(index, e, chain);
      index++;
    }
    this.lastIndex = index - 1;
    return truncated;
  }

  /**
   * Makes the log exactly `entries` (a restarted node's stored log).
   * Throws when `entries` are not consecutive from index 1: that is StoredState's invariant, kept by the
   * simulator's disk, so breaking it is a Seaworthy bug, not a property violation. Returns how many leading
   * entries are the very objects the log held before (so their chains are unchanged).
   */
  reset(entries: readonly Entry[]): number {
    // A restarted node usually comes back with the very entry objects it persisted (the simulated disk keeps
    // references), so the stored prefix of identical objects keeps its chains: only what differs is rehashed.
    let k = 0;
    while (k < entries.length && k < this.lastIndex && entries[k] === this.entries[k]) {
      if (entries[k]!.index !== k + 1) break; // let the loop below report it
      k++;
    }
    const kept = k;
    let chain = this.chains[k]!;
    for (; k < entries.length; k++) {
      const e = entries[k]!;
      if (e.index !== k + 1) {
        throw new Error(`restart log is not consecutive from 1: position ${k} holds index ${e.index}`);
      }
      chain = this.cache.chainAt(k + 1, chain, e);
      this.set(k + 1, e, chain);
    }
    this.lastIndex = entries.length;
    return kept;
  }

  /** Writes position `index`; never leaves a hole, so the arrays stay packed. */
  private set(index: number, entry: Entry, chain: number): void {
    this.entries[index - 1] = entry;
    this.chains[index] = chain;
  }
}

/**
 * Every node's persisted log, fed each fact once by its owner and then read by any number of checkers and
 * probes (one store per run instead of one per reader). Readers call {@link PersistedLogs.expectCurrent} to
 * make sure the store already holds the fact they are judging: a reader fed facts the store never saw would
 * judge stale logs silently, so that is an error, not a guess.
 */
export class PersistedLogs {
  private readonly logs: PersistedLog[] = [];
  /**
   * The run's chain cache: a reader that chains the same entries on the same prefixes (leader completeness's
   * committed prefix) gets the persisted logs' chains back instead of hashing again.
   */
  readonly cache = new ChainCache();
  /** The last persist or restart fact observed; null before the first. */
  private current: Fact | null = null;
  /** What the last persist was found to be: its problem (then the log was left unchanged), or null. */
  problem: PersistProblem | null = null;
  /** The node's last index just before the last persist or restart fact. */
  lastIndexBefore = 0;
  /** Whether the last persist replaced a stored entry by one of another term (a conflict truncation). */
  truncated = false;
  /**
   * For the last restart: how many leading entries of the restarted log are the very entry objects the node's log
   * held just before, at the same positions (so with the same chains). 0 after a persist.
   */
  keptPrefix = 0;

  /** `nodeIds` only pre-sizes the store; facts from other nodes are accepted too. */
  constructor(nodeIds: readonly NodeId[] = []) {
    for (const id of nodeIds) this.add(id);
  }

  /** The persisted log of `node` (empty until its first persist). */
  logOf(node: NodeId): PersistedLog {
    // Logs are made out of line, the initial nodes' by the constructor: logOf is inlined into a dozen functions (the
    // persist and restart paths, the probes' elections…), and with a construction in its type feedback each copy
    // compiled a PersistedLog's allocation too. Only a node that joined reaches `add` from here.
    return this.logs[node] ?? this.add(node);
  }

  /** Makes `node`'s (empty) log. */
  private add(node: NodeId): PersistedLog {
    const log = new PersistedLog(this.cache);
    this.logs[node] = log;
    return log;
  }

  /** The ids of every node with a log here, ascending (nodes that joined included). Allocates: off the hot path. */
  ids(): NodeId[] {
    const out: NodeId[] = [];
    for (let id = 0; id < this.logs.length; id++) if (this.logs[id] !== undefined) out.push(id);
    return out;
  }

  /** Applies a persist or restart fact to its node's log; other facts are ignored. Feed each fact once, in order. */
  observe(fact: Fact): void {
    if (fact.kind === 'persist') this.observePersist(fact);
    else if (fact.kind === 'restart') this.observeRestart(fact);
  }

  /**
   * Throws unless `fact` (a persist or restart) is the last one {@link observe} applied: a reader sharing
   * the store must be fed the same facts in the same order, after the store.
   */
  expectCurrent(fact: PersistFact | RestartFact): void {
    if (fact !== this.current) {
      throw new Error(`shared persisted logs have not observed the ${fact.kind} of node ${fact.node} at event ${fact.event}: feed each fact to PersistedLogs.observe before its readers`);
    }
  }

  /** {@link observe} for a persist fact (RunCheckers calls it directly, with no switch). */
  observePersist(fact: PersistFact): void {
    const log = this.logOf(fact.node);
    this.current = fact;
    this.lastIndexBefore = log.lastIndex;
    this.keptPrefix = 0;
    this.problem = persistProblem(fact.entries, log.lastIndex);
    this.truncated = this.problem === null && log.replaceFrom(fact.entries);
  }

  /** {@link observe} for a restart fact. */
  observeRestart(fact: RestartFact): void {
    const log = this.logOf(fact.node);
    this.current = fact;
    this.lastIndexBefore = log.lastIndex;
    this.problem = null;
    this.truncated = false;
    this.keptPrefix = log.reset(fact.stored.entries);
  }
}
