/**
 * An interrupted batch keeps everything it wrote: SIGTERM after the first failure class was written leaves
 * that class's folder, the JSON summary of the finished seeds (exit 143) and the same summary in the
 * artifacts folder and the --json-file, and a JUnit report. In its own file because it watches for the CLI's
 * SIGTERM listener to appear, which only the first installation shows.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

describe('run: SIGTERM keeps the artifacts and reports', () => {
  it('writes the summary of the finished seeds to stdout, the artifacts folder, --json-file and --junit; exit 143', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seaworthy-term-'));
    const art = join(dir, 'failures');
    const listenersBefore = process.listenerCount('SIGTERM');
    let settled = false;
    const running = runCliInProcess(['run', '--seeds', '1e12', '--jobs', '1', '--bug', 'early-ack', '--nodes', '3', '--artifacts', art, '--json-file', join(dir, 'summary.json'), '--junit', join(dir, 'junit.xml'), '--json']).finally(() => (settled = true));
    const written = (): boolean => existsSync(art) && readdirSync(art).some((f) => existsSync(join(art, f, 'run.json')));
    // The run must not end on its own; the test fails below if it does.
    while ((process.listenerCount('SIGTERM') === listenersBefore || !written()) && !settled) await new Promise((resolve) => setTimeout(resolve, 10));
    process.emit('SIGTERM', 'SIGTERM');
    const r = await running;
    expect(r.status).toBe(143);
    const summary = JSON.parse(r.lastLine) as { interrupted: boolean; runs: number; failed: number; classes: { artifact?: string }[] };
    expect(summary.interrupted).toBe(true);
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.classes.every((c) => c.artifact !== undefined && existsSync(join(c.artifact, 'plan.json')))).toBe(true);
    expect(readFileSync(join(art, 'summary.json'), 'utf8')).toBe(`${r.lastLine}\n`);
    expect(readFileSync(join(dir, 'summary.json'), 'utf8')).toBe(`${r.lastLine}\n`);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('type="interrupted"');
  });
});
