/**
 * The host must turn every way an implementation can misbehave (throwing, garbage Readys, a Ready loop
 * that never runs dry) into `stoppedBy: 'implementation-error'` with a message naming the node and the
 * problem — never an exception out of simulate().
 */
import { PERFECT_DISK } from './disk.js';
import { decodeKvCommand, encodeKvCommand } from '../core/kv.js';
import { describe, expect, it } from 'vitest';
import type { CreateInit, Entry, HardState, Message, ProposeResult, RaftImplementation, RaftInstance, Ready, Status } from './contract.js';
import { FakeHostContext } from './fake-host-context.js';
import { builtinRaft } from './builtin.js';
import { NodeHost } from './host.js';
import { Prng } from './prng.js';
import { simulate } from './simulation.js';
import { smallSimulation } from './test-harness.js';
import type { SimulationOptions, SimulationResult } from './simulation.js';

/** The node that misbehaves in these tests, and after how many of its ticks. */
const BAD_NODE = 2;
const BAD_AFTER_TICKS = 5;

/** A node that never campaigns and has nothing to do: a baseline the fakes below break in one way each. */
class QuietNode implements RaftInstance {
  ticks = 0;
  constructor(readonly init: CreateInit) {}
  tick(): void {
    this.ticks++;
  }
  step(_message: Message): void {}
  propose(_data: string): ProposeResult {
    return { accepted: false, reason: 'not-leader', leaderHint: 0 };
  }
  ready(): Ready | null {
    return null;
  }
  advance(): void {}
  status(): Status {
    return { id: this.init.id, term: 0, role: 'follower', leader: 0, commit: 0, applied: 0, lastIndex: 0 };
  }
  /** Whether this is the bad node and its time to misbehave has come. */
  get misbehaving(): boolean {
    return this.init.id === BAD_NODE && this.ticks >= BAD_AFTER_TICKS;
  }
}

/** An implementation whose bad node, once misbehaving, returns `bad` from ready() (once, or forever). */
function badReady(bad: (init: CreateInit) => unknown, forever = false): RaftImplementation {
  return {
    name: 'bad-ready',
    create(init) {
      let done = false;
      const node = new QuietNode(init);
      node.ready = (): Ready | null => {
        if (!node.misbehaving || (done && !forever)) return null;
        done = true;
        return bad(init) as Ready;
      };
      return node;
    },
  };
}

function emptyReady(overrides: Partial<Ready>): Ready {
  return { entries: [], messages: [], committedEntries: [], ...overrides };
}

function options(implementation: RaftImplementation, overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return smallSimulation({ seed: 1, implementation, safetyMs: 1000, livenessMs: 0, ...overrides });
}

function run(implementation: RaftImplementation, overrides: Partial<SimulationOptions> = {}): SimulationResult {
  return simulate(options(implementation, overrides), { observe: () => false });
}

/** Asserts the run ended on an implementation error of BAD_NODE whose message matches `problem`. */
function expectImplementationError(result: SimulationResult, problem: RegExp): void {
  expect(result.stoppedBy).toBe('implementation-error');
  expect(result.implementationError).not.toBeNull();
  expect(result.implementationError?.node).toBe(BAD_NODE);
  expect(result.implementationError?.message).toMatch(problem);
  // It happened mid-run (after the bad node's ticks), and the run stopped there.
  expect(result.implementationError?.atMs).toBeGreaterThan(0);
  expect(result.stats.simulatedMs).toBe(result.implementationError?.atMs);
}

describe('host: a well-behaved quiet implementation', () => {
  it('runs to the end with no error', () => {
    const result = run({ name: 'quiet', create: (init) => new QuietNode(init) });
    expect(result.stoppedBy).toBe('end');
    expect(result.implementationError).toBeNull();
  });

  it('fails the liveness phase with a reason when it never elects a leader', () => {
    const result = run({ name: 'quiet', create: (init) => new QuietNode(init) }, { livenessMs: 500 });
    expect(result.stoppedBy).toBe('end');
    expect(result.liveness.checked).toBe(true);
    expect(result.liveness.ok).toBe(false);
    expect(result.liveness.convergedAfterMs).toBeNull();
    expect(result.liveness.problems.join('; ')).toMatch(/no leader/);
  });
});

