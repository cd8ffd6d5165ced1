/**
 * Snapshots end to end (issue 14): the host takes them only from implementations with the `snapshot`
 * capability, stores them as the disk model says, and the checkers judge compacted logs; an implementation
 * without the capability runs exactly as before.
 */
import { describe, expect, it } from 'vitest';
import { missingCapabilities } from '../cli/adapters/capabilities.js';
import { loadCustomImplementation } from '../cli/adapters/index.js';
import { loadModuleImplementation } from '../cli/adapters/module.js';
import { repoRoot, runCli } from './cli-helpers.js';
import { builtinRaft } from '../sim/builtin.js';
import type { RaftImplementation, Ready } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { simulate } from '../sim/simulation.js';
import type { SimulationOptions } from '../sim/simulation.js';
import { smallSimulation } from '../sim/test-harness.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';

const SNAPSHOT_DISK = { fsyncMsMin: 0, fsyncMsMax: 0, tornWritePerMille: 0, snapshotEveryEntries: 5 };

function factsOf(overrides: Partial<SimulationOptions>): { facts: Fact[]; error: string | null; traceHash: string } {
  const facts: Fact[] = [];
  const result = simulate(smallSimulation({ fullHeal: true, ...overrides }), {
    observe: (fact) => {
      facts.push(fact);
      return false;
    },
  });
  return { facts, error: result.implementationError?.message ?? null, traceHash: result.traceHash };
}

/** Our core with its capabilities replaced: the host must treat it as an implementation without snapshots. */
function withoutSnapshotCapability(): RaftImplementation {
  const core = builtinRaft();
  return { name: 'no-snapshots', capabilities: ['pre-vote', 'check-quorum', 'read-index'], create: (init) => core.create(init) };
}

