// A minimal, correct Raft for Seaworthy, in plain JavaScript (ESM, no dependencies): leader election with
// the up-to-date check (Raft §5.4.1), log replication with the consistency check and truncation of
// conflicting suffixes (§5.3), the commit rule that counts replicas only for entries of the leader's own term
// (§5.4.2), the election no-op (§8), and persistence through the Ready (docs/contract.md). No PreVote, no
// CheckQuorum, no ReadIndex. With `createRaft({ snapshots: true })` (examples/js-raft/snapshots.js) it declares
// the `snapshot` capability: it compacts its log when the host hands it a snapshot (compact), sends that snapshot
// whole to a follower that needs compacted entries (InstallSnapshot, §7), installs one only when newer than its
// commit (keeping a matching suffix), and restarts from the stored snapshot plus the log after it.
//
// It follows the contract's rules: deterministic (randomness only from init.random), report only changes,
// hand out unpersisted entries once, deliver committedEntries from applied + 1, start applied at 0 (at the
// stored snapshot's index when there is one: the host restored its state machine from it).
//
// With `createRaft({ membership: true })` (examples/js-raft/membership.js) it declares `membership-change` and
// `leadership-transfer`, written from docs/contract.md alone: configuration entries in effect once appended
// (thesis §4.1), single-server changes, learners, joint consensus with both majorities and the leader's own C_new
// once C_old,new commits (§4.3), no change before the leader has committed an entry of its term (the 2015 bug)
// nor while one is in progress, a removed leader stepping down once C_new commits, a node that joins with no
// configuration and never campaigns until one names it a voter, the §4.2.3 rule against disruptive removed
// servers (a vote request within an election timeout of hearing from a leader is ignored), and leadership
// transfer (§3.10: catch the target up, send it TimeoutNow, refuse proposals meanwhile, give up after an
// election timeout).

import * as conf from './configuration.js';

/** Most entries one append carries, so a far-behind follower catches up in bounded messages. */
const BATCH_MAX = 64;

class RaftNode {
  /**
   * @param {import('../../sim/contract.js').CreateInit} init
   * @param {{ doubleVote: boolean, confBeforeOwnTerm: boolean, jointNewOnly: boolean, learnerVotes: boolean }} bugs
   * @param {boolean} membership
   */
  constructor(init, bugs, membership) {
    this.id = init.id;
    this.membership = membership;
    // The bootstrap configuration; a node joining a running cluster gets none (peers []) and waits for its log.
    this.bootConfig = init.peers.length === 0 ? null : conf.simple(init.peers);
    this.random = init.random;
    this.electionTicks = init.electionTicks;
    this.heartbeatTicks = init.heartbeatTicks;
    this.bugs = bugs;
    const { hardState, entries, snapshot } = init.storage;
    // The snapshot stands for the log up to its index (§7); `log` holds what follows it.
    // Invariant: log[i].index === snapIndex + i + 1.
    this.snapshot = snapshot ?? null;
    this.snapIndex = snapshot?.index ?? 0;
    this.snapTerm = snapshot?.term ?? 0;
    /** The configuration in force at the snapshot's index: the stored snapshot says it (docs/contract.md). */
    this.snapConfig = snapshot === undefined ? null : { voters: snapshot.peers, learners: snapshot.learners ?? [], outgoing: snapshot.outgoing ?? [] };
    /** An installed snapshot the next Ready hands the host (to store, and to restore its state machine from). */
    this.snapshotToPersist = null;
    // Persistent state (Figure 2), as the disk kept it.
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log = entries.slice();
    this.commit = Math.max(this.snapIndex, Math.min(hardState.commit, this.lastIndex()));
    // Volatile state. applied starts at 0 (the host's state machine restarts empty), or at the snapshot's index.
    this.role = 'follower';
    this.leader = 0;
    this.applied = this.snapIndex;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.timeoutTicks = this.randomTimeout();
    /** Candidate: who granted us their vote this term. */
    this.votes = new Set();
    /** Leader: per follower, the next index to send and the highest index known replicated. */
    this.nextIndex = new Map();
    this.matchIndex = new Map();
    /** Leader: the node leadership is being handed to (0: none), ticks since, and whether TimeoutNow went out. */
    this.transferee = 0;
    this.transferElapsed = 0;
    this.timeoutNowSent = false;
    // The configuration in force: the latest configuration entry of the log, else the snapshot's, else the
    // bootstrap one (thesis §4.1: committed or not). configIndex is that entry's index (0 when not from the log).
    this.config = null;
    this.configIndex = 0;
    this.others = [];
    this.refreshConfig();
    // What the next Ready carries.
    this.firstUnstable = this.lastIndex() + 1;
    this.outbox = [];
    this.reported = { term: hardState.term, vote: hardState.vote, commit: hardState.commit, role: 'follower', leader: 0 };
    this.inFlight = null;
  }

