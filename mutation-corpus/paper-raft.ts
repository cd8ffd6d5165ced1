/**
 * A second Raft, written from the paper (Ongaro & Ousterhout 2014, Figure 2) and the thesis (Ongaro 2014:
 * §4.2.3 leader lease on votes, §6.2 CheckQuorum, §6.4 ReadIndex, §9.6 PreVote) rather than from our core,
 * so the mutation corpus measures Seaworthy on code that was not written together with its scenarios.
 *
 * It is deliberately different from `core/raft-node.ts`: the paper's RPC names and fields (`RequestVote`
 * with a `preVote` flag, `AppendEntries` with `leaderCommit`), the back-off the paper suggests at the end of
 * §5.3 (a rejection names the conflicting term and the first index the follower stores for it, and the leader
 * goes straight there, or to a shorter follower's end), no re-sent vote requests within a term (as etcd-raft), follow-up appends only
 * when a reply tells something new, a leader lease that drops vote requests, CheckQuorum by activity marks,
 * and a commit rule that scans down from the last index. It implements `sim/contract.ts` as a user would, and imports only its types.
 *
 * Every planted bug is one line guarded by `this.bug['<name>']` (see `mutations.ts`).
 */
import type { CreateInit, Entry, HardState, Message, NodeId, ProposeResult, RaftInstance, Ready, ReadState, Role, Status } from '../sim/contract.js';
import type { MutationFlags } from './mutations.js';

/**
 * The budget of one AppendEntries, in bytes of entries (etcd-raft's `MaxSizePerMsg`, hashicorp/raft's
 * `MaxAppendEntries` by count): a far-behind follower catches up in bounded messages, each carrying at least one
 * entry. Scaled to the simulator's commands (about 60 bytes) as production budgets are to theirs (1 MB against
 * entries of a few KB): a catch-up across a leader change takes several messages, as it does in production where
 * a deposed leader's uncommitted tail holds thousands of entries.
 */
const APPEND_BYTES_MAX = 128;
/** What an entry costs against the budget besides its data: its index and term, as a wire format frames them. */
const ENTRY_OVERHEAD_BYTES = 16;

interface RequestVote extends Message {
  readonly type: 'RequestVote';
  /** A pre-vote (thesis §9.6) asks "would you vote for me in `term`?" and changes no state. */
  readonly preVote: boolean;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

interface RequestVoteReply extends Message {
  readonly type: 'RequestVoteReply';
  readonly preVote: boolean;
  readonly voteGranted: boolean;
}

interface AppendEntries extends Message {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
  /** The leader's read round when it sent this; echoed in the reply to confirm leadership (thesis §6.4). */
  readonly readRound: number;
}

interface AppendEntriesReply extends Message {
  readonly type: 'AppendEntriesReply';
  readonly success: boolean;
  /** The request's prevLogIndex, so the leader can tell a stale rejection from a current one. */
  readonly prevLogIndex: number;
  /** On success: the last index known to match the leader's log. */
  readonly matchIndex: number;
  /** The follower's last index, so a leader backs off straight to a shorter follower's end. */
  readonly lastLogIndex: number;
  /**
   * On a rejection at an index the follower stores: the term of its entry there, and the first index it stores
   * for that term (Raft §5.3, last paragraph); 0 and 0 otherwise.
   */
  readonly conflictTerm: number;
  readonly conflictIndex: number;
  readonly readRound: number;
}

/** A rejection's back-off hint: the follower's term at the probed index and its first index of that term. */
interface Conflict {
  readonly term: number;
  readonly index: number;
}

const NO_CONFLICT: Conflict = Object.freeze({ term: 0, index: 0 });

interface PendingRead {
  readonly requestId: number;
  /** Released once a quorum has answered an append of this round or later, in this term. */
  readonly round: number;
}

/** Leader-only bookkeeping (Raft Figure 2's volatile state on leaders), rebuilt on every election. */
interface LeaderState {
  /** Invariant: matchIndex(p) < nextIndex(p) <= lastIndex + 1. */
  readonly nextIndex: Map<NodeId, number>;
  readonly matchIndex: Map<NodeId, number>;
  /** Highest read round each follower has answered in this term. */
  readonly ackedRound: Map<NodeId, number>;
  /** Followers heard from since the last CheckQuorum (thesis §6.2). */
  readonly active: Set<NodeId>;
  checkQuorumElapsed: number;
  heartbeatElapsed: number;
  pendingReads: PendingRead[];
}

/** One node of the paper Raft. */
export class PaperRaftNode implements RaftInstance {
  private readonly id: NodeId;
  private readonly peers: readonly NodeId[];
  private readonly others: readonly NodeId[];
  private readonly random: () => number;
  private readonly electionTicks: number;
  private readonly heartbeatTicks: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly bug: MutationFlags;

