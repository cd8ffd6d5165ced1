/**
 * Coverage probes: named Raft events counted from what the host observed, so a batch of runs can show
 * which interesting situations it actually reached (and warn about the ones it never did). A fuzzer whose
 * runs never truncate a log or never commit an old-term entry indirectly has not tested those paths, however
 * many seeds it ran.
 */
import type { Message, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';
import { PersistedLogs } from './persisted-log.js';

export const PROBES = [
  { name: 'leader-elected', description: 'a node declared itself leader' },
  { name: 'leader-deposed', description: 'a leader stepped down to follower' },
  { name: 'log-truncated', description: 'a node overwrote a persisted suffix with entries of another term (conflict truncation)' },
  { name: 'old-term-entry-committed', description: 'an entry of an older term was applied together with a newer-term entry (committed indirectly, Raft §5.4.2)' },
  { name: 'vote-request-with-stale-log', description: 'a vote request reached a node whose persisted log is more up to date than the candidate\'s (to be refused, §5.4.1)' },
  { name: 'follower-caught-up', description: 'a node persisted a batch of 32+ entries at once (catching up after a partition or crash)' },
  { name: 'node-restarted-with-log', description: 'a node restarted from a non-empty persisted log' },
  { name: 'acknowledged-write', description: 'a client write was acknowledged' },
] as const;

export type ProbeName = (typeof PROBES)[number]['name'];
export type ProbeCounts = Record<ProbeName, number>;

export function emptyProbeCounts(): ProbeCounts {
  const counts = {} as ProbeCounts;
  for (const p of PROBES) counts[p.name] = 0;
  return counts;
}

/** Batch size from which a persist counts as catching up. */
const CATCH_UP_ENTRIES_MIN = 32;

export class ProbeCounter {
  readonly counts = emptyProbeCounts();
  /** Every node's persisted log: the run's shared store, or this counter's own. */
  private readonly logs: PersistedLogs;
  private readonly ownsLogs: boolean;
  private readonly roles = new Map<NodeId, string>();
  /** The last apply seen: (node, event, highest term applied in that event, counted yet). */
  private applyNode = 0;
  private applyEvent = -1;
  private applyTermMax = 0;
  private applyCounted = false;

  /**
   * With `shared`, the counter reads those persisted logs instead of keeping its own, and its caller feeds
   * every fact to `shared.observe` before this counter (it throws otherwise).
   */
  constructor(shared?: PersistedLogs) {
    this.logs = shared ?? new PersistedLogs();
    this.ownsLogs = shared === undefined;
  }

  observe(fact: Fact): void {
    switch (fact.kind) {
      case 'persist': {
        this.sync(fact);
        if (fact.entries.length === 0) return;
        if (this.logs.truncated) this.counts['log-truncated']++;
        if (fact.entries.length >= CATCH_UP_ENTRIES_MIN) this.counts['follower-caught-up']++;
        return;
      }
      case 'restart': {
        this.sync(fact);
        if (fact.stored.entries.length > 0) this.counts['node-restarted-with-log']++;
        this.roles.delete(fact.node);
        return;
      }
      case 'role': {
        const before = this.roles.get(fact.node);
        if (fact.role === 'leader') this.counts['leader-elected']++;
        else if (before === 'leader') this.counts['leader-deposed']++;
        this.roles.set(fact.node, fact.role);
        return;
      }
      case 'apply': {
        if (fact.node !== this.applyNode || fact.event !== this.applyEvent) {
          this.applyNode = fact.node;
          this.applyEvent = fact.event;
          this.applyTermMax = 0;
          this.applyCounted = false;
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
        return;
      }
      case 'ack':
        this.counts['acknowledged-write']++;
        return;
      case 'crash':
        this.roles.delete(fact.node);
        return;
    }
  }

  /**
   * A message is delivered. Understands the built-in vocabulary (`vote` with `lastLogIndex`/`lastLogTerm`);
   * other implementations' messages simply never hit the message probes.
   */
  deliver(m: Message): void {
    if (m.type !== 'vote') return;
    const lastIndex = m['lastLogIndex'];
    const lastTerm = m['lastLogTerm'];
    if (typeof lastIndex !== 'number' || typeof lastTerm !== 'number') return;
    const log = this.logs.logOf(m.to);
    const myLastIndex = log.lastIndex;
    const myLastTerm = log.entryAt(myLastIndex)?.term ?? 0;
    if (myLastTerm > lastTerm || (myLastTerm === lastTerm && myLastIndex > lastIndex)) this.counts['vote-request-with-stale-log']++;
  }

  private sync(fact: PersistFact | RestartFact): void {
    if (this.ownsLogs) this.logs.observe(fact);
    else this.logs.expectCurrent(fact);
  }
}
