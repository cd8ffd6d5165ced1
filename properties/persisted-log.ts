/**
 * A node's log as observed on its disk (PersistFact / RestartFact), with a chain hash per index so two logs
 * can be compared up to an index in O(1). Shared by the checkers that judge persisted logs.
 */
import type { Entry } from '../sim/contract.js';
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

export class PersistedLog {
  /** Invariant: entries[i - 1].index === i for 1 <= i <= lastIndex; positions beyond are stale. */
  private readonly entries: Entry[] = [];
  /** Invariant: chains[i] is the chain of entries 1..i for 0 <= i <= lastIndex; chains[0] = CHAIN_EMPTY. */
  private readonly chains: number[] = [CHAIN_EMPTY];
  /** The index of the last stored entry; 0 when the log is empty. */
  lastIndex = 0;

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
   * leaves the log as it was.
   */
  replaceFrom(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    let index = first.index;
    let chain = this.chains[index - 1]!;
    for (const e of entries) {
      chain = chainNext(chain, e.term, hashEntryData(e));
      this.set(index, e, chain);
      index++;
    }
    this.lastIndex = index - 1;
  }

  /**
   * Makes the log exactly `entries` (a restarted node's stored log).
   * Throws when `entries` are not consecutive from index 1: that is StoredState's invariant, kept by the
   * simulator's disk, so breaking it is a Seaworthy bug, not a property violation.
   */
  reset(entries: readonly Entry[]): void {
    let chain = CHAIN_EMPTY;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k]!;
      if (e.index !== k + 1) {
        throw new Error(`restart log is not consecutive from 1: position ${k} holds index ${e.index}`);
      }
      chain = chainNext(chain, e.term, hashEntryData(e));
      this.set(k + 1, e, chain);
    }
    this.lastIndex = entries.length;
  }

  /** Writes position `index`; never leaves a hole, so the arrays stay packed. */
  private set(index: number, entry: Entry, chain: number): void {
    this.entries[index - 1] = entry;
    this.chains[index] = chain;
  }
}
