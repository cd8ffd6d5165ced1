/**
 * Commit quorum: an entry is applied anywhere only while a majority of the voting configuration stores it
 * durably (same index and term), and once applied it stays on such a majority (Raft §5.4: a committed entry is
 * on a majority of disks, and no later leader lacks it). Judged at the moment of each apply and of each persist
 * or restart that removes an applied entry from a disk, so acknowledging entries before they are fsynced,
 * counting stale or inflated acknowledgements, a follower committing beyond what the leader sent it, and
 * Figure 8's commit of an earlier term's entry (once a later leader overwrites it) are caught when they happen,
 * without waiting for a crash to turn them into lost writes.
 *
 * "Durably" follows the facts: persist facts come only after fsync, restart facts carry what the disk kept. A
 * node re-applying its committed prefix after a restart is judged the same way, and passes in a correct Raft
 * because that prefix is still on a majority.
 *
 * Configurations (membership changes, thesis §4): while no configuration entry has reached a disk and no node has
 * joined, the voting configuration is every node of the run (the fast path, unchanged). From then on an entry is
 * judged against the configurations its committing leader could have used. That leader held the entry, and used
 * the latest configuration in its log (thesis §4.1), which is either the configuration at the entry's own position
 * (the same in every log holding the entry, by log matching) or one carried by a configuration entry after it in
 * the leader's log. The leader is not known from facts, but it is one of the entry's durable holders (its Ready's
 * entries are persisted before it applies, and a follower learns the commit from it), so the candidates are: the
 * configuration at the entry's position, and every configuration after it in any holder's log. The entry must be
 * on a majority of each half (both C_old and C_new during joint consensus; learners never count) of at least one
 * candidate. This is sound (a correct leader's choice is always among them) and still catches a joint
 * configuration counted against C_new alone and a learner counted as a voter: until the leader's own later
 * configuration entry exists, nothing weaker is a candidate. See docs/properties.md § Configurations.
 *
 * With apply-time configurations (contract `configurations: 'applied'`, etcd), the leader counts in the
 * configuration it has applied, which lags the one at the entry's position by at most one change: one change at a
 * time (configuration-entries judges it) means a leader appends a change only once the previous one is committed,
 * and it applies what it has committed before it commits further. So the configuration before the one at the
 * entry's position is a candidate too; for the Figure 8 check a node must be electable in both, since it may
 * campaign in either.
 */
import { sameConfiguration } from '../core/configuration.js';
import type { Entry, NodeId } from '../sim/contract.js';
import type { ApplyFact, Fact, PersistFact, RestartFact } from '../sim/facts.js';
import { Configurations, describeConfiguration, describeQuorum, jointMajority, votesIn } from './configurations.js';
import type { Configuration } from './configurations.js';
import { DurableNodes } from './durable-state.js';
import type { DurableNode } from './durable-state.js';
import { AppliedRecord } from './applied-record.js';
import type { Checker, Violation } from './types.js';

/** The commit-quorum checker, with its judgements callable directly (RunCheckers' one dispatch per fact). */
export interface CommitQuorumChecker extends Checker {
  /** What {@link Checker.observe} returns for an apply, persist or restart fact (with shared configurations). */
  apply(fact: ApplyFact): Violation | null;
  persist(fact: PersistFact): Violation | null;
  restart(fact: RestartFact): Violation | null;
}

/**
 * Creates the commit-quorum checker for a cluster whose initial nodes are `nodeIds` (all voters). With
 * `shared.configs`, the checker reads those configurations and its caller feeds every fact to them first; without,
 * it keeps its own. With `shared.durable`, it keeps the durable logs there (it updates them itself, after judging
 * what a persist loses), for checkers called after it on the same fact.
 */
