/**
 * The core's own messages: each one is a `Message` of core/types.ts (routing on from/to, a type and a term)
 * with its payload as extra plain fields, so they are JSON-serialisable as the network requires.
 */
import type { Entry, Message, NodeId } from './types.js';

/** AppendEntries (Raft Figure 2); with no entries it is a heartbeat that carries the leader's commit. */
export interface AppendMessage extends Message {
  readonly type: 'append';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  /** Invariant: consecutive from prevLogIndex + 1, terms <= term. */
  readonly entries: readonly Entry[];
  /** The leader's commit index. */
  readonly commit: number;
  /**
   * The leader's latest read-confirmation round (ReadIndex, thesis §6.4): sent on every append once the leader
   * has taken a read, absent before. The follower echoes it in its response, which proves to the leader that it
   * still led (in this term) after that round began.
   */
  readonly ctx?: number | undefined;
}

/**
 * Response to an append. On success `index` is the last index known to match the leader's log. On rejection
 * `index` is the prevLogIndex that was rejected (so the leader can tell stale rejections apart) and
 * (`hintIndex`, `hintTerm`) is the follower's last entry at or below it whose term is <= prevLogTerm
 * (etcd's fast back-off, one round trip per conflicting term).
 */
export interface AppendResponseMessage extends Message {
  readonly type: 'append-resp';
  readonly reject: boolean;
  readonly index: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
  /** The `ctx` of the append this answers, echoed; absent (undefined) when that append had none. */
  readonly ctx?: number | undefined;
}

/**
 * RequestVote (Raft §5.2), or a PreVote (thesis §9.6) when type is 'pre-vote': then `term` is the term the
 * sender would campaign in, and nobody changes term on its account.
 */
