/**
 * Coverage probes: named Raft situations counted from the facts the host observed, so a batch of runs can
 * show which interesting situations it actually reached (and warn about the ones it never did). A fuzzer whose
 * runs never truncate a log or never commit an old-term entry indirectly has not tested those paths, however
 * many seeds it ran.
 *
 * Every probe reads facts only (persist, role, apply, ack, crash, restart: sim/facts.ts), never an
 * implementation's messages, so it means the same on our core, on paper-raft, on a user's module and on a
 * process speaking docs/protocol.md. Each fact costs O(1) here (O(nodes) for the two probes that compare a
 * node's log with every other node's, on role facts only) and allocates nothing.
 */
import { decodeConfEntry } from '../core/configuration.js';
import type { NodeId } from '../sim/contract.js';
import type { AckFact, ApplyFact, Fact, PersistFact, RestartFact, RoleFact, TransferFact } from '../sim/facts.js';
import { Configurations, confEntryText, isJoint, votesIn } from './configurations.js';
import type { Configuration } from './configurations.js';
import { endBefore, endOf, longerButOlder, noLongerNoNewer } from './divergent-logs.js';
import { DurableNodes } from './durable-state.js';
import { PersistedLogs } from './persisted-log.js';
import type { PersistedLog } from './persisted-log.js';

export const PROBES = [
  { name: 'leader-elected', description: 'a node declared itself leader' },
  { name: 'leader-deposed', description: 'a leader stepped down to follower' },
  { name: 'log-truncated', description: 'a node overwrote a persisted suffix with entries of another term (conflict truncation)' },
  { name: 'old-term-entry-committed', description: 'an entry of an older term was applied together with a newer-term entry (committed indirectly, Raft §5.4.2)' },
  { name: 'vote-request-with-stale-log', description: 'a node stood for election while another node\'s persisted log was more up to date than its own (its vote requests are to be refused there, §5.4.1)' },
  { name: 'follower-caught-up', description: 'a node persisted a batch of 32+ entries at once (catching up after a partition or crash)' },
  { name: 'node-restarted-with-log', description: 'a node restarted from a non-empty persisted log' },
  { name: 'acknowledged-write', description: 'a client write was acknowledged' },
  { name: 'split-vote', description: 'a leader was elected more than one term above the previous leader: a term passed without one (split vote or failed election)' },
  { name: 'term-jump', description: 'a node stored a term more than one above its previous one (it skipped terms it never took part in)' },
  { name: 'leader-change-with-uncommitted-entries', description: 'another node became leader while the previous leader\'s log held entries beyond anything applied yet' },
  { name: 'restart-with-uncommitted-tail', description: 'a node restarted with persisted entries beyond anything applied yet (a tail to keep or truncate)' },
  { name: 'vote-for-shorter-log-newer-term', description: 'a node voted for a candidate whose log is shorter than its own but ends in a newer term (up to date by §5.4.1)' },
  { name: 'stale-leader', description: 'a node became leader while a leader of an older term still held on (two leaders of different terms at once)' },
  { name: 'leader-crashed', description: 'a leader crashed' },
  { name: 'ack-then-leader-crash', description: 'a leader crashed after acknowledging a write in its term (the acknowledged write must survive)' },
  { name: 'deposed-leader-far-behind', description: 'a leader stepped down into a term more than one above its own (the cluster moved on while it was cut off)' },
  { name: 'commit-with-node-down', description: 'an entry was applied while some node was down' },
  { name: 'two-nodes-down', description: 'two or more nodes were down at once' },
  { name: 'restarted-node-elected', description: 'a node that had restarted from its disk became leader' },
  { name: 'leader-with-shorter-log', description: 'a leader was elected while another node\'s persisted log was longer (that node\'s extra entries are uncommitted, to be overwritten)' },
  { name: 'apply-burst', description: 'a node applied 16+ entries in one event (catching up on commits)' },
  { name: 'write-acked-by-new-leader', description: 'a write was acknowledged in a newer term than the previous acknowledged write (writes across a leader change)' },
  // Divergent logs at an election (Figure 7; properties/divergent-logs.ts): where last term and length disagree.
  { name: 'elected-over-longer-older-log', description: 'a leader was elected while an up node\'s persisted log was longer than the one it stood with but ended in an older term (Figure 7: an older term\'s uncommitted tail, to be overwritten)' },
  { name: 'election-won-by-last-term-only', description: 'a leader was elected with fewer than a majority of votes from logs no longer than its own: it needed votes of longer logs ending in older terms (Raft §5.4.1 compares last terms first)' },
  // Snapshots (Raft §7): reachable only by implementations declaring the `snapshot` capability, in runs that take
  // snapshots. Sending a snapshot and refusing a stale one are not facts (they are the implementation's own
  // messages and decisions), so they are not probes; installing and catching up through one are.
  { name: 'snapshot-taken', description: 'a node durably stored a snapshot of its own state machine (log compaction)', requires: 'snapshot' },
  { name: 'snapshot-installed', description: 'a node installed a snapshot its leader sent (InstallSnapshot)', requires: 'snapshot' },
  { name: 'caught-up-by-snapshot', description: 'a node applied entries after the snapshot it installed (it caught up through the snapshot)', requires: 'snapshot' },
  { name: 'restart-from-snapshot', description: 'a node restarted from a stored snapshot and the log after it', requires: 'snapshot' },
  // Membership changes (thesis §4) and leadership transfer (§3.10): reachable only by implementations declaring the
  // capability, in runs that change the configuration or transfer. A configuration takes effect when appended, so the
  // configuration probes count the first time an entry appears on any disk, committed or not.
  { name: 'joint-entered', description: 'a joint configuration C_old,new was appended (joint consensus entered)', requires: 'membership-change' },
  { name: 'joint-left', description: 'a configuration following a joint one was appended (joint consensus left for C_new)', requires: 'membership-change' },
  { name: 'learner-added', description: 'a configuration adding a learner (a non-voting member) was appended', requires: 'membership-change' },
  { name: 'learner-promoted', description: 'a configuration turning a learner into a voter was appended', requires: 'membership-change' },
  { name: 'leader-removed-stepped-down', description: 'a leader whose log\'s configuration no longer counted it as a voter stepped down', requires: 'membership-change' },
  { name: 'removed-node-disrupting', description: 'a node outside the committed configuration became a candidate or raised the highest term stored anywhere (thesis §4.2.3)', requires: 'membership-change' },
  { name: 'transfer-completed', description: 'a leader accepted a leadership transfer and the target became leader within an election timeout', requires: 'leadership-transfer' },
  { name: 'transfer-aborted', description: 'a leader accepted a leadership transfer and the target did not become leader within an election timeout', requires: 'leadership-transfer' },
] as const;