  // ---- the contract -------------------------------------------------------------------------------

  tick() {
    if (this.role === 'leader') {
      // §3.10: a transfer that has not completed within an election timeout is given up.
      if (this.transferee !== 0 && ++this.transferElapsed >= this.electionTicks) this.transferee = 0;
      if (++this.heartbeatElapsed >= this.heartbeatTicks) {
        this.heartbeatElapsed = 0;
        for (const to of this.others) this.sendAppend(to);
      }
      return;
    }
    // Only a voter campaigns: a learner, a removed node and a node still waiting for its configuration do not.
    if (++this.electionElapsed >= this.timeoutTicks && this.mayCampaign()) this.campaign(false);
  }

  step(m) {
    // §4.2.3: a vote request within an election timeout of hearing from a leader is ignored, term and all, so a
    // removed server that never learnt of its removal cannot depose the leader. A transfer's campaign is exempt.
    if (this.membership && m.type === 'vote' && m.term > this.term && !m.transfer && this.leader !== 0 && (this.role === 'leader' || this.electionElapsed < this.electionTicks)) return;
    if (m.term > this.term) this.becomeFollower(m.term, m.type === 'append' || m.type === 'snapshot' ? m.from : 0);
    if (m.term < this.term) {
      // A stale sender: tell it our term so it steps down (responses from the past are just dropped).
      if (m.type === 'vote') this.send({ type: 'vote-resp', to: m.from, granted: false });
      else if (m.type === 'append' || m.type === 'snapshot') this.send({ type: 'append-resp', to: m.from, success: false, hint: 0 });
      return;
    }
    switch (m.type) {
      case 'vote':
        return this.onVote(m);
      case 'vote-resp':
        return this.onVoteResp(m);
      case 'append':
        return this.onAppend(m);
      case 'append-resp':
        return this.onAppendResp(m);
      case 'snapshot':
        return this.onSnapshot(m);
      case 'timeout-now':
        // §3.10: the leader hands over; campaign at once, if this node votes in its configuration.
        if (conf.isVoter(this.config, this.id) && this.role !== 'leader') this.campaign(true);
        return;
      default:
        throw new Error(`unknown message type ${m.type}`);
    }
  }

  propose(data) {
    if (this.role !== 'leader') return { accepted: false, reason: 'not-leader', leaderHint: this.leaderHint() };
    // §3.10: no proposals while leadership is being handed over; the client retries at the target.
    if (this.transferee !== 0) return { accepted: false, reason: 'not-leader', leaderHint: this.transferee };
    const entry = this.append(data);
    for (const to of this.others) this.sendAppend(to);
    this.maybeCommit(); // a cluster of one commits at once
    return { accepted: true, index: entry.index, term: entry.term };
  }

