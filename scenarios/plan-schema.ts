/**
 * The schema of a saved plan file, with the documented range of every field. A plan file is user input (it
 * may be hand-edited), so every knob the simulator would otherwise assert on is checked here first, and a
 * problem comes back as one line naming the field's path and its allowed range:
 * `plan.network.lossPerMille: expected a whole number in 0..1000, got 5000`.
 *
 * Written with zod rather than by hand: one declaration gives the check, the error path and the parsed value
 * (unknown fields dropped), for the ~40 fields of 20 fault kinds. Pure: no I/O.
 * The fault model (nodes that exist, at most f down, time order) is judged afterwards by `checkPlan`.
 */
import { z } from 'zod';
import { RATE_ERROR_PER_MILLE_MAX } from '../sim/clock.js';
import { REACTIVE_ACTIONS, REACTIVE_TRIGGERS, REPLAY_COUNT_MAX } from '../sim/faults.js';

/** The documented ranges of a plan file's numbers. Changing one is a change to the file format. */
export const PLAN_LIMITS = Object.freeze({
  /** Network latencies, long delays and fsync latencies, in simulated ms. */
  latencyMsMax: 60_000,
  /** `downMs` and `durationMs` of fault events, and client timeouts and think times, in simulated ms. */
  durationMsMax: 3_600_000,
  /** A fault event's `atMs` (checkPlan also keeps it within the safety phase). */
  atMsMax: 3_600_000,
  /** Node ids are 1-based; checkPlan checks them against the cluster size. */
  nodeIdMax: 7,
  /** Messages in flight per directed link (0: unlimited). */
  linkCapacityMax: 1_000_000,
  clientCountMax: 100,
  keysMax: 100,
  keyLengthMax: 64,
  opsMaxMax: 1_000_000,
  driftTicksMax: 1_000_000,
  clockJumpTicksMax: 1_000_000,
  eventsMax: 10_000,
  /** Applied entries between two snapshots the host takes (0 or absent: never). */
  snapshotEveryEntriesMax: 1_000_000,
});

const L = PLAN_LIMITS;

