/**
 * A sans-IO Raft node in etcd-raft's RawNode shape (Raft paper Figure 2; PreVote and CheckQuorum from the
 * thesis §9.6 and §6.2; linearizable reads by ReadIndex, thesis §6.4). It is a deterministic function of its
 * options and the calls made on it: no timers, no I/O, no clock; randomness only through `options.random`. The
 * host drives it with tick/step/propose/readIndex, pulls a Ready, persists, sends, applies, serves reads, and
 * calls advance (see `Ready` in core/types.ts).
 */
import { assert, assertFail } from './assert.js';
import type { CoreBug } from './bugs.js';
import { RaftLog } from './log.js';
import { isCoreMessage, MAX_ENTRIES_PER_MESSAGE } from './messages.js';
import type { AppendMessage, AppendResponseMessage, SnapshotMessage, SnapshotResponseMessage, VoteMessage, VoteResponseMessage } from './messages.js';
import { Progress } from './progress.js';
import { committedIndex, quorumSize, voteResult } from './quorum.js';
import { SnapshotReceiver, snapshotChunk } from './snapshot.js';
import type { Entry, HardState, Message, NodeId, ProposeResult, Ready, ReadState, Role, Snapshot, SoftState, Status, StoredState } from './types.js';

export interface RaftNodeOptions {
  readonly id: NodeId;
  /** Every node of the cluster, including `id`, ascending. */
  readonly peers: readonly NodeId[];
  /** What the disk kept: empty log + EMPTY_HARD_STATE on first start. */
  readonly storage: StoredState;
  /** Uniform in [0, 1); the node's only randomness. */
  readonly random: () => number;
  /** Election timeout base in ticks; the timeout is randomised in [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  /** Heartbeat interval in ticks. */
  readonly heartbeatTicks: number;
  /** Raft thesis §9.6: campaign only after a pre-vote round that does not bump anyone's term. Default false. */
  readonly preVote?: boolean;
  /** Thesis §6.2: a leader steps down when it has not heard from a quorum within an election timeout. Default false. */
  readonly checkQuorum?: boolean;
  /** A planted bug (core/bugs.ts); undefined means correct Raft. */
  readonly bug?: CoreBug;
  /**
   * The index a durable state machine has already applied (contract version 2's `applied`); 0 or absent for a
   * volatile one. The first committed entries handed out are then `applied + 1` on.
   */
  readonly applied?: number;
}

/** Most appends sent back to back to one follower in replicate state before waiting for a response. */
const MAX_BURST_MESSAGES = 4;
const NO_ENTRIES: readonly Entry[] = Object.freeze([]);
const NO_MESSAGES: readonly Message[] = Object.freeze([]);
/** Most reads a leader holds unconfirmed; beyond it readIndex rejects, and the client retries later. */
const MAX_PENDING_READS = 1024;

/** new: stream entries; heartbeat: repair and keep alive; commit: carry a new commit; read: start a read round. */
type SendMode = 'new' | 'heartbeat' | 'commit' | 'read';

/** A read accepted by the leader and not yet confirmed (thesis §6.4). */
interface PendingRead {
  readonly requestId: number;
  /** The read index; 0 while the leader has not yet committed an entry of its term (it is set then). */
  index: number;
  /** The read-confirmation round that must be acknowledged by a quorum before the read is released. */
  readonly round: number;
}

/**
 * A Ready with exactly the optional fields given, each shape written as one literal: an object that gains its
 * optional fields one by one goes through a hidden-class transition and a property-store allocation for each.
 * The field order is the same in every shape (entries, messages, committedEntries, readStates, softState,
 * hardState), as it was when the fields were added one by one.
 */
function makeReady(
  entries: readonly Entry[],
  messages: readonly Message[],
  committedEntries: readonly Entry[],
  readStates: readonly ReadState[] | undefined,
  softState: SoftState | undefined,
  hardState: HardState | undefined,
): Ready {
  if (readStates === undefined) {
    if (softState === undefined) return hardState === undefined ? { entries, messages, committedEntries } : { entries, messages, committedEntries, hardState };
    return hardState === undefined ? { entries, messages, committedEntries, softState } : { entries, messages, committedEntries, softState, hardState };
  }
  if (softState === undefined) {
    return hardState === undefined ? { entries, messages, committedEntries, readStates } : { entries, messages, committedEntries, readStates, hardState };
  }
  return hardState === undefined
    ? { entries, messages, committedEntries, readStates, softState }
    : { entries, messages, committedEntries, readStates, softState, hardState };
}

export class RaftNode {
  private readonly id: NodeId;
  private readonly peers: readonly NodeId[];
  private readonly random: () => number;
  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly bug: CoreBug | undefined;
  /** Safety assertions (those a planted bug can legitimately break) run only for correct Raft. */
  private readonly safetyAsserts: boolean;

  /** Invariant: never decreases. */
  private term: number;
  /** Whom this node voted for in `term`, 0 if nobody. Invariant: reset to 0 exactly when `term` changes. */
  private vote: NodeId | 0;
  private role: Role = 'follower';
  private leader: NodeId | 0 = 0;
  private readonly log: RaftLog;
  /** Invariant: never decreases; <= log.lastIndex() for correct Raft. */
  private commit: number;
  /** Last index handed to the host in committedEntries and acknowledged by advance(). Invariant: <= commit (correct Raft). */
  private applied = 0;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;

