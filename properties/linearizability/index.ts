/**
 * Linearizability checking (Herlihy & Wing) of client histories: WGL search with memoisation and per-key
 * partitioning, after Porcupine. Entry point for the simulator: {@link checkHistory}.
 */
import type { ClientHistory } from '../../sim/client-history.js';
import { checkOperations } from './checker.js';
import type { CheckOptions } from './checker.js';
import { clientHistoryOperations } from './client-history.js';
import type { HistoryEvent, Operation } from './history.js';
import type { Model } from './model.js';
import { registerMapModel } from './models/register-map.js';
import type { RegisterInput, RegisterOutput } from './models/register-map.js';
import { pairNativeEvents } from './native.js';
import type { LinResult } from './result.js';

export { clientHistoryOperations } from './client-history.js';
export { checkOperations, DEFAULT_STEP_BUDGET, DEFAULT_WORK_BUDGET } from './checker.js';
export type { CheckOptions } from './checker.js';
export { describeContradiction, describeExplanation } from './explain.js';
export type { Contradiction } from './explain.js';
export { HistoryError } from './history.js';
export type { EventType, HistoryEvent, Operation } from './history.js';
export { ILLEGAL } from './model.js';
export type { Illegal, Model } from './model.js';
export { etcdRegisterModel } from './models/etcd-register.js';
export { kvMapModel } from './models/kv-map.js';
export { registerMapModel } from './models/register-map.js';
export { pairNativeEvents } from './native.js';
export { checkParsed, detectFormat, HISTORY_FORMATS, parseHistory } from './parse/index.js';
export type { HistoryFormat, ParsedHistory } from './parse/index.js';
export type { ExplainedOperation, LinExplanation, LinearizedStep, LinResult, LinVerdict, PartitionResult } from './result.js';

export interface CheckHistoryOptions extends Omit<CheckOptions, 'positionName'> {
  /** A model over native operations; default the register map (read / write / cas per key). */
  readonly model?: Model<unknown, RegisterInput, RegisterOutput>;
}

/**
 * Checks a native history (events in real-time order, as the client workload records them) for
 * linearizability. Throws {@link HistoryError} (with the event index) for a malformed history; otherwise
 * returns a verdict, `unknown` only when the step or work budget did not suffice (or `interrupted` said stop).
 */
export function checkHistory(events: readonly HistoryEvent[], options: CheckHistoryOptions = {}): LinResult {
  return checkPairedHistory(pairNativeEvents(events), options);
}

/**
 * Checks the simulator's client history as the workload recorded it: the same result as
 * `checkHistory(history.events(), options)`, without building the events (see {@link clientHistoryOperations}).
 */
export function checkClientHistory(history: ClientHistory, options: CheckHistoryOptions = {}): LinResult {
  return checkPairedHistory(clientHistoryOperations(history), options);
}

function checkPairedHistory(ops: readonly Operation<RegisterInput, RegisterOutput>[], options: CheckHistoryOptions): LinResult {
  const { model, ...budgets } = options;
  const checkOptions: CheckOptions = { ...budgets, positionName: 'event' };
  if (model === undefined) return checkOperations(registerMapModel, ops, checkOptions);
  return checkOperations(model, ops, checkOptions);
}
