/**
 * Log Matching (Raft §5.3, Figure 3): if two logs contain an entry with the same index and term, the logs
 * are identical in all entries up to that index. Judged on PERSISTED logs only.
 *
 * Only one leader creates the entries of term t, once per index (Election Safety + Leader Append-Only), so
 * (index, term) names one entry and one log prefix for the whole run. We therefore keep a global record,
 * never forgotten even when logs are later truncated, of the prefix chain hash (entry-hash.ts) first seen
 * for each (index, term); any log persisted later holding that (index, term) with another chain breaks
 * the property. This is stronger than comparing logs that coexist, and costs O(1) per persisted entry.
 *
 * Also a violation: a persist whose entries are not consecutive, or start past the stored log's end + 1
 * (the log would have a gap). Such a persist is reported and otherwise ignored.
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';
import { PersistedLogs, firstNonConsecutive } from './persisted-log.js';
import type { PersistedLog } from './persisted-log.js';
import type { PersistProblem } from './persisted-log.js';
import type { Checker, Violation } from './types.js';

/** Record slot sentinels returned by `findRecord`. */
const NO_RECORD = -1;
const PRIMARY = -2;
/** Overflow records are flat [term, chain, node] triples; the entry itself lives in `overflowEntries`. */
const STRIDE = 3;

/** The log-matching checker, with its per-kind judgements callable directly (RunCheckers' one dispatch per fact). */
export interface LogMatchingChecker extends Checker {
  /** What {@link Checker.observe} returns for a persist fact. */
  persist(fact: PersistFact): Violation | null;
  /** What {@link Checker.observe} returns for a restart fact. */
  restart(fact: RestartFact): Violation | null;
}

/**
 * Creates a Log Matching checker. `nodeIds` only pre-sizes per-node state; facts from other nodes are
 * accepted too. With `shared`, the checker reads those logs instead of keeping its own, and its caller feeds
 * every fact to `shared.observe` before this checker (it throws otherwise).
 */
