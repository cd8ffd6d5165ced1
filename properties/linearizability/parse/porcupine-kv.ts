/**
 * Porcupine's kv histories: one EDN map per line,
 * `{:process P, :type :invoke|:ok, :f :get|:put|:append, :key "K", :value nil|"V"}`.
 * `:fail` (not applied) and `:info` (open to the end) are accepted with the native meanings.
 */
import { HistoryError } from '../history.js';
import type { Operation } from '../history.js';
import type { KvInput, KvOutput } from '../models/kv-map.js';
import { finishOperations } from '../native.js';
import { excerpt, sourceLines } from './lines.js';

type EdnValue = { readonly kind: 'nil' } | { readonly kind: 'string' | 'keyword'; readonly text: string } | { readonly kind: 'int'; readonly value: number };

/** Reads a flat EDN map of keyword keys to nil, strings, keywords and integers. */
function readEdnMap(text: string, line: number): Map<string, EdnValue> {
  const fail = (problem: string): never => {
    throw new HistoryError(line, problem);
  };
  let i = 0;
  const skip = (): void => {
    while (i < text.length && /[\s,]/.test(text[i] as string)) i++;
  };
  const word = (): string => {
    const start = i;
    while (i < text.length && /[^\s,{}"]/.test(text[i] as string)) i++;
    return text.slice(start, i);
  };
  if (text[0] !== '{') fail(`expected an EDN map "{:process ...}", got ${excerpt(text)}`);
  i = 1;
  const map = new Map<string, EdnValue>();
  for (;;) {
    skip();
    if (i >= text.length) fail('expected "}" at the end of the map');
    if (text[i] === '}') break;
    const key = word();
    if (!key.startsWith(':') || key.length < 2) fail(`expected a keyword key, got ${excerpt(key)}`);
    skip();
    let value: EdnValue;
    if (text[i] === '"') {
      let out = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        out += text[i] ?? '';
        i++;
      }
      if (i >= text.length) fail(`expected a closing quote for ${key}`);
      i++;
      value = { kind: 'string', text: out };
    } else {
      const token = word();
      if (token === 'nil') value = { kind: 'nil' };
      else if (/^:[^:]/.test(token)) value = { kind: 'keyword', text: token.slice(1) };
      else if (/^-?\d+$/.test(token)) value = { kind: 'int', value: Number(token) };
      else value = fail(`expected a value for ${key}, got ${excerpt(token)}`);
    }
    map.set(key.slice(1), value);
  }
  if (text.slice(i + 1).trim() !== '') fail('expected nothing after the closing "}"');
  return map;
}

function field(map: Map<string, EdnValue>, name: string, kind: EdnValue['kind'], line: number): EdnValue {
  const value = map.get(name);
  if (value === undefined || value.kind !== kind) {
    throw new HistoryError(line, `expected :${name} to be ${kind === 'keyword' ? 'a keyword' : `a ${kind}`}, got ${value === undefined ? 'nothing' : value.kind}`);
  }
  return value;
}

function text(value: EdnValue): string {
  return value.kind === 'string' || value.kind === 'keyword' ? value.text : '';
}

interface Pending {
  readonly input: KvInput;
  readonly call: number;
}

/** Parses a Porcupine kv history into operations whose positions are line numbers. */
export function parsePorcupineKv(source: string): Operation<KvInput, KvOutput>[] {
  const pendingByProcess = new Map<number, Pending>();
  const ops: Operation<KvInput, KvOutput>[] = [];
  const open = (pending: Pending, process: number): void => {
    if (pending.input.f !== 'get') ops.push({ id: -1, process, input: pending.input, output: { kind: 'unknown' }, call: pending.call, ret: null });
  };
  for (const { number: line, text: content } of sourceLines(source)) {
    const map = readEdnMap(content, line);
    const processValue = field(map, 'process', 'int', line);
    const process = processValue.kind === 'int' ? processValue.value : -1;
    const type = text(field(map, 'type', 'keyword', line));
    const f = text(field(map, 'f', 'keyword', line));
    const key = text(field(map, 'key', 'string', line));
    const value = map.get('value') ?? { kind: 'nil' };
    if (f !== 'get' && f !== 'put' && f !== 'append') throw new HistoryError(line, `expected :f to be :get, :put or :append, got :${f}`);
    const pending = pendingByProcess.get(process);
    if (type === 'invoke') {
      if (pending !== undefined) {
        throw new HistoryError(line, `expected process ${String(process)} to complete its :${pending.input.f} from line ${String(pending.call)} before invoking again`);
      }
      if (f !== 'get' && value.kind !== 'string') throw new HistoryError(line, `expected the :value of a ${f} to be a string`);
      pendingByProcess.set(process, { input: { f, key, value: text(value) }, call: line });
      continue;
    }
    if (type !== 'ok' && type !== 'fail' && type !== 'info') {
      throw new HistoryError(line, `expected :type to be :invoke, :ok, :fail or :info, got :${type}`);
    }
    if (pending === undefined) throw new HistoryError(line, `expected an invocation by process ${String(process)} before this :${type}`);
    if (pending.input.f !== f || pending.input.key !== key) {
      throw new HistoryError(line, `expected :${pending.input.f} ${JSON.stringify(pending.input.key)} to match the invocation on line ${String(pending.call)}, got :${f} ${JSON.stringify(key)}`);
    }
    pendingByProcess.delete(process);
    if (type === 'fail') continue;
    if (type === 'info') {
      open(pending, process);
      continue;
    }
    if (f === 'get' && value.kind !== 'string' && value.kind !== 'nil') throw new HistoryError(line, 'expected the :value of a get result to be a string or nil');
    const output: KvOutput = f === 'get' ? { kind: 'value', value: text(value) } : { kind: 'done' };
    ops.push({ id: -1, process, input: pending.input, output, call: pending.call, ret: line });
  }
  for (const [process, pending] of pendingByProcess) open(pending, process);
  return finishOperations(ops);
}
