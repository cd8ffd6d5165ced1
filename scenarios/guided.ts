/**
 * The guided swarm (`run --guided`): a coverage-guided batch. Runs whose coverage probes reached something the
 * batch had rarely or never reached (a rare probe, or a combination of probes not seen before) keep their plan
 * in a corpus, and part of the budget reruns mutations of those plans instead of fresh seeds, so the swarm
 * spends its seeds near the situations it barely reached. Mutations come from the same fast-check arbitraries
 * the shrinker uses (scenarios/arbitraries.ts): new fault events, a new network, a new client intensity, a
 * moved or dropped event, or one shrink step. Every mutated plan stays inside the fault model (`checkPlan`).
 *
 * Deterministic: the decisions for seed S depend only on S (its own forked PRNG and fast-check seed) and on the
 * verdicts of the seeds before it in the batch, so the same `--seed-start`, `--seeds` and options give the same
 * runs. A mutated run is (seed, nodes, plan): it replays exactly from that plan, not from its seed alone.
 */
import fc from 'fast-check';
import { probeCombination, PROBES } from '../properties/probes.js';
import { Prng } from '../sim/prng.js';
import type { FaultEvent } from '../sim/faults.js';
import { faultEventArbitrary, networkArbitrary, planIsValid, shrinkCandidates } from './arbitraries.js';
import type { PlanContext } from './arbitraries.js';
import { nodeCountOf } from './cluster-size.js';
import { runSeed, scenarioPlanOf } from './run-seed.js';
import type { RunConfig, Verdict } from './run-seed.js';
import { planContextOf } from './shrink.js';
import type { ScenarioPlan } from './types.js';

/** How the batch is split between fresh seeds and mutated corpus plans. */
export interface GuidedOptions {
  /** Of every 1000 runs after the warm-up, how many mutate a corpus plan (the rest are fresh seeds). */
  readonly mutatePerMille: number;
  /** Fresh seeds run before any mutation, so the corpus starts from the swarm's own spread. */
  readonly warmupRuns: number;
  /** Most plans the corpus keeps; the least interesting one leaves when a new one comes in. */
  readonly corpusMax: number;
  /** A probe counts as rare while at most this many runs of the batch have hit it. */
  readonly rareHitsMax: number;
}

export const GUIDED_DEFAULTS: GuidedOptions = Object.freeze({ mutatePerMille: 500, warmupRuns: 16, corpusMax: 64, rareHitsMax: 3 });

/** Where a mutated run's plan came from (a public part of the run summary: fields are only added). */
export interface Mutation {
  /** The seed whose run first put the parent plan in the corpus. */
  readonly parentSeed: number;
  /** The mutation operators applied, in order. */
  readonly operators: readonly string[];
  /** The cluster size: the parent's, since a plan is only valid for the size it was made for. */
  readonly nodes: number;
  readonly plan: ScenarioPlan;
}

/** One run the guided batch asks for: the config to run, and its mutation when it is not a fresh seed. */
export interface GuidedRun {
  readonly config: RunConfig;
  readonly mutation: Mutation | null;
}

/** What the batch reports (`run --json` `guided`). */
export interface GuidedStats {
  readonly mutatedRuns: number;
  readonly corpusSize: number;
  /** Distinct probe combinations (sets of probes hit) over every run of the batch. */
  readonly probeCombinations: number;
  /** Plans ever admitted to the corpus (some may have left it since). */
  readonly admitted: number;
}

interface CorpusEntry {
  readonly seed: number;
  readonly nodes: number;
  readonly plan: ScenarioPlan;
  /** The probes its run hit (names), for weighting it by how rare they still are. */
  readonly hit: readonly string[];
}

/** Mutation operators, each a fast-check-driven edit of a plan; null when it does not apply. */
type Operator = (plan: ScenarioPlan, ctx: PlanContext, fcSeed: number) => ScenarioPlan | null;

function sampleOne<T>(arb: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arb, { seed, numRuns: 1 })[0]!;
}

