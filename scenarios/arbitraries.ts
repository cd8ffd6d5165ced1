/**
 * Fault plans as fast-check values. `scenarioPlanArbitrary` generates whole scenario plans (network, workload,
 * fault events) inside the fault model, and it can shrink *any* valid plan without a context, so a failing
 * plan found by a scenario can be handed to fast-check as an `examples` value and shrunk there (fast-check's
 * idea, see /work/shared/style.md): fault events are removed in chunks (halves first, then smaller, as in
 * delta debugging), the cap on client operations (`workload.opsMax`, when the plan has one) is halved and
 * then lowered in ever smaller steps, network knobs are simplified, client intensity is lowered, and fault
 * parameters are simplified (shorter outages and pauses, fewer replayed messages). Every candidate passes
 * `checkPlan`, so a shrink never leaves the fault model. Pure.
 */
import fc from 'fast-check';
import type { NodeId } from '../sim/contract.js';
import type { DiskOptions } from '../sim/disk.js';
import { checkPlan } from '../sim/faults.js';
import type { FaultEvent, FaultPlan } from '../sim/faults.js';
import type { NetworkOptions } from '../sim/network.js';
import type { WorkloadOptions } from '../sim/workload.js';
import type { ScenarioPlan } from './types.js';

/** What a plan is generated and shrunk for: the cluster size and the run's timing. */
export interface PlanContext {
  readonly nodeCount: number;
  readonly safetyMs: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  /** The workload a plan's overrides apply to (for shrinking client intensity). */
  readonly workload: WorkloadOptions;
}

/** Most fault events a generated plan holds (shrinking accepts plans of any length). */
export const GENERATED_EVENTS_MAX = 24;

/** Whether `plan` is inside the fault model for `ctx`. */
export function planIsValid(plan: FaultPlan, ctx: PlanContext): boolean {
  return checkPlan(plan, ctx.nodeCount, ctx.safetyMs, { tickMs: ctx.tickMs, electionTicks: ctx.electionTicks }).length === 0;
}

// ---- generation ------------------------------------------------------------------------------------

function nodeArbitrary(ctx: PlanContext): fc.Arbitrary<NodeId> {
  return fc.integer({ min: 1, max: ctx.nodeCount });
}

/** A random split of the nodes into two non-empty groups (a lone node's "split" is one group: no cut). */
function groupsArbitrary(ctx: PlanContext): fc.Arbitrary<NodeId[][]> {
  const nodes = Array.from({ length: ctx.nodeCount }, (_, i) => i + 1);
  if (nodes.length < 2) return fc.constant([nodes]);
  return fc.subarray(nodes, { minLength: 1, maxLength: ctx.nodeCount - 1 }).map((a) => [a, nodes.filter((n) => !a.includes(n))]);
}

/** One fault event of any kind (it may fall outside the model; {@link faultPlanArbitrary} filters). */
export function faultEventArbitrary(ctx: PlanContext): fc.Arbitrary<FaultEvent> {
  const atMs = fc.integer({ min: 0, max: ctx.safetyMs });
  const electionMs = ctx.electionTicks * ctx.tickMs;
  const downMs = fc.integer({ min: 1, max: 2 * electionMs });
  const node = nodeArbitrary(ctx);
  const target = fc.oneof(node, fc.constant('leader' as const));
  const timedMs = fc.integer({ min: 1, max: 10 * electionMs });
  return fc.oneof(
    fc.record({ atMs, kind: fc.constant('partition' as const), groups: groupsArbitrary(ctx) }),
    fc.record({ atMs, kind: fc.constant('isolate-leader' as const), companions: fc.integer({ min: 0, max: Math.max(0, ctx.nodeCount - 2) }) }),
    fc.record({ atMs, kind: fc.constant('heal' as const) }),
    fc.record({ atMs, kind: fc.constant('crash' as const), node }),
    fc.record({ atMs, kind: fc.constant('restart' as const), node }),
    fc.record({ atMs, kind: fc.constant('bounce' as const), node: target, downMs }),
    fc.record({ atMs, kind: fc.constant('power-loss' as const), downMs }),
    fc.record({ atMs, kind: fc.constant('crash-point' as const), node: target, point: fc.constantFrom('before-fsync' as const, 'after-persist' as const), downMs }),
    fc.record({ atMs, kind: fc.constant('pause' as const), node: target, durationMs: timedMs }),
    fc.record({ atMs, kind: fc.constant('latency-spike' as const), durationMs: timedMs, extraMsMax: timedMs }),
    fc.record({ atMs, kind: fc.constant('replay' as const), count: fc.integer({ min: 1, max: 256 }), ageMsMin: fc.integer({ min: 0, max: 30 * electionMs }) }),
  );
}

