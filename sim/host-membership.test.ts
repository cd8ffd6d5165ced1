/**
 * The host's side of membership changes, driven with scripted instances and the one fake context: configuration
 * proposals and transfers go through the call guard and leave facts, a joining node starts with no configuration
 * and a join fact, a retired node never starts again, the state machine ignores configuration entries, and
 * snapshots carry (and installs are judged against) the configuration in force at their index.
 */
import { describe, expect, it } from 'vitest';
import { decodeKvCommand, encodeKvCommand } from '../core/kv.js';
import { encodeConfEntry } from '../core/configuration.js';
import type { CreateInit, Entry, Message, ProposeResult, RaftImplementation, RaftInstance, Ready, Snapshot, Status } from './contract.js';
import { PERFECT_DISK } from './disk.js';
import { FakeHostContext } from './fake-host-context.js';
import { NodeHost } from './host.js';
import type { HostOptions } from './host.js';
import { SnapshotConfigurations } from './host-snapshots.js';
import { Prng } from './prng.js';

const LEARNER_4 = encodeConfEntry({ voters: [1, 2, 3], learners: [4], outgoing: [] });

/** A one-node "leader" that appends and commits at once whatever it accepts, and hands over queued Readys. */
class ScriptedLeader implements RaftInstance {
  private lastIndex = 0;
  private readonly queue: Ready[] = [];
  readonly compacted: Snapshot[] = [];
  constructor(readonly init: CreateInit) {}
  tick(): void {}
  step(_message: Message): void {}
  private append(data: string): ProposeResult {
    const entry: Entry = { index: ++this.lastIndex, term: 1, data };
    this.queue.push({ hardState: { term: 1, vote: 1, commit: entry.index }, entries: [entry], messages: [], committedEntries: [entry] });
    return { accepted: true, index: entry.index, term: 1 };
  }
  propose(data: string): ProposeResult {
    return this.append(data);
  }
  proposeConfChange(): ProposeResult {
    return this.append(LEARNER_4);
  }
  transferLeadership(target: number): boolean {
    return target !== this.init.id;
  }
  compact(snapshot: Snapshot): void {
    this.compacted.push(snapshot);
  }
  install(ready: Ready): void {
    this.queue.push(ready);
  }
  ready(): Ready | null {
    return this.queue.shift() ?? null;
  }
  advance(): void {}
  status(): Status {
    return { id: this.init.id, term: 1, role: 'leader', leader: this.init.id, commit: this.lastIndex, applied: this.lastIndex, lastIndex: this.lastIndex };
  }
}

function scripted(instances: ScriptedLeader[], inits: CreateInit[] = []): RaftImplementation {
  return {
    name: 'scripted-leader',
    capabilities: ['membership-change', 'leadership-transfer', 'snapshot'],
    create(init) {
      inits.push(init);
      const node = new ScriptedLeader(init);
      instances.push(node);
      return node;
    },
  };
}

function hostOf(implementation: RaftImplementation, ctx: FakeHostContext, overrides: Partial<HostOptions> = {}): NodeHost {
  return new NodeHost(
    {
      id: 1,
      peers: [1, 2, 3],
      nodeIds: [1, 2, 3, 4, 5, 6, 7],
      implementation,
      electionTicks: 10,
      heartbeatTicks: 2,
      prng: Prng.forRun(1),
      disk: { ...PERFECT_DISK, snapshotEveryEntries: 2 },
      verifyChecksums: true,
      sendBeforeFsync: false,
      decodeCommand: decodeKvCommand,
      ...overrides,
    },
    ctx,
  );
}

