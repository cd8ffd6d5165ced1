/**
 * Contract version 2 in the host (sim/contract.ts `ContractOptions`): each option changes only what it says,
 * and only for an implementation that declares it; version 1 implementations meet the old rules.
 */
import { describe, expect, it } from 'vitest';
import { decodeKvCommand, encodeKvCommand } from '../core/kv.js';
import type { ContractOptions, CreateInit, Message, ProposeResult, RaftImplementation, RaftInstance, Ready, Status } from './contract.js';
import { fromBase64, isCanonicalBase64, mayLeaveEarly, mustSync, toBase64 } from './contract-options.js';
import type { DiskOptions } from './disk.js';
import { PERFECT_DISK } from './disk.js';
import { FakeHostContext } from './fake-host-context.js';
import { ImplementationFault, NodeHost } from './host.js';
import { Prng } from './prng.js';

/** A node that hands out the Readys a test queues, and records what the host called. */
class ScriptedNode implements RaftInstance {
  readonly queue: Ready[] = [];
  readonly proposals: string[] = [];
  proposeResult: ProposeResult = { accepted: true };
  advances = 0;
  constructor(readonly init: CreateInit) {}
  tick(): void {}
  step(_message: Message): void {}
  propose(data: string): ProposeResult {
    this.proposals.push(data);
    return this.proposeResult;
  }
  ready(): Ready | null {
    return this.queue.shift() ?? null;
  }
  advance(): void {
    this.advances++;
  }
  status(): Status {
    return { id: this.init.id, term: 0, role: 'follower', leader: 0, commit: 0, applied: 0, lastIndex: 0 };
  }
}

interface Harness {
  readonly host: NodeHost;
  readonly ctx: FakeHostContext;
  /** Every instance created, in order (a restart adds one). */
  readonly nodes: ScriptedNode[];
  /** The latest instance. */
  node(): ScriptedNode;
}

function harness(contract: ContractOptions | undefined, disk: DiskOptions = PERFECT_DISK, script: (node: ScriptedNode) => void = () => {}): Harness {
  const ctx = new FakeHostContext();
  const nodes: ScriptedNode[] = [];
  const implementation: RaftImplementation = {
    name: 'scripted',
    ...(contract === undefined ? {} : { contract }),
    create(init) {
      const node = new ScriptedNode(init);
      script(node);
      nodes.push(node);
      return node;
    },
  };
  const host = new NodeHost(
    { id: 1, peers: [1, 2, 3], implementation, electionTicks: 10, heartbeatTicks: 2, prng: Prng.forRun(1), disk, verifyChecksums: true, sendBeforeFsync: false, decodeCommand: decodeKvCommand },
    ctx,
  );
  host.start();
  return { host, ctx, nodes, node: () => nodes[nodes.length - 1] as ScriptedNode };
}

const SLOW_DISK: DiskOptions = { fsyncMsMin: 5, fsyncMsMax: 5, tornWritePerMille: 0 };
const APPEND: Message = { type: 'MsgApp', from: 1, to: 2, term: 1 };
const put = (client: number, seq: number, value: number): string => encodeKvCommand({ client, seq, key: 'x', op: 'put', value });

function faultOf(fn: () => void): ImplementationFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImplementationFault) return error;
    throw error;
  }
  throw new Error('expected an ImplementationFault');
}

describe('contract v2: proposals without an index', () => {
  it('version 1 still requires index and term (a contract error)', () => {
    const { host } = harness(undefined);
    const fault = faultOf(() => host.request(1, 1, put(1, 1, 7)));
    expect(fault.kind).toBe('contract');
    expect(fault.message).toMatch(/expected \{accepted: true, index >= 1, term >= 1\}/);
  });

  it('unindexed: {accepted: true} is taken, and the client is answered when this node applies its command', () => {
    const { host, ctx, node } = harness({ version: 2, proposals: 'unindexed' });
    expect(host.request(1, 1, put(1, 1, 7))).toEqual({ accepted: true });
    // A follower forwarded it; it comes back through the log at whatever index the leader gave it.
    node().queue.push({ entries: [{ index: 1, term: 2, data: put(1, 1, 7) }], hardState: { term: 2, vote: 0, commit: 1 }, messages: [], committedEntries: [{ index: 1, term: 2, data: put(1, 1, 7) }] });
    host.tick();
    expect(ctx.replies).toEqual([{ node: 1, command: { client: 1, seq: 1, key: 'x', op: 'put', value: 7 }, result: { ok: true, value: null } }]);
    expect(ctx.facts.filter((f) => f.kind === 'ack')).toMatchObject([{ clientId: 1, seq: 1, index: 1, term: 2 }]);
  });

  it('unindexed: half an index is still refused', () => {
    const { host, node } = harness({ version: 2, proposals: 'unindexed' });
    node().proposeResult = { accepted: true, index: 3 } as unknown as ProposeResult;
    expect(faultOf(() => host.request(1, 1, put(1, 1, 7))).message).toMatch(/index and term optional, both or neither/);
  });
});

