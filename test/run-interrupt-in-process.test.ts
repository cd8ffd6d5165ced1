/**
 * An interrupted `run` on the main thread (the built-in core on one job): the signal handler runs between
 * seeds, the batch stops, and the summary of the finished seeds comes back with exit 130. In its own file
 * because it watches for the CLI's SIGINT listener to appear, which only the first installation shows.
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

describe('run --jobs 1: interrupted on the main thread', () => {
  it('stops between seeds on SIGINT and returns the summary so far with "interrupted": true, exit 130', async () => {
    const listenersBefore = process.listenerCount('SIGINT');
    let settled = false;
    const running = runCliInProcess(['run', '--seeds', '1e12', '--jobs', '1', '--nodes', '3', '--json']).finally(() => (settled = true));
    // The run takes over SIGINT once it is under way; a seed yields to the event loop when it ends. A run that
    // ends on its own (it must not) fails the test below instead of leaving this loop spinning.
    while (process.listenerCount('SIGINT') === listenersBefore && !settled) await new Promise((resolve) => setTimeout(resolve, 10));
    process.emit('SIGINT', 'SIGINT');
    const result = await running;
    expect(result.crashed).toBe(false);
    expect(result.status).toBe(130);
    const summary = JSON.parse(result.lastLine) as { runs: number; passed: number; failed: number; interrupted: boolean };
    expect(summary.interrupted).toBe(true);
    expect(summary.runs).toBeGreaterThanOrEqual(1);
    expect(summary.passed + summary.failed).toBe(summary.runs);
  });
});
