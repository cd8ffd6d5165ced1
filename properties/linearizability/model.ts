/**
 * A sequential specification, after Porcupine's `Model`: a record of pure functions. The checker never looks
 * inside states, inputs or outputs except through these functions.
 */

/** Returned by {@link Model.step} when the operation cannot happen in the given state. */
export const ILLEGAL: unique symbol = Symbol('illegal');
export type Illegal = typeof ILLEGAL;

export interface Model<State, Input, Output> {
  readonly name: string;
  /** The state before any operation. */
  init(): State;
  /**
   * Applies one operation with its observed output. Returns the next state, or {@link ILLEGAL} when the
   * output cannot be observed in `state`. Must be pure: the checker calls it many times on the same arguments.
   * An operation that never completed carries an "unknown" output that every state must accept, because it
   * may take effect at any point (the checker stops once every completed operation is placed).
   */
  step(state: State, input: Input, output: Output): State | Illegal;
  /**
   * P-compositionality (Herlihy & Wing): operations with different keys are checked independently, each
   * partition starting from `init()`. The model's states then describe one partition only.
   */
  partition?(input: Input): string;
  /** Partition label for humans, e.g. `key "x"`. */
  describePartition?(key: string): string;
  /** State equality for memoisation; defaults to `Object.is`. */
  equal?(a: State, b: State): boolean;
  /** A hash consistent with `equal`, spreading memo entries of one linearized set over many states. */
  hashState?(state: State): number;
  /**
   * True when the operation never changes the state wherever it is legal (a read, a failed compare). The search
   * then places it as soon as it is legal, without trying alternatives: moving such an operation earlier to a
   * point where it is legal preserves every linearization (Lowe, "Testing for linearizability", §4).
   */
  readOnly?(input: Input, output: Output): boolean;
  /**
   * True when the operation's resulting state does not depend on the state before it (a blind write, a put).
   * Only a search-order hint: such an operation hides every operation placed just before it, so the search
   * first tries the mutating operations that were invoked before it and still running when it was invoked.
   */
  overwrites?(input: Input): boolean;
  /**
   * True when the operation never changes the state, or when all its legal steps lead to one state fixed by the
   * operation (a write, a successful cas; for an operation that never completed, counting only the steps that
   * change the state, as a crashed cas that can only set its new value). Then operations that never completed,
   * placed just before it in a state where it was already legal, could only have used up options, so the search
   * does not place them there. Omit when unsure: the search is then plain WGL around such operations.
   */
  determinesState?(input: Input, output: Output): boolean;
  /**
   * Lookahead for register-like models (all three of `stateKey`, `requires` and `produces`, or none): a key
   * naming a state, the one state an operation is legal in (`undefined` when legal in several, e.g. a write),
   * and the state an operation leaves when it changes the state (`undefined` only for read-only operations).
   * The search then abandons a configuration as soon as a pending completed operation is illegal in the
   * current state and no unplaced operation invoked before its return produces the state it needs, instead of
   * trying every order of the other candidates first.
   */
  stateKey?(state: State): string;
  requires?(input: Input, output: Output): string | undefined;
  produces?(input: Input, output: Output): string | undefined;
  /**
   * Identity of an input: operations that never completed and have equal keys are interchangeable, so the
   * search only places them in invocation order (symmetry reduction). Omit when inputs cannot be keyed.
   */
  inputKey?(input: Input): string;
  describeOperation(input: Input, output: Output): string;
  describeState(state: State): string;
}
