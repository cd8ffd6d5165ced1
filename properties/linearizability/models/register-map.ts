/**
 * A map of integer registers with read / write / cas: the native history's model. Partitioned by key, so each
 * partition's state is one register (null until first written).
 */
import { ILLEGAL } from '../model.js';
import type { Illegal, Model } from '../model.js';

export type RegisterValue = number | null;

export type RegisterInput =
  | { readonly f: 'read'; readonly key: string }
  | { readonly f: 'write'; readonly key: string; readonly value: number }
  | { readonly f: 'cas'; readonly key: string; readonly expected: RegisterValue; readonly value: number };

/**
 * `known` outputs: a read's value (null for writes and successful cas); `unknown`: it never completed. An unknown
 * output may carry `value: undefined` (never anything else), so that both kinds can share one object shape.
 */
export type RegisterOutput = { readonly kind: 'known'; readonly value: RegisterValue } | { readonly kind: 'unknown'; readonly value?: undefined };

export const KNOWN_NULL: RegisterOutput = { kind: 'known', value: null };
/**
 * The shape of the known outputs (`value` undefined, so JSON and equality read it as `{ kind: 'unknown' }`): the
 * search's `step` sees one map of outputs. An operation that never completed is rare in a run's history, and the
 * first one, late in a process, deoptimized the search's main loop and its candidate listing with a second map.
 */
export const UNKNOWN: RegisterOutput = { kind: 'unknown', value: undefined };

function showValue(value: RegisterValue): string {
  return value === null ? 'null' : String(value);
}

const valueKey = (value: RegisterValue): string => (value === null ? 'null' : String(value));

export const registerMapModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: 'register-map',
  init: () => null,
  step(state: RegisterValue, input: RegisterInput, output: RegisterOutput): RegisterValue | Illegal {
    switch (input.f) {
      case 'read':
        return output.kind === 'unknown' || output.value === state ? state : ILLEGAL;
      case 'write':
        return input.value;
      case 'cas':
        // A completed cas in the native form succeeded (a failed one was not applied and is dropped). One that
        // never completed may have run either way; failing is indistinguishable from not running.
        if (state === input.expected) return input.value;
        return output.kind === 'unknown' ? state : ILLEGAL;
    }
  },
  partition: (input) => input.key,
  describePartition: (key) => `key ${JSON.stringify(key)}`,
  readOnly: (input) => input.f === 'read',
  // Every register operation ends in a state fixed by the operation alone, or leaves the state unchanged.
  determinesState: () => true,
  overwrites: (input) => input.f === 'write',
  stateKey: valueKey,
  // A completed read needs its value; a cas (completed, or effective when it never completed) needs its expected value.
  requires: (input, output) => (input.f === 'read' ? (output.kind === 'known' ? valueKey(output.value) : undefined) : input.f === 'cas' ? valueKey(input.expected) : undefined),
  produces: (input) => (input.f === 'read' ? undefined : valueKey(input.value)),
  inputKey: (input) => JSON.stringify(input),
  describeOperation(input: RegisterInput, output: RegisterOutput): string {
    const key = JSON.stringify(input.key);
    const suffix = output.kind === 'unknown' ? ' (outcome unknown)' : '';
    switch (input.f) {
      case 'read':
        return output.kind === 'unknown' ? `read ${key} -> ?` : `read ${key} -> ${showValue(output.value)}`;
      case 'write':
        return `write ${key} ${String(input.value)}${suffix}`;
      case 'cas':
        return `cas ${key} ${showValue(input.expected)} -> ${String(input.value)}${suffix}`;
    }
  },
  hashState: (state) => (state === null ? 0x2545f491 : state | 0),
  describeState: showValue,
};
