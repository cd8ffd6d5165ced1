/** Our core is trusted to return well-formed Readys (no shape re-validation); nothing else is, not even a copy of it. */
import { describe, expect, it } from 'vitest';
import { builtinRaft, isTrustedImplementation } from './builtin.js';
import type { Message, RaftImplementation, Ready } from './contract.js';
import { simulate } from './simulation.js';
import { smallSimulation } from './test-harness.js';

function run(implementation: RaftImplementation): ReturnType<typeof simulate> {
  return simulate(
    smallSimulation({ seed: 1, implementation, safetyMs: 1000, livenessMs: 0, workload: { clientCount: 1, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 } }),
    { observe: () => false },
  );
}

describe('trusted fast path', () => {
  it('trusts only what builtinRaft made', () => {
    const core = builtinRaft();
    expect(isTrustedImplementation(core)).toBe(true);
    expect(isTrustedImplementation(builtinRaft({ bug: 'forget-vote' }))).toBe(true);
    expect(isTrustedImplementation({ ...core })).toBe(false);
  });

  it('makes a trusted fixed-cluster core: without the membership capabilities, everything else kept', () => {
    const fixed = builtinRaft({ membership: false });
    expect(isTrustedImplementation(fixed)).toBe(true);
    expect(fixed.capabilities).toEqual((builtinRaft().capabilities ?? []).filter((c) => c !== 'membership-change' && c !== 'leadership-transfer'));
    expect(builtinRaft().capabilities).toContain('membership-change');
  });

  it('still validates a copy of the core that sends a malformed message', () => {
    const core = builtinRaft();
    const copy: RaftImplementation = {
      name: 'copy',
      create(init) {
        const node = core.create(init);
        const ready = node.ready.bind(node);
        node.ready = (): Ready | null => {
          const r = ready();
          if (r === null || r.messages.length === 0) return r;
          return { ...r, messages: r.messages.map((m): Message => ({ ...m, to: 9 })) };
        };
        return node;
      },
    };
    const result = run(copy);
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.message).toMatch(/sent a message to a node that does not exist/);
    expect(run(core).stoppedBy).toBe('end');
  });
});
