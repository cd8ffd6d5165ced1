/**
 * Predicted replies (docs/protocol.md § The compact form, change 5): a compact-form reply may say what the node
 * will answer to its next input, for a few inputs it expects (`"predictions"`), so that the host takes that
 * answer at once and holds the request, to write it in front of the node's next one, as it does for quiet
 * ticks and idle messages. The commonest cases are the heartbeats of a cluster with nothing to replicate: a
 * leader knows what its next heartbeat tick sends, and a follower knows what it answers to its leader's next
 * heartbeat (or to the last append, sent again). The reply actually written to a held request is checked then:
 * a Ready other than the predicted one is an implementation error.
 *
 * This module only parses and matches predictions; process.ts holds them per node and checks the held replies.
 */
import { parseIdleMessages } from './process-idle-messages.js';

/** The input a prediction is for: the first tick after the quiet ones, or a step of exactly this message. */
export type PredictedRequest = { readonly type: 'tick' } | { readonly type: 'step'; readonly message: Readonly<Record<string, unknown>> };

/**
 * One predicted input, the Ready the node answers it with (null: none), and optionally the reply fields in force
 * after it, when they are not the level's `then` (an input that changes more than the others: a follower's
 * heartbeat that raises its commit, beside heartbeats that only reset its timer).
 */
export interface PredictedInput {
  readonly request: PredictedRequest;
  readonly ready: unknown;
  readonly then?: Readonly<Record<string, unknown>>;
}

/**
 * A reply's `"predictions"`: the inputs, and `then`, the reply fields in force after any one of them
 * (`idleAfterAdvance`, `idleTicks`, `idleMessages`, and `predictions`: the next level, or this one again).
 */
export interface Predictions {
  readonly inputs: readonly PredictedInput[];
  readonly then: Readonly<Record<string, unknown>>;
}

/** Most inputs one level may predict, and most levels one reply may nest: bounds on the host's work per reply. */
export const PREDICTED_INPUTS_MAX = 8;
export const PREDICTION_DEPTH_MAX = 16;
/** The value of `then.predictions` that means "this same level again" (a leader's heartbeats, one after another). */
export const SAME = 'same';

/**
 * Parses a reply's `predictions`, nested levels included: the predictions (null for none: the field left out),
 * or a string saying what is wrong (the caller reports it as an implementation error).
 */
export function parsePredictions(value: unknown, depth = 0): Predictions | null | string {
  if (value === undefined) return null;
  if (depth >= PREDICTION_DEPTH_MAX) return `"predictions" nest more than ${PREDICTION_DEPTH_MAX} levels`;
  if (!isObject(value)) return `"predictions" must be an object {"inputs": [...], "then": {...}}, got ${describe(value)}`;
  const { inputs, then } = value;
  if (!Array.isArray(inputs)) return `"predictions" must have an array "inputs", got ${describe(inputs)}`;
  if (inputs.length > PREDICTED_INPUTS_MAX) return `"predictions" lists ${inputs.length} inputs, more than the ${PREDICTED_INPUTS_MAX} allowed`;
  if (then !== undefined && !isObject(then)) return `"then" of "predictions" must be an object of reply fields, got ${describe(then)}`;
  const parsed: PredictedInput[] = [];
  for (const input of inputs as unknown[]) {
    const problem = inputProblem(input) ?? (isObject(input) && input.then !== undefined ? thenProblem(input.then, depth, '"then" of a predicted input') : null);
    if (problem !== null) return problem;
    const { request, ready, then: own } = input as { request: PredictedRequest; ready: unknown; then?: Record<string, unknown> };
    parsed.push(own === undefined ? { request, ready } : { request, ready, then: own });
  }
  const promise = thenProblem(then ?? {}, depth, '"then" of "predictions"');
  if (promise !== null) return promise;
  return { inputs: parsed, then: then ?? {} };
}

/**
 * The promises of a `then` (`where` names it in the message) are checked here, nested predictions included, so
 * that taking a prediction later cannot fail on them.
 */
function thenProblem(then: unknown, depth: number, where: string): string | null {
  if (!isObject(then)) return `${where} must be an object of reply fields, got ${describe(then)}`;
  const ticks = then.idleTicks;
  if (ticks !== undefined && !(typeof ticks === 'number' && Number.isSafeInteger(ticks) && ticks >= 0)) {
    return `"idleTicks" ${describe(ticks)} in ${where}; it must be a whole number of ticks, 0 or more`;
  }
  const patterns = parseIdleMessages(then.idleMessages);
  if (typeof patterns === 'string') return `${patterns} in ${where}`;
  const next = then.predictions;
  if (next === undefined || next === SAME) return null;
  const nested = parsePredictions(next, depth + 1);
  return typeof nested === 'string' ? nested : null;
}

function inputProblem(input: unknown): string | null {
  if (!isObject(input) || !isObject(input.request) || !('ready' in input)) {
    return `each input of "predictions" must be {"request": {...}, "ready": Ready or null} (and optionally "then"), got ${describe(input)}`;
  }
  if (input.ready !== null && !isObject(input.ready)) return `the "ready" of a predicted input must be a Ready or null, got ${describe(input.ready)}`;
  const request = input.request;
  if (request.type === 'tick' && Object.keys(request).length === 1) return null;
  if (request.type === 'step' && Object.keys(request).length === 2 && isObject(request.message)) return null;
  return `a predicted request must be {"type":"tick"} or {"type":"step","message":{...}}, got ${describe(request)}`;
}

/** The prediction for the first tick after the quiet ones, if any. */
export function predictedTick(predictions: Predictions): PredictedInput | undefined {
  return predictions.inputs.find((input) => input.request.type === 'tick');
}

/** The prediction for a step of `message` (the same JSON value: same fields and values, in any order), if any. */
export function predictedStep(predictions: Predictions, message: Readonly<Record<string, unknown>>): PredictedInput | undefined {
  return predictions.inputs.find(
    (input) => input.request.type === 'step' && input.request.message.type === message.type && input.request.message.from === message.from && jsonEqual(input.request.message, message),
  );
}

/**
 * Whether two JSON values are equal: the same primitives, arrays of equal items in order, objects with the same
 * keys (in any order) and equal values. What a parsed reply is compared with a prediction by, several times per
 * round trip, so a plain recursion rather than util.isDeepStrictEqual (which also weighs prototypes, symbols and
 * cycles, none of which JSON has).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(y, key) || !jsonEqual(x[key], y[key])) return false;
    count++;
  }
  for (const key in y) if (--count < 0) return false;
  return count === 0;
}

/** The reply fields in force after `input`, one of `level`'s inputs: its own `then`, else the level's. */
export function thenOf(level: Predictions, input: PredictedInput): Readonly<Record<string, unknown>> {
  return input.then ?? level.then;
}

/** The predictions in force after `input`, one of `level`'s inputs: those of its `then` (thenOf), or `level` itself again ("same"). */
export function nextPredictions(level: Predictions, input: PredictedInput): Predictions | null {
  const next = thenOf(level, input).predictions;
  if (next === SAME) return level;
  const parsed = parsePredictions(next);
  // Already checked when `level` was parsed, nested levels included.
  return typeof parsed === 'string' ? null : parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
