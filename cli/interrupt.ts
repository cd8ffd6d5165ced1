/**
 * Ctrl-C (SIGINT) and SIGTERM. Node's default for both ends the process at once, skipping `exit` hooks, which
 * is how `--impl-cmd` processes were left running (they lead their own process groups, so the terminal's
 * signal never reaches them) and how an interrupted `run` lost every finished seed.
 *
 * A command that can end gracefully (run: stop scheduling seeds, print the summary so far) registers a handler
 * with {@link onInterrupt}; the first signal goes to it. Without one, or on a second signal, every process group
 * is killed (SIGTERM, a short grace, SIGKILL) and the process exits with 128 + the signal's number, the
 * shell's convention: 130 for SIGINT, 143 for SIGTERM.
 */
import { isMainThread } from 'node:worker_threads';
import { KILL_GRACE_MS, killProcessGroupsSync, processGroupTable } from './adapters/process-groups.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** Exit code of a run interrupted by SIGINT (Ctrl-C): 128 + 2. */
export const EXIT_SIGINT = 130;
/** Exit code of a run interrupted by SIGTERM: 128 + 15. */
export const EXIT_SIGTERM = 143;

export function exitCodeFor(signal: InterruptSignal): number {
  return signal === 'SIGINT' ? EXIT_SIGINT : EXIT_SIGTERM;
}

const handlers: ((signal: InterruptSignal) => void)[] = [];
let installed = false;
let signalsSeen = 0;

function onSignal(signal: InterruptSignal): void {
  signalsSeen++;
  const handler = handlers[handlers.length - 1];
  if (handler !== undefined && signalsSeen === 1) {
    handler(signal);
    return;
  }
  killProcessGroupsSync(processGroupTable(), KILL_GRACE_MS, true);
  process.exit(exitCodeFor(signal));
}

/**
 * Takes over SIGINT and SIGTERM in the main thread (once): from then on a signal kills every process group
 * before the process ends. Signals are not delivered to worker threads, so there it does nothing.
 */
export function installInterruptCleanup(): void {
  if (installed || !isMainThread) return;
  installed = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Routes the first SIGINT/SIGTERM to `handler` instead of ending the process; the handler must then bring
 * the command to an end promptly (a second signal ends the process regardless). Returns the function that
 * removes the handler again.
 */
export function onInterrupt(handler: (signal: InterruptSignal) => void): () => void {
  installInterruptCleanup();
  handlers.push(handler);
  return () => {
    const at = handlers.lastIndexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
  };
}
