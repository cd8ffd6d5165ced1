import { describe, expect, it } from 'vitest';
import { decodePlanFile, encodePlanFile, planFileName } from './plan-file.js';
import type { PlanFile } from './plan-file.js';

const file: PlanFile = {
  format: 'seaworthy-plan',
  version: 1,
  seed: 7,
  scenario: 'random',
  nodes: 5,
  bug: 'early-ack',
  implementation: 'seaworthy-core+early-ack',
  safetyOnly: false,
  property: 'durability',
  traceHash: '0123456789abcdef',
  plan: {
    network: { latencyMsMin: 1, latencyMsMax: 3, lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 },
    workload: { clientCount: 1, thinkMsMax: 1000 },
    plan: { events: [{ atMs: 100, kind: 'crash', node: 2 }, { atMs: 300, kind: 'restart', node: 2 }] },
    knobs: { crashes: true },
  },
};

describe('plan files', () => {
  it('round-trip', () => {
    const decoded = decodePlanFile(encodePlanFile(file));
    expect(decoded).toEqual({ ok: true, file });
  });

  it('reject malformed documents with one line', () => {
    for (const text of ['not json', '[]', JSON.stringify({ ...file, format: 'x' }), JSON.stringify({ ...file, nodes: 4 }), JSON.stringify({ ...file, plan: { ...file.plan, plan: { events: [{ atMs: 1, kind: 'meteor' }] } } })]) {
      const decoded = decodePlanFile(text);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error).not.toContain('\n');
    }
  });

  it('names files by seed and property', () => {
    expect(planFileName(42, 'leader-completeness')).toBe('seed-42-leader-completeness.json');
  });
});