  /** The peers other than `id`, ascending. */
  private readonly followers: readonly NodeId[];
  /** `followerProgress[i]` is the progress of `followers[i]`; meaningful only while leader. */
  private readonly followerProgress: readonly Progress[];
  /**
   * The same Progress objects by node id (undefined for `id` and for non-peers), so a message's sender is
   * looked up with an array read on the hot path instead of a Map probe.
   */
  private readonly progressById: (Progress | undefined)[] = [];
  /** (Pre-)vote answers in the current campaign, by voter (including self). */
  private readonly votes = new Map<NodeId, boolean>();
  /** Reused for quorum math so committing allocates nothing. Invariant: length === peers.length. */
  private readonly matchScratch: number[];
  /**
   * Messages for the next Ready: `outbox[0, outboxCount)`, handed out as an exact-size copy. One buffer reused
   * across Readys instead of a fresh array each time: the first push into a fresh array allocates a 16-slot
   * backing store, and most Readys carry one to four messages. Slots at and beyond `outboxCount` are cleared so
   * the buffer keeps no message alive.
   */
  private readonly outbox: (Message | undefined)[] = [];
  private outboxCount = 0;

  // ReadIndex (thesis §6.4). A read of round r is confirmed once a quorum (counting the leader) has answered, in the
  // leader's term, an append carrying ctx >= r: every such append left the node after the read was accepted.
  /** Invariant: empty unless leader; rounds nondecreasing; the reads with index 0 form a prefix. */
  private pendingReads: PendingRead[] = [];
  /** Confirmed reads not yet reported in a Ready. */
  private readStates: ReadState[] = [];
  /** The latest read-confirmation round started; every append carries it once it is > 0. Invariant: never decreases. */
  private readRound = 0;
  /**
   * The appends that announce round `readRound` are still in the outbox (no Ready has handed them out), so a read
   * accepted now can share that round: nothing carrying it has left the node yet.
   */
  private readRoundUnsent = false;

  // What the last Ready reported (or what storage held), to report only changes.
  private reportedTerm: number;
  private reportedVote: NodeId | 0;
  private reportedCommit: number;
  private reportedRole: Role = 'follower';
  private reportedLeader: NodeId | 0 = 0;

  // Snapshots (Raft §7). The host takes them (compact()); followers receive them from the leader (InstallSnapshot).
  /** The newest snapshot this node holds (taken, installed or restored): what it sends a follower that lags. */
  private snapshot: Snapshot | null = null;
  /** An installed snapshot the next Ready hands the host to persist and restore; null when none. */
  private snapshotToPersist: Snapshot | null = null;
  /** The InstallSnapshot chunks received so far. */
  private readonly snapshotReceiver = new SnapshotReceiver();

  /** A Ready was returned and advance() has not been called yet. */
  private readyPending = false;
  private pendingStableIndex = 0;
  private pendingApplied = 0;

  /** Throws if the options break their documented invariants (peers not ascending, id not among them…). */
  constructor(o: RaftNodeOptions) {
    if (!(Number.isSafeInteger(o.id) && o.id >= 1)) assertFail(`node id must be an integer >= 1, got ${o.id}`);
    for (let i = 1; i < o.peers.length; i++) {
      if (!((o.peers[i - 1] as number) < (o.peers[i] as number))) assertFail(`peers must be ascending and unique, got [${o.peers.join(', ')}]`);
    }
    if (!(o.peers.includes(o.id))) assertFail(`peers [${o.peers.join(', ')}] must include id ${o.id}`);
    if (!(Number.isSafeInteger(o.electionTicks) && o.electionTicks >= 1)) assertFail(`electionTicks must be an integer >= 1, got ${o.electionTicks}`);
    if (!(Number.isSafeInteger(o.heartbeatTicks) && o.heartbeatTicks >= 1)) assertFail(`heartbeatTicks must be an integer >= 1, got ${o.heartbeatTicks}`);
    this.id = o.id;
    this.peers = Object.freeze([...o.peers]);
    this.random = o.random;
    this.electionTicks = o.electionTicks;
    this.heartbeatTicks = o.heartbeatTicks;
    this.preVote = o.preVote ?? false;
    this.checkQuorum = o.checkQuorum ?? false;
    this.bug = o.bug;
    this.safetyAsserts = o.bug === undefined;
    const stored = o.storage.snapshot;
    this.log = stored === undefined ? new RaftLog(o.storage.entries) : new RaftLog(o.storage.entries, stored);
    const hs = o.storage.hardState;
    this.term = hs.term;
    this.vote = hs.vote;
    // A crash can tear an unsynced Ready so that hardState survived but its entries did not; committed entries
    // beyond the stored log are still committed cluster-wide, this node just has to learn them again.
    // A durable state machine's applied entries were committed; its own fsync may have kept them while a
    // commit-only hard state written without one (MustSync) was lost, so commit is raised to them. A snapshot
    // holds only committed entries, and the host restored its state machine from it: both start there at least.
    const snapshotIndex = this.log.snapshotIndex();
    const applied = Math.max(snapshotIndex, Math.min(o.applied ?? 0, this.log.lastIndex()));
    this.commit = Math.max(Math.min(hs.commit, this.log.lastIndex()), applied);
    this.applied = applied;
    if (stored !== undefined) this.snapshot = stored;
    this.reportedTerm = hs.term;
    this.reportedVote = hs.vote;
    // Report from the clamped value so a later hardState never claims more than the stored log holds.
    this.reportedCommit = this.commit;
    this.matchScratch = new Array<number>(o.peers.length).fill(0);
    this.followers = Object.freeze(this.peers.filter((p) => p !== this.id));
    this.followerProgress = Object.freeze(this.followers.map(() => new Progress()));
    this.followers.forEach((p, i) => {
      this.progressById[p] = this.followerProgress[i];
    });
    this.resetTimers();
  }