describe('NodeHost with membership changes', () => {
  it('proposes a configuration change and a transfer through the guard, each with its fact, and applies the entry as no command', () => {
    const ctx = new FakeHostContext();
    const instances: ScriptedLeader[] = [];
    const host = hostOf(scripted(instances), ctx, { disk: PERFECT_DISK });
    host.start();
    const result = host.proposeConfChange({ changes: [{ type: 'add-learner', node: 4 }] });
    expect(result).toEqual({ accepted: true, index: 1, term: 1 });
    expect(host.transferLeadership(2)).toBe(true);
    expect(host.transferLeadership(1)).toBe(false);
    expect(ctx.facts.map((f) => f.kind)).toEqual(['conf-proposal', 'persist', 'apply', 'transfer', 'transfer']);
    expect(ctx.facts[0]).toMatchObject({ kind: 'conf-proposal', node: 1, request: { changes: [{ type: 'add-learner', node: 4 }] }, accepted: true });
    expect(ctx.facts[3]).toMatchObject({ kind: 'transfer', target: 2, accepted: true });
    expect(ctx.replies).toEqual([]);
  });

  it('refuses a malformed answer as an implementation error naming the method', () => {
    const ctx = new FakeHostContext();
    const bad: RaftImplementation = {
      ...scripted([]),
      create(init) {
        const node = new ScriptedLeader(init);
        (node as unknown as { proposeConfChange: () => unknown }).proposeConfChange = () => ({ accepted: 'yes' });
        (node as unknown as { transferLeadership: () => unknown }).transferLeadership = () => 1;
        return node;
      },
    };
    const host = hostOf(bad, ctx);
    host.start();
    expect(() => host.proposeConfChange({ changes: [{ type: 'remove', node: 3 }] })).toThrow(/proposeConfChange returned/);
    expect(() => host.transferLeadership(2)).toThrow(/transferLeadership returned 1, expected a boolean/);
  });

  it('names the missing method of an implementation declaring the capability without it', () => {
    const missing: RaftImplementation = {
      ...scripted([]),
      create(init) {
        const node = new ScriptedLeader(init);
        Object.assign(node, { proposeConfChange: undefined, transferLeadership: undefined });
        return node;
      },
    };
    const host = hostOf(missing, new FakeHostContext());
    host.start();
    expect(() => host.proposeConfChange({ changes: [{ type: 'remove', node: 3 }] })).toThrow(/no proposeConfChange\(\) method/);
    expect(() => host.transferLeadership(2)).toThrow(/no transferLeadership\(\) method/);
  });

  it('starts a joining node with peers [] and a join fact; a retired node never starts again', () => {
    const ctx = new FakeHostContext();
    const inits: CreateInit[] = [];
    const host = hostOf(scripted([], inits), ctx, { id: 6, peers: [] });
    expect(host.started).toBe(false);
    host.start();
    expect(inits[0]?.peers).toEqual([]);
    expect(ctx.facts.map((f) => f.kind)).toEqual(['join']);
    host.retire();
    expect(host.up).toBe(false);
    host.start();
    expect(host.up).toBe(false);
    expect(ctx.facts.map((f) => f.kind)).toEqual(['join', 'retire']);
  });

  it('takes snapshots in the configuration applied at their index, and judges installs against the configuration recorded for them', () => {
    const ctx = new FakeHostContext();
    const instances: ScriptedLeader[] = [];
    const snapshots = new SnapshotConfigurations([1, 2, 3]);
    const host = hostOf(scripted(instances), ctx, { snapshotConfigurations: snapshots });
    host.start();
    host.proposeConfChange({ changes: [{ type: 'add-learner', node: 4 }] });
    host.request(1, 1, encodeKvCommand({ client: 1, seq: 1, key: 'x', op: 'put', value: 7 }));
    const taken = instances[0]?.compacted[0];
    expect(taken).toMatchObject({ index: 2, term: 1, peers: [1, 2, 3], learners: [4] });
    expect(taken).not.toHaveProperty('outgoing');
    expect(snapshots.at(2, 1)).toEqual({ voters: [1, 2, 3], learners: [4], outgoing: [] });

    // A follower installing that snapshot must carry the same configuration.
    const follower = hostOf(scripted(instances), new FakeHostContext(), { id: 4, peers: [], snapshotConfigurations: snapshots });
    follower.start();
    const wrong: Snapshot = { index: 2, term: 1, peers: [1, 2, 3], data: taken?.data ?? '' };
    instances[1]?.install({ hardState: { term: 1, vote: 0, commit: 2 }, entries: [], messages: [], committedEntries: [], snapshot: wrong });
    expect(() => follower.tick()).toThrow(/snapshot\.learners must be \[4\]/);
    const right: Snapshot = { ...wrong, learners: [4] };
    const ok = hostOf(scripted(instances), new FakeHostContext(), { id: 5, peers: [], snapshotConfigurations: snapshots });
    ok.start();
    instances[2]?.install({ hardState: { term: 1, vote: 0, commit: 2 }, entries: [], messages: [], committedEntries: [], snapshot: right });
    ok.tick();
    expect(ok.appliedIndex).toBe(2);
  });
});
