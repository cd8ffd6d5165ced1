import { describe, expect, it } from 'vitest';
import { HistoryError } from '../history.js';
import { checkParsed, detectFormat, parseHistory } from './index.js';
import type { HistoryFormat } from './index.js';

function problem(text: string, format?: HistoryFormat): string {
  try {
    parseHistory(text, format);
  } catch (error) {
    if (error instanceof HistoryError) return `${String(error.position)}: ${error.problem}`;
    throw error;
  }
  return 'no error';
}

const jsonl = (...lines: object[]): string => lines.map((l) => JSON.stringify(l)).join('\n');

describe('format detection', () => {
  it('infers each format from the first non-blank line', () => {
    expect(detectFormat('\n{"process":0,"type":"invoke","f":"read","key":"x","value":null}\n')).toBe('jsonl');
    expect(detectFormat('{:process 1, :type :invoke, :f :get, :key "0", :value nil}')).toBe('porcupine-kv');
    expect(detectFormat('INFO  jepsen.util - 4\t:invoke\t:read\tnil')).toBe('jepsen-etcd');
    expect(detectFormat('')).toBe('jsonl');
  });

  it('names the line when nothing fits', () => {
    expect(problem('\n\nhello world')).toBe('3: expected a JSON event, an EDN map or a Jepsen log line to infer the format, got "hello world" (pass --format)');
  });
});

describe('jsonl', () => {
  it('pairs events into register operations with line positions', () => {
    const text = [
      jsonl({ process: 0, type: 'invoke', f: 'write', key: 'x', value: 3 }),
      '',
      jsonl({ process: 0, type: 'ok', f: 'write', key: 'x', value: 3 }),
      jsonl({ process: 1, type: 'invoke', f: 'cas', key: 'x', value: [3, 4] }),
      jsonl({ process: 1, type: 'info', f: 'cas', key: 'x', value: [3, 4] }),
    ].join('\n');
    const parsed = parseHistory(text);
    expect(parsed.format).toBe('jsonl');
    expect(parsed.ops.map((op) => [op.call, op.ret])).toEqual([
      [1, 3],
      [4, null],
    ]);
    expect(checkParsed(parsed).verdict).toBe('linearizable');
  });

  it('reports malformed lines by number', () => {
    const invoke = { process: 0, type: 'invoke', f: 'write', key: 'x', value: 3 };
    expect(problem(jsonl(invoke, invoke, { ...invoke, type: 'done' }))).toBe('2: expected process 0 to complete its write from 1 before invoking again');
    expect(problem(jsonl(invoke, { ...invoke, type: 'done' }))).toBe('2: expected "type" to be invoke|ok|fail|info, got "done"');
    expect(problem(`${jsonl(invoke)}\n{"process":0,`)).toMatch(/^2: expected a JSON object, got invalid JSON/);
    expect(problem(jsonl({ ...invoke, process: -1 }))).toBe('1: expected "process" to be a non-negative integer, got -1');
    expect(problem(jsonl({ ...invoke, f: 'delete' }))).toBe('1: expected "f" to be read|write|cas, got "delete"');
    expect(problem(jsonl({ ...invoke, f: 'cas', value: [1] }))).toBe('1: expected "value" of a cas to be [expected, new] integers, got [1]');
    expect(problem(jsonl(invoke, { process: 0, type: 'ok', f: 'write', key: 'y', value: 3 }))).toBe(
      '2: expected ok to match the invocation at 1 (write "x"), got write "y"',
    );
    expect(problem('[1,2]', 'jsonl')).toBe('1: expected an event object, got [1,2]');
  });
});

describe('jepsen-etcd', () => {
  const log = (...lines: string[]): string => lines.map((l) => `INFO  jepsen.util - ${l}`).join('\n');

  it('applies the etcd semantics: failed cas ran, timed-out read completes, info stays open', () => {
    const parsed = parseHistory(
      log('0\t:invoke\t:write\t1', '0\t:ok\t:write\t1', '1 :invoke :cas [2 3]', '1 :fail :cas [2 3]', '2\t:invoke\t:read\tnil', '2\t:fail\t:read\t:timed-out', '3\t:invoke\t:write\t4', '3\t:info\t:write\t:timed-out'),
    );
    expect(parsed.format).toBe('jepsen-etcd');
    if (parsed.format !== 'jepsen-etcd') return;
    expect(parsed.ops.map((op) => [op.input.f, op.output.kind, op.call, op.ret])).toEqual([
      ['write', 'done', 1, 2],
      ['cas', 'cas', 3, 4],
      ['read', 'unknown', 5, 6],
      ['write', 'unknown', 7, null],
    ]);
  });

  it('reports malformed lines by number', () => {
    expect(problem(log('0\t:invoke\t:write\t1', '0\t:ok\t:write\t[1 2 3]'))).toBe('2: expected a value nil, an integer, [a b] or :timed-out, got "[1 2 3]"');
    expect(problem(log('0 :ok :read nil'))).toBe('1: expected an invocation by process 0 before this :ok');
    expect(problem(log('0 :invoke :read nil', '0 :ok :write 1'))).toBe('2: expected :read to match the invocation on line 1, got :write');
    expect(problem('INFO  jepsen.util - 0 :invoke :read nil\ngarbage', 'jepsen-etcd')).toBe(
      '2: expected "INFO jepsen.util - <process> :<type> :<f> <value>", got "garbage"',
    );
  });
});

describe('porcupine-kv', () => {
  it('parses EDN maps into kv operations and checks them per key', () => {
    const text = [
      '{:process 0, :type :invoke, :f :append, :key "a", :value "x"}',
      '{:process 1, :type :invoke, :f :get, :key "a", :value nil}',
      '{:process 0, :type :ok, :f :append, :key "a", :value "x"}',
      '{:process 1, :type :ok, :f :get, :key "a", :value "x"}',
      '{:process 2, :type :invoke, :f :put, :key "b", :value "q\\"r"}',
      '{:process 2, :type :ok, :f :put, :key "b", :value "q\\"r"}',
      '{:process 2, :type :invoke, :f :get, :key "b", :value nil}',
      '{:process 2, :type :ok, :f :get, :key "b", :value "q\\"r"}',
    ].join('\n');
    const parsed = parseHistory(text);
    expect(parsed.format).toBe('porcupine-kv');
    const result = checkParsed(parsed);
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 4 });
    expect(result.partitions.map((p) => p.label)).toEqual(['key "a"', 'key "b"']);
  });

  it('reports malformed lines by number', () => {
    expect(problem('{:process 0, :type :invoke, :f :scan, :key "a", :value nil}')).toBe('1: expected :f to be :get, :put or :append, got :scan');
    expect(problem('{:process 0, :type :invoke, :f :get, :key "a", :value nil')).toBe('1: expected "}" at the end of the map');
    expect(problem('{:process 0, :type :invoke, :f :get, :key 7, :value nil}')).toBe('1: expected :key to be a string, got int');
    expect(problem('{:process 0, :type :invoke, :f :put, :key "a", :value nil}')).toBe('1: expected the :value of a put to be a string');
  });
});
