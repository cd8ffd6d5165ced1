/**
 * The run lifecycle end to end (issue 9): a module call that never returns is stopped by the watchdog and
 * the batch goes on; Ctrl-C and SIGTERM keep the summary of the finished seeds and exit 130/143; a huge
 * `--seeds` streams instead of allocating; stubborn `--impl-cmd` processes (ignoring SIGTERM, never exiting on
 * end of input) are gone after the CLI is.
 *
 * The signal tests spawn the real entry and signal it once a fixture has written a marker (seeds are
 * running); they wait for conditions, never for a fixed time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliInProcess } from './cli-helpers.js';

const FIXTURES = 'test/fixtures/run-lifecycle';
const WAIT_MS_MAX = 90_000;
/**
 * --impl-timeout for the hanging fixture: long enough that no honest call reaches it on a loaded 2-core CI
 * machine (a GC pause while the thread waits for a core), short enough to keep the tests quick.
 */
const TIMEOUT_MS = '2000';

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Polls `condition` every 50 ms until it holds; fails the test after WAIT_MS_MAX. */
async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS_MAX;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').length : 0;
}

/**
 * Starts the CLI, sends `signal` once `ready()` holds, and returns how it ended. A CLI still running long
 * after the signal is SIGKILLed so the test fails instead of hanging.
 */
async function interrupt(args: readonly string[], env: Record<string, string>, ready: () => boolean, signal: NodeJS.Signals): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/bin.ts', ...args], { cwd: repoRoot, env: { ...process.env, ...env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Finished>((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr })));
  try {
    await until('the run to start', () => ready() || child.exitCode !== null);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  child.kill(signal);
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const finished = await exited;
  clearTimeout(guard);
  return finished;
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as Record<string, unknown>;
}

/** The state letter and process group of `pid` from /proc, or null when it does not exist. */
function procStat(pid: number): { state: string; pgid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

/** Alive means: the process exists and is not a zombie (PID 1 here may be slow to reap orphans). */
function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Members of process group `pgid` that are alive. */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => procStat(pid)?.pgid === pgid && alive(pid));
}

describe('run --impl: the wall-clock watchdog for in-process implementations', () => {
  it('reports a call that never returns as an implementation-error naming seed, node and call, and goes on, the same for any --jobs', () => {
    // --shrink too: shrinking reruns seeds on the main thread, so it must leave the stopped ones alone.
    const out = mkdtempSync(join(tmpdir(), 'seaworthy-shrunk-'));
    const args = ['run', '--seeds', '6', '--nodes', '3', '--impl', `${FIXTURES}/loops.mjs`, '--impl-timeout', TIMEOUT_MS, '--shrink', '--out', out, '--json'];
    const one = runCli([...args, '--jobs', '1']);
    expect(one.status, one.stderr).toBe(1);
    const summary = JSON.parse(one.lastLine) as { runs: number; implementationErrors: number; failures: { seed: number; property: string; message: string }[]; interrupted: boolean };
    expect(summary.runs).toBe(6);
    expect(summary.interrupted).toBe(false);
    expect(summary.implementationErrors).toBeGreaterThan(0);
    expect(summary.implementationErrors).toBeLessThan(6);
    for (const failure of summary.failures) {
      expect(failure.property).toBe('implementation-error');
      expect(failure.message).toMatch(new RegExp(`^node 1: tick\\(\\) did not return within ${TIMEOUT_MS} ms .* in seed ${failure.seed}, call \\d+`));
    }
    const two = runCli([...args, '--jobs', '2']);
    const strip = (line: string): unknown => ({ ...(JSON.parse(line) as object), wallMs: 0 });
    expect(strip(two.lastLine)).toEqual(strip(one.lastLine));
  });
});