export type ProbeName = (typeof PROBES)[number]['name'];

/**
 * Whether an implementation declaring `capabilities` can reach probe `name` at all: the snapshot probes need the
 * `snapshot` capability, so a batch of an implementation without it does not report them as missed.
 */
export function probeApplies(name: string, capabilities: readonly string[]): boolean {
  const probe = PROBES.find((p) => p.name === name);
  if (probe === undefined) return true;
  return !('requires' in probe) || capabilities.includes(probe.requires);
}
export type ProbeCounts = Record<ProbeName, number>;

/**
 * A fresh record with every probe at 0, in {@link PROBES} order (a test holds the two to the same names in the same
 * order; `satisfies` holds it to every name). An object literal, so V8 copies a boilerplate: built by 37 stores of
 * computed keys, or copied from a template by spread (a runtime call for so many properties, twice as slow), it cost
 * each run's probe counter more than the rest of its set-up.
 */
export function emptyProbeCounts(): ProbeCounts {
  return {
    'leader-elected': 0,
    'leader-deposed': 0,
    'log-truncated': 0,
    'old-term-entry-committed': 0,
    'vote-request-with-stale-log': 0,
    'follower-caught-up': 0,
    'node-restarted-with-log': 0,
    'acknowledged-write': 0,
    'split-vote': 0,
    'term-jump': 0,
    'leader-change-with-uncommitted-entries': 0,
    'restart-with-uncommitted-tail': 0,
    'vote-for-shorter-log-newer-term': 0,
    'stale-leader': 0,
    'leader-crashed': 0,
    'ack-then-leader-crash': 0,
    'deposed-leader-far-behind': 0,
    'commit-with-node-down': 0,
    'two-nodes-down': 0,
    'restarted-node-elected': 0,
    'leader-with-shorter-log': 0,
    'apply-burst': 0,
    'write-acked-by-new-leader': 0,
    'elected-over-longer-older-log': 0,
    'election-won-by-last-term-only': 0,
    'snapshot-taken': 0,
    'snapshot-installed': 0,
    'caught-up-by-snapshot': 0,
    'restart-from-snapshot': 0,
    'joint-entered': 0,
    'joint-left': 0,
    'learner-added': 0,
    'learner-promoted': 0,
    'leader-removed-stepped-down': 0,
    'removed-node-disrupting': 0,
    'transfer-completed': 0,
    'transfer-aborted': 0,
  } satisfies Record<ProbeName, 0>;
}

