/**
 * Configuration entries (membership changes, Raft thesis §4), judged from facts only:
 *
 * - **well formed**: a configuration entry (data `conf:` + JSON, core/configuration.ts) in any persisted log must
 *   decode to a configuration: voters non-empty, ids ascending without duplicates, learners apart from voters;
 * - **one change at a time** (thesis §4.1): a leader appends a configuration entry only once the previous
 *   configuration entry in its log is committed; with two changes pending, the majorities of the configurations
 *   on either side of each need not overlap;
 * - **a leader's own term first** (the single-server change bug found in 2015, thesis §4.1 and its errata): a new
 *   leader appends a configuration entry only after it committed an entry of its own term; before that, a change
 *   it appends can overlap a change an earlier leader left uncommitted, and two leaders of different
 *   configurations can commit conflicting entries;
 * - **a change is one of the three shapes** the protocol allows: from a simple configuration, a single-server
 *   change (the voters differ by at most one node) or entering joint consensus (C_old,new whose C_old is the
 *   current voters); from a joint configuration, only leaving it (C_new, the incoming voters).
 *
 * With apply-time configurations (contract `configurations: 'applied'`, etcd) the own-term rule is not judged: it
 * guards append-time configurations, where a change an earlier leader left uncommitted is already in force on the
 * nodes that appended it; applied only once committed, such a change is in force nowhere, and etcd's own guard
 * (no change until every entry before the leader's term is applied) is what keeps changes one at a time.
 *
 * The last three are judged on the leader's own persist of an entry of its term: the node that announced
 * leadership of term T (role facts) persisting a configuration entry of term T appended it. What it knew is
 * bounded from the facts: its commit index is at least the largest durable commit it persisted and the largest
 * index it applied, and an entry applied by any node is committed. These bounds only make the check more lenient
 * (a correct leader's real commit index is at least as large when it appends), so a correct core passes.
 */
import { isJoint } from '../core/configuration.js';
import type { Configuration } from '../core/configuration.js';
import type { Entry, NodeId } from '../sim/contract.js';
import type { ApplyFact, Fact, PersistFact, RestartFact, RoleFact } from '../sim/facts.js';
import { Configurations, describeConfiguration } from './configurations.js';
import { DurableNodes } from './durable-state.js';
import type { Checker, Violation } from './types.js';

/** What a configuration-entries checker reads: the run's configurations and durable logs, fed before it. */
export interface ConfigurationEntriesShared {
  readonly configs: Configurations;
  /** Must already hold the fact being judged (the fused checker's commit-quorum part updates it first). */
  readonly durable: DurableNodes;
}

/** The configuration-entries checker, with its per-kind steps callable directly (RunCheckers' one dispatch per fact). */
export interface ConfigurationEntriesChecker extends Checker {
  /** What {@link Checker.observe} returns for a persist or restart fact (with shared configurations and logs). */
  persist(fact: PersistFact): Violation | null;
  restart(fact: RestartFact): Violation | null;
  /** What {@link Checker.observe} does with a role, crash or apply fact (it never reports one). */
  role(fact: RoleFact): void;
  crash(node: NodeId): void;
  apply(fact: ApplyFact): void;
}

/**
 * Creates the configuration-entries checker; `nodeIds` is the bootstrap configuration. With `shared`, it reads
 * those (its caller feeds them each fact first); without, it keeps its own.
 */
