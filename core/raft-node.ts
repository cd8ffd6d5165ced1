/**
 * A sans-IO Raft node in etcd-raft's RawNode shape (Raft paper Figure 2; PreVote and CheckQuorum from the
 * thesis §9.6 and §6.2; linearizable reads by ReadIndex, thesis §6.4). It is a deterministic function of its
 * options and the calls made on it: no timers, no I/O, no clock; randomness only through `options.random`. The
 * host drives it with tick/step/propose/readIndex, pulls a Ready, persists, sends, applies, serves reads, and
 * calls advance (see `Ready` in core/types.ts).
 */
import { objectList } from './arrays.js';
import { assert, assertFail } from './assert.js';
import type { CoreBug } from './bugs.js';
import type { ConfChangeRequest, Configuration } from './configuration.js';
import { allMembers, allVoters, encodeConfEntry, isJoint, isVoter, jointVoteResult, leaveJoint, nextConfiguration } from './configuration.js';
import { RaftLog } from './log.js';
import { bootstrapConfiguration, ConfigurationHistory, snapshotConfiguration } from './membership.js';
import { appendMessage, appendResponseMessage, isCoreMessage, MAX_ENTRIES_PER_MESSAGE, snapshotResponseMessage, timeoutNowMessage, voteMessage, voteResponseMessage } from './messages.js';
import type { AppendMessage, AppendResponseMessage, SnapshotMessage, SnapshotResponseMessage, VoteMessage, VoteResponseMessage } from './messages.js';
import { Progress } from './progress.js';
import { makeReady, ReusedReady } from './ready-reuse.js';
import { jointCommitted, quorumSize } from './quorum.js';
import { SnapshotReceiver, snapshotChunk } from './snapshot.js';
import { LeadershipTransfer } from './transfer.js';
import type { Entry, HardState, Message, NodeId, ProposeResult, Ready, ReadState, Role, Snapshot, SoftState, Status, StoredState } from './types.js';

export interface RaftNodeOptions {
  readonly id: NodeId;
  /**
   * The bootstrap configuration: every voter of the cluster as first started, including `id`, ascending. Used only
   * when `storage` holds no configuration (no configuration entry and no snapshot): thesis §4.1, a node uses the
   * latest configuration in its log. `[]` for a node joining a running cluster: it has no configuration, never
   * campaigns, and learns one from the leader's appends or snapshot.
   */
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
  readonly bug?: CoreBug | undefined;
  /**
   * The index a durable state machine has already applied (contract version 2's `applied`); 0 or absent for a
   * volatile one. The first committed entries handed out are then `applied + 1` on.
   */
  readonly applied?: number;
  /**
   * Hand out the same Ready object (and the same arrays of one, two or four messages) from every ready(), refilled:
   * a Ready is then valid only until the advance() that follows it, and a caller must copy what it keeps. Off by
   * default (every Ready fresh, as the contract promises any caller); the simulator's host turns it on for our own
   * core, since it never keeps a Ready or its messages array past advance() (sim/builtin.ts `createForHost`).
   */
  readonly reuseReady?: boolean | undefined;
}

/** Most appends sent back to back to one follower in replicate state before waiting for a response. */
const MAX_BURST_MESSAGES = 4;
const NO_ENTRIES: readonly Entry[] = Object.freeze([]);
const NO_MESSAGES: readonly Message[] = Object.freeze([]);
const NO_IDS: readonly NodeId[] = Object.freeze([]);
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

/** `snapshot` carrying `c` as its configuration; the same object when it already does (the usual case). */
function withConfiguration(snapshot: Snapshot, c: Configuration): Snapshot {
  const learners = snapshot.learners ?? NO_IDS;
  const outgoing = snapshot.outgoing ?? NO_IDS;
  if (sameIds(snapshot.peers, c.voters) && sameIds(learners, c.learners) && sameIds(outgoing, c.outgoing)) return snapshot;
  const { index, term, data } = snapshot;
  return c.learners.length === 0 && c.outgoing.length === 0
    ? { index, term, peers: c.voters, data }
    : { index, term, peers: c.voters, learners: c.learners, outgoing: c.outgoing, data };
}

/** `ids` without `id`, a fresh array. */
function without(ids: readonly NodeId[], id: NodeId): NodeId[] {
  const rest: NodeId[] = [];
  for (let i = 0; i < ids.length; i++) if (ids[i] !== id) rest.push(ids[i] as NodeId);
  return rest;
}

