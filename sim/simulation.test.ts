/**
 * The simulation driving our own core (through the same contract as any implementation): every fault kind
 * happens and has an effect, the liveness phase converges on a healthy run, runs are deterministic, and the
 * client history is well formed.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from './assert.js';
import { builtinRaft } from './builtin.js';
import type { Entry, HardState, NodeId } from './contract.js';
import type { Fact, RoleFact } from './facts.js';
import type { FaultEvent } from './faults.js';
import { RELIABLE_NETWORK } from './network.js';
import type { NetworkOptions } from './network.js';
import { simulate } from './simulation.js';
import type { SimulationOptions, SimulationResult } from './simulation.js';
import type { ClientHistoryEvent } from './workload.js';

function options(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  return {
    seed: 1,
    nodeCount: 3,
    implementation: builtinRaft(),
    tickMs: 10,
    electionTicks: 10,
    heartbeatTicks: 2,
    safetyMs: 3000,
    livenessMs: 5000,
    network: RELIABLE_NETWORK,
    workload: { clientCount: 2, keys: ['x'], requestTimeoutMs: 250, opTimeoutMs: 2000, thinkMsMax: 40 },
    plan: { events: [] },
    record: false,
    ...overrides,
  };
}

function network(overrides: Partial<NetworkOptions>): NetworkOptions {
  return { ...RELIABLE_NETWORK, ...overrides };
}

interface Run {
  readonly result: SimulationResult;
  readonly facts: readonly Fact[];
}

function run(overrides: Partial<SimulationOptions> = {}): Run {
  const facts: Fact[] = [];
  const result = simulate(options(overrides), {
    observe: (fact) => {
      facts.push(fact);
      return false;
    },
  });
  return { result, facts };
}

function leaderFacts(facts: readonly Fact[]): RoleFact[] {
  return facts.filter((f): f is RoleFact => f.kind === 'role' && f.role === 'leader');
}

/** Every history event's process must alternate invoke, then ok/fail/info for the same op; info ends a process. */
function checkHistoryShape(history: readonly ClientHistoryEvent[]): { readonly invokes: number; readonly pending: number } {
  const open = new Map<number, ClientHistoryEvent>();
  const ended = new Set<number>();
  let invokes = 0;
  for (const e of history) {
    expect(ended.has(e.process), `process ${e.process} reused after an info`).toBe(false);
    const pending = open.get(e.process);
    if (e.type === 'invoke') {
      expect(pending, `process ${e.process} invoked twice without a completion`).toBeUndefined();
      open.set(e.process, e);
      invokes++;
      continue;
    }
    expect(pending, `process ${e.process}: ${e.type} without an invoke`).toBeDefined();
    expect(e.f).toBe(pending?.f);
    expect(e.key).toBe(pending?.key);
    expect(e.atMs).toBeGreaterThanOrEqual(pending?.atMs ?? Number.POSITIVE_INFINITY);
    if (e.type === 'fail') expect(e.f).toBe('cas');
    open.delete(e.process);
    if (e.type === 'info') ended.add(e.process);
  }
  return { invokes, pending: open.size };
}

