/**
 * Durability: no acknowledged write is ever lost. An AckFact says a client got an OK for the command a
 * node applied at (index, term); from then on the entry at that index is that one, forever. Violations:
 * - any node applies, at an acked index, an entry of another term (before or after the ack);
 * - two acks name different terms at one index (one of the two acked writes is lost);
 * - a node persists a log that replaces an acked index with another term, or drops it, while that node's
 *   stored commit index covers it (a committed, acked write overwritten on disk; Raft §5.4 never does).
 * A correct Raft never triggers any of these.
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { AckFact, ApplyFact, Fact, PersistFact, RestartFact } from '../sim/facts.js';
import { AppliedRecord } from './applied-record.js';
import type { Checker, Violation } from './types.js';

/** The durability checker, with its per-kind judgements callable directly (RunCheckers' one dispatch per fact). */
export interface DurabilityChecker extends Checker {
  /** What {@link Checker.observe} returns for an ack, apply or persist fact. */
  ack(fact: AckFact): Violation | null;
  apply(fact: ApplyFact): Violation | null;
  persist(fact: PersistFact): Violation | null;
  /** What {@link Checker.observe} does with a restart fact (it never reports one). */
  restart(fact: RestartFact): void;
}

/**
 * Creates a Durability checker. `nodeIds` only pre-sizes per-node state. With `shared`, it reads the first apply at
 * each index there, and its caller feeds every apply fact to `shared` first; without, it keeps its own.
 */
export function createDurabilityChecker(nodeIds: readonly NodeId[] = [], shared?: AppliedRecord): DurabilityChecker {
  /** Position = index: the first ack at that index, or null. */
  const acked: (AckFact | null)[] = [null];
  /** The first apply at each index by any node. */
  const record = shared ?? new AppliedRecord();
  const ownsRecord = shared === undefined;
  /** Position = node id (ids are small integers): the last index of its stored log. */
  const lastIndexOf: number[] = [];
  for (const id of nodeIds) setLastIndex(id, 0);

  function setLastIndex(node: NodeId, last: number): void {
    while (lastIndexOf.length <= node) lastIndexOf.push(0);
    lastIndexOf[node] = last;
  }

  function ackAt(index: number): AckFact | null {
    return index < acked.length ? acked[index]! : null;
  }

  function ack(fact: AckFact): Violation | null {
    const { index, term } = fact;
    while (acked.length <= index) acked.push(null);
    const earlier = acked[index]!;
    if (earlier === null) acked[index] = fact;
    else if (earlier.term !== term) {
      return violation(fact, [earlier.node, fact.node], `A ${describeAck(fact)}, but a ${describeAck(earlier)} at ${earlier.atMs} ms.`, {
        index,
        ack: ackEvidence(fact),
        earlierAck: ackEvidence(earlier),
      });
    }
    const applied = record.firstAt(index);
    if (applied === null || applied.entry.term === term) return null;
    return violation(
      fact,
      [applied.node, fact.node],
      `A ${describeAck(fact)}, but node ${applied.node} had applied term ${applied.entry.term} at that index at ${applied.atMs} ms.`,
      { index, ack: ackEvidence(fact), applied: { node: applied.node, term: applied.entry.term, atMs: applied.atMs } },
    );
  }

  function apply(fact: ApplyFact): Violation | null {
    const { index, term } = fact.entry;
    if (ownsRecord) record.observe(fact);
    const a = ackAt(index);
    if (a === null || a.term === term) return null;
    return violation(
      fact,
      [a.node, fact.node],
      `Node ${fact.node} applied term ${term} at index ${index}, losing the write acknowledged at (index ${index}, term ${a.term}) by node ${a.node} at ${a.atMs} ms.`,
      { index, ack: ackEvidence(a), applied: { node: fact.node, term } },
    );
  }

  function persist(fact: PersistFact): Violation | null {
    const previousLast = lastIndexOf[fact.node] ?? 0;
    const first = fact.entries[0];
    if (first === undefined) return null;
    const last = first.index + fact.entries.length - 1;
    setLastIndex(fact.node, last);
    const commit = fact.hardState.commit;
    const entries = fact.entries;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k] as Entry;
      const a = e.index <= commit ? ackAt(e.index) : null;
      if (a !== null && a.term !== e.term) {
        return overwritten(fact, a, `replaces index ${e.index} with term ${e.term}`);
      }
    }
    // Entries beyond the batch are dropped from the stored log (a truncation): acked ones must not be.
    const droppedMax = previousLast < commit ? previousLast : commit;
    for (let index = last + 1; index <= droppedMax; index++) {
      const a = ackAt(index);
      if (a !== null) return overwritten(fact, a, `drops index ${index} (it now ends at index ${last})`);
    }
    return null;
  }

  function restart(fact: RestartFact): void {
    setLastIndex(fact.node, fact.stored.entries.length);
  }

  return {
    property: 'durability',
    factKinds: ['ack', 'apply', 'persist', 'restart'],
    observe(fact: Fact): Violation | null {
      switch (fact.kind) {
        case 'ack':
          return ack(fact);
        case 'apply':
          return apply(fact);
        case 'persist':
          return persist(fact);
        case 'restart':
          restart(fact);
          return null;
        default:
          return null;
      }
    },
    ack,
    apply,
    persist,
    restart,
  };
}

function overwritten(fact: PersistFact, a: AckFact, how: string): Violation {
  return violation(
    fact,
    [a.node, fact.node],
    `Node ${fact.node} persisted a log that ${how} although its commit index is ${fact.hardState.commit}, ` +
      `losing the write acknowledged at (index ${a.index}, term ${a.term}) by node ${a.node} at ${a.atMs} ms.`,
    { index: a.index, ack: ackEvidence(a), node: fact.node, commit: fact.hardState.commit },
  );
}

function describeAck(a: AckFact): string {
  return `client ${a.clientId} write (seq ${a.seq}) was acknowledged at (index ${a.index}, term ${a.term}) by node ${a.node}`;
}

function ackEvidence(a: AckFact): { node: NodeId; clientId: number; seq: number; index: number; term: number; atMs: number } {
  return { node: a.node, clientId: a.clientId, seq: a.seq, index: a.index, term: a.term, atMs: a.atMs };
}

function violation(fact: Fact, involved: NodeId[], message: string, evidence: unknown): Violation {
  const nodes = involved[0] === involved[1] ? [involved[0]!] : involved.slice().sort((x, y) => x - y);
  return { property: 'durability', atMs: fact.atMs, event: fact.event, nodes, message, evidence };
}
