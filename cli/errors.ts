/**
 * User errors: bad flags, bad seeds, unreadable or malformed input files. The CLI prints the message as one
 * line and exits with code 2; it never shows a stack trace for these.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes are a public interface: scripts depend on them. */
export const EXIT_PASS = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
