/**
 * Jepsen etcd logs (`INFO  jepsen.util - <process> :<type> :<f> <value>`), with the semantics of Porcupine's
 * etcd model: `:fail :cas` ran and its compare failed; `:fail :read :timed-out` completes with an unknown
 * result; `:info` stays open to the end of the history.
 */
import { HistoryError } from '../history.js';
import type { Operation } from '../history.js';
import type { EtcdInput, EtcdOutput } from '../models/etcd-register.js';
import { finishOperations } from '../native.js';
import { excerpt, sourceLines } from './lines.js';

const LINE = /^(?:\S.*?\s-\s+)?(\d+)\s+:([a-z-]+)\s+:([a-z-]+)\s+(.+)$/;

type EtcdValue = { readonly kind: 'nil' } | { readonly kind: 'int'; readonly value: number } | { readonly kind: 'pair'; readonly a: number; readonly b: number } | { readonly kind: 'timed-out' };

function parseValue(text: string, line: number): EtcdValue {
  if (text === 'nil') return { kind: 'nil' };
  if (text === ':timed-out') return { kind: 'timed-out' };
  if (/^-?\d+$/.test(text)) return { kind: 'int', value: Number(text) };
  const pair = /^\[\s*(-?\d+)\s+(-?\d+)\s*\]$/.exec(text);
  if (pair !== null) return { kind: 'pair', a: Number(pair[1]), b: Number(pair[2]) };
  throw new HistoryError(line, `expected a value nil, an integer, [a b] or :timed-out, got ${excerpt(text)}`);
}

interface Pending {
  readonly input: EtcdInput;
  readonly call: number;
}

function inputOf(f: string, value: EtcdValue, line: number): EtcdInput {
  if (f === 'read') return { f: 'read' };
  if (f === 'write' && value.kind === 'int') return { f: 'write', value: value.value };
  if (f === 'cas' && value.kind === 'pair') return { f: 'cas', expected: value.a, value: value.b };
  if (f === 'write' || f === 'cas') {
    throw new HistoryError(line, `expected the ${f} argument to be ${f === 'write' ? 'an integer' : '[a b]'}`);
  }
  throw new HistoryError(line, `expected :read, :write or :cas, got :${f}`);
}

/** The output of a completion line, or null when the operation did not happen (dropped). */
function outputOf(type: string, input: EtcdInput, value: EtcdValue, line: number): EtcdOutput | null {
  if (type === 'ok') {
    if (input.f === 'read') {
      if (value.kind === 'nil') return { kind: 'read', value: null };
      if (value.kind === 'int') return { kind: 'read', value: value.value };
      throw new HistoryError(line, 'expected a read result nil or an integer');
    }
    return input.f === 'cas' ? { kind: 'cas', ok: true } : { kind: 'done' };
  }
  // type === 'fail'
  if (input.f === 'cas') return { kind: 'cas', ok: false };
  if (input.f === 'read' && value.kind === 'timed-out') return { kind: 'unknown' };
  return null;
}

/** Parses a Jepsen etcd log into operations whose positions are line numbers. */
export function parseJepsenEtcd(text: string): Operation<EtcdInput, EtcdOutput>[] {
  const pendingByProcess = new Map<number, Pending>();
  const ops: Operation<EtcdInput, EtcdOutput>[] = [];
  const open = (pending: Pending, process: number): void => {
    if (pending.input.f !== 'read') ops.push({ id: -1, process, input: pending.input, output: { kind: 'unknown' }, call: pending.call, ret: null });
  };
  for (const { number: line, text: content } of sourceLines(text)) {
    const match = LINE.exec(content);
    if (match === null) {
      throw new HistoryError(line, `expected "INFO jepsen.util - <process> :<type> :<f> <value>", got ${excerpt(content)}`);
    }
    const process = Number(match[1]);
    const type = match[2] as string;
    const f = match[3] as string;
    const value = parseValue(match[4] as string, line);
    const pending = pendingByProcess.get(process);
    if (type === 'invoke') {
      if (pending !== undefined) {
        throw new HistoryError(line, `expected process ${String(process)} to complete its :${pending.input.f} from line ${String(pending.call)} before invoking again`);
      }
      pendingByProcess.set(process, { input: inputOf(f, value, line), call: line });
      continue;
    }
    if (type !== 'ok' && type !== 'fail' && type !== 'info') {
      throw new HistoryError(line, `expected the type to be :invoke, :ok, :fail or :info, got :${type}`);
    }
    if (pending === undefined) throw new HistoryError(line, `expected an invocation by process ${String(process)} before this :${type}`);
    if (pending.input.f !== f) {
      throw new HistoryError(line, `expected :${pending.input.f} to match the invocation on line ${String(pending.call)}, got :${f}`);
    }
    pendingByProcess.delete(process);
    if (type === 'info') {
      open(pending, process);
      continue;
    }
    const output = outputOf(type, pending.input, value, line);
    if (output !== null) ops.push({ id: -1, process, input: pending.input, output, call: pending.call, ret: line });
  }
  for (const [process, pending] of pendingByProcess) open(pending, process);
  return finishOperations(ops);
}