  // Persistent state (Figure 2). `term`/`vote` are the in-memory values; `durable` is what the next Ready writes.
  private term: number;
  private vote: NodeId | 0;
  /** Invariant: log[i - 1].index === i. */
  private log: Entry[];
  /** Invariant: only grows within an incarnation; <= log.length. */
  private commit: number;
  /** Term and vote as they will be written: updated by `syncDurable()` wherever Raft must persist them. */
  private durable: { term: number; vote: NodeId | 0 };

  private role: Role = 'follower';
  private leaderId: NodeId | 0 = 0;
  /** Starts at 0 on every start: the host's state machine is volatile, so the committed prefix is re-delivered. */
  private applied = 0;
  private electionElapsed = 0;
  private electionTimeoutTicks: number;
  /** Ticks since a valid AppendEntries from the current leader; the lease of thesis §4.2.3. */
  private leaderContactElapsed: number;
  private votes = new Set<NodeId>();
  private leaderState: LeaderState | null = null;
  /** Monotonic within an incarnation; a read waits for a quorum to answer a round at least its own. */
  private readRound = 0;

  /** First index the host has not persisted; lowered to a conflict index when a follower truncates. */
  private firstUnstable: number;
  private outbox: Message[] = [];
  private readStates: ReadState[] = [];
  private reportedHard: HardState;
  private reportedRole: Role = 'follower';
  private reportedLeader: NodeId | 0 = 0;
  private inFlight: Ready | null = null;

  constructor(init: CreateInit, options: { readonly preVote: boolean; readonly checkQuorum: boolean; readonly bug: MutationFlags }) {
    this.id = init.id;
    this.peers = init.peers;
    this.others = init.peers.filter((p) => p !== init.id);
    this.random = init.random;
    this.electionTicks = init.electionTicks;
    this.heartbeatTicks = init.heartbeatTicks;
    this.preVote = options.preVote;
    this.checkQuorum = options.checkQuorum;
    this.bug = options.bug;
    const { hardState, entries } = init.storage;
    this.log = entries.slice();
    const lastTerm = this.termAt(this.log.length);
    this.term = this.bug['term-backwards-after-restart'] === true ? lastTerm : hardState.term;
    // A vote belongs to its term: if the restored term is not the stored one, the stored vote says nothing.
    this.vote = this.term === hardState.term ? hardState.vote : 0;
    this.commit = Math.min(hardState.commit, this.log.length);
    this.durable = { term: this.term, vote: this.vote };
    this.reportedHard = hardState;
    this.firstUnstable = this.log.length + 1;
    this.electionTimeoutTicks = this.randomTimeout();
    // No lease at start: a restarted node has heard from no leader in this incarnation.
    this.leaderContactElapsed = this.electionTicks;
  }

  // ---- inputs ----

  tick(): void {
    this.leaderContactElapsed++;
    if (this.role === 'leader') {
      this.tickLeader();
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeoutTicks) {
      if (this.preVote) this.startPreVote();
      else this.campaign();
    }
  }

  step(message: Message): void {
    switch (message.type) {
      case 'RequestVote':
        this.onRequestVote(message as RequestVote);
        return;
      case 'RequestVoteReply':
        this.onRequestVoteReply(message as RequestVoteReply);
        return;
      case 'AppendEntries':
        this.onAppendEntries(message as AppendEntries);
        return;
      case 'AppendEntriesReply':
        this.onAppendEntriesReply(message as AppendEntriesReply);
        return;
      default:
        // An unknown message type is dropped, as a real server drops a malformed RPC.
        return;
    }
  }

  propose(data: string): ProposeResult {
    if (this.role !== 'leader') return { accepted: false, reason: 'not-leader', leaderHint: this.leaderId };
    const entry: Entry = { term: this.term, index: this.log.length + 1, data };
    this.log.push(entry);
    if (this.bug['commit-on-propose'] === true) this.commit = entry.index;
    this.advanceCommit();
    for (const peer of this.others) this.sendAppend(peer);
    return { accepted: true, index: entry.index, term: entry.term };
  }