  ready() {
    const r = this.reported;
    const hardChanged = this.term !== r.term || this.vote !== r.vote || this.commit !== r.commit;
    const softChanged = this.role !== r.role || this.leader !== r.leader;
    const entries = this.log.slice(this.firstUnstable - 1 - this.snapIndex);
    const committedEntries = this.log.slice(this.applied - this.snapIndex, this.commit - this.snapIndex);
    const snapshot = this.snapshotToPersist;
    if (!hardChanged && !softChanged && entries.length === 0 && this.outbox.length === 0 && committedEntries.length === 0 && snapshot === null) return null;
    const ready = { entries, messages: this.outbox, committedEntries };
    if (snapshot !== null) ready.snapshot = snapshot;
    this.snapshotToPersist = null;
    if (softChanged) ready.softState = { role: this.role, leader: this.leader };
    if (hardChanged) ready.hardState = { term: this.term, vote: this.vote, commit: this.commit };
    this.outbox = [];
    this.inFlight = ready;
    return ready;
  }

  advance() {
    const done = this.inFlight;
    if (done === null) throw new Error('advance() without a Ready');
    if (done.hardState !== undefined) Object.assign(this.reported, done.hardState);
    if (done.softState !== undefined) Object.assign(this.reported, done.softState);
    // Nothing is called between ready() and advance(), so the log is as the Ready left it.
    const lastPersisted = done.entries[done.entries.length - 1];
    if (lastPersisted !== undefined) this.firstUnstable = lastPersisted.index + 1;
    const lastApplied = done.committedEntries[done.committedEntries.length - 1];
    if (lastApplied !== undefined) this.applied = lastApplied.index;
    this.inFlight = null;
  }

  /** The host snapshotted its state machine at an applied index: drop the log up to it (§7, log compaction). */
  compact(snapshot) {
    // The configuration at the snapshot's index, from our own log before it is dropped: it travels with the
    // snapshot to a follower that installs it.
    this.snapConfig = this.configAt(snapshot.index);
    this.log = this.log.slice(snapshot.index - this.snapIndex);
    this.snapshot = snapshot;
    this.snapIndex = snapshot.index;
    this.snapTerm = snapshot.term;
  }

  status() {
    return { id: this.id, term: this.term, role: this.role, leader: this.leader, commit: this.commit, applied: this.applied, lastIndex: this.lastIndex() };
  }

  /**
   * Where a client should go instead. A node its own configuration leaves out (removed, and never told more) only
   * knows the leader it last heard from, which may itself be gone for good: it says it does not know.
   */
  leaderHint() {
    if (this.membership && this.config !== null && !conf.allMembers(this.config).includes(this.id)) return 0;
    return this.leader;
  }

  // ---- elections (§5.2, §5.4.1) --------------------------------------------------------------------

  /**
   * Whether this node may stand for election: a voter of its configuration, or of the one before it while the
   * change that removes it is uncommitted. The second is a removed leader deposed before its C_new committed: its
   * log may be the only one holding C_new, so the others cannot win without its vote, and if it could not win
   * either the cluster would stall. Elected, it counts only C_new's voters (not itself), commits C_new and steps down.
   */
  mayCampaign() {
    if (conf.isVoter(this.config, this.id)) return true;
    return this.membership && this.configIndex > this.commit && conf.isVoter(this.configAt(this.configIndex - 1), this.id);
  }

  /** @param {boolean} transfer a campaign the leader asked for (TimeoutNow): exempt from the §4.2.3 rule */
  campaign(transfer) {
    this.term++;
    this.vote = this.id; // persisted by the Ready that carries the vote requests
    this.role = 'candidate';
    this.leader = 0;
    this.votes = new Set([this.id]);
    this.resetElectionTimer();
    if (conf.wins(this.counted(), this.votes)) return this.becomeLeader();
    for (const to of conf.allVoters(this.counted())) {
      if (to !== this.id) this.send({ type: 'vote', to, lastIndex: this.lastIndex(), lastTerm: this.lastTerm(), ...(transfer ? { transfer: true } : {}) });
    }
  }

