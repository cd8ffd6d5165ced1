/**
 * Runs the CLI for tests: in-process through `main(argv, io)` (fast, the default), or in a child process
 * through the real entry, as a user would, where the process boundary itself is under test.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { describeInternalError } from '../cli/errors.js';
import type { Io } from '../cli/io.js';
import { main } from '../cli/main.js';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last non-empty line of stdout. */
  readonly lastLine: string;
}

function result(status: number | null, stdout: string, stderr: string): CliResult {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return { status, stdout, stderr, lastLine: lines[lines.length - 1] ?? '' };
}

/**
 * Runs `main(args)` in this process with captured stdout and stderr (colours stripped), as if on a terminal
 * `terminal.columns` wide (by default not a terminal). An unexpected error
 * is reported as the entry (cli/bin.ts) reports it, with exit status 1, plus `crashed` for the test to see.
 */
export async function runCliInProcess(args: readonly string[], terminal: { readonly columns?: number } = {}): Promise<CliResult & { readonly crashed: boolean }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: (line) => out.push(stripVTControlCharacters(line)), stderr: (line) => err.push(stripVTControlCharacters(line)), interactive: false, columns: terminal.columns };
  let status: number;
  let crashed = false;
  try {
    status = await main(args, io);
  } catch (error) {
    err.push(describeInternalError(error, true));
    status = 1;
    crashed = true;
  }
  const join = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  return { ...result(status, join(out), join(err)), crashed };
}

/** Runs the CLI's entry (cli/bin.ts) in a child process through tsx. */
export function runCli(args: readonly string[]): CliResult {
  const spawned = spawnSync(process.execPath, ['--import', 'tsx', 'cli/bin.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: 120_000,
  });
  return result(spawned.status, spawned.stdout, spawned.stderr);
}
