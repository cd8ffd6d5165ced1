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
});