  onVote(m) {
    const upToDate = m.lastTerm > this.lastTerm() || (m.lastTerm === this.lastTerm() && m.lastIndex >= this.lastIndex());
    // The planted bug: grant a second candidate in the same term.
    const free = this.vote === 0 || this.vote === m.from || (this.bugs.doubleVote && this.role === 'follower');
    const granted = free && upToDate;
    if (granted) {
      this.vote = m.from;
      this.resetElectionTimer();
    }
    this.send({ type: 'vote-resp', to: m.from, granted });
  }

  onVoteResp(m) {
    if (this.role !== 'candidate' || !m.granted) return;
    this.votes.add(m.from);
    // Learners' and strangers' votes are in the set but never counted: wins() counts each half's voters only.
    if (conf.wins(this.counted(), this.votes)) this.becomeLeader();
  }

  becomeFollower(term, leader) {
    if (term > this.term) {
      this.term = term;
      this.vote = 0;
    }
    this.role = 'follower';
    this.leader = leader;
    this.transferee = 0;
    this.resetElectionTimer();
  }

  becomeLeader() {
    this.role = 'leader';
    this.leader = this.id;
    this.heartbeatElapsed = 0;
    this.transferee = 0;
    this.nextIndex.clear();
    this.matchIndex.clear();
    for (const p of this.others) {
      this.nextIndex.set(p, this.lastIndex() + 1);
      this.matchIndex.set(p, 0);
    }
    this.append(''); // the no-op of §8: commits the previous terms' entries through §5.4.2
    for (const to of this.others) this.sendAppend(to);
    this.maybeCommit();
  }

  // ---- replication (§5.3) and commitment (§5.4.2) ------------------------------------------------

  sendAppend(to) {
    const next = this.nextIndex.get(to) ?? this.lastIndex() + 1;
    const prevIndex = next - 1;
    if (prevIndex < this.snapIndex) {
      // The entries it needs are compacted: send the snapshot, whole (InstallSnapshot, §7); it answers with an
      // append-resp, and a heartbeat re-sends it if it was lost.
      this.send({ type: 'snapshot', to, snapshot: this.snapshot, ...(this.membership ? { config: this.snapConfig } : {}) });
      return;
    }
    const entries = this.log.slice(prevIndex - this.snapIndex, prevIndex - this.snapIndex + BATCH_MAX);
    this.send({ type: 'append', to, prevIndex, prevTerm: this.termAt(prevIndex), entries, commit: this.commit });
  }

  onAppend(m) {
    // Same term: whoever sent it is the leader (Election Safety), and a candidate gives up.
    if (this.role !== 'follower' || this.leader !== m.from) {
      this.role = 'follower';
      this.leader = m.from;
    }
    this.resetElectionTimer();
    if (m.prevIndex < this.snapIndex) {
      // It starts inside our snapshot, which holds only committed entries: say how far we are committed.
      this.send({ type: 'append-resp', to: m.from, success: true, matchIndex: this.commit });
      return;
    }
    if (m.prevIndex > this.lastIndex()) {
      this.send({ type: 'append-resp', to: m.from, success: false, hint: this.lastIndex() });
      return;
    }
    if (this.termAt(m.prevIndex) !== m.prevTerm) {
      // Skip back over the whole conflicting term in one round trip.
      const conflictTerm = this.termAt(m.prevIndex);
      let first = m.prevIndex;
      while (first > this.snapIndex + 1 && this.termAt(first - 1) === conflictTerm) first--;
      this.send({ type: 'append-resp', to: m.from, success: false, hint: Math.min(first - 1, m.prevIndex - 1) });
      return;
    }
    let configMayChange = false;
    for (const e of m.entries) {
      if (e.index <= this.lastIndex()) {
        if (this.termAt(e.index) === e.term) continue;
        if (e.index <= this.commit) throw new Error(`asked to overwrite committed entry ${e.index}`);
        this.log.length = e.index - 1 - this.snapIndex; // truncate the conflicting suffix
        this.firstUnstable = Math.min(this.firstUnstable, e.index);
        configMayChange = true;
      }
      this.log.push({ term: e.term, index: e.index, data: e.data });
      if (conf.decode(e.data) !== null) configMayChange = true;
    }
    // A configuration entry takes effect once appended; a truncation may have removed one.
    if (this.membership && configMayChange) this.refreshConfig();
    const matched = m.prevIndex + m.entries.length;
    // Only what this append proved matching may be committed: beyond it the log may still be stale.
    if (m.commit > this.commit) this.commit = Math.max(this.commit, Math.min(m.commit, matched));
    this.send({ type: 'append-resp', to: m.from, success: true, matchIndex: matched });
  }

