/**
 * Facts: what the host observed an implementation do, in the order it happened. Checkers in properties/
 * judge a run from these alone, never from an implementation's self-reported status.
 */
import type { ConfChangeRequest, Entry, HardState, NodeId, Role, StoredState } from './contract.js';

interface FactBase {
  /** Simulated time of the observation, in ms. */
  readonly atMs: number;
  /** Index of the simulation event during which it was observed (monotonic, starts at 0). */
  readonly event: number;
  readonly node: NodeId;
}

/**
 * A Ready's durable part reached the node's disk and was fsynced. `entries` replace the node's stored log
 * from `entries[0].index` on (the stored suffix beyond the last entry given is dropped too, as a follower
 * truncating a conflict does); an empty `entries` leaves the log as it was.
 */
export interface PersistFact extends FactBase {
  readonly kind: 'persist';
  readonly hardState: HardState;
  readonly entries: readonly Entry[];
}

/** A node announced a role (from its Ready). `term` is the term it has durably stored at that moment. */
export interface RoleFact extends FactBase {
  readonly kind: 'role';
  readonly role: Role;
  readonly leader: NodeId | 0;
  readonly term: number;
}

/** A node applied a committed entry to its state machine. */
export interface ApplyFact extends FactBase {
  readonly kind: 'apply';
  readonly entry: Entry;
}

/**
 * A client received a successful reply for a command that changes state, served by `node` when it
 * applied the command at (`index`, `term`).
 */
export interface AckFact extends FactBase {
  readonly kind: 'ack';
  readonly clientId: number;
  readonly seq: number;
  readonly index: number;
  readonly term: number;
}

/** The node crashed: volatile state gone, its disk keeps only what was synced. */
export interface CrashFact extends FactBase {
  readonly kind: 'crash';
}

/** The node restarted from `stored`, exactly what its disk kept. */
export interface RestartFact extends FactBase {
  readonly kind: 'restart';
  readonly stored: StoredState;
  /**
   * The applied index its durable state machine kept (contract version 2, `stateMachine: 'durable'`): its
   * first apply must be `applied + 1`. Absent (undefined) for a volatile state machine, which starts again from
   * index 1.
   */
  readonly applied?: number | undefined;
}

/**
 * A snapshot reached the node's disk durably (its file renamed into place and fsynced): `taken` from the node's own
 * state machine at an index it applied (the host's log compaction), or `installed` from its leader
 * (InstallSnapshot, Raft §7), which then replaced the node's whole stored log. It stands for the log prefix up to
 * `index`, whose entry has `term`. `digest` is a hash of the snapshot's data, the state at `index`.
 */
export interface SnapshotFact extends FactBase {
  readonly kind: 'snapshot';
  readonly index: number;
  readonly term: number;
  readonly digest: number;
  readonly origin: 'taken' | 'installed';
}

/**
 * The node's state machine was restored from a snapshot: from the one its leader sent (`install`, before it
 * applies what follows) or from the one on its disk (`restart`). It has applied up to `index` from then on.
 * `digest` is a hash of the data it restored from.
 */
export interface RestoreFact extends FactBase {
  readonly kind: 'restore';
  readonly index: number;
  readonly term: number;
  readonly digest: number;
  readonly origin: 'install' | 'restart';
}

/**
 * The node started for the first time with an empty disk to join a running cluster (`membership-change`): it was
 * created with no configuration and learns one from its leader. Nodes of the bootstrap configuration have no such
 * fact; a node that has joined is only a member once a configuration entry names it.
 */
export interface JoinFact extends FactBase {
  readonly kind: 'join';
}

/**
 * The node's process was stopped for good (a scenario retiring a node that was removed from the configuration):
 * unlike a crash, it never restarts.
 */
export interface RetireFact extends FactBase {
  readonly kind: 'retire';
}

/** The host asked `node` for a configuration change (`proposeConfChange`), and what it answered. */
export interface ConfProposalFact extends FactBase {
  readonly kind: 'conf-proposal';
  readonly request: ConfChangeRequest;
  readonly accepted: boolean;
}

/** The host asked `node` to transfer its leadership to `target` (`transferLeadership`), and what it answered. */
export interface TransferFact extends FactBase {
  readonly kind: 'transfer';
  readonly target: NodeId;
  readonly accepted: boolean;
}

export type Fact =
  | PersistFact
  | RoleFact
  | ApplyFact
  | AckFact
  | CrashFact
  | RestartFact
  | SnapshotFact
  | RestoreFact
  | JoinFact
  | RetireFact
  | ConfProposalFact
  | TransferFact;

