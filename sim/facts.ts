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
   * first apply must be `applied + 1`. Absent for a volatile state machine, which starts again from index 1.
   */
  readonly applied?: number;
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
