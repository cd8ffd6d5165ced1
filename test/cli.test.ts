/** The CLI as users script it: exit codes, one-line errors, JSON last lines. */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';

function expectUsageError(args: readonly string[], mentions: string): void {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('npm warn'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(mentions);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('seaworthy CLI', () => {
  it('run --json ends with a summary line and exits 0 on a clean pass', () => {
    const r = runCli(['run', '--seeds', '5', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.lastLine) as Record<string, unknown>;
    expect(summary).toMatchObject({ runs: 5, failed: 0, failures: [] });
    for (const field of ['events', 'simulatedMs', 'wallMs', 'faults']) expect(summary).toHaveProperty(field);
  });

  it('run --jobs gives the same summary on worker threads as on one thread', () => {
    const one = runCli(['run', '--seeds', '16', '--bug', 'early-ack', '--jobs', '1', '--json']);
    const two = runCli(['run', '--seeds', '16', '--bug', 'early-ack', '--jobs', '2', '--json']);
    expect(one.status).toBe(1);
    expect(two.status).toBe(1);
    const strip = (line: string): unknown => {
      const { wallMs: _wallMs, ...rest } = JSON.parse(line) as { wallMs: number };
      return rest;
    };
    expect(strip(two.lastLine)).toEqual(strip(one.lastLine));
  });

  it('run exits 1 and names the seed and property when a planted bug is caught', () => {
    const r = runCli(['run', '--seeds', '30', '--bug', 'early-ack', '--json']);
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.lastLine) as { failed: number; failures: { seed: number; property: string; message: string }[] };
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.failures[0]).toHaveProperty('seed');
    expect(summary.failures[0]?.property).toMatch(/safety|completeness|durability|matching|linearizability/);
  });

  it('replay --trace prints a timeline and the trace hash', () => {
    const r = runCli(['replay', '--seed', '3', '--trace', '--nodes', '3']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('becomes leader');
    expect(r.stdout).toMatch(/trace hash [0-9a-f]{16}/);
  });

  it('bugs --json lists the planted bugs', () => {
    const r = runCli(['bugs', '--json']);
    expect(r.status).toBe(0);
    const bugs = JSON.parse(r.lastLine) as { name: string }[];
    expect(bugs.map((b) => b.name)).toEqual(expect.arrayContaining(['double-vote', 'figure8-commit', 'no-truncate', 'forget-vote', 'early-ack']));
  });

  it('rejects bad input with one line and exit 2', () => {
    expectUsageError(['run', '--seeds', 'abc'], '--seeds');
    expectUsageError(['run', '--seeds', '0'], '--seeds');
    expectUsageError(['run', '--seeds', '2', '--frobnicate'], 'frobnicate');
    expectUsageError(['run', '--seeds', '2', '--scenario', 'nope'], 'unknown scenario');
    expectUsageError(['run', '--seeds', '2', '--bug', 'nope'], 'unknown bug');
    expectUsageError(['run', '--seeds', '2', '--nodes', '4'], '--nodes');
    expectUsageError(['replay', '--seed', '-1'], '--seed');
    expectUsageError(['replay'], 'seed');
    expectUsageError(['launch'], 'launch');
    expectUsageError(['run', '--seeds', '2', '--jobs', '0'], '--jobs');
  });
});