  /** Advances the logical clock by one tick: may start an election or send heartbeats. */
  tick(): void {
    this.assertNoPendingReady('tick');
    if (this.role === 'leader') this.tickLeader();
    else this.tickElection();
  }

  /** Delivers a message from the network. Malformed, misaddressed and stale messages are ignored. */
  step(m: Message): void {
    this.assertNoPendingReady('step');
    // progressById holds only the other peers: this also drops messages from self and from strangers.
    if (!isCoreMessage(m) || m.to !== this.id || this.progressById[m.from] === undefined) return;
    if (m.term > this.term) {
      const isVoteRequest = m.type === 'vote' || m.type === 'pre-vote';
      // CheckQuorum's leader lease (thesis §4.2.3): while a leader is known to be alive, a disrupting candidate
      // is ignored, so a rejoining node cannot depose a healthy leader.
      if (isVoteRequest && this.inLease()) return;
      // PreVote: neither a pre-vote request nor a grant of one changes anybody's term (thesis §9.6).
      const keepsTerm = m.type === 'pre-vote' || (m.type === 'pre-vote-resp' && !m.reject);
      if (!keepsTerm) this.becomeFollower(m.term, m.type === 'append' || m.type === 'snapshot' ? m.from : 0);
    } else if (m.term < this.term) {
      // Answer a stale leader or pre-candidate with our term so it steps down (Figure 2: "reply false").
      if (m.type === 'append' || m.type === 'snapshot') this.sendAppendResponse(m.from, true, 0, 0, 0, undefined);
      else if (m.type === 'pre-vote') this.sendVoteResponse(m.from, 'pre-vote-resp', this.term, true);
      return;
    }
    switch (m.type) {
      case 'vote':
      case 'pre-vote':
        this.handleVoteRequest(m);
        return;
      case 'append':
        this.handleAppend(m);
        return;
      case 'append-resp':
        if (this.role === 'leader') this.handleAppendResponse(m);
        return;
      case 'vote-resp':
        if (this.role === 'candidate') this.handleVoteResponse(m);
        return;
      case 'pre-vote-resp':
        // A grant carries the term we would campaign in; anything else is from an earlier round.
        if (this.role === 'pre-candidate' && (m.reject || m.term === this.term + 1)) this.handleVoteResponse(m);
        return;
      case 'snapshot':
        this.handleSnapshot(m);
        return;
      case 'snapshot-resp':
        if (this.role === 'leader') this.handleSnapshotResponse(m);
        return;
    }
  }

  /** Appends `data` to the log if this node is the leader; otherwise names the leader it believes in. */
  propose(data: string): ProposeResult {
    this.assertNoPendingReady('propose');
    if (this.role !== 'leader') return { accepted: false, reason: 'not-leader', leaderHint: this.leader };
    const index = this.log.lastIndex() + 1;
    this.log.push({ term: this.term, index, data });
    this.bcastAppend('new');
    return { accepted: true, index, term: this.term };
  }

  /**
   * Asks for a linearizable read (ReadIndex, thesis §6.4); `requestId` is the host's and is handed back as is.
   * Returns false when the read is rejected: this node is not the leader (the caller should ask the one
   * `status().leader` names), or MAX_PENDING_READS reads already wait. Otherwise the read is accepted and appears
   * once, as a `ReadState`, in a later Ready's `readStates` — after both:
   *   - the leader has committed an entry of its own term (thesis §6.4 step 1: until then its commit index may
   *     lag what earlier leaders committed). A read accepted earlier waits; its index is the commit index then.
   *     Otherwise the index is the commit index at this call;
   *   - a quorum (counting the leader) has answered, in the leader's term, an append sent after this call
   *     (step 2: it was still the leader). This call broadcasts one at once rather than wait for a heartbeat.
   * A leader that steps down drops its unconfirmed reads: they are never released, the client times out and
   * retries. Under the 'stale-read' bug the read is released at once with the current commit index.
   */
  readIndex(requestId: number): boolean {
    this.assertNoPendingReady('readIndex');
    if (this.role !== 'leader') return false;
    if (this.bug === 'stale-read') {
      this.readStates.push({ requestId, index: this.commit });
      return true;
    }
    if (this.pendingReads.length >= MAX_PENDING_READS) return false;
    const index = this.committedInTerm() ? this.commit : 0;
    if (!this.readRoundUnsent) {
      this.readRound++;
      this.bcastAppend('read');
      this.readRoundUnsent = true;
    }
    this.pendingReads.push({ requestId, index, round: this.readRound });
    this.releaseReads(); // a single-node cluster is its own quorum
    return true;
  }

