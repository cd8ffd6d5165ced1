/**
 * CI flags of `run` end to end, in-process: the union of `--shard 1/4` .. `4/4` is the unsharded batch (same
 * seeds, same verdicts), a time budget stops the batch within a second of its budget with a valid summary,
 * and `--json-file` writes the same summary stdout prints.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

interface Summary {
  runs: number;
  failed: number;
  seedStart: number;
  failures: { seed: number; property: string; message: string; repro: string }[];
  events: number;
  shard?: { index: number; count: number; batchSeedStart: number; batchSeeds: number | null };
  timeBudget?: { ms: number; spent: boolean };
  wallMs: number;
  interrupted: boolean;
  unfinishedSeeds?: number[];
}

const parse = (line: string): Summary => JSON.parse(line) as Summary;
const batch = ['run', '--seeds', '22', '--seed-start', '3', '--bug', 'early-ack', '--nodes', '3', '--jobs', '1', '--no-artifacts', '--json'];

describe('run --shard', () => {
  it('the union of shards 1/4 .. 4/4 is the unsharded run: same seeds, same verdicts', async () => {
    const whole = parse((await runCliInProcess(batch)).lastLine);
    expect(whole.failed).toBeGreaterThan(0);
    const shards: Summary[] = [];
    for (let k = 1; k <= 4; k++) shards.push(parse((await runCliInProcess([...batch, '--shard', `${k}/4`])).lastLine));
    // Contiguous blocks in order: each starts where the previous ended.
    let next = 3;
    for (const [i, s] of shards.entries()) {
      expect(s.shard).toMatchObject({ index: i + 1, count: 4, batchSeedStart: 3, batchSeeds: 22 });
      expect(s.seedStart).toBe(next);
      next += s.runs;
    }
    expect(next).toBe(3 + 22);
    expect(shards.flatMap((s) => s.failures)).toEqual(whole.failures);
    expect(shards.reduce((n, s) => n + s.events, 0)).toBe(whole.events);
  });

  it('reads the shard from SEAWORTHY_SHARD and from JOB_COMPLETION_INDEX with --shard-count', async () => {
    const saved = { ...process.env };
    try {
      process.env.SEAWORTHY_SHARD = '2/3';
      const named = parse((await runCliInProcess(['run', '--seeds', '9', '--nodes', '3', '--jobs', '1', '--json'])).lastLine);
      expect(named.shard).toMatchObject({ index: 2, count: 3 });
      expect([named.seedStart, named.runs]).toEqual([4, 3]);
      delete process.env.SEAWORTHY_SHARD;
      process.env.JOB_COMPLETION_INDEX = '2';
      const indexed = parse((await runCliInProcess(['run', '--seeds', '9', '--nodes', '3', '--jobs', '1', '--shard-count', '3', '--json'])).lastLine);
      expect([indexed.seedStart, indexed.runs]).toEqual([7, 3]);
      const bad = await runCliInProcess(['run', '--seeds', '9', '--shard-count', '2', '--json']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/^seaworthy: JOB_COMPLETION_INDEX expects a whole number from 0 to 1/);
    } finally {
      process.env = saved;
    }
  });
});

describe('run --time-budget', () => {
  for (const jobs of ['1', '2']) {
    it(`stops within a second of its budget with a valid summary (--jobs ${jobs})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'seaworthy-budget-'));
      const file = join(dir, 'summary.json');
      const started = Date.now();
      const r = await runCliInProcess(['run', '--time-budget', '3s', '--nodes', '3', '--jobs', jobs, '--json-file', file, '--json']);
      const elapsedMs = Date.now() - started;
      expect(r.status).toBe(0);
      const s = parse(r.lastLine);
      expect(s.timeBudget).toEqual({ ms: 3000, spent: true });
      expect(s.interrupted).toBe(false);
      // Worker threads start through tsx here, which on a loaded machine can take most of the budget.
      if (jobs === '1') expect(s.runs).toBeGreaterThan(0);
      expect((s as Summary & { passed: number }).passed + s.failed).toBe(s.runs);
      expect(s.wallMs).toBeGreaterThanOrEqual(3000);
      expect(s.wallMs).toBeLessThan(4000);
      // The whole command, target resolution and summary included.
      expect(elapsedMs).toBeLessThan(4500);
      expect(readFileSync(file, 'utf8')).toBe(`${r.lastLine}\n`);
    });
  }

  it('with --seeds, ends at whichever comes first', async () => {
    const s = parse((await runCliInProcess(['run', '--time-budget', '10m', '--seeds', '4', '--nodes', '3', '--jobs', '1', '--json'])).lastLine);
    expect(s.runs).toBe(4);
    expect(s.timeBudget).toEqual({ ms: 600_000, spent: false });
  });

  it('--seed-start random is printed first and lands in the JSON', async () => {
    const r = await runCliInProcess(['run', '--seed-start', 'random', '--seeds', '2', '--nodes', '3', '--jobs', '1', '--json']);
    const s = parse(r.lastLine) as Summary & { seedStartDrawn?: boolean };
    expect(s.seedStartDrawn).toBe(true);
    expect(r.stderr).toContain(`--seed-start random drew ${s.seedStart}; rerun this batch with --seed-start ${s.seedStart} --seeds 2`);
  });

  it('refuses a bad --json-file before running a seed', async () => {
    // A path under a file: its folder can never be created.
    const r = await runCliInProcess(['run', '--seeds', '3', '--json-file', 'package.json/summary.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^seaworthy: --json-file: .*package\.json" exists and is not a folder/);
  });
});