/**
 * What a probe counter knows about the run beyond its facts. `nodeIds`: the initial nodes, the bootstrap
 * configuration (without it, a node counts as outside the configuration only once a configuration entry was
 * applied). `electionMs`: one election timeout, the time a transfer has to complete.
 */
export interface ProbeOptions {
  readonly nodeIds?: readonly NodeId[];
  readonly electionMs?: number;
  /**
   * The run's configurations (built from `nodeIds`), which the caller feeds every fact before this counter; absent,
   * the counter keeps its own. Sharing them scans each persisted entry for configuration entries once per run.
   */
  readonly configs?: Configurations;
  /**
   * The run's durable nodes (each node's last persisted or restored term and vote), which the caller feeds every
   * persist and restart *after* this counter (it reads a node's state from before the fact that changes it); absent,
   * the counter keeps its own.
   */
  readonly durable?: DurableNodes;
}

/** The election timeout the transfer probes assume without {@link ProbeOptions.electionMs}: the standard timing's (10 ticks of 10 ms). */
const ELECTION_MS_DEFAULT = 100;

/** Batch size from which a persist counts as catching up. */
const CATCH_UP_ENTRIES_MIN = 32;
/** Entries applied by one node in one event from which it counts as an apply burst. */
const APPLY_BURST_MIN = 16;

/** Role codes, so the per-node role table holds small integers (no string compares on the hot path). */
const ROLE_NONE = 0;
const ROLE_FOLLOWER = 1;
const ROLE_CANDIDATE = 2;
const ROLE_LEADER = 3;

function roleCode(role: RoleFact['role']): number {
  if (role === 'leader') return ROLE_LEADER;
  if (role === 'candidate' || role === 'pre-candidate') return ROLE_CANDIDATE;
  return ROLE_FOLLOWER;
}

function lastTermOf(log: PersistedLog): number {
  return log.entryAt(log.lastIndex)?.term ?? 0;
}

/** Whether log `a` is more up to date than log `b` (Raft §5.4.1: last term first, then length). */
function moreUpToDate(a: PersistedLog, b: PersistedLog): boolean {
  const ta = lastTermOf(a);
  const tb = lastTermOf(b);
  return ta > tb || (ta === tb && a.lastIndex > b.lastIndex);
}

