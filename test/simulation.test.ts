/**
 * The simulation driving our own core (through the same contract as any implementation): every fault kind
 * happens and has an effect, the liveness phase converges on a healthy run, runs are deterministic, and the
 * client history is well formed.
 */
import { describe, expect, it } from 'vitest';
import { describeMessage } from '../core/describe.js';
import { AssertionError } from '../sim/assert.js';
import { builtinRaft } from '../sim/builtin.js';
import type { Entry, HardState, NodeId } from '../sim/contract.js';
import type { Fact, RoleFact } from '../sim/facts.js';
import type { FaultEvent } from '../sim/faults.js';
import { RELIABLE_NETWORK } from '../sim/network.js';
import type { NetworkOptions } from '../sim/network.js';
import { simulate } from '../sim/simulation.js';
import { smallSimulation } from '../sim/test-harness.js';
import { describeTraceRecord } from '../sim/trace.js';
import type { SimulationOptions, SimulationResult } from '../sim/simulation.js';
import { createSafetyCheckers } from '../properties/safety.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { NodeClocks } from '../sim/clock.js';
import type { RaftImplementation } from '../sim/contract.js';
import { Prng } from '../sim/prng.js';
import type { ClientHistoryEvent } from '../sim/workload.js';

function options(overrides: Partial<SimulationOptions> = {}): SimulationOptions {
  // These suites judge other things than the liveness phase's core: every node healed, as before it.
  return smallSimulation({ seed: 1, fullHeal: true, ...overrides });
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
    expect(result.liveness).toEqual({ checked: false, ok: true, convergedAfterMs: null, problems: [], core: [] });
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
    expect(lines.some((l) => l.type === 'fault' && l.node === 2 && l.atMs === 1000 && l.fault.kind === 'crash' && describeTraceRecord(l) === 'crash node 2')).toBe(true);
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

// ---- Network and clock faults --------------------------------------------------------------------

interface CheckedRun extends Run {
  /** Safety violations found by the five checkers (the run stops at the first). */
  readonly violations: readonly string[];
}

/** A run watched by the safety checkers, recording trace lines. */
function checkedRun(overrides: Partial<SimulationOptions>): CheckedRun {
  const o = options({ record: true, ...overrides });
  const checkers = createSafetyCheckers(Array.from({ length: o.nodeCount }, (_, i) => i + 1));
  const facts: Fact[] = [];
  const violations: string[] = [];
  const result = simulate(o, {
    observe: (fact) => {
      facts.push(fact);
      for (const checker of checkers) {
        const v = checker.observe(fact);
        if (v !== null) violations.push(`${v.property}: ${v.message}`);
      }
      return violations.length > 0;
    },
  });
  return { result, facts, violations };
}

/** The node that leads at `atMs` on a fault-free run of the same options (0: none). */
function leaderAt(atMs: number, overrides: Partial<SimulationOptions> = {}): { readonly node: NodeId; readonly term: number } {
  const leaders = leaderFacts(run({ ...overrides, safetyMs: atMs - 1, livenessMs: 0 }).facts);
  const last = leaders[leaders.length - 1];
  return { node: last?.node ?? 0, term: last?.term ?? 0 };
}

interface MessageLine {
  readonly atMs: number;
  readonly kind: 'send' | 'drop' | 'deliver';
  readonly type: string;
  readonly from: NodeId;
  readonly to: NodeId;
  /** The message as described, without the send/drop/deliver suffix: equal texts are equal messages. */
  readonly text: string;
}

function messageLines(result: SimulationResult): MessageLine[] {
  const out: MessageLine[] = [];
  for (const l of result.trace ?? []) {
    if (l.type !== 'send' && l.type !== 'drop' && l.type !== 'deliver') continue;
    const m = l.message;
    out.push({ atMs: l.atMs, kind: l.type, type: m.type, from: m.from, to: m.to, text: describeMessage(m) });
  }
  return out;
}

/** Send time → delivery delay of every delivered message, pairing equal texts first in, first out. */
function deliveryDelays(lines: readonly MessageLine[]): { readonly sentAtMs: number; readonly delayMs: number }[] {
  const pending = new Map<string, number[]>();
  const out: { sentAtMs: number; delayMs: number }[] = [];
  for (const l of lines) {
    if (l.kind === 'send') pending.set(l.text, [...(pending.get(l.text) ?? []), l.atMs]);
    if (l.kind !== 'deliver') continue;
    const sentAtMs = pending.get(l.text)?.shift();
    expect(sentAtMs, `delivered but never sent: ${l.text}`).toBeDefined();
    out.push({ sentAtMs: sentAtMs ?? 0, delayMs: l.atMs - (sentAtMs ?? 0) });
  }
  return out;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

describe('simulate: one-way partitions', () => {
  const { node: leader } = leaderAt(1000);
  const cut = (leader % 3) + 1;
  const events: FaultEvent[] = [
    { atMs: 1000, kind: 'one-way', from: [leader], to: [cut] },
    { atMs: 2000, kind: 'heal' },
  ];
  const { result, violations } = checkedRun({ plan: { events } });
  const lines = messageLines(result);
  const during = (l: MessageLine): boolean => l.atMs >= 1000 && l.atMs < 2000;

  it("drops the leader's appends to the cut node, and still delivers that node's messages to the leader", () => {
    expect(leader).toBeGreaterThan(0);
    expect(result.stats.faults['one-way']).toBe(1);
    const dropped = lines.filter((l) => during(l) && l.kind === 'drop' && l.from === leader && l.to === cut);
    expect(dropped.filter((l) => l.type === 'append').length).toBeGreaterThan(0);
    // Nothing from the leader reaches the cut node once the messages in flight (<= 5 ms) have landed.
    expect(lines.filter((l) => l.kind === 'deliver' && l.from === leader && l.to === cut && l.atMs > 1005 && l.atMs < 2000)).toEqual([]);
    expect(lines.filter((l) => during(l) && l.kind === 'deliver' && l.from === cut && l.to === leader).length).toBeGreaterThan(0);
  });

  it('stays safe and converges once healed', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });
});

describe('simulate: the majority ring', () => {
  const nodeCount = 5;
  const events: FaultEvent[] = [
    { atMs: 1000, kind: 'ring' },
    { atMs: 3000, kind: 'heal' },
  ];
  const { result, violations } = checkedRun({ nodeCount, safetyMs: 4000, plan: { events } });
  const lines = messageLines(result);
  const neighbours = (a: NodeId, b: NodeId): boolean => (b - a + nodeCount) % nodeCount === 1 || (a - b + nodeCount) % nodeCount === 1;

  it("drops a node's messages to its non-neighbours and delivers those to its neighbours", () => {
    expect(result.stats.faults.ring).toBe(1);
    const ringTime = (l: MessageLine): boolean => l.atMs > 1005 && l.atMs < 3000;
    expect(lines.filter((l) => ringTime(l) && l.kind === 'deliver' && !neighbours(l.from, l.to))).toEqual([]);
    expect(lines.filter((l) => ringTime(l) && l.kind === 'drop' && !neighbours(l.from, l.to)).length).toBeGreaterThan(0);
    expect(lines.filter((l) => ringTime(l) && l.kind === 'deliver' && neighbours(l.from, l.to)).length).toBeGreaterThan(0);
  });

  it('stays safe and converges once healed', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });
});