export function createConfigurationEntriesChecker(nodeIds: readonly NodeId[], shared?: ConfigurationEntriesShared): ConfigurationEntriesChecker {
  const configs = shared?.configs ?? new Configurations(nodeIds);
  const durable = shared?.durable ?? new DurableNodes(nodeIds);
  const owns = shared === undefined;
  /** Position = node id: the term it leads (0: not leading). */
  const leading: number[] = [];
  /** Position = node id: the largest commit index it persisted or index it applied, this incarnation. */
  const knownCommit: number[] = [];
  // Filled from position 0 (0 is what an unset slot reads as): arrays that start packed with small integers stay so,
  // where one grown by a first write at a node's id turns holey mid-run and deoptimizes its readers.
  for (const id of nodeIds) {
    while (leading.length <= id) leading.push(0);
    while (knownCommit.length <= id) knownCommit.push(0);
  }
  /** The largest index and term applied by any node. */
  let appliedMax = 0;
  let appliedTermMax = 0;

  function persist(fact: PersistFact): Violation | null {
    const node = fact.node;
    if (fact.hardState.commit > (knownCommit[node] ?? 0)) knownCommit[node] = fact.hardState.commit;
    if (!configs.changed) return null;
    const bad = configs.malformed[0];
    if (bad !== undefined) {
      return violation(fact, `Node ${node} persisted a malformed configuration entry at (index ${bad.index}, term ${bad.term}): ${bad.problem}.`, {
        index: bad.index,
        term: bad.term,
        problem: bad.problem,
      });
    }
    const term = leading[node] ?? 0;
    if (term === 0) return null;
    const entries = fact.entries;
    for (let k = 0; k < entries.length; k++) {
      const e = entries[k] as Entry;
      if (e.term !== term || configs.entryIndexAt(node, e.index) !== e.index) continue;
      const found = judgeAppend(fact, e);
      if (found !== null) return found;
    }
    return null;
  }

  /** Leader `fact.node` of term `e.term` appended configuration entry `e`: was it allowed to? */
  function judgeAppend(fact: PersistFact, e: Entry): Violation | null {
    const node = fact.node;
    const commit = knownCommit[node] ?? 0;
    const log = durable.of(node);
    const at = `(index ${e.index}, term ${e.term})`;
    if (!configs.appliedInForce && !(log.termAt(commit) === e.term || appliedTermMax >= e.term)) {
      return violation(
        fact,
        `Leader ${node} of term ${e.term} appended configuration entry ${at} before committing an entry of its own term (its commit index was at most ${commit}): a new leader must commit an entry of its term before a change (the single-server change bug of 2015).`,
        { rule: 'own-term-first', index: e.index, term: e.term, commitKnown: commit },
      );
    }
    const previous = configs.entryIndexAt(node, e.index - 1);
    if (previous > commit && previous > appliedMax) {
      return violation(
        fact,
        `Leader ${node} of term ${e.term} appended configuration entry ${at} while the configuration entry at index ${previous} was not committed (its commit index was at most ${commit}): one configuration change at a time (thesis §4.1).`,
        { rule: 'one-at-a-time', index: e.index, term: e.term, pendingIndex: previous, commitKnown: commit },
      );
    }
    const from = configs.at(node, e.index - 1);
    const to = configs.at(node, e.index);
    if (from === null || to === null) return null;
    const problem = shapeProblem(from, to);
    if (problem === null) return null;
    return violation(fact, `Leader ${node} of term ${e.term} appended configuration entry ${at} going from ${describeConfiguration(from)} to ${describeConfiguration(to)}: ${problem}.`, {
      rule: 'shape',
      index: e.index,
      term: e.term,
      from,
      to,
    });
  }

  function restart(fact: RestartFact): Violation | null {
    leading[fact.node] = 0;
    knownCommit[fact.node] = fact.stored.hardState.commit;
    const bad = configs.malformed[0];
    if (bad === undefined) return null;
    return violation(fact, `Node ${fact.node} restarted with a malformed configuration entry at (index ${bad.index}, term ${bad.term}): ${bad.problem}.`, {
      index: bad.index,
      term: bad.term,
      problem: bad.problem,
    });
  }

  function role(fact: RoleFact): void {
    leading[fact.node] = fact.role === 'leader' ? fact.term : 0;
  }

  function crash(node: NodeId): void {
    leading[node] = 0;
  }

  function apply(fact: ApplyFact): void {
    const { index, term } = fact.entry;
    if (index > (knownCommit[fact.node] ?? 0)) knownCommit[fact.node] = index;
    if (index > appliedMax) appliedMax = index;
    if (term > appliedTermMax) appliedTermMax = term;
  }

  return {
    property: 'configuration-entries',
    factKinds: ['persist', 'restart', 'role', 'apply', 'crash', 'join', 'retire'],
    observe(fact: Fact): Violation | null {
      if (owns) {
        configs.observe(fact);
        if (fact.kind === 'persist') durable.of(fact.node).persist(fact);
        else if (fact.kind === 'restart') durable.of(fact.node).restart(fact);
      }
      switch (fact.kind) {
        case 'persist':
          return persist(fact);
        case 'restart':
          return restart(fact);
        case 'role':
          role(fact);
          return null;
        case 'crash':
          crash(fact.node);
          return null;
        case 'apply':
          apply(fact);
          return null;
        default:
          return null;
      }
    },
    persist,
    restart,
    role,
    crash,
    apply,
  };
}

/**
 * Why going from configuration `from` to `to` is not one of the protocol's three steps, or null when it is.
 * Learners may change in any step (they never count in a quorum).
 */
export function shapeProblem(from: Configuration, to: Configuration): string | null {
  if (isJoint(from)) {
    if (isJoint(to)) return 'a joint configuration can only be left, not changed into another joint one';
    return sameIds(to.voters, from.voters) ? null : 'leaving joint consensus must keep C_new\'s voters';
  }
  if (isJoint(to)) return sameIds(to.outgoing, from.voters) ? null : 'entering joint consensus must keep the current voters as C_old';
  let differ = 0;
  for (const v of from.voters) if (!to.voters.includes(v)) differ++;
  for (const v of to.voters) if (!from.voters.includes(v)) differ++;
  return differ <= 1 ? null : `the voters change by ${differ} nodes at once without joint consensus (a single-server change adds or removes one)`;
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function violation(fact: Fact, message: string, evidence: unknown): Violation {
  return { property: 'configuration-entries', atMs: fact.atMs, event: fact.event, nodes: [fact.node], message, evidence };
}
