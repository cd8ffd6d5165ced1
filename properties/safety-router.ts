/**
 * The run's safety checkers ({@link createSafetyCheckers}, in their order) behind one `observe`: each fact kind
 * calls the checkers that judge it from call sites of their own. Through {@link FactDispatch}'s loop every fact
 * made one call per interested checker from a single call site that saw seven different checkers (a megamorphic
 * call V8 cannot inline); here each call site sees one checker. {@link SAFETY_ROUTES} lists the checkers per kind,
 * and a test holds it to the checkers' `factKinds`, as FactDispatch routes them; violations come out in the same
 * order as through FactDispatch.
 *
 * The run itself no longer goes through the router: RunCheckers calls each checker's per-kind method from one switch
 * (one dispatch per fact, not three). The router stays as the readable reference composition of the safety checkers:
 * test/run-checkers-commit-only.test.ts holds RunCheckers to it (same violations, same order, same probe counts) on
 * good runs and planted bugs.
 */
import type { NodeId } from '../sim/contract.js';
import type { Fact, PersistFact } from '../sim/facts.js';
import type { Configurations, ConfigurationOptions } from './configurations.js';
import type { PersistInvariantsChecker } from './persist-invariants.js';
import type { PersistedLogs } from './persisted-log.js';
import { createSafetyCheckers, SAFETY_CHECKER_COUNT } from './safety.js';
import type { Checker, PropertyName, Violation } from './types.js';

/**
 * Per fact kind, the safety checkers that judge it, named by the first property each judges (the per-persist
 * invariants' checker by `durable-term`), in {@link createSafetyCheckers} order.
 */
export const SAFETY_ROUTES: Readonly<Record<Fact['kind'], readonly PropertyName[]>> = Object.freeze({
  persist: ['log-matching', 'leader-completeness', 'durability', 'durable-term'],
  restart: ['log-matching', 'leader-completeness', 'state-machine-safety', 'durability', 'durable-term', 'snapshot-safety'],
  apply: ['leader-completeness', 'state-machine-safety', 'durability', 'durable-term', 'snapshot-safety'],
  role: ['election-safety', 'leader-completeness', 'durable-term'],
  ack: ['durability'],
  crash: ['state-machine-safety', 'durable-term'],
  snapshot: ['snapshot-safety'],
  restore: ['state-machine-safety', 'snapshot-safety'],
  join: ['durable-term'],
  retire: ['durable-term'],
  'conf-proposal': [],
  transfer: [],
});

/** The safety checkers of one run and their routing. */
export class SafetyRouter {
  /** The checkers, in {@link createSafetyCheckers} order (the same objects the router calls). */
  readonly checkers: readonly Checker[];
  private readonly election: Checker;
  private readonly logMatching: Checker;
  private readonly leaderCompleteness: Checker;
  private readonly stateMachine: Checker;
  private readonly durability: Checker;
  private readonly persistInvariants: Checker;
  private readonly snapshots: Checker;
  /** The per-persist invariants' own shortcut for commit-only persists (stand-ins in tests have none). */
  private readonly commitOnly: PersistInvariantsChecker | null;

  /** The run's safety checkers (arguments as {@link createSafetyCheckers}'s); the caller feeds `shared` and `configs` every fact first. */
  static create(nodeIds: readonly NodeId[], shared: PersistedLogs, configurations: ConfigurationOptions, configs: Configurations): SafetyRouter {
    return new SafetyRouter(createSafetyCheckers(nodeIds, shared, configurations, configs));
  }

  /** Routes to `checkers`, which stand where {@link createSafetyCheckers} puts its checkers (tests pass stand-ins). */
  constructor(checkers: readonly Checker[]) {
    if (checkers.length !== SAFETY_CHECKER_COUNT) throw new Error(`expected ${SAFETY_CHECKER_COUNT} safety checkers, got ${checkers.length}`);
    this.checkers = checkers;
    [this.election, this.logMatching, this.leaderCompleteness, this.stateMachine, this.durability, this.persistInvariants, this.snapshots] = checkers as [
      Checker,
      Checker,
      Checker,
      Checker,
      Checker,
      Checker,
      Checker,
    ];
    const fused = this.persistInvariants as Partial<PersistInvariantsChecker>;
    this.commitOnly = typeof fused.observeCommitOnly === 'function' ? (fused as PersistInvariantsChecker) : null;
  }

  /**
   * A persist fact with no entries and the hard state's term and vote unchanged since the node's last persist (only
   * the commit index moved; a third of a run's persists), on a fixed cluster (no configuration entry on any disk):
   * log matching, leader completeness and durability judge nothing in it and change no state of theirs (an empty
   * batch stores, truncates and drops nothing; the term is not above any they saw), so only the per-persist
   * invariants are asked, exactly as {@link observe} asks them.
   */
  observeCommitOnly(fact: PersistFact, violations: Violation[]): void {
    push(violations, this.commitOnly === null ? this.persistInvariants.observe(fact) : this.commitOnly.observeCommitOnly(fact));
  }

  /** Feeds `fact` to the checkers of its kind, in order; appends what they report to `violations`. */
  observe(fact: Fact, violations: Violation[]): void {
    switch (fact.kind) {
      case 'persist':
        push(violations, this.logMatching.observe(fact));
        push(violations, this.leaderCompleteness.observe(fact));
        push(violations, this.durability.observe(fact));
        push(violations, this.persistInvariants.observe(fact));
        return;
      case 'apply':
        push(violations, this.leaderCompleteness.observe(fact));
        push(violations, this.stateMachine.observe(fact));
        push(violations, this.durability.observe(fact));
        push(violations, this.persistInvariants.observe(fact));
        push(violations, this.snapshots.observe(fact));
        return;
      case 'restart':
        push(violations, this.logMatching.observe(fact));
        push(violations, this.leaderCompleteness.observe(fact));
        push(violations, this.stateMachine.observe(fact));
        push(violations, this.durability.observe(fact));
        push(violations, this.persistInvariants.observe(fact));
        push(violations, this.snapshots.observe(fact));
        return;
      case 'role':
        push(violations, this.election.observe(fact));
        push(violations, this.leaderCompleteness.observe(fact));
        push(violations, this.persistInvariants.observe(fact));
        return;
      case 'ack':
        push(violations, this.durability.observe(fact));
        return;
      case 'crash':
        push(violations, this.stateMachine.observe(fact));
        push(violations, this.persistInvariants.observe(fact));
        return;
      case 'snapshot':
        push(violations, this.snapshots.observe(fact));
        return;
      case 'restore':
        push(violations, this.stateMachine.observe(fact));
        push(violations, this.snapshots.observe(fact));
        return;
      case 'join':
      case 'retire':
        push(violations, this.persistInvariants.observe(fact));
        return;
      default:
        return;
    }
  }
}

/**
 * The safety checkers a commit-only persist can concern (see {@link SafetyRouter.observeCommitOnly}): of the persist
 * route, only the per-persist invariants (configuration-entries learns the commit index from it). A test holds this
 * to {@link SAFETY_ROUTES}' persist route, so a checker added there has to be thought about here too.
 */
export const COMMIT_ONLY_ROUTE: readonly PropertyName[] = Object.freeze(['durable-term']);

function push(violations: Violation[], violation: Violation | null): void {
  if (violation !== null) violations.push(violation);
}
