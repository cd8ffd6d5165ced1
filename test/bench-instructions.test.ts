import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../bench/instruction-count.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('bench:instructions', () => {
  it('parses seeds, mode, warm-up and trees, defaulting to this checkout', () => {
    expect(parseArgs([])).toEqual({ seeds: 100, warmup: 30, mode: 'full', trees: [ROOT] });
    expect(parseArgs(['40', '--mode', 'sim', '--warmup', '0', '--tree', '/a', '--tree', 'b'])).toEqual({ seeds: 40, warmup: 0, mode: 'sim', trees: ['/a', resolve('b')] });
  });

  it('refuses a bad argument with one line and exit 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/instruction-count.ts'), '--mode', 'fast'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--mode must be full or sim');
  });

  it('its driver runs the standard configuration and reports the same work and digest twice', () => {
    // Under tsx the driver's imports of compiled modules resolve to this checkout's sources.
    const run = (): { work: { events: number }; digest: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/instruction-driver.mjs'), ROOT, 'full', '1', '2'], { encoding: 'utf8', cwd: ROOT });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim()) as { work: { events: number }; digest: string };
    };
    const a = run();
    expect(a.work.events).toBeGreaterThan(10_000);
    expect(run()).toEqual(a);
  });
});
