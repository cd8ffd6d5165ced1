import { describe, expect, it } from 'vitest';
import { AssertionError } from './assert.js';
import { Network, RELIABLE_NETWORK } from './network.js';
import type { NetworkOptions } from './network.js';
import type { Message } from './contract.js';
import { Prng } from './prng.js';

const DRAWS = 20_000;

function network(options: Partial<NetworkOptions> = {}, nodeCount = 5, seed = 1): Network {
  return new Network(nodeCount, { ...RELIABLE_NETWORK, ...options }, Prng.forRun(seed).fork('network'));
}

/** How many times route(1, 2) returned 0, 1 and 2 copies over `draws` calls. */
function copyCounts(net: Network, draws = DRAWS): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < draws; i++) {
    const copies = net.route(1, 2);
    counts[copies as 0 | 1 | 2]++;
  }
  return counts;
}

describe('Network: loss and duplication', () => {
  it('delivers exactly one copy on a reliable network', () => {
    expect(copyCounts(network())).toEqual([0, DRAWS, 0]);
  });

  it('never loses a message when lossPerMille = 0, even with other faults on', () => {
    const [lost] = copyCounts(network({ lossPerMille: 0, duplicatePerMille: 500, longDelayPerMille: 500, longDelayMsMax: 100 }));
    expect(lost).toBe(0);
  });

  it('loses messages at roughly the configured rate', () => {
    for (const lossPerMille of [50, 200, 500]) {
      const [lost] = copyCounts(network({ lossPerMille }));
      const rate = (lost / DRAWS) * 1000;
      expect(rate).toBeGreaterThan(lossPerMille * 0.9);
      expect(rate).toBeLessThan(lossPerMille * 1.1);
    }
  });

  it('loses every message when lossPerMille = 1000', () => {
    expect(copyCounts(network({ lossPerMille: 1000 }), 1000)).toEqual([1000, 0, 0]);
  });

  it('duplicates delivered messages at roughly the configured rate, as 2 copies with their own delays', () => {
    const net = network({ duplicatePerMille: 200 });
    const [lost, once, twice] = copyCounts(net);
    expect(lost).toBe(0);
    expect(once + twice).toBe(DRAWS);
    const rate = (twice / DRAWS) * 1000;
    expect(rate).toBeGreaterThan(180);
    expect(rate).toBeLessThan(220);
    let distinctDelays = 0;
    for (let i = 0; i < 1000; i++) {
      if (net.route(1, 2) === 2 && net.delays[0] !== net.delays[1]) distinctDelays++;
    }
    expect(distinctDelays).toBeGreaterThan(0);
  });

  it('never duplicates when duplicatePerMille = 0', () => {
    const [, , twice] = copyCounts(network({ lossPerMille: 300 }));
    expect(twice).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const a = network({ lossPerMille: 100, duplicatePerMille: 100, latencyMsMax: 50 }, 3, 9);
    const b = network({ lossPerMille: 100, duplicatePerMille: 100, latencyMsMax: 50 }, 3, 9);
    for (let i = 0; i < 500; i++) {
      expect(a.route(1, 2)).toBe(b.route(1, 2));
      expect(a.delays).toEqual(b.delays);
    }
  });
});

