/**
 * The single compare-and-set register of the Jepsen etcd logs (Porcupine's etcd model). Unlike the native
 * form, a cas that completed with `:fail` ran and found the register not holding the expected value.
 */
import { ILLEGAL } from '../model.js';
import type { Illegal, Model } from '../model.js';

/** The register's value; null while absent. */
export type EtcdState = number | null;

export type EtcdInput =
  | { readonly f: 'read' }
  | { readonly f: 'write'; readonly value: number }
  | { readonly f: 'cas'; readonly expected: number; readonly value: number };

/**
 * `read`: the value seen; `cas`: whether the compare matched; `done`: a write acknowledged; `unknown`: timed out
 * or crashed, any outcome possible.
 */
export type EtcdOutput =
  | { readonly kind: 'read'; readonly value: EtcdState }
  | { readonly kind: 'cas'; readonly ok: boolean }
  | { readonly kind: 'done' }
  | { readonly kind: 'unknown' };

function showValue(value: EtcdState): string {
  return value === null ? 'nil' : String(value);
}

const valueKey = (value: EtcdState): string => (value === null ? 'null' : String(value));

export const etcdRegisterModel: Model<EtcdState, EtcdInput, EtcdOutput> = {
  name: 'etcd-register',
  init: () => null,
  step(state: EtcdState, input: EtcdInput, output: EtcdOutput): EtcdState | Illegal {
    switch (input.f) {
      case 'read':
        if (output.kind === 'unknown') return state;
        return output.kind === 'read' && output.value === state ? state : ILLEGAL;
      case 'write':
        return input.value;
      case 'cas': {
        const matches = state === input.expected;
        if (output.kind === 'unknown') return matches ? input.value : state;
        const ok = output.kind === 'cas' && output.ok;
        if (ok !== matches) return ILLEGAL;
        return matches ? input.value : state;
      }
    }
  },
  readOnly: (input, output) => input.f === 'read' || (output.kind === 'cas' && !output.ok),
  // Every register operation ends in a state fixed by the operation alone, or leaves the state unchanged.
  determinesState: () => true,
  overwrites: (input) => input.f === 'write',
  stateKey: valueKey,
  // A read that saw a value, or a cas that matched (or, never completed, took effect), needs one state; a
  // failed compare or a timed-out read is legal in many.
  requires(input, output) {
    if (input.f === 'read') return output.kind === 'read' ? valueKey(output.value) : undefined;
    if (input.f === 'cas' && (output.kind === 'unknown' || (output.kind === 'cas' && output.ok))) return valueKey(input.expected);
    return undefined;
  },
  produces: (input, output) => (input.f === 'write' || (input.f === 'cas' && !(output.kind === 'cas' && !output.ok)) ? valueKey(input.value) : undefined),
  inputKey: (input) => JSON.stringify(input),
  describeOperation(input: EtcdInput, output: EtcdOutput): string {
    switch (input.f) {
      case 'read':
        return output.kind === 'read' ? `read -> ${showValue(output.value)}` : 'read -> ? (timed out)';
      case 'write':
        return `write ${String(input.value)}${output.kind === 'unknown' ? ' (outcome unknown)' : ''}`;
      case 'cas': {
        const outcome = output.kind === 'cas' ? (output.ok ? 'ok' : 'failed') : 'outcome unknown';
        return `cas ${String(input.expected)} -> ${String(input.value)} (${outcome})`;
      }
    }
  },
  hashState: (state) => (state === null ? 0x2545f491 : state | 0),
  describeState: showValue,
};
