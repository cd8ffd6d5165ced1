/**
 * The first apply at each log index, by any node, kept once per run. State machine safety compares every apply with
 * it, durability compares acks with it, commit-quorum and snapshot safety read the term first applied there: each
 * used to keep its own array of the same thing, grown and written on every apply. Fed each apply fact once, before
 * its readers (RunCheckers does; a checker created without one keeps its own and feeds it itself).
 */
import type { ApplyFact } from '../sim/facts.js';

export class AppliedRecord {
  /** Position = index: the first apply fact seen there, null while none. Invariant: same length as `terms`. */
  private readonly facts: (ApplyFact | null)[] = [null];
  /** Position = index: the term of the entry first applied there, 0 while none. */
  private readonly terms: number[] = [0];
  /** Whether the last apply observed was the first at its index. */
  first = false;
  /**
   * Whether no term above 0 was recorded at the last apply's index before it (the term array's own notion of first,
   * which commit-quorum keeps): the same as `first` but for entries of term 0, which only a broken implementation
   * applies, and which leave the index unrecorded for the terms, as each checker's own array did.
   */
  firstTerm = false;
  /** The highest index any node has applied; 0 before the first apply. */
  maxIndex = 0;

  /** Records `fact` (first at its index, or not). Feed each apply fact once, in run order. */
  observe(fact: ApplyFact): void {
    const { index, term } = fact.entry;
    const facts = this.facts;
    while (facts.length <= index) {
      facts.push(null);
      this.terms.push(0);
    }
    this.first = facts[index] === null;
    if (this.first) facts[index] = fact;
    this.firstTerm = this.terms[index] === 0;
    if (this.firstTerm) this.terms[index] = term;
    if (index > this.maxIndex) this.maxIndex = index;
  }

  /** The first apply fact at `index`, or null when nothing was applied there. */
  firstAt(index: number): ApplyFact | null {
    return index < this.facts.length ? (this.facts[index] as ApplyFact | null) : null;
  }

  /** The term of the entry first applied at `index`, or 0 when nothing was applied there. */
  termAt(index: number): number {
    return index < this.terms.length ? (this.terms[index] as number) : 0;
  }
}