export class ProbeCounter {
  readonly counts = emptyProbeCounts();
  /** Every node's persisted log: the run's shared store, or this counter's own. */
  private readonly logs: PersistedLogs;
  private readonly ownsLogs: boolean;
  /** Per node id (index): role code, the term it became leader in, down, restarted. */
  private readonly role: number[] = [];
  private readonly leaderTerm: number[] = [];
  /** Every node's last stored term and vote: the run's durable nodes, or this counter's own. */
  private readonly durable: DurableNodes;
  private readonly ownsDurable: boolean;
  private readonly down: boolean[] = [];
  private readonly restarted: boolean[] = [];
  /** Per node: the term of the last write it acknowledged (0: none). */
  private readonly ackTerm: number[] = [];
  /** Per node: the index of the snapshot it installed last in this incarnation, until it applies past it (0: none). */
  private readonly installedAt: number[] = [];
  /** Node ids seen so far, ascending by first appearance (the O(nodes) probes loop over it). */
  private readonly nodes: NodeId[] = [];
  private downCount = 0;
  /** Invariant: the highest index any node has applied (a lower bound on the commit index). */
  private appliedMax = 0;
  /** The last leader elected (node 0: none yet) and its term. */
  private lastLeader = 0;
  private lastLeaderTerm = 0;
  /** The term of the last acknowledged write (0: none yet). */
  private lastAckTerm = 0;
  /** Every node's configurations, from the persisted logs; and the configuration of the latest applied configuration entry. */
  private readonly configs: Configurations;
  private readonly ownsConfigs: boolean;
  private committedConfig: Configuration | null;
  /** Configuration entries seen on some disk: index -> term (the probes count each entry once). */
  private readonly confSeen = new Map<number, number>();
  /** The highest term any node has stored. */
  private termMax = 0;
  /** Per node: the term in which it led while its log's configuration did not count it as a voter (0: none). */
  private readonly removedLeading: number[] = [];
  /** The accepted transfer waiting for its target to lead: deadline in ms, target, the leader's term. */
  private transferDeadlineMs = -1;
  private transferTarget = 0;
  private transferTerm = 0;
  private readonly electionMs: number;
  /** The last apply seen: (node, event, highest term applied in that event, counted yet, entries). */
  private applyNode = 0;
  private applyEvent = -1;
  private applyTermMax = 0;
  private applyCounted = false;
  private applyBatch = 0;

  /**
   * With `shared`, the counter reads those persisted logs instead of keeping its own, and its caller feeds
   * every fact to `shared.observe` before this counter (it throws otherwise).
   */
  constructor(shared?: PersistedLogs, options: ProbeOptions = {}) {
    this.logs = shared ?? new PersistedLogs();
    this.ownsLogs = shared === undefined;
    this.configs = options.configs ?? new Configurations(options.nodeIds ?? []);
    this.ownsConfigs = options.configs === undefined;
    this.durable = options.durable ?? new DurableNodes(options.nodeIds ?? []);
    this.ownsDurable = options.durable === undefined;
    this.committedConfig = this.configs.bootstrap;
    this.electionMs = options.electionMs ?? ELECTION_MS_DEFAULT;
  }

  observe(fact: Fact): void {
    this.enter(fact);
    switch (fact.kind) {
      case 'transfer':
        return this.transferStarted(fact);
      case 'retire':
        // Stopped for good: whatever role it announced last, it no longer holds it.
        this.role[fact.node] = ROLE_NONE;
        return;
      case 'persist':
        return this.persist(fact);
      case 'restart':
        return this.restart(fact);
      case 'role':
        return this.roleChange(fact);
      case 'snapshot':
        this.counts[fact.origin === 'taken' ? 'snapshot-taken' : 'snapshot-installed']++;
        return;
      case 'restore':
        if (fact.origin === 'restart') this.counts['restart-from-snapshot']++;
        this.installedAt[fact.node] = fact.origin === 'install' ? fact.index : 0;
        return;
      case 'apply':
        return this.applied(fact);
      case 'ack':
        return this.acked(fact);
      case 'crash': {
        const node = fact.node;
        if (this.role[node] === ROLE_LEADER) {
          this.counts['leader-crashed']++;
          if (this.ackTerm[node] === this.leaderTerm[node]) this.counts['ack-then-leader-crash']++;
        }
        this.role[node] = ROLE_NONE;
        if (!this.down[node]) {
          this.down[node] = true;
          if (++this.downCount === 2) this.counts['two-nodes-down']++;
        }
        return;
      }
    }
  }

  /** {@link observe} for a persist fact, the commonest kind (RunCheckers calls it directly, with no switch). */
  observePersist(fact: PersistFact): void {
    this.enter(fact);
    this.persist(fact);
  }

  /** {@link observe} for an apply fact. */
  observeApply(fact: ApplyFact): void {
    this.enter(fact);
    this.applied(fact);
  }

  /** {@link observe} for a role fact. */
  observeRole(fact: RoleFact): void {
    this.enter(fact);
    this.roleChange(fact);
  }

  /** {@link observe} for an ack fact. */
  observeAck(fact: AckFact): void {
    this.enter(fact);
    this.acked(fact);
  }

