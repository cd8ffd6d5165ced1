/** What every checker shares: the violation record and the checker shape. */
import type { NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';

export type PropertyName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'durability'
  | 'durable-term'
  | 'durable-vote'
  | 'commit-quorum'
  | 'leader-append-only'
  | 'leader-votes'
  | 'configuration-entries'
  | 'snapshot-safety'
  | 'message-term'
  | 'vote-grant'
  | 'append-ack'
  | 'stability'
  | 'transfer'
  | 'linearizability'
  | 'liveness'
  | 'implementation-error';

/** A broken property, as structured data (style.md: errors as data). */
export interface Violation {
  readonly property: PropertyName;
  /** Simulated time at which the violation became observable, in ms. */
  readonly atMs: number;
  /** Simulation event index at which it became observable. */
  readonly event: number;
  /** The nodes involved, ascending. */
  readonly nodes: readonly NodeId[];
  /** One readable sentence naming what went wrong. */
  readonly message: string;
  /** Machine-readable details (JSON-serialisable). */
  readonly evidence?: unknown;
}

/**
 * A checker observes facts as they happen and reports the first violation it sees on each fact.
 * Checkers are deterministic and allocation-light: they run on the simulator's hot path.
 */
export interface Checker {
  readonly property: PropertyName;
  /**
   * The fact kinds this checker judges: it returns null for every other kind, so a run may skip calling it
   * for them (see properties/fact-dispatch.ts). Absent: it is given every fact.
   */
  readonly factKinds?: readonly Fact['kind'][];
  observe(fact: Fact): Violation | null;
  /**
   * Called once when a run ends with no violation, with its end (simulated ms, event count): a checker waiting for
   * a deadline that passed with no fact after it reports here rather than never. Absent: nothing is pending at the end.
   */
  finish?(endMs: number, event: number): Violation | null;
}
