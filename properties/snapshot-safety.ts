/**
 * Snapshot safety (Raft §7), judged from the snapshot, restore, apply and restart facts only:
 *
 * - agreement: every snapshot and every restore at an index carries the same state (digest) as the first one seen
 *   at that index on any node, and the term of the entry first applied there — a snapshot stands for exactly the
 *   committed prefix, so the state a node restores equals the state the others had at that index;
 * - a snapshot stands for a prefix some node persisted: its (index, term) is held by a persisted log (with
 *   `logs`, the run's shared persisted logs);
 * - no regression within an incarnation: a node never restores a snapshot below what it has applied since it
 *   started (installing an older snapshot rolls its state machine back);
 * - no regression across restarts: a node restarts from a snapshot at least as new as the newest it had durably
 *   stored (a disk or host that forgets a snapshot loses state the node had acknowledged as applied).
 */
import type { NodeId } from '../sim/contract.js';
import type { ApplyFact, Fact, RestartFact, RestoreFact, SnapshotFact } from '../sim/facts.js';
import type { PersistedLogs } from './persisted-log.js';
import { prefixSource } from './snapshot-facts.js';
import { AppliedRecord } from './applied-record.js';
import type { Checker, Violation } from './types.js';

interface StateAt {
  readonly digest: number;
  readonly term: number;
  readonly node: NodeId;
  readonly atMs: number;
}

/** The snapshot-safety checker, with its per-kind steps callable directly (RunCheckers' one dispatch per fact). */
export interface SnapshotSafetyChecker extends Checker {
  /** What {@link Checker.observe} returns for a snapshot, restore or restart fact. */
  snapshot(fact: SnapshotFact): Violation | null;
  restore(fact: RestoreFact): Violation | null;
  restart(fact: RestartFact): Violation | null;
  /** What {@link Checker.observe} does with an apply fact (it never reports one). */
  apply(fact: ApplyFact): void;
}

/**
 * Creates the snapshot-safety checker; `logs`, when given, must observe each fact before this checker does. With
 * `shared`, it reads the term first applied at each index there, and its caller feeds every apply fact to `shared`
 * first; without, it keeps its own.
 */
export function createSnapshotSafetyChecker(nodeIds: readonly NodeId[], logs?: PersistedLogs, shared?: AppliedRecord): SnapshotSafetyChecker {
  /** The first state seen at each snapshot index, by any node. */
  const states = new Map<number, StateAt>();
  /** The term of the entry first applied at each index. */
  const record = shared ?? new AppliedRecord();
  const ownsRecord = shared === undefined;
  /** By node id: the highest index applied or restored in the current incarnation. */
  const applied: number[] = [];
  /** By node id: the newest snapshot index the node stored durably. */
  const durable: number[] = [];
  // Filled from position 0 (0 is what an unset slot reads as), so they start and stay packed small integers.
  for (const id of nodeIds) {
    while (applied.length <= id) applied.push(0);
    while (durable.length <= id) durable.push(0);
  }

  function judgeState(fact: SnapshotFact | RestoreFact): Violation | null {
    const what = fact.kind === 'snapshot' ? `stored a snapshot (${fact.origin})` : `restored its state machine (on ${fact.origin})`;
    const known = record.termAt(fact.index);
    if (known !== 0 && known !== fact.term) {
      return violation(fact, [fact.node], `Node ${fact.node} ${what} ending at (index ${fact.index}, term ${fact.term}), but the entry applied at index ${fact.index} has term ${known}.`, { index: fact.index, term: fact.term, appliedTerm: known });
    }
    const first = states.get(fact.index);
    if (first === undefined) {
      states.set(fact.index, { digest: fact.digest, term: fact.term, node: fact.node, atMs: fact.atMs });
      return null;
    }
    if (first.digest === fact.digest && first.term === fact.term) return null;
    const nodes = first.node === fact.node ? [fact.node] : [Math.min(first.node, fact.node), Math.max(first.node, fact.node)];
    return violation(fact, nodes, `Node ${fact.node} ${what} at index ${fact.index} whose state differs from the state node ${first.node} had at that index (at ${first.atMs} ms): the state machines diverged.`, {
      index: fact.index,
      digest: fact.digest,
      term: fact.term,
      first: { node: first.node, digest: first.digest, term: first.term, atMs: first.atMs },
    });
  }

  function snapshot(fact: SnapshotFact): Violation | null {
    if (logs !== undefined && prefixSource(logs, nodeIds, fact.node, fact.index, fact.term) === null) {
      return violation(fact, [fact.node], `Node ${fact.node} stored a snapshot (${fact.origin}) ending at (index ${fact.index}, term ${fact.term}), an entry no node ever persisted: it stands for no log prefix.`, { index: fact.index, term: fact.term });
    }
    if (fact.index > (durable[fact.node] ?? 0)) durable[fact.node] = fact.index;
    return judgeState(fact);
  }

  function restore(fact: RestoreFact): Violation | null {
    const before = applied[fact.node] ?? 0;
    if (fact.origin === 'install' && fact.index < before) {
      return violation(fact, [fact.node], `Node ${fact.node} restored a snapshot at index ${fact.index} after applying up to index ${before} since it started: its state machine went back (a snapshot must be installed only when newer than the node's commit, Raft §7).`, { index: fact.index, appliedBefore: before });
    }
    applied[fact.node] = fact.index;
    return judgeState(fact);
  }

  function restart(fact: RestartFact): Violation | null {
    applied[fact.node] = fact.applied ?? 0;
    const had = durable[fact.node] ?? 0;
    const stored = fact.stored.snapshot?.index ?? 0;
    if (stored >= had) return null;
    return violation(fact, [fact.node], `Node ${fact.node} restarted from ${stored === 0 ? 'no snapshot' : `the snapshot at index ${stored}`}, although it had durably stored a snapshot at index ${had}: its state regressed.`, { storedSnapshot: stored, durableSnapshot: had });
  }

  function apply(fact: ApplyFact): void {
    if (ownsRecord) record.observe(fact);
    const index = fact.entry.index;
    if (index > (applied[fact.node] ?? 0)) applied[fact.node] = index;
  }

  return {
    property: 'snapshot-safety',
    factKinds: ['snapshot', 'restore', 'apply', 'restart'],
    observe(fact: Fact): Violation | null {
      switch (fact.kind) {
        case 'snapshot':
          return snapshot(fact);
        case 'restore':
          return restore(fact);
        case 'apply':
          apply(fact);
          return null;
        case 'restart':
          return restart(fact);
        default:
          return null;
      }
    },
    snapshot,
    restore,
    restart,
    apply,
  };
}

function violation(fact: Fact, nodes: readonly NodeId[], message: string, evidence: unknown): Violation {
  return { property: 'snapshot-safety', atMs: fact.atMs, event: fact.event, nodes, message, evidence };
}
