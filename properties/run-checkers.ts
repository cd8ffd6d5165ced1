/**
 * Everything that judges one run as it happens, behind the simulator's {@link FactObserver}: the snapshot fact
 * expansion, the stores the checkers share (every node's persisted log, the configurations in those logs), the
 * coverage probes, the online safety checkers (plus any the run adds, such as stability and transfer) and the
 * checks on sent messages. Each fact goes through them in one fixed order, so the shared stores always hold the
 * fact before any reader judges it; the first violation stops the run (every checker still sees that fact).
 *
 * One dispatch per fact: {@link RunCheckers.observe} switches on the fact's kind once and calls, for the common kinds
 * (persist, apply, role, ack: nine facts in ten), each store's and checker's method for that kind directly, in the
 * order `SafetyRouter` (safety-router.ts) and the fused per-persist checker would (a test holds the two paths to the same
 * violations and probe counts on good runs and planted bugs). Through the router each such fact passed three levels
 * of per-kind switches (router, fused checker, each checker's own `observe`); each level is code TurboFan compiles
 * and recompiles whenever a fact of a new shape reaches it, which in a run of a few dozen seeds cost more
 * instructions than the checking itself.
 */
import type { Message, MessageAnnotations, NodeId } from '../sim/contract.js';
import type { AckFact, ApplyFact, Fact, PersistFact, RestartFact, RoleFact } from '../sim/facts.js';
import type { FactObserver } from '../sim/simulation.js';
import { AppliedRecord } from './applied-record.js';
import { Configurations } from './configurations.js';
import type { ConfigurationOptions } from './configurations.js';
import { createDurabilityChecker } from './durability.js';
import type { DurabilityChecker } from './durability.js';
import { createElectionSafetyChecker } from './election-safety.js';
import type { ElectionSafetyChecker } from './election-safety.js';
import { FactDispatch } from './fact-dispatch.js';
import { createLeaderCompletenessChecker } from './leader-completeness.js';
import type { LeaderCompletenessChecker } from './leader-completeness.js';
import { createLogMatchingChecker } from './log-matching.js';
import type { LogMatchingChecker } from './log-matching.js';
import { createPersistInvariantParts } from './persist-invariants.js';
import type { PersistInvariantParts } from './persist-invariants.js';
import { PersistedLogs } from './persisted-log.js';
import { ProbeCounter } from './probes.js';
import { createMessageCheckerFor } from './safety.js';
import { createSnapshotSafetyChecker } from './snapshot-safety.js';
import type { SnapshotSafetyChecker } from './snapshot-safety.js';
import { SnapshotFactExpander } from './snapshot-facts.js';
import { createStateMachineSafetyChecker } from './state-machine-safety.js';
import type { StateMachineSafetyChecker } from './state-machine-safety.js';
import type { Checker, Violation } from './types.js';

export interface RunCheckersOptions {
  /** The run's initial nodes: the bootstrap configuration, all voters. */
  readonly nodeIds: readonly NodeId[];
  /** The implementation's declared message annotations; absent, sent messages stay opaque (no message checks). */
  readonly annotations?: MessageAnnotations | undefined;
  /** Checkers judged after the safety checkers, in this order (the run's stability and transfer checkers). */
  readonly extraCheckers?: readonly Checker[];
  /** One election timeout in ms (the transfer probes' deadline). */
  readonly electionMs: number;
  /** When the implementation's configuration entries take effect (contract version 2's `configurations`). */
  readonly configurations?: ConfigurationOptions;
}

/** The run's checkers and probes as one {@link FactObserver}; `violations` holds what they found, first first. */
export class RunCheckers implements FactObserver {
  readonly violations: Violation[] = [];
  readonly probes: ProbeCounter;
  private readonly logs: PersistedLogs;
  private readonly configs: Configurations;
  private readonly snapshots: SnapshotFactExpander;
  /** The first apply at each index, for state machine safety, durability, commit-quorum and snapshot safety. */
  private readonly applied = new AppliedRecord();
  /** The safety checkers (the per-persist invariants as their six parts), then the run's extra ones. */
  private readonly checkers: readonly Checker[];
  // The safety checkers as createSafetyCheckers makes them, each called per kind (see the header).
  private readonly election: ElectionSafetyChecker;
  private readonly logMatching: LogMatchingChecker;
  private readonly leaderCompleteness: LeaderCompletenessChecker;
  private readonly stateMachine: StateMachineSafetyChecker;
  private readonly durability: DurabilityChecker;
  /** The per-persist invariants' parts, asked as the fused checker asks them (first violation of the six reported). */
  private readonly invariants: PersistInvariantParts;
  private readonly snapshotSafety: SnapshotSafetyChecker;
  /** Each fact to the extra checkers of its kind only, in their order, after the safety checkers. */
  private readonly dispatch: FactDispatch;
  /**
   * Per node id: the term and vote of its last persist since it last (re)started, -1 when it has not persisted since
   * (see {@link RunCheckers.commitOnly}).
   */
  private readonly persistedTerm: number[] = [];
  private readonly persistedVote: number[] = [];
  /** Present only when the implementation declares message annotations, so the send path stays bare otherwise. */
  readonly sent?: (message: Message, atMs: number, event: number) => boolean;

