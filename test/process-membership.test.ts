/**
 * The membership requests of the process protocol (docs/protocol.md § Membership changes), in both forms, against
 * a fake process that answers so the test can tell what arrived: `propose-conf-change` and `transfer-leadership`
 * round trips, `create` carrying `peers: []` and configuration-bearing storage unchanged, the requests offered only
 * for the declared capabilities, and malformed replies reported as implementation errors naming node and request.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessAdapter } from '../cli/adapters/process.js';
import { ImplementationFault } from '../sim/host.js';
import type { CreateInit, RaftInstance, StoredState } from '../sim/contract.js';
import { encodeConfEntry } from '../core/configuration.js';
import { repoRoot } from './cli-helpers.js';

const FAKE = 'node test/fixtures/membership/fake-process.mjs';
const adapters: ProcessAdapter[] = [];
afterAll(() => {
  for (const a of adapters) a.close();
});

function start(flags: string): ProcessAdapter {
  const adapter = ProcessAdapter.start({ command: `${FAKE} ${flags}`, cwd: repoRoot, timeoutMs: 5_000, nodeCount: 3 });
  adapters.push(adapter);
  return adapter;
}

const EMPTY: StoredState = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };

function create(adapter: ProcessAdapter, id: number, peers: readonly number[], storage: StoredState = EMPTY): RaftInstance {
  const init: CreateInit = { id, peers, storage, random: () => 0.5, seed: 7, electionTicks: 10, heartbeatTicks: 2 };
  const instance = adapter.implementation.create(init);
  // The host drains after create (docs/contract.md); the compact form's create reply carried that Ready.
  expect(instance.ready()).toBeNull();
  return instance;
}

function faultOf(fn: () => unknown): ImplementationFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImplementationFault) return error;
    throw error;
  }
  throw new Error('expected an ImplementationFault');
}

describe.each([1, 2] as const)('membership requests over the process protocol, form %i', (protocol) => {
  it('proposes a configuration change and a transfer, and hands the replies back like propose and read-index', () => {
    const adapter = start(`--protocol ${protocol}`);
    expect(adapter.implementation.capabilities).toEqual(['membership-change', 'leadership-transfer']);
    const node = create(adapter, 2, [1, 2, 3]);
    expect(node.proposeConfChange?.({ changes: [{ type: 'add-learner', node: 4 }] })).toEqual({ accepted: true, index: 4, term: 1 });
    expect(node.proposeConfChange?.({ changes: [{ type: 'add-voter', node: 5 }, { type: 'remove', node: 1 }] })).toEqual({ accepted: true, index: 5, term: 2 });
    expect(node.transferLeadership?.(3)).toBe(true);
    expect(node.transferLeadership?.(2)).toBe(false);
    // Neither reply carried a Ready: the host asks for it, and the ordinary calls go on as before.
    expect(node.ready()).toBeNull();
    node.tick();
    expect(node.ready()).toBeNull();
  });

  it('passes a joining node its empty peers, and storage with configuration entries and a joint snapshot, unchanged', () => {
    const adapter = start(`--protocol ${protocol}`);
    const joining = create(adapter, 4, []);
    expect((joining.status() as unknown as { created: CreateInit }).created.peers).toEqual([]);
    const conf = encodeConfEntry({ voters: [2, 3, 4], learners: [5], outgoing: [1, 2, 3] });
    const storage: StoredState = {
      hardState: { term: 3, vote: 2, commit: 11 },
      snapshot: { index: 9, term: 2, peers: [2, 3, 4], learners: [5], outgoing: [1, 2, 3], data: '{}' },
      entries: [
        { term: 3, index: 10, data: conf },
        { term: 3, index: 11, data: '' },
      ],
    };
    const restarted = create(adapter, 4, [1, 2, 3], storage);
    const seen = (restarted.status() as unknown as { created: { peers: number[]; storage: StoredState } }).created;
    expect(seen.peers).toEqual([1, 2, 3]);
    expect(seen.storage).toEqual(storage);
  });
});

describe('membership requests: opt-in and validation', () => {
  it('offers the methods only for the declared capabilities', () => {
    const none = create(start('--capabilities ""'), 1, [1, 2, 3]);
    expect(none.proposeConfChange).toBeUndefined();
    expect(none.transferLeadership).toBeUndefined();
    const transferOnly = create(start('--capabilities leadership-transfer'), 1, [1, 2, 3]);
    expect(transferOnly.proposeConfChange).toBeUndefined();
    expect(typeof transferOnly.transferLeadership).toBe('function');
  });

  it('reports a propose-conf-change reply without a boolean "accepted" as an implementation error naming node and request', () => {
    const node = create(start('--mode bad-conf'), 2, [1, 2, 3]);
    const fault = faultOf(() => node.proposeConfChange?.({ changes: [{ type: 'remove', node: 3 }] }));
    expect(fault.node).toBe(2);
    expect(fault.kind).toBe('adapter');
    expect(fault.message).toMatch(/^process replied to propose-conf-change with no boolean "accepted" \(docs\/protocol.md § Membership changes\): \{"type":"proposed","accepted":"yes"\}$/);
  });

  it('reports an accepted change without a valid index', () => {
    const node = create(start('--mode bad-conf-index --protocol 2'), 3, [1, 2, 3]);
    expect(faultOf(() => node.proposeConfChange?.({ changes: [{ type: 'promote', node: 4 }] })).message).toMatch(/"accepted": true but no whole "index" and "term" >= 1/);
  });

  it('reports a transfer-leadership reply without a boolean "accepted"', () => {
    const node = create(start('--mode bad-transfer'), 1, [1, 2, 3]);
    const fault = faultOf(() => node.transferLeadership?.(2));
    expect(fault.node).toBe(1);
    expect(fault.message).toMatch(/process replied to transfer-leadership without a boolean "accepted"/);
  });
});
