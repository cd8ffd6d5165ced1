/**
 * The pluggable state machine: what committed entries are applied to. Implementations must be
 * deterministic functions of the sequence of data applied (Raft §5: replicated state machines).
 */
export interface StateMachine<Result> {
  /** Applies one committed entry's data (`''` is a no-op and yields undefined). */
  apply(data: string): Result | undefined;
}