  constructor(options: RunCheckersOptions) {
    const { nodeIds } = options;
    this.logs = new PersistedLogs(nodeIds);
    // One configuration store for the probes and the per-persist invariants: each persisted entry is scanned once.
    this.configs = new Configurations(nodeIds, options.configurations);
    this.snapshots = new SnapshotFactExpander(this.logs, nodeIds);
    // As createSafetyCheckers(nodeIds, logs, configurations, configs) makes them, in its order.
    this.election = createElectionSafetyChecker();
    this.logMatching = createLogMatchingChecker(nodeIds, this.logs);
    this.leaderCompleteness = createLeaderCompletenessChecker(nodeIds, this.logs);
    this.stateMachine = createStateMachineSafetyChecker(nodeIds, this.applied);
    this.durability = createDurabilityChecker(nodeIds, this.applied);
    this.invariants = createPersistInvariantParts(nodeIds, this.configs, this.applied);
    // The probes read each node's stored term and vote from the durable nodes commit-quorum keeps: they see every
    // persist and restart before commit-quorum does (below), so they read the state from before the fact.
    this.probes = new ProbeCounter(this.logs, { nodeIds, electionMs: options.electionMs, configs: this.configs, durable: this.invariants.durable });
    this.snapshotSafety = createSnapshotSafetyChecker(nodeIds, this.logs, this.applied);
    const { term, vote, quorum, appendOnly, leaderVotes, confEntries } = this.invariants;
    const extra = options.extraCheckers ?? [];
    this.checkers = [this.election, this.logMatching, this.leaderCompleteness, this.stateMachine, this.durability, term, vote, quorum, appendOnly, leaderVotes, confEntries, this.snapshotSafety, ...extra];
    this.dispatch = new FactDispatch(extra);
    // The message checker reads each sender's durable term, vote and last index from the durable nodes commit-quorum
    // keeps (fed every persist and restart below, which are all a message checker of its own would track), instead of
    // a copy of its own updated on every persist.
    const messages = createMessageCheckerFor(options.annotations, nodeIds, this.invariants.durable);
    if (messages !== null) {
      const violations = this.violations;
      this.sent = (message, atMs, event) => {
        const violation = messages.sent(message, atMs, event);
        if (violation !== null) violations.push(violation);
        return violations.length > 0;
      };
    }
  }

  /**
   * Whether `fact` is a commit-only persist: no entries, and the same term and vote as the node's last persist since
   * it (re)started, on a fixed cluster (no configuration entry has reached a disk, no node joined) and with no
   * installed snapshot waiting for its persist. A third of a run's persists are such (a node learning that the
   * commit index moved). For them every store and checker but three provably does nothing: the persisted logs and
   * configurations store no entry, truncate nothing and have nothing to scan; the probes count nothing (same term and
   * vote, no entries) but a transfer's deadline passing; log matching, leader completeness and durability judge no
   * entry, and the term is not above any they saw; the message checker's durable term, vote and last index stay as
   * they are. So only the probes' clock, the per-persist invariants (configuration-entries learns the commit index)
   * and the run's extra checkers (stability and transfer judge time passing) see it, as they would have.
   */
  private commitOnly(fact: PersistFact): boolean {
    if (fact.entries.length !== 0) return false;
    const node = fact.node;
    const term = this.persistedTerm[node];
    if (term === undefined || term !== fact.hardState.term || this.persistedVote[node] !== fact.hardState.vote) return false;
    return !this.configs.changed && !this.snapshots.installPending(node);
  }

  /** The run ended with no violation: checkers waiting on a deadline that passed report now (see `Checker.finish`). */
  finish(endMs: number, event: number): void {
    for (const c of this.checkers) {
      const v = c.finish?.(endMs, event) ?? null;
      if (v !== null) this.violations.push(v);
    }
  }

  observe(fact: Fact): boolean {
    switch (fact.kind) {
      case 'persist':
        if (this.commitOnly(fact)) this.observeCommitOnly(fact);
        else this.observePersist(fact);
        break;
      case 'apply':
        this.observeApply(fact);
        break;
      case 'role':
        this.observeRole(fact);
        break;
      case 'ack':
        this.observeAck(fact);
        break;
      case 'restart':
        this.observeRestart(fact);
        break;
      default:
        this.observeRare(fact);
    }
    return this.violations.length > 0;
  }