/*
 * The constructors below build every fact as one object shape: all kinds' fields in one order, the ones a kind
 * does not have left undefined. Twelve fact kinds made twelve hidden classes, so every read of `kind`, `node` or
 * `atMs` in the checkers, the probes and the persisted logs (each fact is read by a dozen of them) was a
 * megamorphic load. JSON is unchanged: undefined fields are not serialised, and each kind keeps its fields'
 * order (kind, atMs, event, node, then its own as declared above).
 */
function fact(
  kind: Fact['kind'],
  atMs: number,
  event: number,
  node: NodeId,
  hardState: HardState | undefined,
  entries: readonly Entry[] | undefined,
  role: Role | undefined,
  leader: NodeId | 0 | undefined,
  entry: Entry | undefined,
  clientId: number | undefined,
  seq: number | undefined,
  index: number | undefined,
  term: number | undefined,
  digest: number | undefined,
  origin: SnapshotFact['origin'] | RestoreFact['origin'] | undefined,
  stored: StoredState | undefined,
  applied: number | undefined,
  request: ConfChangeRequest | undefined,
  target: NodeId | undefined,
  accepted: boolean | undefined,
): Fact {
  const f = { kind, atMs, event, node, hardState, entries, role, leader, entry, clientId, seq, index, term, digest, origin, stored, applied, request, target, accepted };
  return f as unknown as Fact;
}

const U = undefined;

/** A {@link PersistFact}. */
export function persistFact(atMs: number, event: number, node: NodeId, hardState: HardState, entries: readonly Entry[]): PersistFact {
  return fact('persist', atMs, event, node, hardState, entries, U, U, U, U, U, U, U, U, U, U, U, U, U, U) as PersistFact;
}

/** A {@link RoleFact}. */
export function roleFact(atMs: number, event: number, node: NodeId, role: Role, leader: NodeId | 0, term: number): RoleFact {
  return fact('role', atMs, event, node, U, U, role, leader, U, U, U, U, term, U, U, U, U, U, U, U) as RoleFact;
}

/** An {@link ApplyFact}. */
export function applyFact(atMs: number, event: number, node: NodeId, entry: Entry): ApplyFact {
  return fact('apply', atMs, event, node, U, U, U, U, entry, U, U, U, U, U, U, U, U, U, U, U) as ApplyFact;
}

/** An {@link AckFact}. */
export function ackFact(atMs: number, event: number, node: NodeId, clientId: number, seq: number, index: number, term: number): AckFact {
  return fact('ack', atMs, event, node, U, U, U, U, U, clientId, seq, index, term, U, U, U, U, U, U, U) as AckFact;
}

/** A {@link CrashFact}. */
export function crashFact(atMs: number, event: number, node: NodeId): CrashFact {
  return fact('crash', atMs, event, node, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U) as CrashFact;
}

/** A {@link RestartFact}; `applied` undefined for a volatile state machine. */
export function restartFact(atMs: number, event: number, node: NodeId, stored: StoredState, applied: number | undefined): RestartFact {
  return fact('restart', atMs, event, node, U, U, U, U, U, U, U, U, U, U, U, stored, applied, U, U, U) as RestartFact;
}

/** A {@link SnapshotFact}. */
export function snapshotFact(atMs: number, event: number, node: NodeId, index: number, term: number, digest: number, origin: SnapshotFact['origin']): SnapshotFact {
  return fact('snapshot', atMs, event, node, U, U, U, U, U, U, U, index, term, digest, origin, U, U, U, U, U) as SnapshotFact;
}

/** A {@link RestoreFact}. */
export function restoreFact(atMs: number, event: number, node: NodeId, index: number, term: number, digest: number, origin: RestoreFact['origin']): RestoreFact {
  return fact('restore', atMs, event, node, U, U, U, U, U, U, U, index, term, digest, origin, U, U, U, U, U) as RestoreFact;
}

/** A {@link JoinFact}. */
export function joinFact(atMs: number, event: number, node: NodeId): JoinFact {
  return fact('join', atMs, event, node, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U) as JoinFact;
}

/** A {@link RetireFact}. */
export function retireFact(atMs: number, event: number, node: NodeId): RetireFact {
  return fact('retire', atMs, event, node, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U) as RetireFact;
}

/** A {@link ConfProposalFact}. */
export function confProposalFact(atMs: number, event: number, node: NodeId, request: ConfChangeRequest, accepted: boolean): ConfProposalFact {
  return fact('conf-proposal', atMs, event, node, U, U, U, U, U, U, U, U, U, U, U, U, U, request, U, accepted) as ConfProposalFact;
}

/** A {@link TransferFact}. */
export function transferFact(atMs: number, event: number, node: NodeId, target: NodeId, accepted: boolean): TransferFact {
  return fact('transfer', atMs, event, node, U, U, U, U, U, U, U, U, U, U, U, U, U, U, target, accepted) as TransferFact;
}