describe('host: implementations that throw', () => {
  it('reports a throw in tick', () => {
    const impl: RaftImplementation = {
      name: 'throws-in-tick',
      create(init) {
        const node = new QuietNode(init);
        node.tick = (): void => {
          node.ticks++;
          if (node.misbehaving) throw new Error('tick exploded');
        };
        return node;
      },
    };
    const result = run(impl);
    expectImplementationError(result, /threw: tick exploded/);
  });

  it('reports a non-Error thrown value', () => {
    const impl: RaftImplementation = {
      name: 'throws-a-string',
      create(init) {
        const node = new QuietNode(init);
        node.tick = (): void => {
          node.ticks++;
          if (node.misbehaving) throw 'just a string';
        };
        return node;
      },
    };
    expectImplementationError(run(impl), /threw: just a string/);
  });

  it('reports a throw in step', () => {
    // Node 1 sends node 2 one message per tick; node 2 throws when it receives one.
    const impl: RaftImplementation = {
      name: 'throws-in-step',
      create(init) {
        const node = new QuietNode(init);
        let pending = false;
        node.tick = (): void => {
          node.ticks++;
          pending = init.id === 1 && node.ticks === BAD_AFTER_TICKS;
        };
        node.ready = (): Ready | null => {
          if (!pending) return null;
          pending = false;
          return emptyReady({ messages: [{ type: 'Ping', from: 1, to: BAD_NODE, term: 0 }] });
        };
        node.step = (m: Message): void => {
          if (init.id === BAD_NODE) throw new Error(`cannot handle ${m.type}`);
        };
        return node;
      },
    };
    expectImplementationError(run(impl), /threw: cannot handle Ping/);
  });

  it('reports a throw in create, naming the node', () => {
    const impl: RaftImplementation = {
      name: 'throws-in-create',
      create(init) {
        if (init.id === BAD_NODE) throw new Error('no storage driver');
        return new QuietNode(init);
      },
    };
    const result = run(impl);
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.node).toBe(BAD_NODE);
    expect(result.implementationError?.message).toMatch(/threw: no storage driver/);
  });

  // Bug (minor): Simulation's constructor guards each host.start() separately and guard() overwrites
  // implementationError, so when create() throws on every node the report names the last node (3), not the
  // first one that failed. Fix: in guard(), record the error only when `this.implementationError === null`
  // (or stop starting hosts once `this.stopped !== null`).
  it('reports the first node whose create() threw', () => {
    const impl: RaftImplementation = {
      name: 'throws-in-every-create',
      create(init) {
        throw new Error(`no storage driver on ${init.id}`);
      },
    };
    expect(run(impl).implementationError?.node).toBe(1);
  });

  it('reports a throw in propose', () => {
    const impl: RaftImplementation = {
      name: 'throws-in-propose',
      create(init) {
        const node = new QuietNode(init);
        node.propose = (): ProposeResult => {
          throw new Error(`node ${init.id} refuses`);
        };
        return node;
      },
    };
    const result = run(impl);
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.message).toMatch(/threw: node \d refuses/);
    expect(result.implementationError?.message).toContain(`node ${result.implementationError?.node} refuses`);
  });
});