/**
 * Fault plans inside the fault model: random events in time order, each kept only when the plan so far
 * still passes `checkPlan` (so restarts of running nodes and a (f+1)-th crash are dropped).
 */
export function faultPlanArbitrary(ctx: PlanContext): fc.Arbitrary<FaultPlan> {
  return fc.array(faultEventArbitrary(ctx), { maxLength: GENERATED_EVENTS_MAX }).map((events) => {
    const sorted = [...events].sort((a, b) => a.atMs - b.atMs);
    const kept: FaultEvent[] = [];
    for (const e of sorted) if (planIsValid({ events: [...kept, e] }, ctx)) kept.push(e);
    return { events: kept };
  });
}

export function networkArbitrary(): fc.Arbitrary<NetworkOptions> {
  return fc
    .record({
      latencyMsMax: fc.integer({ min: 1, max: 20 }),
      lossPerMille: fc.integer({ min: 0, max: 100 }),
      duplicatePerMille: fc.integer({ min: 0, max: 100 }),
      longDelayPerMille: fc.integer({ min: 0, max: 30 }),
    })
    .map((r) => ({ latencyMsMin: 1, latencyMsMax: r.latencyMsMax, lossPerMille: r.lossPerMille, duplicatePerMille: r.duplicatePerMille, longDelayPerMille: r.longDelayPerMille, longDelayMsMax: r.longDelayPerMille > 0 ? 200 : 0 }));
}

function generatingArbitrary(ctx: PlanContext): fc.Arbitrary<ScenarioPlan> {
  return fc
    .record({
      network: networkArbitrary(),
      plan: faultPlanArbitrary(ctx),
      clientCount: fc.integer({ min: 1, max: 3 }),
      thinkMsMax: fc.constantFrom(0, 20, 40, 100, 400, 1000),
    })
    .map((r) => ({ network: r.network, plan: r.plan, workload: { clientCount: r.clientCount, thinkMsMax: r.thinkMsMax }, knobs: { generated: true } }));
}

// ---- shrinking -------------------------------------------------------------------------------------

/**
 * What the shrinker learned on the way to a value. fast-check hands a candidate's context back when the
 * candidate still fails, and every candidate emitted before it did not, so the context says which knob
 * simplifications to skip and from which chunk size to keep removing events (ddmin keeps its granularity).
 * A heuristic: a simplification that did not reproduce on a larger plan is not retried on a smaller one.
 */
interface ShrinkContext {
  readonly failedKnobs: readonly string[];
  readonly chunkFrom: number;
  /** Largest step by which `workload.opsMax` is still lowered (steps halve down to 1, as event chunks do). */
  readonly opsStepFrom?: number;
}

/** A named simplification of the plan's knobs; `null` when it does not apply. */
type KnobShrink = readonly [name: string, apply: (p: ScenarioPlan, ctx: PlanContext) => ScenarioPlan | null];

const THINK_MS_CANDIDATES = [4_000, 2_000, 1_000, 500] as const;

function withWorkload(p: ScenarioPlan, w: Partial<WorkloadOptions>): ScenarioPlan {
  return { ...p, workload: { ...p.workload, ...w } };
}

function withNetwork(p: ScenarioPlan, n: Partial<NetworkOptions>): ScenarioPlan {
  return { ...p, network: { ...p.network, ...n } };
}

