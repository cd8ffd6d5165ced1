/** Commands the workload encoded decode to the workload's own objects; other data is decoded once per string. */
import { describe, expect, it } from 'vitest';
import { encodeKvCommand } from '../core/kv.js';
import type { KvCommand } from '../core/kv.js';
import { CommandCache } from './command-cache.js';

describe('CommandCache', () => {
  it('hands back the encoded command itself, without parsing its data', () => {
    const cache = new CommandCache();
    const command: KvCommand = { client: 3, seq: 7, key: 'x', op: 'cas', expected: null, value: 4 };
    const data = cache.encode(command);
    expect(data).toBe(encodeKvCommand(command));
    expect(cache.decode(data)).toBe(command);
  });

  it('hands back the workload command for data first decoded as foreign data (an equal command)', () => {
    const cache = new CommandCache();
    const command: KvCommand = { client: 2, seq: 1, key: 'z', op: 'get' };
    const data = encodeKvCommand(command);
    expect(cache.decode(data)).toEqual(command);
    expect(cache.encode(command)).toBe(data);
    expect(cache.decode(data)).toBe(command);
  });

  it('decodes foreign data once per distinct string, and no-ops and non-commands to undefined', () => {
    const cache = new CommandCache();
    const data = encodeKvCommand({ client: 1, seq: 1, key: 'y', op: 'put', value: 2 });
    const first = cache.decode(data);
    expect(first).toEqual({ client: 1, seq: 1, key: 'y', op: 'put', value: 2 });
    expect(cache.decode(data)).toBe(first);
    expect(cache.decode('')).toBeUndefined();
    expect(cache.decode('not a command')).toBeUndefined();
  });

  it('encodes exactly as encodeKvCommand, odd commands included', () => {
    const cache = new CommandCache();
    const odd: KvCommand[] = [
      { client: 1, seq: 1, key: 'k0', op: 'get' },
      { client: 1, seq: 2, key: 'k0', op: 'put', value: 5 },
      { client: 1, seq: 3, key: 'k0', op: 'cas', expected: null, value: 6 },
      { client: 1, seq: 4, key: 'k0', op: 'cas', expected: 6, value: 7 },
      { client: 2, seq: 1, key: 'k1', op: 'get' },
      { client: 0, seq: 0, key: '', op: 'put', value: -0 },
      { client: -0, seq: -3, key: 'q"uote\\back\nline\u2028\ud800', op: 'cas', expected: -1.5, value: Number.NaN },
      { client: -1, seq: 1, key: 'x', op: 'put', value: Number.POSITIVE_INFINITY },
      { client: 1.5, seq: 1, key: 'x', op: 'get' },
      { client: 5000, seq: 1e21, key: 'x', op: 'get' },
      { client: 3, seq: 0.5, key: 'x', op: 'cas', expected: 1e-7, value: 2 ** 53 },
      { client: 3, seq: 9, key: 'x', op: 'del' as KvCommand['op'] },
      { client: 3, seq: 10, key: 'x', op: 'get', value: 1 },
    ];
    // Twice: once filling the cached pieces, once reading them.
    for (const round of [1, 2]) {
      for (const command of odd) expect(cache.encode(command), `round ${round}: ${JSON.stringify(command)}`).toBe(encodeKvCommand(command));
    }
    for (const command of odd) expect(cache.decode(encodeKvCommand(command))).toBe(command);
  });
});
