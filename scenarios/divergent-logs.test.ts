import { describe, expect, it } from 'vitest';
import { checkPlan, isMembershipEvent, maxFaultyNodes } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import { Prng } from '../sim/prng.js';
import { DIVERGENT_ROUNDS_MAX, withDivergentLogs } from './divergent-logs.js';
import { decodePlanFile, encodePlanFile } from './plan-file.js';
import { findScenario } from './registry.js';
import { scenarioPlanOf } from './run-seed.js';
import type { Scenario, ScenarioContext } from './types.js';

const ctx = (nodeCount: number): ScenarioContext => ({ nodeCount, safetyMs: 10_000, tickMs: 10, electionTicks: 10 });

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

/** The episode of a plan: its events from the episode's heal on (membership events, added after it, left out). */
function episodeOf(all: readonly FaultEvent[]): FaultEvent[] {
  const events = all.filter((e) => !isMembershipEvent(e));
  const start = events.findIndex((e, i) => e.kind === 'heal' && events.slice(i + 1).every((x) => x.kind === 'restart' || x.kind === 'isolate-leader'));
  return start < 0 || !events.slice(start).some((e) => e.kind === 'isolate-leader') ? [] : events.slice(start);
}

describe('withDivergentLogs', () => {
  // Valid on any size from 3 nodes; the episode lasts at least three election timeouts, so it starts before 9 700.
  const before: FaultEvent[] = [
    { atMs: 500, kind: 'crash', node: 2 },
    { atMs: 600, kind: 'partition', groups: [[1], [2, 3]] },
    { atMs: 9_750, kind: 'heal' },
  ];

  it('ends the safety phase with a heal, the restarts, and rounds isolating the leader with a minority', () => {
    for (const nodeCount of [3, 4, 5, 6, 7]) {
      for (let seed = 1; seed <= 30; seed++) {
        const events = withDivergentLogs(before, ctx(nodeCount), Prng.forRun(seed).fork('test'));
        if (events === null) return expect.fail(`no episode on ${nodeCount} nodes`);
        expect(checkPlan({ events }, nodeCount, 10_000, ctx(nodeCount)), `${nodeCount} nodes, seed ${seed}`).toEqual([]);
        const episode = episodeOf(events);
        const start = episode[0]!.atMs;
        // What acted before the episode is kept; what would act in it is gone, and the crashed node comes back.
        expect(events.slice(0, events.length - episode.length)).toEqual(before.slice(0, 2));
        expect(episode.filter((e) => e.kind === 'restart').map((e) => e.atMs === start && e.kind === 'restart' && e.node)).toEqual([2]);
        const rounds = episode.filter((e) => e.kind === 'isolate-leader');
        expect(rounds.length).toBeGreaterThanOrEqual(1);
        expect(rounds.length).toBeLessThanOrEqual(DIVERGENT_ROUNDS_MAX);
        for (const r of rounds) {
          // The leader and its companions are a minority: at most f nodes.
          expect(r.kind === 'isolate-leader' && 1 + r.companions).toBeLessThanOrEqual(Math.max(1, maxFaultyNodes(nodeCount)));
          expect(r.atMs).toBeGreaterThan(start);
          expect(r.atMs).toBeLessThan(10_000);
        }
      }
    }
  });

  it('has no episode for a cluster too small for a minority and a majority, or a safety phase too short for it', () => {
    expect(withDivergentLogs(before, ctx(2), Prng.forRun(1))).toBeNull();
    expect(withDivergentLogs(before, ctx(1), Prng.forRun(1))).toBeNull();
    expect(withDivergentLogs([], { ...ctx(5), safetyMs: 250 }, Prng.forRun(1))).toBeNull();
  });
});

describe('the divergent-logs family in the default swarm', () => {
  it('is drawn on a stream of its own in a fraction of the seeds, never with the stability phase, and not in the golden seeds 1-3', () => {
    let drawn = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const plan = scenarioPlanOf({ seed, scenario: scenario('random'), nodeCount: 5 });
      if (plan.knobs.divergent === true) {
        drawn++;
        expect(plan.knobs.stability, `seed ${seed}`).toBe(false);
        expect(episodeOf(plan.plan.events).length, `seed ${seed}`).toBeGreaterThan(0);
      }
      if (seed <= 3) expect(plan.knobs.divergent, `seed ${seed}`).toBe(false);
    }
    // A quarter of the three quarters without the stability phase: about 37 of 200.
    expect(drawn).toBeGreaterThan(20);
    expect(drawn).toBeLessThan(60);
  });

  it('is in every seed of the divergent-logs scenario, whose plans files keep', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const plan = scenarioPlanOf({ seed, scenario: scenario('divergent-logs'), nodeCount: 5 });
      expect(plan.knobs).toMatchObject({ divergent: true, stability: false });
      expect(episodeOf(plan.plan.events).length).toBeGreaterThan(0);
      const text = encodePlanFile({ format: 'seaworthy-plan', version: 1, seed, scenario: 'divergent-logs', nodes: 5, bug: null, implementation: 'seaworthy-core', safetyOnly: false, property: 'liveness', traceHash: '0123456789abcdef', plan });
      const decoded = decodePlanFile(text);
      expect(decoded.ok && decoded.file.plan.plan.events).toEqual(plan.plan.events);
    }
  });
});