/** Knob simplifications, most drastic first: fewer and calmer clients, then a kinder network and disk. */
const KNOB_SHRINKS: readonly KnobShrink[] = [
  ['one-client', (p, ctx) => ((p.workload?.clientCount ?? ctx.workload.clientCount) > 1 ? withWorkload(p, { clientCount: 1 }) : null)],
  ...THINK_MS_CANDIDATES.map((ms): KnobShrink => [`think-${ms}`, (p, ctx) => ((p.workload?.thinkMsMax ?? ctx.workload.thinkMsMax) < ms ? withWorkload(p, { thinkMsMax: ms }) : null)]),
  ['fewer-clients', (p, ctx) => {
    const n = p.workload?.clientCount ?? ctx.workload.clientCount;
    return n > 2 ? withWorkload(p, { clientCount: n - 1 }) : null;
  }],
  ['no-loss', (p) => (p.network.lossPerMille > 0 ? withNetwork(p, { lossPerMille: 0 }) : null)],
  ['no-duplicates', (p) => (p.network.duplicatePerMille > 0 ? withNetwork(p, { duplicatePerMille: 0 }) : null)],
  ['no-long-delays', (p) => (p.network.longDelayPerMille > 0 ? withNetwork(p, { longDelayPerMille: 0, longDelayMsMax: 0 }) : null)],
  ['min-latency', (p) => (p.network.latencyMsMax > p.network.latencyMsMin ? withNetwork(p, { latencyMsMax: p.network.latencyMsMin }) : null)],
  ['no-link-capacity', (p) => {
    if (p.network.linkCapacity === undefined || p.network.linkCapacity === 0) return null;
    const { linkCapacity: _dropped, ...rest } = p.network;
    return { ...p, network: rest };
  }],
  ['perfect-clocks', (p) => {
    if (p.clock === undefined) return null;
    const { clock: _dropped, ...rest } = p;
    return rest;
  }],
  ['no-torn-writes', (p) => (p.disk !== undefined && p.disk.tornWritePerMille > 0 ? { ...p, disk: { ...p.disk, tornWritePerMille: 0 } } : null)],
  ['instant-fsync', (p) => (p.disk !== undefined && p.disk.fsyncMsMax > 0 ? { ...p, disk: { ...p.disk, fsyncMsMin: 0, fsyncMsMax: 0 } satisfies DiskOptions } : null)],
];

/**
 * Drops restarts of nodes that are not down and crashes of nodes already down: what removing a crash or a
 * restart leaves behind. Other problems (too many nodes down) make the candidate invalid instead.
 */
export function repairEvents(events: readonly FaultEvent[]): FaultEvent[] {
  const down = new Set<NodeId>();
  const out: FaultEvent[] = [];
  for (const e of events) {
    if (e.kind === 'restart') {
      if (!down.delete(e.node)) continue;
    } else if (e.kind === 'crash') {
      if (down.has(e.node)) continue;
      down.add(e.node);
    }
    out.push(e);
  }
  return out;
}

/** The plan's cap on client operations, when it has one (the shrinker sets it from the failing run). */
export function opsMaxOf(p: ScenarioPlan): number | undefined {
  return p.workload?.opsMax;
}

/** `p` with at most `opsMax` client operations. */
export function withOpsMax(p: ScenarioPlan, opsMax: number): ScenarioPlan {
  return withWorkload(p, { opsMax });
}

/** Largest power of two <= n (n >= 1). */
function chunkStart(n: number): number {
  let size = 1;
  while (size * 2 <= n) size *= 2;
  return size;
}

/** Simpler versions of one fault event: no companions, shorter outages and pauses, half the replayed messages. */
function simplerEvents(e: FaultEvent, ctx: PlanContext): FaultEvent[] {
  const electionMs = ctx.electionTicks * ctx.tickMs;
  switch (e.kind) {
    case 'isolate-leader':
      return e.companions > 0 ? [{ ...e, companions: 0 }] : [];
    case 'bounce':
    case 'power-loss':
    case 'corrupt':
    case 'crash-point':
      return e.downMs > electionMs ? [{ ...e, downMs: electionMs }] : [];
    case 'pause':
    case 'latency-spike':
    case 'clog':
      return e.durationMs > electionMs ? [{ ...e, durationMs: electionMs }] : [];
    case 'replay':
      // Half the messages: the sample's first half (see Network.replaySample), so what still fails keeps them.
      return e.count > 1 ? [{ ...e, count: Math.ceil(e.count / 2) }] : [];
    default:
      return [];
  }
}

interface Candidate {
  readonly plan: ScenarioPlan;
  readonly context: ShrinkContext;
}