describe('Network: latency', () => {
  it('keeps latency within [min, max] and reaches both ends', () => {
    const net = network({ latencyMsMin: 3, latencyMsMax: 7 });
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      expect(net.route(1, 2)).toBe(1);
      seen.add(net.delays[0] as number);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7]);
  });

  it('sends some copies on long delays beyond max when enabled, never beyond longDelayMsMax', () => {
    const net = network({ latencyMsMin: 1, latencyMsMax: 5, longDelayPerMille: 200, longDelayMsMax: 500 });
    let beyond = 0;
    let maxSeen = 0;
    let minSeen = Number.POSITIVE_INFINITY;
    for (let i = 0; i < DRAWS; i++) {
      const d = net.latency();
      if (d > 5) beyond++;
      maxSeen = Math.max(maxSeen, d);
      minSeen = Math.min(minSeen, d);
    }
    expect(minSeen).toBe(1);
    expect(maxSeen).toBeLessThanOrEqual(500);
    expect(maxSeen).toBeGreaterThan(400);
    // 20% take the detour, uniform in [5, 500]: nearly all of those land beyond 5.
    expect(beyond / DRAWS).toBeGreaterThan(0.18);
    expect(beyond / DRAWS).toBeLessThan(0.22);
  });

  it('never exceeds max when long delays are off', () => {
    const net = network({ latencyMsMin: 1, latencyMsMax: 5, longDelayPerMille: 0, longDelayMsMax: 500 });
    for (let i = 0; i < 2000; i++) expect(net.latency()).toBeLessThanOrEqual(5);
  });

  it('validates its options', () => {
    expect(() => network({ latencyMsMin: 5, latencyMsMax: 4 })).toThrow(AssertionError);
    expect(() => network({ latencyMsMin: -1 })).toThrow(AssertionError);
    expect(() => network({ latencyMsMin: 1.5, latencyMsMax: 3 })).toThrow(AssertionError);
    expect(() => network({ lossPerMille: 1001 })).toThrow(/lossPerMille/);
    expect(() => network({ duplicatePerMille: -1 })).toThrow(/duplicatePerMille/);
    expect(() => network({ longDelayPerMille: 0.5 })).toThrow(/longDelayPerMille/);
    const net = network();
    expect(() => net.setOptions({ ...RELIABLE_NETWORK, lossPerMille: 2000 })).toThrow(AssertionError);
    net.setOptions({ ...RELIABLE_NETWORK, lossPerMille: 1000 });
    expect(net.settings.lossPerMille).toBe(1000);
    expect(net.route(1, 2)).toBe(0);
  });

  // Bug: validate() checks neither longDelayMsMax nor anything about it, so a fractional (or otherwise bad)
  // longDelayMsMax is accepted here and only blows up later, mid-run, as an AssertionError from
  // Prng.range ("int: bad bound 46.5") the first time a long delay is drawn. Fix: in validate(), assert
  // `Number.isInteger(o.longDelayMsMax) && o.longDelayMsMax >= 0` (and, when longDelayPerMille > 0,
  // `o.longDelayMsMax >= o.latencyMsMax`, else the "long" detour is just latencyMsMax).
  it('rejects a non-integer longDelayMsMax up front', () => {
    expect(() => network({ longDelayPerMille: 10, longDelayMsMax: 50.5 })).toThrow(/longDelayMsMax/);
  });

  it('draws only for faults that are switched on (all off: route draws just the latency)', () => {
    // With every fault off, route() draws only the latency: the same stream as latency() alone.
    const a = network({ latencyMsMax: 100 }, 3, 4);
    const b = network({ latencyMsMax: 100 }, 3, 4);
    for (let i = 0; i < 100; i++) {
      a.route(1, 2);
      expect(a.delays[0]).toBe(b.latency());
    }
  });
});