/** `length` zeros, as a packed array of small integers (new Array(n).fill(0) makes a holey one, via a builtin). */
function zeros(length: number): number[] {
  const list: number[] = [];
  for (let i = 0; i < length; i++) list.push(0);
  return list;
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class RaftNode {
  private readonly id: NodeId = 0;
  private readonly random: () => number;
  private readonly electionTicks: number = 0;
  private readonly heartbeatTicks: number = 0;
  private readonly preVote: boolean = false;
  private readonly checkQuorum: boolean = false;
  /** Safety assertions (those a planted bug can legitimately break) run only for correct Raft. */
  private readonly safetyAsserts: boolean = false;

  // The fields every call reads (and ready() compares to decide there is nothing to report, most of the time)
  // are declared together, so they share a few cache lines of the node object; each number starts as a number
  // (a field declared without a value starts undefined, and its loads then need a type check).
  /**
   * The planted bug, '' for correct Raft. Not undefined: the hot paths compare it with string literals, and with
   * undefined on one side V8 has no string feedback for those comparisons and calls the generic strict-equality
   * builtin each time; string to string, it compares maps and pointers inline.
   */
  private readonly bug: CoreBug | '' = '';
  /** A Ready was returned and advance() has not been called yet. */
  private readyPending = false;
  /**
   * Nothing to report: advance() found the last Ready carried every change and committed nothing new, and no call
   * has changed anything since (each clears it, through enter()), so ready() is null without comparing every field.
   * The host asks again after every advance(), and that answer is nearly always null.
   */
  private drained = false;
  /** Invariant: never decreases. */
  private term = 0;
  /** Whom this node voted for in `term`, 0 if nobody. Invariant: reset to 0 exactly when `term` changes. */
  private vote: NodeId | 0 = 0;
  /** Invariant: never decreases; <= log.lastIndex() for correct Raft. */
  private commit = 0;
  private role: Role = 'follower';
  private leader: NodeId | 0 = 0;
  // What the last Ready reported (or what storage held), to report only changes.
  private reportedTerm = 0;
  private reportedVote: NodeId | 0 = 0;
  private reportedCommit = 0;
  private reportedRole: Role = 'follower';
  private reportedLeader: NodeId | 0 = 0;
  /** Last index handed to the host in committedEntries and acknowledged by advance(). Invariant: <= commit (correct Raft). */
  private applied = 0;
  private readonly log: RaftLog;
  /** How many messages of `outbox` the next Ready carries. */
  private outboxCount = 0;

  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;

  // Membership (thesis §4). The configuration in force is the latest one in the log, committed or not (§4.1);
  // everything below is derived from it by applyConfiguration() and replaced, never mutated, when it changes.
  /** The configuration entries of the log over the snapshot's (or bootstrap) configuration. */
  private readonly history: ConfigurationHistory;
  /** The configuration in force; null for a node that joined and has not learned one yet. */
  private activeConfiguration: Configuration | null = null;
  /** Every member other than `id` (voters of both halves and learners), ascending: whom a leader replicates to. */
  private followers: readonly NodeId[] = NO_IDS;
  /** `followerProgress[i]` is the progress of `followers[i]`; meaningful only while leader. */
  private followerProgress: readonly Progress[] = [];
  /**
   * The same Progress objects by node id (undefined for `id` and for non-members), so a message's sender is
   * looked up with an array read on the hot path instead of a Map probe.
   */
  private readonly progressById: (Progress | undefined)[] = [];
  /** The voters counted in C_new's majority (the only one outside joint consensus), ascending. */
  private incomingVoters: readonly NodeId[] = NO_IDS;
  /** The voters counted in C_old's majority during joint consensus (thesis §4.3); empty otherwise. */
  private outgoingVoters: readonly NodeId[] = NO_IDS;
  /** Whom a campaign asks for votes: every voter of either half but `id`, ascending. */
  private voteTargets: readonly NodeId[] = NO_IDS;
  /** This node is a voter of its configuration: only then may it campaign (etcd's promotable). */
  private promotable = false;
  /** (Pre-)vote answers in the current campaign, by voter (including self). */
  private readonly votes = new Map<NodeId, boolean>();
  /**
   * Reused for quorum math so committing allocates nothing: one slot per voter of each half.
   * Invariant: lengths === incomingVoters.length and outgoingVoters.length.
   */
  private incomingScratch: number[] = [];
  private outgoingScratch: number[] = [];

  /** Leadership transfer (thesis §3.10): meaningful only while leader. */
  private readonly transfer = new LeadershipTransfer();
  /** The current campaign was started by TimeoutNow: its vote requests carry `transfer`. */
  private campaignTransfer = false;
  /**
   * Messages for the next Ready: `outbox[0, outboxCount)`, handed out as an exact-size copy. One buffer reused
   * across Readys instead of a fresh array each time: the first push into a fresh array allocates a 16-slot
   * backing store, and most Readys carry one to four messages. Slots at and beyond `outboxCount` are cleared so
   * the buffer keeps no message alive.
   */
  private readonly outbox: (Message | undefined)[] = objectList<Message | undefined>();
  /** The Ready and message arrays ready() refills (`RaftNodeOptions.reuseReady`); null: every Ready fresh. */
  private readonly reused: ReusedReady | null = null;

  // ReadIndex (thesis §6.4). A read of round r is confirmed once a quorum (counting the leader) has answered, in the
  // leader's term, an append carrying ctx >= r: every such append left the node after the read was accepted.
  /** Invariant: empty unless leader; rounds nondecreasing; the reads with index 0 form a prefix. */
  private pendingReads: PendingRead[] = objectList<PendingRead>();
  /** Confirmed reads not yet reported in a Ready. */
  private readStates: ReadState[] = objectList<ReadState>();
  /** The latest read-confirmation round started; every append carries it once it is > 0. Invariant: never decreases. */
  private readRound = 0;
  /**
   * The appends that announce round `readRound` are still in the outbox (no Ready has handed them out), so a read
   * accepted now can share that round: nothing carrying it has left the node yet.
   */
  private readRoundUnsent = false;

  // Snapshots (Raft §7). The host takes them (compact()); followers receive them from the leader (InstallSnapshot).
  /** The newest snapshot this node holds (taken, installed or restored): what it sends a follower that lags. */
  private snapshot: Snapshot | null = null;
  /** An installed snapshot the next Ready hands the host to persist and restore; null when none. */
  private snapshotToPersist: Snapshot | null = null;
  /** The InstallSnapshot chunks received so far. */
  private readonly snapshotReceiver = new SnapshotReceiver();

  private pendingStableIndex = 0;
  private pendingApplied = 0;

  /** Throws if the options break their documented invariants (peers not ascending, id not among them…). */
  constructor(o: RaftNodeOptions) {
    if (!(Number.isSafeInteger(o.id) && o.id >= 1)) assertFail(`node id must be an integer >= 1, got ${o.id}`);
    for (let i = 1; i < o.peers.length; i++) {
      if (!((o.peers[i - 1] as number) < (o.peers[i] as number))) assertFail(`peers must be ascending and unique, got [${o.peers.join(', ')}]`);
    }
    if (!(Number.isSafeInteger(o.electionTicks) && o.electionTicks >= 1)) assertFail(`electionTicks must be an integer >= 1, got ${o.electionTicks}`);
    if (!(Number.isSafeInteger(o.heartbeatTicks) && o.heartbeatTicks >= 1)) assertFail(`heartbeatTicks must be an integer >= 1, got ${o.heartbeatTicks}`);
    this.id = o.id;
    this.random = o.random;
    this.electionTicks = o.electionTicks;
    this.heartbeatTicks = o.heartbeatTicks;
    this.preVote = o.preVote ?? false;
    this.checkQuorum = o.checkQuorum ?? false;
    this.bug = o.bug ?? '';
    this.safetyAsserts = o.bug === undefined;
    if (o.reuseReady === true) this.reused = new ReusedReady(NO_ENTRIES, NO_MESSAGES);
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
    // Thesis §4.1: the latest configuration in the stored log, else the snapshot's, else the bootstrap one.
    const base = (stored === undefined ? null : snapshotConfiguration(stored)) ?? bootstrapConfiguration(o.peers);
    this.history = new ConfigurationHistory(base, o.storage.entries);
    const fromPeers = this.history.latestIndex() === 0 && (stored === undefined || snapshotConfiguration(stored) === null);
    if (fromPeers && o.peers.length !== 0 && !o.peers.includes(o.id)) assertFail(`peers [${o.peers.join(', ')}] must include id ${o.id}`);
    this.syncConfiguration();
    this.resetTimers();
  }

  /** Advances the logical clock by one tick: may start an election or send heartbeats. */
  tick(): void {
    // Most ticks only count (a follower short of its election timeout, a leader between heartbeats): they change
    // nothing a Ready reports, so a node that was drained stays drained and the host's ready() is answered at once.
    const drained = this.drained;
    this.enter('tick');
    const counted = this.role === 'leader' ? this.tickLeader() : this.tickElection();
    if (counted) this.drained = drained;
  }

  /** Delivers a message from the network. Malformed, misaddressed and stale messages are ignored. */
  step(m: Message): void {
    this.enter('step');
    // Messages from nodes outside the configuration are handled like any other, as etcd does: a node that joined
    // learns of its leader this way, and a removed node that keeps campaigning is held off by PreVote and
    // CheckQuorum's lease, not by special cases (thesis §4.2.3).
    if (!isCoreMessage(m) || m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      const isVoteRequest = m.type === 'vote' || m.type === 'pre-vote';
      // CheckQuorum's leader lease (thesis §4.2.3): while a leader is known to be alive, a disrupting candidate
      // is ignored, so a rejoining node cannot depose a healthy leader. Not a campaign the leader itself asked for
      // by TimeoutNow (thesis §3.10; etcd's campaignTransfer).
      if (isVoteRequest && this.inLease() && m.transfer !== true) return;
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
      case 'timeout-now':
        // Thesis §3.10: the leader brought our log up to date and asks us to campaign now, without PreVote (the
        // voters would refuse a pre-vote while they hear the leader). Only a voter can; a leader has nothing to do.
        if (this.role !== 'leader' && this.promotable) this.campaign(false, true);
        return;
    }
  }

  /**
   * Appends `data` to the log if this node is the leader; otherwise names the leader it believes in. During a
   * leadership transfer (thesis §3.10) the leader refuses too and names the transfer's target: the node expected to
   * lead next, where a client retries (if the transfer fails, that node names this one back).
   */
  propose(data: string): ProposeResult {
    this.enter('propose');
    if (this.role !== 'leader') return { accepted: false, reason: 'not-leader', leaderHint: this.leader };
    if (this.transfer.active()) return { accepted: false, reason: 'not-leader', leaderHint: this.transfer.target() };
    return this.appendAsLeader(data);
  }

  /**
   * A configuration change (Raft thesis §4), for the `membership-change` capability. Accepted only on a leader
   * that is not transferring its leadership, has committed an entry of its own term (the single-server change bug
   * of 2015: a change that races an uncommitted one of an earlier leader can break overlap), and has no change
   * pending (its latest configuration entry is committed); refused also when `nextConfiguration` refuses the
   * request. A refusing follower names its leader; a refusing leader names itself (retry later) — the `not-leader`
   * shape of `propose`. The entry is `encodeConfEntry(next)` and in force as soon as appended (thesis §4.1); a
   * joint one (C_old,new) is followed by the leader's own C_new once committed (etcd's auto-leave).
   */
  proposeConfChange(request: ConfChangeRequest): ProposeResult {
    this.enter('proposeConfChange');
    if (this.role !== 'leader') return { accepted: false, reason: 'not-leader', leaderHint: this.leader };
    if (this.transfer.active()) return { accepted: false, reason: 'not-leader', leaderHint: this.transfer.target() };
    const refused: ProposeResult = { accepted: false, reason: 'not-leader', leaderHint: this.id };
    const current = this.activeConfiguration;
    if (current === null || this.history.latestIndex() > this.commit) return refused;
    if (!this.committedInTerm() && this.bug !== 'conf-change-before-own-term-commit') return refused;
    const next = nextConfiguration(current, request);
    if (typeof next === 'string') return refused;
    return this.appendAsLeader(encodeConfEntry(next));
  }

  /**
   * Leadership transfer to `target` (thesis §3.10), for the `leadership-transfer` capability. Returns false unless
   * this node is the leader and `target` is another voter of its configuration. Otherwise the leader stops
   * accepting proposals, brings `target` up to date and sends it a TimeoutNow once it holds the leader's whole log
   * (at once when it already does); the target campaigns at once and, winning, deposes this leader with its higher
   * term. A transfer not done within an election timeout is given up and proposals are accepted again. Asking
   * again for the same target changes nothing; for another target, the transfer starts over for that one.
   */
  transferLeadership(target: NodeId): boolean {
    this.enter('transferLeadership');
    if (this.role !== 'leader' || target === this.id || this.activeConfiguration === null || !isVoter(this.activeConfiguration, target)) return false;
    if (this.transfer.target() === target) return true;
    const pr = this.progressById[target];
    if (pr === undefined) return false;
    this.transfer.start(target);
    if (pr.match === this.log.lastIndex() || this.bug === 'transfer-to-lagging-target') this.sendTimeoutNow(target);
    // As a heartbeat would: from what the target acknowledged, so appends lost on the way are repaired now rather
    // than at the next heartbeat (a 'new' send has nothing to send while the lost ones count as in flight).
    else this.sendAppend(target, pr, 'heartbeat');
    return true;
  }

  /** Appends `data` as the leader and starts replicating it. */
  private appendAsLeader(data: string): ProposeResult {
    const index = this.log.lastIndex() + 1;
    const entry: Entry = { term: this.term, index, data };
    this.log.push(entry);
    // A configuration entry is in force as soon as appended (thesis §4.1), so the append below already goes to a
    // node it adds. Whatever proposes it: a client's raw 'conf:' data must not make the leader and its followers
    // (who read every appended entry) disagree on the configuration.
    if (this.history.noteAppended(entry)) this.syncConfiguration();
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
    this.enter('readIndex');
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
    this.enter('compact');
    if (!(snapshot.index <= this.applied)) assertFail(`compact(${snapshot.index}) beyond applied ${this.applied}`);
    this.log.compact(snapshot.index, snapshot.term);
    // The snapshot a follower is sent must carry the configuration at its index (thesis §5.1 / Raft §7): taken from
    // our own log, whatever the host wrote, since the follower adopts it.
    const configuration = this.history.atIndex(snapshot.index);
    this.history.compact(snapshot.index);
    this.snapshot = configuration === null ? snapshot : withConfiguration(snapshot, configuration);
  }

  /**
   * What the host must do next, or null when nothing. Throws if the previous Ready has not been advanced.
   * Messages always travel with (or after) the hard state and entries they depend on, so the host's
   * persist-then-send order makes them safe.
   */
  ready(): Ready | null {
    assert(!this.readyPending, 'ready() called again before advance()');
    if (this.drained) return null;
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
    const reused = this.reused;
    let messages = NO_MESSAGES;
    if (messageCount !== 0) {
      const outbox = this.outbox;
      // Most Readys carry one message, or one per follower of a 5-node cluster (a broadcast): an array literal of
      // that size is cheaper than a slice (~1.5% of a run for one and two; a broadcast's slice was 0.6% more).
      // With reuse on, the same three arrays are refilled instead.
      if (messageCount === 1) messages = reused === null ? [outbox[0] as Message] : reused.messages1(outbox[0] as Message);
      else if (messageCount === 2) messages = reused === null ? [outbox[0] as Message, outbox[1] as Message] : reused.messages2(outbox[0] as Message, outbox[1] as Message);
      else if (messageCount === 4) {
        messages =
          reused === null
            ? [outbox[0] as Message, outbox[1] as Message, outbox[2] as Message, outbox[3] as Message]
            : reused.messages4(outbox[0] as Message, outbox[1] as Message, outbox[2] as Message, outbox[3] as Message);
      } else messages = outbox.slice(0, messageCount) as Message[];
      for (let i = 0; i < messageCount; i++) outbox[i] = undefined;
      this.outboxCount = 0;
    }
    this.readRoundUnsent = false;
    const entries = hasUnstable ? this.log.unstableEntries() : NO_ENTRIES;
    const committedEntries = applyTo > this.applied ? this.log.between(this.applied + 1, applyTo) : NO_ENTRIES;
    let readStates: readonly ReadState[] | undefined;
    if (hasReads) {
      readStates = this.readStates;
      this.readStates = objectList<ReadState>();
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
    const ready =
      reused === null
        ? makeReady(entries, messages, committedEntries, readStates, softState, hardState, snapshot ?? undefined)
        : reused.fill(entries, messages, committedEntries, readStates, softState, hardState, snapshot ?? undefined);
    this.snapshotToPersist = null;
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
    if (this.role === 'leader' && this.maybeCommit()) this.commitAdvanced();
    // The Ready just handled carried every change made before it (ready() marked them all reported, advance() the
    // entries stable and applied): unless the commit moved here, the next ready() has nothing to say.
    else this.drained = true;
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

  /**
   * The configuration in force on this node (thesis §4.1: its log's latest), null before a joining node learns
   * one. For display and tests: checkers derive configurations from the logged entries, never from this.
   */
  configuration(): Configuration | null {
    return this.activeConfiguration;
  }

  // ---- timers --------------------------------------------------------------------------------------------

  /** A follower's or (pre-)candidate's tick; true when it only counted (no message, no campaign). */
  private tickElection(): boolean {
    this.electionElapsed++;
    let counted = true;
    if ((this.role === 'candidate' || this.role === 'pre-candidate') && ++this.heartbeatElapsed >= this.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.requestVotes(this.role === 'pre-candidate', true, false);
      counted = false;
    }
    if (this.electionElapsed < this.randomizedElectionTimeout) return counted;
    // A learner, a removed node and a node that has no configuration yet never campaign (etcd's promotable). Their
    // electionElapsed keeps growing, as in etcd's tickElection, so the leader they last heard stops counting as
    // recent: restarting it at 0 kept a joined node that never campaigns inside its leader lease for good (its
    // timeout can be exactly electionTicks), refusing every pre-vote and vote after that leader stepped down.
    if (!(this.promotable || this.removedByPendingChange())) return counted;
    this.electionElapsed = 0;
    this.campaign(this.preVote, false);
    return false;
  }

  /**
   * True when the latest configuration entry in this node's log removed it as a voter and the node does not know
   * that entry committed. Such a node may still campaign, counting votes in that configuration (without itself),
   * just as a removed leader keeps leading until C_new commits (thesis §4.2.2). Without this, a leader that appends
   * its own removal and steps down (CheckQuorum, a crash) before any remaining voter stores the entry deadlocks the
   * cluster for good: it may not campaign, and the voters still in C_old need its vote, which its longer log refuses
   * them (found on a 2-node cluster removing its leader: default swarm seed 848). Once elected it commits C_new
   * with an entry of its term and steps down.
   */
  private removedByPendingChange(): boolean {
    const latest = this.activeConfiguration;
    if (latest === null || this.bug === 'conf-from-committed') return false;
    const at = this.history.latestIndex();
    if (at <= this.commit) return false;
    const previous = this.history.atIndex(at - 1);
    return previous !== null && isVoter(previous, this.id) && !isVoter(latest, this.id);
  }

  /**
   * A leader's tick; true when it only counted (no heartbeat, no stepping down). Giving up a transfer is not reported
   * in a Ready: it only lets proposals in again.
   */
  private tickLeader(): boolean {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    // Thesis §3.10: a transfer not done within an election timeout is given up; proposals are accepted again.
    this.transfer.tick(this.electionTicks);
    if (this.electionElapsed >= this.electionTicks) {
      this.electionElapsed = 0;
      // The stale-read bug keeps a partitioned leader leading, so it goes on serving stale reads.
      if (this.checkQuorum && this.bug !== 'stale-read' && !this.quorumActive()) {
        this.becomeFollower(this.term, 0);
        return false;
      }
    }
    if (this.heartbeatElapsed < this.heartbeatTicks) return true;
    this.heartbeatElapsed = 0;
    this.bcastAppend('heartbeat');
    return false;
  }

  /**
   * Did a quorum respond since the last check: a majority of each half of the configuration, counting self where
   * it is a voter (thesis §4.3)? Clears the marks for the next round.
   */
  private quorumActive(): boolean {
    const active = this.activeHalf(this.incomingVoters) && (this.outgoingVoters.length === 0 || this.activeHalf(this.outgoingVoters));
    // Indexed loops over the member arrays (NO_IDS is frozen) here and below: a for-of over a frozen array allocated an
    // iterator result per element even in optimised code.
    const progress = this.followerProgress;
    for (let i = 0; i < progress.length; i++) (progress[i] as Progress).recentActive = false;
    return active;
  }

  private activeHalf(voters: readonly NodeId[]): boolean {
    let active = 0;
    for (let i = 0; i < voters.length; i++) {
      const p = voters[i] as NodeId;
      if (p === this.id || (this.progressById[p] as Progress).recentActive) active++;
    }
    return active >= quorumSize(voters.length);
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

  // ---- membership (thesis §4) ----------------------------------------------------------------------------

  /**
   * Puts in force the configuration the log says (the latest entry; under the conf-from-committed bug the latest
   * committed one). Cheap when nothing changed: the history hands back the same object.
   */
  private syncConfiguration(): void {
    const next = this.bug === 'conf-from-committed' ? this.history.atIndex(this.commit) : this.history.latest();
    if (next !== this.activeConfiguration) this.applyConfiguration(next);
  }

  /**
   * Derives the members, the two halves' voters and the progress entries from `next`: a member keeps its
   * progress, a new one gets a fresh one (probing from the leader's last index when this node leads), a departed
   * one loses it. The halves carry two planted bugs: joint-new-majority-only drops C_old's half, and
   * learner-vote-counted counts learners among C_new's voters.
   */
  private applyConfiguration(next: Configuration | null): void {
    this.activeConfiguration = next;
    // Loops rather than filter/map closures and Sets: this runs once per node start (and per configuration
    // change), mostly before the optimiser has seen it, where every closure call and spread is slow.
    const members = next === null ? [] : without(allMembers(next), this.id);
    const progress: Progress[] = [];
    for (let i = 0; i < members.length; i++) progress.push(this.progressById[members[i] as NodeId] ?? this.newProgress());
    for (let i = 0; i < this.followers.length; i++) this.progressById[this.followers[i] as NodeId] = undefined;
    for (let i = 0; i < members.length; i++) this.progressById[members[i] as NodeId] = progress[i];
    // Not frozen (the types keep them read-only): Object.freeze on an array is a runtime call that moves it to
    // frozen elements, and a node start made three of them.
    this.followers = members;
    this.followerProgress = progress;
    let incoming: readonly NodeId[] = next?.voters ?? NO_IDS;
    if (next !== null && this.bug === 'learner-vote-counted') incoming = [...incoming, ...next.learners].sort((a, b) => a - b);
    const outgoing = next === null || this.bug === 'joint-new-majority-only' ? NO_IDS : next.outgoing;
    this.incomingVoters = incoming;
    this.outgoingVoters = outgoing;
    this.incomingScratch = zeros(incoming.length);
    this.outgoingScratch = zeros(outgoing.length);
    this.voteTargets = without(allVoters({ voters: incoming, learners: NO_IDS, outgoing }), this.id);
    this.promotable = next !== null && isVoter(next, this.id);
    const target = this.transfer.target();
    if (target !== 0 && (next === null || !isVoter(next, target))) this.transfer.clear();
  }

  private newProgress(): Progress {
    const pr = new Progress();
    if (this.role === 'leader') {
      pr.reset(this.log.lastIndex());
      // A member added while we lead counts as recently active until the next CheckQuorum round (etcd-raft does
      // the same): it has had no chance to answer yet, and counting it silent would make a leader that just
      // added a voter step down at the next round although nothing failed.
      pr.recentActive = true;
    }
    return pr;
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
    this.transfer.clear();
    // Unconfirmed reads cannot be confirmed any more: this node no longer knows it leads.
    // Only when there are any: a store to an array's length is a runtime call even when it changes nothing.
    if (this.pendingReads.length !== 0) this.pendingReads.length = 0;
    this.readRoundUnsent = false;
  }

  /**
   * Starts a pre-vote round (`pre`) or a real election (Raft §5.2); `transfer` marks one a TimeoutNow started
   * (thesis §3.10), whose requests voters answer despite CheckQuorum's lease.
   */
  private campaign(pre: boolean, transfer: boolean): void {
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
    this.campaignTransfer = transfer;
    if (this.tallyVotes()) return;
    this.requestVotes(pre, false, transfer);
  }

  /**
   * Sends (pre-)vote requests for the current campaign. With `onlySilent`, only to voters that have not
   * answered yet: Raft §5.1, servers retry RPCs that get no timely response, so one lost request does not
   * cost a whole election timeout.
   */
  private requestVotes(pre: boolean, onlySilent: boolean, transfer: boolean): void {
    const type = pre ? 'pre-vote' : 'vote';
    const term = pre ? this.term + 1 : this.term;
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    // Re-sent requests of a transfer campaign keep its flag: a lost first request must not meet the lease.
    const flagged = transfer || (!pre && this.campaignTransfer);
    const targets = this.voteTargets;
    for (let i = 0; i < targets.length; i++) {
      const to = targets[i] as NodeId;
      if (onlySilent && this.votes.has(to)) continue;
      this.emit(voteMessage(type, this.id, to, term, lastLogIndex, lastLogTerm, flagged ? true : undefined));
    }
  }

  /** Acts on the election outcome so far; true when the campaign ended. */
  private tallyVotes(): boolean {
    // A majority of each half of the configuration (thesis §4.3); the halves hold the planted bugs' miscounts.
    const halves: Configuration = { voters: this.incomingVoters, learners: NO_IDS, outgoing: this.outgoingVoters };
    const result = jointVoteResult(halves, (id) => this.votes.get(id));
    if (result === 'won') {
      if (this.role === 'pre-candidate') this.campaign(false, false);
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
    this.transfer.clear();
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
    if (!this.voteTargets.includes(m.from)) return; // not a voter we asked: its answer counts for nothing
    this.votes.set(m.from, !m.reject);
    this.tallyVotes();
  }

  private sendVoteResponse(to: NodeId, type: VoteResponseMessage['type'], term: number, reject: boolean): void {
    this.emit(voteResponseMessage(type, this.id, to, term, reject));
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
        this.appendFromLeader(m.entries, last - m.prevLogIndex);
      } else {
        // assertFail, not assert: assert's message argument, a template literal, was built on every append.
        if (this.safetyAsserts && !(conflict > this.commit)) assertFail(`append conflicts with committed entry ${conflict} (commit ${this.commit})`);
        this.appendFromLeader(m.entries, conflict - m.prevLogIndex - 1);
      }
    }
    // Figure 2: commitIndex = min(leaderCommit, index of last new entry); never beyond what this append proved.
    const newCommit = Math.min(m.commit, lastNew);
    if (newCommit > this.commit) {
      this.commit = newCommit;
      if (this.bug === 'conf-from-committed') this.syncConfiguration();
    }
    this.sendAppendResponse(m.from, false, lastNew, 0, 0, m.ctx);
  }

  /**
   * Writes `ents[from..]` into the log (truncating a conflicting suffix first) and keeps the configuration in step
   * (thesis §4.1): a configuration entry appended is in force at once; truncating one falls back to the latest that
   * remains.
   */
  private appendFromLeader(ents: readonly Entry[], from: number): void {
    const first = ents[from];
    if (first === undefined) return;
    let changed = first.index <= this.log.lastIndex() && this.history.truncateFrom(first.index);
    this.log.truncateAndAppend(ents, from);
    for (let i = from; i < ents.length; i++) {
      if (this.history.noteAppended(ents[i] as Entry)) changed = true;
    }
    if (changed) this.syncConfiguration();
  }

  /** `ctx` echoes the append's read round (rejections echo it too: they prove our term just as well). */
  private sendAppendResponse(to: NodeId, reject: boolean, index: number, hintIndex: number, hintTerm: number, ctx: number | undefined): void {
    this.emit(appendResponseMessage(this.id, to, this.term, reject, index, hintIndex, hintTerm, ctx));
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
      if (this.maybeCommit()) this.commitAdvanced();
      else this.sendAppend(m.from, pr, 'new');
      this.maybeSendTimeoutNow(m.from, pr);
      return;
    }
    const wasProbe = pr.state === 'probe';
    if (pr.maybeUpdate(m.index) || (wasProbe && pr.match === m.index)) {
      if (pr.state === 'probe') pr.becomeReplicate();
      if (this.maybeCommit()) {
        this.commitAdvanced();
        this.maybeSendTimeoutNow(m.from, pr);
        return;
      }
    }
    this.sendAppend(m.from, pr, 'new');
    this.maybeSendTimeoutNow(m.from, pr);
  }

  /** Thesis §3.10: once the transfer's target holds the leader's whole log, tell it to campaign now. */
  private maybeSendTimeoutNow(from: NodeId, pr: Progress): void {
    if (this.role === 'leader' && this.transfer.target() === from && pr.match === this.log.lastIndex()) this.sendTimeoutNow(from);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.emit(timeoutNowMessage(this.id, to, this.term));
  }

  /**
   * The leader's commit index moved: tell the followers, and act on a configuration entry it committed. Once
   * C_old,new is committed the leader appends C_new itself (thesis §4.3, etcd's auto-leave), in the same
   * broadcast; once a configuration without this node as a voter is committed, it steps down (thesis §4.2.2),
   * after telling the followers the commit.
   */
  private commitAdvanced(): void {
    const configuration = this.activeConfiguration;
    const settled = configuration !== null && this.history.latestIndex() <= this.commit;
    if (settled && isJoint(configuration)) {
      const leave: Entry = { term: this.term, index: this.log.lastIndex() + 1, data: encodeConfEntry(leaveJoint(configuration)) };
      this.log.push(leave);
      this.history.noteAppended(leave);
      this.syncConfiguration();
    }
    this.bcastAppend('commit');
    if (settled && !isJoint(configuration) && !isVoter(configuration, this.id)) this.becomeFollower(this.term, 0);
  }

  /**
   * Advances commit to the highest index stored on a majority, but only by counting replicas of an entry of the
   * current term (Raft §5.4.2, Figure 8); older entries commit with it. The leader's own replica counts once
   * stable. Returns true when commit moved.
   */
  private maybeCommit(): boolean {
    // Most calls (an acknowledgement of what is committed already, an advance with nothing new of its own) find
    // nothing: counting whether a quorum holds anything beyond commit is one pass, without the sort below.
    if (!this.jointQuorumReaches(this.commit + 1, false)) return false;
    const index = this.quorumIndex(false);
    if (index <= this.commit) return false;
    if (this.bug !== 'figure8-commit' && this.log.termAt(index) !== this.term) return false;
    this.commit = index;
    if (this.bug === 'conf-from-committed') this.syncConfiguration();
    this.settleReadIndexes();
    return true;
  }

  /**
   * The highest value a majority of each half of the configuration holds (thesis §4.3): match indexes (the
   * leader's own counting once stable), or with `reads` acknowledged read rounds (the leader counting itself for
   * every round it started). The leader counts only in a half it is a voter of (thesis §4.2.2: a leader being
   * removed manages C_new without counting itself). On the reused scratch arrays: allocates nothing.
   */
  private quorumIndex(reads: boolean): number {
    this.fillHalf(this.incomingVoters, this.incomingScratch, reads);
    this.fillHalf(this.outgoingVoters, this.outgoingScratch, reads);
    return jointCommitted(this.incomingScratch, this.outgoingScratch);
  }

  /**
   * Whether a majority of each half of the configuration holds at least `min`: `quorumIndex(reads) >= min` (the
   * q-th largest value reaches `min` exactly when q values do), counted in one pass without sorting.
   */
  private jointQuorumReaches(min: number, reads: boolean): boolean {
    return this.quorumReaches(this.incomingVoters, min, reads) && (this.outgoingVoters.length === 0 || this.quorumReaches(this.outgoingVoters, min, reads));
  }

  /** Whether a majority of `voters` holds at least `min`, each counted as fillHalf reads it. */
  private quorumReaches(voters: readonly NodeId[], min: number, reads: boolean): boolean {
    let count = 0;
    for (let i = 0; i < voters.length; i++) {
      const p = voters[i] as NodeId;
      let value: number;
      if (p === this.id) value = reads ? this.readRound : this.log.stableIndex();
      else {
        const pr = this.progressById[p] as Progress;
        value = reads ? pr.readAcked : pr.match;
      }
      if (value >= min) count++;
    }
    return count >= quorumSize(voters.length);
  }

  private fillHalf(voters: readonly NodeId[], scratch: number[], reads: boolean): void {
    for (let i = 0; i < voters.length; i++) {
      const p = voters[i] as NodeId;
      if (p === this.id) scratch[i] = reads ? this.readRound : this.log.stableIndex();
      else {
        const pr = this.progressById[p] as Progress;
        scratch[i] = reads ? pr.readAcked : pr.match;
      }
    }
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
    // Indexed loops over the pending reads: a for-of's inlined iterator protocol is code TurboFan compiles for nothing.
    const pending = this.pendingReads;
    for (let i = 0; i < pending.length; i++) {
      const r = pending[i] as PendingRead;
      if (r.index !== 0) break;
      r.index = this.commit;
    }
    this.releaseReads();
  }

  /** Moves to `readStates`, oldest first, the reads with a known index whose round a quorum has acknowledged. */
  private releaseReads(): void {
    if (this.pendingReads.length === 0) return;
    // Nothing goes unless the oldest read goes: it has an index, and a quorum acknowledged its round (counted
    // without sorting, as most acknowledgements release nothing).
    const first = this.pendingReads[0] as PendingRead;
    if (first.index === 0 || !this.jointQuorumReaches(first.round, true)) return;
    const acked = this.quorumAckedRound();
    const pending = this.pendingReads;
    let released = 0;
    for (; released < pending.length; released++) {
      const r = pending[released] as PendingRead;
      if (r.index === 0 || r.round > acked) break; // rounds are nondecreasing and index-0 reads come first
      this.readStates.push({ requestId: r.requestId, index: r.index });
    }
    if (released !== 0) this.pendingReads.splice(0, released);
  }

  /** The highest read round acknowledged by a quorum, the leader counting itself for every round it started. */
  private quorumAckedRound(): number {
    return this.quorumIndex(true);
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
    const kept = this.log.restore(snapshot.index, snapshot.term, this.bug !== 'snapshot-drops-suffix');
    if (snapshot.index > this.commit) this.commit = snapshot.index;
    this.applied = snapshot.index;
    this.snapshot = snapshot;
    this.snapshotToPersist = snapshot;
    // The snapshot's configuration is in force, unless the suffix kept after it holds a later one (thesis §4.1).
    const suffix = kept === 0 ? NO_ENTRIES : this.log.between(snapshot.index + 1, this.log.lastIndex());
    this.history.restore(snapshotConfiguration(snapshot) ?? this.history.atIndex(snapshot.index), snapshot.index, suffix);
    this.syncConfiguration();
  }

  private sendSnapshotResponse(to: NodeId, snapshotIndex: number, received: number): void {
    this.emit(snapshotResponseMessage(this.id, to, this.term, snapshotIndex, received));
  }

  /** Sends one append of entries (prev, min(hi, prev + MAX)]; returns the index of the last entry sent (or prev). */
  private sendEntries(to: NodeId, prev: number, hi: number): number {
    const entries = this.log.slice(prev + 1, hi, MAX_ENTRIES_PER_MESSAGE);
    const prevLogTerm = this.log.termAt(prev);
    // Every append carries the latest read round once there is one, so a lost read heartbeat is retried by the
    // next heartbeat.
    this.emit(appendMessage(this.id, to, this.term, prev, prevLogTerm, entries, this.commit, this.readRound === 0 ? undefined : this.readRound));
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

  /**
   * Every public call that may change the node's state starts here: none is allowed between ready() and advance(),
   * and whatever it changes, the next ready() must look (the node is no longer `drained`).
   */
  private enter(call: string): void {
    if (!(!this.readyPending)) assertFail(`${call}() called between ready() and advance()`);
    this.drained = false;
  }
}
