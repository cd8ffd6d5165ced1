/**
 * Everything that judges one run as it happens, behind the simulator's {@link FactObserver}: the snapshot fact
 * expansion, the stores the checkers share (every node's persisted log, the configurations in those logs), the
 * coverage probes, the online safety checkers (plus any the run adds, such as stability and transfer) and the
 * checks on sent messages. Each fact goes through them in one fixed order, so the shared stores always hold the
 * fact before any reader judges it; the first violation stops the run (every checker still sees that fact).
 */
import type { Message, MessageAnnotations, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact } from '../sim/facts.js';
import type { FactObserver } from '../sim/simulation.js';
import { Configurations } from './configurations.js';
import type { ConfigurationOptions } from './configurations.js';
import { FactDispatch } from './fact-dispatch.js';
import type { MessageChecker } from './message-checks.js';
import { PersistedLogs } from './persisted-log.js';
import { ProbeCounter } from './probes.js';
import { createMessageCheckerFor } from './safety.js';
import { SafetyRouter } from './safety-router.js';
import { SnapshotFactExpander } from './snapshot-facts.js';
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
  /** The safety checkers, then the run's extra ones: in the order their violations of one fact are listed. */
  private readonly checkers: readonly Checker[];
  private readonly safety: SafetyRouter;
  private readonly messages: MessageChecker | null;
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
    this.probes = new ProbeCounter(this.logs, { nodeIds, electionMs: options.electionMs, configs: this.configs });
    this.safety = SafetyRouter.create(nodeIds, this.logs, options.configurations ?? {}, this.configs);
    const extra = options.extraCheckers ?? [];
    this.checkers = [...this.safety.checkers, ...extra];
    this.dispatch = new FactDispatch(extra);
    const messages = createMessageCheckerFor(options.annotations, nodeIds);
    this.messages = messages;
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

  observe(observed: Fact): boolean {
    if (observed.kind === 'persist' && this.commitOnly(observed)) {
      // Only the commit index moved: what reads it, and what judges time passing, is asked (see commitOnly).
      this.probes.observeCommitOnly(observed);
      this.safety.observeCommitOnly(observed, this.violations);
      this.dispatch.observe(observed, this.violations);
      return this.violations.length > 0;
    }
    if (observed.kind === 'persist') {
      this.persistedTerm[observed.node] = observed.hardState.term;
      this.persistedVote[observed.node] = observed.hardState.vote;
    } else if (observed.kind === 'restart') this.persistedTerm[observed.node] = -1;
    // A snapshot stands for a log prefix: the checkers see the facts it shortened as facts about whole logs.
    const fact = this.snapshots.expand(observed);
    this.logs.observe(fact);
    this.configs.observe(fact);
    this.probes.observe(fact);
    this.safety.observe(fact, this.violations);
    this.dispatch.observe(fact, this.violations);
    // The message checker tracks durable state only: persists and restarts (two facts in three are not).
    if (this.messages !== null && (fact.kind === 'persist' || fact.kind === 'restart')) this.messages.observe(fact);
    return this.violations.length > 0;
  }
}