describe('contract v2: sendBeforeDurable', () => {
  const leaderReady = (): Ready => ({ softState: { role: 'leader', leader: 1 }, entries: [{ index: 1, term: 1, data: '' }], messages: [APPEND], committedEntries: [] });

  it('never (version 1): messages wait for the fsync', () => {
    const { host, ctx, node } = harness(undefined, SLOW_DISK);
    ctx.log.length = 0;
    node().queue.push({ ...leaderReady(), hardState: { term: 1, vote: 1, commit: 0 } });
    host.tick();
    expect(ctx.log).toEqual(['fsync in 5 ms']);
    host.onFsync(host.incarnation);
    expect(ctx.log).toEqual(['fsync in 5 ms', 'observe persist', 'observe role', 'send MsgApp']);
  });

  it("leader: a leader's appends leave with the write, before the fsync; the Ready is advanced after it", () => {
    const { host, ctx, node } = harness({ version: 2, sendBeforeDurable: 'leader' }, SLOW_DISK);
    node().queue.push(emptyHardStateReady(1, 1));
    host.tick();
    host.onFsync(host.incarnation);
    ctx.log.length = 0;
    node().queue.push(leaderReady());
    host.tick();
    expect(ctx.log).toEqual(['send MsgApp', 'fsync in 5 ms']);
    expect(node().advances).toBe(1);
    host.onFsync(host.incarnation);
    expect(ctx.log).toEqual(['send MsgApp', 'fsync in 5 ms', 'observe persist', 'observe role']);
    expect(ctx.sent).toHaveLength(1);
    expect(node().advances).toBe(2);
  });

  it("leader: a follower's Ready, and a Ready that changes the term or vote, still wait", () => {
    const { host, ctx, node } = harness({ version: 2, sendBeforeDurable: 'leader' }, SLOW_DISK);
    ctx.log.length = 0;
    node().queue.push({ softState: { role: 'leader', leader: 1 }, hardState: { term: 1, vote: 1, commit: 0 }, entries: [], messages: [APPEND], committedEntries: [] });
    host.tick();
    expect(ctx.log).toEqual(['fsync in 5 ms']);
    host.onFsync(host.incarnation);
    ctx.log.length = 0;
    node().queue.push({ softState: { role: 'follower', leader: 2 }, entries: [{ index: 1, term: 1, data: '' }], messages: [{ ...APPEND, type: 'MsgAppResp' }], committedEntries: [] });
    host.tick();
    expect(ctx.log).toEqual(['fsync in 5 ms']);
  });

  it('any: a follower acknowledges before its entries are durable, and a crash before the fsync loses them', () => {
    const { host, ctx, node } = harness({ version: 2, sendBeforeDurable: 'any' }, SLOW_DISK);
    node().queue.push(emptyHardStateReady(1, 2));
    host.tick();
    host.onFsync(host.incarnation);
    ctx.log.length = 0;
    node().queue.push({ entries: [{ index: 1, term: 1, data: '' }], messages: [{ ...APPEND, type: 'MsgAppResp' }], committedEntries: [] });
    host.tick();
    expect(ctx.log).toEqual(['send MsgAppResp', 'fsync in 5 ms']);
    host.crash();
    expect(host.disk.stored().entries).toEqual([]);
  });

  it('the rule itself: only when allowed, with messages, and without a term or vote change', () => {
    const durable = { term: 2, vote: 1, commit: 0 };
    const ready = (over: Partial<Ready>): Ready => ({ entries: [], messages: [APPEND], committedEntries: [], ...over });
    expect(mayLeaveEarly('never', 'leader', ready({}), durable)).toBe(false);
    expect(mayLeaveEarly('leader', 'leader', ready({}), durable)).toBe(true);
    expect(mayLeaveEarly('leader', 'follower', ready({}), durable)).toBe(false);
    expect(mayLeaveEarly('any', 'follower', ready({}), durable)).toBe(true);
    expect(mayLeaveEarly('any', 'leader', ready({ messages: [] }), durable)).toBe(false);
    expect(mayLeaveEarly('any', 'leader', ready({ hardState: { term: 2, vote: 1, commit: 5 } }), durable)).toBe(true);
    expect(mayLeaveEarly('any', 'leader', ready({ hardState: { term: 3, vote: 1, commit: 0 } }), durable)).toBe(false);
    expect(mayLeaveEarly('any', 'candidate', ready({ hardState: { term: 2, vote: 3, commit: 0 } }), durable)).toBe(false);
  });
});

