/**
 * Contract version 2 over the process protocol (docs/protocol.md, docs/contract.md § Contract version 2): the
 * create reply's `contract` reaches the host, `create` carries `applied` for a durable state machine, an
 * unindexed proposal and base64 data work end to end, an assertion the library reports is told apart from an
 * adapter failure, and a malformed declaration is a usage error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessAdapter } from '../cli/adapters/process.js';
import { toBase64 } from '../sim/contract-options.js';
import { repoRoot, runCliInProcess } from './cli-helpers.js';

const FIXTURE = 'python3 test/fixtures/custom-impl/contract-v2.py';

interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly clientOps: { readonly ok: number };
  readonly failures: readonly { readonly property: string; readonly message: string; readonly kind?: string }[];
}

async function run(mode: string): Promise<{ status: number | null; stderr: string; summary: Summary | null }> {
  const result = await runCliInProcess(['run', '--impl-cmd', `${FIXTURE} --mode ${mode}`, '--nodes', '1', '--seeds', '1', '--json']);
  expect(result.crashed, result.stderr).toBe(false);
  return { status: result.status, stderr: result.stderr, summary: result.status === 2 ? null : (JSON.parse(result.lastLine) as Summary) };
}

describe('contract v2 over the process protocol', () => {
  let adapter: ProcessAdapter | null = null;
  afterEach(() => {
    adapter?.close();
    adapter = null;
  });

  it('the probe reads the declaration, and create carries applied to the process', () => {
    adapter = ProcessAdapter.start({ command: `${FIXTURE} --mode none`, cwd: repoRoot, timeoutMs: 10_000, nodeCount: 1 });
    expect(adapter.implementation.contract).toEqual({ version: 2, proposals: 'unindexed', stateMachine: 'durable', entryData: 'base64', mustSync: true });
    const entries = [1, 2].map((index) => ({ term: 1, index, data: toBase64(`{"n":${index}}`) }));
    const storage = { hardState: { term: 1, vote: 1, commit: 2 }, entries };
    const init = { id: 1, peers: [1], storage, random: () => 0.5, seed: 1, electionTicks: 10, heartbeatTicks: 2 };
    // Applied 2: nothing left to deliver. Without `applied` the fixture would hand out both entries again.
    const kept = adapter.implementation.create({ ...init, applied: 2 });
    expect(kept.ready()).toBeNull();
    const replayed = adapter.implementation.create(init);
    expect(replayed.ready()?.committedEntries.map((e) => e.index)).toEqual([1, 2]);
  });

  it('unindexed proposals and base64 data run clean, with clients answered', async () => {
    const { status, summary } = await run('none');
    expect(summary).toMatchObject({ passed: 1, failed: 0 });
    expect(summary?.clientOps.ok).toBeGreaterThan(10);
    expect(status).toBe(0);
  });

  it('an assertion the library reports is an implementation error of kind assertion', async () => {
    const { status, summary } = await run('assert');
    expect(status).toBe(1);
    expect(summary?.failures[0]).toMatchObject({ property: 'implementation-error', kind: 'assertion' });
    expect(summary?.failures[0]?.message).toMatch(/reported its library's own assertion failure in tick: invariant: commit 7 is out of range/);
  });

  it('a malformed declaration is a usage error naming the field', async () => {
    const { status, stderr } = await run('bad-contract');
    expect(status).toBe(2);
    expect(stderr).toMatch(/"contract\.version": .*expected 2/);
    expect(stderr).toMatch(/"contract\.proposals"/);
  });
});
