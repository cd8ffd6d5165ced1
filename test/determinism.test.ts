/** Same seed and options ⇒ the same trace hash, in one process and across processes; other seeds differ. */
import { describe, expect, it } from 'vitest';
import { randomFaults } from '../scenarios/random-faults.js';
import { runSeed } from '../scenarios/run-seed.js';
import { runCli } from './cli-helpers.js';

describe('determinism', () => {
  it('gives the same trace hash for the same seed twice in one process', () => {
    for (const seed of [1, 7, 42]) {
      const a = runSeed({ seed, scenario: randomFaults, nodeCount: 5 });
      const b = runSeed({ seed, scenario: randomFaults, nodeCount: 5 });
      expect(b.traceHash).toBe(a.traceHash);
      expect(b.stats).toEqual(a.stats);
      expect(b.history).toEqual(a.history);
    }
  });

  it('gives different trace hashes for different seeds', () => {
    const hashes = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) hashes.add(runSeed({ seed, scenario: randomFaults, nodeCount: 3 }).traceHash);
    expect(hashes.size).toBe(20);
  });

  it('does not depend on recording the trace', () => {
    const quiet = runSeed({ seed: 5, scenario: randomFaults, nodeCount: 5 });
    const recorded = runSeed({ seed: 5, scenario: randomFaults, nodeCount: 5, record: true });
    expect(recorded.traceHash).toBe(quiet.traceHash);
    expect(recorded.trace?.length).toBeGreaterThan(100);
  });

  it('gives the same trace hash in another process (the replay CLI)', () => {
    const here = runSeed({ seed: 42, scenario: randomFaults, nodeCount: 5 });
    const first = runCli(['replay', '--seed', '42', '--nodes', '5', '--json']);
    const second = runCli(['replay', '--seed', '42', '--nodes', '5', '--json']);
    const other = runCli(['replay', '--seed', '43', '--nodes', '5', '--json']);
    expect(first.status).toBe(0);
    const a = JSON.parse(first.lastLine) as { traceHash: string; ok: boolean; seed: number };
    const b = JSON.parse(second.lastLine) as { traceHash: string };
    const c = JSON.parse(other.lastLine) as { traceHash: string };
    expect(a).toMatchObject({ seed: 42, ok: true });
    expect(a.traceHash).toBe(here.traceHash);
    expect(b.traceHash).toBe(a.traceHash);
    expect(c.traceHash).not.toBe(a.traceHash);
  });
});