/** A Ready that stores term and vote and nothing else. */
function emptyHardStateReady(term: number, vote: number): Ready {
  return { hardState: { term, vote, commit: 0 }, entries: [], messages: [], committedEntries: [] };
}

describe('contract v2: mustSync', () => {
  it('etcd\'s rule: entries, term or vote need an fsync; commit alone does not', () => {
    const durable = { term: 2, vote: 1, commit: 3 };
    const base: Ready = { entries: [], messages: [], committedEntries: [] };
    expect(mustSync({ ...base, hardState: { term: 2, vote: 1, commit: 4 } }, durable)).toBe(false);
    expect(mustSync({ ...base, hardState: { term: 3, vote: 1, commit: 3 } }, durable)).toBe(true);
    expect(mustSync({ ...base, hardState: { term: 2, vote: 2, commit: 3 } }, durable)).toBe(true);
    expect(mustSync({ ...base, entries: [{ index: 1, term: 2, data: '' }] }, durable)).toBe(true);
  });

  it('a commit-only Ready is written without an fsync, observed as no persist, and lost by a crash', () => {
    const { host, ctx, node } = harness({ version: 2, mustSync: true }, SLOW_DISK);
    node().queue.push({ ...emptyHardStateReady(1, 2), entries: [{ index: 1, term: 1, data: '' }] });
    host.tick();
    host.onFsync(host.incarnation);
    ctx.log.length = 0;
    node().queue.push({ hardState: { term: 1, vote: 2, commit: 1 }, entries: [], messages: [{ ...APPEND, type: 'MsgHeartbeatResp' }], committedEntries: [{ index: 1, term: 1, data: '' }] });
    host.tick();
    expect(ctx.log).toEqual(['send MsgHeartbeatResp', 'observe apply']);
    expect(host.busy).toBe(false);
    expect(host.disk.durableHardState.commit).toBe(0);
    host.crash();
    expect(host.disk.stored().hardState).toEqual({ term: 1, vote: 2, commit: 0 });
  });

  it('without mustSync (version 1) the same Ready is fsynced', () => {
    const { host, ctx, node } = harness(undefined, SLOW_DISK);
    ctx.log.length = 0;
    node().queue.push({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [], messages: [], committedEntries: [] });
    host.tick();
    expect(ctx.log).toEqual(['fsync in 5 ms']);
  });
});

describe('contract v2: a durable state machine', () => {
  const commit = (data: string, index: number): Ready => ({ hardState: { term: 1, vote: 1, commit: index }, entries: [{ index, term: 1, data }], messages: [], committedEntries: [{ index, term: 1, data }] });

  it('create receives applied, the state machine comes back as it was, and the restart fact says where it goes on', () => {
    const { host, ctx, nodes, node } = harness({ version: 2, stateMachine: 'durable' });
    expect(nodes[0]?.init.applied).toBe(0);
    node().queue.push(commit(put(1, 1, 7), 1), commit(put(1, 2, 8), 2));
    host.tick();
    expect(host.appliedIndex).toBe(2);
    host.crash();
    host.start();
    expect(nodes[1]?.init.applied).toBe(2);
    expect(host.appliedIndex).toBe(2);
    expect(ctx.facts.find((f) => f.kind === 'restart')).toMatchObject({ applied: 2 });
    // The state machine kept x = 8: a cas expecting 8, applied at index 3, succeeds without any replay.
    const cas = encodeKvCommand({ client: 2, seq: 1, key: 'x', op: 'cas', expected: 8, value: 9 });
    node().proposeResult = { accepted: true, index: 3, term: 1 };
    host.request(2, 1, cas);
    node().queue.push(commit(cas, 3));
    host.tick();
    expect(ctx.replies.at(-1)).toMatchObject({ command: { client: 2 }, result: { ok: true } });
  });

  it('a volatile state machine (version 1) passes no applied and restarts from 0', () => {
    const { host, ctx, nodes, node } = harness(undefined);
    node().queue.push(commit(put(1, 1, 7), 1));
    host.tick();
    host.crash();
    host.start();
    expect('applied' in (nodes[1]?.init ?? {})).toBe(false);
    expect(host.appliedIndex).toBe(0);
    // No applied index (undefined, so absent from the fact's JSON).
    const restart = ctx.facts.find((f) => f.kind === 'restart');
    expect(restart?.kind === 'restart' && restart.applied).toBeUndefined();
    expect(JSON.parse(JSON.stringify(restart))).not.toHaveProperty('applied');
  });
});