  readIndex(requestId: number): boolean {
    const leader = this.leaderState;
    if (this.role !== 'leader' || leader === null) return false;
    if (this.bug['read-without-confirm'] === true) {
      this.readStates.push({ requestId, index: this.commit });
      return true;
    }
    this.readRound++;
    leader.pendingReads.push({ requestId, round: this.readRound });
    // A heartbeat round carrying the new read round; a one-node cluster confirms at once.
    for (const peer of this.others) this.sendAppend(peer);
    this.releaseReads();
    return true;
  }

  // ---- the Ready cycle ----

  ready(): Ready | null {
    if (this.inFlight !== null) throw new Error('ready() called twice without advance()');
    const hard: HardState = { term: this.durable.term, vote: this.durable.vote, commit: this.commit };
    const prev = this.reportedHard;
    const hardChanged = hard.term !== prev.term || hard.vote !== prev.vote || hard.commit !== prev.commit;
    const softChanged = this.role !== this.reportedRole || this.leaderId !== this.reportedLeader;
    const acking = this.outbox.some((m) => m.type === 'AppendEntriesReply' && (m as AppendEntriesReply).success);
    const entries = this.bug['ack-before-persist'] === true && acking ? [] : this.log.slice(this.firstUnstable - 1);
    const applyTo = this.bug['apply-uncommitted'] === true && this.role === 'follower' ? this.log.length : this.commit;
    const committedEntries = this.log.slice(this.applied, applyTo);
    const readStates = this.readStates;
    if (!hardChanged && !softChanged && entries.length === 0 && this.outbox.length === 0 && committedEntries.length === 0 && readStates.length === 0) return null;
    const ready: Ready = {
      ...(softChanged ? { softState: { role: this.role, leader: this.leaderId } } : {}),
      ...(hardChanged ? { hardState: hard } : {}),
      entries,
      messages: this.outbox,
      committedEntries,
      ...(readStates.length > 0 ? { readStates } : {}),
    };
    this.outbox = [];
    this.readStates = [];
    this.inFlight = ready;
    return ready;
  }

  advance(): void {
    const done = this.inFlight;
    if (done === null) throw new Error('advance() without a Ready');
    this.inFlight = null;
    if (done.hardState !== undefined) this.reportedHard = done.hardState;
    if (done.softState !== undefined) {
      this.reportedRole = done.softState.role;
      this.reportedLeader = done.softState.leader;
    }
    // No input arrives between ready() and advance(), so the log cannot have changed since the Ready was built.
    const lastPersisted = done.entries[done.entries.length - 1];
    if (lastPersisted !== undefined) this.firstUnstable = lastPersisted.index + 1;
    const lastApplied = done.committedEntries[done.committedEntries.length - 1];
    if (lastApplied !== undefined) this.applied = lastApplied.index;
  }

  status(): Status {
    return { id: this.id, term: this.term, role: this.role, leader: this.leaderId, commit: this.commit, applied: this.applied, lastIndex: this.log.length };
  }

  // ---- elections (Raft §5.2, thesis §9.6) ----

  private startPreVote(): void {
    this.role = 'pre-candidate';
    this.leaderId = 0;
    this.leaderState = null;
    this.resetElectionTimer();
    this.votes = new Set([this.id]);
    if (this.wonVotes()) {
      this.campaign();
      return;
    }
    this.broadcastVoteRequest(true, this.term + 1);
  }

  private campaign(): void {
    this.role = 'candidate';
    this.term++;
    this.vote = this.id;
    this.syncDurable();
    this.leaderId = 0;
    this.leaderState = null;
    this.resetElectionTimer();
    this.votes = new Set([this.id]);
    if (this.wonVotes()) {
      this.becomeLeader();
      return;
    }
    // Sent once per term (as etcd-raft, unlike our core): a lost request waits for the next election timeout.
    this.broadcastVoteRequest(false, this.term);
  }

  private broadcastVoteRequest(preVote: boolean, term: number): void {
    const lastLogIndex = this.log.length;
    const lastLogTerm = this.termAt(lastLogIndex);
    for (const to of this.others) {
      const m: RequestVote = { type: 'RequestVote', from: this.id, to, term, preVote, lastLogIndex, lastLogTerm };
      this.outbox.push(m);
    }
  }