/** `events` with `e` inserted after every event at or before its time (the plan stays sorted, stably). */
function insertSorted(events: readonly FaultEvent[], e: FaultEvent): FaultEvent[] {
  let i = 0;
  while (i < events.length && events[i]!.atMs <= e.atMs) i++;
  return [...events.slice(0, i), e, ...events.slice(i)];
}

const OPERATORS: readonly (readonly [string, Operator])[] = [
  [
    'add-events',
    (plan, ctx, seed) => {
      const added = sampleOne(fc.array(faultEventArbitrary(ctx), { minLength: 1, maxLength: 3 }), seed);
      let events = plan.plan.events;
      // Each new event is kept only where the plan stays inside the fault model, as generation does.
      for (const e of added) {
        const next = insertSorted(events, e);
        if (planIsValid({ events: next }, ctx)) events = next;
      }
      return events === plan.plan.events ? null : { ...plan, plan: { events } };
    },
  ],
  [
    'drop-event',
    (plan, ctx, seed) => {
      const n = plan.plan.events.length;
      if (n === 0) return null;
      const i = sampleOne(fc.integer({ min: 0, max: n - 1 }), seed);
      const events = plan.plan.events.filter((_, k) => k !== i);
      return planIsValid({ events }, ctx) ? { ...plan, plan: { events } } : null;
    },
  ],
  [
    'move-event',
    (plan, ctx, seed) => {
      const n = plan.plan.events.length;
      if (n === 0) return null;
      const electionMs = ctx.electionTicks * ctx.tickMs;
      const [i, shiftMs] = sampleOne(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: -2 * electionMs, max: 2 * electionMs })), seed);
      const moved = plan.plan.events[i]!;
      const atMs = Math.min(ctx.safetyMs, Math.max(0, moved.atMs + shiftMs));
      const events = insertSorted(plan.plan.events.filter((_, k) => k !== i), { ...moved, atMs });
      return planIsValid({ events }, ctx) ? { ...plan, plan: { events } } : null;
    },
  ],
  ['network', (plan, _ctx, seed) => ({ ...plan, network: sampleOne(networkArbitrary(), seed) })],
  [
    'workload',
    (plan, _ctx, seed) => {
      const w = sampleOne(fc.record({ clientCount: fc.integer({ min: 1, max: 3 }), thinkMsMax: fc.constantFrom(0, 20, 40, 100, 400, 1000) }), seed);
      return { ...plan, workload: { ...plan.workload, ...w } };
    },
  ],
  [
    'shrink-step',
    (plan, ctx, seed) => {
      // One of the shrinker's first candidates: a smaller neighbour of the plan, also inside the model.
      const pick = seed % 8;
      let k = 0;
      for (const c of shrinkCandidates(plan, ctx, undefined)) if (k++ === pick) return c.plan;
      return null;
    },
  ],
];

/** Most operators stacked on one mutation. */
const STACK_MAX = 3;

/** The guided batch's state: the corpus of plans and the probe statistics that decide what to keep. */
export class GuidedCorpus {
  private readonly options: GuidedOptions;
  private readonly entries: CorpusEntry[] = [];
  /** Runs of the batch that hit each probe. */
  private readonly hits = new Map<string, number>();
  private readonly combinations = new Set<string>();
  private runs = 0;
  private mutated = 0;
  private admitted = 0;

  /** `base` is the batch's config without its seed (scenario, implementation, `--nodes` if given). */
  constructor(
    private readonly base: Omit<RunConfig, 'seed'>,
    options: Partial<GuidedOptions> = {},
  ) {
    this.options = { ...GUIDED_DEFAULTS, ...options };
  }