/** A whole number in [min, max], with one message for every way to miss it. */
function whole(min: number, max: number): z.ZodNumber {
  const error = `expected a whole number in ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const perMille = whole(0, 1000);
const nodeId = whole(1, L.nodeIdMax);
const nodeOrLeader = z.union([nodeId, z.literal('leader')], { error: `expected a node id in 1..${L.nodeIdMax} or "leader"` });
const nodeList = z.array(nodeId, { error: 'expected an array of node ids' }).max(L.nodeIdMax, { error: `expected at most ${L.nodeIdMax} node ids` });
const downMs = whole(1, L.durationMsMax);
const durationMs = whole(1, L.durationMsMax);
const atMs = whole(0, L.atMsMax);

const networkSchema = z
  .object(
    {
      latencyMsMin: whole(0, L.latencyMsMax),
      latencyMsMax: whole(0, L.latencyMsMax),
      lossPerMille: perMille,
      duplicatePerMille: perMille,
      longDelayPerMille: perMille,
      longDelayMsMax: whole(0, L.latencyMsMax),
      linkCapacity: whole(0, L.linkCapacityMax).optional(),
    },
    { error: 'expected an object' },
  )
  .check((ctx) => {
    const n = ctx.value;
    if (n.latencyMsMax < n.latencyMsMin) ctx.issues.push({ code: 'custom', path: ['latencyMsMax'], input: n.latencyMsMax, message: `expected >= latencyMsMin (${n.latencyMsMin})` });
    if (n.longDelayPerMille > 0 && n.longDelayMsMax < n.latencyMsMax) {
      ctx.issues.push({ code: 'custom', path: ['longDelayMsMax'], input: n.longDelayMsMax, message: `expected >= latencyMsMax (${n.latencyMsMax}) when longDelayPerMille > 0` });
    }
  });

const diskSchema = z
  .object(
    { fsyncMsMin: whole(0, L.latencyMsMax), fsyncMsMax: whole(0, L.latencyMsMax), tornWritePerMille: perMille, snapshotEveryEntries: whole(0, L.snapshotEveryEntriesMax).optional() },
    { error: 'expected an object' },
  )
  .check((ctx) => {
    if (ctx.value.fsyncMsMax < ctx.value.fsyncMsMin) ctx.issues.push({ code: 'custom', path: ['fsyncMsMax'], input: ctx.value.fsyncMsMax, message: `expected >= fsyncMsMin (${ctx.value.fsyncMsMin})` });
  });

const clockSchema = z
  .object(
    {
      skewPerMilleMax: whole(0, RATE_ERROR_PER_MILLE_MAX),
      driftPerMilleMax: whole(0, RATE_ERROR_PER_MILLE_MAX),
      driftTicks: whole(1, L.driftTicksMax).optional(),
    },
    { error: 'expected an object' },
  )
  .check((ctx) => {
    const sum = ctx.value.skewPerMilleMax + ctx.value.driftPerMilleMax;
    if (sum > RATE_ERROR_PER_MILLE_MAX) ctx.issues.push({ code: 'custom', path: ['driftPerMilleMax'], input: ctx.value.driftPerMilleMax, message: `expected skewPerMilleMax + driftPerMilleMax <= ${RATE_ERROR_PER_MILLE_MAX} (the sum is ${sum})` });
  });

/** Workload overrides: every field optional (the standard workload fills the rest). */
const workloadSchema = z.object(
  {
    clientCount: whole(1, L.clientCountMax).optional(),
    keys: z
      .array(z.string({ error: 'expected a key name' }).min(1, { error: 'expected a non-empty key name' }).max(L.keyLengthMax, { error: `expected a key name of at most ${L.keyLengthMax} characters` }), { error: 'expected an array of key names' })
      .min(1, { error: 'expected at least one key' })
      .max(L.keysMax, { error: `expected at most ${L.keysMax} keys` })
      .optional(),
    requestTimeoutMs: whole(1, L.durationMsMax).optional(),
    opTimeoutMs: whole(1, L.durationMsMax).optional(),
    thinkMsMax: whole(0, L.durationMsMax).optional(),
    opsMax: whole(0, L.opsMaxMax).optional(),
  },
  { error: 'expected an object' },
);

const event = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) => z.object({ atMs, kind: z.literal(kind), ...shape });

const FAULT_EVENT_SCHEMAS = [
  event('partition', { groups: z.array(nodeList, { error: 'expected an array of node groups' }).max(L.nodeIdMax, { error: `expected at most ${L.nodeIdMax} groups` }) }),
  event('bridge', { bridge: nodeId, sides: z.tuple([nodeList, nodeList], { error: 'expected two sides: [[ids], [ids]]' }) }),
  event('isolate-leader', { companions: whole(0, L.nodeIdMax) }),
  event('heal', {}),
  event('crash', { node: nodeId }),
  event('bounce', { node: nodeOrLeader, downMs }),
  event('power-loss', { downMs }),
  event('corrupt', { node: nodeId, downMs }),
  event('crash-point', { node: nodeOrLeader, point: z.enum(['before-fsync', 'after-persist'], { error: 'expected "before-fsync" or "after-persist"' }), downMs }),
  event('restart', { node: nodeId }),
  event('one-way', { from: nodeList, to: nodeList }),
  event('ring', {}),
  event('latency-spike', { durationMs, extraMsMax: whole(1, L.latencyMsMax) }),
  event('clog', { from: nodeId, to: nodeId, durationMs }),
  event('pause', { node: nodeOrLeader, durationMs }),
  event('clock-jump', { node: nodeId, ticks: whole(1, L.clockJumpTicksMax) }),
  event('away', { node: nodeId, durationMs }),
  event('replay', { count: whole(1, REPLAY_COUNT_MAX), ageMsMin: whole(0, L.durationMsMax) }),
  event('reactive', {
    trigger: z.enum(REACTIVE_TRIGGERS, { error: `expected one of ${REACTIVE_TRIGGERS.map((t) => `"${t}"`).join(', ')}` }),
    action: z.enum(REACTIVE_ACTIONS, { error: `expected one of ${REACTIVE_ACTIONS.map((a) => `"${a}"`).join(', ')}` }),
    windowMs: durationMs,
    delayMs: whole(0, L.durationMsMax),
    durationMs,
    peer: whole(0, L.nodeIdMax),
  }),
  event('conf-change', {
    goal: z.discriminatedUnion(
      'op',
      [
        z.object({ op: z.literal('add'), node: nodeId, via: z.enum(['learner', 'voter'], { error: 'expected "learner" or "voter"' }) }),
        z.object({ op: z.literal('remove'), node: nodeOrLeader }),
        z.object({ op: z.literal('replace'), remove: nodeOrLeader, add: nodeId }),
      ],
      { error: 'expected a membership goal whose "op" is one of: add, remove, replace' },
    ),
    retire: z.boolean({ error: 'expected true or false' }),
    giveUpMs: durationMs,
    crashLeaderMs: durationMs.optional(),
  }),
  event('transfer', { target: z.union([nodeId, z.literal('random')], { error: `expected a node id in 1..${L.nodeIdMax} or "random"` }) }),
] as const;

/** The fault kinds a plan file may name, in the order the docs list them. */
export const PLAN_FAULT_KINDS: readonly string[] = FAULT_EVENT_SCHEMAS.map((s) => s.shape.kind.value);

const faultEventSchema = z.discriminatedUnion('kind', FAULT_EVENT_SCHEMAS, { error: `expected a fault event whose "kind" is one of: ${PLAN_FAULT_KINDS.join(', ')}` });

const knobsSchema = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()], { error: 'expected a number, a boolean or a string' }), { error: 'expected an object' });

/** The scenario plan inside a plan file (`plan`). */
export const scenarioPlanSchema = z.object(
  {
    network: networkSchema,
    clock: clockSchema.optional(),
    disk: diskSchema.optional(),
    workload: workloadSchema.optional(),
    plan: z.object({ events: z.array(faultEventSchema, { error: 'expected an array of fault events' }).max(L.eventsMax, { error: `expected at most ${L.eventsMax} fault events` }) }, { error: 'expected an object {events: [...]}' }),
    knobs: knobsSchema,
  },
  { error: 'expected an object {network, plan, knobs}' },
);

/** A whole plan file. `format` and `version` are checked first by the decoder, for a clearer message. */
export const planFileSchema = z.object(
  {
    seed: whole(0, Number.MAX_SAFE_INTEGER),
    scenario: z.string({ error: 'expected a scenario name' }),
    nodes: whole(1, L.nodeIdMax),
    bug: z.string({ error: 'expected a bug name or null' }).nullable(),
    implementation: z.string({ error: 'expected a string' }).optional(),
    safetyOnly: z.boolean({ error: 'expected true or false' }).optional(),
    fullHeal: z.boolean({ error: 'expected true or false' }).optional(),
    property: z.string({ error: 'expected a property name or null' }).nullable().optional(),
    traceHash: z.string({ error: 'expected a string' }).optional(),
    plan: scenarioPlanSchema,
  },
  { error: 'expected a JSON object' },
);

/** `plan.network.lossPerMille`, `plan.plan.events[3].kind`: a field's path as a reader would write it. */
function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let value = doc;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** JSON text of a value, cut short so the message stays one readable line. */
function shortJson(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The first problem zod found, as one line: `path: expected X, got Y`. */
export function describeSchemaIssue(error: z.ZodError, doc: unknown): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid plan file';
  const path = pathText(issue.path);
  const message = issue.message.replace(/\s*\n\s*/g, ' ');
  return `${path === '' ? 'the document' : path}: ${message}, got ${shortJson(valueAt(doc, issue.path))}`;
}
