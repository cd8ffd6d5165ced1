/**
 * The membership calls of a module implementation (`--impl`) pass the same boundary as every other call: the call
 * watch marks them for the watchdog, the determinism guard substitutes Math.random inside them and names a throw
 * with its call; and a module declaring `membership-change` or `leadership-transfer` without the method is refused
 * when it loads, in one line, exit 2.
 */
import { describe, expect, it } from 'vitest';
import { CallWatch, watchCalls } from '../cli/adapters/call-watch.js';
import { guardNondeterminism } from '../cli/adapters/guard.js';
import { capabilityMethodProblem } from '../cli/adapters/module.js';
import { ImplementationFault } from '../sim/host.js';
import type { CreateInit, RaftImplementation, RaftInstance } from '../sim/contract.js';
import { runCliInProcess } from './cli-helpers.js';

const INIT: CreateInit = { id: 2, peers: [1, 2, 3], storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, random: () => 0.5, seed: 9, electionTicks: 10, heartbeatTicks: 2 };

/** An implementation whose membership methods run `inside` (to observe or misbehave within the call). */
function fakeImplementation(inside: { conf?: () => void; transfer?: () => void }, withMethods = true): RaftImplementation {
  return {
    name: 'fake',
    capabilities: ['membership-change', 'leadership-transfer'],
    create: (): RaftInstance => ({
      tick: () => {},
      step: () => {},
      propose: () => ({ accepted: false, reason: 'not-leader', leaderHint: 0 }),
      ready: () => null,
      advance: () => {},
      status: () => ({ id: 2, term: 0, role: 'follower', leader: 0, commit: 0, applied: 0, lastIndex: 0 }),
      ...(withMethods
        ? {
            proposeConfChange: () => {
              inside.conf?.();
              return { accepted: true, index: 3, term: 1 };
            },
            transferLeadership: () => {
              inside.transfer?.();
              return true;
            },
          }
        : {}),
    }),
  };
}

describe('module implementations: the membership calls at the boundary', () => {
  it('the call watch marks proposeConfChange and transferLeadership while they run', () => {
    const watch = new CallWatch();
    watch.beginSeed(5);
    const seen: unknown[] = [];
    const node = watchCalls(fakeImplementation({ conf: () => seen.push(watch.current()), transfer: () => seen.push(watch.current()) }), watch).create(INIT);
    expect(node.proposeConfChange?.({ changes: [{ type: 'add-learner', node: 4 }] })).toEqual({ accepted: true, index: 3, term: 1 });
    expect(node.transferLeadership?.(3)).toBe(true);
    expect(seen).toEqual([
      { sequence: 2, call: 'proposeConfChange', node: 2, seed: 5 },
      { sequence: 3, call: 'transferLeadership', node: 2, seed: 5 },
    ]);
    expect(watch.current()).toBeNull();
  });

  it('the guard substitutes Math.random inside them and names a throw with its call', () => {
    const guarded = guardNondeterminism(fakeImplementation({ conf: () => void Math.random(), transfer: () => { throw new Error('no transfer today'); } }), 10);
    const node = guarded.implementation.create(INIT);
    node.proposeConfChange?.({ changes: [{ type: 'remove', node: 1 }] });
    expect(guarded.usage.mathRandom).toBe(1);
    expect(() => node.transferLeadership?.(1)).toThrow(/^threw in transferLeadership\(\): no transfer today/);
  });

  it('the guard refuses an instance lacking a method its capabilities promise, at create', () => {
    const node = (): RaftInstance => guardNondeterminism(fakeImplementation({}, false), 10).implementation.create(INIT);
    expect(node).toThrow(ImplementationFault);
    expect(node).toThrow('create() returned an instance without proposeConfChange() (membership-change) and transferLeadership() (leadership-transfer), which its declared capabilities promise');
  });

  it('the load check names the missing methods, and passes an implementation that has them or declares neither', () => {
    expect(capabilityMethodProblem('x.js', fakeImplementation({}, false))).toBe(
      '--impl: x.js declares capabilities without the method: its instances have no proposeConfChange() (membership-change) and no transferLeadership() (leadership-transfer) (docs/contract.md § Capabilities); implement it or drop the capability',
    );
    expect(capabilityMethodProblem('x.js', fakeImplementation({}))).toBeNull();
    expect(capabilityMethodProblem('x.js', { ...fakeImplementation({}, false), capabilities: ['snapshot'] })).toBeNull();
  });

  it('run refuses a module declaring a capability without its method in one line, exit 2', async () => {
    const result = await runCliInProcess(['run', '--seeds', '2', '--nodes', '3', '--impl', 'test/fixtures/membership/declares-without-method.js']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--impl: test\/fixtures\/membership\/declares-without-method\.js declares capabilities without the method: its instances have no proposeConfChange\(\)/);
  }, 60_000);
});
