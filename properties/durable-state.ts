/**
 * What each node holds durably, as the facts tell it: its hard state (term, vote) and the term of every entry
 * of its stored log. Persist facts are emitted only once a Ready is fsynced, and restart facts carry exactly
 * what the disk kept, so this is the durable state, never merely written state. The per-event checkers
 * (hard-state.ts, commit-quorum.ts, message-checks.ts) judge against it.
 *
 * Only terms are kept (a number per entry, no hashing): the checkers that use it compare (index, term), which
 * identifies an entry wherever log matching holds, and log matching is judged on its own.
 */
import type { Entry, NodeId } from '../sim/contract.js';
import type { PersistFact, RestartFact } from '../sim/facts.js';

/** One node's durable state. */
export class DurableNode {
  constructor(readonly id: NodeId) {}
  term = 0;
  vote: NodeId | 0 = 0;
  /** Last index of the stored log. */
  lastIndex = 0;
  /** Position = index: the stored entry's term. Invariant: length > lastIndex; position 0 unused. */
  readonly terms: number[] = [0];

  /** The term of the stored entry at `index`, or 0 when there is none. */
  termAt(index: number): number {
    return index >= 1 && index <= this.lastIndex ? (this.terms[index] as number) : 0;
  }

  /** Applies a persist: hard state, then `entries` replacing the stored log from their first index on. */
  persist(fact: PersistFact): void {
    this.term = fact.hardState.term;
    this.vote = fact.hardState.vote;
    const entries = fact.entries;
    const first = entries[0];
    if (first === undefined) return;
    const terms = this.terms;
    let index = first.index;
    for (let k = 0; k < entries.length; k++, index++) {
      if (index < terms.length) terms[index] = (entries[k] as Entry).term;
      else terms.push((entries[k] as Entry).term);
    }
    this.lastIndex = index - 1;
  }

  /** Replaces everything with what the disk kept at a restart. */
  restart(fact: RestartFact): void {
    this.term = fact.stored.hardState.term;
    this.vote = fact.stored.hardState.vote;
    const entries = fact.stored.entries;
    const terms = this.terms;
    terms.length = 1;
    for (let k = 0; k < entries.length; k++) terms.push((entries[k] as Entry).term);
    this.lastIndex = entries.length;
  }
}

/** Durable state of every node of a run, by node id (ids are small positive integers). */
export class DurableNodes {
  private readonly byId: (DurableNode | undefined)[] = [];
  /** Every node created so far, in creation order: what a count over the cluster iterates (no allocation). */
  readonly list: DurableNode[] = [];

  constructor(nodeIds: readonly NodeId[] = []) {
    for (const id of nodeIds) this.of(id);
  }

  /**
   * The node's durable state, or undefined for a node no fact has shown yet; unlike {@link of} it creates nothing
   * (a reader such as the message checker must not add a node to {@link list}, which the counts iterate).
   */
  peek(node: NodeId): DurableNode | undefined {
    return node < this.byId.length ? this.byId[node] : undefined;
  }

  /** The node's durable state, created empty on first use. */
  of(node: NodeId): DurableNode {
    let n = this.byId[node];
    if (n === undefined) {
      while (this.byId.length <= node) this.byId.push(undefined);
      n = new DurableNode(node);
      this.byId[node] = n;
      this.list.push(n);
    }
    return n;
  }
}
