/**
 * The two forms of the process protocol (docs/protocol.md): the lockstep form (1), which every process speaks
 * unless it says otherwise, and the compact form (2), whose replies carry the next Ready and whose idle
 * advances and quiet ticks are not waited for. The host must see the same values either way: same seed, same trace hash.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { liveProcessGroups, processGroupTable } from '../cli/adapters/process-groups.js';
import { ProcessAdapter } from '../cli/adapters/process.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { repoRoot } from './cli-helpers.js';

const EXAMPLE = 'python3 examples/python-raft/node.py';
const FIXTURE = 'python3 test/fixtures/custom-impl/compact-misbehaving.py';
const adapters: ProcessAdapter[] = [];
afterAll(() => {
  for (const a of adapters) a.close();
});

function start(command: string): ProcessAdapter {
  const adapter = ProcessAdapter.start({ command, cwd: repoRoot, timeoutMs: 5_000, nodeCount: 3 });
  adapters.push(adapter);
  return adapter;
}

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

describe('process protocol forms', () => {
  it('gives the same trace hash in the lockstep and the compact form, in fewer round trips', () => {
    const lockstep = start(`${EXAMPLE} --protocol 1`);
    const compact = start(EXAMPLE);
    // random exercises partitions and clients; crash-restart-storm replaces processes with advances deferred.
    for (const [name, seed] of [['random', 1], ['crash-restart-storm', 2]] as const) {
      const config = { seed, scenario: scenario(name), nodeCount: 3, safetyOnly: true, safetyMs: 1_500 };
      const tripsBefore = [lockstep.roundTrips, compact.roundTrips] as const;
      const old = runSeed({ ...config, implementation: lockstep.implementation });
      const now = runSeed({ ...config, implementation: compact.implementation });
      expect(old.violations).toEqual([]);
      expect(now.traceHash).toBe(old.traceHash);
      // Held advances and quiet ticks: about half the lockstep form's round trips (round trips are deterministic).
      expect(compact.roundTrips - tripsBefore[1]).toBeLessThan(0.6 * (lockstep.roundTrips - tripsBefore[0]));
    }
  }, 120_000);

  it('refuses a create reply whose "protocol" is neither 1 nor 2 (usage error at the probe)', () => {
    expect(() => start(`${FIXTURE} --mode bad-protocol`)).toThrow(/"protocol" must be 1 \(lockstep, the default\) or 2 .*got 3/);
  });

  it('reports a compact-form reply without "ready" as an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode no-ready`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared "protocol": 2, but its reply to tick carries no "ready"/);
  }, 60_000);

  it('checks a deferred advance: a Ready after an advance declared idle is an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode broken-promise`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared "idleAfterAdvance" on its last Ready, but its reply to that advance carries a Ready/);
  }, 60_000);

  it('checks held ticks: a Ready in the reply to a tick declared quiet is an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode quiet-lie`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared this tick quiet \("idleTicks"\), but its reply to it carries a Ready/);
  }, 60_000);

  it('refuses an "idleTicks" that is not a whole number of ticks, 0 or more', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode bad-idle-ticks`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/replied with "idleTicks" -1; it must be a whole number of ticks, 0 or more/);
  }, 60_000);

  it('runs a fixture in the compact form cleanly when it behaves', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode none`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations).toEqual([]);
  }, 60_000);

  it('keeps a started spare process per node, so that no node of a starting seed waits for a boot', async () => {
    const before = liveProcessGroups(processGroupTable()).length;
    const adapter = start(EXAMPLE);
    const storage = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
    for (const id of [1, 2, 3]) {
      adapter.implementation.create({ id, peers: [1, 2, 3], storage, seed: id, random: () => 0, electionTicks: 10, heartbeatTicks: 2 }).ready();
    }
    // 3 nodes' processes and 3 spares (with one spare, 3 + 1, plus the probe until it is reaped). The spares are
    // started after each answer, off the host's path: wait for them, bounded.
    const started = (): number => liveProcessGroups(processGroupTable()).length - before;
    const deadline = Date.now() + 30_000;
    while (started() < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started()).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