describe('simulate with the built-in core: a healthy run', () => {
  const healthy = run();

  it('ends normally and elects a leader', () => {
    expect(healthy.result.stoppedBy).toBe('end');
    expect(healthy.result.implementationError).toBeNull();
    expect(leaderFacts(healthy.facts).length).toBeGreaterThanOrEqual(1);
    expect(healthy.result.stats.leadersElected).toBe(leaderFacts(healthy.facts).length);
    expect(healthy.result.stats.maxTerm).toBeGreaterThanOrEqual(1);
  });

  it('has no faults to count', () => {
    // Every counter, including fault kinds added later, stays at zero.
    const counts = healthy.result.stats.faults;
    expect(counts).toMatchObject({ partition: 0, heal: 0, crash: 0, restart: 0, 'message-loss': 0, 'message-duplicate': 0 });
    for (const [kind, count] of Object.entries(counts)) expect(count, kind).toBe(0);
  });

  it('converges in the liveness phase and completes every client operation', () => {
    const { liveness, stats, history } = healthy.result;
    expect(liveness).toMatchObject({ checked: true, ok: true, problems: [] });
    expect(liveness.convergedAfterMs).not.toBeNull();
    expect(liveness.convergedAfterMs).toBeLessThanOrEqual(5000);
    const { invokes, pending } = checkHistoryShape(history);
    expect(pending).toBe(0);
    expect(stats.clientOps.info).toBe(0);
    expect(stats.clientOps.ok).toBeGreaterThan(10);
    expect(stats.clientOps.ok + stats.clientOps.fail).toBe(invokes);
  });

  it('applies the same log on every node', () => {
    const appliedBy = new Map<NodeId, Entry[]>();
    for (const f of healthy.facts) if (f.kind === 'apply') appliedBy.set(f.node, [...(appliedBy.get(f.node) ?? []), f.entry]);
    const logs = [1, 2, 3].map((n) => appliedBy.get(n) ?? []);
    expect(logs[0]?.length).toBeGreaterThan(0);
    expect(logs[1]).toEqual(logs[0]);
    expect(logs[2]).toEqual(logs[0]);
  });

  it('acknowledges every completed write', () => {
    const acks = healthy.facts.filter((f) => f.kind === 'ack').length;
    const okWrites = healthy.result.history.filter((e) => e.type === 'ok' && e.f !== 'read').length;
    expect(acks).toBe(okWrites);
  });

  it('does not check liveness when livenessMs = 0', () => {
    const { result } = run({ livenessMs: 0 });
    expect(result.liveness).toEqual({ checked: false, ok: true, convergedAfterMs: null, problems: [] });
    expect(result.stats.simulatedMs).toBeLessThanOrEqual(3000);
    expect(result.stoppedBy).toBe('end');
  });
});

describe('simulate: determinism', () => {
  it('gives the same trace hash, history and stats for the same options', () => {
    const plan = { events: [{ atMs: 500, kind: 'crash', node: 1 }, { atMs: 900, kind: 'restart', node: 1 }] as const };
    const net = network({ lossPerMille: 50, duplicatePerMille: 50, longDelayPerMille: 20, longDelayMsMax: 100 });
    const a = run({ plan, network: net, safetyMs: 1500, livenessMs: 2000 });
    const b = run({ plan, network: net, safetyMs: 1500, livenessMs: 2000 });
    expect(a.result.traceHash).toMatch(/^[0-9a-f]{16}$/);
    expect(b.result.traceHash).toBe(a.result.traceHash);
    expect(b.result.history).toEqual(a.result.history);
    expect(b.result.stats).toEqual(a.result.stats);
    expect(b.facts).toEqual(a.facts);
  });

  it('gives a different trace hash for a different seed', () => {
    const a = run({ seed: 1, safetyMs: 1500, livenessMs: 0 });
    const b = run({ seed: 2, safetyMs: 1500, livenessMs: 0 });
    expect(b.result.traceHash).not.toBe(a.result.traceHash);
  });

  it('gives the same trace hash whether or not readable lines are recorded', () => {
    const quiet = run({ safetyMs: 1500, livenessMs: 1000 });
    const recorded = run({ safetyMs: 1500, livenessMs: 1000, record: true });
    expect(quiet.result.trace).toBeNull();
    expect(recorded.result.trace?.length).toBeGreaterThan(0);
    expect(recorded.result.traceHash).toBe(quiet.result.traceHash);
  });
});

