import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

const out = mkdtempSync(join(tmpdir(), 'seaworthy-guided-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('run --guided', () => {
  it('reports its corpus and probe combinations, and a failing mutated plan replays from its saved file', async () => {
    const args = ['run', '--guided', '--seeds', '40', '--bug', 'figure8-commit', '--out', out, '--json'];
    const first = await runCliInProcess(args);
    expect(first.status).toBe(1);
    const summary = JSON.parse(first.lastLine) as { guided: { mutatedRuns: number; corpusSize: number; probeCombinations: number }; probeCombinations: number; failures: { seed: number; property: string; repro: string }[] };
    expect(summary.guided.mutatedRuns).toBeGreaterThan(0);
    expect(summary.guided.corpusSize).toBeGreaterThan(0);
    expect(summary.guided.probeCombinations).toBe(summary.probeCombinations);
    // Deterministic from --seed-start: the same batch again gives the same summary (wall time aside).
    const again = JSON.parse((await runCliInProcess(args)).lastLine) as typeof summary;
    expect(again.failures).toEqual(summary.failures);
    expect(again.guided).toEqual(summary.guided);
    const mutated = summary.failures.find((f) => f.repro.includes('--plan'));
    expect(mutated).toBeDefined();
    const file = /--plan (\S+)/.exec(mutated!.repro)![1]!;
    const replay = await runCliInProcess(['replay', '--plan', file, '--json']);
    const verdict = JSON.parse(replay.lastLine) as { ok: boolean; violations: { property: string }[] };
    expect(verdict.ok).toBe(false);
    expect(verdict.violations[0]!.property).toBe(mutated!.property);
    expect(replay.stdout + replay.stderr).not.toMatch(/differs/);
  }, 300_000);

  it('selftest --corpus --guided runs each mutant as a guided batch', async () => {
    const r = await runCliInProcess(['selftest', '--corpus', '--guided', '--mutation', 'double-vote', '--seeds-max', '20', '--json']);
    const table = JSON.parse(r.lastLine) as { guided?: boolean; caught: number; bugs: { name: string; caught: boolean }[] };
    expect(table.guided).toBe(true);
    expect(table.bugs.map((b) => [b.name, b.caught])).toEqual([['double-vote', true]]);
  }, 120_000);

  it('reports probe combinations without --guided too', async () => {
    const r = await runCliInProcess(['run', '--seeds', '4', '--safety-only']);
    expect(r.stdout).toMatch(/probe combinations: \d+ distinct\n/);
  }, 120_000);
});
