import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killProcessGroupsSync, liveProcessGroups, registerProcessGroup, unregisterProcessGroup } from './process-groups.js';

describe('process group table', () => {
  it('claims and releases slots without losing entries', () => {
    const table = new Int32Array(new SharedArrayBuffer(4 * 4));
    expect([11, 12, 13].map((pid) => registerProcessGroup(table, pid))).toEqual([true, true, true]);
    unregisterProcessGroup(table, 12);
    expect(liveProcessGroups(table)).toEqual([11, 13]);
    expect(registerProcessGroup(table, 14)).toBe(true);
    expect(registerProcessGroup(table, 15)).toBe(true);
    expect(registerProcessGroup(table, 16)).toBe(false); // full
    expect(registerProcessGroup(table, 0)).toBe(false);
  });

  it('kills a group that ignores SIGTERM: SIGTERM, the grace, then SIGKILL, and empties the table', async () => {
    // The shell ignores SIGTERM and so does the sleep it starts; only SIGKILL ends them. It says when its trap is set.
    const child = spawn('bash', ['-c', "trap '' TERM; echo ready; while :; do sleep 0.2; done"], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = child.pid ?? 0;
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const table = new Int32Array(new SharedArrayBuffer(8 * 4));
    registerProcessGroup(table, pid);
    expect(killProcessGroupsSync(table, 100)).toEqual([pid]);
    expect(liveProcessGroups(table)).toEqual([]);
    expect(await exited).toBe('SIGKILL');
  });
});