describe('simulate: latency spikes', () => {
  const events: FaultEvent[] = [{ atMs: 1000, kind: 'latency-spike', durationMs: 1000, extraMsMax: 100 }];
  const { result, violations } = checkedRun({ plan: { events } });
  const delays = deliveryDelays(messageLines(result));

  it('makes deliveries slower while the spike lasts, within extraMsMax, and normal again after', () => {
    expect(result.stats.faults['latency-spike']).toBe(1);
    const before = delays.filter((d) => d.sentAtMs >= 200 && d.sentAtMs < 1000).map((d) => d.delayMs);
    const spiked = delays.filter((d) => d.sentAtMs >= 1000 && d.sentAtMs < 1900).map((d) => d.delayMs);
    // From 2200 ms on, every message sent during the spike has landed (pairing equal texts needs that).
    const after = delays.filter((d) => d.sentAtMs >= 2200 && d.sentAtMs < 2900).map((d) => d.delayMs);
    expect(before.length).toBeGreaterThan(50);
    expect(spiked.length).toBeGreaterThan(50);
    expect(Math.max(...before)).toBeLessThanOrEqual(5);
    expect(Math.max(...after)).toBeLessThanOrEqual(5);
    // U[1, 5] + U[0, 100]: a mean near 53 ms, never beyond 105.
    expect(mean(spiked)).toBeGreaterThan(30);
    expect(Math.max(...spiked)).toBeLessThanOrEqual(105);
  });

  it('stays safe and converges', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });
});

