import { describe, expect, it } from 'vitest';
import { decodeKvCommand } from '../core/kv.js';
import type { KvCommand, KvResult } from '../core/kv.js';
import type { NodeId } from './contract.js';
import { Prng } from './prng.js';
import { simulate } from './simulation.js';
import type { SimulationOptions } from './simulation.js';
import { smallSimulation } from './test-harness.js';
import { Workload } from './workload.js';
import type { ClientHistoryEvent, WorkloadContext, WorkloadOptions } from './workload.js';

interface Request {
  readonly slot: number;
  readonly node: NodeId;
  readonly session: number;
  readonly seq: number;
  readonly command: KvCommand;
}

/** A context that records what the workload asks for; the test plays the simulation. */
class FakeContext implements WorkloadContext {
  nowMs = 0;
  readonly nodeCount = 3;
  readonly requests: Request[] = [];
  readonly timeouts: { slot: number; attempt: number; delayMs: number }[] = [];
  readonly nexts: { slot: number; delayMs: number }[] = [];
  readonly replies: { slot: number; from: NodeId; session: number; seq: number; result: KvResult | null; leaderHint: NodeId | 0 }[] = [];

  sendRequest(slot: number, node: NodeId, session: number, seq: number, data: string): void {
    const command = decodeKvCommand(data);
    if (command === undefined) throw new Error(`undecodable request ${data}`);
    this.requests.push({ slot, node, session, seq, command });
  }
  sendReply(slot: number, from: NodeId, session: number, seq: number, result: KvResult | null, leaderHint: NodeId | 0): void {
    this.replies.push({ slot, from, session, seq, result, leaderHint });
  }
  scheduleTimeout(slot: number, attempt: number, delayMs: number): void {
    this.timeouts.push({ slot, attempt, delayMs });
  }
  scheduleNext(slot: number, delayMs: number): void {
    this.nexts.push({ slot, delayMs });
  }
  get lastRequest(): Request {
    const r = this.requests[this.requests.length - 1];
    if (r === undefined) throw new Error('no request sent');
    return r;
  }
}

const OPTIONS: WorkloadOptions = { clientCount: 2, keys: ['x', 'y'], requestTimeoutMs: 100, opTimeoutMs: 1000, thinkMsMax: 40 };

function setup(options: WorkloadOptions = OPTIONS): { workload: Workload; ctx: FakeContext } {
  const ctx = new FakeContext();
  return { workload: new Workload(options, Prng.forRun(1).fork('workload'), ctx), ctx };
}