describe('Network: partitions', () => {
  function reachable(net: Network, from: number, to: number): boolean {
    return !net.isBlocked(from, to) && net.route(from, to) > 0;
  }

  it('blocks across groups and not within them', () => {
    const net = network({}, 5);
    net.partition([
      [1, 2],
      [3, 4, 5],
    ]);
    for (let a = 1; a <= 5; a++) {
      for (let b = 1; b <= 5; b++) {
        if (a === b) continue;
        const together = (a <= 2) === (b <= 2);
        expect(reachable(net, a, b)).toBe(together);
      }
    }
  });

  it('isolates nodes missing from every group', () => {
    const net = network({}, 5);
    net.partition([[1, 2, 3]]);
    expect(reachable(net, 1, 2)).toBe(true);
    expect(reachable(net, 3, 1)).toBe(true);
    for (const lonely of [4, 5]) {
      for (let other = 1; other <= 5; other++) {
        if (other === lonely) continue;
        expect(reachable(net, lonely, other)).toBe(false);
        expect(reachable(net, other, lonely)).toBe(false);
      }
    }
  });

  it('replaces the previous partition rather than adding to it', () => {
    const net = network({}, 3);
    net.partition([[1], [2, 3]]);
    net.partition([[1, 2], [3]]);
    expect(reachable(net, 1, 2)).toBe(true);
    expect(reachable(net, 2, 3)).toBe(false);
  });

  it('block(from, to) cuts one direction only', () => {
    const net = network({}, 3);
    net.block(1, 2);
    expect(net.isBlocked(1, 2)).toBe(true);
    expect(net.route(1, 2)).toBe(0);
    expect(net.isBlocked(2, 1)).toBe(false);
    expect(net.route(2, 1)).toBe(1);
    expect(net.route(1, 3)).toBe(1);
    expect(net.route(3, 2)).toBe(1);
  });

  it('heal restores every link', () => {
    const net = network({}, 5);
    net.partition([[1], [2], [3, 4]]);
    net.block(3, 4);
    net.heal();
    for (let a = 1; a <= 5; a++) for (let b = 1; b <= 5; b++) if (a !== b) expect(reachable(net, a, b)).toBe(true);
  });

  it('drops blocked messages without drawing from the stream', () => {
    const a = network({ latencyMsMax: 100 }, 3, 6);
    const b = network({ latencyMsMax: 100 }, 3, 6);
    a.block(1, 2);
    for (let i = 0; i < 50; i++) expect(a.route(1, 2)).toBe(0);
    a.route(2, 1);
    b.route(2, 1);
    expect(a.delays[0]).toBe(b.delays[0]);
  });

  it('asserts on bad node ids', () => {
    const net = network({}, 3);
    expect(() => net.block(0, 1)).toThrow(AssertionError);
    expect(() => net.block(1, 4)).toThrow(/no node 4/);
    expect(() => net.block(1.5, 2)).toThrow(AssertionError);
    expect(() => net.partition([[1, 9]])).toThrow(/no node 9/);
    expect(() => net.partition([[0]])).toThrow(AssertionError);
    expect(() => net.partition([[1, 2], [2, 3]])).toThrow(/two partition groups/);
  });
});

describe('Network: one-way partitions', () => {
  it('drops from → to and keeps to → from', () => {
    const net = network({}, 5);
    net.oneWay([1], [2, 3]);
    expect(net.route(1, 2)).toBe(0);
    expect(net.dropReason).toBe('partition');
    expect(net.route(1, 3)).toBe(0);
    expect(net.route(2, 1)).toBe(1);
    expect(net.route(3, 1)).toBe(1);
    expect(net.route(1, 4)).toBe(1);
    expect(net.route(2, 3)).toBe(1);
  });

  it('replaces the previous shape, and heal ends it', () => {
    const net = network({}, 3);
    net.partition([[1], [2, 3]]);
    net.oneWay([2], [3]);
    expect(net.isBlocked(1, 2)).toBe(false);
    expect(net.isBlocked(2, 3)).toBe(true);
    expect(net.isBlocked(3, 2)).toBe(false);
    net.heal();
    expect(net.isBlocked(2, 3)).toBe(false);
  });

  it('asserts on unknown nodes', () => {
    expect(() => network({}, 3).oneWay([1], [4])).toThrow(/no node 4/);
  });
});