  /** Only the commit index moved: what reads it, and what judges time passing, is asked (see commitOnly). */
  private observeCommitOnly(fact: PersistFact): void {
    this.probes.observeCommitOnly(fact);
    // Of the per-persist invariants only configuration-entries learns something (see PersistInvariantsChecker).
    push(this.violations, this.invariants.confEntries.persist(fact));
    this.dispatch.observe(fact, this.violations);
  }

  private observePersist(observed: PersistFact): void {
    this.persistedTerm[observed.node] = observed.hardState.term;
    this.persistedVote[observed.node] = observed.hardState.vote;
    // A snapshot stands for a log prefix: the checkers see the facts it shortened as facts about whole logs.
    const fact = this.snapshots.persist(observed);
    this.logs.observePersist(fact);
    this.configs.observePersist(fact);
    this.probes.observePersist(fact);
    const v = this.violations;
    push(v, this.logMatching.persist(fact));
    this.leaderCompleteness.persist(fact);
    push(v, this.durability.persist(fact));
    const p = this.invariants;
    const a = p.term.persist(fact);
    const b = p.vote.persist(fact);
    const c = p.quorum.persist(fact);
    const d = p.appendOnly.persist(fact);
    p.leaderVotes.persist(fact);
    const g = p.confEntries.persist(fact);
    push(v, a ?? b ?? c ?? d ?? g);
    this.dispatch.observe(fact, v);
  }

  private observeApply(fact: ApplyFact): void {
    this.applied.observe(fact);
    this.probes.observeApply(fact);
    const v = this.violations;
    this.leaderCompleteness.apply(fact);
    push(v, this.stateMachine.apply(fact));
    push(v, this.durability.apply(fact));
    const c = this.invariants.quorum.apply(fact);
    this.invariants.confEntries.apply(fact);
    push(v, c);
    this.snapshotSafety.apply(fact);
    this.dispatch.observe(fact, v);
  }

  private observeRole(fact: RoleFact): void {
    this.probes.observeRole(fact);
    const v = this.violations;
    push(v, this.election.role(fact));
    push(v, this.leaderCompleteness.role(fact));
    this.invariants.appendOnly.role(fact);
    const e = this.invariants.leaderVotes.role(fact);
    this.invariants.confEntries.role(fact);
    push(v, e);
    this.dispatch.observe(fact, v);
  }

  private observeAck(fact: AckFact): void {
    this.probes.observeAck(fact);
    push(this.violations, this.durability.ack(fact));
    this.dispatch.observe(fact, this.violations);
  }

  private observeRestart(observed: RestartFact): void {
    this.persistedTerm[observed.node] = -1;
    const fact = this.snapshots.restart(observed);
    this.logs.observeRestart(fact);
    this.configs.observeRestart(fact);
    this.probes.observe(fact);
    const v = this.violations;
    push(v, this.logMatching.restart(fact));
    this.leaderCompleteness.restart(fact);
    this.stateMachine.restart(fact);
    this.durability.restart(fact);
    const p = this.invariants;
    const a = p.term.restart(fact);
    const b = p.vote.restart(fact);
    const c = p.quorum.restart(fact);
    p.appendOnly.stopped(fact.node);
    p.leaderVotes.restart(fact);
    const g = p.confEntries.restart(fact);
    push(v, a ?? b ?? c ?? g);
    push(v, this.snapshotSafety.restart(fact));
    this.dispatch.observe(fact, v);
  }

  /** The rare kinds (a few dozen facts a run): the stores' and probes' own switches, then the checkers of the kind. */
  private observeRare(observed: Fact): void {
    const fact = this.snapshots.expand(observed);
    this.logs.observe(fact);
    this.configs.observe(fact);
    this.probes.observe(fact);
    const v = this.violations;
    switch (fact.kind) {
      case 'crash':
        this.stateMachine.crash(fact.node);
        this.invariants.appendOnly.stopped(fact.node);
        this.invariants.confEntries.crash(fact.node);
        break;
      case 'snapshot':
        push(v, this.snapshotSafety.snapshot(fact));
        break;
      case 'restore':
        this.stateMachine.restore(fact);
        push(v, this.snapshotSafety.restore(fact));
        break;
      default:
        // join, retire, conf-proposal, transfer: no safety checker judges them (commit-quorum, leader-votes and
        // configuration-entries read joins and retirements from the configurations, fed above).
        break;
    }
    this.dispatch.observe(fact, v);
  }
}

function push(violations: Violation[], violation: Violation | null): void {
  if (violation !== null) violations.push(violation);
}
