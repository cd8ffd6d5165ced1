/**
 * The implementation contract: what any Raft implementation (ours, a user's module, or a process speaking
 * docs/protocol.md) provides so the simulator can drive it. The simulator never knows which
 * implementation it drives; checkers judge only what passes through the host.
 */
import type { Message, NodeId, ProposeResult, Ready, Status, StoredState } from '../core/types.js';

export type {
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  Ready,
  ReadState,
  Role,
  SoftState,
  Status,
  StoredState,
} from '../core/types.js';

/** Optional features an implementation may declare; scenarios that need a missing one are skipped. */
export type Capability = 'pre-vote' | 'check-quorum' | 'membership-change' | 'snapshot' | 'leadership-transfer' | 'read-index';

/** Everything an implementation gets when one of its nodes starts or restarts. */
export interface CreateInit {
  readonly id: NodeId;
  /** Every node of the cluster, including `id`, ascending. */
  readonly peers: readonly NodeId[];
  /** What the node's disk kept: empty on first start. */
  readonly storage: StoredState;
  /**
   * The node's only source of randomness: uniform in [0, 1), drawn from the run's seeded PRNG (a stream of
   * its own per node and incarnation). Implementations must draw no randomness of their own and read no clock.
   */
  readonly random: () => number;
  /** The same stream's seed as an unsigned 32-bit integer, for implementations that bring their own PRNG. */
  readonly seed: number;
  /** Election timeout base in ticks; implementations randomise within [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  /** Heartbeat interval in ticks. */
  readonly heartbeatTicks: number;
}

/** One running node of an implementation: a deterministic object, driven only through these calls. */
export interface RaftInstance {
  /** Advances the node's logical clock by one tick. */
  tick(): void;
  /** Delivers a message addressed to this node. */
  step(message: Message): void;
  /** Proposes opaque command data; only a leader accepts. */
  propose(data: string): ProposeResult;
  /** What the host must do next, or null when there is nothing. */
  ready(): Ready | null;
  /** Acknowledges that the host has fully handled the last Ready returned. */
  advance(): void;
  /** Self-reported status, for display only. */
  status(): Status;
  /**
   * Optional linearizable read (ReadIndex, Raft thesis §6.4): returns false when this node cannot serve it
   * (not the leader). When it returns true, a later Ready lists `requestId` in `readStates` with the index the
   * host must have applied before it answers the read from its state machine. Implementations without it get
   * reads through the log.
   */
  readIndex?(requestId: number): boolean;
}

export interface RaftImplementation {
  /** A short name shown in reports. */
  readonly name: string;
  readonly capabilities?: readonly Capability[];
  create(init: CreateInit): RaftInstance;
}