describe('Workload (unit, with a fake context)', () => {
  it('schedules each client once at begin, within the think time', () => {
    const { workload, ctx } = setup();
    workload.begin();
    expect(ctx.nexts.map((n) => n.slot)).toEqual([0, 1]);
    for (const n of ctx.nexts) expect(n.delayMs >= 0 && n.delayMs <= 40).toBe(true);
  });

  it('invokes an operation: records the invoke, sends the request and arms a timeout', () => {
    const { workload, ctx } = setup();
    ctx.nowMs = 7;
    workload.startNext(0);
    expect(workload.outstanding()).toBe(1);
    expect(workload.history).toHaveLength(1);
    const invoke = workload.history[0] as ClientHistoryEvent;
    expect(invoke).toMatchObject({ process: 1, type: 'invoke', atMs: 7 });
    const r = ctx.lastRequest;
    expect(r).toMatchObject({ slot: 0, session: 1, seq: 1 });
    expect(r.command).toMatchObject({ client: 1, seq: 1, key: invoke.key });
    expect(r.node >= 1 && r.node <= 3).toBe(true);
    expect(ctx.timeouts).toEqual([{ slot: 0, attempt: 1, delayMs: 100 }]);
    // A second startNext while the operation is outstanding does nothing.
    workload.startNext(0);
    expect(workload.history).toHaveLength(1);
  });

  it('retries at the leader hint, or the next node without one', () => {
    const { workload, ctx } = setup();
    workload.startNext(0);
    const first = ctx.lastRequest;
    const hint = (first.node % 3) + 1;
    workload.onNotLeader(0, first.session, first.seq, hint);
    expect(ctx.lastRequest).toMatchObject({ node: hint, session: first.session, seq: first.seq });
    workload.onNotLeader(0, first.session, first.seq, 0);
    expect(ctx.lastRequest.node).toBe((hint % 3) + 1);
    expect(workload.counts.retries).toBe(2);
  });

  it('completes on the reply with the value read or written, and ignores stale replies', () => {
    const { workload, ctx } = setup({ ...OPTIONS, clientCount: 1 });
    for (let i = 0; i < 30; i++) {
      workload.startNext(0);
      const r = ctx.lastRequest;
      // A stale reply (older seq) changes nothing.
      workload.onApplied(0, r.session, r.seq - 1, 1, { ok: true, value: 99 });
      expect(workload.outstanding()).toBe(1);
      workload.onApplied(0, r.session, r.seq, 2, { ok: true, value: r.command.op === 'get' ? 5 : null });
      expect(workload.outstanding()).toBe(0);
      const done = workload.history[workload.history.length - 1] as ClientHistoryEvent;
      expect(done.type).toBe('ok');
      if (r.command.op === 'get') expect(done.value).toBe(5);
      if (r.command.op === 'put') expect(done.value).toBe(r.command.value);
      if (r.command.op === 'cas') expect(done.value).toEqual([r.command.expected, r.command.value]);
      // A duplicate of the same reply after completion changes nothing.
      workload.onApplied(0, r.session, r.seq, 2, { ok: true, value: null });
      expect(workload.history[workload.history.length - 1]).toBe(done);
    }
    expect(workload.counts.ok).toBe(30);
    // The client follows the node that served it.
    workload.startNext(0);
    expect(ctx.lastRequest.node).toBe(2);
  });

  it('records a failed compare as fail', () => {
    const { workload, ctx } = setup({ ...OPTIONS, clientCount: 1 });
    for (let i = 0; i < 50 && workload.counts.fail === 0; i++) {
      workload.startNext(0);
      const r = ctx.lastRequest;
      workload.onApplied(0, r.session, r.seq, 1, r.command.op === 'cas' ? { ok: false } : { ok: true, value: null });
    }
    expect(workload.counts.fail).toBe(1);
    const fail = workload.history[workload.history.length - 1] as ClientHistoryEvent;
    expect(fail).toMatchObject({ type: 'fail', f: 'cas' });
  });

  it('retries on a timeout before the deadline, and gives up after it as info with a new process', () => {
    const { workload, ctx } = setup({ ...OPTIONS, clientCount: 1 });
    workload.startNext(0);
    const first = ctx.lastRequest;
    ctx.nowMs = 100;
    workload.onTimeout(0, 1);
    expect(ctx.lastRequest).toMatchObject({ session: first.session, seq: first.seq, node: (first.node % 3) + 1 });
    // A timeout of an older attempt is void.
    workload.onTimeout(0, 1);
    expect(ctx.requests).toHaveLength(2);
    ctx.nowMs = 1000;
    workload.onTimeout(0, 2);
    expect(workload.counts.info).toBe(1);
    expect(workload.outstanding()).toBe(0);
    expect(workload.history[workload.history.length - 1]).toMatchObject({ type: 'info', process: first.session, atMs: 1000 });
    // A late reply for the given-up operation is ignored, and the next operation runs under a new session.
    workload.onApplied(0, first.session, first.seq, 1, { ok: true, value: null });
    expect(workload.history).toHaveLength(2);
    workload.startNext(0);
    expect(ctx.lastRequest.session).not.toBe(first.session);
    expect(ctx.lastRequest.seq).toBe(1);
    expect(workload.slotOf(ctx.lastRequest.session)).toBe(0);
    expect(workload.slotOf(first.session)).toBe(0);
    expect(workload.slotOf(999)).toBe(-1);
  });

  it('in the liveness phase (finishOnly), never gives up and starts nothing new', () => {
    const { workload, ctx } = setup({ ...OPTIONS, clientCount: 1 });
    workload.startNext(0);
    workload.finishOnly();
    ctx.nowMs = 5000;
    workload.onTimeout(0, 1);
    expect(workload.counts.info).toBe(0);
    expect(workload.outstanding()).toBe(1);
    expect(ctx.requests).toHaveLength(2);
    const r = ctx.lastRequest;
    workload.onApplied(0, r.session, r.seq, 1, { ok: true, value: null });
    workload.startNext(0);
    expect(workload.outstanding()).toBe(0);
    expect(ctx.requests).toHaveLength(2);
  });

  it('routes a node\'s answer back to the client waiting on it, and the reply to the client\'s operation', () => {
    const { workload, ctx } = setup({ ...OPTIONS, clientCount: 1 });
    workload.startNext(0);
    const r = ctx.lastRequest;
    workload.rejected(0, r.node, r.session, r.seq, 2);
    expect(ctx.replies).toEqual([{ slot: 0, from: r.node, session: r.session, seq: r.seq, result: null, leaderHint: 2 }]);
    workload.onReply(0, r.node, r.session, r.seq, null, 2);
    expect(ctx.lastRequest.node).toBe(r.node === 2 ? 3 : 2);
    const result = r.command.op === 'cas' ? ({ ok: false } as const) : ({ ok: true, value: null } as const);
    workload.answered(2, r.command, result);
    expect(ctx.replies[1]).toEqual({ slot: 0, from: 2, session: r.session, seq: r.seq, result, leaderHint: 0 });
    workload.answered(2, { ...r.command, client: 999 }, result);
    expect(ctx.replies).toHaveLength(2);
    workload.onReply(0, 2, r.session, r.seq, result, 0);
    expect(workload.outstanding()).toBe(0);
    expect(workload.history.map((e) => e.type)).toEqual(['invoke', result.ok ? 'ok' : 'fail']);
  });

  it('rejects an unknown client slot', () => {
    const { workload } = setup();
    expect(() => workload.startNext(5)).toThrow(/no client slot 5/);
  });
});

