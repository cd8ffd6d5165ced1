/**
 * Invariant assertions. A failed assertion is a bug in Seaworthy (or in how an implementation is driven),
 * never a user error: it throws, and the run boundary reports it with its seed.
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/**
 * Throws like a failed {@link assert}. Hot paths write `if (!cond) assertFail(`...`)` so the message (a
 * template literal) is only built when the invariant is actually broken.
 */
export function assertFail(message: string): never {
  throw new AssertionError(message);
}
