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
/** `lin-check`: no file proven non-linearizable, but some undecided within the time limit or search budget. */
export const EXIT_UNDECIDED = 3;

/**
 * The stderr text for an unexpected error (a bug in seaworthy, never bad input): one line naming the error
 * and the frame it came from, or the whole stack when `debug` is set.
 */
export function describeInternalError(error: unknown, debug: boolean): string {
  const head = 'seaworthy: internal error (a bug in seaworthy; please report it with the command line)';
  if (!(error instanceof Error)) return `${head}: ${String(error)}`;
  if (debug && error.stack !== undefined) return `${head}:\n${error.stack}`;
  const frame = error.stack?.split('\n').find((line) => /^\s+at /.test(line))?.trim().replace(/^at /, '');
  return `${head}: ${error.name}: ${error.message.split('\n')[0] ?? ''}${frame === undefined ? '' : ` (${frame})`}`;
}