  onAppendResp(m) {
    if (this.role !== 'leader') return;
    const match = this.matchIndex.get(m.from) ?? 0;
    const current = this.nextIndex.get(m.from) ?? 1;
    // Answer a response with more appends only when it told us something new: duplicated or stale responses
    // must not multiply into a message storm (the heartbeat retries anyway).
    if (m.success) {
      if (m.matchIndex <= match) return;
      this.matchIndex.set(m.from, m.matchIndex);
      const next = Math.max(current, m.matchIndex + 1);
      this.nextIndex.set(m.from, next);
      this.maybeCommit();
      if (this.role !== 'leader') return; // it stepped down: removed, and C_new committed
      if (m.from === this.transferee && m.matchIndex === this.lastIndex()) this.sendTimeoutNow();
      else if (next <= this.lastIndex()) this.sendAppend(m.from);
      return;
    }
    const next = Math.max(match + 1, Math.min(current - 1, m.hint + 1));
    if (next >= current) return;
    this.nextIndex.set(m.from, next);
    this.sendAppend(m.from);
  }

  onSnapshot(m) {
    if (this.role !== 'follower' || this.leader !== m.from) {
      this.role = 'follower';
      this.leader = m.from;
    }
    this.resetElectionTimer();
    const s = m.snapshot;
    // Only a snapshot newer than our commit brings anything; an older one would roll the state machine back.
    if (s.index > this.commit) {
      // §7: keep the entries after the snapshot when we hold its last entry; otherwise the whole log goes. The
      // host replaces its stored log by the snapshot plus the Ready's entries, so the kept ones are re-persisted.
      this.log = this.termAt(s.index) === s.term ? this.log.slice(s.index - this.snapIndex) : [];
      this.snapshot = s;
      this.snapIndex = s.index;
      this.snapTerm = s.term;
      this.commit = s.index;
      this.applied = s.index;
      this.firstUnstable = s.index + 1;
      this.snapshotToPersist = s;
      if (this.membership) {
        // The leader's configuration at the snapshot's index travels with it; the host's snapshot says it too.
        this.snapConfig = m.config ?? { voters: s.peers, learners: s.learners ?? [], outgoing: s.outgoing ?? [] };
        this.refreshConfig();
      }
    }
    this.send({ type: 'append-resp', to: m.from, success: true, matchIndex: this.commit });
  }

  maybeCommit() {
    const n = conf.committedIndex(this.counted(), (p) => (p === this.id ? this.lastIndex() : (this.matchIndex.get(p) ?? 0)));
    // §5.4.2: count replicas only for an entry of the current term; earlier ones commit under it.
    if (n > this.commit && this.termAt(n) === this.term) {
      this.commit = n;
      for (const to of this.others) this.sendAppend(to); // tell followers now, not at the next heartbeat
      if (this.membership) this.afterConfigCommitted();
    }
  }

  /**
   * A leader whose configuration entry has just committed: C_old,new is followed by its own C_new (§4.3), and a
   * leader that C_new leaves out steps down (§4.2.2): it managed the cluster only until C_new was committed.
   */
  afterConfigCommitted() {
    if (this.role !== 'leader' || this.configIndex > this.commit) return;
    this.refreshConfig(); // the members the change removed are no longer replicated to
    if (conf.isJoint(this.config)) this.appendConfig(conf.leaveJoint(this.config));
    else if (!conf.isVoter(this.config, this.id)) this.becomeFollower(this.term, 0);
  }

  // ---- membership (thesis §4) --------------------------------------------------------------------