  private onRequestVote(m: RequestVote): void {
    // Thesis §4.2.3: while a leader is heard from, vote requests are disregarded, so a node that rejoins after a
    // partition cannot depose it. Only with CheckQuorum, whose step-downs keep the lease honest.
    // A leader is always in its own lease: CheckQuorum deposes it within an election timeout of losing a quorum.
    const heardLeader = this.role === 'leader' || (this.leaderId !== 0 && this.leaderContactElapsed < this.electionTicks);
    const inLease = this.bug['no-leader-lease'] !== true && this.checkQuorum && heardLeader;
    if (m.term > this.term && inLease) return;
    const termBefore = this.term;
    if (m.term > this.term && (!m.preVote || this.bug['pre-vote-bumps-term'] === true)) this.becomeFollower(m.term, 0);
    const myLastIndex = this.log.length;
    const myLastTerm = this.termAt(myLastIndex);
    const logOk =
      this.bug['strict-vote-log-check'] === true
        ? m.lastLogTerm >= myLastTerm && m.lastLogIndex >= myLastIndex
        : m.lastLogTerm > myLastTerm || (m.lastLogTerm === myLastTerm && m.lastLogIndex >= myLastIndex);
    const upToDate = logOk || this.bug['vote-ignores-log'] === true;
    if (m.preVote) {
      // Judged against the term held when the request arrived (a pre-vote changes no state, §9.6).
      const granted = m.term > termBefore && upToDate;
      if (granted && this.bug['pre-vote-resets-timer'] === true) this.electionElapsed = 0;
      this.reply({ type: 'RequestVoteReply', from: this.id, to: m.from, term: granted ? m.term : this.term, preVote: true, voteGranted: granted });
      return;
    }
    const free = this.vote === 0 || this.vote === m.from || this.bug['double-vote'] === true;
    const granted = m.term === this.term && upToDate && free;
    if (granted) {
      this.vote = m.from;
      if (this.bug['vote-not-persisted'] !== true) this.syncDurable();
      // Figure 2: granting a vote restarts the election timer.
      this.resetElectionTimer();
    }
    this.reply({ type: 'RequestVoteReply', from: this.id, to: m.from, term: this.term, preVote: false, voteGranted: granted });
  }

  private onRequestVoteReply(m: RequestVoteReply): void {
    // A granted pre-vote carries the future term; only a refusal's higher term is news.
    if (m.term > this.term && !(m.preVote && m.voteGranted)) {
      this.becomeFollower(m.term, 0);
      return;
    }
    if (m.preVote) {
      if (this.role !== 'pre-candidate' || !m.voteGranted || m.term !== this.term + 1) return;
      this.votes.add(m.from);
      if (this.wonVotes()) this.campaign();
      return;
    }
    if (this.role !== 'candidate' || !m.voteGranted) return;
    if (m.term !== this.term && this.bug['stale-vote-reply'] !== true) return;
    this.votes.add(m.from);
    if (this.wonVotes()) this.becomeLeader();
  }

  private wonVotes(): boolean {
    return this.votes.size >= this.quorum();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    const lastIndex = this.log.length;
    this.leaderState = {
      nextIndex: new Map(this.others.map((p) => [p, lastIndex + 1])),
      matchIndex: new Map(this.others.map((p) => [p, 0])),
      ackedRound: new Map(this.others.map((p) => [p, 0])),
      active: new Set(),
      checkQuorumElapsed: 0,
      heartbeatElapsed: 0,
      pendingReads: [],
    };
    // Raft §8: a no-op of the new term lets the leader commit (and serve reads) without waiting for a client.
    this.log.push({ term: this.term, index: lastIndex + 1, data: '' });
    this.advanceCommit();
    for (const peer of this.others) this.sendAppend(peer);
  }

  /** Becomes a follower of `term` (>= the current term); a higher term clears the vote (Figure 2). */
  private becomeFollower(term: number, leader: NodeId | 0): void {
    const higher = term > this.term;
    if (higher || this.bug['vote-cleared-same-term'] === true) this.vote = 0;
    this.term = term;
    if (higher && this.bug['term-not-persisted'] !== true) this.syncDurable();
    this.role = 'follower';
    this.leaderId = leader;
    this.leaderState = null;
  }

  // ---- replication (Raft §5.3) ----

