/**
 * The host's side of snapshots (Raft §7), kept out of host.ts: when to take one, what a snapshot an
 * implementation hands over must look like, and the digest the facts carry so checkers can compare states
 * without the data.
 */
import { KvStateMachine } from '../core/kv.js';
import { simpleConfiguration } from '../core/configuration.js';
import type { Capability, Configuration, NodeId, RaftImplementation, Snapshot, SnapshotMeta } from './contract.js';
import { hashString } from './hash.js';

/** A 32-bit hash of a snapshot's data: equal states give equal data (KvStateMachine.toSnapshot is canonical). */
export function snapshotDigest(data: string): number {
  return hashString(data, 0x5bd1e995);
}

/** The digest of no data, what a host's memo starts with (hashed once, not once per host). */
const EMPTY_DIGEST = snapshotDigest('');

/**
 * {@link snapshotDigest} with the last data it hashed remembered, one per host. A host digests the same data again and
 * again: an installed snapshot for its `snapshot` fact and then its `restore` fact, the stored snapshot on every
 * restart, the same snapshot file its last fsync renamed into place. Hashing costs a few instructions a character
 * of data (a run's digests read ~7 000 characters, two thirds of them data just digested); comparing with the last
 * data is one pointer comparison when it is the same string, as it usually is. Any equal data gives the same digest,
 * so the memo changes no result.
 */
export class SnapshotDigests {
  private data = '';
  private digest = EMPTY_DIGEST;

  /** The digest of `data`, as {@link snapshotDigest} computes it. */
  of(data: string): number {
    if (data !== this.data) {
      this.digest = snapshotDigest(data);
      this.data = data;
    }
    return this.digest;
  }
}

/**
 * How many applied entries apart the host takes snapshots of `implementation`'s nodes: `everyEntries` when it
 * declares the `snapshot` capability, 0 (never) otherwise, so an implementation without it is never asked.
 */
export function snapshotInterval(implementation: RaftImplementation, everyEntries: number | undefined): number {
  const capable = (implementation.capabilities ?? ([] as readonly Capability[])).includes('snapshot');
  return capable && everyEntries !== undefined && everyEntries > 0 ? everyEntries : 0;
}

/**
 * What is wrong with `ready().snapshot` as an implementation handed it over, or null when it is well formed: an
 * index and term >= 1, the configuration in force at its index (`expected`: the bootstrap configuration of a fixed
 * cluster, or, with membership changes, the one the host that took the snapshot derived from the entries it
 * applied), string data, and entries (if any) following it directly.
 */
export function snapshotProblem(snapshot: unknown, expected: Configuration, firstEntryIndex: number | undefined): string | null {
  if (typeof snapshot !== 'object' || snapshot === null) return `ready().snapshot is not an object: ${String(snapshot)}`;
  const s = snapshot as { readonly index?: unknown; readonly term?: unknown; readonly peers?: unknown; readonly learners?: unknown; readonly outgoing?: unknown; readonly data?: unknown };
  if (!Number.isSafeInteger(s.index) || (s.index as number) < 1 || !Number.isSafeInteger(s.term) || (s.term as number) < 1) {
    return `ready().snapshot needs an integer index >= 1 and term >= 1, got index ${String(s.index)} term ${String(s.term)}`;
  }
  if (typeof s.data !== 'string') return 'ready().snapshot.data must be a string (the data the leader sent, as the host took it)';
  const fixed = expected.learners.length === 0 && expected.outgoing.length === 0;
  if (!sameIdList(s.peers, expected.voters)) {
    const what = fixed ? "the cluster's configuration" : `the voters of the configuration at index ${String(s.index)}`;
    return `ready().snapshot.peers must be ${what} [${expected.voters.join(', ')}], got ${JSON.stringify(s.peers)}`;
  }
  for (const field of ['learners', 'outgoing'] as const) {
    const value = s[field] ?? [];
    if (!sameIdList(value, expected[field])) {
      return `ready().snapshot.${field} must be [${expected[field].join(', ')}] (the configuration at index ${String(s.index)}), got ${JSON.stringify(value)}`;
    }
  }
  if (firstEntryIndex !== undefined && firstEntryIndex !== (s.index as number) + 1) {
    return `ready().entries start at ${firstEntryIndex} with a snapshot at ${String(s.index)}: after a snapshot they must start at its index + 1`;
  }
  return null;
}

function sameIdList(value: unknown, expected: readonly NodeId[]): boolean {
  return Array.isArray(value) && value.length === expected.length && value.every((p, i) => p === expected[i]);
}

/** The configuration a snapshot's metadata records (learners and outgoing absent: none). */
export function snapshotConfiguration(meta: SnapshotMeta): Configuration {
  return { voters: [...meta.peers], learners: [...(meta.learners ?? [])], outgoing: [...(meta.outgoing ?? [])] };
}

/**
 * A snapshot taken in `c` at (`index`, `term`): learners and outgoing only when non-empty, so a snapshot of a fixed
 * cluster has exactly the shape it had before membership changes. One literal per combination rather than spreads
 * of optional parts: the spreads (a runtime copy each) were most of what TurboFan compiled for the host's
 * compaction, and a literal gives the same fields in the same order, hence the same hidden class.
 */
export function takenSnapshot(index: number, term: number, c: Configuration, data: string): Snapshot {
  const peers = c.voters;
  const learners = c.learners;
  const outgoing = c.outgoing;
  if (learners.length === 0 && outgoing.length === 0) return { index, term, peers, data };
  if (outgoing.length === 0) return { index, term, peers, learners, data };
  if (learners.length === 0) return { index, term, peers, outgoing, data };
  return { index, term, peers, learners, outgoing, data };
}

/**
 * The configuration in force at each snapshot the cluster's hosts took, by index and term, shared by the hosts of
 * one run: a follower installing a snapshot may never have seen the entries before its index, but the host that
 * took it derived its configuration from the entries it applied, and a snapshot (index, term) stands for the same
 * log prefix everywhere (Log Matching). A fixed cluster's snapshots all carry its bootstrap configuration.
 */
export class SnapshotConfigurations {
  private readonly byIndexTerm = new Map<string, Configuration>();

  constructor(
    /** The bootstrap voters: the configuration of snapshots nobody registered (a fixed cluster's). */
    private readonly bootstrap: readonly NodeId[],
  ) {}

  record(index: number, term: number, configuration: Configuration): void {
    this.byIndexTerm.set(`${index}/${term}`, configuration);
  }

  /** The configuration at snapshot (index, term): the one its taker recorded, else the bootstrap configuration. */
  at(index: number, term: number): Configuration {
    return this.byIndexTerm.get(`${index}/${term}`) ?? simpleConfiguration(this.bootstrap);
  }

}

/**
 * The state machine a snapshot's data describes. Data that is not a state machine's (possible only when a
 * planted host bug lets corrupt storage through) restores an empty one: the state then differs from every other
 * node's at that index, which the checkers see through the digest.
 */
export function restoreMachine(data: string): KvStateMachine {
  return KvStateMachine.fromSnapshot(data) ?? new KvStateMachine();
}
