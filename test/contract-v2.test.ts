/**
 * Contract version 2 end to end: our core, declared with each option, runs the disk and crash scenarios clean;
 * a declaration that is unsafe for it (followers acknowledging entries before they are durable) or a promise it
 * does not keep (a durable state machine whose committed prefix is replayed from 1) is caught.
 */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../core/raft-node.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import { CORE_MESSAGE_ANNOTATIONS } from '../sim/builtin.js';
import type { ContractOptions, RaftImplementation } from '../sim/contract.js';

/** Our core (PreVote, CheckQuorum) declared with `contract`; `honourApplied` passes `applied` on to it. */
function coreWith(name: string, contract: ContractOptions, honourApplied = true, annotated = true): RaftImplementation {
  return {
    name,
    capabilities: ['pre-vote', 'check-quorum', 'read-index'],
    ...(annotated ? { messageAnnotations: CORE_MESSAGE_ANNOTATIONS } : {}),
    contract,
    create: (init) =>
      new RaftNode({
        id: init.id,
        peers: init.peers,
        storage: init.storage,
        random: init.random,
        electionTicks: init.electionTicks,
        heartbeatTicks: init.heartbeatTicks,
        preVote: true,
        checkQuorum: true,
        ...(honourApplied && init.applied !== undefined ? { applied: init.applied } : {}),
      }),
  };
}

function run(implementation: RaftImplementation, scenario: string, seed: number, nodeCount = 3): Verdict {
  const found = findScenario(scenario);
  if (found === undefined) throw new Error(`no scenario ${scenario}`);
  return runSeed({ seed, scenario: found, nodeCount, implementation });
}

const ETCD_LIKE: ContractOptions = { version: 2, sendBeforeDurable: 'leader', mustSync: true, stateMachine: 'durable', entryData: 'base64' };

describe('contract v2 on our core', () => {
  it('leader-parallel writes, MustSync, a durable state machine and base64 data stay safe where disks are slow and nodes crash', () => {
    const impl = coreWith('core-v2', ETCD_LIKE);
    for (const scenario of ['crash-points', 'power-loss', 'torn-writes', 'crash-restart-storm']) {
      for (const seed of [1, 2]) {
        const verdict = run(impl, scenario, seed);
        expect({ scenario, seed, violations: verdict.violations }).toEqual({ scenario, seed, violations: [] });
        // Clients were answered: base64 commands were decoded on apply, and the durable state machine served them.
        expect(verdict.stats.clientOps.ok).toBeGreaterThan(10);
      }
    }
  });

  it('is deterministic: a seed gives the same trace hash twice', () => {
    const impl = coreWith('core-v2', ETCD_LIKE);
    expect(run(impl, 'crash-points', 3).traceHash).toBe(run(impl, 'crash-points', 3).traceHash);
  });

  it("sendBeforeDurable 'any' (etcd's documentation, read literally) is caught: a follower acknowledges entries it has not made durable", () => {
    const impl = coreWith('core-any', { version: 2, sendBeforeDurable: 'any' });
    const failures = [1, 2, 3].map((seed) => run(impl, 'crash-points', seed)).filter((v) => !v.ok);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]?.violations[0]?.property).toBe('append-ack');
  });

  it('a durable state machine whose library replays the committed prefix from index 1 is caught applying twice', () => {
    const impl = coreWith('core-replays', { version: 2, stateMachine: 'durable' }, false);
    const verdicts = [1, 2, 3].map((seed) => run(impl, 'crash-restart-storm', seed));
    const first = verdicts.find((v) => !v.ok)?.violations[0];
    expect(first?.property).toBe('state-machine-safety');
    expect(first?.message).toMatch(/as its first apply since it started, out of order/);
  });
});