  /**
   * The host took a snapshot of its state machine at an applied index and will store it durably (log compaction,
   * Raft §7): the log up to `snapshot.index` may go, and the snapshot is what this node sends a follower that needs
   * compacted entries. Throws unless `snapshot.index` is applied, stable and newer than the current snapshot, and
   * `snapshot.term` is its entry's term.
   */
  compact(snapshot: Snapshot): void {
    this.assertNoPendingReady('compact');
    if (!(snapshot.index <= this.applied)) assertFail(`compact(${snapshot.index}) beyond applied ${this.applied}`);
    this.log.compact(snapshot.index, snapshot.term);
    this.snapshot = snapshot;
  }

  /**
   * What the host must do next, or null when nothing. Throws if the previous Ready has not been advanced.
   * Messages always travel with (or after) the hard state and entries they depend on, so the host's
   * persist-then-send order makes them safe.
   */
  ready(): Ready | null {
    assert(!this.readyPending, 'ready() called again before advance()');
    const vote = this.bug === 'forget-vote' ? 0 : this.vote;
    const hardChanged = this.term !== this.reportedTerm || vote !== this.reportedVote || this.commit !== this.reportedCommit;
    const softChanged = this.role !== this.reportedRole || this.leader !== this.reportedLeader;
    const hasUnstable = this.log.lastIndex() > this.log.stableIndex();
    const applyTo = this.applyTarget();
    const hasReads = this.readStates.length !== 0;
    const snapshot = this.snapshotToPersist;
    const messageCount = this.outboxCount;
    if (!hardChanged && !softChanged && !hasUnstable && messageCount === 0 && applyTo <= this.applied && !hasReads && snapshot === null) return null;
    if (!(this.commit >= this.reportedCommit)) assertFail(`commit went back from ${this.reportedCommit} to ${this.commit}`);
    if (this.safetyAsserts) {
      if (!(this.commit <= this.log.lastIndex())) assertFail(`commit ${this.commit} beyond last index ${this.log.lastIndex()}`);
      if (!(this.applied <= this.commit)) assertFail(`applied ${this.applied} beyond commit ${this.commit}`);
    }
    let messages = NO_MESSAGES;
    if (messageCount !== 0) {
      const outbox = this.outbox;
      messages = outbox.slice(0, messageCount) as Message[];
      for (let i = 0; i < messageCount; i++) outbox[i] = undefined;
      this.outboxCount = 0;
    }
    this.readRoundUnsent = false;
    const entries = hasUnstable ? this.log.unstableEntries() : NO_ENTRIES;
    const committedEntries = applyTo > this.applied ? this.log.slice(this.applied + 1, applyTo, Number.MAX_SAFE_INTEGER) : NO_ENTRIES;
    let readStates: readonly ReadState[] | undefined;
    if (hasReads) {
      readStates = this.readStates;
      this.readStates = [];
    }
    let softState: SoftState | undefined;
    if (softChanged) {
      softState = { role: this.role, leader: this.leader };
      this.reportedRole = this.role;
      this.reportedLeader = this.leader;
    }
    let hardState: HardState | undefined;
    if (hardChanged) {
      hardState = { term: this.term, vote, commit: this.commit };
      this.reportedTerm = this.term;
      this.reportedVote = vote;
      this.reportedCommit = this.commit;
    }
    let ready = makeReady(entries, messages, committedEntries, readStates, softState, hardState);
    if (snapshot !== null) {
      // Rare (an install), so the common shapes of makeReady stay as they are.
      ready = { ...ready, snapshot };
      this.snapshotToPersist = null;
    }
    this.readyPending = true;
    this.pendingStableIndex = this.log.lastIndex();
    this.pendingApplied = Math.max(this.applied, applyTo);
    return ready;
  }

  /** The host persisted, sent and applied the last Ready. Throws if there is none outstanding. */
  advance(): void {
    assert(this.readyPending, 'advance() called without a pending Ready');
    this.readyPending = false;
    this.log.stableTo(this.pendingStableIndex);
    this.applied = this.pendingApplied;
    // The leader's own entries count toward the commit quorum only once stable (as in etcd).
    if (this.role === 'leader' && this.maybeCommit()) this.bcastAppend('commit');
  }

  /** Self-reported status, for display only. */
  status(): Status {
    return {
      id: this.id,
      term: this.term,
      role: this.role,
      leader: this.leader,
      commit: this.commit,
      applied: this.applied,
      lastIndex: this.log.lastIndex(),
    };
  }