describe('simulate: stale replays', () => {
  // Two leader bounces before the replay, so the history spans several terms.
  const events: FaultEvent[] = [
    { atMs: 800, kind: 'bounce', node: 'leader', downMs: 150 },
    { atMs: 1600, kind: 'bounce', node: 'leader', downMs: 150 },
    { atMs: 2500, kind: 'replay', count: 60, ageMsMin: 1000 },
  ];
  const { result, facts, violations } = checkedRun({ plan: { events } });
  const trace = result.trace ?? [];
  const replayed = trace.filter((r): r is Extract<typeof r, { type: 'replayed' }> => r.type === 'replayed');

  it('delivers again old messages, sent at least ageMsMin earlier and across terms, and counts them', () => {
    expect(result.stats.faults.replay).toBe(1);
    expect(replayed).toHaveLength(60);
    expect(result.stats.faults['message-replay']).toBe(60);
    for (const r of replayed) {
      expect(r.atMs).toBe(2500);
      expect(r.sentAtMs).toBeLessThanOrEqual(1500);
      expect(r.copies).toBe(1);
    }
    // The very objects sent long ago reach their nodes again, after the usual latency.
    const again = trace.filter((r) => r.type === 'deliver' && r.atMs >= 2500 && r.atMs <= 2505 && replayed.some((p) => p.message === r.message));
    expect(again.length).toBe(60);
    // Older terms than the one the cluster is in: stale for every node that hears them.
    const termNow = Math.max(...facts.filter((f) => f.kind === 'persist' && f.atMs <= 2500).map((f) => (f.kind === 'persist' ? f.hardState.term : 0)));
    expect(replayed.some((r) => r.message.term < termNow)).toBe(true);
    expect(new Set(replayed.map((r) => r.message.term)).size).toBeGreaterThan(1);
  });

  it('routes each copy on its link as it is now: a cut link drops it', () => {
    const cut = checkedRun({ plan: { events: [...events.slice(0, 2), { atMs: 2400, kind: 'partition', groups: [[1], [2, 3]] }, { ...(events[2] as FaultEvent), atMs: 2500 }, { atMs: 2600, kind: 'heal' }] } });
    const records = (cut.result.trace ?? []).filter((r): r is Extract<typeof r, { type: 'replayed' }> => r.type === 'replayed');
    const across = records.filter((r) => (r.message.from === 1) !== (r.message.to === 1));
    expect(across.length).toBeGreaterThan(0);
    for (const r of across) expect(r.copies).toBe(0);
    expect(cut.result.stats.faults['message-replay']).toBe(records.length - across.length);
    expect(cut.violations).toEqual([]);
  });

  it('describes what it replayed in the trace', () => {
    const first = replayed[0];
    if (first === undefined) return expect.fail('nothing replayed');
    expect(describeTraceRecord(first)).toMatch(/\(sent at \d+ ms\) replayed$/);
  });

  it('stays safe and converges: our core ignores what is stale', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });

  it('is deterministic', () => {
    expect(checkedRun({ plan: { events } }).result.traceHash).toBe(result.traceHash);
  });
});

