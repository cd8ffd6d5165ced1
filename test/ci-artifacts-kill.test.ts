/**
 * Failure artifacts are written as failures happen: a `run` killed with SIGKILL (no handler, no summary)
 * right after its first failure keeps a complete, replayable folder for every failure class it had found.
 * A child process, because the kill is the point.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCliInProcess } from './cli-helpers.js';

interface RunRecord {
  seed: number;
  property: string;
  signature: string;
}

/** Class folders that hold a run.json (written last, so such a folder is complete). */
function completeFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'run.json')));
}

describe('failure artifacts under SIGKILL', () => {
  it('keep a complete folder for every failure class found before the kill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seaworthy-kill-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/bin.ts', 'run', '--seeds', '1e9', '--bug', 'apply-beyond-commit', '--jobs', '1', '--artifacts', dir, '--json'], { cwd: repoRoot, stdio: 'ignore', env: { ...process.env, FORCE_COLOR: '0' } });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 90_000;
    while (completeFolders(dir).length === 0 && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const folders = completeFolders(dir);
    expect(folders.length).toBeGreaterThan(0);
    // Killed: no batch summary was written.
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    const records = folders.map((f) => JSON.parse(readFileSync(join(dir, f, 'run.json'), 'utf8')) as RunRecord);
    for (const f of folders) {
      for (const file of ['plan.json', 'repro.txt', 'timeline.txt']) expect(existsSync(join(dir, f, file)), `${f}/${file}`).toBe(true);
      const record = records[folders.indexOf(f)] as RunRecord;
      const replayed = await runCliInProcess(['replay', '--plan', join(dir, f, 'plan.json'), '--json']);
      expect((JSON.parse(replayed.lastLine) as { violations: { property: string }[] }).violations[0]?.property).toBe(record.property);
    }
    // A class is written before the next seed runs, so every class first seen up to the last seed written is there.
    const lastSeed = Math.max(...records.map((r) => r.seed));
    const batch = JSON.parse((await runCliInProcess(['run', '--seeds', String(lastSeed), '--bug', 'apply-beyond-commit', '--jobs', '1', '--no-artifacts', '--json'])).lastLine) as { classes: { signature: string }[] };
    expect(records.map((r) => r.signature).sort()).toEqual(batch.classes.map((c) => c.signature).sort());
  });
});