  /** What every fact does first, whatever its kind: the node's slots, the run's configurations if owned, time passing. */
  private enter(fact: Fact): void {
    if (this.role[fact.node] === undefined) this.meet(fact.node);
    if (this.ownsConfigs) this.configs.observe(fact);
    if (this.transferDeadlineMs >= 0 && fact.atMs > this.transferDeadlineMs) this.transferEnded(false);
  }

  private applied(fact: ApplyFact): void {
    if (this.installedAt[fact.node] !== 0 && fact.entry.index > this.installedAt[fact.node]!) {
      this.counts['caught-up-by-snapshot']++;
      this.installedAt[fact.node] = 0;
    }
    if (fact.node !== this.applyNode || fact.event !== this.applyEvent) {
      this.applyNode = fact.node;
      this.applyEvent = fact.event;
      this.applyTermMax = 0;
      this.applyCounted = false;
      this.applyBatch = 0;
    }
    if (++this.applyBatch === APPLY_BURST_MIN) this.counts['apply-burst']++;
    if (fact.entry.index > this.appliedMax) {
      // Counted once per newly applied index, not once per node applying it.
      if (this.downCount > 0) this.counts['commit-with-node-down']++;
      this.appliedMax = fact.entry.index;
      if (this.configs.changed) this.noteCommitted(fact.entry.data);
    }
    // A newer-term entry applied in the same event as older-term ones: the older ones were committed
    // through it (an approximation: they may have been committed earlier and applied late).
    const term = fact.entry.term;
    if (term > this.applyTermMax) {
      if (this.applyTermMax > 0 && !this.applyCounted) {
        this.counts['old-term-entry-committed']++;
        this.applyCounted = true;
      }
      this.applyTermMax = term;
    }
  }

  private acked(fact: AckFact): void {
    this.counts['acknowledged-write']++;
    if (this.lastAckTerm > 0 && fact.term > this.lastAckTerm) this.counts['write-acked-by-new-leader']++;
    if (fact.term > this.lastAckTerm) this.lastAckTerm = fact.term;
    this.ackTerm[fact.node] = fact.term;
  }

  /**
   * A commit-only persist of a node whose last persist had the same term and vote (see RunCheckers): it counts
   * nothing and changes no per-node state here (same term and vote, no entries, and the run's configuration has not
   * changed), but time moved on, which may end a transfer's deadline, as {@link observe} would.
   */
  observeCommitOnly(fact: PersistFact): void {
    if (this.transferDeadlineMs >= 0 && fact.atMs > this.transferDeadlineMs) this.transferEnded(false);
  }

  /** First fact of `node`: its per-node slots start empty (sized once per node, not per fact). */
  private meet(node: NodeId): void {
    this.role[node] = ROLE_NONE;
    this.leaderTerm[node] = 0;
    this.down[node] = false;
    this.restarted[node] = false;
    this.ackTerm[node] = 0;
    this.installedAt[node] = 0;
    this.removedLeading[node] = 0;
    this.nodes.push(node);
  }

  private persist(fact: PersistFact): void {
    this.sync(fact);
    const node = fact.node;
    const { term, vote } = fact.hardState;
    const stored = this.durable.peek(node);
    const termBefore = stored === undefined ? 0 : stored.term;
    const voteBefore = stored === undefined ? 0 : stored.vote;
    if (term > termBefore + 1 && termBefore > 0) this.counts['term-jump']++;
    if (vote !== 0 && vote !== node && (term !== termBefore || vote !== voteBefore)) {
      const own = this.logs.logOf(node);
      const candidate = this.logs.logOf(vote);
      if (candidate.lastIndex < own.lastIndex && lastTermOf(candidate) > lastTermOf(own)) this.counts['vote-for-shorter-log-newer-term']++;
    }
    if (this.ownsDurable) this.durable.of(node).persist(fact);
    if (this.configs.changed) this.membershipPersist(fact, termBefore);
    if (term > this.termMax) this.termMax = term;
    if (fact.entries.length === 0) return;
    if (this.logs.truncated) this.counts['log-truncated']++;
    if (fact.entries.length >= CATCH_UP_ENTRIES_MIN) this.counts['follower-caught-up']++;
  }