describe('simulate: clogged links', () => {
  const { node: leader } = leaderAt(1000);
  const follower = (leader % 3) + 1;
  const events: FaultEvent[] = [{ atMs: 1000, kind: 'clog', from: leader, to: follower, durationMs: 500 }];
  const { result, violations } = checkedRun({ plan: { events } });
  const lines = messageLines(result);
  const onLink = (l: MessageLine): boolean => l.from === leader && l.to === follower;

  it('holds the messages on the link until the clog ends, then delivers them all at once, in send order', () => {
    expect(result.stats.faults.clog).toBe(1);
    expect(result.stats.faults['message-loss']).toBe(0);
    expect(lines.filter((l) => onLink(l) && l.kind === 'deliver' && l.atMs > 1005 && l.atMs < 1500)).toEqual([]);
    // Sent during the clog and early enough (latency is at most 5 ms) to reach it before it ends.
    const sentDuring = lines.filter((l) => onLink(l) && l.kind === 'send' && l.atMs >= 1000 && l.atMs < 1495).map((l) => l.text);
    const deliveredFromEnd = lines.filter((l) => onLink(l) && l.kind === 'deliver' && l.atMs >= 1500).map((l) => l.text);
    const releasedAtEnd = lines.filter((l) => onLink(l) && l.kind === 'deliver' && l.atMs === 1500);
    expect(sentDuring.length).toBeGreaterThan(5);
    expect(releasedAtEnd.length).toBeGreaterThan(5);
    // Messages already in flight when the clog began come first, then everything sent during it, in send order.
    const offset = Array.from({ length: 11 }, (_, k) => k).find((k) => JSON.stringify(deliveredFromEnd.slice(k, k + sentDuring.length)) === JSON.stringify(sentDuring));
    expect(offset).toBeDefined();
  });

  it('leaves the other direction alone', () => {
    const back = lines.filter((l) => l.from === follower && l.to === leader && l.kind === 'deliver' && l.atMs > 1005 && l.atMs < 1500);
    expect(back.length).toBeGreaterThan(0);
  });

  it('stays safe and converges', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });
});

describe('simulate: per-link capacity', () => {
  const { result, violations } = checkedRun({ network: network({ latencyMsMin: 5, latencyMsMax: 40, linkCapacity: 1 }), record: false });

  it('drops the messages beyond the capacity of a link as overflow, not as loss', () => {
    expect(result.stats.faults['message-overflow']).toBeGreaterThan(0);
    expect(result.stats.faults['message-loss']).toBe(0);
  });

  it('counts nothing as overflow without a capacity', () => {
    const free = run({ network: network({ latencyMsMin: 5, latencyMsMax: 40 }), safetyMs: 1500, livenessMs: 0 });
    expect(free.result.stats.faults['message-overflow']).toBe(0);
  });

  it('stays safe and converges', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });
});

describe('simulate: clock skew and drift', () => {
  /** Our core, counting every tick each node gets. */
  function countingTicks(counts: number[]): RaftImplementation {
    const inner = builtinRaft();
    return {
      name: 'tick-counting',
      ...(inner.capabilities === undefined ? {} : { capabilities: inner.capabilities }),
      create(init) {
        const instance = inner.create(init);
        const tick = instance.tick.bind(instance);
        instance.tick = () => {
          counts[init.id] = (counts[init.id] ?? 0) + 1;
          tick();
        };
        return instance;
      },
    };
  }

  it('makes node tick counts differ in proportion to their rates over 10 s', () => {
    const counts: number[] = [];
    const clock = { skewPerMilleMax: 200, driftPerMilleMax: 0 };
    const { result, violations } = checkedRun({ nodeCount: 5, safetyMs: 10_000, livenessMs: 0, clock, implementation: countingTicks(counts), record: false });
    expect(violations).toEqual([]);
    expect(result.stoppedBy).toBe('end');
    const clocks = new NodeClocks(5, 10, clock, Prng.forRun(1).fork('clock'));
    for (let node = 1; node <= 5; node++) {
      const expected = 10_000 / ((10 * (1000 + clocks.skewPerMille(node))) / 1000);
      expect(Math.abs((counts[node] ?? 0) - expected), `node ${node}`).toBeLessThanOrEqual(2);
    }
    const ticks = counts.slice(1);
    expect(Math.max(...ticks) - Math.min(...ticks)).toBeGreaterThan(50);
  });

  it('keeps perfect clocks (the old schedule, no draws) when clock options are zero or absent', () => {
    const absent = run({ safetyMs: 1500, livenessMs: 0 });
    const zero = run({ safetyMs: 1500, livenessMs: 0, clock: { skewPerMilleMax: 0, driftPerMilleMax: 0 } });
    expect(zero.result.traceHash).toBe(absent.result.traceHash);
  });

  it('stays safe and converges with skewed, drifting clocks', () => {
    for (const seed of [1, 2, 3]) {
      const { result, violations } = checkedRun({ seed, nodeCount: 5, clock: { skewPerMilleMax: 300, driftPerMilleMax: 150, driftTicks: 20 }, record: false });
      expect(violations).toEqual([]);
      expect(result.liveness.ok).toBe(true);
    }
  });
});