describe('host: ready() returning garbage', () => {
  const cases: readonly { readonly name: string; readonly ready: (init: CreateInit) => unknown; readonly problem: RegExp }[] = [
    { name: 'not an object', ready: () => 42, problem: /ready\(\) returned 42, expected \{entries/ },
    { name: 'a string', ready: () => 'ready!', problem: /ready\(\) returned "ready!"/ },
    { name: 'missing fields', ready: () => ({ entries: [] }), problem: /ready\(\) returned .*expected \{entries: \[\], messages: \[\], committedEntries: \[\]\}/ },
    {
      name: 'entries with a gap after the stored log',
      ready: () => emptyReady({ entries: [{ index: 5, term: 1, data: '' }] }),
      problem: /entries start at index 5, leaving a gap after the stored log's last index 0/,
    },
    {
      name: 'entries with non-consecutive indexes',
      ready: () =>
        emptyReady({
          entries: [
            { index: 1, term: 1, data: '' },
            { index: 3, term: 1, data: '' },
          ],
        }),
      problem: /ready\(\)\.entries indexes are not consecutive: 1 then 3/,
    },
    {
      name: 'committed entries with non-consecutive indexes',
      ready: () =>
        emptyReady({
          committedEntries: [
            { index: 2, term: 1, data: '' },
            { index: 1, term: 1, data: '' },
          ],
        }),
      problem: /ready\(\)\.committedEntries indexes are not consecutive: 2 then 1/,
    },
    {
      name: 'a malformed entry',
      ready: () => emptyReady({ entries: [{ index: 1, term: 'one', data: '' } as unknown as Entry] }),
      problem: /ready\(\)\.entries holds a malformed entry: \{"index":1,"term":"one","data":""\}/,
    },
    {
      name: 'an entry at index 0',
      ready: () => emptyReady({ entries: [{ index: 0, term: 1, data: '' }] }),
      problem: /malformed entry/,
    },
    {
      name: 'a malformed hard state',
      ready: () => emptyReady({ hardState: { term: 1, vote: null, commit: 0 } as unknown as HardState }),
      problem: /malformed hardState: \{"term":1,"vote":null,"commit":0\}/,
    },
    {
      name: 'a message to node 9 in a 3-node cluster',
      ready: (init) => emptyReady({ messages: [{ type: 'Ping', from: init.id, to: 9, term: 0 }] }),
      problem: /sent a message to a node that does not exist: \{"type":"Ping","from":2,"to":9,"term":0\}/,
    },
    {
      name: 'a message to itself',
      ready: (init) => emptyReady({ messages: [{ type: 'Ping', from: init.id, to: init.id, term: 0 }] }),
      problem: /sent a message to a node that does not exist/,
    },
    {
      name: 'a message without type',
      ready: (init) => emptyReady({ messages: [{ from: init.id, to: 1, term: 0 } as unknown as Message] }),
      problem: /sent a message without a string "type": \{"from":2,"to":1,"term":0\}/,
    },
    {
      name: 'a null message',
      ready: () => emptyReady({ messages: [null as unknown as Message] }),
      problem: /sent a message without a string "type": null/,
    },
    {
      name: 'a message whose from is not the sender',
      ready: () => emptyReady({ messages: [{ type: 'Ping', from: 3, to: 1, term: 0 }] }),
      problem: /sent a message with from=3, expected 2/,
    },
    {
      name: 'a message without an integer term',
      ready: (init) => emptyReady({ messages: [{ type: 'Ping', from: init.id, to: 1, term: -1 }] }),
      problem: /without an integer "term"/,
    },
  ];

  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      expectImplementationError(run(badReady(c.ready)), c.problem);
    });
  }

  it('reports a ready() that never returns null, after a bounded number of rounds', () => {
    const result = run(badReady(() => emptyReady({}), true));
    expectImplementationError(result, /ready\(\) did not run dry after 10000 rounds/);
  });

  it('keeps the message short when the garbage is huge', () => {
    const result = run(badReady(() => ({ entries: 'x'.repeat(10_000) })));
    expectImplementationError(result, /ready\(\) returned/);
    expect(result.implementationError?.message.length).toBeLessThan(400);
  });

  it('reports the error on the trace when recording', () => {
    const result = run(badReady(() => 42), { record: true });
    expect(result.trace?.some((r) => r.type === 'implementation-error' && r.node === BAD_NODE && /ready\(\) returned 42/.test(r.message))).toBe(true);
  });
});

