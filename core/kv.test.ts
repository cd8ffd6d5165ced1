import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKvCommand, encodeKvCommand, KvStateMachine } from './kv.js';
import type { KvCommand } from './kv.js';

/** What decoding meant before the fast path: text starting with '{', JSON.parse, then the shape check. */
function decodeByJson(data: string): unknown {
  if (!data.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const c = parsed as Record<string, unknown>;
  if (typeof c['client'] !== 'number' || typeof c['seq'] !== 'number' || typeof c['key'] !== 'string') return undefined;
  if (c['op'] !== 'get' && c['op'] !== 'put' && c['op'] !== 'cas') return undefined;
  return parsed;
}

/** Equal values with the same field order (JSON.stringify keeps it), and -0 told apart from 0. */
function same(a: unknown, b: unknown): void {
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect(a).toEqual(b);
}

const int = fc.oneof(fc.integer(), fc.constantFrom(0, -0, 2 ** 53, -(2 ** 60), 1e21));
/** Commands built the way the workload builds them (that field order), with awkward keys and numbers. */
const command: fc.Arbitrary<KvCommand> = fc
  .record({ client: int, seq: int, key: fc.string({ unit: 'binary', maxLength: 6 }), op: fc.constantFrom('get', 'put', 'cas'), value: int, expected: fc.option(int) })
  .map(({ client, seq, key, op, value, expected }): KvCommand => {
    const base = { client, seq, key };
    if (op === 'get') return { ...base, op };
    if (op === 'put') return { ...base, op, value };
    return { ...base, op, expected, value };
  });

describe('kv command encoding', () => {
  it('decodes what it encodes exactly as JSON.parse does (property)', () => {
    fc.assert(
      fc.property(command, (c) => {
        const data = encodeKvCommand(c);
        same(decodeKvCommand(data), decodeByJson(data));
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes a command built in the canonical order exactly as JSON.stringify does (property)', () => {
    const odd = fc.oneof(int, fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity));
    const any = fc
      .record({ client: odd, seq: odd, key: fc.string({ unit: 'binary', maxLength: 6 }), op: fc.constantFrom('get', 'put', 'cas'), value: fc.option(odd), expected: fc.option(odd) })
      .map(({ client, seq, key, op, value, expected }): KvCommand => {
        const base = { client, seq, key, op } as const;
        if (value === null) return expected === null ? base : { ...base, expected };
        return { ...base, expected, value };
      });
    fc.assert(
      fc.property(fc.oneof(command, any), (c) => {
        expect(encodeKvCommand(c)).toBe(JSON.stringify(c));
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes keys exactly as JSON.stringify does: quotes, backslashes, control characters, lone and paired surrogates', () => {
    const keys = ['', 'x', 'a"b', 'a\\b', '\n', '\u0000', '\u001f', ' ', '\u007f', '\ud800', 'a\udfff', '\ud83d\ude00', 'é', '\u2028', '\ufffd'];
    // Each key alone and in a string of plain characters around it, and as an op (the same quoting).
    for (const key of keys.flatMap((k) => [k, `k${k}k`])) {
      const c = { client: 1, seq: 2, key, op: 'put', value: 3 } as const;
      expect(encodeKvCommand(c)).toBe(JSON.stringify(c));
      const odd = { client: 1, seq: 2, key: 'x', op: key as KvCommand['op'] };
      expect(encodeKvCommand(odd)).toBe(JSON.stringify(odd));
    }
  });

  it('decodes any other text as JSON.parse and the shape check do (property)', () => {
    const near = command.chain((c) =>
      fc.tuple(fc.nat({ max: 60 }), fc.constantFrom('', ' ', '"', '\\', '0', '.5', 'e1', ',', '}', 'null', '"value":1,')).map(([at, insert]) => {
        const data = encodeKvCommand(c);
        const i = at % (data.length + 1);
        return data.slice(0, i) + insert + data.slice(i);
      }),
    );
    fc.assert(
      fc.property(fc.oneof(near, fc.string()), (data) => {
        same(decodeKvCommand(data), decodeByJson(data));
      }),
      { numRuns: 3000 },
    );
    expect(decodeKvCommand('{"client":1,"seq":01,"key":"x","op":"get"}')).toBeUndefined();
    expect(decodeKvCommand('{"seq":2,"client":1,"key":"x","op":"get"}')).toEqual({ seq: 2, client: 1, key: 'x', op: 'get' });
  });

  it('applies decoded commands', () => {
    const sm = new KvStateMachine();
    expect(sm.apply(encodeKvCommand({ client: 1, seq: 1, key: 'x', op: 'put', value: 5 }))).toEqual({ ok: true, value: null });
    expect(sm.apply(encodeKvCommand({ client: 1, seq: 2, key: 'x', op: 'cas', expected: 5, value: 6 }))).toEqual({ ok: true, value: null });
    expect(sm.read('x')).toBe(6);
    expect(sm.apply('')).toBeUndefined();
  });
});

describe('KvStateMachine snapshots', () => {
  it('round-trips values and sessions, and equal states give equal text', () => {
    const a = new KvStateMachine();
    a.applyCommand({ client: 2, seq: 1, op: 'put', key: 'y', value: 5 });
    a.applyCommand({ client: 1, seq: 1, op: 'put', key: 'x', value: 3 });
    a.applyCommand({ client: 1, seq: 2, op: 'cas', key: 'x', expected: 9, value: 4 });
    const b = new KvStateMachine();
    b.applyCommand({ client: 1, seq: 1, op: 'put', key: 'x', value: 3 });
    b.applyCommand({ client: 2, seq: 1, op: 'put', key: 'y', value: 5 });
    b.applyCommand({ client: 1, seq: 2, op: 'cas', key: 'x', expected: 9, value: 4 });
    expect(a.toSnapshot()).toBe(b.toSnapshot());
    const restored = KvStateMachine.fromSnapshot(a.toSnapshot());
    expect(restored?.read('x')).toBe(3);
    expect(restored?.read('y')).toBe(5);
    // The session survives: a retry of client 1's cas answers as the first time, without applying again.
    expect(restored?.applyCommand({ client: 1, seq: 2, op: 'cas', key: 'x', expected: 3, value: 7 })).toEqual({ ok: false });
    expect(restored?.toSnapshot()).toBe(a.toSnapshot());
  });

  it('refuses text that is not a snapshot', () => {
    expect(KvStateMachine.fromSnapshot('{')).toBeNull();
    expect(KvStateMachine.fromSnapshot('zvalues')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":[["x","1"]],"sessions":[]}')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":[],"sessions":[[1,1,{"ok":"yes"}]]}')).toBeNull();
    expect(KvStateMachine.fromSnapshot('null')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":{},"sessions":[]}')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":[["x",1]]}')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":[["x",1],5],"sessions":[]}')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":[],"sessions":[[1,1,{"ok":true,"value":null}],"s"]}')).toBeNull();
    expect(KvStateMachine.fromSnapshot('{"values":[["x",1]],"sessions":[[1,1,{"ok":true,"value":null}]]}')?.read('x')).toBe(1);
  });
});

/** What toSnapshot wrote before it was written piece by piece: the definition of the text. */
function snapshotByJson(sm: KvStateMachine): string {
  const inside = sm as unknown as { values: Map<string, unknown>; sessions: Map<number, { lastSeq: number; lastResult: unknown }> };
  const values = [...inside.values].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const sessions = [...inside.sessions].sort((a, b) => a[0] - b[0]).map(([client, s]) => [client, s.lastSeq, s.lastResult] as const);
  return JSON.stringify({ values, sessions });
}

describe('KvStateMachine snapshot text', () => {
  // Steps: a command (the workload's kind), raw JSON data (values JSON.parse lets through: fractions, strings,
  // booleans), a snapshot taken, a restore from the text, a clone.
  const key = fc.oneof(fc.constantFrom('a', 'b', 'k10', 'k9', 'é', '\u{1F600}', 'q"', '\\'), fc.string({ unit: 'binary', maxLength: 3 }));
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('command' as const), command }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw' as const), client: fc.integer({ min: -3, max: 5 }), seq: fc.integer({ min: 0, max: 9 }), key, value: fc.oneof(fc.double(), fc.string({ maxLength: 2 }), fc.boolean(), fc.constant(null), fc.integer()) }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'restore' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clone' as const }) },
  );
  it('is exactly the JSON.stringify of the sorted values and sessions, after any history (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let sm = new KvStateMachine();
        for (const s of steps) {
          if (s.kind === 'command') sm.applyCommand(s.command);
          else if (s.kind === 'raw') sm.apply(JSON.stringify({ client: s.client, seq: s.seq, key: s.key, op: 'put', value: s.value }));
          else if (s.kind === 'restore') sm = KvStateMachine.fromSnapshot(sm.toSnapshot()) ?? sm; // refuses non-number values
          else if (s.kind === 'clone') sm = sm.clone();
          expect(sm.toSnapshot()).toBe(snapshotByJson(sm));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('writes a restored result with its own fields and order', () => {
    const text = '{"values":[["x",1]],"sessions":[[1,2,{"value":3,"ok":true}],[2,1,{"ok":false,"value":null}]]}';
    const sm = KvStateMachine.fromSnapshot(text) as KvStateMachine;
    expect(sm.toSnapshot()).toBe(text);
    sm.applyCommand({ client: 3, seq: 1, op: 'get', key: 'x' });
    sm.applyCommand({ client: 0, seq: 1, op: 'put', key: 'a', value: 2 });
    expect(sm.toSnapshot()).toBe(snapshotByJson(sm));
    expect(sm.toSnapshot()).toBe('{"values":[["a",2],["x",1]],"sessions":[[0,1,{"ok":true,"value":null}],[1,2,{"value":3,"ok":true}],[2,1,{"ok":false,"value":null}],[3,1,{"ok":true,"value":1}]]}');
  });
});