export function createCommitQuorumChecker(
  nodeIds: readonly NodeId[],
  shared?: { readonly configs: Configurations; readonly durable?: DurableNodes; readonly applied?: AppliedRecord },
): CommitQuorumChecker {
  const nodes = shared?.durable ?? new DurableNodes(nodeIds);
  const majority = Math.floor(nodeIds.length / 2) + 1;
  const configs = shared?.configs ?? new Configurations(nodeIds);
  const ownsConfigs = shared === undefined;
  /** Scratch list of candidate configurations (reused, so a judgement allocates nothing but on a violation). */
  const candidates: Configuration[] = [];
  /**
   * The term first applied at each index by any node, and the highest index applied: with `shared.applied`, the
   * caller's, fed every apply fact before this checker; without, its own.
   */
  const record = shared?.applied ?? new AppliedRecord();
  const ownsRecord = shared?.applied === undefined;
  /**
   * True until this checker reports a violation. Invariant while true (fixed cluster): every entry applied so far
   * is still on a majority of disks. Its first apply found it there, and every later change of a disk at an applied
   * index was judged (persist and restart look at every index they change up to `appliedMax`) and kept a majority.
   * So a later apply of the same (index, term) needs no count: the count is a majority. Skipping it matters in the
   * pipeline, where the count reads the durable log of every node at that index (a cache miss each) on all of the
   * ~1 000 repeat applies of a run. Once a violation was reported the invariant may not hold; every apply is counted.
   */
  let sound = true;

  /** How many nodes durably store (index, term). O(nodes), no allocation. */
  function holders(index: number, term: number): number {
    let count = 0;
    const list = nodes.list;
    for (let k = 0; k < list.length; k++) if ((list[k] as DurableNode).termAt(index) === term) count++;
    return count;
  }

  function apply(fact: Fact & { kind: 'apply' }): Violation | null {
    const { index, term } = fact.entry;
    if (ownsRecord) record.observe(fact);
    const first = record.firstTerm;
    if (configs.changed) return applyAcrossConfigurations(fact, first);
    if (!first && sound && record.termAt(index) === term) return null;
    const count = holders(index, term);
    if (count < majority) {
      return violation(
        fact,
        `Node ${fact.node} applied (index ${index}, term ${term}) while only ${count} of ${nodeIds.length} nodes stored it durably (a majority is ${majority}): it was never committed.`,
        { index, term, durableHolders: count, majority, holderNodes: holderNodes(index, term) },
      );
    }
    return first ? electableWithout(fact, index, term) : null;
  }

  /**
   * At the commit moment (the first apply of an index anywhere): no node lacking the entry may still be electable,
   * i.e. have a durable log at least as up-to-date (Raft §5.4.1) as the durable logs of a majority, itself
   * included. Raft's commit rule (an entry of the leader's own term on a majority, §5.4.2) guarantees it: every
   * holder of that entry has a more up-to-date log than any node lacking it. Committing an earlier term's entry
   * by counting replicas (Figure 8) does not, and is caught here, before any later leader overwrites it.
   * Votes already cast and terms are ignored, which can only make more nodes look electable, and a correct Raft
   * passes anyway. O(nodes²), once per index.
   */
  function electableWithout(fact: Fact, index: number, term: number): Violation | null {
    const list = nodes.list;
    for (let x = 0; x < list.length; x++) {
      const candidate = list[x] as DurableNode;
      if (candidate.termAt(index) === term) continue;
      const lastTerm = candidate.termAt(candidate.lastIndex);
      let voters = 0;
      for (let v = 0; v < list.length; v++) {
        const voter = list[v] as DurableNode;
        const voterLastTerm = voter.termAt(voter.lastIndex);
        if (lastTerm > voterLastTerm || (lastTerm === voterLastTerm && candidate.lastIndex >= voter.lastIndex)) voters++;
      }
      if (voters < majority) continue;
      const id = candidate.id;
      return violation(
        fact,
        `Node ${fact.node} applied (index ${index}, term ${term}) first, but node ${id}, which does not store it, could still be elected: ` +
          `its log (last index ${candidate.lastIndex}, term ${lastTerm}) is at least as up-to-date as the durable logs of ${voters} of ${nodeIds.length} nodes (Raft §5.4.2, Figure 8).`,
        { index, term, electable: id, electableLastIndex: candidate.lastIndex, electableLastTerm: lastTerm, voters, majority },
      );
    }
    return null;
  }

  /**
   * The configurations a leader committing (index, term) could have used (see the header), into `candidates`:
   * the one at the entry's position in each holder's log, then every later one in the holders' logs. `without`
   * is not taken as a holder (a node losing the entry, whose configurations are already its new log's).
   */
  function candidatesFor(index: number, term: number, without: NodeId): Configuration[] {
    candidates.length = 0;
    const list = nodes.list;
    for (let k = 0; k < list.length; k++) {
      const holder = list[k] as DurableNode;
      if (holder.termAt(index) !== term || holder.id === without) continue;
      const here = configs.at(holder.id, index);
      if (here !== null) addCandidate(here);
      if (configs.appliedInForce) {
        const before = configs.previousAt(holder.id, index);
        if (before !== null && before !== undefined) addCandidate(before);
      }
      const entries = configs.entriesOf(holder.id);
      for (let c = configs.positionAfter(holder.id, index); c < entries.configs.length; c++) addCandidate(entries.configs[c] as Configuration);
    }
    return candidates;
  }

  /** Adds `c` unless an equal configuration is there already (holders' logs share their configuration entries). */
  function addCandidate(c: Configuration): void {
    for (let k = 0; k < candidates.length; k++) {
      const d = candidates[k] as Configuration;
      if (d === c || sameConfiguration(d, c)) return;
    }
    candidates.push(c);
  }

  /** Whether (index, term) is on a majority of each half of some candidate configuration, `without` not counted. */
  function committable(index: number, term: number, without: NodeId): Configuration | null {
    const has = (id: NodeId): boolean => id !== without && nodes.of(id).termAt(index) === term;
    for (const c of candidatesFor(index, term, without)) if (jointMajority(c, has)) return c;
    return null;
  }

  function applyAcrossConfigurations(fact: Fact & { kind: 'apply' }, first: boolean): Violation | null {
    const { index, term } = fact.entry;
    if (committable(index, term, 0) === null) {
      const has = (id: NodeId): boolean => nodes.of(id).termAt(index) === term;
      const found = candidatesFor(index, term, 0).slice();
      const holderList = holderNodes(index, term);
      const tried = found.length === 0 ? 'no holder has a configuration' : found.map((c) => `${describeConfiguration(c)}: ${describeQuorum(c, has)}`).join('; ');
      return violation(
        fact,
        `Node ${fact.node} applied (index ${index}, term ${term}) while it was durably stored by [${holderList.join(', ')}], not a majority of each half of any configuration its leader could have used (${tried}): it was never committed.`,
        { index, term, durableHolders: holderList.length, holderNodes: holderList, configurations: found },
      );
    }
    return first ? electableAcrossConfigurations(fact, index, term) : null;
  }

  /**
   * {@link electableWithout} across configurations: a node lacking the entry, running, and a voter of the latest
   * configuration in its own log (the one it would campaign in) must not have a durable log at least as up-to-date
   * as those of a majority of each half of that configuration. Retired nodes neither campaign nor vote.
   */
  function electableAcrossConfigurations(fact: Fact, index: number, term: number): Violation | null {
    const list = nodes.list;
    for (let x = 0; x < list.length; x++) {
      const candidate = list[x] as DurableNode;
      const id = candidate.id;
      if (candidate.termAt(index) === term || configs.isRetired(id)) continue;
      const own = configs.latest(id);
      if (own === null || !votesIn(own, id)) continue;
      const lastTerm = candidate.termAt(candidate.lastIndex);
      const wouldVote = (v: NodeId): boolean => {
        if (configs.isRetired(v)) return false;
        const voter = nodes.of(v);
        const voterLastTerm = voter.termAt(voter.lastIndex);
        return lastTerm > voterLastTerm || (lastTerm === voterLastTerm && candidate.lastIndex >= voter.lastIndex);
      };
      if (!jointMajority(own, wouldVote)) continue;
      if (configs.appliedInForce) {
        // It may still campaign in the configuration before its latest change (not applied yet): electable only
        // if it wins there too.
        const before = configs.previousAt(id, candidate.lastIndex);
        if (before !== undefined && (before === null || !votesIn(before, id) || !jointMajority(before, wouldVote))) continue;
      }
      return violation(
        fact,
        `Node ${fact.node} applied (index ${index}, term ${term}) first, but node ${id}, which does not store it, could still be elected: ` +
          `its log (last index ${candidate.lastIndex}, term ${lastTerm}) is at least as up-to-date as the durable logs of ${describeQuorum(own, wouldVote)} in its configuration ${describeConfiguration(own)} (Raft §5.4.2, Figure 8).`,
        { index, term, electable: id, electableLastIndex: candidate.lastIndex, electableLastTerm: lastTerm, configuration: own },
      );
    }
    return null;
  }

  /** The applied entries a disk loses: judged before the node's view is updated, in place, without allocation. */
  function persist(fact: PersistFact): Violation | null {
    const node = nodes.of(fact.node);
    const first = fact.entries[0];
    let found: Violation | null = null;
    const appliedMax = record.maxIndex;
    if (first !== undefined && first.index <= node.lastIndex && first.index <= appliedMax) {
      const batchLast = first.index + fact.entries.length - 1;
      const end = Math.min(node.lastIndex, appliedMax);
      for (let i = first.index; i <= end && found === null; i++) {
        const kept = i <= batchLast ? (fact.entries[i - first.index] as Entry).term : 0;
        found = judgeLoss(fact, node, i, kept);
      }
    }
    node.persist(fact);
    return found;
  }

  function restart(fact: RestartFact): Violation | null {
    const node = nodes.of(fact.node);
    const stored = fact.stored.entries;
    const end = Math.min(node.lastIndex, record.maxIndex);
    let found: Violation | null = null;
    for (let i = 1; i <= end && found === null; i++) {
      const kept = i <= stored.length ? (stored[i - 1] as Entry).term : 0;
      found = judgeLoss(fact, node, i, kept);
    }
    node.restart(fact);
    return found;
  }

  /** `node` is about to hold term `kept` (0: nothing) at `index`: does an applied entry fall below a majority? */
  function judgeLoss(fact: PersistFact | RestartFact, node: DurableNode, index: number, kept: number): Violation | null {
    const term = record.termAt(index);
    if (term === 0 || node.termAt(index) !== term || kept === term) return null;
    if (configs.changed) return lossAcrossConfigurations(fact, index, term, kept);
    const after = holders(index, term) - 1;
    if (after >= majority) return null;
    const how = kept === 0 ? 'dropped' : `replaced it with term ${kept}`;
    return violation(
      fact,
      `Node ${fact.node} ${how} at index ${index} although (index ${index}, term ${term}) was applied, leaving it on only ${after} of ${nodeIds.length} disks (a majority is ${majority}): a committed entry was lost.`,
      { index, term, durableHolders: after, majority, replacedBy: kept },
    );
  }

  /** {@link judgeLoss} across configurations: the entry must stay on a majority of each half of some candidate. */
  function lossAcrossConfigurations(fact: PersistFact | RestartFact, index: number, term: number, kept: number): Violation | null {
    if (committable(index, term, fact.node) !== null) return null;
    const how = kept === 0 ? 'dropped' : `replaced it with term ${kept}`;
    const left = holderNodes(index, term).filter((id) => id !== fact.node);
    return violation(
      fact,
      `Node ${fact.node} ${how} at index ${index} although (index ${index}, term ${term}) was applied, leaving it only on [${left.join(', ')}], not a majority of each half of any configuration its leader could have used: a committed entry was lost.`,
      { index, term, durableHolders: left.length, holderNodes: left, replacedBy: kept },
    );
  }

  function holderNodes(index: number, term: number): NodeId[] {
    if (!configs.changed) return nodeIds.filter((id) => nodes.of(id).termAt(index) === term);
    return nodes.list.filter((n) => n.termAt(index) === term).map((n) => n.id).sort((a, b) => a - b);
  }

  /** `found`, noting that it was found (see `sound`). */
  function judged(found: Violation | null): Violation | null {
    if (found !== null) sound = false;
    return found;
  }

  return {
    property: 'commit-quorum',
    factKinds: ['apply', 'persist', 'restart', 'join', 'retire'],
    observe(fact: Fact): Violation | null {
      if (ownsConfigs) configs.observe(fact);
      switch (fact.kind) {
        case 'apply':
          return judged(apply(fact));
        case 'persist':
          return judged(persist(fact));
        case 'restart':
          return judged(restart(fact));
        default:
          return null;
      }
    },
    apply: (fact: ApplyFact): Violation | null => judged(apply(fact)),
    persist: (fact: PersistFact): Violation | null => judged(persist(fact)),
    restart: (fact: RestartFact): Violation | null => judged(restart(fact)),
  };
}

function violation(fact: Fact, message: string, evidence: unknown): Violation {
  return { property: 'commit-quorum', atMs: fact.atMs, event: fact.event, nodes: [fact.node], message, evidence };
}
