/** The checker's verdict and explanation, as plain JSON-serialisable data. */

export type LinVerdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** How positions in a history are named in explanations: 1-based file lines or 0-based event indices. */
export type PositionName = 'line' | 'event';

export interface PartitionResult {
  /** The partition key ("" when the model does not partition). */
  readonly key: string;
  readonly label: string;
  readonly ops: number;
  /** `unknown` also for partitions left unfinished because another partition already failed. */
  readonly verdict: LinVerdict;
  readonly steps: number;
  /** Work units spent on this partition (steps, candidates scanned, memo words compared). */
  readonly work: number;
}

export interface ExplainedOperation {
  /** Index in the checked history's operation list. */
  readonly id: number;
  readonly process: number;
  readonly description: string;
  readonly call: number;
  /** null when the operation never completed. */
  readonly ret: number | null;
  readonly callAtMs?: number;
  readonly retAtMs?: number;
}

export interface LinearizedStep {
  readonly op: ExplainedOperation;
  readonly stateAfter: string;
}

/** Why a history is not linearizable, for one partition (the first one found failing). */
export interface LinExplanation {
  readonly partition: string;
  readonly positionName: PositionName;
  readonly initialState: string;
  /** The completed operation that no extension of the longest partial linearization could place. */
  readonly failing: ExplainedOperation;
  /** The deepest partial linearization found, in order, with the state after each operation. */
  readonly longest: readonly LinearizedStep[];
  /** The state after `longest`, in which `failing` (and every ordering of the concurrent ones) was tried. */
  readonly stateBeforeFailing: string;
  /** Operations of the partition whose intervals overlap `failing`'s, not counting `failing`. */
  readonly concurrent: readonly ExplainedOperation[];
}

export interface LinResult {
  readonly verdict: LinVerdict;
  readonly model: string;
  /** Operations checked (failed operations of the native form are not counted: they did not happen). */
  readonly ops: number;
  /** Search steps used, across partitions. */
  readonly steps: number;
  readonly stepBudget: number;
  /** Work units used across partitions: steps plus candidates scanned plus memo words compared. */
  readonly work: number;
  readonly workBudget: number;
  /**
   * Present exactly when the verdict is `unknown`: `budget` when the step or work budget ran out (deterministic),
   * `interrupt` when the caller's `CheckOptions.interrupted` asked to stop (a wall-clock deadline).
   */
  readonly stoppedBy?: 'budget' | 'interrupt';
  readonly partitions: readonly PartitionResult[];
  /** Present exactly when the verdict is `not-linearizable`. */
  readonly explanation?: LinExplanation;
}
