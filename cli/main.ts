/**
 * The seaworthy CLI as a function: `main(argv, io)` parses the arguments, runs one command and returns its
 * exit code, writing only through `io`. User errors become one line on stderr and exit code 2; property
 * violations exit 1; a clean pass exits 0. It never exits the process itself, so tests call it in-process;
 * the executable entry is cli/bin.ts.
 */
import yargs from 'yargs';
import { contextArgs } from './command-context.js';
import type { CommandContext } from './command-context.js';
import { bugsCommand } from './commands/bugs.js';
import { linCheckCommand } from './commands/lin-check.js';
import { mergeCommand } from './commands/merge.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import { scenariosCommand } from './commands/scenarios.js';
import { selftestCommand } from './commands/selftest.js';
import { shrinkCommand } from './commands/shrink.js';
import { EXIT_PASS, EXIT_USAGE, UsageError } from './errors.js';
import type { Io } from './io.js';
import { seaworthyVersion } from './version.js';

/** A usage message as the one line the CLI promises (yargs' own messages may span lines). */
function oneLine(message: string): string {
  return message.replace(/:\s*\n\s*/g, ': ').replace(/\s*\n\s*/g, '; ').trim() || 'bad usage';
}

/** Parsed keys that may legitimately hold several values: yargs' positionals and lin-check's files. */
const MULTI_VALUE_KEYS: ReadonlySet<string> = new Set(['_', '$0', 'files']);

/**
 * Refuses a flag given more than once. yargs collects repeats into an array, which every parser downstream
 * would otherwise have to expect; one clear line is better than guessing which value was meant.
 */
function rejectRepeatedFlags(args: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(args)) {
    // yargs holds each flag under its kebab and its camelCase name: report the kebab one, once.
    if (!Array.isArray(value) || MULTI_VALUE_KEYS.has(key) || /[A-Z]/.test(key)) continue;
    throw new UsageError(`--${key} was given ${value.length} times (${value.map((v) => JSON.stringify(v)).join(', ')}); give it once`);
  }
}

/** yargs lists an unknown flag under both its names ("allow-empty, allowEmpty"): keep the one typed. */
function withoutCamelTwins(message: string): string {
  const match = /^Unknown arguments: (.*)$/.exec(message);
  if (match === null) return message;
  const names = (match[1] ?? '').split(', ');
  const kebabOf = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const kept = names.filter((n) => kebabOf(n) === n || !names.includes(kebabOf(n)));
  return `Unknown argument${kept.length === 1 ? '' : 's'}: ${kept.join(', ')}`;
}

/** yargs' "Did you mean run?" names the suggestion but not the word it replaces. */
function withUnknownCommand(message: string, argv: readonly string[]): string {
  if (!message.startsWith('Did you mean')) return withoutCamelTwins(message);
  const word = argv.find((a) => !a.startsWith('-'));
  return `unknown command ${JSON.stringify(word ?? '')}; ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and returns the exit code: 0 pass, 1
 * violation, 2 usage error. Unexpected errors (bugs in seaworthy) are rethrown for the entry to report.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const context: CommandContext = { io, exitCode: EXIT_PASS };
  const parser = yargs()
    .scriptName('seaworthy')
    .command(runCommand)
    .command(replayCommand)
    .command(bugsCommand)
    .command(linCheckCommand)
    .command(scenariosCommand)
    .command(shrinkCommand)
    .command(selftestCommand)
    .command(mergeCommand)
    .demandCommand(1, 'expected a command; try --help')
    .strict()
    .recommendCommands()
    .help()
    // Like --help, --version is answered through the parse callback below, before any command runs.
    .version('version', 'print the version', seaworthyVersion())
    .wrap(null)
    .exitProcess(false)
    .middleware((args) => rejectRepeatedFlags(args), true)
    .fail((message, error) => {
      if (error !== undefined && error !== null && !(error instanceof UsageError)) throw error;
      throw new UsageError(error?.message ?? withUnknownCommand(message ?? 'bad usage', argv));
    });
  try {
    // With a callback, yargs hands its help and version text to us instead of printing it and exiting.
    await parser.parseAsync(argv.slice(), contextArgs(context), (_error, _args, output) => {
      if (output !== '') io.stdout(output);
    });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`seaworthy: ${oneLine(error.message)}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  return context.exitCode;
}
