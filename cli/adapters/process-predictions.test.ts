import { describe, expect, it } from 'vitest';
import { jsonEqual, nextPredictions, parsePredictions, PREDICTED_INPUTS_MAX, PREDICTION_DEPTH_MAX, predictedStep, predictedTick, thenOf } from './process-predictions.js';
import type { Predictions } from './process-predictions.js';

function predictions(value: unknown): Predictions {
  const parsed = parsePredictions(value);
  if (parsed === null || typeof parsed === 'string') throw new Error(String(parsed));
  return parsed;
}

const heartbeat = { from: 1, term: 3, type: 'append', to: 2, prevIndex: 7, prevTerm: 3, entries: [], commit: 7 };
const ack = { entries: [], messages: [{ from: 2, term: 3, type: 'append-resp', to: 1, success: true, matchIndex: 7 }], committedEntries: [] };

describe('predicted replies', () => {
  it('matches a step of the same message, its fields in any order, and nothing else', () => {
    const level = predictions({ inputs: [{ request: { type: 'step', message: heartbeat }, ready: ack }], then: { idleTicks: 9 } });
    const reordered = { commit: 7, entries: [], prevTerm: 3, prevIndex: 7, to: 2, type: 'append', term: 3, from: 1 };
    expect(predictedStep(level, reordered)?.ready).toEqual(ack);
    // One value off, an entry more, a field more or less: not the predicted input.
    expect(predictedStep(level, { ...heartbeat, commit: 8 })).toBeUndefined();
    expect(predictedStep(level, { ...heartbeat, entries: [{ term: 3, index: 8, data: '' }] })).toBeUndefined();
    expect(predictedStep(level, { ...heartbeat, hint: 0 })).toBeUndefined();
    const { commit: _commit, ...short } = heartbeat;
    expect(predictedStep(level, short)).toBeUndefined();
    expect(predictedTick(level)).toBeUndefined();
  });

  it('follows "then": the next level, the same one again, or none', () => {
    const tick = { request: { type: 'tick' }, ready: ack };
    const same = predictions({ inputs: [tick], then: { idleTicks: 1, predictions: 'same' } });
    expect(predictedTick(same)?.ready).toEqual(ack);
    expect(nextPredictions(same, same.inputs[0]!)).toBe(same);
    const nested = predictions({ inputs: [tick], then: { predictions: { inputs: [], then: { idleTicks: 4 } } } });
    expect(nextPredictions(nested, nested.inputs[0]!)?.then.idleTicks).toBe(4);
    const none = predictions({ inputs: [tick] });
    expect(nextPredictions(none, none.inputs[0]!)).toBeNull();
    expect(parsePredictions(undefined)).toBeNull();
  });

  it("takes an input's own then over the level's, for that input only", () => {
    const raised = { ...heartbeat, commit: 9 };
    const committing = { ...ack, committedEntries: [{ term: 3, index: 8, data: '' }], hardState: { term: 3, vote: 1, commit: 9 } };
    const own = { idleTicks: 3, idleMessages: [{ type: 'vote-resp' }], predictions: { inputs: [{ request: { type: 'step', message: raised }, ready: committing }], then: { idleTicks: 2 } } };
    const level = predictions({
      inputs: [
        { request: { type: 'step', message: heartbeat }, ready: ack, then: own },
        { request: { type: 'step', message: raised }, ready: committing },
      ],
      then: { idleTicks: 5, predictions: 'same' },
    });
    const first = level.inputs[0]!;
    const second = level.inputs[1]!;
    expect(thenOf(level, first)).toEqual(own);
    expect(thenOf(level, second)).toEqual({ idleTicks: 5, predictions: 'same' });
    // After the first input, its own next level; after the second, the level's "same".
    expect(predictedStep(nextPredictions(level, first)!, raised)?.ready).toEqual(committing);
    expect(nextPredictions(level, second)).toBe(level);
  });

  it('refuses what is not predictions, naming the fault', () => {
    const bad = (value: unknown): string => {
      const parsed = parsePredictions(value);
      return typeof parsed === 'string' ? parsed : 'accepted';
    };
    expect(bad([])).toMatch(/must be an object \{"inputs": \[...\], "then": \{...\}\}, got \[\]/);
    expect(bad({ inputs: 3 })).toMatch(/must have an array "inputs", got 3/);
    expect(bad({ inputs: Array.from({ length: PREDICTED_INPUTS_MAX + 1 }, () => ({ request: { type: 'tick' }, ready: null })) })).toMatch(/more than the 8 allowed/);
    expect(bad({ inputs: [{ request: { type: 'tick' } }] })).toMatch(/each input of "predictions" must be \{"request"/);
    expect(bad({ inputs: [{ request: { type: 'propose', data: 'x' }, ready: null }] })).toMatch(/a predicted request must be \{"type":"tick"\} or \{"type":"step","message":\{...\}\}/);
    expect(bad({ inputs: [{ request: { type: 'tick' }, ready: 5 }] })).toMatch(/must be a Ready or null, got 5/);
    expect(bad({ inputs: [], then: [] })).toMatch(/"then" of "predictions" must be an object/);
    expect(bad({ inputs: [], then: { idleTicks: -1 } })).toMatch(/"idleTicks" -1 in "then"/);
    expect(bad({ inputs: [], then: { idleMessages: [{ term: [1] }] } })).toMatch(/field "term" of a pattern of "idleMessages" .* in "then"/);
    expect(bad({ inputs: [], then: { predictions: { inputs: 'x' } } })).toMatch(/must have an array "inputs", got "x"/);
    // An input's own "then" is checked as the level's is, nested predictions included.
    expect(bad({ inputs: [{ request: { type: 'tick' }, ready: null, then: 4 }] })).toMatch(/"then" of a predicted input must be an object of reply fields, got 4/);
    expect(bad({ inputs: [{ request: { type: 'tick' }, ready: null, then: { idleTicks: 1.5 } }] })).toMatch(/"idleTicks" 1.5 in "then" of a predicted input/);
    expect(bad({ inputs: [{ request: { type: 'tick' }, ready: null, then: { predictions: { inputs: {} } } }] })).toMatch(/must have an array "inputs", got \{\}/);
    let deep: unknown = { inputs: [] };
    for (let i = 0; i < PREDICTION_DEPTH_MAX; i++) deep = { inputs: [], then: { predictions: deep } };
    expect(bad(deep)).toMatch(/nest more than 16 levels/);
  });

  it('compares JSON values: keys in any order, arrays in order, no coercion', () => {
    expect(jsonEqual(ack, { committedEntries: [], messages: [{ matchIndex: 7, success: true, to: 1, type: 'append-resp', term: 3, from: 2 }], entries: [] })).toBe(true);
    expect(jsonEqual(null, null)).toBe(true);
    expect(jsonEqual([1, [2, { a: null }]], [1, [2, { a: null }]])).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual({ a: { b: [1] } }, { a: { b: [1, 2] } })).toBe(false);
  });
});