  private onAppendEntries(m: AppendEntries): void {
    if (m.term < this.term && this.bug['stale-term-append'] !== true) {
      this.reply(this.appendReply(m, false, 0));
      return;
    }
    if (m.term > this.term || this.role !== 'follower' || this.leaderId !== m.from) this.becomeFollower(Math.max(m.term, this.term), m.from);
    this.resetElectionTimer();
    this.leaderContactElapsed = 0;
    if (m.prevLogIndex > this.log.length || this.termAt(m.prevLogIndex) !== m.prevLogTerm) {
      this.reply(this.appendReply(m, false, 0, this.conflictAt(m.prevLogIndex)));
      return;
    }
    if (this.bug['truncate-on-every-append'] === true) this.truncateFrom(m.prevLogIndex + 1);
    for (const entry of m.entries) {
      const mine = this.log[entry.index - 1];
      if (mine !== undefined && mine.term === entry.term) continue;
      if (mine !== undefined && this.bug['no-truncate'] === true) continue;
      // Figure 2: a conflicting entry and all that follow it are deleted, then the new entries are appended.
      if (mine !== undefined) this.truncateFrom(entry.index);
      this.log.push(entry);
    }
    const lastNew = m.prevLogIndex + m.entries.length;
    const cap = this.bug['uncapped-follower-commit'] === true ? this.log.length : lastNew;
    if (m.leaderCommit > this.commit) this.commit = Math.max(this.commit, Math.min(m.leaderCommit, cap));
    const matchIndex = this.bug['match-reports-last-index'] === true ? this.log.length : lastNew;
    this.reply(this.appendReply(m, true, matchIndex));
  }

  private appendReply(m: AppendEntries, success: boolean, matchIndex: number, conflict: Conflict = NO_CONFLICT): AppendEntriesReply {
    return {
      type: 'AppendEntriesReply',
      from: this.id,
      to: m.from,
      term: this.term,
      success,
      prevLogIndex: m.prevLogIndex,
      matchIndex,
      lastLogIndex: this.log.length,
      conflictTerm: conflict.term,
      conflictIndex: conflict.index,
      readRound: m.readRound,
    };
  }

  /**
   * Raft §5.3: "the follower can include the term of the conflicting entry and the first index it stores for
   * that term", so the leader skips a whole term per round trip. The leader may hold the start of that term
   * too, so it can land below the first real conflict and resend entries the follower already has; the
   * follower's entry-by-entry check (Figure 2, step 3) keeps that safe.
   */
  private conflictAt(prevLogIndex: number): Conflict {
    if (prevLogIndex > this.log.length) return NO_CONFLICT;
    const term = this.termAt(prevLogIndex);
    let first = prevLogIndex;
    while (first > 1 && this.termAt(first - 1) === term) first--;
    return { term, index: first };
  }

  private truncateFrom(index: number): void {
    if (index > this.log.length) return;
    this.log.length = index - 1;
    this.firstUnstable = Math.min(this.firstUnstable, index);
  }

  private onAppendEntriesReply(m: AppendEntriesReply): void {
    if (m.term > this.term) {
      this.becomeFollower(m.term, 0);
      return;
    }
    const leader = this.leaderState;
    if (this.role !== 'leader' || leader === null) return;
    if (m.term !== this.term && this.bug['stale-append-reply'] !== true) return;
    leader.active.add(m.from);
    const next = leader.nextIndex.get(m.from) ?? 1;
    const match = leader.matchIndex.get(m.from) ?? 0;
    leader.ackedRound.set(m.from, Math.max(leader.ackedRound.get(m.from) ?? 0, m.readRound));
    if (m.success) {
      if (m.matchIndex > match) {
        leader.matchIndex.set(m.from, m.matchIndex);
        leader.nextIndex.set(m.from, Math.max(next, m.matchIndex + 1));
        this.advanceCommit();
        if (m.matchIndex < this.log.length) this.sendAppend(m.from);
      }
    } else if (m.prevLogIndex === next - 1 && next - 1 > match) {
      // Back off past the follower's whole conflicting term (Raft §5.3), or to the end of a shorter follower's log.
      const hinted = m.conflictTerm > 0 ? m.conflictIndex : m.lastLogIndex + 1;
      leader.nextIndex.set(m.from, Math.max(match + 1, Math.min(next - 1, hinted)));
      this.sendAppend(m.from);
    }
    this.releaseReads();
  }

