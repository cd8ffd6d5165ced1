/**
 * The host's side of snapshots (Raft §7), kept out of host.ts: when to take one, what a snapshot an
 * implementation hands over must look like, and the digest the facts carry so checkers can compare states
 * without the data.
 */
import { KvStateMachine } from '../core/kv.js';
import type { Capability, NodeId, RaftImplementation, Snapshot } from './contract.js';
import { hashString } from './hash.js';

/** A 32-bit hash of a snapshot's data: equal states give equal data (KvStateMachine.toSnapshot is canonical). */
export function snapshotDigest(data: string): number {
  return hashString(data, 0x5bd1e995);
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
 * index and term >= 1, the cluster's configuration, string data, and entries (if any) following it directly.
 */
export function snapshotProblem(snapshot: unknown, peers: readonly NodeId[], firstEntryIndex: number | undefined): string | null {
  if (typeof snapshot !== 'object' || snapshot === null) return `ready().snapshot is not an object: ${String(snapshot)}`;
  const s = snapshot as { readonly index?: unknown; readonly term?: unknown; readonly peers?: unknown; readonly data?: unknown };
  if (!Number.isSafeInteger(s.index) || (s.index as number) < 1 || !Number.isSafeInteger(s.term) || (s.term as number) < 1) {
    return `ready().snapshot needs an integer index >= 1 and term >= 1, got index ${String(s.index)} term ${String(s.term)}`;
  }
  if (typeof s.data !== 'string') return 'ready().snapshot.data must be a string (the data the leader sent, as the host took it)';
  if (!Array.isArray(s.peers) || s.peers.length !== peers.length || s.peers.some((p, i) => p !== peers[i])) {
    return `ready().snapshot.peers must be the cluster's configuration [${peers.join(', ')}], got ${JSON.stringify(s.peers)}`;
  }
  if (firstEntryIndex !== undefined && firstEntryIndex !== (s.index as number) + 1) {
    return `ready().entries start at ${firstEntryIndex} with a snapshot at ${String(s.index)}: after a snapshot they must start at its index + 1`;
  }
  return null;
}

/**
 * The state machine a snapshot's data describes. Data that is not a state machine's (possible only when a
 * planted host bug lets corrupt storage through) restores an empty one: the state then differs from every other
 * node's at that index, which the checkers see through the digest.
 */
export function restoreMachine(data: string): KvStateMachine {
  return KvStateMachine.fromSnapshot(data) ?? new KvStateMachine();
}