describe('simulate: crash and restart', () => {
  const plan = {
    events: [
      { atMs: 1000, kind: 'crash', node: 2 },
      { atMs: 1500, kind: 'restart', node: 2 },
    ] as const,
  };
  const { result, facts } = run({ plan });

  it('reports a crash fact then a restart fact for the node, at the planned times', () => {
    const lifecycle = facts.filter((f) => f.kind === 'crash' || f.kind === 'restart');
    expect(lifecycle.map((f) => [f.kind, f.node, f.atMs])).toEqual([
      ['crash', 2, 1000],
      ['restart', 2, 1500],
    ]);
    expect(result.stats.faults.crash).toBe(1);
    expect(result.stats.faults.restart).toBe(1);
    expect(result.liveness.ok).toBe(true);
  });

  it('silences the node while it is down', () => {
    const whileDown = facts.filter((f) => f.node === 2 && f.atMs > 1000 && f.atMs < 1500);
    expect(whileDown).toEqual([]);
    // ... and it takes part again after the restart.
    expect(facts.some((f) => f.node === 2 && f.kind === 'apply' && f.atMs >= 1500)).toBe(true);
  });

  it('restarts the node from exactly what it had persisted', () => {
    let hardState: HardState = { term: 0, vote: 0, commit: 0 };
    let log: Entry[] = [];
    for (const f of facts) {
      if (f.node !== 2) continue;
      if (f.kind === 'persist') {
        hardState = f.hardState;
        const first = f.entries[0];
        if (first !== undefined) log = [...log.slice(0, first.index - 1), ...f.entries];
      }
      if (f.kind === 'restart') break;
    }
    const restart = facts.find((f) => f.kind === 'restart');
    expect(restart?.kind === 'restart' ? restart.stored : null).toEqual({ hardState, entries: log });
    expect(log.length).toBeGreaterThan(0);
  });

  it('makes a new leader in a higher term when the leader crashes', () => {
    // Find who leads just before 1000 ms, then crash that node.
    const probe = leaderFacts(run({ safetyMs: 999, livenessMs: 0 }).facts);
    const oldLeader = probe[probe.length - 1];
    expect(oldLeader).toBeDefined();
    const leaderId = oldLeader?.node ?? 1;
    const crashLeader = run({
      plan: {
        events: [
          { atMs: 1000, kind: 'crash', node: leaderId },
          { atMs: 1500, kind: 'restart', node: leaderId },
        ],
      },
    });
    const after = leaderFacts(crashLeader.facts).filter((f) => f.atMs > 1000 && f.atMs < 1500);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]?.node).not.toBe(leaderId);
    expect(after[0]?.term).toBeGreaterThan(oldLeader?.term ?? 0);
    expect(crashLeader.result.liveness.ok).toBe(true);
  });

  it('records the faults on the trace when recording', () => {
    const recorded = run({ plan, record: true, livenessMs: 0 });
    const lines = recorded.result.trace ?? [];
    expect(lines.some((l) => l.kind === 'fault' && l.node === 2 && l.atMs === 1000 && /crash node 2/.test(l.text))).toBe(true);
    expect(lines.some((l) => l.kind === 'crash' && l.node === 2)).toBe(true);
    expect(lines.some((l) => l.kind === 'restart' && l.node === 2 && l.atMs === 1500)).toBe(true);
  });
});