describe('Network: the majority ring', () => {
  it('in 5 nodes, lets each node talk only to itself and its two ring neighbours', () => {
    const net = network({}, 5);
    net.ring();
    const neighbours: Record<number, number[]> = { 1: [5, 1, 2], 2: [1, 2, 3], 3: [2, 3, 4], 4: [3, 4, 5], 5: [4, 5, 1] };
    for (let a = 1; a <= 5; a++) {
      const seen = [1, 2, 3, 4, 5].filter((b) => !net.isBlocked(a, b));
      expect(seen.sort()).toEqual((neighbours[a] ?? []).sort());
      // Each neighbourhood is exactly a majority of 5.
      expect(seen).toHaveLength(3);
    }
    expect(net.route(1, 3)).toBe(0);
    expect(net.route(3, 1)).toBe(0);
    expect(net.route(1, 5)).toBe(1);
  });

  it('is no cut at all with 3 nodes', () => {
    const net = network({}, 3);
    net.ring();
    for (let a = 1; a <= 3; a++) for (let b = 1; b <= 3; b++) expect(net.isBlocked(a, b)).toBe(false);
  });
});

describe('Network: latency spikes', () => {
  it('adds a uniform extra delay in [0, extraMsMax] while a spike lasts, and none after', () => {
    const net = network({ latencyMsMin: 1, latencyMsMax: 5 });
    net.startLatencySpike(100);
    let maxSeen = 0;
    let minSeen = Number.POSITIVE_INFINITY;
    let sum = 0;
    for (let i = 0; i < DRAWS; i++) {
      net.route(1, 2);
      const d = net.delays[0] as number;
      maxSeen = Math.max(maxSeen, d);
      minSeen = Math.min(minSeen, d);
      sum += d;
    }
    expect(minSeen).toBe(1);
    expect(maxSeen).toBeLessThanOrEqual(105);
    // Mean of U[1,5] + U[0,100] is 53.
    expect(sum / DRAWS).toBeGreaterThan(50);
    expect(sum / DRAWS).toBeLessThan(56);
    expect(maxSeen).toBeGreaterThan(100);
    net.endLatencySpike(100);
    for (let i = 0; i < 1000; i++) expect(net.latency()).toBeLessThanOrEqual(5);
  });

  it('keeps the largest of overlapping spikes until it ends', () => {
    const net = network();
    net.startLatencySpike(50);
    net.startLatencySpike(200);
    expect(net.latencySpikeMsMax).toBe(200);
    net.endLatencySpike(200);
    expect(net.latencySpikeMsMax).toBe(50);
    net.endLatencySpike(50);
    expect(net.latencySpikeMsMax).toBe(0);
    expect(() => net.endLatencySpike(50)).toThrow(AssertionError);
    expect(() => net.startLatencySpike(0)).toThrow(/extraMsMax/);
  });

  it('draws the extra delay from a stream of its own (the base delays do not shift)', () => {
    const spiked = network({ latencyMsMax: 50 }, 3, 8);
    const calm = network({ latencyMsMax: 50 }, 3, 8);
    spiked.startLatencySpike(30);
    for (let i = 0; i < 200; i++) spiked.latency();
    spiked.endLatencySpike(30);
    for (let i = 0; i < 200; i++) calm.latency();
    for (let i = 0; i < 100; i++) expect(spiked.latency()).toBe(calm.latency());
  });
});

describe('Network: clogged links', () => {
  it('clogs one direction of one link, nested clogs open only when the last ends', () => {
    const net = network({}, 3);
    expect(net.isClogged(1, 2)).toBe(false);
    net.clog(1, 2);
    net.clog(1, 2);
    expect(net.isClogged(1, 2)).toBe(true);
    expect(net.isClogged(2, 1)).toBe(false);
    expect(net.isClogged(1, 3)).toBe(false);
    // A clog holds messages, it does not drop them: routing is unaffected.
    expect(net.route(1, 2)).toBe(1);
    expect(net.unclog(1, 2)).toBe(false);
    expect(net.isClogged(1, 2)).toBe(true);
    expect(net.unclog(1, 2)).toBe(true);
    expect(net.isClogged(1, 2)).toBe(false);
    expect(() => net.unclog(1, 2)).toThrow(/not clogged/);
    expect(() => net.clog(1, 4)).toThrow(/no node 4/);
  });

  it('survives heal (a clog is a timed fault, not a link shape)', () => {
    const net = network({}, 3);
    net.clog(2, 3);
    net.heal();
    expect(net.isClogged(2, 3)).toBe(true);
  });
});

