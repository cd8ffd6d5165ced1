import { describe, expect, it } from 'vitest';
import { FactLog, entry, runChecker } from './fact-builders.js';
import { createStateMachineSafetyChecker } from './state-machine-safety.js';

function applyRange(f: FactLog, node: number, from: number, to: number, term = 1): void {
  for (let i = from; i <= to; i++) f.apply(node, entry(i, term));
}

describe('state machine safety', () => {
  it('passes nodes applying the same entries in order, re-applying from 1 after a restart', () => {
    const f = new FactLog();
    applyRange(f, 1, 1, 5);
    applyRange(f, 2, 1, 3);
    f.crash(2);
    f.restart(2, []);
    applyRange(f, 2, 1, 5);
    f.apply(3, entry(1, 1));
    f.crash(3);
    f.restart(3, []);
    applyRange(f, 3, 1, 5);
    expect(runChecker(createStateMachineSafetyChecker([1, 2, 3]), f.facts)).toEqual([]);
  });

  it('reports two nodes applying different entries at index 5', () => {
    const f = new FactLog();
    applyRange(f, 1, 1, 5);
    applyRange(f, 2, 1, 4);
    const bad = f.apply(2, entry(5, 2));
    const v = runChecker(createStateMachineSafetyChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'state-machine-safety', nodes: [1, 2], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe(`Node 2 applied entry (index 5, term 2) but node 1 had applied term 1 at that index at ${f.facts[4]!.atMs} ms.`);
  });

  it('reports the same index and term with different data', () => {
    const f = new FactLog();
    f.apply(3, entry(1, 1, 'set x=1'));
    const bad = f.apply(1, entry(1, 1, 'set x=2'));
    const v = runChecker(createStateMachineSafetyChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1, 3], event: bad.event });
    expect(v[0]!.message).toContain('data "set x=1" (not "set x=2")');
  });

  it('reports a node skipping index 4', () => {
    const f = new FactLog();
    applyRange(f, 1, 1, 3);
    const bad = f.apply(1, entry(5, 1));
    const v = runChecker(createStateMachineSafetyChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ property: 'state-machine-safety', nodes: [1], atMs: bad.atMs, event: bad.event });
    expect(v[0]!.message).toBe('Node 1 applied entry (index 5, term 1) after index 3 (term 1), skipping index 4.');
  });

  it('reports out-of-order applies, a restarted node not starting at 1, and a node applying while crashed', () => {
    const f = new FactLog();
    applyRange(f, 1, 1, 3);
    const backwards = f.apply(1, entry(2, 1));
    applyRange(f, 2, 1, 2);
    f.crash(2);
    const whileCrashed = f.apply(2, entry(3, 1));
    f.restart(2, []);
    const notFromOne = f.apply(2, entry(4, 1));
    const v = runChecker(createStateMachineSafetyChecker(), f.facts);
    expect(v.map((x) => x.event)).toEqual([backwards.event, whileCrashed.event, notFromOne.event]);
    expect(v[0]!.message).toBe('Node 1 applied entry (index 2, term 1) after index 3 (term 1), out of order.');
    expect(v[1]!.message).toBe('Node 2 applied entry (index 3, term 1) while crashed.');
    expect(v[2]!.message).toBe('Node 2 applied entry (index 4, term 1) as its first apply since it started, skipping index 1.');
  });

  it('compares across restarts: a re-applied index must match what was applied before', () => {
    const f = new FactLog();
    applyRange(f, 1, 1, 2);
    f.crash(1);
    f.restart(1, []);
    f.apply(1, entry(1, 1));
    const bad = f.apply(1, entry(2, 3));
    const v = runChecker(createStateMachineSafetyChecker(), f.facts);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ nodes: [1], event: bad.event });
  });
});
