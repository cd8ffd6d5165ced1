import { describe, expect, it } from 'vitest';
import { builtinRaft } from '../../sim/builtin.js';
import { ClientHistory } from '../../sim/client-history.js';
import { RELIABLE_NETWORK } from '../../sim/network.js';
import { simulate } from '../../sim/simulation.js';
import { smallSimulation } from '../../sim/test-harness.js';
import { clientHistoryOperations } from './client-history.js';
import { HistoryError } from './history.js';
import { checkClientHistory, checkHistory } from './index.js';
import { UNKNOWN } from './models/register-map.js';
import { pairNativeEvents } from './native.js';

/** Runs with every ending: lost messages and crashes make clients give up (info) and leave operations pending. */
function recorded(seed: number): ClientHistory {
  const result = simulate(
    smallSimulation({
      seed,
      nodeCount: 5,
      implementation: builtinRaft({ membership: false }),
      network: { ...RELIABLE_NETWORK, lossPerMille: 200, duplicatePerMille: 50 },
      livenessMs: 0,
      workload: { clientCount: 3, keys: ['x', 'y', 'z'], requestTimeoutMs: 100, opTimeoutMs: 400, thinkMsMax: 20 },
      plan: { events: [{ kind: 'crash', atMs: 500, node: 1 }, { kind: 'restart', atMs: 1500, node: 1 }] },
    }),
    { observe: () => false },
  );
  return result.clientHistory;
}

describe('checking the client history as recorded', () => {
  it('pairs exactly as pairNativeEvents pairs the events, and checks to the same result', () => {
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 6; seed++) {
      const history = recorded(seed);
      for (let op = 0; op < history.operationCount; op++) outcomes.add(`${history.f(op)} ${String(history.outcome(op))}`);
      expect(clientHistoryOperations(history)).toEqual(pairNativeEvents(history.events()));
      expect(checkClientHistory(history)).toEqual(checkHistory(history.events()));
      expect(checkClientHistory(history, { workBudget: 50 })).toEqual(checkHistory(history.events(), { workBudget: 50 }));
    }
    // The runs cover every pairing rule: fails dropped, given-up and pending writes kept open, reads dropped then.
    for (const kind of ['read ok', 'write ok', 'cas ok', 'cas fail', 'write info', 'read info', 'write null']) expect(outcomes).toContain(kind);
  });

  it('makes every operation and every output one object shape, completed or not (the search reads them monomorphically)', () => {
    const shapes = new Set<string>();
    const outputShapes = new Set<string>();
    let open = 0;
    for (let seed = 1; seed <= 6; seed++) {
      for (const op of clientHistoryOperations(recorded(seed))) {
        if (op.ret === null) open++;
        shapes.add(Object.keys(op).join());
        outputShapes.add(Object.keys(op.output).join());
      }
    }
    expect(open).toBeGreaterThan(0);
    expect([...shapes]).toEqual(['id,process,input,output,call,ret,callAtMs,retAtMs']);
    expect([...outputShapes]).toEqual(['kind,value']);
    // As JSON an unknown output is what it always was.
    expect(JSON.stringify(UNKNOWN)).toBe('{"kind":"unknown"}');
  });

  it('gives the same verdict and explanation for a history that is not linearizable', () => {
    const h = new ClientHistory();
    const write = h.invoke(1, 'write', 'x', 1, null, 0);
    h.complete(write, 'ok', null, 1);
    const read = h.invoke(2, 'read', 'x', 0, null, 2);
    h.complete(read, 'ok', null, 3);
    const result = checkClientHistory(h);
    expect(result.verdict).toBe('not-linearizable');
    expect(result).toEqual(checkHistory(h.events()));
  });

  it('refuses a read of a non-integer at the same (earliest) event as the event form', () => {
    const h = new ClientHistory();
    const late = h.invoke(1, 'read', 'x', 0, null, 0);
    const early = h.invoke(2, 'read', 'x', 0, null, 1);
    h.complete(early, 'ok', 1.5, 2);
    h.complete(late, 'ok', 2.5, 3);
    const fromEvents = captured(() => checkHistory(h.events()));
    expect(fromEvents).toBeInstanceOf(HistoryError);
    expect(captured(() => checkClientHistory(h))).toEqual(fromEvents);
    expect((fromEvents as HistoryError).position).toBe(2);
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}