describe('Network: per-link capacity', () => {
  it('drops messages beyond linkCapacity in flight as overflow, and takes more once delivered', () => {
    const net = network({ linkCapacity: 2 }, 3);
    expect(net.route(1, 2)).toBe(1);
    expect(net.route(1, 2)).toBe(1);
    expect(net.inflightCount(1, 2)).toBe(2);
    expect(net.route(1, 2)).toBe(0);
    expect(net.dropReason).toBe('overflow');
    // Other links, including the reverse direction, have their own budget.
    expect(net.route(2, 1)).toBe(1);
    expect(net.route(1, 3)).toBe(1);
    net.delivered(1, 2);
    expect(net.inflightCount(1, 2)).toBe(1);
    expect(net.route(1, 2)).toBe(1);
    expect(net.route(1, 2)).toBe(0);
  });

  it('drops only the duplicate when one slot is left', () => {
    const net = network({ linkCapacity: 1, duplicatePerMille: 1000 }, 3);
    expect(net.route(1, 2)).toBe(1);
    expect(net.inflightCount(1, 2)).toBe(1);
    const roomy = network({ linkCapacity: 2, duplicatePerMille: 1000 }, 3);
    expect(roomy.route(1, 2)).toBe(2);
    expect(roomy.inflightCount(1, 2)).toBe(2);
  });

  it('counts in flight but never drops when linkCapacity is 0 or absent', () => {
    for (const net of [network({ linkCapacity: 0 }), network()]) {
      for (let i = 0; i < 1000; i++) expect(net.route(1, 2)).toBe(1);
      expect(net.inflightCount(1, 2)).toBe(1000);
    }
  });

  it('checks overflow before drawing: a full link does not shift the stream', () => {
    const full = network({ linkCapacity: 1, latencyMsMax: 100 }, 3, 5);
    const free = network({ latencyMsMax: 100 }, 3, 5);
    full.route(1, 2);
    free.route(1, 2);
    for (let i = 0; i < 20; i++) expect(full.route(1, 2)).toBe(0);
    full.route(2, 1);
    free.route(2, 1);
    expect(full.delays[0]).toBe(free.delays[0]);
  });

  it('asserts on a delivery nobody routed, and validates linkCapacity', () => {
    expect(() => network().delivered(1, 2)).toThrow(/nothing in flight/);
    expect(() => network({ linkCapacity: -1 })).toThrow(/linkCapacity/);
    expect(() => network({ linkCapacity: 1.5 })).toThrow(/linkCapacity/);
  });
});