  /** What to run for `seed`: the seed itself, or (past the warm-up, by the seed's own draw) a mutated corpus plan. */
  next(seed: number): GuidedRun {
    const prng = Prng.forRun(seed).fork('guided');
    const fresh: GuidedRun = { config: { ...this.base, seed }, mutation: null };
    if (this.runs < this.options.warmupRuns || this.entries.length === 0 || !prng.chance(this.options.mutatePerMille, 1000)) return fresh;
    const parent = this.pickParent(prng);
    const ctx = planContextOf({ ...this.base, seed, nodeCount: parent.nodes });
    let plan = parent.plan;
    const operators: string[] = [];
    const stack = prng.range(1, STACK_MAX);
    for (let k = 0; k < stack; k++) {
      const [name, op] = OPERATORS[prng.int(OPERATORS.length)]!;
      const next = op(plan, ctx, prng.uint32() & 0x7fff_ffff);
      if (next === null) continue;
      plan = next;
      operators.push(name);
    }
    if (operators.length === 0) return fresh;
    return { config: { ...this.base, seed, nodeCount: parent.nodes, plan }, mutation: { parentSeed: parent.seed, operators, nodes: parent.nodes, plan } };
  }

  /**
   * Learns from the verdict of `run`: counts its probe combination, and keeps its plan when it passed and
   * reached a new combination or a rare probe. A failing plan is not kept: the batch already reports it.
   */
  record(run: GuidedRun, verdict: { readonly ok: boolean; readonly probes: Readonly<Record<string, number>> }): void {
    this.runs++;
    if (run.mutation !== null) this.mutated++;
    const hit = PROBES.map((p) => p.name).filter((name) => (verdict.probes[name] ?? 0) > 0);
    const combination = probeCombination(verdict.probes);
    const isNew = !this.combinations.has(combination);
    this.combinations.add(combination);
    const rare = hit.some((name) => (this.hits.get(name) ?? 0) < this.options.rareHitsMax);
    for (const name of hit) this.hits.set(name, (this.hits.get(name) ?? 0) + 1);
    if (!verdict.ok || !(isNew || rare)) return;
    const plan = run.mutation?.plan ?? scenarioPlanOf(run.config);
    const nodes = run.mutation?.nodes ?? nodeCountOf(run.config);
    this.admit({ seed: run.config.seed, nodes, plan, hit });
  }

  stats(): GuidedStats {
    return { mutatedRuns: this.mutated, corpusSize: this.entries.length, probeCombinations: this.combinations.size, admitted: this.admitted };
  }

  /** How interesting an entry is now: the sum over its probes of 1 / (runs that hit the probe). */
  private weight(e: CorpusEntry): number {
    let w = 0;
    for (const name of e.hit) w += 1 / Math.max(1, this.hits.get(name) ?? 0);
    return w;
  }

  private admit(entry: CorpusEntry): void {
    this.admitted++;
    if (this.entries.length >= this.options.corpusMax) {
      // Evict the least interesting plan (the oldest on a tie), so the corpus follows what is still rare.
      let worst = 0;
      for (let i = 1; i < this.entries.length; i++) if (this.weight(this.entries[i]!) < this.weight(this.entries[worst]!)) worst = i;
      this.entries.splice(worst, 1);
    }
    this.entries.push(entry);
  }

  /** A corpus entry drawn in proportion to its weight (the rarer its probes, the likelier). */
  private pickParent(prng: Prng): CorpusEntry {
    let total = 0;
    for (const e of this.entries) total += this.weight(e);
    let x = prng.float() * total;
    for (const e of this.entries) {
      x -= this.weight(e);
      if (x < 0) return e;
    }
    return this.entries[this.entries.length - 1]!;
  }
}

/**
 * Runs a whole guided batch on this thread: seeds `seedStart`..`seedStart + seeds - 1`, each the fresh seed
 * or a mutated corpus plan. `onRun` sees every run and its verdict in order and may stop the batch by
 * returning true (the corpus self-test stops at the first failure). Pure, like `runSeed`.
 */
export function runGuidedBatch(
  base: Omit<RunConfig, 'seed'>,
  batch: { readonly seedStart: number; readonly seeds: number; readonly options?: Partial<GuidedOptions> },
  onRun: (run: GuidedRun, verdict: Verdict) => boolean = () => false,
): GuidedStats {
  const corpus = new GuidedCorpus(base, batch.options);
  for (let seed = batch.seedStart; seed < batch.seedStart + batch.seeds; seed++) {
    const run = corpus.next(seed);
    const verdict = runSeed(run.config);
    corpus.record(run, verdict);
    if (onRun(run, verdict)) break;
  }
  return corpus.stats();
}