export function createLogMatchingChecker(nodeIds: readonly NodeId[] = [], shared?: PersistedLogs): LogMatchingChecker {
  const logs = shared ?? new PersistedLogs(nodeIds);
  const sync = shared === undefined ? (fact: Fact) => logs.observe(fact) : (fact: PersistFact | RestartFact) => logs.expectCurrent(fact);

  // The first record at each index lives in these arrays (position = index; recTerm 0 = none) so the
  // common case (one term per index) allocates nothing; further terms at an index go to `overflow*`.
  const recTerm: number[] = [0];
  const recChain: number[] = [0];
  const recNode: number[] = [0];
  const recEntry: (Entry | null)[] = [null];
  const overflow = new Map<number, number[]>();
  /** True until this checker reports a violation: until then every stored (index, entry, chain) agreed with its record. */
  let sound = true;
  const overflowEntries = new Map<number, Entry[]>();

  function findRecord(index: number, term: number): number {
    if (index >= recTerm.length) return NO_RECORD;
    const t = recTerm[index]!;
    if (t === 0) return NO_RECORD;
    if (t === term) return PRIMARY;
    const more = overflow.get(index);
    if (more === undefined) return NO_RECORD;
    for (let k = 0; k < more.length; k += STRIDE) if (more[k] === term) return k;
    return NO_RECORD;
  }

  function addRecord(index: number, entry: Entry, chain: number, node: NodeId): void {
    while (recTerm.length <= index) {
      recTerm.push(0);
      recChain.push(0);
      recNode.push(0);
      recEntry.push(null);
    }
    if (recTerm[index] === 0) {
      recTerm[index] = entry.term;
      recChain[index] = chain;
      recNode[index] = node;
      recEntry[index] = entry;
      return;
    }
    let more = overflow.get(index);
    let moreEntries = overflowEntries.get(index);
    if (more === undefined || moreEntries === undefined) {
      more = [];
      moreEntries = [];
      overflow.set(index, more);
      overflowEntries.set(index, moreEntries);
    }
    more.push(entry.term, chain, node);
    moreEntries.push(entry);
  }

  /** Checks stored entries from..to of `node`'s log against the global record, recording new ones. */
  function judgeRange(fact: PersistFact | RestartFact, log: PersistedLog, from: number, to: number): Violation | null {
    let first: Violation | null = null;
    for (let index = from; index <= to; index++) {
      const entry = log.entryAt(index)!;
      const chain = log.chainAt(index);
      const slot = findRecord(index, entry.term);
      if (slot === NO_RECORD) {
        addRecord(index, entry, chain, fact.node);
        continue;
      }
      const recordedChain = slot === PRIMARY ? recChain[index]! : overflow.get(index)![slot + 1]!;
      if (recordedChain === chain || first !== null) continue;
      const recordedBy = slot === PRIMARY ? recNode[index]! : overflow.get(index)![slot + 2]!;
      const recorded = slot === PRIMARY ? recEntry[index]! : overflowEntries.get(index)![slot / STRIDE]!;
      first = mismatch(fact, log, entry, recorded, recordedBy, recordedChain);
    }
    return first;
  }

  function mismatch(
    fact: PersistFact | RestartFact,
    log: PersistedLog,
    entry: Entry,
    recorded: Entry,
    recordedBy: NodeId,
    recordedChain: number,
  ): Violation {
    const { index, term } = entry;
    const nodes = recordedBy === fact.node ? [fact.node] : [Math.min(fact.node, recordedBy), Math.max(fact.node, recordedBy)];
    const how = fact.kind === 'restart' ? 'restarted with' : 'persisted';
    if (entry.data !== recorded.data) {
      return {
        property: 'log-matching',
        atMs: fact.atMs,
        event: fact.event,
        nodes,
        message:
          `Node ${fact.node} ${how} entry (index ${index}, term ${term}) with data ${JSON.stringify(entry.data)}, ` +
          `but node ${recordedBy} first persisted that index and term with data ${JSON.stringify(recorded.data)}.`,
        evidence: { index, term, node: fact.node, data: entry.data, recordedBy, recordedData: recorded.data },
      };
    }
    const firstDifference = firstDifferingIndex(log, logs.logOf(recordedBy), index, recordedChain);
    const where = firstDifference === 0 ? 'an earlier entry differs' : `they first differ at index ${firstDifference}`;
    return {
      property: 'log-matching',
      atMs: fact.atMs,
      event: fact.event,
      nodes,
      message:
        `Node ${fact.node} ${how} entry (index ${index}, term ${term}) equal to node ${recordedBy}'s, ` +
        `but the logs before it differ (${where}).`,
      evidence: { index, term, node: fact.node, recordedBy, ...(firstDifference === 0 ? {} : { firstDifference }) },
    };
  }

  function persist(fact: PersistFact): Violation | null {
    sync(fact);
    if (logs.problem !== null) return malformed(fact, logs.problem, logs.lastIndexBefore);
    const first = fact.entries[0];
    if (first === undefined) return null;
    const log = logs.logOf(fact.node);
    return judgeRange(fact, log, first.index, log.lastIndex);
  }

  function restart(fact: RestartFact): Violation | null {
    sync(fact);
    const log = logs.logOf(fact.node);
    // The leading entries the node's log already held (the same objects at the same positions, so the same chains)
    // were judged when they were stored, against records that never change: judging them again can only agree.
    // A restart usually brings back the whole log it had, so this is most of it. After a reported violation the
    // whole log is judged again, as before.
    return judgeRange(fact, log, sound ? logs.keptPrefix + 1 : 1, log.lastIndex);
  }

  function judgedPersist(fact: PersistFact): Violation | null {
    const found = persist(fact);
    if (found !== null) sound = false;
    return found;
  }

  function judgedRestart(fact: RestartFact): Violation | null {
    const found = restart(fact);
    if (found !== null) sound = false;
    return found;
  }

  return {
    property: 'log-matching',
    factKinds: ['persist', 'restart'],
    observe(fact: Fact): Violation | null {
      return fact.kind === 'persist' ? judgedPersist(fact) : fact.kind === 'restart' ? judgedRestart(fact) : null;
    },
    persist: judgedPersist,
    restart: judgedRestart,
  };
}

/**
 * The first index at which `log` differs from `other`, when `other` still holds the recorded prefix up to
 * `index` (its chain there equals `recordedChain`); 0 when that can no longer be told. Violation path only.
 */
function firstDifferingIndex(log: PersistedLog, other: PersistedLog, index: number, recordedChain: number): number {
  if (other.lastIndex < index || other.chainAt(index) !== recordedChain) return 0;
  for (let i = 1; i < index; i++) if (log.chainAt(i) !== other.chainAt(i)) return i;
  return 0;
}

function malformed(fact: PersistFact, problem: PersistProblem, lastIndex: number): Violation {
  const first = fact.entries[0]!;
  const base = { property: 'log-matching' as const, atMs: fact.atMs, event: fact.event, nodes: [fact.node] };
  if (problem === 'not-consecutive') {
    const k = firstNonConsecutive(fact.entries);
    const e = fact.entries[k]!;
    const previous = fact.entries[k - 1]!;
    return {
      ...base,
      message: `Node ${fact.node} persisted entries that are not consecutive: index ${e.index} (term ${e.term}) follows index ${previous.index} (term ${previous.term}).`,
      evidence: { problem, node: fact.node, index: e.index, term: e.term, previousIndex: previous.index },
    };
  }
  const message =
    problem === 'gap'
      ? `Node ${fact.node} persisted entries from index ${first.index} (term ${first.term}) but its stored log ends at index ${lastIndex}, leaving a gap.`
      : `Node ${fact.node} persisted an entry at index ${first.index} (term ${first.term}); log indexes start at 1.`;
  return { ...base, message, evidence: { problem, node: fact.node, index: first.index, term: first.term, lastIndex } };
}