  private sendAppend(to: NodeId): void {
    const leader = this.leaderState;
    if (leader === null) return;
    const next = leader.nextIndex.get(to) ?? this.log.length + 1;
    const prevLogIndex = next - 1;
    const entries = this.entriesWithinBudget(next);
    const m: AppendEntries = { type: 'AppendEntries', from: this.id, to, term: this.term, prevLogIndex, prevLogTerm: this.termAt(prevLogIndex), entries, leaderCommit: this.commit, readRound: this.readRound };
    this.outbox.push(m);
  }

  /** The entries from `from` on that fit {@link APPEND_BYTES_MAX}; at least one when there is one (etcd's `limitSize`). */
  private entriesWithinBudget(from: number): Entry[] {
    const entries: Entry[] = [];
    let bytes = 0;
    for (let i = from; i <= this.log.length; i++) {
      const entry = this.log[i - 1] as Entry;
      bytes += entry.data.length + ENTRY_OVERHEAD_BYTES;
      if (entries.length > 0 && bytes > APPEND_BYTES_MAX) break;
      entries.push(entry);
    }
    return entries;
  }

  /** Figure 2: commit the highest N stored on a majority whose entry is of the current term (§5.4.2). */
  private advanceCommit(): void {
    const leader = this.leaderState;
    if (leader === null) return;
    for (let n = this.log.length; n > this.commit; n--) {
      if (this.termAt(n) !== this.term && this.bug['figure8-commit'] !== true) break;
      let stored = 1;
      for (const peer of this.others) if ((leader.matchIndex.get(peer) ?? 0) >= n) stored++;
      if (stored >= this.quorum()) {
        this.commit = n;
        break;
      }
    }
  }

  // ---- leader timers: heartbeats and CheckQuorum ----

  private tickLeader(): void {
    const leader = this.leaderState;
    if (leader === null) return;
    leader.heartbeatElapsed++;
    if (leader.heartbeatElapsed >= this.heartbeatTicks) {
      leader.heartbeatElapsed = 0;
      for (const peer of this.others) this.sendAppend(peer);
    }
    if (!this.checkQuorum) return;
    leader.checkQuorumElapsed++;
    if (leader.checkQuorumElapsed < this.electionTicks) return;
    leader.checkQuorumElapsed = 0;
    if (leader.active.size + 1 < this.quorum()) {
      // Thesis §6.2: a leader that has not heard from a majority within an election timeout steps down.
      this.becomeFollower(this.term, 0);
      this.resetElectionTimer();
      return;
    }
    if (this.bug['check-quorum-stale-activity'] !== true) leader.active.clear();
  }

  // ---- reads (thesis §6.4) ----

  private releaseReads(): void {
    const leader = this.leaderState;
    if (leader === null || leader.pendingReads.length === 0) return;
    // Step 1: the leader's commit index is current only once it has committed an entry of its own term.
    if (this.termAt(this.commit) !== this.term && this.bug['read-before-term-commit'] !== true) return;
    const waiting: PendingRead[] = [];
    for (const read of leader.pendingReads) {
      let confirmed = 1;
      for (const peer of this.others) if ((leader.ackedRound.get(peer) ?? 0) >= read.round) confirmed++;
      if (confirmed >= this.quorum()) this.readStates.push({ requestId: read.requestId, index: this.commit });
      else waiting.push(read);
    }
    leader.pendingReads = waiting;
  }

  // ---- helpers ----

  private quorum(): number {
    const n = this.peers.length;
    return this.bug['even-size-quorum'] === true ? Math.ceil(n / 2) : Math.floor(n / 2) + 1;
  }

  /** Raft persists currentTerm and votedFor before answering any RPC: the next Ready writes them. */
  private syncDurable(): void {
    this.durable = { term: this.term, vote: this.vote };
  }

  private reply(m: Message): void {
    this.outbox.push(m);
  }

  private termAt(index: number): number {
    return index === 0 ? 0 : (this.log[index - 1]?.term ?? 0);
  }

  private resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.electionTimeoutTicks = this.randomTimeout();
  }

  /** Uniform in [electionTicks, 2 * electionTicks), from the contract's stream only. */
  private randomTimeout(): number {
    return this.electionTicks + Math.floor(this.random() * this.electionTicks);
  }
}