  /**
   * The configuration elections and commitment count in: the one in force, unless a planted bug miscounts it
   * (C_new's majority alone while joint; learners as voters).
   */
  counted() {
    const c = this.config;
    if (this.bugs.jointNewOnly && conf.isJoint(c)) return conf.leaveJoint(c);
    if (this.bugs.learnerVotes && c.learners.length > 0) return { voters: conf.allMembers({ ...c, outgoing: [] }), learners: [], outgoing: c.outgoing };
    return c;
  }

  /** Appends a configuration entry as leader; it is in force at once, on this node as on every other. */
  appendConfig(next) {
    const entry = this.append(conf.encode(next));
    this.refreshConfig();
    for (const to of this.others) this.sendAppend(to);
    this.maybeCommit(); // a single voter commits at once
    return entry;
  }

  /** The configuration at `index`: the latest configuration entry at or below it, else the snapshot's, else the bootstrap one. */
  configAt(index) {
    for (let i = Math.min(index, this.lastIndex()); i > this.snapIndex; i--) {
      const c = conf.decode(this.log[i - this.snapIndex - 1].data);
      if (c !== null) return c;
    }
    return this.snapConfig ?? this.bootConfig;
  }

  /**
   * Recomputes the configuration in force from the log (after an append, a truncation, a snapshot), and the
   * leader's bookkeeping with it: progress for new members, none for removed ones, no transfer to a non-voter.
   */
  refreshConfig() {
    let index = 0;
    let found = null;
    for (let i = this.lastIndex(); i > this.snapIndex && found === null; i--) {
      found = conf.decode(this.log[i - this.snapIndex - 1].data);
      if (found !== null) index = i;
    }
    this.config = found ?? this.snapConfig ?? this.bootConfig;
    this.configIndex = index;
    this.others = this.config === null ? [] : conf.allMembers(this.config).filter((p) => p !== this.id);
    if (this.role !== 'leader') return;
    // Until the change is committed the leader also keeps replicating to the members it removes, so they append
    // the configuration that leaves them out and know not to campaign (the removed node of §4.2.3 is the one that
    // missed it).
    if (this.configIndex > this.commit) {
      const before = this.configAt(this.commit);
      if (before !== null) this.others = conf.allMembers({ ...before, voters: [...before.voters, ...this.config.voters], learners: [...before.learners, ...this.config.learners] }).filter((p) => p !== this.id);
    }
    for (const p of [...this.nextIndex.keys()]) {
      if (!this.others.includes(p)) {
        this.nextIndex.delete(p);
        this.matchIndex.delete(p);
      }
    }
    for (const p of this.others) {
      if (!this.nextIndex.has(p)) {
        this.nextIndex.set(p, this.lastIndex() + 1);
        this.matchIndex.set(p, 0);
      }
    }
    if (this.transferee !== 0 && !conf.isVoter(this.config, this.transferee)) this.transferee = 0;
  }

  sendTimeoutNow() {
    if (this.timeoutNowSent) return;
    this.timeoutNowSent = true;
    this.send({ type: 'timeout-now', to: this.transferee });
  }

  // ---- helpers -----------------------------------------------------------------------------------

  append(data) {
    const entry = { term: this.term, index: this.lastIndex() + 1, data };
    this.log.push(entry);
    return entry;
  }

  send(fields) {
    this.outbox.push({ from: this.id, term: this.term, ...fields });
  }

  lastIndex() {
    return this.snapIndex + this.log.length;
  }

  lastTerm() {
    return this.termAt(this.lastIndex());
  }

  /** The term at `index`: the snapshot's at its index, -1 when compacted away or beyond the log. */
  termAt(index) {
    if (index === this.snapIndex) return this.snapTerm;
    return index < this.snapIndex ? -1 : (this.log[index - this.snapIndex - 1]?.term ?? -1);
  }

  resetElectionTimer() {
    this.electionElapsed = 0;
    this.timeoutTicks = this.randomTimeout();
  }

