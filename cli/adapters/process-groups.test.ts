import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fifoDirectoryPrefix, killProcessGroupsSync, liveProcessGroups, registerProcessGroup, removeFifoDirectories, unregisterProcessGroup } from './process-groups.js';

describe('process group table', () => {
  it('claims and releases slots without losing entries', () => {
    const table = new Int32Array(new SharedArrayBuffer((4 + 2) * 4));
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
    const table = new Int32Array(new SharedArrayBuffer((8 + 2) * 4));
    registerProcessGroup(table, pid);
    expect(killProcessGroupsSync(table, 100)).toEqual([pid]);
    expect(liveProcessGroups(table)).toEqual([]);
    expect(await exited).toBe('SIGKILL');
  });

  it('waits for a spawn under way to be recorded before it kills, so a process started during the kill is not missed', async () => {
    const child = spawn('bash', ['-c', "trap '' TERM; echo ready; while :; do sleep 0.2; done"], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = child.pid ?? 0;
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const table = new Int32Array(new SharedArrayBuffer((8 + 2) * 4));
    // A spawner in another thread is inside the gate (SPAWNING = 1) and records its pid 100 ms later.
    Atomics.store(table, table.length - 1, 1);
    const spawner = new Worker(
      `const { workerData } = require('node:worker_threads');
       const t = new Int32Array(workerData.buffer);
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
       Atomics.store(t, 0, workerData.pid);
       Atomics.sub(t, t.length - 1, 1);`,
      { eval: true, workerData: { buffer: table.buffer, pid } },
    );
    expect(killProcessGroupsSync(table, 100)).toEqual([pid]);
    expect(await exited).toBe('SIGKILL');
    expect(Atomics.load(table, table.length - 2)).toBe(0); // not final: the gate is open again
    await spawner.terminate();
  });

  it('a final kill leaves the gate closed, so nothing spawns while the process exits', () => {
    const table = new Int32Array(new SharedArrayBuffer((4 + 2) * 4));
    killProcessGroupsSync(table, 10, true);
    expect(Atomics.load(table, table.length - 2)).toBe(1);
  });
});

describe('FIFO directories left by a terminated adapter worker', () => {
  it("removes this process's directories, and only those", () => {
    const root = mkdtempSync(join(tmpdir(), 'seaworthy-fifo-test-'));
    const ours = join(root, `${fifoDirectoryPrefix(4242)}abc`);
    const theirs = join(root, `${fifoDirectoryPrefix(42)}abc`);
    for (const dir of [ours, theirs]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'in-0'), '');
    }
    removeFifoDirectories(root, 4242);
    expect([existsSync(ours), existsSync(theirs)]).toEqual([false, true]);
    rmSync(root, { recursive: true, force: true });
  });
});
