/**
 * Shrink end to end, as a user runs it: a planted bug's failure is shrunk and saved by one process and
 * replayed from the file by another, which must see the same violation and the same trace hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

const outDir = mkdtempSync(join(tmpdir(), 'seaworthy-shrink-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

interface ShrinkJson {
  readonly ok: boolean;
  readonly seed: number;
  readonly property: string;
  readonly file: string;
  readonly traceHash: string;
  readonly planEventsBefore: number;
  readonly planEventsAfter: number;
  readonly repro: string;
}

describe('shrink, save, replay in a new process', () => {
  it('replays the saved minimal plan with the same property and trace hash', () => {
    const run = runCli(['run', '--seeds', '20', '--bug', 'apply-beyond-commit', '--json']);
    expect(run.status, run.stderr).toBe(1);
    const summary = JSON.parse(run.lastLine) as { failures: { seed: number }[]; classes: { seeds: number[]; count: number }[] };
    expect(summary.classes.length).toBeGreaterThan(0);
    expect(summary.classes.reduce((n, c) => n + c.count, 0)).toBe(summary.failures.length);
    const seed = summary.failures[0]?.seed ?? 0;

    const shrunk = runCli(['shrink', '--seed', String(seed), '--bug', 'apply-beyond-commit', '--out', outDir, '--shrink-budget', '25', '--json']);
    expect(shrunk.status, shrunk.stderr).toBe(1);
    const report = JSON.parse(shrunk.lastLine) as ShrinkJson;
    expect(report.file).toBe(join(outDir, `seed-${seed}-${report.property}.json`));
    expect(report.planEventsAfter).toBeLessThanOrEqual(report.planEventsBefore);
    expect(report.repro).toBe(`npx seaworthy replay --plan ${report.file} --trace`);

    const replay = runCli(['replay', '--plan', report.file, '--json']);
    expect(replay.status, replay.stderr).toBe(1);
    const verdict = JSON.parse(replay.lastLine) as { seed: number; traceHash: string; violations: { property: string }[] };
    expect(verdict.seed).toBe(seed);
    expect(verdict.violations[0]?.property).toBe(report.property);
    expect(verdict.traceHash).toBe(report.traceHash);

    const human = runCli(['replay', '--plan', report.file, '--trace', '--width', '100']);
    expect(human.stdout).toContain('(same run)');
    expect(human.stdout).toContain('▶');
  });

  it('replay --plan of a missing file is a usage error: one line, exit 2', () => {
    const r = runCli(['replay', '--plan', join(outDir, 'missing.json')]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('npm warn'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('missing.json');
  });
});

describe('selftest', () => {
  it('catches every planted bug (--json, small shrink budget)', () => {
    const r = runCli(['selftest', '--json', '--shrink-budget', '3']);
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.lastLine) as { ok: boolean; bugs: { name: string; caught: boolean; seeds: number; property: string | null; planEventsBefore: number | null; planEventsAfter: number | null }[] };
    expect(result.ok).toBe(true);
    expect(result.bugs.length).toBeGreaterThanOrEqual(9);
    for (const bug of result.bugs) {
      expect(bug.caught, bug.name).toBe(true);
      expect(bug.property).not.toBeNull();
      expect(bug.planEventsAfter ?? 0).toBeLessThanOrEqual(bug.planEventsBefore ?? 0);
    }
  });
});
