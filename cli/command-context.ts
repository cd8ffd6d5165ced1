/**
 * How `main(argv, io)` reaches the command handlers without globals: yargs merges a context object into the
 * parsed arguments of every handler, so a handler finds the caller's Io there and hands its exit code back.
 * Command code never writes to `process` or calls `process.exit`, so the whole CLI can run in-process.
 */
import type { Io } from './io.js';

/** What one `main` call gives the command it runs, and what the command gives back. */
export interface CommandContext {
  readonly io: Io;
  /** The command's exit code (0 pass, 1 violation; usage errors are thrown and become 2 in main). */
  exitCode: number;
}

/** The key under which the context travels in the parsed arguments; not a flag a user can type. */
const CONTEXT_KEY = '$seaworthyContext';

/** The object to pass as yargs' parse context. */
export function contextArgs(context: CommandContext): Readonly<Record<string, unknown>> {
  return { [CONTEXT_KEY]: context };
}

function contextOf(args: object): CommandContext {
  const context = (args as Record<string, unknown>)[CONTEXT_KEY];
  // Only main() runs the command modules; a handler without a context is a wiring bug, not user input.
  if (typeof context !== 'object' || context === null) throw new Error('command handler ran without a CommandContext (run commands through main())');
  return context as CommandContext;
}

/**
 * A yargs handler that runs `execute` with the caller's Io and records its exit code in the context.
 * Thrown UsageErrors pass through to main, which prints them as one line and returns 2.
 */
export function handleWith<A>(execute: (args: A, io: Io) => number | Promise<number>): (args: A) => Promise<void> {
  return async (args) => {
    const context = contextOf(args as object);
    context.exitCode = await execute(args, context.io);
  };
}