describe('snapshots in a simulation', () => {
  it('the host snapshots a capable implementation every N applied entries and compacts the disk', () => {
    const { facts, error } = factsOf({ disk: SNAPSHOT_DISK });
    expect(error).toBeNull();
    const taken = facts.filter((f) => f.kind === 'snapshot' && f.origin === 'taken');
    expect(taken.length).toBeGreaterThan(3);
    for (const f of taken) if (f.kind === 'snapshot') expect(f.index % 5 === 0 || f.index > 0).toBe(true);
  });

  it('an implementation without the capability is never asked, and runs exactly as without the knob', () => {
    const plain = factsOf({ implementation: withoutSnapshotCapability() });
    const knob = factsOf({ implementation: withoutSnapshotCapability(), disk: SNAPSHOT_DISK });
    expect(knob.facts.some((f) => f.kind === 'snapshot' || f.kind === 'restore')).toBe(false);
    expect(knob.traceHash).toBe(plain.traceHash);
  });

  it('a snapshot in a Ready from an implementation without the capability is an implementation error', () => {
    const core = builtinRaft();
    const liar: RaftImplementation = {
      name: 'liar',
      capabilities: [],
      create(init) {
        const node = core.create(init);
        let sent = false;
        return {
          tick: () => node.tick(),
          step: (m) => node.step(m),
          propose: (d) => node.propose(d),
          advance: () => node.advance(),
          status: () => node.status(),
          ready(): Ready | null {
            const r = node.ready();
            if (r === null || sent) return r;
            sent = true;
            return { ...r, snapshot: { index: 1, term: 1, peers: init.peers, data: '' } };
          },
        };
      },
    };
    expect(factsOf({ implementation: liar }).error).toMatch(/does not declare the `snapshot` capability/);
  });

  it('a malformed snapshot is an implementation error that names the rule', () => {
    const core = builtinRaft();
    const bad: RaftImplementation = {
      name: 'bad-snapshot',
      capabilities: ['snapshot'],
      create(init) {
        const node = core.create(init);
        return {
          tick: () => node.tick(),
          step: (m) => node.step(m),
          propose: (d) => node.propose(d),
          advance: () => node.advance(),
          status: () => node.status(),
          ready(): Ready | null {
            const r = node.ready();
            return r === null ? r : { ...r, snapshot: { index: 3, term: 1, peers: [9], data: '' } };
          },
        };
      },
    };
    expect(factsOf({ implementation: bad }).error).toMatch(/snapshot.peers must be the cluster's configuration/);
  });
});

describe('snapshot scenarios on our core', () => {
  for (const name of ['snapshot-lagging-follower', 'snapshot-crash', 'snapshot-leader-change', 'snapshot-heavy']) {
    it(`${name} passes and installs snapshots`, () => {
      const scenario = findScenario(name) as Scenario;
      expect(scenario.requires).toEqual(['snapshot']);
      let installs = 0;
      for (let seed = 1; seed <= 3; seed++) {
        const verdict = runSeed({ seed, scenario, nodeCount: 3, record: true });
        expect(verdict.violations, `seed ${seed}`).toEqual([]);
        installs += (verdict.trace ?? []).filter((r) => r.type === 'fact' && r.fact.kind === 'restore' && r.fact.origin === 'install').length;
      }
      expect(installs).toBeGreaterThan(0);
    });
  }
});

describe('the JavaScript example with snapshots', () => {
  it('passes the snapshot scenarios and installs snapshots; the plain example has them skipped', async () => {
    const jsRaft = await loadModuleImplementation('examples/js-raft/index.js', repoRoot);
    const jsRaftSnapshots = await loadModuleImplementation('examples/js-raft/snapshots.js', repoRoot);
    expect(jsRaftSnapshots.name).toBe('js-raft+snapshots');
    for (const name of ['snapshot-lagging-follower', 'snapshot-crash']) {
      const scenario = findScenario(name) as Scenario;
      expect(missingCapabilities(scenario, jsRaft)).toEqual(['snapshot']);
      expect(missingCapabilities(scenario, jsRaftSnapshots)).toEqual([]);
      const verdict = runSeed({ seed: 1, scenario, nodeCount: 3, implementation: jsRaftSnapshots, record: true });
      expect(verdict.violations).toEqual([]);
      expect((verdict.trace ?? []).some((r) => r.type === 'fact' && r.fact.kind === 'restore' && r.fact.origin === 'install')).toBe(true);
    }
  });

  it('--impl passes compact through its guard, so a module is asked to compact as the library API asks it', async () => {
    const custom = await loadCustomImplementation({ impl: 'examples/js-raft/snapshots.js' }, 3, repoRoot);
    const implementation = custom?.implementation;
    expect(implementation).toBeDefined();
    const verdict = runSeed({ seed: 1, scenario: findScenario('snapshot-lagging-follower') as Scenario, nodeCount: 3, ...(implementation === undefined ? {} : { implementation }) });
    expect(verdict.violations).toEqual([]);
    expect(verdict.probes['snapshot-taken']).toBeGreaterThan(0);
    expect(verdict.probes['snapshot-installed']).toBeGreaterThan(0);
  });
});

describe('run --impl with a module declaring snapshot (worker threads, call watch, guard)', () => {
  it('compacts and installs: every wrapper around a module passes compact() through', () => {
    const r = runCli(['run', '--impl', 'examples/js-raft/snapshots.js', '--scenario', 'snapshot-lagging-follower', '--seeds', '1', '--nodes', '3', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.lastLine) as { passed: number; probes: Record<string, number> };
    expect(summary.passed).toBe(1);
    expect(summary.probes['snapshot-taken']).toBeGreaterThan(0);
    expect(summary.probes['snapshot-installed']).toBeGreaterThan(0);
  }, 120_000);
});

describe('the Python example with --snapshots, over the process protocol', () => {
  it('passes a snapshot scenario; without the flag the scenario is skipped with a notice', () => {
    const args = ['run', '--scenario', 'snapshot-lagging-follower', '--seeds', '1', '--nodes', '3', '--json'];
    const withSnapshots = runCli([...args, '--impl-cmd', 'python3 examples/python-raft/node.py --snapshots']);
    expect(withSnapshots.status, withSnapshots.stderr).toBe(0);
    expect(JSON.parse(withSnapshots.lastLine)).toMatchObject({ implementation: 'python-raft+snapshots', passed: 1, failed: 0 });
    const without = runCli([...args, '--impl-cmd', 'python3 examples/python-raft/node.py']);
    expect(without.status).toBe(0);
    expect(JSON.parse(without.lastLine)).toMatchObject({ skipped: true, missingCapabilities: ['snapshot'] });
  }, 240_000);
});
