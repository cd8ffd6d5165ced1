/**
 * Invariant checks for core/. A failed check is a bug (ours, or the host breaking the RawNode contract), never an
 * expected outcome: it throws and is not caught inside core/ or sim/; the run boundary reports it with its seed.
 */

/** Throws `Error('invariant: ' + message)` unless `condition` holds. */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`invariant: ${message}`);
}

/**
 * Throws like a failed {@link assert}. Hot paths write `if (!cond) assertFail(`...`)` so the message (a
 * template literal) is only built when the invariant is actually broken.
 */
export function assertFail(message: string): never {
  throw new Error(`invariant: ${message}`);
}
