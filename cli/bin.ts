#!/usr/bin/env node
/**
 * The executable entry: runs `main` on the process's arguments and sets the exit code. It sets
 * `process.exitCode` instead of calling `process.exit`, so buffered stdout (a JSON summary piped to a file)
 * is flushed before the process ends.
 */
import { installProcessGroupExitHook } from './adapters/process-groups.js';
import { describeInternalError } from './errors.js';
import { processIo } from './io.js';
import { seaworthyVersion } from './version.js';

const argv = process.argv.slice(2);
// Here and not only where an adapter starts: with seed workers, the adapters start in worker threads, where
// no exit hook can be installed, and the main thread's exit must still kill what they spawned.
installProcessGroupExitHook();
// A reader that goes away (`seaworthy replay --trace | head`) is not an error of ours: stop quietly, as
// command-line tools do on a closed pipe, instead of an unhandled EPIPE stack trace. Nobody reads what is
// left, so the work stops too; the exit hook still kills any implementation processes.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}
try {
  if (argv.length === 1 && argv[0] === '--version') {
    // Answered before loading the commands (yargs, the simulator, the checkers): a version check stays instant.
    processIo.stdout(seaworthyVersion());
  } else {
    const { main } = await import('./main.js');
    process.exitCode = await main(argv, processIo);
  }
} catch (error) {
  // Not bad input (main turns that into exit 2) but a bug in seaworthy: one line with the top frame, the
  // whole stack with SEAWORTHY_DEBUG=1. Exit 1, as an uncaught error always has.
  process.stderr.write(`${describeInternalError(error, process.env.SEAWORTHY_DEBUG === '1')}\n`);
  process.exitCode = 1;
}