describe('contract v2: base64 entry data', () => {
  it('round-trips text, and tells binary from UTF-8', () => {
    const text = put(1, 1, 7);
    expect(fromBase64(toBase64(text))).toBe(text);
    expect(toBase64('')).toBe('');
    expect(fromBase64('/w==')).toBeUndefined(); // 0xff is no UTF-8
    expect(isCanonicalBase64('/w==')).toBe(true);
    expect(isCanonicalBase64('/w')).toBe(false);
    expect(isCanonicalBase64('a b=')).toBe(false);
  });

  it('proposals go out in base64, committed base64 commands are answered, binary entries are stored unchanged', () => {
    const { host, ctx, nodes, node } = harness({ version: 2, entryData: 'base64', proposals: 'unindexed' });
    host.request(1, 1, put(1, 1, 7));
    expect(node().proposals).toEqual([toBase64(put(1, 1, 7))]);
    const binary = 'CAEQAhoDAP8A'; // protobuf-like bytes with a 0xff: no client command, kept as is
    const command = toBase64(put(1, 1, 7));
    node().queue.push({ hardState: { term: 1, vote: 1, commit: 2 }, entries: [{ index: 1, term: 1, data: binary }, { index: 2, term: 1, data: command }], messages: [], committedEntries: [{ index: 1, term: 1, data: binary }, { index: 2, term: 1, data: command }] });
    host.tick();
    expect(ctx.replies.map((r) => r.command.value)).toEqual([7]);
    host.crash();
    host.start();
    expect(nodes[1]?.init.storage.entries.map((e) => e.data)).toEqual([binary, command]);
  });

  it('data that is not canonical base64 is a contract error', () => {
    const { host, node } = harness({ version: 2, entryData: 'base64' });
    node().queue.push({ entries: [{ index: 1, term: 1, data: 'not base64!' }], messages: [], committedEntries: [] });
    const fault = faultOf(() => host.tick());
    expect(fault.kind).toBe('contract');
    expect(fault.message).toMatch(/not standard base64/);
  });
});

describe('implementation error kinds and roles', () => {
  it('a throw is the adapter\'s, an AssertionError the library\'s own', () => {
    const plain = harness(undefined, PERFECT_DISK, (n) => {
      n.tick = (): void => {
        throw new Error('nil pointer');
      };
    });
    expect(faultOf(() => plain.host.tick()).kind).toBe('adapter');
    const asserting = harness(undefined, PERFECT_DISK, (n) => {
      n.tick = (): void => {
        const error = new Error('tocommit(70) is out of range [lastIndex(69)]');
        error.name = 'AssertionError';
        throw error;
      };
    });
    const fault = faultOf(() => asserting.host.tick());
    expect(fault.kind).toBe('assertion');
    expect(fault.message).toMatch(/tocommit\(70\)/);
  });

  it('a role outside the list is a contract error naming the allowed ones', () => {
    const { host, node } = harness(undefined);
    node().queue.push({ softState: { role: 'Leader' as 'leader', leader: 1 }, entries: [], messages: [], committedEntries: [] });
    expect(faultOf(() => host.tick()).message).toMatch(/one of follower, pre-candidate, candidate, leader/);
  });

  it('a leader announced on a disk at term 0 is named plainly, not as two leaders of term 0', () => {
    const { host, node } = harness(undefined);
    node().queue.push({ softState: { role: 'leader', leader: 1 }, entries: [], messages: [], committedEntries: [] });
    expect(faultOf(() => host.tick()).message).toMatch(/announced role leader while its disk holds term 0: the term it campaigns or leads in was never persisted/);
  });

  it('a pre-candidate at term 0 is fine (PreVote persists nothing)', () => {
    const { host, node } = harness(undefined);
    node().queue.push({ softState: { role: 'pre-candidate', leader: 0 }, entries: [], messages: [], committedEntries: [] });
    host.tick();
    expect(host.role).toBe('pre-candidate');
  });
});
