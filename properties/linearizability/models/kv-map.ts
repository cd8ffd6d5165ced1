/**
 * A string key-value map with get / put / append (Porcupine's kv model). Every key starts as "". Partitioned by
 * key, so each partition's state is one string.
 */
import { ILLEGAL } from '../model.js';
import type { Illegal, Model } from '../model.js';

export interface KvInput {
  readonly f: 'get' | 'put' | 'append';
  readonly key: string;
  /** The argument of put / append; "" for get. */
  readonly value: string;
}

/** A get's result; `unknown` when the operation never completed. */
export type KvOutput = { readonly kind: 'value'; readonly value: string } | { readonly kind: 'done' } | { readonly kind: 'unknown' };

/**
 * A key's value with a rolling hash of it, so memoisation can tell states apart without comparing long strings.
 * Invariant: `hash === stringHash(value)`.
 */
export interface KvState {
  readonly value: string;
  readonly hash: number;
}

const HASH_BASE = 0x01000193;

/** Polynomial hash mod 2^32: hash(a + b) = hash(a) * HASH_BASE^|b| + hash(b). */
function stringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, HASH_BASE) + text.charCodeAt(i)) | 0;
  return h;
}

function basePower(length: number): number {
  let result = 1;
  let base = HASH_BASE;
  for (let e = length; e > 0; e >>>= 1) {
    if ((e & 1) === 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}

const EMPTY: KvState = { value: '', hash: 0 };

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `...${text.slice(-57)}` : text);
}

export const kvMapModel: Model<KvState, KvInput, KvOutput> = {
  name: 'kv-map',
  init: () => EMPTY,
  step(state: KvState, input: KvInput, output: KvOutput): KvState | Illegal {
    switch (input.f) {
      case 'get':
        if (output.kind !== 'value') return state;
        // Lengths first: a rope from appends is only flattened when the comparison can succeed.
        return output.value.length === state.value.length && output.value === state.value ? state : ILLEGAL;
      case 'put':
        return { value: input.value, hash: stringHash(input.value) };
      case 'append': {
        const tail = input.value;
        const hash = (Math.imul(state.hash, basePower(tail.length)) + stringHash(tail)) | 0;
        return { value: state.value + tail, hash };
      }
    }
  },
  equal: (a, b) => a === b || (a.hash === b.hash && a.value.length === b.value.length && a.value === b.value),
  hashState: (state) => state.hash,
  partition: (input) => input.key,
  describePartition: (key) => `key ${JSON.stringify(key)}`,
  readOnly: (input) => input.f === 'get',
  // An append's result depends on the value before it; a get or a put does not.
  determinesState: (input) => input.f !== 'append',
  overwrites: (input) => input.f === 'put',
  inputKey: (input) => JSON.stringify(input),
  describeOperation(input: KvInput, output: KvOutput): string {
    const key = JSON.stringify(input.key);
    switch (input.f) {
      case 'get':
        return output.kind === 'value' ? `get ${key} -> ${quote(output.value)}` : `get ${key} -> ?`;
      case 'put':
        return `put ${key} ${quote(input.value)}`;
      case 'append':
        return `append ${key} ${quote(input.value)}`;
    }
  },
  describeState: (state) => quote(state.value),
};
