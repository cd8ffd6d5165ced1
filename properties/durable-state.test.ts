import { describe, expect, it } from 'vitest';
import { DurableNode } from './durable-state.js';
import { FactLog, entries } from './fact-builders.js';

/** The terms `node` reports at indexes 1..upTo (0: none stored there). */
function termsOf(node: DurableNode, upTo: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= upTo; i++) out.push(node.termAt(i));
  return out;
}

describe('DurableNode', () => {
  it('replaces the stored log from a persist\'s first index on', () => {
    const log = new FactLog();
    const node = new DurableNode(1);
    node.persist(log.persist(1, { term: 1 }, entries(1, 4, 1)));
    node.persist(log.persist(1, { term: 2 }, entries(3, 3, 2)));
    expect(node.lastIndex).toBe(3);
    expect(termsOf(node, 5)).toEqual([1, 1, 2, 0, 0]);
    expect(node.term).toBe(2);
  });

  it('a restart to a shorter log forgets the tail, and a later restart to a longer one stores it all', () => {
    const log = new FactLog();
    const node = new DurableNode(1);
    node.persist(log.persist(1, { term: 3, vote: 2 }, entries(1, 6, 3)));
    // The terms are overwritten in place: positions beyond the restarted log's end must read as empty.
    node.restart(log.restart(1, [...entries(1, 2, 3), ...entries(3, 3, 1)], { term: 4, vote: 1 }));
    expect(node.lastIndex).toBe(3);
    expect(termsOf(node, 7)).toEqual([3, 3, 1, 0, 0, 0, 0]);
    expect([node.term, node.vote]).toEqual([4, 1]);
    node.restart(log.restart(1, entries(1, 8, 5), { term: 5 }));
    expect(termsOf(node, 9)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 0]);
    node.restart(log.restart(1, [], { term: 5 }));
    expect(node.lastIndex).toBe(0);
    expect(termsOf(node, 2)).toEqual([0, 0]);
  });
});