describe('host: propose results', () => {
  it('reports a propose result that is not {accepted: boolean}', () => {
    const impl: RaftImplementation = {
      name: 'garbage-propose',
      create(init) {
        const node = new QuietNode(init);
        node.propose = (): ProposeResult => 'sure' as unknown as ProposeResult;
        return node;
      },
    };
    const result = run(impl);
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.message).toMatch(/propose returned "sure", expected \{accepted: boolean/);
  });

  // Bug: NodeHost.propose checks only `typeof result.accepted === 'boolean'`. A rejection whose leaderHint
  // names a node that does not exist (or is missing) is handed to the workload, which sends the retry to
  // that node; Simulation.host() then asserts "no node 9" and an AssertionError escapes simulate() instead of
  // an implementation-error. Fix: in NodeHost.propose, when !result.accepted require `leaderHint === 0 ||
  // this.isPeer[leaderHint] === 1` (an integer), and when accepted require integer index >= 1 and term >= 1;
  // otherwise throw ImplementationFault(this.id, `propose returned ${safeJson(result)}, ...`).
  it('reports a rejection whose leaderHint names a node that does not exist', () => {
    const impl: RaftImplementation = {
      name: 'bad-leader-hint',
      create(init) {
        const node = new QuietNode(init);
        node.propose = (): ProposeResult => ({ accepted: false, reason: 'not-leader', leaderHint: 9 });
        return node;
      },
    };
    const result = run(impl);
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.message).toMatch(/leaderHint/);
  });

  it('reports a rejection without a leaderHint', () => {
    const impl: RaftImplementation = {
      name: 'no-leader-hint',
      create(init) {
        const node = new QuietNode(init);
        node.propose = (): ProposeResult => ({ accepted: false }) as unknown as ProposeResult;
        return node;
      },
    };
    expect(run(impl).stoppedBy).toBe('implementation-error');
  });
});

describe('host: create() returning garbage', () => {
  // Bug: NodeHost.start stores whatever create() returns. `null` makes the node look crashed (host.up is
  // `instance !== null`), so the run carries on with a node silently missing and no error is reported; even
  // the liveness phase just "restarts" it into null again. Fix: in start(), check the result is an object
  // whose tick/step/propose/ready/advance/status are functions, else throw
  // ImplementationFault(this.id, `create() returned ${safeJson(instance)}, expected a RaftInstance`).
  it('reports create() returning null', () => {
    const impl: RaftImplementation = {
      name: 'null-instance',
      create: (init) => (init.id === BAD_NODE ? (null as unknown as RaftInstance) : new QuietNode(init)),
    };
    const result = run(impl);
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.node).toBe(BAD_NODE);
  });
});

describe('NodeHost: the fixed order of a Ready', () => {
  it('persists (and observes the persist), then announces the role, then sends, then applies', () => {
    const ctx = new FakeHostContext();
    const log = ctx.log;
    let served = false;
    const impl: RaftImplementation = {
      name: 'one-ready',
      create(init) {
        const node = new QuietNode(init);
        node.ready = (): Ready | null => {
          if (served) return null;
          served = true;
          return {
            softState: { role: 'leader', leader: 1 },
            hardState: { term: 1, vote: 1, commit: 1 },
            entries: [{ index: 1, term: 1, data: '' }],
            messages: [{ type: 'Append', from: 1, to: 2, term: 1 }],
            committedEntries: [{ index: 1, term: 1, data: '' }],
          };
        };
        node.advance = (): void => void log.push('advance');
        return node;
      },
    };
    const host = new NodeHost({ id: 1, peers: [1, 2, 3], implementation: impl, electionTicks: 10, heartbeatTicks: 2, prng: Prng.forRun(1), disk: PERFECT_DISK, verifyChecksums: true, sendBeforeFsync: false, decodeCommand: () => undefined }, ctx);
    host.start();
    expect(log).toEqual(['observe persist', 'observe role', 'send Append', 'observe apply', 'advance']);
    expect(host.disk.stored()).toEqual({ hardState: { term: 1, vote: 1, commit: 1 }, entries: [{ index: 1, term: 1, data: '' }] });
    expect(host.role).toBe('leader');
    expect(host.roleTerm).toBe(1);
    expect(host.appliedIndex).toBe(1);
  });

  it('restarts from exactly what the disk kept, with a fresh incarnation', () => {
    const ctx = new FakeHostContext();
    const facts = ctx.facts;
    const inits: CreateInit[] = [];
    const impl: RaftImplementation = {
      name: 'persist-once',
      create(init) {
        inits.push(init);
        const node = new QuietNode(init);
        let served = init.storage.entries.length > 0;
        node.ready = (): Ready | null => {
          if (served) return null;
          served = true;
          return emptyReady({ hardState: { term: 3, vote: 2, commit: 0 }, entries: [{ index: 1, term: 3, data: 'a' }] });
        };
        return node;
      },
    };
    const host = new NodeHost({ id: 2, peers: [1, 2, 3], implementation: impl, electionTicks: 10, heartbeatTicks: 2, prng: Prng.forRun(1), disk: PERFECT_DISK, verifyChecksums: true, sendBeforeFsync: false, decodeCommand: () => undefined }, ctx);
    host.start();
    expect(host.up).toBe(true);
    host.crash();
    expect(host.up).toBe(false);
    host.tick();
    host.start();
    expect(host.incarnation).toBe(2);
    expect(inits[1]?.storage).toEqual({ hardState: { term: 3, vote: 2, commit: 0 }, entries: [{ index: 1, term: 3, data: 'a' }] });
    expect(inits[0]?.seed).not.toBe(inits[1]?.seed);
    expect(facts.map((f) => f.kind)).toEqual(['persist', 'crash', 'restart']);
  });
});

