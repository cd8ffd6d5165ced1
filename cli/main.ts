#!/usr/bin/env node
/**
 * The seaworthy CLI. The only place that touches process, the terminal and the wall clock. User errors
 * become one line on stderr and exit code 2; property violations exit 1; a clean pass exits 0.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bugsCommand } from './commands/bugs.js';
import { linCheckCommand } from './commands/lin-check.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { scenariosCommand } from './commands/scenarios.js';
import { selftestCommand } from './commands/selftest.js';
import { shrinkCommand } from './commands/shrink.js';
import { EXIT_USAGE, UsageError } from './errors.js';

function usageFailure(message: string): never {
  process.stderr.write(`seaworthy: ${message}\n`);
  process.exit(EXIT_USAGE);
}

export async function main(argv: readonly string[]): Promise<void> {
  const parser = yargs(argv.slice())
    .scriptName('seaworthy')
    .command(runCommand)
    .command(replayCommand)
    .command(bugsCommand)
    .command(linCheckCommand)
    .command(scenariosCommand)
    .command(shrinkCommand)
    .command(selftestCommand)
    .demandCommand(1, 'expected a command; try --help')
    .strict()
    .recommendCommands()
    .help()
    .version(false)
    .wrap(null)
    .fail((message, error) => {
      if (error !== undefined && error !== null && !(error instanceof UsageError)) throw error;
      usageFailure(error?.message ?? message ?? 'bad usage');
    });
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) usageFailure(error.message);
    throw error;
  }
}

await main(hideBin(process.argv));
