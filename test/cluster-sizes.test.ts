/**
 * Any cluster size from 1 to 7 (issue 11, item 4): `--nodes` validation, the per-seed size the swarm draws,
 * every scenario's shapes on every size (inside the fault model, no 2/2 "minority" of 4), the majority ring
 * on 6 and 7 nodes, and real runs on sizes 1..7, a lone node electing itself and committing alone.
 */
import { describe, expect, it } from 'vitest';
import { parseNodes, replayCommand } from '../cli/options.js';
import { UsageError } from '../cli/errors.js';
import { drawnNodeCount, NODES_MAX, NODES_MIN, nodeCountOf } from '../scenarios/cluster-size.js';
import { findScenario, SCENARIOS } from '../scenarios/registry.js';
import { DEFAULT_TIMING, runSeed, scenarioPlanOf } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { checkPlan, maxFaultyNodes } from '../sim/faults.js';
import { Network } from '../sim/network.js';
import { Prng } from '../sim/prng.js';
import { runCliInProcess } from './cli-helpers.js';

const SIZES = [1, 2, 3, 4, 5, 6, 7];

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

describe('--nodes', () => {
  it('accepts every size from 1 to 7, even ones included', () => {
    expect(SIZES.map((n) => parseNodes(String(n)))).toEqual(SIZES);
    expect(parseNodes(4)).toBe(4);
  });

  it('refuses anything else with one line', () => {
    for (const raw of ['0', '8', '-1', '2.5', 'abc', '', true, '1e9']) {
      expect(() => parseNodes(raw)).toThrow(UsageError);
      try {
        parseNodes(raw);
      } catch (error) {
        expect((error as Error).message).toMatch(/^--nodes expects a whole number of nodes from 1 to 7, got .+$/);
      }
    }
  });

  it('is named in every repro line, so a repro never depends on the drawing', () => {
    expect(replayCommand(12, 'random', 4, undefined)).toBe('npx seaworthy replay --seed 12 --nodes 4');
    expect(replayCommand(12, 'random', 5, undefined, '--trace')).toBe('npx seaworthy replay --seed 12 --nodes 5 --trace');
  });
});