describe('NodeHost: persist facts', () => {
  it('gives a persist without entries an empty array of its own, never the frozen one our core hands out', () => {
    // Our core's Readys share one frozen empty array; a checker's entries[0] on it takes V8's generic keyed load.
    const frozen: readonly Entry[] = Object.freeze([]);
    const ctx = new FakeHostContext();
    let term = 0;
    const impl: RaftImplementation = {
      name: 'votes-only',
      create(init) {
        const node = new QuietNode(init);
        node.ready = (): Ready | null => (term >= 2 ? null : emptyReady({ hardState: { term: ++term, vote: 1, commit: 0 }, entries: frozen }));
        return node;
      },
    };
    const host = new NodeHost({ id: 1, peers: [1, 2, 3], implementation: impl, electionTicks: 10, heartbeatTicks: 2, prng: Prng.forRun(1), disk: PERFECT_DISK, verifyChecksums: true, sendBeforeFsync: false, decodeCommand: () => undefined }, ctx);
    host.start();
    const persists = ctx.facts.filter((f) => f.kind === 'persist');
    expect(persists.map((f) => f.hardState.term)).toEqual([1, 2]);
    for (const f of persists) {
      expect(f.entries).toEqual([]);
      expect(f.entries).not.toBe(frozen);
      expect(Object.isFrozen(f.entries)).toBe(false);
    }
    expect(persists[0]?.entries).not.toBe(persists[1]?.entries);
  });
});