  // ---- timers --------------------------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++;
    if ((this.role === 'candidate' || this.role === 'pre-candidate') && ++this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.requestVotes(this.role === 'pre-candidate', true);
    }
    if (this.electionElapsed < this.randomizedElectionTimeout) return;
    this.electionElapsed = 0;
    this.campaign(this.preVote);
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      // The stale-read bug keeps a partitioned leader leading, so it goes on serving stale reads.
      if (this.checkQuorum && this.bug !== 'stale-read' && !this.quorumActive()) {
        this.becomeFollower(this.term, 0);
        return;
      }
    }
    if (this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastAppend('heartbeat');
    }
  }

  /** Did a quorum (counting self) respond since the last check? Clears the marks for the next round. */
  private quorumActive(): boolean {
    let active = 1;
    // Indexed loops over the frozen peer arrays here and below: a for-of over a frozen array allocated an
    // iterator result per element even in optimised code.
    const progress = this.followerProgress;
    for (let i = 0; i < progress.length; i++) {
      const pr = progress[i] as Progress;
      if (pr.recentActive) active++;
      pr.recentActive = false;
    }
    return active >= quorumSize(this.peers.length);
  }

  private leaderRecentlyHeard(): boolean {
    return this.leader !== 0 && this.electionElapsed < this.electionTicks;
  }

  /** CheckQuorum's leader lease: vote requests of higher terms are ignored outright while it holds. */
  private inLease(): boolean {
    return this.checkQuorum && this.leaderRecentlyHeard();
  }

  private resetTimers(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTicks + Math.floor(this.random() * this.electionTicks);
  }

  // ---- role changes --------------------------------------------------------------------------------------

  private becomeFollower(term: number, leader: NodeId | 0): void {
    if (term !== this.term) {
      if (!(term > this.term)) assertFail(`term would go back from ${this.term} to ${term}`);
      this.term = term;
      this.vote = 0;
    }
    this.role = 'follower';
    this.leader = leader;
    this.resetTimers();
    // Unconfirmed reads cannot be confirmed any more: this node no longer knows it leads.
    this.pendingReads.length = 0;
    this.readRoundUnsent = false;
  }

  /** Starts a pre-vote round (`pre`) or a real election (Raft §5.2). */
  private campaign(pre: boolean): void {
    if (pre) {
      this.role = 'pre-candidate';
      this.leader = 0;
    } else {
      this.term++;
      this.vote = this.id;
      this.role = 'candidate';
      this.leader = 0;
    }
    this.resetTimers();
    this.votes.clear();
    this.votes.set(this.id, true);
    if (this.tallyVotes()) return;
    this.requestVotes(pre, false);
  }

  /**
   * Sends (pre-)vote requests for the current campaign. With `onlySilent`, only to voters that have not
   * answered yet: Raft §5.1, servers retry RPCs that get no timely response, so one lost request does not
   * cost a whole election timeout.
   */
  private requestVotes(pre: boolean, onlySilent: boolean): void {
    const type = pre ? 'pre-vote' : 'vote';
    const term = pre ? this.term + 1 : this.term;
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    const followers = this.followers;
    for (let i = 0; i < followers.length; i++) {
      const to = followers[i] as NodeId;
      if (onlySilent && this.votes.has(to)) continue;
      const m: VoteMessage = { type, from: this.id, to, term, lastLogIndex, lastLogTerm };
      this.emit(m);
    }
  }

  /** Acts on the election outcome so far; true when the campaign ended. */
  private tallyVotes(): boolean {
    let granted = 0;
    let rejected = 0;
    for (const g of this.votes.values()) {
      if (g) granted++;
      else rejected++;
    }
    const result = voteResult(granted, rejected, this.peers.length);
    if (result === 'won') {
      if (this.role === 'pre-candidate') this.campaign(false);
      else this.becomeLeader();
      return true;
    }
    if (result === 'lost') {
      this.becomeFollower(this.term, 0);
      return true;
    }
    return false;
  }

  private becomeLeader(): void {
    if (!(this.role === 'candidate')) assertFail(`becomeLeader from ${this.role}`);
    if (!(this.pendingReads.length === 0)) assertFail(`a new leader holds ${this.pendingReads.length} reads of an earlier term`);
    this.role = 'leader';
    this.leader = this.id;
    this.resetTimers();
    const last = this.log.lastIndex();
    const progress = this.followerProgress;
    for (let i = 0; i < progress.length; i++) (progress[i] as Progress).reset(last);
    // Raft §8: a no-op of the new term lets earlier entries commit indirectly (§5.4.2) without waiting for a
    // client. The figure8-commit bug leaves it out: the no-op would mask the broken commit rule in almost every
    // schedule, since it travels in the same append as the older entries.
    if (this.bug !== 'figure8-commit') this.log.push({ term: this.term, index: last + 1, data: '' });
    this.bcastAppend('new');
  }

  // ---- votes ---------------------------------------------------------------------------------------------

  private handleVoteRequest(m: VoteMessage): void {
    const pre = m.type === 'pre-vote';
    const respType = pre ? 'pre-vote-resp' : 'vote-resp';
    let canVote = this.vote === m.from || (this.vote === 0 && this.leader === 0) || (pre && m.term > this.term);
    // Thesis §9.6 / §4.2.3: no pre-vote while a leader was heard within the election timeout, so a node that
    // merely lost touch for a while cannot win a pre-vote and then depose a healthy leader.
    if (pre && this.leaderRecentlyHeard()) canVote = false;
    if (!pre && this.bug === 'double-vote') canVote = true;
    // Raft §5.4.1: only a candidate whose log is at least as up to date as ours.
    if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
      if (!pre) {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
      this.sendVoteResponse(m.from, respType, m.term, false);
    } else {
      this.sendVoteResponse(m.from, respType, this.term, true);
    }
  }

  private handleVoteResponse(m: VoteResponseMessage): void {
    if (this.votes.has(m.from)) return; // a duplicate
    this.votes.set(m.from, !m.reject);
    this.tallyVotes();
  }

  private sendVoteResponse(to: NodeId, type: VoteResponseMessage['type'], term: number, reject: boolean): void {
    const m: VoteResponseMessage = { type, from: this.id, to, term, reject };
    this.emit(m);
  }

  // ---- replication, follower side ------------------------------------------------------------------------

  private handleAppend(m: AppendMessage): void {
    if (this.role === 'leader') return; // another leader of our term: impossible in correct Raft; ignore it
    if (this.role !== 'follower') this.becomeFollower(this.term, m.from);
    this.electionElapsed = 0;
    this.leader = m.from;
    if (m.prevLogIndex < this.log.snapshotIndex()) {
      // The append starts inside our snapshot, which holds only committed entries: they match the leader's, so say
      // how far we are committed and let the leader go on from there (etcd does the same for prevLogIndex < commit).
      this.sendAppendResponse(m.from, false, this.commit, 0, 0, m.ctx);
      return;
    }
    if (!this.log.matchTerm(m.prevLogIndex, m.prevLogTerm)) {
      // Consistency check failed (Raft §5.3): hint where our log may still match, skipping a term at a time.
      const hintIndex = this.log.findConflictByTerm(Math.min(m.prevLogIndex, this.log.lastIndex()), m.prevLogTerm);
      this.sendAppendResponse(m.from, true, m.prevLogIndex, hintIndex, this.log.termAt(hintIndex), m.ctx);
      return;
    }
    const lastNew = m.prevLogIndex + m.entries.length;
    const conflict = this.log.findConflict(m.entries);
    if (conflict !== 0) {
      const last = this.log.lastIndex();
      if (conflict <= last && this.bug === 'no-truncate') {
        this.log.truncateAndAppend(m.entries, last - m.prevLogIndex);
      } else {
        if (this.safetyAsserts) assert(conflict > this.commit, `append conflicts with committed entry ${conflict} (commit ${this.commit})`);
        this.log.truncateAndAppend(m.entries, conflict - m.prevLogIndex - 1);
      }
    }
    // Figure 2: commitIndex = min(leaderCommit, index of last new entry); never beyond what this append proved.
    const newCommit = Math.min(m.commit, lastNew);
    if (newCommit > this.commit) this.commit = newCommit;
    this.sendAppendResponse(m.from, false, lastNew, 0, 0, m.ctx);
  }

  /** `ctx` echoes the append's read round (rejections echo it too: they prove our term just as well). */
  private sendAppendResponse(to: NodeId, reject: boolean, index: number, hintIndex: number, hintTerm: number, ctx: number | undefined): void {
    // One literal per shape (see makeReady): adding `ctx` afterwards would cost a transition per message.
    const m: AppendResponseMessage =
      ctx === undefined
        ? { type: 'append-resp', from: this.id, to, term: this.term, reject, index, hintIndex, hintTerm }
        : { type: 'append-resp', from: this.id, to, term: this.term, reject, index, hintIndex, hintTerm, ctx };
    this.emit(m);
  }

  // ---- replication, leader side --------------------------------------------------------------------------

  private handleAppendResponse(m: AppendResponseMessage): void {
    const pr = this.progressById[m.from];
    if (pr === undefined) return;
    pr.recentActive = true;
    // A round we never started is garbage; an older one tells nothing new.
    if (m.ctx !== undefined && m.ctx > pr.readAcked && m.ctx <= this.readRound) {
      pr.readAcked = m.ctx;
      this.releaseReads();
    }
    if (m.reject) {
      let hint = Math.min(m.hintIndex, this.log.lastIndex());
      if (m.hintTerm > 0) hint = this.log.findConflictByTerm(hint, m.hintTerm);
      if (pr.maybeDecrTo(m.index, hint)) this.sendAppend(m.from, pr, 'new');
      return;
    }
    if (m.index > this.log.lastIndex()) return; // claims entries we never sent: garbage
    if (pr.state === 'snapshot') {
      // Only an answer that reaches the snapshot being sent ends the snapshot state (an install, or a follower
      // that turned out to be committed that far already).
      if (!pr.maybeUpdate(m.index) || pr.match < pr.pendingSnapshot) return;
      pr.becomeReplicate();
      if (this.maybeCommit()) this.bcastAppend('commit');
      else this.sendAppend(m.from, pr, 'new');
      return;
    }
    const wasProbe = pr.state === 'probe';
    if (pr.maybeUpdate(m.index) || (wasProbe && pr.match === m.index)) {
      if (pr.state === 'probe') pr.becomeReplicate();
      if (this.maybeCommit()) {
        this.bcastAppend('commit');
        return;
      }
    }
    this.sendAppend(m.from, pr, 'new');
  }

  /**
   * Advances commit to the highest index stored on a majority, but only by counting replicas of an entry of the
   * current term (Raft §5.4.2, Figure 8); older entries commit with it. The leader's own replica counts once
   * stable. Returns true when commit moved.
   */
  private maybeCommit(): boolean {
    for (let i = 0; i < this.peers.length; i++) {
      const p = this.peers[i] as NodeId;
      this.matchScratch[i] = p === this.id ? this.log.stableIndex() : (this.progressById[p] as Progress).match;
    }
    const index = committedIndex(this.matchScratch);
    if (index <= this.commit) return false;
    if (this.bug !== 'figure8-commit' && this.log.termAt(index) !== this.term) return false;
    this.commit = index;
    this.settleReadIndexes();
    return true;
  }

  // ---- reads (ReadIndex, thesis §6.4) --------------------------------------------------------------------

  /** Has this leader committed an entry of its own term? Only then does its commit index cover earlier leaders'. */
  private committedInTerm(): boolean {
    return this.log.termAt(this.commit) === this.term;
  }

  /** Once the leader commits in its term, reads that waited for it get today's commit index; some may be released. */
  private settleReadIndexes(): void {
    const first = this.pendingReads[0];
    if (first === undefined || first.index !== 0 || !this.committedInTerm()) return;
    for (const r of this.pendingReads) {
      if (r.index !== 0) break;
      r.index = this.commit;
    }
    this.releaseReads();
  }

  /** Moves to `readStates`, oldest first, the reads with a known index whose round a quorum has acknowledged. */
  private releaseReads(): void {
    if (this.pendingReads.length === 0) return;
    const acked = this.quorumAckedRound();
    let released = 0;
    for (const r of this.pendingReads) {
      if (r.index === 0 || r.round > acked) break; // rounds are nondecreasing and index-0 reads come first
      this.readStates.push({ requestId: r.requestId, index: r.index });
      released++;
    }
    if (released !== 0) this.pendingReads.splice(0, released);
  }

  /** The highest read round acknowledged by a quorum, the leader counting itself for every round it started. */
  private quorumAckedRound(): number {
    for (let i = 0; i < this.peers.length; i++) {
      const p = this.peers[i] as NodeId;
      this.matchScratch[i] = p === this.id ? this.readRound : (this.progressById[p] as Progress).readAcked;
    }
    return committedIndex(this.matchScratch);
  }

  private bcastAppend(mode: SendMode): void {
    for (let i = 0; i < this.followers.length; i++) this.sendAppend(this.followers[i] as NodeId, this.followerProgress[i] as Progress, mode);
  }

  /**
   * Sends appends to one follower. Probe: one outstanding append at a time (a heartbeat re-sends it). Replicate:
   * stream new entries (at most MAX_BURST_MESSAGES now); a heartbeat re-sends from `match` so a lost append is
   * repaired without a rejection round trip; 'commit' sends an empty append just to carry the new commit, 'read'
   * one just to carry a new read round (a probe is re-sent instead: the follower's log may not match at `match`).
   */
  private sendAppend(to: NodeId, pr: Progress, mode: SendMode): void {
    const snapshotIndex = this.log.snapshotIndex();
    if (snapshotIndex !== 0 && this.needsSnapshot(pr, snapshotIndex)) {
      // The entries this follower needs are compacted: only the snapshot can bring it up to date.
      if (this.bug === 'no-snapshot-fallback') return;
      if (pr.state !== 'snapshot' || pr.pendingSnapshot !== snapshotIndex) {
        pr.becomeSnapshot(snapshotIndex);
        this.sendSnapshot(to, pr);
      } else if (mode === 'heartbeat') {
        this.sendSnapshot(to, pr); // re-sends what the follower has not acknowledged: chunks get lost too
      }
      return;
    }
    const last = this.log.lastIndex();
    if (pr.state === 'probe') {
      if (pr.probeSent && mode !== 'heartbeat' && mode !== 'read') return;
      this.sendEntries(to, pr.next - 1, last);
      pr.probeSent = true;
      return;
    }
    if (mode === 'read') {
      // An empty append at `match` always passes the consistency check and leaves the entry stream alone.
      this.sendEntries(to, pr.match, pr.match);
      return;
    }
    if (mode === 'heartbeat') {
      const sentLast = this.sendEntries(to, pr.match, last);
      if (pr.next <= sentLast) pr.next = sentLast + 1;
      return;
    }
    let sent = 0;
    while (pr.next <= last && sent < MAX_BURST_MESSAGES) {
      pr.next = this.sendEntries(to, pr.next - 1, last) + 1;
      sent++;
    }
    if (sent === 0 && mode === 'commit') this.sendEntries(to, pr.match, pr.match);
  }

  /**
   * Whether `pr`'s follower can only be reached by the snapshot: it is being sent one, or the append it would get
   * next (from `next`, or from `match` for a replicating follower's heartbeat) starts inside the compacted prefix.
   */
  private needsSnapshot(pr: Progress, snapshotIndex: number): boolean {
    if (pr.state === 'snapshot') return pr.match < pr.pendingSnapshot || pr.pendingSnapshot !== snapshotIndex;
    return pr.next - 1 < snapshotIndex || (pr.state === 'replicate' && pr.match < snapshotIndex);
  }

  /**
   * Sends the chunks of the snapshot being sent to `to`, from what the follower acknowledged on, back to back (a
   * stream, as etcd's snapshot transport does); the follower answers once it installed it, or at a chunk it had to
   * drop, and a heartbeat re-sends what is missing.
   */
  private sendSnapshot(to: NodeId, pr: Progress): void {
    const snapshot = this.snapshot;
    if (!(snapshot !== null && snapshot.index === pr.pendingSnapshot)) assertFail(`no snapshot at ${pr.pendingSnapshot} to send`);
    let offset = pr.snapshotSent <= snapshot.data.length ? pr.snapshotSent : 0;
    for (;;) {
      const m = snapshotChunk(snapshot, offset, this.id, to, this.term);
      this.emit(m);
      if (m.done) return;
      offset += m.chunk.length;
    }
  }

  private handleSnapshotResponse(m: SnapshotResponseMessage): void {
    const pr = this.progressById[m.from];
    if (pr === undefined) return;
    pr.recentActive = true;
    // The follower dropped a chunk: the next heartbeat re-sends from what it holds. Not at once: a burst of
    // reordered chunks yields several such answers, and answering each with a burst would multiply traffic.
    if (pr.state === 'snapshot' && m.snapshotIndex === pr.pendingSnapshot && m.received <= (this.snapshot?.data.length ?? 0)) pr.snapshotSent = m.received;
  }

  // ---- snapshots, follower side (InstallSnapshot, Raft §7) -----------------------------------------------

  private handleSnapshot(m: SnapshotMessage): void {
    if (this.role === 'leader') return; // another leader of our term: impossible in correct Raft; ignore it
    if (this.role !== 'follower') this.becomeFollower(this.term, m.from);
    this.electionElapsed = 0;
    this.leader = m.from;
    // Figure 13 / §7: a snapshot that is not newer than our commit brings nothing; installing it would roll the
    // state machine back. Say how far we are committed, so the leader goes on from there.
    if (m.snapshotIndex <= this.commit && this.bug !== 'stale-snapshot') {
      this.sendAppendResponse(m.from, false, this.commit, 0, 0, undefined);
      return;
    }
    const snapshot = this.snapshotReceiver.accept(m);
    if (snapshot === null) {
      const received = this.snapshotReceiver.receivedOf(m.snapshotIndex);
      if (received !== m.offset + m.chunk.length) this.sendSnapshotResponse(m.from, m.snapshotIndex, received);
      return;
    }
    const lastBefore = this.log.lastIndex();
    this.installSnapshot(snapshot);
    // The log matches the leader's up to the snapshot; a kept suffix may still conflict, so claim no more.
    const claimed = this.bug === 'snapshot-drops-suffix' ? Math.max(snapshot.index, lastBefore) : snapshot.index;
    this.sendAppendResponse(m.from, false, claimed, 0, 0, undefined);
  }

  /**
   * Installs a complete snapshot: the log becomes the snapshot plus the entries after it when they match it
   * (Raft §7: "if existing log entry has same index and term as snapshot's last included entry, retain log
   * entries following it"), and the host restores its state machine from it in the next Ready.
   */
  private installSnapshot(snapshot: Snapshot): void {
    this.log.restore(snapshot.index, snapshot.term, this.bug !== 'snapshot-drops-suffix');
    if (snapshot.index > this.commit) this.commit = snapshot.index;
    this.applied = snapshot.index;
    this.snapshot = snapshot;
    this.snapshotToPersist = snapshot;
  }

  private sendSnapshotResponse(to: NodeId, snapshotIndex: number, received: number): void {
    const m: SnapshotResponseMessage = { type: 'snapshot-resp', from: this.id, to, term: this.term, snapshotIndex, received };
    this.emit(m);
  }

  /** Sends one append of entries (prev, min(hi, prev + MAX)]; returns the index of the last entry sent (or prev). */
  private sendEntries(to: NodeId, prev: number, hi: number): number {
    const entries = this.log.slice(prev + 1, hi, MAX_ENTRIES_PER_MESSAGE);
    const prevLogTerm = this.log.termAt(prev);
    // Every append carries the latest read round once there is one, so a lost read heartbeat is retried by the
    // next heartbeat. One literal per shape (see makeReady): adding `ctx` afterwards would cost a transition.
    const m: AppendMessage =
      this.readRound === 0
        ? { type: 'append', from: this.id, to, term: this.term, prevLogIndex: prev, prevLogTerm, entries, commit: this.commit }
        : { type: 'append', from: this.id, to, term: this.term, prevLogIndex: prev, prevLogTerm, entries, commit: this.commit, ctx: this.readRound };
    this.emit(m);
    return prev + entries.length;
  }

  // ---- applying ------------------------------------------------------------------------------------------

  /** Queues `m` for the next Ready. */
  private emit(m: Message): void {
    this.outbox[this.outboxCount++] = m;
  }

  /** The last index the next Ready should deliver as committed (bugs aside: the commit index). */
  private applyTarget(): number {
    let target = this.commit;
    if (this.bug === 'early-ack' && this.role === 'leader') target = this.log.lastIndex();
    else if (this.bug === 'apply-beyond-commit' && this.role !== 'leader') target = this.log.lastIndex();
    return Math.min(target, this.log.lastIndex());
  }

  private assertNoPendingReady(call: string): void {
    if (!(!this.readyPending)) assertFail(`${call}() called between ready() and advance()`);
  }
}
