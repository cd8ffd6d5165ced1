/**
 * Everything that judges one run as it happens, behind the simulator's {@link FactObserver}: the snapshot fact
 * expansion, the stores the checkers share (every node's persisted log, the configurations in those logs), the
 * coverage probes, the online safety checkers (plus any the run adds, such as stability and transfer) and the
 * checks on sent messages. Each fact goes through them in one fixed order, so the shared stores always hold the
 * fact before any reader judges it; the first violation stops the run (every checker still sees that fact).
 */
import type { Message, MessageAnnotations, NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
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

  /** The run ended with no violation: checkers waiting on a deadline that passed report now (see `Checker.finish`). */
  finish(endMs: number, event: number): void {
    for (const c of this.checkers) {
      const v = c.finish?.(endMs, event) ?? null;
      if (v !== null) this.violations.push(v);
    }
  }

  observe(observed: Fact): boolean {
    // A snapshot stands for a log prefix: the checkers see the facts it shortened as facts about whole logs.
    const fact = this.snapshots.expand(observed);
    this.logs.observe(fact);
    this.configs.observe(fact);
    this.probes.observe(fact);
    this.safety.observe(fact, this.violations);
    this.dispatch.observe(fact, this.violations);
    this.messages?.observe(fact);
    return this.violations.length > 0;
  }
}