describe('Workload through the simulation: read-your-writes in a healthy run', () => {
  function options(overrides: Partial<SimulationOptions>): SimulationOptions {
    return smallSimulation({ livenessMs: 3000, workload: { clientCount: 1, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 }, ...overrides });
  }

  it('a lone client reads exactly the value of its last completed write or cas', () => {
    const result = simulate(options({}), { observe: () => false });
    expect(result.liveness.ok).toBe(true);
    let current: number | null = null;
    let checkedReads = 0;
    let writes = 0;
    for (const e of result.history) {
      if (e.type === 'invoke') continue;
      expect(e.type).not.toBe('info');
      if (e.type === 'ok' && e.f === 'write') {
        current = e.value as number;
        writes++;
      }
      if (e.type === 'ok' && e.f === 'cas') current = (e.value as readonly [number | null, number])[1];
      if (e.type === 'ok' && e.f === 'read') {
        expect(e.value).toBe(current);
        if (current !== null) checkedReads++;
      }
    }
    expect(writes).toBeGreaterThan(5);
    expect(checkedReads).toBeGreaterThan(5);
  });

  it("with two clients, a read sees the client's own completed write when no other write could interleave", () => {
    for (const seed of [1, 2, 3]) {
      const result = simulate(options({ seed, workload: { clientCount: 2, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 } }), {
        observe: () => false,
      });
      expect(result.liveness.ok).toBe(true);
      const history = result.history;
      let checked = 0;
      history.forEach((read, i) => {
        if (read.type !== 'ok' || read.f !== 'read') return;
        // The read's own invoke, and the same process's last completed write before it.
        const readInvoke = history.findLastIndex((e, j) => j < i && e.process === read.process && e.type === 'invoke');
        const writeOk = history.findLastIndex((e, j) => j < readInvoke && e.process === read.process && e.type === 'ok' && e.f === 'write');
        if (writeOk < 0) return;
        const writeInvoke = history.findLastIndex((e, j) => j < writeOk && e.process === read.process && e.type === 'invoke');
        // Own operations in between, or another process's changing operation overlapping, void the check.
        const interferes = history.some(
          (e, j) => j > writeInvoke && j < i && (e.process === read.process ? j !== writeOk && j !== readInvoke : e.f !== 'read'),
        );
        if (interferes) return;
        expect(read.value, `seed ${seed}: read at ${read.atMs} ms by process ${read.process}`).toBe(history[writeOk]?.value);
        checked++;
      });
      expect(checked, `seed ${seed}: reads checked`).toBeGreaterThan(0);
    }
  });
});
