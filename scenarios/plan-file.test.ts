import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioPlanArbitrary } from './arbitraries.js';
import { decodePlanFile, encodePlanFile, planFileName } from './plan-file.js';
import type { PlanFile } from './plan-file.js';
import { SCENARIOS } from './registry.js';
import { DEFAULT_TIMING, DEFAULT_WORKLOAD, scenarioPlanOf } from './run-seed.js';
import type { ScenarioPlan } from './types.js';

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

/** `file` as a plain JSON document with `edit` applied, for hand-edited files. */
function edited(edit: (doc: { plan: Record<string, unknown> } & Record<string, unknown>) => void): string {
  const doc = JSON.parse(encodePlanFile(file)) as { plan: Record<string, unknown> } & Record<string, unknown>;
  edit(doc);
  return JSON.stringify(doc);
}

function errorOf(text: string): string {
  const decoded = decodePlanFile(text);
  expect(decoded.ok).toBe(false);
  return decoded.ok ? '' : decoded.error;
}

function asFile(plan: ScenarioPlan, nodes: number): PlanFile {
  return { ...file, nodes, plan };
}

describe('plan files', () => {
  it('round-trip', () => {
    const decoded = decodePlanFile(encodePlanFile(file));
    expect(decoded).toEqual({ ok: true, file });
  });

  it('round-trip every plan the scenarios generate, so validation never refuses a file we wrote', () => {
    for (const scenario of SCENARIOS) {
      for (const nodeCount of [1, 2, 3, 4, 5, 6, 7]) {
        for (let seed = 1; seed <= 8; seed++) {
          const plan = scenarioPlanOf({ seed, scenario, nodeCount });
          const decoded = decodePlanFile(encodePlanFile(asFile(plan, nodeCount)));
          expect(decoded.ok ? 'ok' : `${scenario.name} seed ${seed}: ${decoded.error}`).toBe('ok');
          if (decoded.ok) expect(decoded.file.plan).toEqual(JSON.parse(JSON.stringify(plan)));
        }
      }
    }
  });

  it('round-trip the plans the shrinker explores', () => {
    const ctx = { nodeCount: 5, safetyMs: DEFAULT_TIMING.safetyMs, tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks, workload: DEFAULT_WORKLOAD };
    for (const plan of fc.sample(scenarioPlanArbitrary(ctx), { numRuns: 200, seed: 42 })) {
      const decoded = decodePlanFile(encodePlanFile(asFile(plan, 5)));
      expect(decoded.ok ? 'ok' : decoded.error).toBe('ok');
    }
  });

  it('reject malformed documents with one line', () => {
    for (const text of ['not json', '[]', JSON.stringify({ ...file, format: 'x' }), JSON.stringify({ ...file, nodes: 8 }), JSON.stringify({ ...file, nodes: 0 }), JSON.stringify({ ...file, plan: { ...file.plan, plan: { events: [{ atMs: 1, kind: 'meteor' }] } } })]) {
      const decoded = decodePlanFile(text);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.error).not.toContain('\n');
    }
  });

  it('name the field and its allowed range for every out-of-range knob', () => {
    const cases: readonly [(doc: { plan: Record<string, unknown> } & Record<string, unknown>) => void, string][] = [
      [(d) => ((d.plan.network as Record<string, unknown>).lossPerMille = 5000), 'plan.network.lossPerMille: expected a whole number in 0..1000, got 5000'],
      [(d) => ((d.plan.network as Record<string, unknown>).latencyMsMin = -1), 'plan.network.latencyMsMin: expected a whole number in 0..60000, got -1'],
      [(d) => ((d.plan.network as Record<string, unknown>).latencyMsMax = 0.5), 'plan.network.latencyMsMax: expected a whole number in 0..60000, got 0.5'],
      [(d) => ((d.plan.network as Record<string, unknown>).latencyMsMin = 9), 'plan.network.latencyMsMax: expected >= latencyMsMin (9), got 3'],
      [(d) => ((d.plan.network as Record<string, unknown>).linkCapacity = 'lots'), 'plan.network.linkCapacity: expected a whole number in 0..1000000, got "lots"'],
      [(d) => (d.plan.disk = { fsyncMsMin: 5, fsyncMsMax: 2, tornWritePerMille: 0 }), 'plan.disk.fsyncMsMax: expected >= fsyncMsMin (5), got 2'],
      [(d) => (d.plan.disk = { fsyncMsMin: 0, fsyncMsMax: 2, tornWritePerMille: 1001 }), 'plan.disk.tornWritePerMille: expected a whole number in 0..1000, got 1001'],
      [(d) => (d.plan.clock = { skewPerMilleMax: 400, driftPerMilleMax: 200 }), 'plan.clock.driftPerMilleMax: expected skewPerMilleMax + driftPerMilleMax <= 500 (the sum is 600), got 200'],
      [(d) => (d.plan.clock = { skewPerMilleMax: 1, driftPerMilleMax: 1, driftTicks: 0 }), 'plan.clock.driftTicks: expected a whole number in 1..1000000, got 0'],
      [(d) => (d.plan.workload = { clientCount: 0 }), 'plan.workload.clientCount: expected a whole number in 1..100, got 0'],
      [(d) => (d.plan.workload = { clientCount: 1e9 }), 'plan.workload.clientCount: expected a whole number in 1..100, got 1000000000'],
      [(d) => (d.plan.workload = { keys: [] }), 'plan.workload.keys: expected at least one key, got []'],
      [(d) => (d.plan.workload = { requestTimeoutMs: 0 }), 'plan.workload.requestTimeoutMs: expected a whole number in 1..3600000, got 0'],
      [(d) => (d.plan.plan = { events: [{ atMs: 100, kind: 'bounce', node: 2, downMs: 0 }] }), 'plan.plan.events[0].downMs: expected a whole number in 1..3600000, got 0'],
      [(d) => (d.plan.plan = { events: [{ atMs: 100, kind: 'bounce', node: 'boss', downMs: 5 }] }), 'plan.plan.events[0].node: expected a node id in 1..7 or "leader", got "boss"'],
      [(d) => (d.plan.plan = { events: [{ atMs: 100, kind: 'partition' }] }), 'plan.plan.events[0].groups: expected an array of node groups, got nothing'],
      [(d) => (d.plan.plan = { events: [{ atMs: 100, kind: 'bridge', bridge: 1, sides: [[2]] }] }), 'plan.plan.events[0].sides: expected two sides: [[ids], [ids]], got [[2]]'],
      [(d) => (d.plan.plan = { events: [{ atMs: 1, kind: 'meteor' }] }), 'plan.plan.events[0].kind: expected a fault event whose "kind" is one of: partition,'],
      [(d) => (d.plan.plan = { events: [{ atMs: 100, kind: 'replay', count: 0, ageMsMin: 5 }] }), 'plan.plan.events[0].count: expected a whole number in 1..1024, got 0'],
      [(d) => (d.plan.plan = { events: [{ atMs: 100, kind: 'replay', count: 3 }] }), 'plan.plan.events[0].ageMsMin: expected a whole number in 0..3600000, got nothing'],
      [(d) => (d.plan.knobs = { a: [1] }), 'plan.knobs.a: expected a number, a boolean or a string, got [1]'],
      [(d) => (d.seed = -3), 'seed: expected a whole number in 0..9007199254740991, got -3'],
      [(d) => delete d.plan.network, 'plan.network: expected an object, got nothing'],
    ];
    for (const [edit, expected] of cases) expect(errorOf(edited(edit))).toContain(expected);
  });

  it('ignore unknown fields, so files from versions that only add fields still load', () => {
    const decoded = decodePlanFile(edited((d) => {
      d.comment = 'added by hand';
      (d.plan.network as Record<string, unknown>).jitter = 3;
    }));
    expect(decoded).toEqual({ ok: true, file });
  });

  it('never throw, and always answer in one line, on mutated documents', () => {
    const leaf = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.double(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
    const text = encodePlanFile({ ...file, plan: { ...file.plan, disk: { fsyncMsMin: 0, fsyncMsMax: 3, tornWritePerMille: 0 }, clock: { skewPerMilleMax: 10, driftPerMilleMax: 10 } } });
    const paths = collectPaths(JSON.parse(text));
    fc.assert(
      fc.property(fc.constantFrom(...paths), leaf, (path, value) => {
        const doc = JSON.parse(text) as unknown;
        setAt(doc, path, value);
        const decoded = decodePlanFile(JSON.stringify(doc));
        if (!decoded.ok) expect(decoded.error).not.toMatch(/\n/);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('names files by seed and property', () => {
    expect(planFileName(42, 'leader-completeness')).toBe('seed-42-leader-completeness.json');
  });
});

/** Every path to a value in a JSON document (objects and arrays included). */
function collectPaths(value: unknown, prefix: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (typeof value !== 'object' || value === null) return here;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [...here, ...entries.flatMap(([k, v]) => collectPaths(v, [...prefix, k]))];
}

function setAt(doc: unknown, path: readonly (string | number)[], value: unknown): void {
  let target = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path[path.length - 1] as string | number] = value;
}
