/**
 * The implementation contract: what any Raft implementation (ours, a user's module, or a process speaking
 * docs/protocol.md) provides so the simulator can drive it. The simulator never knows which
 * implementation it drives; checkers judge only what passes through the host.
 */
import type { ConfChangeRequest } from '../core/configuration.js';
import type { Message, NodeId, ProposeResult, Ready, Snapshot, Status, StoredState } from '../core/types.js';

export type { ConfChange, ConfChangeRequest, Configuration } from '../core/configuration.js';

export type {
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  Ready,
  ReadState,
  Role,
  Snapshot,
  SnapshotMeta,
  SoftState,
  Status,
  StoredState,
} from '../core/types.js';

/** Optional features an implementation may declare; scenarios that need a missing one are skipped. */
export type Capability = 'pre-vote' | 'check-quorum' | 'membership-change' | 'snapshot' | 'leadership-transfer' | 'read-index' | 'lease-read';

/** Everything an implementation gets when one of its nodes starts or restarts. */
export interface CreateInit {
  readonly id: NodeId;
  /**
   * The bootstrap configuration: every voter of the cluster as it was first started, including `id`, ascending.
   * With the `membership-change` capability a node that joins a running cluster gets `[]`: it has no
   * configuration until its log or a snapshot from the leader gives it one, and it must not campaign until then.
   * A restarted node takes the latest configuration entry of `storage` (or its snapshot's configuration) over
   * `peers` (docs/contract.md, "Membership changes").
   */
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
  /**
   * The index the host's durable state machine had applied when the node stopped (0 on first start). Present
   * only for implementations declaring `contract.stateMachine: 'durable'`: deliver `committedEntries` from
   * `applied + 1`, as etcd's `Config.Applied` does. Without it the state machine is volatile and the committed
   * prefix is delivered again from index 1.
   */
  readonly applied?: number;
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
  /**
   * Log compaction, for implementations declaring the `snapshot` capability (Raft §7). The host calls it between
   * Readys when it has taken `snapshot` of its state machine at an index it applied (every `snapshotEveryEntries`
   * applied entries); it stores the snapshot durably and drops its stored log up to `snapshot.index` once the
   * snapshot is durable. The implementation may then discard its log up to there, and must send this snapshot
   * (InstallSnapshot, chunked as it likes) to a follower that needs entries it discarded. Throwing is a contract
   * violation. Implementations without it are never asked to compact.
   */
  compact?(snapshot: Snapshot): void;
  /**
   * A configuration change, for implementations declaring `membership-change` (Raft thesis §4). Only a leader
   * accepts, and only when it is not already changing the configuration and has committed an entry of its own
   * term (the single-server change bug of 2015). The change travels as an ordinary entry whose `data` is
   * `encodeConfEntry(next)` (core/configuration.ts): the whole configuration it leads to, in effect on each node
   * as soon as that node appends it. A joint change (C_old,new) is followed by the leader's own C_new entry once
   * it is committed. Returns like `propose`.
   */
  proposeConfChange?(request: ConfChangeRequest): ProposeResult;
  /**
   * Leadership transfer to `target` (thesis §3.10), for implementations declaring `leadership-transfer`. Only a
   * leader accepts (returns true): it stops accepting proposals, brings `target` up to date, sends it a
   * TimeoutNow so it campaigns at once, and gives up (accepting proposals again) after an election timeout.
   * Returns false when this node is not the leader or `target` is not a voter.
   */
  transferLeadership?(target: NodeId): boolean;
}

/**
 * Picks out messages of one kind: those whose `type` is `type` and whose named payload fields hold exactly the
 * given values (`where`, compared with `===`; absent means the type alone decides).
 */
