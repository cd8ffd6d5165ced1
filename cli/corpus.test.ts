import { describe, expect, it } from 'vitest';
import { CLASS_SEEDS_MAX, failureSignature, groupFailures, normaliseMessage } from './corpus.js';

const failure = (seed: number, property: string, message: string) => ({ seed, property, message, repro: `npx seaworthy replay --seed ${seed}` });

describe('failure corpus', () => {
  it('normalises numbers and node ids', () => {
    expect(normaliseMessage('Nodes 4 and 1 both became leader of term 3 (node 4 at 4428 ms, node 1 at 4428 ms).')).toBe('Nodes n both became leader of term N (node n at N ms, node n at N ms).');
    expect(normaliseMessage('n3 sent append 1→4 at index 12')).toBe('n sent append n→n at index N');
    expect(normaliseMessage('read "y" -> 122')).toBe('read "…" -> N');
  });

  it('groups one bug hit on many seeds into one class with its seeds and the first repro', () => {
    const failures = [
      ...Array.from({ length: 300 }, (_, i) => failure(i + 1, 'election-safety', `Nodes ${1 + (i % 5)} and ${1 + ((i + 1) % 5)} both became leader of term ${i % 7} (node 1 at ${i * 13} ms, node 2 at ${i * 13} ms).`)),
      failure(1000, 'durability', 'Node 2 applied term 2 at index 7, losing the write acknowledged at (index 7, term 1) by node 1 at 848 ms.'),
    ];
    const classes = groupFailures(failures);
    expect(classes).toHaveLength(2);
    expect(classes[0]).toMatchObject({ property: 'election-safety', count: 300, repro: 'npx seaworthy replay --seed 1' });
    expect(classes[0]?.seeds).toEqual(Array.from({ length: CLASS_SEEDS_MAX }, (_, i) => i + 1));
    expect(classes[1]).toMatchObject({ property: 'durability', count: 1, seeds: [1000] });
    expect(classes[1]?.signature).toBe(failureSignature('durability', failures[300]?.message ?? ''));
  });

  it('keeps different properties with the same message apart', () => {
    expect(groupFailures([failure(1, 'liveness', 'x 1'), failure(2, 'linearizability', 'x 2')])).toHaveLength(2);
  });
});
