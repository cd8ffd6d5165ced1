import { describe, expect, it } from 'vitest';
import { builtinRaft } from '../../sim/builtin.js';
import { runSeed } from '../../scenarios/run-seed.js';
import { SCENARIOS } from '../../scenarios/registry.js';
import { CallWatch, CallWatchdog, watchCalls } from './call-watch.js';

describe('call watch', () => {
  it('marks the call in progress and clears it when the call returns or throws', () => {
    const watch = new CallWatch();
    watch.beginSeed(42);
    expect(watch.current()).toBeNull();
    const seen = watch.around(3, 'tick', () => watch.current());
    expect(seen).toEqual({ sequence: 1, call: 'tick', node: 3, seed: 42 });
    expect(watch.current()).toBeNull();
    expect(() => watch.around(2, 'step', () => { throw new Error('boom'); })).toThrow('boom');
    expect(watch.current()).toBeNull();
    // Another thread sees the same record through the buffer.
    watch.around(5, 'ready', () => expect(new CallWatch(watch.buffer).current()).toMatchObject({ sequence: 3, call: 'ready', node: 5 }));
  });

  it('the watchdog fires only when the same call is still running timeoutMs later', () => {
    const watch = new CallWatch();
    const dog = new CallWatchdog(watch, 100);
    watch.beginSeed(7);
    expect(dog.check(0)).toBeNull();
    watch.around(1, 'tick', () => {
      expect(dog.check(1_000)).toBeNull(); // first sight of this call
      expect(dog.check(1_099)).toBeNull();
      expect(dog.check(1_100)).toEqual({ seed: 7, node: 1, call: 'tick', sequence: 1, elapsedMs: 100 });
    });
    watch.around(2, 'advance', () => {
      expect(dog.check(1_150)).toBeNull(); // a new call restarts the clock
      expect(dog.check(1_249)).toBeNull();
    });
    watch.beginSeed(8);
    watch.around(2, 'tick', () => {
      expect(dog.check(1_300)).toBeNull();
      expect(dog.check(1_400)).not.toBeNull();
    });
    watch.beginSeed(9);
    // Call 1 of the next seed is another call, though it has the same number as the stalled one.
    watch.around(2, 'tick', () => expect(dog.check(1_500)).toBeNull());
    expect(dog.check(5_000)).toBeNull(); // between calls nothing is stalled
  });

  it('watching calls changes nothing in a run: same trace hash as the bare implementation', () => {
    const scenario = SCENARIOS.find((s) => s.name === 'random');
    if (scenario === undefined) throw new Error('no random scenario');
    const bare = builtinRaft({});
    const base = { scenario, nodeCount: 3, safetyOnly: false } as const;
    const plain = runSeed({ ...base, seed: 5, implementation: bare });
    const watch = new CallWatch();
    watch.beginSeed(5);
    const watched = runSeed({ ...base, seed: 5, implementation: watchCalls(bare, watch) });
    expect(watched.traceHash).toBe(plain.traceHash);
    expect(watch.current()).toBeNull();
  });
});
