#!/usr/bin/env node
/**
 * The executable entry: runs `main` on the process's arguments and sets the exit code. It sets
 * `process.exitCode` instead of calling `process.exit`, so buffered stdout (a JSON summary piped to a file)
 * is flushed before the process ends.
 */
import { main } from './main.js';
import { processIo } from './io.js';
import { describeInternalError } from './errors.js';

try {
  process.exitCode = await main(process.argv.slice(2), processIo);
} catch (error) {
  // Not bad input (main turns that into exit 2) but a bug in seaworthy: one line with the top frame, the
  // whole stack with SEAWORTHY_DEBUG=1. Exit 1, as an uncaught error always has.
  process.stderr.write(`${describeInternalError(error, process.env.SEAWORTHY_DEBUG === '1')}\n`);
  process.exitCode = 1;
}