  /** Uniform in [electionTicks, 2 * electionTicks). */
  randomTimeout() {
    return this.electionTicks + Math.floor(this.random() * this.electionTicks);
  }
}

/**
 * The node with the two calls of the membership capabilities. A subclass, so that a node of the plain example has
 * no such methods at all: the host (and any other caller) tells an implementation's offer by whether they exist.
 */
class MembershipRaftNode extends RaftNode {
  /** docs/contract.md § Membership changes: one configuration entry carrying the whole configuration it leads to. */
  proposeConfChange(request) {
    if (this.role !== 'leader' || this.transferee !== 0) return { accepted: false, reason: 'not-leader', leaderHint: this.role === 'leader' ? this.id : this.leaderHint() };
    // The 2015 single-server bug: a new leader accepts a change only once an entry of its own term is committed;
    // and one change at a time: none while an appended one is uncommitted or a joint configuration is not left.
    const ownTermCommitted = this.termAt(this.commit) === this.term || this.bugs.confBeforeOwnTerm;
    const settled = ownTermCommitted && this.configIndex <= this.commit && !conf.isJoint(this.config);
    const next = settled ? conf.next(this.config, request.changes) : null;
    if (next === null) return { accepted: false, reason: 'not-leader', leaderHint: this.id };
    const entry = this.appendConfig(next);
    return { accepted: true, index: entry.index, term: entry.term };
  }

  /** docs/contract.md § Leadership transfer (thesis §3.10). */
  transferLeadership(target) {
    if (this.role !== 'leader' || target === this.id || !conf.isVoter(this.config, target)) return false;
    this.transferee = target;
    this.transferElapsed = 0;
    this.timeoutNowSent = false;
    // Up to date already: hand over now; otherwise catch it up, and onAppendResp hands over when it matches.
    if ((this.matchIndex.get(target) ?? 0) === this.lastIndex()) this.sendTimeoutNow();
    else this.sendAppend(target);
    return true;
  }
}

/**
 * The planted bugs: `double-vote` (a follower votes twice in a term), and with `membership` three of the classic
 * membership bugs, named as our core's are so their catches compare: `conf-change-before-own-term-commit` (the 2015
 * bug), `joint-new-majority-only` (joint consensus counted against C_new alone), `learner-vote-counted`.
 * @param {{ bug?: 'double-vote' | 'conf-change-before-own-term-commit' | 'joint-new-majority-only' | 'learner-vote-counted', snapshots?: boolean, membership?: boolean }} [options]
 * @returns {import('../../sim/contract.js').RaftImplementation}
 */
export function createRaft(options = {}) {
  const bugs = {
    doubleVote: options.bug === 'double-vote',
    confBeforeOwnTerm: options.bug === 'conf-change-before-own-term-commit',
    jointNewOnly: options.bug === 'joint-new-majority-only',
    learnerVotes: options.bug === 'learner-vote-counted',
  };
  const membership = options.membership === true;
  const base = options.bug === undefined ? 'js-raft' : `js-raft+${options.bug}`;
  const name = `${base}${options.snapshots === true ? '+snapshots' : ''}${membership ? '+membership' : ''}`;
  return {
    name,
    // Without the capability the host never compacts, so the snapshot code above stays idle (snapIndex 0); without
    // the membership ones it never proposes a change, so the configuration stays the bootstrap one.
    capabilities: [...(options.snapshots === true ? ['snapshot'] : []), ...(membership ? ['membership-change', 'leadership-transfer'] : [])],
    // What its messages mean, so the host can judge them against the sender's disk (docs/contract.md).
    // No PreVote here, so every message's term must already be durable.
    messageAnnotations: {
      voteGrant: { type: 'vote-resp', where: { granted: true } },
      appendAck: { type: 'append-resp', where: { success: true }, matchField: 'matchIndex' },
    },
    create: (init) => (membership ? new MembershipRaftNode(init, bugs, true) : new RaftNode(init, bugs, false)),
  };
}
