/**
 * The plain data that crosses the boundary between a Raft implementation and its host.
 *
 * Everything here is JSON-serialisable on purpose: the same shapes travel over the process protocol
 * (docs/protocol.md) for implementations written in other languages.
 */

/** A node's identity. Invariant: an integer >= 1 (0 means "none" wherever a NodeId | 0 appears). */
export type NodeId = number;

/**
 * One log entry. `data` is opaque to Raft: the host's state machine decodes it.
 * An entry with `data === ''` is a no-op (a new leader appends one on election, Raft §8).
 * Invariant: index >= 1, term >= 1.
 */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly data: string;
}

/**
 * The state Raft must make durable before sending any message that depends on it (Raft Figure 2,
 * "persistent state on all servers"; `commit` is carried along as etcd-raft does, so a restarted node
 * can re-apply its committed prefix).
 */
export interface HardState {
  readonly term: number;
  /** Whom this node voted for in `term`; 0 when it has not voted. */
  readonly vote: NodeId | 0;
  readonly commit: number;
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state an implementation announces when it changes; not persisted. */
export interface SoftState {
  readonly role: Role;
  /** The leader this node believes in; 0 when unknown. */
  readonly leader: NodeId | 0;
}

/**
 * A Raft message as the network sees it. The network only routes on `from`/`to`; `type` and `term`
 * are required so traces are readable and garbage can be rejected. Any other fields are the
 * implementation's own payload and must be JSON-serialisable.
 */
export interface Message {
  readonly type: string;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  readonly [payload: string]: unknown;
}

/**
 * What the host must do next, pulled from an implementation (etcd-raft's Ready). The host acts on it in
 * this fixed order, then calls `advance()`:
 *   1. append `entries` to stable storage (an entry whose index is <= the last stored index replaces
 *      the stored suffix from that index) and store `hardState`, then fsync;
 *   2. send `messages`;
 *   3. apply `committedEntries` to the state machine, in order;
 *   4. serve each of `readStates` (if any) once the state machine has applied up to its `index`: answer read
 *      `requestId` from the state machine then. Usually that is at once, since step 3 already applied that far;
 *      otherwise hold the read and serve it after a later Ready applies enough. Each read state is served once.
 */
export interface Ready {
  // An optional field left undefined counts as absent (our core sets every field, so its Readys share one shape).
  /** Present when role or leader changed since the last Ready. */
  readonly softState?: SoftState | undefined;
  /** Present when term, vote or commit changed since the last Ready. */
  readonly hardState?: HardState | undefined;
  /** Entries to persist. Invariant: consecutive indexes. */
  readonly entries: readonly Entry[];
  /** Messages to send once `entries` and `hardState` are durable. */
  readonly messages: readonly Message[];
  /** Entries known committed, to apply in order. Invariant: consecutive, starting at applied + 1. */
  readonly committedEntries: readonly Entry[];
  /**
   * Reads whose leadership was confirmed (ReadIndex, thesis §6.4), each reported once, in the order confirmed.
   * Absent when there are none (and from implementations that do not offer linearizable reads).
   */
  readonly readStates?: readonly ReadState[] | undefined;
  /**
   * A snapshot received from the leader (InstallSnapshot, Raft §7), newer than this node's commit: only from
   * implementations declaring the `snapshot` capability. The host stores it durably (written, then atomically
   * renamed) in step 1, before `entries`, and it replaces the whole stored log: afterwards the stored log is the
   * snapshot followed by `entries`, which then start at `snapshot.index + 1` (an implementation that keeps a
   * matching suffix, Raft §7, hands it over again in `entries`). In step 3 the host restores its state machine
   * from `snapshot.data` before applying `committedEntries`, which then start at `snapshot.index + 1`.
   */
  readonly snapshot?: Snapshot | undefined;
}

/**
 * What a snapshot stands for: the log prefix up to and including `index` (Raft §7, "last included index and
 * term") and the cluster configuration at that point. Invariant: index >= 1, term >= 1.
 */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  /** The configuration the snapshot was taken in: every voter, ascending (C_new's during joint consensus). */
  readonly peers: readonly NodeId[];
  /** Learners of that configuration, ascending; absent or empty without learners (`membership-change`). */
  readonly learners?: readonly NodeId[];
  /** C_old's voters when the snapshot was taken during joint consensus; absent or empty otherwise. */
  readonly outgoing?: readonly NodeId[];
}

/**
 * A snapshot of the host's state machine after applying every entry up to `index`. `data` is the host's
 * serialisation (opaque to Raft, carried as is by InstallSnapshot); the host checksums it on disk.
 */
export interface Snapshot extends SnapshotMeta {
  readonly data: string;
}

/**
 * A read released by ReadIndex (thesis §6.4): once the host has applied up to `index`, it may answer read
 * `requestId` from its state machine, and the answer is linearizable. Invariant: index >= 0.
 */
export interface ReadState {
  /** The host's identifier, as passed to `readIndex`; the core does not interpret it. */
  readonly requestId: number;
  /**
   * The index the host must have applied before answering: the leader's commit index when it accepted the read,
   * or when it first committed an entry of its own term if that came later.
   */
  readonly index: number;
}

/** The outcome of a client proposal. Only `accepted` means the entry was appended to the leader's log. */
export type ProposeResult =
  | { readonly accepted: true; readonly index: number; readonly term: number }
  /**
   * Accepted without a known index (contract version 2, `proposals: 'unindexed'`): the node appended or
   * forwarded the command, and the host learns where it went when the node applies it.
   */
  | { readonly accepted: true; readonly index?: undefined; readonly term?: undefined }
  | { readonly accepted: false; readonly reason: 'not-leader'; readonly leaderHint: NodeId | 0 };

/**
 * An implementation's own view of itself. Used only for display (timelines, progress); checkers never
 * trust it.
 */
export interface Status {
  readonly id: NodeId;
  readonly term: number;
  readonly role: Role;
  readonly leader: NodeId | 0;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
}

/** What survived on a node's disk, handed back to the implementation when it (re)starts. */
export interface StoredState {
  readonly hardState: HardState;
  /** Invariant: consecutive indexes starting at 1, or at `snapshot.index + 1` when there is a snapshot. */
  readonly entries: readonly Entry[];
  /**
   * The newest durable snapshot, standing for the log prefix up to its index; absent when the node never stored
   * one (always, for implementations without the `snapshot` capability). The host has already restored its state
   * machine from it: the first committed entry the implementation hands over must be `snapshot.index + 1`.
   */
  readonly snapshot?: Snapshot;
}

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: 0, commit: 0 });