describe('NodeHost: clients and crash points (with the one fake context)', () => {
  /** One node that accepts a proposal at index 1 and commits it in its next Ready. */
  function committingHost(ctx: FakeHostContext): NodeHost {
    const impl: RaftImplementation = {
      name: 'commit-one',
      create(init) {
        const node = new QuietNode(init);
        let pending: string | null = null;
        node.propose = (data: string): ProposeResult => {
          pending = data;
          return { accepted: true, index: 1, term: 1 };
        };
        node.ready = (): Ready | null => {
          if (pending === null) return null;
          const entry = { index: 1, term: 1, data: pending };
          pending = null;
          return emptyReady({ hardState: { term: 1, vote: 1, commit: 1 }, entries: [entry], committedEntries: [entry] });
        };
        return node;
      },
    };
    const decodeCommand = (data: string) => decodeKvCommand(data);
    return new NodeHost({ id: 1, peers: [1, 2, 3], implementation: impl, electionTicks: 10, heartbeatTicks: 2, prng: Prng.forRun(1), disk: PERFECT_DISK, verifyChecksums: true, sendBeforeFsync: false, decodeCommand }, ctx);
  }

  it('acknowledges a write the waiting client sees applied, then replies to it', () => {
    const ctx = new FakeHostContext();
    const host = committingHost(ctx);
    host.start();
    const command = { client: 7, seq: 1, key: 'x', op: 'put' as const, value: 5 };
    expect(host.request(7, 1, encodeKvCommand(command))).toEqual({ accepted: true, index: 1, term: 1 });
    expect(ctx.log).toEqual(['observe persist', 'observe apply', 'observe ack', 'reply 7/1']);
    expect(ctx.facts[2]).toMatchObject({ kind: 'ack', node: 1, clientId: 7, seq: 1, index: 1, term: 1 });
    expect(ctx.replies).toEqual([{ node: 1, command, result: { ok: true, value: null } }]);
  });

  it('arms, strikes and disarms crash points through methods, reporting a strike as an incident', () => {
    const ctx = new FakeHostContext();
    const host = committingHost(ctx);
    host.start();
    host.armCrashPoint('after-persist');
    expect(host.armedCrashPoint).toBe('after-persist');
    expect(host.disarmCrashPoint()).toBe(true);
    expect(host.disarmCrashPoint()).toBe(false);
    host.armCrashPoint('before-fsync');
    host.request(7, 1, encodeKvCommand({ client: 7, seq: 1, key: 'x', op: 'get' }));
    expect(host.up).toBe(false);
    expect(host.armedCrashPoint).toBeNull();
    expect(ctx.incidents).toEqual([{ node: 1, incident: { kind: 'crash-point-struck' } }]);
    expect(ctx.log).toEqual(['observe crash', 'incident crash-point-struck']);
  });
});

describe('host: read states that name no pending read', () => {
  /** A copy of our core (validated like any implementation) whose Readys' read states `spoil` rewrites. */
  function spoiled(spoil: (states: readonly { readonly requestId: number; readonly index: number }[]) => unknown): RaftImplementation {
    const core = builtinRaft({ membership: false });
    return {
      name: 'spoiled-reads',
      capabilities: core.capabilities ?? [],
      create(init) {
        const node = core.create(init);
        const ready = node.ready.bind(node);
        node.ready = (): Ready | null => {
          const r = ready();
          if (r === null || r.readStates === undefined || r.readStates.length === 0) return r;
          return { ...r, readStates: spoil(r.readStates) as Ready['readStates'] };
        };
        return node;
      },
    };
  }
  const readHeavy: Partial<SimulationOptions> = { safetyMs: 5000, workload: { clientCount: 3, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 20 } };

  it('serves the reads of an unspoiled copy (the test drives reads at all)', () => {
    const result = simulate(smallSimulation({ seed: 3, implementation: spoiled((states) => states), livenessMs: 0, ...readHeavy }), { observe: () => false });
    expect(result.stoppedBy).toBe('end');
  });

  it('reports a read state given twice, or one for a request nobody made', () => {
    for (const spoil of [(s: readonly { readonly requestId: number; readonly index: number }[]) => [...s, s[0]], (s: readonly { readonly requestId: number; readonly index: number }[]) => [{ ...s[0], requestId: 999_999 }]]) {
      const result = simulate(smallSimulation({ seed: 3, implementation: spoiled(spoil), livenessMs: 0, ...readHeavy }), { observe: () => false });
      expect(result.stoppedBy).toBe('implementation-error');
      expect(result.implementationError?.message).toMatch(/ready\(\)\.readStates holds \{"requestId":\d+,"index":\d+\}, which is no pending read request/);
    }
  });
  it('reports a read state that is not an object, after a good one in the same Ready', () => {
    const result = simulate(smallSimulation({ seed: 3, implementation: spoiled((s) => [...s, null]), livenessMs: 0, ...readHeavy }), { observe: () => false });
    expect(result.stoppedBy).toBe('implementation-error');
    expect(result.implementationError?.message).toMatch(/ready\(\)\.readStates holds null, which is no pending read request/);
  });
});