describe('simulate: process pauses', () => {
  const before = leaderAt(1000);
  const events: FaultEvent[] = [{ atMs: 1000, kind: 'pause', node: before.node, durationMs: 1000 }];
  const { result, facts, violations } = checkedRun({ plan: { events } });

  it('silences the paused node for the whole pause', () => {
    expect(result.stats.faults.pause).toBe(1);
    expect(facts.filter((f) => f.node === before.node && f.atMs > 1000 && f.atMs < 2000)).toEqual([]);
  });

  it('replaces the paused leader by a new leader in a higher term', () => {
    const replacements = leaderFacts(facts).filter((f) => f.atMs > 1000 && f.atMs < 2000);
    expect(replacements.length).toBeGreaterThan(0);
    expect(replacements[0]?.node).not.toBe(before.node);
    expect(replacements[0]?.term).toBeGreaterThan(before.term);
  });

  it('lets the stale leader step down once it resumes and hears the higher term', () => {
    const roleAfter = facts.find((f): f is RoleFact => f.kind === 'role' && f.node === before.node && f.atMs >= 2000);
    expect(roleAfter).toMatchObject({ role: 'follower' });
    expect(roleAfter?.term).toBeGreaterThan(before.term);
    expect(roleAfter?.atMs).toBeLessThan(2000 + 200);
  });

  it('hands the node what waited for it when it resumes', () => {
    const resumed = (result.trace ?? []).find((l) => l.type === 'resume' && l.node === before.node);
    expect(resumed?.atMs).toBe(2000);
    expect(resumed?.type === 'resume' ? resumed.held : 0).toBeGreaterThan(0);
    expect(messageLines(result).some((l) => l.kind === 'deliver' && l.to === before.node && l.atMs === 2000)).toBe(true);
  });

  it('stays safe and converges', () => {
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });

  it("resolves node: 'leader' when the pause fires", () => {
    const byRole = checkedRun({ plan: { events: [{ atMs: 1000, kind: 'pause', node: 'leader', durationMs: 1000 }] } });
    expect((byRole.result.trace ?? []).some((l) => l.type === 'fault-target' && l.fault === 'pause' && l.leader === before.node && l.node === before.node)).toBe(true);
    expect(byRole.facts.filter((f) => f.node === before.node && f.atMs > 1000 && f.atMs < 2000)).toEqual([]);
    expect(byRole.violations).toEqual([]);
  });

  it('holds fsync completions too, and stays safe with a slow disk', () => {
    const slow = checkedRun({ plan: { events }, disk: { fsyncMsMin: 1, fsyncMsMax: 30, tornWritePerMille: 0 }, record: false });
    expect(slow.violations).toEqual([]);
    expect(slow.result.liveness.ok).toBe(true);
  });
});

describe('simulate: clock jumps', () => {
  const { node: leader } = leaderAt(1000);
  const follower = (leader % 3) + 1;
  const events: FaultEvent[] = [{ atMs: 1000, kind: 'clock-jump', node: follower, ticks: 20 }];

  it('makes the node time out at once and start an election', () => {
    const { result, facts, violations } = checkedRun({ plan: { events } });
    expect(result.stats.faults['clock-jump']).toBe(1);
    const campaign = facts.find((f): f is RoleFact => f.kind === 'role' && f.node === follower && f.atMs === 1000);
    expect(['pre-candidate', 'candidate']).toContain(campaign?.role);
    expect(violations).toEqual([]);
    expect(result.liveness.ok).toBe(true);
  });

  it('without PreVote, makes the node a candidate in a higher term', () => {
    const implementation = builtinRaft({ preVote: false });
    const was = leaderAt(1000, { implementation });
    const target = (was.node % 3) + 1;
    const { facts, violations } = checkedRun({ implementation, plan: { events: [{ atMs: 1000, kind: 'clock-jump', node: target, ticks: 20 }] } });
    const campaign = facts.find((f): f is RoleFact => f.kind === 'role' && f.node === target && f.atMs === 1000);
    expect(campaign?.role).toBe('candidate');
    expect(campaign?.term).toBeGreaterThan(was.term);
    expect(violations).toEqual([]);
  });
});