describe('the size drawn per seed', () => {
  it('is deterministic, covers 1..7, keeps most seeds on 5 nodes and gives even sizes a share', () => {
    const counts = new Map<number, number>();
    for (let seed = 1; seed <= 1_600; seed++) {
      const n = drawnNodeCount(seed);
      expect(drawnNodeCount(seed)).toBe(n);
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(SIZES);
    for (const n of SIZES) expect(counts.get(n) ?? 0).toBeGreaterThan(30);
    expect(counts.get(5) ?? 0).toBeGreaterThan(800);
    const even = (counts.get(2) ?? 0) + (counts.get(4) ?? 0) + (counts.get(6) ?? 0);
    expect(even).toBeGreaterThan(200);
    expect(NODES_MIN).toBe(1);
    expect(NODES_MAX).toBe(7);
  });

  it('is what a run without a size uses, and drawing it shifts no other draw of the run', () => {
    const random = scenario('random');
    for (const seed of [1, 2, 3]) {
      const n = drawnNodeCount(seed);
      expect(nodeCountOf({ seed })).toBe(n);
      expect(nodeCountOf({ seed, nodeCount: 3 })).toBe(3);
      // The plan of a drawn run is exactly the plan of the same seed with that size given.
      expect(scenarioPlanOf({ seed, scenario: random })).toEqual(scenarioPlanOf({ seed, scenario: random, nodeCount: n }));
    }
    const drawn = runSeed({ seed: 4, scenario: random, safetyMs: 2_000 });
    const given = runSeed({ seed: 4, scenario: random, nodeCount: drawnNodeCount(4), safetyMs: 2_000 });
    expect(drawn.nodes).toBe(drawnNodeCount(4));
    expect(given.nodes).toBe(drawn.nodes);
    expect(drawn.traceHash).toBe(given.traceHash);
  });
});

describe('scenario shapes on every size', () => {
  it('stay inside the fault model (at most f = floor((n - 1) / 2) down) on 1..7 nodes', () => {
    for (const s of SCENARIOS) {
      for (const nodeCount of SIZES) {
        for (let seed = 1; seed <= 6; seed++) {
          const plan = scenarioPlanOf({ seed, scenario: s, nodeCount });
          const problems = checkPlan(plan.plan, nodeCount, DEFAULT_TIMING.safetyMs, { tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks });
          expect(problems.length === 0 ? 'ok' : `${s.name} on ${nodeCount} nodes, seed ${seed}: ${problems[0]}`).toBe('ok');
        }
      }
    }
  });

  it('split a minority off even clusters, never two halves (a 2/2 split of 4 has no majority)', () => {
    for (const nodeCount of [4, 6]) {
      for (let seed = 1; seed <= 10; seed++) {
        const { plan } = scenarioPlanOf({ seed, scenario: scenario('minority-partition'), nodeCount });
        for (const e of plan.events) {
          if (e.kind !== 'partition') continue;
          const smaller = Math.min(...e.groups.map((g) => g.length));
          expect(smaller).toBeGreaterThanOrEqual(1);
          expect(smaller).toBeLessThanOrEqual(maxFaultyNodes(nodeCount));
        }
      }
    }
  });

  // Power loss takes every node down at once whatever the size: its model is that synced writes survive.
  it('give a lone node no partition and no crash, and two nodes no crash of some nodes (f = 0)', () => {
    for (const s of SCENARIOS) {
      for (let seed = 1; seed <= 4; seed++) {
        for (const e of scenarioPlanOf({ seed, scenario: s, nodeCount: 1 }).plan.events) {
          expect(['partition', 'bridge', 'one-way', 'isolate-leader', 'crash', 'bounce', 'clog'].includes(e.kind) ? `${s.name}: ${e.kind}` : 'ok').toBe('ok');
        }
        for (const e of scenarioPlanOf({ seed, scenario: s, nodeCount: 2 }).plan.events) {
          expect(['crash', 'bounce', 'bridge', 'corrupt'].includes(e.kind) ? `${s.name}: ${e.kind}` : 'ok').toBe('ok');
        }
      }
    }
  });
});

describe('the majority ring', () => {
  it('lets every node reach a majority, counting itself, on every size', () => {
    for (const n of SIZES) {
      const network = new Network(n, { latencyMsMin: 1, latencyMsMax: 1, lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 }, new Prng('ring'));
      network.ring();
      for (let a = 1; a <= n; a++) {
        let reached = 0;
        for (let b = 1; b <= n; b++) if (a === b || !network.isBlocked(a, b)) reached++;
        expect(2 * reached > n ? 'majority' : `node ${a} of ${n} reaches ${reached}`).toBe('majority');
      }
    }
  });
});

describe('runs on every size', () => {
  it('a lone node elects itself and commits alone', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 1, safetyMs: 3_000 });
    expect(verdict.violations).toEqual([]);
    expect(verdict.nodes).toBe(1);
    expect(verdict.stats.leadersElected).toBeGreaterThanOrEqual(1);
    expect(verdict.stats.clientOps.ok).toBeGreaterThan(0);
  });

  it('the default swarm passes on every size from 1 to 7', () => {
    for (const nodeCount of SIZES) {
      for (const seed of [1, 2]) {
        const verdict = runSeed({ seed, scenario: scenario('random'), nodeCount, safetyMs: 3_000 });
        expect(verdict.ok ? 'ok' : `${nodeCount} nodes, seed ${seed}: ${verdict.violations[0]?.property} ${verdict.violations[0]?.message}`).toBe('ok');
      }
    }
  });
});

describe('the CLI with the size drawn per seed', () => {
  it('names each failing seed\'s size in the JSON summary and in its repro, which replays it exactly', async () => {
    const r = await runCliInProcess(['run', '--seeds', '6', '--bug', 'early-ack', '--json', '--jobs', '1']);
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.lastLine) as { nodes: number | null; failures: { seed: number; nodes: number; repro: string }[] };
    expect(summary.nodes).toBeNull();
    const first = summary.failures[0];
    if (first === undefined) return expect.fail('no failure');
    expect(first.nodes).toBe(drawnNodeCount(first.seed));
    expect(first.repro).toContain(`--seed ${first.seed} --nodes ${first.nodes}`);
    const replayed = await runCliInProcess(['replay', '--seed', String(first.seed), '--nodes', String(first.nodes), '--bug', 'early-ack', '--json']);
    expect((JSON.parse(replayed.lastLine) as { nodes: number; ok: boolean })).toMatchObject({ nodes: first.nodes, ok: false });
  });

  it('keeps an explicit --nodes for every seed', async () => {
    const r = await runCliInProcess(['run', '--seeds', '2', '--nodes', '4', '--json', '--jobs', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.lastLine) as { nodes: number }).nodes).toBe(4);
  });
});