describe('replay --impl: the same watchdog, so the repro line of a stopped seed does not hang', () => {
  it('reports the call that never returned as an implementation error, exit 1; other seeds replay as before', async () => {
    const run = JSON.parse(runCli(['run', '--seeds', '6', '--nodes', '3', '--impl', `${FIXTURES}/loops.mjs`, '--impl-timeout', TIMEOUT_MS, '--json']).lastLine) as { failures: { seed: number }[] };
    const hung = run.failures[0]?.seed ?? 0;
    const stopped = await runCliInProcess(['replay', '--seed', String(hung), '--nodes', '3', '--impl', `${FIXTURES}/loops.mjs`, '--impl-timeout', TIMEOUT_MS, '--json']);
    expect(stopped.status).toBe(1);
    const verdict = JSON.parse(stopped.lastLine) as { ok: boolean; violations: { property: string; message: string }[] };
    expect(verdict.ok).toBe(false);
    expect(verdict.violations[0]?.property).toBe('implementation-error');
    expect(verdict.violations[0]?.message).toMatch(new RegExp(`tick\\(\\) did not return within ${TIMEOUT_MS} ms .* in seed ${hung}`));
    const passing = [1, 2, 3, 4, 5, 6].find((seed) => !run.failures.some((f) => f.seed === seed)) ?? 1;
    const fine = await runCliInProcess(['replay', '--seed', String(passing), '--nodes', '3', '--impl', `${FIXTURES}/loops.mjs`, '--trace']);
    expect(fine.status).toBe(0);
    expect(fine.stdout).toMatch(/every property held/);
  });
});

describe('run: interrupted runs keep their summary', () => {
  it('--seeds 1e12 streams, and SIGINT prints the JSON summary of the finished seeds with "interrupted": true, exit 130', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'seaworthy-int-')), 'runs');
    const result = await interrupt(['run', '--seeds', '1e12', '--nodes', '3', '--impl', `${FIXTURES}/marked.mjs`, '--json'], { SEAWORTHY_TEST_MARKER: marker }, () => lineCount(marker) >= 4, 'SIGINT');
    expect(result.stderr).not.toMatch(/RangeError|Invalid array length/);
    expect(result.code, result.stderr).toBe(130);
    const summary = lastJson(result.stdout);
    expect(summary.interrupted).toBe(true);
    expect(summary.runs).toBeGreaterThanOrEqual(1);
    expect(summary.passed).toBe((summary.runs as number) - (summary.failed as number));
    expect(summary.events).toBeGreaterThan(0);
  });

  it('SIGTERM prints the human summary and says it was interrupted, exit 143', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'seaworthy-int-')), 'runs');
    const result = await interrupt(['run', '--seeds', '100000', '--nodes', '3', '--impl', `${FIXTURES}/marked.mjs`], { SEAWORTHY_TEST_MARKER: marker }, () => lineCount(marker) >= 4, 'SIGTERM');
    expect(result.code, result.stderr).toBe(143);
    expect(result.stdout).toMatch(/interrupted by SIGTERM after \d+ of 100000 seeds/);
    expect(result.stdout).toMatch(/passed/);
  });

  it('Ctrl-C with --impl-cmd leaves no process behind, even ones that ignore SIGTERM and outlive their input', async () => {
    const pids = join(mkdtempSync(join(tmpdir(), 'seaworthy-pids-')), 'pids');
    const result = await interrupt(['run', '--seeds', '1000', '--nodes', '3', '--impl-cmd', `bash ${FIXTURES}/stubborn.sh`, '--json'], { SEAWORTHY_TEST_PIDS: pids }, () => lineCount(pids) >= 6, 'SIGINT');
    expect(result.code, result.stderr).toBe(130);
    expect(lastJson(result.stdout).interrupted).toBe(true);
    const recorded = readFileSync(pids, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number));
    // SIGKILL is delivered at once, but a process takes a moment to die: wait for it, bounded.
    // A process killed while it wrote its line leaves the pid without the group: then only the pid is checked.
    const left = (): number[] => recorded.flatMap(([pid, pgid]) => [...(alive(pid ?? 0) ? [pid ?? 0] : []), ...((pgid ?? 0) > 0 ? groupMembers(pgid ?? 0) : [])]);
    await until('every recorded process group to be gone', () => left().length === 0).catch((error: unknown) => {
      const described = left().map((pid) => `${pid} ${JSON.stringify(procStat(pid))} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
      throw new Error(`${String(error)}; left: ${described.join('; ')}; recorded: ${JSON.stringify(recorded)}`);
    });
    expect(left()).toEqual([]);
  });
});

describe('run: seed ranges', () => {
  it('refuses a range that runs past the largest safe seed, in one line, exit 2', async () => {
    const result = await runCliInProcess(['run', '--seed-start', String(Number.MAX_SAFE_INTEGER - 5), '--seeds', '10']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--seed-start .* with --seeds 10 goes past the largest seed/);
  });
});