export interface VoteMessage extends Message {
  readonly type: 'vote' | 'pre-vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  /**
   * Present (true) only on the vote requests of a campaign started by TimeoutNow (leadership transfer, thesis
   * §3.10): the leader itself asked for this election, so voters do not ignore it for CheckQuorum's leader lease
   * (etcd's campaignTransfer). Absent on every other request.
   */
  readonly transfer?: true | undefined;
}

/** A (pre-)vote answer. A granted pre-vote carries the requested term; a rejection carries the voter's term. */
export interface VoteResponseMessage extends Message {
  readonly type: 'vote-resp' | 'pre-vote-resp';
  readonly reject: boolean;
}

/**
 * One chunk of InstallSnapshot (Raft §7, Figure 13): `chunk` is `data.slice(offset, offset + chunk.length)` of the
 * leader's snapshot ending at (`snapshotIndex`, `snapshotTerm`) in configuration `peers`; `done` marks the last
 * chunk. Chunks go one at a time: the follower acknowledges each with a `snapshot-resp`.
 */
export interface SnapshotMessage extends Message {
  readonly type: 'snapshot';
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  readonly peers: readonly number[];
  /** The configuration's learners; absent when it has none (`membership-change`). */
  readonly learners?: readonly number[] | undefined;
  /** C_old's voters when the snapshot was taken during joint consensus; absent otherwise. */
  readonly outgoing?: readonly number[] | undefined;
  /** Position of `chunk` in the snapshot's data, in UTF-16 code units. */
  readonly offset: number;
  readonly chunk: string;
  readonly done: boolean;
}

/**
 * A follower's answer to a snapshot chunk: it holds the first `received` code units of the snapshot ending at
 * `snapshotIndex` (0 when it dropped the chunk out of order), so the leader sends the chunk from there. Once the
 * follower installed the snapshot (or found it stale), it answers with an `append-resp` instead.
 */
export interface SnapshotResponseMessage extends Message {
  readonly type: 'snapshot-resp';
  readonly snapshotIndex: number;
  readonly received: number;
}

/**
 * TimeoutNow (leadership transfer, thesis §3.10): the leader tells `to`, whose log it has brought up to date, to
 * campaign at once in the next term, without waiting for its election timeout and without PreVote.
 */
export interface TimeoutNowMessage extends Message {
  readonly type: 'timeout-now';
}

export type CoreMessage =
  | AppendMessage
  | AppendResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | SnapshotMessage
  | SnapshotResponseMessage
  | TimeoutNowMessage;
export type CoreMessageType = CoreMessage['type'];

/**
 * Every core message is built here, in one of four object shapes: appends, append responses, the election
 * family (vote and pre-vote requests and their answers, and TimeoutNow) and the snapshot family (chunks and their
 * answers). Each shape holds its family's fields in one order, the ones a type does not use left undefined.
 *
 * Why four: a shape per type with optional `ctx` made up to eight hidden classes, and every read of `from`, `to`,
 * `type` or `term` on the host's, the network's and the checkers' paths went megamorphic; one shape of all 25
 * fields kept those reads monomorphic but made every message 25 fields wide, a third of what a run allocates.
 * With four, those reads stay polymorphic at worst (V8 checks up to four maps inline), and an append or its answer
 * (four messages in five) is nine fields wide: 8% fewer instructions per simulated run. JSON is unchanged:
 * undefined fields are not serialised, and each type's fields keep their relative order (routing first, then the
 * type's payload as documented above).
 */

/** An append (a heartbeat when `entries` is empty); `ctx` undefined before the leader's first read round. */
export function appendMessage(from: NodeId, to: NodeId, term: number, prevLogIndex: number, prevLogTerm: number, entries: readonly Entry[], commit: number, ctx: number | undefined): AppendMessage {
  return { type: 'append', from, to, term, prevLogIndex, prevLogTerm, entries, commit, ctx };
}

/** The answer to an append; `ctx` echoes the append's, undefined when it had none. */
export function appendResponseMessage(from: NodeId, to: NodeId, term: number, reject: boolean, index: number, hintIndex: number, hintTerm: number, ctx: number | undefined): AppendResponseMessage {
  return { type: 'append-resp', from, to, term, reject, index, hintIndex, hintTerm, ctx };
}

/** The election family's shape: requests (`lastLogIndex`, `lastLogTerm`, `transfer`), answers (`reject`), TimeoutNow. */
function electionMessage(
  type: VoteMessage['type'] | VoteResponseMessage['type'] | TimeoutNowMessage['type'],
  from: NodeId,
  to: NodeId,
  term: number,
  reject: boolean | undefined,
  lastLogIndex: number | undefined,
  lastLogTerm: number | undefined,
  transfer: true | undefined,
): CoreMessage {
  const m = { type, from, to, term, reject, lastLogIndex, lastLogTerm, transfer };
  return m as unknown as CoreMessage;
}

const U = undefined;

/** A vote or pre-vote request; `transfer` true only for a campaign TimeoutNow started. */
export function voteMessage(type: VoteMessage['type'], from: NodeId, to: NodeId, term: number, lastLogIndex: number, lastLogTerm: number, transfer: true | undefined): VoteMessage {
  return electionMessage(type, from, to, term, U, lastLogIndex, lastLogTerm, transfer) as VoteMessage;
}

/** A vote or pre-vote answer. */
export function voteResponseMessage(type: VoteResponseMessage['type'], from: NodeId, to: NodeId, term: number, reject: boolean): VoteResponseMessage {
  return electionMessage(type, from, to, term, reject, U, U, U) as VoteResponseMessage;
}

/** TimeoutNow: campaign at once (leadership transfer). */
export function timeoutNowMessage(from: NodeId, to: NodeId, term: number): TimeoutNowMessage {
  return electionMessage('timeout-now', from, to, term, U, U, U, U) as TimeoutNowMessage;
}

/** The snapshot family's shape: InstallSnapshot chunks and their answers (`snapshotIndex`, `received`). */
function snapshotFamilyMessage(
  type: SnapshotMessage['type'] | SnapshotResponseMessage['type'],
  from: NodeId,
  to: NodeId,
  term: number,
  snapshotIndex: number,
  snapshotTerm: number | undefined,
  peers: readonly number[] | undefined,
  learners: readonly number[] | undefined,
  outgoing: readonly number[] | undefined,
  offset: number | undefined,
  chunk: string | undefined,
  done: boolean | undefined,
  received: number | undefined,
): CoreMessage {
  const m = { type, from, to, term, snapshotIndex, snapshotTerm, peers, learners, outgoing, offset, chunk, done, received };
  return m as unknown as CoreMessage;
}

/** One InstallSnapshot chunk; `learners` and `outgoing` undefined when the configuration has none. */
export function snapshotMessage(
  from: NodeId,
  to: NodeId,
  term: number,
  snapshot: { readonly index: number; readonly term: number; readonly peers: readonly number[]; readonly learners: readonly number[] | undefined; readonly outgoing: readonly number[] | undefined },
  offset: number,
  chunk: string,
  done: boolean,
): SnapshotMessage {
  return snapshotFamilyMessage('snapshot', from, to, term, snapshot.index, snapshot.term, snapshot.peers, snapshot.learners, snapshot.outgoing, offset, chunk, done, U) as SnapshotMessage;
}

/** The answer to a snapshot chunk. */
export function snapshotResponseMessage(from: NodeId, to: NodeId, term: number, snapshotIndex: number, received: number): SnapshotResponseMessage {
  return snapshotFamilyMessage('snapshot-resp', from, to, term, snapshotIndex, U, U, U, U, U, U, U, received) as SnapshotResponseMessage;
}

/** Most code units of snapshot data one InstallSnapshot chunk carries (small, so every snapshot is chunked). */
export const SNAPSHOT_CHUNK_CHARS = 64;

/** Most entries one append may carry; a malformed message with more is dropped. */
export const MAX_ENTRIES_PER_MESSAGE = 64;

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isEntry(v: unknown, index: number, maxTerm: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as { readonly term?: unknown; readonly index?: unknown; readonly data?: unknown };
  return e.index === index && isIndex(e.term) && e.term >= 1 && e.term <= maxTerm && typeof e.data === 'string';
}

/** `ctx` is optional (older senders omit it) but, when present, a non-negative integer. */
function isCtx(v: unknown): boolean {
  return v === undefined || isIndex(v);
}

function isAppend(m: Message): boolean {
  const prev = m['prevLogIndex'];
  const prevTerm = m['prevLogTerm'];
  const ents = m['entries'];
  if (!isIndex(prev) || !isIndex(prevTerm) || !isIndex(m['commit']) || !isCtx(m['ctx']) || !Array.isArray(ents)) return false;
  if (prevTerm > m.term || (prev === 0) !== (prevTerm === 0) || ents.length > MAX_ENTRIES_PER_MESSAGE) return false;
  for (let i = 0; i < ents.length; i++) {
    if (!isEntry(ents[i], prev + 1 + i, m.term)) return false;
  }
  return true;
}

function isAppendResponse(m: Message): boolean {
  const index = m['index'];
  const hint = m['hintIndex'];
  if (!isCtx(m['ctx'])) return false;
  return typeof m['reject'] === 'boolean' && isIndex(index) && isIndex(hint) && hint <= index && isIndex(m['hintTerm']);
}

function isVote(m: Message): boolean {
  const last = m['lastLogIndex'];
  const lastTerm = m['lastLogTerm'];
  const transfer = m['transfer'];
  if (!(transfer === undefined || (transfer === true && m.type === 'vote'))) return false;
  return isIndex(last) && isIndex(lastTerm) && (last === 0) === (lastTerm === 0) && lastTerm <= m.term && m.term >= 1;
}

function isPeerList(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (let i = 0; i < v.length; i++) {
    const p: unknown = v[i];
    if (!isIndex(p) || p < 1 || (i > 0 && p <= (v[i - 1] as number))) return false;
  }
  return true;
}

/** An optional list of node ids (learners, outgoing voters): absent, or ascending ids >= 1, possibly empty. */
function isOptionalIdList(v: unknown): boolean {
  return v === undefined || (Array.isArray(v) && (v.length === 0 || isPeerList(v)));
}

function isSnapshot(m: Message): boolean {
  const index = m['snapshotIndex'];
  const term = m['snapshotTerm'];
  const chunk = m['chunk'];
  return isIndex(index) && index >= 1 && isIndex(term) && term >= 1 && term <= m.term && isPeerList(m['peers']) && isOptionalIdList(m['learners']) && isOptionalIdList(m['outgoing']) && isIndex(m['offset']) && typeof chunk === 'string' && typeof m['done'] === 'boolean';
}

function isSnapshotResponse(m: Message): boolean {
  return isIndex(m['snapshotIndex']) && isIndex(m['received']);
}

/**
 * Narrows a `Message` that arrived from the network to one of the core's messages. Returns false for anything
 * malformed (unknown type, wrong field types, negative or fractional numbers, non-consecutive entries…): the node
 * ignores such messages, as a real server ignores garbage on the wire.
 */
export function isCoreMessage(m: Message): m is CoreMessage {
  if (typeof m !== 'object' || m === null) return false;
  if (!isIndex(m.from) || m.from < 1 || !isIndex(m.to) || m.to < 1 || !isIndex(m.term)) return false;
  switch (m.type) {
    case 'append':
      return m.term >= 1 && isAppend(m);
    case 'append-resp':
      return isAppendResponse(m);
    case 'vote':
    case 'pre-vote':
      return isVote(m);
    case 'vote-resp':
    case 'pre-vote-resp':
      return typeof m['reject'] === 'boolean';
    case 'snapshot':
      return m.term >= 1 && isSnapshot(m);
    case 'snapshot-resp':
      return isSnapshotResponse(m);
    case 'timeout-now':
      return m.term >= 1;
    default:
      return false;
  }
}
