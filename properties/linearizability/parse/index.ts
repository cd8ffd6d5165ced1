/** Parsers from file text to checkable histories, and format detection from content. */
import { HistoryError } from '../history.js';
import type { Operation } from '../history.js';
import { etcdRegisterModel } from '../models/etcd-register.js';
import type { EtcdInput, EtcdOutput } from '../models/etcd-register.js';
import { kvMapModel } from '../models/kv-map.js';
import type { KvInput, KvOutput } from '../models/kv-map.js';
import { registerMapModel } from '../models/register-map.js';
import type { RegisterInput, RegisterOutput } from '../models/register-map.js';
import { checkOperations } from '../checker.js';
import type { CheckOptions } from '../checker.js';
import type { LinResult } from '../result.js';
import { parseJepsenEtcd } from './jepsen-etcd.js';
import { parseJsonl } from './jsonl.js';
import { excerpt, sourceLines } from './lines.js';
import { parsePorcupineKv } from './porcupine-kv.js';

export const HISTORY_FORMATS = ['jsonl', 'jepsen-etcd', 'porcupine-kv'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export type ParsedHistory =
  | { readonly format: 'jsonl'; readonly ops: readonly Operation<RegisterInput, RegisterOutput>[] }
  | { readonly format: 'jepsen-etcd'; readonly ops: readonly Operation<EtcdInput, EtcdOutput>[] }
  | { readonly format: 'porcupine-kv'; readonly ops: readonly Operation<KvInput, KvOutput>[] };

/**
 * Infers the format from the first non-blank line: a JSON object is `jsonl`, an EDN map with keyword keys is
 * `porcupine-kv`, a `:invoke`/`:ok`/... log line is `jepsen-etcd`. Empty text is `jsonl` (no operations).
 * Throws {@link HistoryError} when nothing fits.
 */
export function detectFormat(text: string): HistoryFormat {
  const first = sourceLines(text)[0];
  if (first === undefined) return 'jsonl';
  if (/^\{\s*("|\})/.test(first.text)) return 'jsonl';
  if (/^\{\s*:/.test(first.text)) return 'porcupine-kv';
  if (/\s:(invoke|ok|fail|info)\s+:/.test(first.text)) return 'jepsen-etcd';
  throw new HistoryError(
    first.number,
    `expected a JSON event, an EDN map or a Jepsen log line to infer the format, got ${excerpt(first.text)} (pass --format)`,
  );
}

/** Parses `text` in `format` (inferred when absent). Throws {@link HistoryError} naming the line. */
export function parseHistory(text: string, format: HistoryFormat = detectFormat(text)): ParsedHistory {
  switch (format) {
    case 'jsonl':
      return { format, ops: parseJsonl(text) };
    case 'jepsen-etcd':
      return { format, ops: parseJepsenEtcd(text) };
    case 'porcupine-kv':
      return { format, ops: parsePorcupineKv(text) };
  }
}

/** Checks a parsed history with its format's model; explanations name file lines. */
export function checkParsed(history: ParsedHistory, options: CheckOptions = {}): LinResult {
  const withLines: CheckOptions = { positionName: 'line', ...options };
  switch (history.format) {
    case 'jsonl':
      return checkOperations(registerMapModel, history.ops, withLines);
    case 'jepsen-etcd':
      return checkOperations(etcdRegisterModel, history.ops, withLines);
    case 'porcupine-kv':
      return checkOperations(kvMapModel, history.ops, withLines);
  }
}
