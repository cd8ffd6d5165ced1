import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../sim/faults.js';
import type { FaultEvent } from '../sim/faults.js';
import { faultEventArbitrary, faultPlanArbitrary } from './arbitraries.js';
import { byTime, withinModel } from './plan-tools.js';

const ctx = { nodeCount: 5, safetyMs: 2000, tickMs: 10, electionTicks: 10, workload: { clientCount: 1, keys: ['x'], requestTimeoutMs: 50, opTimeoutMs: 500, thinkMsMax: 0 } };

/** withinModel as it was first written: every candidate plan sorted and checked from the start. */
function plainWithinModel(planned: readonly FaultEvent[], extra: readonly FaultEvent[]): FaultEvent[] {
  let events = [...planned];
  for (const e of extra) {
    const candidate = byTime([...events, e]);
    if (checkPlan({ events: candidate }, ctx.nodeCount, ctx.safetyMs, ctx).length === 0) events = candidate;
  }
  return events;
}

describe('withinModel', () => {
  it('keeps exactly the extra events the plain check of every candidate keeps, in the same places', () => {
    // Extras in time order (as the scenarios draw them) and in any order; plans inside the model and not.
    const extras = fc.array(faultEventArbitrary(ctx), { maxLength: 16 });
    fc.assert(
      fc.property(faultPlanArbitrary(ctx), extras, fc.boolean(), (plan, extra, sorted) => {
        const ordered = sorted ? byTime(extra) : extra;
        expect(withinModel(plan.events, ordered, ctx)).toEqual(plainWithinModel(plan.events, ordered));
      }),
      { numRuns: 400 },
    );
  });

  it('takes the plain path for a plan outside the model or out of time order, with the same result', () => {
    const crash = (atMs: number, node: number): FaultEvent => ({ atMs, kind: 'crash', node });
    const bounce = (atMs: number): FaultEvent => ({ atMs, kind: 'bounce', node: 'leader', downMs: 100 });
    const tooMany = [crash(10, 1), crash(20, 2), crash(30, 3)];
    expect(withinModel(tooMany, [bounce(5)], ctx)).toEqual(tooMany);
    const unordered = [crash(30, 1), crash(10, 2)];
    expect(withinModel(unordered, [bounce(50)], ctx)).toEqual(plainWithinModel(unordered, [bounce(50)]));
  });

  it('leaves out a bounce that would take an (f+1)-th node down while it lasts, and keeps one after', () => {
    const planned: FaultEvent[] = [{ atMs: 100, kind: 'crash', node: 1 }, { atMs: 200, kind: 'bounce', node: 2, downMs: 300 }];
    const during: FaultEvent = { atMs: 300, kind: 'bounce', node: 'leader', downMs: 50 };
    const after: FaultEvent = { atMs: 600, kind: 'bounce', node: 'leader', downMs: 50 };
    expect(withinModel(planned, [during, after], ctx)).toEqual([...planned, after]);
    // An earlier extra that overlaps an event already planned makes that one the (f+1)-th: left out too.
    const before: FaultEvent = { atMs: 150, kind: 'bounce', node: 'leader', downMs: 100 };
    expect(withinModel(planned, [before], ctx)).toEqual(planned);
  });
});
