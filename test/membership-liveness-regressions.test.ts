/**
 * Default-swarm seeds whose membership family once left our core without a leader for good: each is a liveness
 * bug of the core, fixed in core/raft-node.ts, and each seed must keep passing.
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

describe('membership liveness regressions on our core', () => {
  it('seed 848 (2 nodes): a leader that appended its own removal and stepped down may still campaign, so the cluster is not stuck', async () => {
    const r = await runCliInProcess(['replay', '--seed', '848', '--nodes', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('every property held');
  });

  it('seeds 1078 and 3914 (1 node grown to 3): a joined node that never campaigned lets its leader lease lapse and votes again', async () => {
    for (const seed of ['1078', '3914']) {
      const r = await runCliInProcess(['replay', '--seed', seed, '--nodes', '1']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('every property held');
    }
  });
});