  /** The membership probes of a persist (only once the configuration may have changed). */
  private membershipPersist(fact: PersistFact, termBefore: number): void {
    const node = fact.node;
    // Raising the highest term anywhere while outside the configuration: a removed (or not yet added) node's
    // election timeouts disturbing the cluster (thesis §4.2.3).
    if (fact.hardState.term > this.termMax && fact.hardState.term > termBefore && this.termMax > 0 && this.outside(node)) this.counts['removed-node-disrupting']++;
    const entries = fact.entries;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k]!;
      if (confEntryText(e.data) === undefined || this.confSeen.get(e.index) === e.term) continue;
      const to = this.configs.at(node, e.index);
      if (this.configs.entryIndexAt(node, e.index) !== e.index || to === null) continue;
      this.confSeen.set(e.index, e.term);
      this.configurationAppended(this.configs.at(node, e.index - 1), to);
    }
    if (this.role[node] === ROLE_LEADER && this.removedLeading[node] !== this.leaderTerm[node] && !votesIn(this.configs.latest(node), node)) {
      this.removedLeading[node] = this.leaderTerm[node]!;
    }
  }

  private configurationAppended(from: Configuration | null, to: Configuration): void {
    if (from !== null && isJoint(from) && !isJoint(to)) this.counts['joint-left']++;
    if (isJoint(to) && (from === null || !isJoint(from))) this.counts['joint-entered']++;
    if (to.learners.some((l) => from === null || !from.learners.includes(l))) this.counts['learner-added']++;
    if (from !== null && from.learners.some((l) => votesIn(to, l))) this.counts['learner-promoted']++;
  }

  /** A configuration entry was applied for the first time: it is the committed configuration now. */
  private noteCommitted(data: string): void {
    const text = confEntryText(data);
    if (text === undefined) return;
    const c = decodeConfEntry(text);
    if (c !== undefined && typeof c !== 'string') this.committedConfig = c;
  }

  /** Whether `node` is outside the committed configuration (known only when there is one). */
  private outside(node: NodeId): boolean {
    return this.committedConfig !== null && !votesIn(this.committedConfig, node);
  }

  private transferStarted(fact: TransferFact): void {
    if (!fact.accepted || this.role[fact.node] !== ROLE_LEADER) return;
    this.transferDeadlineMs = fact.atMs + this.electionMs;
    this.transferTarget = fact.target;
    this.transferTerm = this.leaderTerm[fact.node]!;
  }

  private transferEnded(completed: boolean): void {
    this.counts[completed ? 'transfer-completed' : 'transfer-aborted']++;
    this.transferDeadlineMs = -1;
  }

  private restart(fact: RestartFact): void {
    this.sync(fact);
    const node = fact.node;
    const entries = fact.stored.entries;
    if (entries.length > 0) {
      this.counts['node-restarted-with-log']++;
      if (entries[entries.length - 1]!.index > this.appliedMax) this.counts['restart-with-uncommitted-tail']++;
    }
    if (this.ownsDurable) this.durable.of(node).restart(fact);
    this.role[node] = ROLE_NONE;
    this.restarted[node] = true;
    this.installedAt[node] = 0;
    if (this.down[node]) {
      this.down[node] = false;
      this.downCount--;
    }
  }

  private roleChange(fact: RoleFact): void {
    const node = fact.node;
    const before = this.role[node]!;
    const code = roleCode(fact.role);
    if (code === ROLE_LEADER) {
      // A repeated leader announcement in the same term is the same leadership, not a new election.
      if (before !== ROLE_LEADER || this.leaderTerm[node] !== fact.term) this.elected(node, fact.term);
    } else if (before === ROLE_LEADER) {
      this.counts['leader-deposed']++;
      if (this.removedLeading[node] !== 0 && this.removedLeading[node] === this.leaderTerm[node]) this.counts['leader-removed-stepped-down']++;
      if (fact.term > this.leaderTerm[node]! + 1) this.counts['deposed-leader-far-behind']++;
    }
    if (code === ROLE_CANDIDATE && before !== ROLE_CANDIDATE && this.someLogBeats(node)) this.counts['vote-request-with-stale-log']++;
    if (code === ROLE_CANDIDATE && before !== ROLE_CANDIDATE && this.configs.changed && this.outside(node)) this.counts['removed-node-disrupting']++;
    this.role[node] = code;
  }

  private elected(node: NodeId, term: number): void {
    this.counts['leader-elected']++;
    if (this.transferDeadlineMs >= 0 && node === this.transferTarget && term > this.transferTerm) this.transferEnded(true);
    if (term > this.lastLeaderTerm + 1) this.counts['split-vote']++;
    if (this.lastLeader !== 0 && this.lastLeader !== node && this.logs.logOf(this.lastLeader).lastIndex > this.appliedMax) {
      this.counts['leader-change-with-uncommitted-entries']++;
    }
    if (this.restarted[node]) this.counts['restarted-node-elected']++;
    const own = this.logs.logOf(node);
    let stale = false;
    let longer = false;
    for (const other of this.nodes) {
      // A retired node's log is frozen and it takes part in nothing: no comparison with it means anything.
      if (other === node || this.configs.isRetired(other)) continue;
      if (this.role[other] === ROLE_LEADER && this.leaderTerm[other]! < term) stale = true;
      if (this.logs.logOf(other).lastIndex > own.lastIndex) longer = true;
    }
    if (stale) this.counts['stale-leader']++;
    if (longer) this.counts['leader-with-shorter-log']++;
    this.divergentElection(node, term);
    this.leaderTerm[node] = term;
    if (term >= this.lastLeaderTerm) {
      this.lastLeader = node;
      this.lastLeaderTerm = term;
    }
  }

  /**
   * The Figure 7 probes of `node`'s election in `term`: an up node with a longer log of an older last term than the
   * one `node` stood with, and whether the votes `node` got from logs no longer and no newer than its own (itself
   * included) fall short of a majority. A vote is read from the voter's last persisted hard state (term `term`, vote
   * `node`); a voter that has since moved to a later term is not counted, so the second probe is judged only when
   * the votes seen make a majority. Fixed clusters only: with membership changes, whose votes count is a joint
   * question the probes leave to the checkers.
   */
  private divergentElection(node: NodeId, term: number): void {
    if (this.configs.changed) return;
    const candidate = endBefore(this.logs.logOf(node), term);
    const voterCount = this.configs.bootstrap?.voters.length ?? this.nodes.length;
    let olderLonger = false;
    let votes = 1;
    let votesNoLonger = 1;
    for (const other of this.nodes) {
      if (other === node || this.down[other]) continue;
      const end = endOf(this.logs.logOf(other));
      if (longerButOlder(end, candidate)) olderLonger = true;
      const stored = this.durable.peek(other);
      if (stored === undefined || stored.term !== term || stored.vote !== node) continue;
      votes++;
      if (noLongerNoNewer(end, candidate)) votesNoLonger++;
    }
    const majority = (voterCount >> 1) + 1;
    if (olderLonger) this.counts['elected-over-longer-older-log']++;
    if (votes >= majority && votesNoLonger < majority) this.counts['election-won-by-last-term-only']++;
  }

  /** Whether some other node's persisted log is more up to date than `node`'s (it would refuse `node` a vote). */
  private someLogBeats(node: NodeId): boolean {
    const own = this.logs.logOf(node);
    for (const other of this.nodes) if (other !== node && !this.configs.isRetired(other) && moreUpToDate(this.logs.logOf(other), own)) return true;
    return false;
  }

  private sync(fact: PersistFact | RestartFact): void {
    if (this.ownsLogs) this.logs.observe(fact);
    else this.logs.expectCurrent(fact);
  }
}

/**
 * The probe combination of one run: the names of the probes it hit, in {@link PROBES} order, joined by `+`
 * ('' for none). Two runs reached the same combination of situations when these are equal.
 */
export function probeCombination(counts: Readonly<Record<string, number>>): string {
  let key = '';
  for (const p of PROBES) {
    if ((counts[p.name] ?? 0) > 0) key = key === '' ? p.name : `${key}+${p.name}`;
  }
  return key;
}