describe('Network: the history of stale replays', () => {
  const message = (n: number): Message => ({ type: 'append', from: 1 + (n % 3), to: 2 + (n % 3), term: n });

  it('keeps nothing until asked: a run without replays remembers no message', () => {
    const net = network();
    expect(net.remembering).toBe(false);
    net.remember(message(1), 0);
    expect(net.historySpanMs()).toBeNull();
    expect(net.replaySample(10, 1_000, Prng.forRun(1))).toEqual([]);
  });

  it('remembers the last `capacity` messages, forgetting the oldest first', () => {
    const net = network();
    net.keepHistory(4);
    for (let n = 0; n < 10; n++) net.remember(message(n), n * 10);
    expect(net.historySpanMs()).toEqual({ oldestMs: 60, newestMs: 90 });
    const all = net.replaySample(100, 1_000, Prng.forRun(1));
    expect(all.map((r) => r.message.term)).toEqual([6, 7, 8, 9]);
    expect(all.map((r) => r.sentAtMs)).toEqual([60, 70, 80, 90]);
  });

  it('picks only messages sent at or before the cut-off, distinct, in send order', () => {
    const net = network();
    net.keepHistory(64);
    for (let n = 0; n < 50; n++) net.remember(message(n), n);
    for (let seed = 1; seed <= 20; seed++) {
      const sample = net.replaySample(10, 29, Prng.forRun(seed));
      expect(sample).toHaveLength(10);
      const terms = sample.map((r) => r.message.term);
      expect(new Set(terms).size).toBe(10);
      expect([...terms].sort((a, b) => a - b)).toEqual(terms);
      expect(Math.max(...sample.map((r) => r.sentAtMs))).toBeLessThanOrEqual(29);
    }
    // Fewer eligible than asked: all of them. None eligible: nothing.
    expect(net.replaySample(100, 4, Prng.forRun(1)).map((r) => r.sentAtMs)).toEqual([0, 1, 2, 3, 4]);
    expect(net.replaySample(100, -1, Prng.forRun(1))).toEqual([]);
  });

  it('draws every eligible message about equally often', () => {
    const net = network();
    net.keepHistory(16);
    for (let n = 0; n < 16; n++) net.remember(message(n), n);
    const counts = new Array<number>(16).fill(0);
    const draw = Prng.forRun(7);
    for (let i = 0; i < 4_000; i++) for (const r of net.replaySample(4, 15, draw)) counts[r.message.term] = (counts[r.message.term] as number) + 1;
    // 16 000 picks over 16 messages: 1 000 each expected.
    for (const c of counts) expect(c).toBeGreaterThan(850);
    for (const c of counts) expect(c).toBeLessThan(1_150);
  });

  it('picks what the sparse partial Fisher-Yates (a Map of swapped slots) picks, draw for draw (pinned plans replay the same)', () => {
    const net = network();
    net.keepHistory(300);
    for (let n = 0; n < 700; n++) net.remember(message(n), n);
    for (let seed = 1; seed <= 40; seed++) {
      const count = 1 + ((seed * 37) % 260);
      const cutoffMs = 400 + seed * 7;
      // The reference: the eligible ones are the ring's oldest, here terms 400.. (the last 300 of 700 were kept).
      const eligible = cutoffMs - 400 + 1;
      const draw = Prng.forRun(seed);
      const swapped = new Map<number, number>();
      const picked: number[] = [];
      for (let i = 0; i < Math.min(count, eligible); i++) {
        const j = i + draw.int(eligible - i);
        picked.push(swapped.get(j) ?? j);
        swapped.set(j, swapped.get(i) ?? i);
      }
      const expected = picked.sort((a, b) => a - b).map((p) => 400 + p);
      expect(net.replaySample(count, cutoffMs, Prng.forRun(seed)).map((r) => r.message.term)).toEqual(expected);
    }
  });

  it('keeps the first half of a sample when the count is halved (what the shrinker relies on)', () => {
    const net = network();
    net.keepHistory(128);
    for (let n = 0; n < 100; n++) net.remember(message(n), n);
    const full = net.replaySample(40, 99, Prng.forRun(3)).map((r) => r.message.term);
    const half = net.replaySample(20, 99, Prng.forRun(3)).map((r) => r.message.term);
    for (const t of half) expect(full).toContain(t);
  });

  it('routes a replayed copy on the link as it is now: dropped when cut or full, else in flight', () => {
    const net = network({ linkCapacity: 2 });
    const draw = Prng.forRun(1);
    expect(net.routeReplay(1, 2, draw)).toBe(1);
    expect(net.inflightCount(1, 2)).toBe(1);
    expect(net.delays[0]).toBeGreaterThanOrEqual(1);
    expect(net.delays[0]).toBeLessThanOrEqual(5);
    expect(net.routeReplay(1, 2, draw)).toBe(1);
    expect(net.routeReplay(1, 2, draw)).toBe(0);
    expect(net.dropReason).toBe('overflow');
    net.block(3, 4);
    expect(net.routeReplay(3, 4, draw)).toBe(0);
    expect(net.dropReason).toBe('partition');
    net.delivered(1, 2);
    expect(net.inflightCount(1, 2)).toBe(1);
  });
});
