/**
 * Entry references (docs/protocol.md § The compact form, change 6): a process that declares `"entryRefs": true`
 * may write `{"$entries": [lo, hi]}` in place of a run of its own log's entries, lo to hi inclusive, where a Ready
 * would repeat entries the host already holds: as a Ready's `committedEntries`, and as the value of any top-level
 * field of a message (an append's entries). Entries are most of a process's reply bytes (a leader sends each one
 * to every follower, again until acknowledged, and predicts its heartbeats with them), and the host holds them
 * all: each went out once, in full, in a Ready's `entries`.
 *
 * This module keeps the host's record of one node's log, as the node's Readys leave it, and expands references
 * from it, in place, before anything else sees the Ready: the simulation, the facts and the trace see exactly
 * the values a process writing them out in full would have sent. process.ts owns one record per node.
 */
import type { Entry } from '../../sim/contract.js';

/** The key of a reference object: `{"$entries": [lo, hi]}`. */
export const REF_KEY = '$entries';

/** A reference, as written: the first and last index of a run of the node's log. */
interface EntriesRef {
  readonly [REF_KEY]: readonly [number, number];
}

/** Whether `value` is written as a reference (a one-key object whose key is `$entries`): judged then by expand. */
function isRefShaped(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (key !== REF_KEY) return false;
  return REF_KEY in value;
}

/**
 * The log of one node as the host holds it: the entries after `base` (a snapshot's index, or 0), in order.
 * Invariant: entries[i].index === base + i + 1.
 */
export class EntryRecord {
  private base: number;
  private entries: Entry[];

  /** From what `create` handed the node: the stored entries after the stored snapshot, if any. */
  constructor(storage: { readonly entries: readonly Entry[]; readonly snapshot?: { readonly index: number } }) {
    this.base = storage.snapshot?.index ?? (storage.entries[0] !== undefined ? storage.entries[0].index - 1 : 0);
    this.entries = [...storage.entries];
  }

  /** The last index held (the base when no entry is). */
  get lastIndex(): number {
    return this.base + this.entries.length;
  }

  /**
   * Records a Ready as the host stores it: its snapshot replaces the whole log, then each of its entries replaces
   * the entry of its index and everything after it (a truncation). Entries that do not follow on are the host's to
   * refuse (the Ready's validation); the record then starts over from the first of them.
   */
  apply(ready: { readonly entries?: unknown; readonly snapshot?: unknown }): void {
    const snapshot = ready.snapshot as { index?: unknown } | undefined;
    if (snapshot !== undefined && snapshot !== null && typeof snapshot.index === 'number') {
      this.base = snapshot.index;
      this.entries = [];
    }
    const entries = ready.entries;
    if (!Array.isArray(entries) || entries.length === 0) return;
    const first = (entries[0] as { index?: unknown }).index;
    if (typeof first !== 'number') return;
    if (first <= this.base || first > this.lastIndex + 1) {
      this.base = first - 1;
      this.entries = [];
    } else {
      this.entries.length = first - this.base - 1;
    }
    for (const entry of entries as Entry[]) this.entries.push(entry);
  }

  /**
   * Replaces the references of a Ready in place (its `committedEntries`, and its messages' top-level fields).
   * Returns null, or what is wrong with a reference (the caller reports it as an implementation error).
   */
  expandReady(ready: unknown): string | null {
    if (typeof ready !== 'object' || ready === null) return null;
    const fields = ready as Record<string, unknown>;
    if (isRefShaped(fields.committedEntries)) {
      const run = this.resolve(fields.committedEntries);
      if (typeof run === 'string') return `${run} as "committedEntries"`;
      fields.committedEntries = run;
    }
    const messages = fields.messages;
    if (!Array.isArray(messages)) return null;
    for (const message of messages) {
      const problem = this.expandMessage(message);
      if (problem !== null) return problem;
    }
    return null;
  }

  /** Replaces the references among a message's top-level fields in place; null, or what is wrong with one. */
  expandMessage(message: unknown): string | null {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
    const fields = message as Record<string, unknown>;
    for (const key in fields) {
      const value = fields[key];
      if (!isRefShaped(value)) continue;
      const run = this.resolve(value);
      if (typeof run === 'string') return `${run} in field "${key}" of a message`;
      fields[key] = run;
    }
    return null;
  }

  /** The entries a reference stands for (the record's own objects: nothing downstream mutates an entry). */
  private resolve(ref: Record<string, unknown>): Entry[] | string {
    const range = (ref as Partial<EntriesRef>)[REF_KEY];
    const written = JSON.stringify(ref);
    if (!Array.isArray(range) || range.length !== 2 || !range.every((n) => Number.isSafeInteger(n))) {
      return `a reference ${written} that is not {"${REF_KEY}": [first, last]}, two whole indexes,`;
    }
    const [lo, hi] = range as [number, number];
    if (lo < this.base + 1 || hi > this.lastIndex || lo > hi) {
      const held = this.entries.length === 0 ? 'none' : `${this.base + 1}..${this.lastIndex}`;
      return `a reference ${written} to entries the host does not hold (it holds ${held} of this node's log)`;
    }
    return this.entries.slice(lo - this.base - 1, hi - this.base);
  }
}

/**
 * Expands, in place, the references of a reply's `predictions` (already checked by parsePredictions): in each
 * predicted Ready and each predicted step's message, nested levels included. All resolve against the log as the
 * reply's own Ready leaves it. Returns null, or what is wrong with a reference.
 */
export function expandPredictions(record: EntryRecord, value: unknown, depth = 0): string | null {
  if (!isObject(value) || depth > 16) return null;
  const inputs = Array.isArray(value.inputs) ? (value.inputs as unknown[]) : [];
  for (const input of inputs) {
    if (!isObject(input)) continue;
    const problem =
      record.expandReady(input.ready) ??
      (isObject(input.request) && input.request.type === 'step' ? record.expandMessage(input.request.message) : null) ??
      (isObject(input.then) ? expandPredictions(record, input.then.predictions, depth + 1) : null);
    if (problem !== null) return problem;
  }
  return isObject(value.then) ? expandPredictions(record, value.then.predictions, depth + 1) : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
