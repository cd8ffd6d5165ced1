/**
 * `npm run bench:guided`: what `run --guided` buys. For N seeds of the default swarm (GUIDED_SEEDS, default
 * 200) on our core and on paper-raft: the distinct probe combinations (sets of probes a run hit) reached with
 * and without guidance, the probes never hit, and the seconds. Then, unless GUIDED_CORPUS=0, the seeds to
 * the first failure of a few hard mutants of the mutation corpus (GUIDED_MUTANTS, comma-separated), plain
 * versus guided, within GUIDED_CORPUS_SEEDS (default 300). Prints figures; never fails.
 */
import { MUTATIONS, paperRaft } from '../mutation-corpus/index.js';
import type { MutationName } from '../mutation-corpus/index.js';
import { PROBES, probeCombination } from '../properties/probes.js';
import { runGuidedBatch } from '../scenarios/guided.js';
import { DEFAULT_SCENARIO, findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { RunConfig, Verdict } from '../scenarios/run-seed.js';

const seeds = Number(process.env.GUIDED_SEEDS ?? 200);
const corpusSeeds = Number(process.env.GUIDED_CORPUS_SEEDS ?? 300);
const mutants = (process.env.GUIDED_MUTANTS ?? 'vote-cleared-same-term,read-without-confirm,read-before-term-commit,figure8-commit').split(',') as MutationName[];
const scenario = findScenario(DEFAULT_SCENARIO);
if (scenario === undefined) throw new Error(`default scenario ${DEFAULT_SCENARIO} is not registered`);

interface Coverage {
  readonly combinations: number;
  readonly missed: readonly string[];
  readonly ms: number;
}

function coverage(visit: (onVerdict: (v: Verdict) => void) => void): Coverage {
  const combinations = new Set<string>();
  const hit = new Set<string>();
  const started = performance.now();
  visit((v) => {
    combinations.add(probeCombination(v.probes));
    for (const p of PROBES) if (v.probes[p.name] > 0) hit.add(p.name);
  });
  return { combinations: combinations.size, missed: PROBES.map((p) => p.name).filter((n) => !hit.has(n)), ms: performance.now() - started };
}

function plain(base: Omit<RunConfig, 'seed'>, count: number, onVerdict: (v: Verdict) => boolean | void): void {
  for (let seed = 1; seed <= count; seed++) if (onVerdict(runSeed({ ...base, seed })) === true) return;
}

console.log(`probe combinations over ${seeds} seeds of the default swarm (${PROBES.length} probes)`);
const rows: string[][] = [['implementation', 'mode', 'combinations', 'probes missed', 'seconds']];
for (const [name, implementation] of [['seaworthy-core', undefined], ['paper-raft', paperRaft({})]] as const) {
  const base = { scenario, ...(implementation === undefined ? {} : { implementation }) };
  const p = coverage((on) => plain(base, seeds, on));
  const g = coverage((on) => runGuidedBatch(base, { seedStart: 1, seeds }, (_run, v) => (on(v), false)));
  rows.push([name, 'plain', String(p.combinations), p.missed.join(' ') || '-', (p.ms / 1000).toFixed(1)]);
  rows.push([name, 'guided', String(g.combinations), g.missed.join(' ') || '-', (g.ms / 1000).toFixed(1)]);
}
for (const r of rows) console.log(r.join('\t'));

if (process.env.GUIDED_CORPUS !== '0') {
  console.log(`\nmutation corpus: seeds to the first failure within ${corpusSeeds} (default swarm)`);
  console.log(['mutant', 'plain', 'guided'].join('\t'));
  for (const m of MUTATIONS.filter((x) => mutants.includes(x.name))) {
    const base = { scenario, implementation: paperRaft({ mutation: m.name }) };
    let plainAt = 0;
    plain(base, corpusSeeds, (v) => (v.ok ? false : ((plainAt = v.seed), true)));
    let guidedAt = 0;
    runGuidedBatch(base, { seedStart: 1, seeds: corpusSeeds }, (run, v) => (v.ok ? false : ((guidedAt = run.config.seed), true)));
    const show = (at: number): string => (at === 0 ? `not caught` : String(at));
    console.log([m.name, show(plainAt), show(guidedAt)].join('\t'));
  }
}