describe('simulate: network and clock faults together', () => {
  /** Random plans mixing every new kind with crashes, a slow disk and capacity, checked end to end. */
  const mixed: Scenario = {
    name: 'network-clock-mix',
    description: 'one-way, ring, spikes, clogs, pauses and clock jumps with crashes',
    assumes: 'test',
    injects: [],
    requires: [],
    generate(prng, ctx) {
      const electionMs = ctx.electionTicks * ctx.tickMs;
      const nodes = Array.from({ length: ctx.nodeCount }, (_, i) => i + 1);
      const events: FaultEvent[] = [];
      for (let atMs = prng.range(0, 200); atMs < ctx.safetyMs - 500; atMs += prng.range(50, 400)) {
        const node = prng.pick(nodes);
        const other = prng.pick(nodes.filter((n) => n !== node));
        const durationMs = prng.range(1, 10 * electionMs);
        const pick = prng.int(8);
        if (pick === 0) events.push({ atMs, kind: 'one-way', from: [node], to: [other] });
        else if (pick === 1) events.push({ atMs, kind: 'ring' });
        else if (pick === 2) events.push({ atMs, kind: 'heal' });
        else if (pick === 3) events.push({ atMs, kind: 'latency-spike', durationMs, extraMsMax: prng.range(1, 200) });
        else if (pick === 4) events.push({ atMs, kind: 'clog', from: node, to: other, durationMs });
        else if (pick === 5) events.push({ atMs, kind: 'pause', node: prng.chance(1, 2) ? 'leader' : node, durationMs });
        else if (pick === 6) events.push({ atMs, kind: 'clock-jump', node, ticks: prng.range(1, 10 * ctx.electionTicks) });
        else events.push({ atMs, kind: 'bounce', node, downMs: prng.range(1, 2 * electionMs) });
      }
      return {
        network: { ...RELIABLE_NETWORK, latencyMsMax: 10, lossPerMille: 20, duplicatePerMille: 20, linkCapacity: 4 },
        disk: { fsyncMsMin: 0, fsyncMsMax: 5, tornWritePerMille: 0 },
        plan: { events },
        knobs: {},
      };
    },
  };

  it('keeps the correct core safe, linearizable and live over several seeds, and every kind happens', () => {
    const seen = { 'one-way': 0, ring: 0, 'latency-spike': 0, clog: 0, pause: 0, 'clock-jump': 0, 'message-overflow': 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const verdict = runSeed({ seed, scenario: mixed, nodeCount: 5, safetyMs: 5000 });
      expect(verdict.violations.map((v) => `seed ${seed}: ${v.property}: ${v.message}`)).toEqual([]);
      for (const kind of Object.keys(seen) as (keyof typeof seen)[]) seen[kind] += verdict.stats.faults[kind];
    }
    for (const [kind, count] of Object.entries(seen)) expect(count, kind).toBeGreaterThan(0);
  });

  it('is deterministic, with or without recorded lines', () => {
    const a = runSeed({ seed: 3, scenario: mixed, nodeCount: 5, safetyMs: 3000 });
    const b = runSeed({ seed: 3, scenario: mixed, nodeCount: 5, safetyMs: 3000, record: true });
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.stats).toEqual(a.stats);
  });
});

describe('simulate: network and clock faults outside the fault model', () => {
  it('refuses pauses and clock jumps beyond ten election timeouts, and unknown nodes', () => {
    expect(() => run({ plan: { events: [{ atMs: 100, kind: 'pause', node: 1, durationMs: 1001 }] } })).toThrow(/durationMs must be a whole number in \[1, 1000\]/);
    expect(() => run({ plan: { events: [{ atMs: 100, kind: 'clock-jump', node: 1, ticks: 101 }] } })).toThrow(/ticks must be a whole number in \[1, 100\]/);
    expect(() => run({ plan: { events: [{ atMs: 100, kind: 'clog', from: 1, to: 4, durationMs: 10 }] } })).toThrow(/no link 1→4/);
    expect(() => run({ plan: { events: [{ atMs: 100, kind: 'one-way', from: [1], to: [1] }] } })).toThrow(/two partition groups/);
  });
});