describe('simulate: partitions', () => {
  const nodeCount = 5;
  const partitionAtMs = 1000;
  const healAtMs = 2000;
  // Find who leads at the partition time, then cut that leader and one follower off from the other three.
  const probe = run({ nodeCount, safetyMs: partitionAtMs - 1, livenessMs: 0 });
  const probeLeaders = leaderFacts(probe.facts);
  const oldLeader = probeLeaders[probeLeaders.length - 1];
  const leaderId = oldLeader?.node ?? 1;
  const minority = [leaderId, (leaderId % nodeCount) + 1];
  const majority = [1, 2, 3, 4, 5].filter((n) => !minority.includes(n));
  const events: FaultEvent[] = [
    { atMs: partitionAtMs, kind: 'partition', groups: [minority, majority] },
    { atMs: healAtMs, kind: 'heal' },
  ];
  const { result, facts } = run({ nodeCount, plan: { events } });

  it('counts the partition and the heal, and drops the messages across it', () => {
    expect(oldLeader).toBeDefined();
    expect(result.stats.faults.partition).toBe(1);
    expect(result.stats.faults.heal).toBe(1);
    expect(result.stats.faults['message-loss']).toBeGreaterThan(0);
  });

  it('elects a new leader in the majority when the leader is cut off', () => {
    // The same leader still leads at the partition time in the real run.
    const before = leaderFacts(facts).filter((f) => f.atMs <= partitionAtMs);
    expect(before[before.length - 1]?.node).toBe(leaderId);
    expect(leaderFacts(facts).length).toBeGreaterThan(1);
    const newLeaders = leaderFacts(facts).filter((f) => f.atMs > partitionAtMs && f.atMs < healAtMs);
    expect(newLeaders.length).toBeGreaterThan(0);
    expect(majority).toContain(newLeaders[0]?.node);
    expect(newLeaders[0]?.term).toBeGreaterThan(oldLeader?.term ?? 0);
  });

  it('still serves clients and converges after the heal', () => {
    expect(result.liveness.ok).toBe(true);
    expect(checkHistoryShape(result.history).pending).toBe(0);
    const okDuringPartition = result.history.filter((e) => e.type === 'ok' && e.atMs > partitionAtMs + 500 && e.atMs < healAtMs);
    expect(okDuringPartition.length).toBeGreaterThan(0);
  });

  it('applies one log everywhere after the heal', () => {
    const lastApplied = new Map<NodeId, Entry>();
    for (const f of facts) if (f.kind === 'apply') lastApplied.set(f.node, f.entry);
    const last = [...lastApplied.values()];
    expect(last).toHaveLength(nodeCount);
    for (const e of last) expect(e).toEqual(last[0]);
  });
});

describe('simulate: network faults', () => {
  it('loses messages at lossPerMille = 200', () => {
    const { result } = run({ network: network({ lossPerMille: 200 }), safetyMs: 2000, livenessMs: 3000 });
    const { stats } = result;
    expect(stats.faults['message-loss']).toBeGreaterThan(0);
    expect(stats.faults['message-loss'] / stats.messagesSent).toBeGreaterThan(0.1);
    expect(stats.faults['message-loss'] / stats.messagesSent).toBeLessThan(0.3);
    expect(stats.messagesDelivered).toBeLessThan(stats.messagesSent);
    expect(stats.faults['message-duplicate']).toBe(0);
    expect(result.liveness.ok).toBe(true);
  });

  it('duplicates messages at duplicatePerMille = 200', () => {
    const { result } = run({ network: network({ duplicatePerMille: 200 }), safetyMs: 2000, livenessMs: 3000 });
    const { stats } = result;
    expect(stats.faults['message-duplicate']).toBeGreaterThan(0);
    expect(stats.faults['message-duplicate'] / stats.messagesSent).toBeGreaterThan(0.1);
    expect(stats.messagesDelivered).toBeGreaterThan(stats.messagesSent);
    expect(stats.faults['message-loss']).toBe(0);
    expect(result.liveness.ok).toBe(true);
  });

  it('counts no network fault on a reliable network', () => {
    const { result } = run({ safetyMs: 1000, livenessMs: 0 });
    expect(result.stats.faults['message-loss']).toBe(0);
    expect(result.stats.faults['message-duplicate']).toBe(0);
  });
});

describe('simulate: the run boundary', () => {
  it('stops when the observer asks, at the fact that made it stop', () => {
    let stopAtMs = -1;
    const result = simulate(options(), {
      observe: (fact) => {
        if (fact.kind !== 'ack') return false;
        stopAtMs = fact.atMs;
        return true;
      },
    });
    expect(result.stoppedBy).toBe('observer');
    expect(stopAtMs).toBeGreaterThan(0);
    expect(result.stats.simulatedMs).toBe(stopAtMs);
  });

  it('refuses a plan outside the fault model', () => {
    const plan = {
      events: [
        { atMs: 100, kind: 'crash', node: 1 },
        { atMs: 200, kind: 'crash', node: 2 },
      ] as const,
    };
    expect(() => run({ plan })).toThrow(AssertionError);
    expect(() => run({ plan })).toThrow(/fault plan outside the fault model: .*more than 1 of 3 nodes down/);
  });
});
