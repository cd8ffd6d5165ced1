/**
 * The search's pruning (chains of crashed operations, forced reads, the lookahead and orphans) must never
 * change a verdict: checked against the brute-force oracle on small single-key histories rich in crashed
 * writes and cas chains, and against the search without lookahead on larger generated ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bruteForceLinearizable } from './brute-force.js';
import { generateRegisterHistory, perturbRegisterHistory } from './generate.js';
import { checkHistory } from './index.js';
import { etcdRegisterModel } from './models/etcd-register.js';
import { registerMapModel } from './models/register-map.js';
import { pairNativeEvents } from './native.js';
import { PartitionSearch } from './search.js';
import { interleavedHistory } from './test-harness.js';

/** Unconstrained random single-key histories: any interleaving, any read values, many crashes. */
const randomHistory = fc
  .array(
    fc.record({
      process: fc.integer({ min: 0, max: 5 }),
      f: fc.constantFrom('read', 'write', 'cas', 'cas'),
      v: fc.integer({ min: 0, max: 3 }),
      e: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 5 }),
      end: fc.constantFrom('ok', 'ok', 'info', 'info', 'fail'),
      returnAfter: fc.integer({ min: 0, max: 5 }),
    }),
    { maxLength: 11 },
  )
  // A read that fails has no effect to check: make it succeed, so reads stay informative.
  .map((specs) => interleavedHistory(specs.map((s) => (s.f === 'read' && s.end === 'fail' ? { ...s, end: 'ok' as const } : s))));

describe('pruning keeps every verdict', () => {
  it('agrees with the brute-force oracle on crash-heavy single-key histories', () => {
    let rejected = 0;
    let accepted = 0;
    fc.assert(
      fc.property(randomHistory, (events) => {
        const expected = bruteForceLinearizable(events);
        expect(checkHistory(events).verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
        if (expected) accepted++;
        else rejected++;
      }),
      { numRuns: 1500, seed: 0x9e37 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });

  it('agrees with the search without lookahead on generated histories, good and perturbed', () => {
    let perturbed = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const events = generateRegisterHistory({ operations: 90, keys: 1, clients: 12, crashPerMille: 400, values: 6, seed });
      for (const history of [events, perturbRegisterHistory(events)]) {
        if (history === undefined) continue;
        if (history !== events) perturbed++;
        const ops = pairNativeEvents(history);
        const plain = new PartitionSearch(registerMapModel, ops, { lookahead: false });
        const pruned = new PartitionSearch(registerMapModel, ops);
        expect(pruned.run(5_000_000)).toBe(plain.run(5_000_000));
        expect(pruned.result).toBe(history === events ? 'linearizable' : 'not-linearizable');
      }
    }
    expect(perturbed).toBeGreaterThan(3);
  });

  it('the etcd model prunes the same way without changing verdicts on crash-heavy histories', () => {
    fc.assert(
      fc.property(randomHistory, (events) => {
        // Native failed cas are dropped; the etcd form keeps them as failed compares, a different history, so
        // compare the etcd model only with itself, with and without lookahead.
        const ops = pairNativeEvents(events).map((op) => ({
          ...op,
          input: op.input.f === 'read' ? { f: 'read' as const } : op.input.f === 'write' ? { f: 'write' as const, value: op.input.value } : { f: 'cas' as const, expected: op.input.expected ?? -1, value: op.input.value },
          output:
            op.output.kind === 'unknown'
              ? { kind: 'unknown' as const }
              : op.input.f === 'read'
                ? { kind: 'read' as const, value: op.output.value }
                : op.input.f === 'cas'
                  ? { kind: 'cas' as const, ok: true }
                  : { kind: 'done' as const },
        }));
        const plain = new PartitionSearch(etcdRegisterModel, ops, { lookahead: false });
        const pruned = new PartitionSearch(etcdRegisterModel, ops);
        expect(pruned.run(1_000_000)).toBe(plain.run(1_000_000));
      }),
      { numRuns: 1000, seed: 0xe7cd },
    );
  });
});
