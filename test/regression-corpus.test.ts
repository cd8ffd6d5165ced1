/**
 * The regression corpus (test/regression-corpus/README.md) replays with every verdict as recorded, and
 * `replay --corpus` fails when a verdict changes: a corpus check that cannot fail would prove nothing.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCliInProcess } from './cli-helpers.js';

interface CorpusResult {
  plans: number;
  changed: number;
  results: { file: string; expected: string | null; got: string | null; ok: boolean }[];
}

const corpus = join(repoRoot, 'test', 'regression-corpus');

describe('replay --corpus', () => {
  it('replays the regression corpus with every verdict as recorded', async () => {
    const r = await runCliInProcess(['replay', '--corpus', corpus, '--json']);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.lastLine) as CorpusResult;
    expect(result.changed).toBe(0);
    expect(result.plans).toBeGreaterThanOrEqual(10);
    // Both kinds are there: plans a planted bug must fail, and plans the correct core must pass.
    expect(result.results.some((p) => p.expected === null)).toBe(true);
    expect(result.results.some((p) => p.expected !== null)).toBe(true);
    expect(r.status).toBe(0);
  });

  it('fails with exit 1 when a verdict changed, naming the plan and both verdicts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seaworthy-corpus-'));
    cpSync(join(corpus, 'caught'), join(dir, 'caught'), { recursive: true });
    // A bug "fixed" behind the corpus's back: the plan now runs the correct core but still expects the violation.
    const file = join(dir, 'caught', 'forget-vote-vote-grant.json');
    const plan = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...plan, bug: null }));
    // Files that are not plans (an artifacts folder's run.json, notes) are passed over.
    writeFileSync(join(dir, 'caught', 'run.json'), '{"seed": 1}');
    const r = await runCliInProcess(['replay', '--corpus', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('✘ caught/forget-vote-vote-grant.json: expected vote-grant violated, got every property holds');
    expect(r.stdout).toMatch(/✘ corpus .*: 1 of 7 verdicts changed/);
  });

  it('refuses a missing or empty folder, a broken plan file and flags a plan decides, with one line', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'seaworthy-corpus-empty-'));
    expect((await runCliInProcess(['replay', '--corpus', join(empty, 'absent')])).stderr).toMatch(/^seaworthy: --corpus .*: no such folder/);
    expect((await runCliInProcess(['replay', '--corpus', empty])).stderr).toMatch(/^seaworthy: --corpus .*: no plan files in it/);
    writeFileSync(join(empty, 'broken.json'), '{"format": "seaworthy-plan", "version": 1, "seed": -1}');
    const broken = await runCliInProcess(['replay', '--corpus', empty]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^seaworthy: bad plan file .*broken\.json/);
    expect((await runCliInProcess(['replay', '--corpus', corpus, '--seed', '3'])).stderr).toMatch(/^seaworthy: --seed cannot be combined with --corpus/);
  });
});
