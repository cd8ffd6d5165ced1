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

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `...${text.slice(-57)}` : text);
}

export const kvMapModel: Model<string, KvInput, KvOutput> = {
  name: 'kv-map',
  init: () => '',
  step(state: string, input: KvInput, output: KvOutput): string | Illegal {
    switch (input.f) {
      case 'get':
        return output.kind !== 'value' || output.value === state ? state : ILLEGAL;
      case 'put':
        return input.value;
      case 'append':
        return state + input.value;
    }
  },
  partition: (input) => input.key,
  describePartition: (key) => `key ${JSON.stringify(key)}`,
  readOnly: (input) => input.f === 'get',
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
  describeState: quote,
};
