/**
 * Shrinking a process implementation's failure (issue 11, item 6): `run --shrink` shrinks before it closes the
 * process adapter (it used to close first, so every rerun failed with "called after the process adapter closed"
 * and the saved plan was a wrong, empty one), `shrink` takes `--impl-cmd`, and the saved plan replays through
 * `replay --plan FILE --impl-cmd ...` to the same property, with the repro line naming the command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

const BUGGY = 'python3 examples/python-raft/node.py --bug double-vote';
/** Seed 2 of random on 3 nodes: the planted double vote is caught at 164 ms, so every rerun is short. */
const SEED = '2';
const tmp = mkdtempSync(join(tmpdir(), 'seaworthy-process-shrink-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Shrunk {
  readonly property: string;
  readonly file: string;
  readonly repro: string;
  readonly traceHash: string;
}

function replayOf(shrunk: Shrunk): { property: string | undefined; traceHash: string } {
  const replay = runCli(['replay', '--plan', shrunk.file, '--impl-cmd', BUGGY, '--json']);
  expect(replay.status, replay.stderr).toBe(1);
  const verdict = JSON.parse(replay.lastLine) as { traceHash: string; violations: { property: string }[] };
  return { property: verdict.violations[0]?.property, traceHash: verdict.traceHash };
}

describe('shrinking a process implementation', () => {
  it('run --shrink shrinks the real failure, before the adapter closes, and its plan replays to it', () => {
    const out = join(tmp, 'run');
    const run = runCli(['run', '--impl-cmd', BUGGY, '--nodes', '3', '--seeds', '1', '--seed-start', SEED, '--shrink', '--shrink-budget', '6', '--out', out, '--json']);
    expect(run.status, run.stderr).toBe(1);
    const [shrunk] = (JSON.parse(run.lastLine) as { shrunk: Shrunk[] }).shrunk;
    expect(shrunk?.property).toBe('durable-vote');
    expect(shrunk?.repro).toContain(`--impl-cmd '${BUGGY}'`);
    expect(replayOf(shrunk as Shrunk)).toEqual({ property: 'durable-vote', traceHash: shrunk?.traceHash });
  }, 120_000);

  it('shrink --impl-cmd shrinks, saves a plan that replays to the same property, and names the command in the repro', () => {
    const out = join(tmp, 'shrink');
    const shrink = runCli(['shrink', '--impl-cmd', BUGGY, '--nodes', '3', '--seed', SEED, '--shrink-budget', '6', '--out', out, '--json']);
    expect(shrink.status, shrink.stderr).toBe(1);
    const shrunk = JSON.parse(shrink.lastLine) as Shrunk;
    expect(shrunk.property).toBe('durable-vote');
    expect(shrunk.repro).toBe(`npx seaworthy replay --plan ${shrunk.file} --impl-cmd '${BUGGY}' --trace`);
    expect(replayOf(shrunk)).toEqual({ property: 'durable-vote', traceHash: shrunk.traceHash });
  }, 120_000);

  it('shrink --impl takes a module implementation too (a passing seed: nothing to shrink)', () => {
    const shrink = runCli(['shrink', '--impl', 'examples/js-raft/buggy.js', '--nodes', '3', '--seed', '1', '--out', join(tmp, 'module'), '--json']);
    expect(shrink.status, shrink.stderr).toBe(0);
    expect(JSON.parse(shrink.lastLine)).toEqual({ seed: 1, ok: true });
  }, 120_000);
});
