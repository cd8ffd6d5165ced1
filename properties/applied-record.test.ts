import { describe, expect, it } from 'vitest';
import { applyFact } from '../sim/facts.js';
import { AppliedRecord } from './applied-record.js';

const apply = (node: number, index: number, term: number, data = `d${index}`) => applyFact(index * 10, index, node, { index, term, data });

describe('AppliedRecord', () => {
  it('keeps the first apply at each index, whoever applies it again', () => {
    const r = new AppliedRecord();
    const first = apply(1, 1, 2);
    r.observe(first);
    expect(r.first).toBe(true);
    expect(r.firstTerm).toBe(true);
    r.observe(apply(2, 1, 3)); // another term at the same index: not the first
    expect(r.first).toBe(false);
    expect(r.firstTerm).toBe(false);
    expect(r.firstAt(1)).toBe(first);
    expect(r.termAt(1)).toBe(2);
    expect(r.maxIndex).toBe(1);
  });

  it('answers null and 0 where nothing was applied, and grows past a skipped index', () => {
    const r = new AppliedRecord();
    r.observe(apply(1, 3, 1));
    expect(r.firstAt(2)).toBeNull();
    expect(r.termAt(2)).toBe(0);
    expect(r.firstAt(99)).toBeNull();
    expect(r.termAt(99)).toBe(0);
    expect(r.maxIndex).toBe(3);
    r.observe(apply(2, 2, 1));
    expect(r.first).toBe(true);
    expect(r.maxIndex).toBe(3);
  });

  it('leaves an index unrecorded for the terms while only term 0 was applied there (as the checkers\' own arrays did)', () => {
    const r = new AppliedRecord();
    r.observe(apply(1, 1, 0));
    expect(r.first).toBe(true);
    expect(r.firstTerm).toBe(true);
    r.observe(apply(2, 1, 4));
    expect(r.first).toBe(false);
    expect(r.firstTerm).toBe(true);
    expect(r.termAt(1)).toBe(4);
  });
});
