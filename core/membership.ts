/**
 * Which configuration a node is in, read from its log (Raft thesis §4.1): the latest configuration entry the log
 * holds, committed or not; when a conflicting suffix is truncated, the latest one that remains; below the log's
 * first entry, the snapshot's configuration or the bootstrap one. Pure bookkeeping over entries: raft-node.ts
 * decides what a configuration change does to progress, elections and commitment.
 */
import type { Configuration } from './configuration.js';
import { decodeConfEntry, isConfEntryData, simpleConfiguration } from './configuration.js';
import type { Entry, NodeId, SnapshotMeta } from './types.js';

/** A configuration entry of the log: the configuration it carries and where it is. */
interface ConfAt {
  readonly index: number;
  readonly configuration: Configuration;
}

/**
 * The configuration a snapshot was taken in, or null for a snapshot without one (`peers` empty: never from our
 * core, and refused by the messages' validation).
 */
export function snapshotConfiguration(meta: SnapshotMeta): Configuration | null {
  if (meta.peers.length === 0) return null;
  return { voters: [...meta.peers], learners: [...(meta.learners ?? [])], outgoing: [...(meta.outgoing ?? [])] };
}

/** The configuration `peers` bootstraps: every node a voter. Null for `[]` (a node joining a running cluster). */
export function bootstrapConfiguration(peers: readonly NodeId[]): Configuration | null {
  return peers.length === 0 ? null : simpleConfiguration(peers);
}

/**
 * The configuration entries of one log, in index order, over a base configuration in force before them.
 * Invariant: `entries` ascending by index, all after the log's snapshot; `base` is the configuration at the
 * snapshot's index (or the bootstrap one), null when the node has none.
 */
export class ConfigurationHistory {
  private base: Configuration | null;
  private readonly entries: ConfAt[] = [];

  constructor(base: Configuration | null, log: readonly Entry[]) {
    this.base = base;
    for (let i = 0; i < log.length; i++) this.noteAppended(log[i] as Entry);
  }

  /** The latest configuration (thesis §4.1: in force as soon as appended), or null when there is none yet. */
  latest(): Configuration | null {
    // Length checked first: with no configuration entry, entries[-1] is a slow, megamorphic keyed load.
    const count = this.entries.length;
    return count === 0 ? this.base : (this.entries[count - 1] as ConfAt).configuration;
  }

  /** The configuration of the latest entry at or below `index` (the base when there is none). */
  atIndex(index: number): Configuration | null {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const c = this.entries[i] as ConfAt;
      if (c.index <= index) return c.configuration;
    }
    return this.base;
  }

  /** The index of the latest configuration entry in the log; 0 when the log holds none (after its snapshot). */
  latestIndex(): number {
    const count = this.entries.length;
    return count === 0 ? 0 : (this.entries[count - 1] as ConfAt).index;
  }

  /**
   * Notes an entry appended to the log; true when it is a configuration entry (the configuration changed). A
   * malformed configuration entry is not one: our core never writes one, and a node must not adopt garbage.
   */
  noteAppended(e: Entry): boolean {
    if (!isConfEntryData(e.data)) return false;
    const decoded = decodeConfEntry(e.data);
    if (decoded === undefined || typeof decoded === 'string') return false;
    this.entries.push({ index: e.index, configuration: decoded });
    return true;
  }

  /** The log lost its entries from `index` on (a conflict truncation, Raft §5.3); true when a configuration went. */
  truncateFrom(index: number): boolean {
    let n = this.entries.length;
    while (n > 0 && (this.entries[n - 1] as ConfAt).index >= index) n--;
    if (n === this.entries.length) return false;
    this.entries.length = n;
    return true;
  }

  /** The log was compacted up to `index`: the configuration there becomes the base. */
  compact(index: number): void {
    this.base = this.atIndex(index);
    let n = 0;
    while (n < this.entries.length && (this.entries[n] as ConfAt).index <= index) n++;
    this.entries.splice(0, n);
  }

  /**
   * A snapshot was installed at `index` in `configuration`; `kept` are the log entries kept after it (a matching
   * suffix, Raft §7), whose configuration entries stay in force over the snapshot's.
   */
  restore(configuration: Configuration | null, index: number, kept: readonly Entry[]): void {
    this.base = configuration;
    this.entries.length = 0;
    for (let i = 0; i < kept.length; i++) {
      const e = kept[i] as Entry;
      if (e.index > index) this.noteAppended(e);
    }
  }
}