export interface MessageMatcher {
  readonly type: string;
  readonly where?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Optional annotations saying what some of an implementation's messages mean, so the host can judge them
 * against the sender's durable state (docs/contract.md, "Message annotations"). Messages stay opaque otherwise.
 * Declaring this object (even empty) opts into the message-term check: every message's `term` must be at most
 * the sender's durable term (Raft persists `currentTerm` before any RPC of that term), except the messages
 * `preVote` matches.
 */
export interface MessageAnnotations {
  /** PreVote traffic (thesis §9.6): carries a term the sender has not persisted, so it is exempt. */
  readonly preVote?: readonly MessageMatcher[];
  /**
   * A message that grants the receiver (`to`) the sender's vote in the message's `term`: the sender's durable
   * hard state must say so (term equal, vote = `to`) when it is sent.
   */
  readonly voteGrant?: MessageMatcher;
  /**
   * A message that acknowledges entries: `matchField` names the integer field holding the last index the
   * sender claims to store (matching the leader's log); the sender's durable log must reach that index when
   * it is sent.
   */
  readonly appendAck?: MessageMatcher & { readonly matchField: string };
}

/**
 * Opt-in extensions of the contract, for libraries whose shape the first contract did not fit (etcd's RawNode
 * among them; docs/contract.md § Contract version 2). Declaring the object is declaring contract version 2;
 * every field left out keeps the version 1 rule, so an implementation that declares nothing runs exactly as
 * before.
 */
export interface ContractOptions {
  /** The contract version these options belong to: 2, the only one with options. */
  readonly version: 2;
  /**
   * `'indexed'` (default): `propose` returns `{accepted: true, index, term}` and only a leader accepts.
   * `'unindexed'`: `{accepted: true}` may leave out `index` and `term` (etcd's `Propose` returns only an error),
   * and any node may accept, forwarding the proposal to its leader (etcd's `MsgProp`). The client then waits on
   * that node until it applies the command, matched by client and sequence number.
   */
  readonly proposals?: 'indexed' | 'unindexed';
  /**
   * Which Readys may send their messages before their own `entries` are durable. `'never'` (default): every
   * message leaves after the Ready's write is fsynced. `'leader'`: a Ready handled while the node is leader
   * sends at once, while its entries are written (a leader writing its log in parallel with replicating it,
   * thesis §10.2.1; what etcd's server does). `'any'`: every node's Ready does (the wording of etcd's raft
   * documentation). In both, a Ready that changes the durable term or vote still waits for its fsync: only the
   * Ready's own entries may be in flight, never the hard state or earlier entries.
   */
  readonly sendBeforeDurable?: 'never' | 'leader' | 'any';
  /**
   * false (default): every Ready with a `hardState` or `entries` is fsynced. true: etcd's `MustSync`, an fsync
   * only when the Ready has entries or changes the durable term or vote; a commit-only change is written without
   * one (it becomes durable with the next fsync, or is lost in a crash: the commit index is volatile in Raft).
   */
  readonly mustSync?: boolean;
  /**
   * `'volatile'` (default): the host's state machine restarts empty and the committed prefix is delivered again
   * from index 1. `'durable'`: the host persists its state machine and the applied index together, with their own
   * fsync, after every Ready that applied entries; `create` receives `applied`, and the first `committedEntries`
   * after a start must begin at `applied + 1`.
   */
  readonly stateMachine?: 'volatile' | 'durable';
  /**
   * `'text'` (default): entry `data` is the host's text as is. `'base64'`: every entry `data` crossing the
   * boundary (proposals, `storage` in create, `entries` and `committedEntries`) is standard base64 of the bytes
   * (RFC 4648 §4, with padding), so binary entries (protobuf configuration changes) travel unchanged. The host
   * stores the base64 text and decodes it as UTF-8 only to find client commands.
   */
  readonly entryData?: 'text' | 'base64';
  /**
   * With `membership-change`: when a configuration entry takes effect on a node. `'appended'` (default): as soon
   * as the node appends it, committed or not (thesis §4.1). `'applied'`: once the node applies it, after it is
   * committed (etcd's `ApplyConfChange`): until then the node counts elections and commitment in the configuration
   * before it. The configuration checkers then also accept the configuration before a pending change, and the
   * single-server change bug's own-term rule (a rule about append-time configurations) is not judged
   * (docs/contract.md § Membership changes, "Apply-time configurations").
   */
  readonly configurations?: 'appended' | 'applied';
}

export interface RaftImplementation {
  /** A short name shown in reports. */
  readonly name: string;
  readonly capabilities?: readonly Capability[];
  /** Opt-in message annotations (see {@link MessageAnnotations}); without them only fact-based checks run. */
  readonly messageAnnotations?: MessageAnnotations;
  /** Opt-in contract version 2 (see {@link ContractOptions}); absent: version 1, unchanged. */
  readonly contract?: ContractOptions;
  create(init: CreateInit): RaftInstance;
}