/** Every shrink candidate of `value`, in the order tried; each is valid and differs from `value`. */
export function* shrinkCandidates(value: ScenarioPlan, ctx: PlanContext, context: ShrinkContext | undefined): Generator<Candidate> {
  const failedKnobs = [...(context?.failedKnobs ?? [])];
  const seen = new Set<string>([JSON.stringify(value)]);
  const fresh = (p: ScenarioPlan): boolean => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return planIsValid(p.plan, ctx);
  };
  const events = value.plan.events;
  const withEvents = (es: readonly FaultEvent[]): ScenarioPlan => ({ ...value, plan: { events: es } });
  // The big win first: half the events gone.
  const start = Math.min(context?.chunkFrom ?? Number.MAX_SAFE_INTEGER, chunkStart(Math.max(1, events.length)));
  // Client operations shrink like events: half of them first, then ever smaller decrements down to one.
  const ops = opsMaxOf(value);
  const opsStart = ops === undefined || ops < 1 ? 0 : Math.min(context?.opsStepFrom ?? Number.MAX_SAFE_INTEGER, chunkStart(ops));
  const next = (chunkFrom: number, opsStepFrom = opsStart): ShrinkContext => ({ failedKnobs: [...failedKnobs], chunkFrom, opsStepFrom });
  const halves = events.length >= 4 && start >= events.length / 2 ? Math.ceil(events.length / 2) : 0;
  for (const [from, to] of halves > 0 ? [[0, halves], [halves, events.length]] as const : []) {
    const p = withEvents(repairEvents([...events.slice(0, from), ...events.slice(to)]));
    if (fresh(p)) yield { plan: p, context: next(start) };
  }
  if (ops !== undefined && ops >= 1 && opsStart >= ops / 2) {
    const p = withOpsMax(value, Math.floor(ops / 2));
    if (fresh(p)) yield { plan: p, context: next(start) };
  }
  for (const [name, apply] of KNOB_SHRINKS) {
    if (failedKnobs.includes(name)) continue;
    const p = apply(value, ctx);
    if (p === null || !fresh(p)) continue;
    yield { plan: p, context: next(start) };
    failedKnobs.push(name);
  }
  if (ops !== undefined) {
    for (let step = opsStart; step >= 1; step = step >> 1) {
      const p = withOpsMax(value, ops - step);
      if (fresh(p)) yield { plan: p, context: next(start, step) };
    }
  }
  for (let size = start; size >= 1; size = size >> 1) {
    // From the end backwards: late faults are the likeliest to be irrelevant to an early violation.
    for (let to = events.length; to > 0; to -= size) {
      const from = Math.max(0, to - size);
      const p = withEvents(repairEvents([...events.slice(0, from), ...events.slice(to)]));
      if (fresh(p)) yield { plan: p, context: next(size) };
    }
  }
  for (let i = 0; i < events.length; i++) {
    for (const simpler of simplerEvents(events[i] as FaultEvent, ctx)) {
      const p = withEvents(events.map((e, j) => (j === i ? simpler : e)));
      if (fresh(p)) yield { plan: p, context: next(1) };
    }
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The shape check fast-check asks for before shrinking a value it did not generate. */
export function looksLikeScenarioPlan(x: unknown): x is ScenarioPlan {
  if (!isRecord(x) || !isRecord(x.network) || !isRecord(x.plan) || !isRecord(x.knobs)) return false;
  return Array.isArray(x.plan.events) && x.plan.events.every((e) => isRecord(e) && typeof e.atMs === 'number' && typeof e.kind === 'string');
}

/** Scenario plans: generated inside the fault model, and shrinkable from any valid plan (see the file's TSDoc). */
class ScenarioPlanArbitrary extends fc.Arbitrary<ScenarioPlan> {
  private readonly generating: fc.Arbitrary<ScenarioPlan>;

  constructor(private readonly ctx: PlanContext) {
    super();
    this.generating = generatingArbitrary(ctx);
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<ScenarioPlan> {
    return new fc.Value(this.generating.generate(mrng, biasFactor).value, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is ScenarioPlan {
    return looksLikeScenarioPlan(value) && planIsValid(value.plan, this.ctx);
  }

  shrink(value: ScenarioPlan, context: unknown): fc.Stream<fc.Value<ScenarioPlan>> {
    const known = isRecord(context) && Array.isArray(context.failedKnobs) ? (context as unknown as ShrinkContext) : undefined;
    return fc.stream(shrinkCandidates(value, this.ctx, known)).map((c) => new fc.Value(c.plan, c.context));
  }
}

/** Scenario plans for `ctx`; see the file's TSDoc for how they shrink. */
export function scenarioPlanArbitrary(ctx: PlanContext): fc.Arbitrary<ScenarioPlan> {
  return new ScenarioPlanArbitrary(ctx);
}
