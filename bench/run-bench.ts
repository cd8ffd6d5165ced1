/**
 * `npm run bench`: throughput of the standard configuration — 5 nodes, 10 simulated seconds of the default
 * swarm scenario, 3 clients — on one core. Prints figures; never fails (speed is measured, not asserted).
 */
import { checkHistory } from '../properties/linearizability/index.js';
import { findScenario } from '../scenarios/registry.js';
import { DEFAULT_TIMING, DEFAULT_WORKLOAD, runSeed } from '../scenarios/run-seed.js';
import { builtinRaft } from '../sim/builtin.js';
import { Prng } from '../sim/prng.js';
import { simulate } from '../sim/simulation.js';

const SEEDS = Number(process.argv[2] ?? 300);
const WARMUP_SEEDS = 30;
const scenario = findScenario('random');
if (scenario === undefined) throw new Error('no random scenario');

function measure(label: string, fn: (seed: number) => number): void {
  for (let seed = 1_000_000; seed < 1_000_000 + WARMUP_SEEDS; seed++) fn(seed);
  const started = performance.now();
  let events = 0;
  for (let seed = 1; seed <= SEEDS; seed++) events += fn(seed);
  const seconds = (performance.now() - started) / 1000;
  const runsPerSecond = SEEDS / seconds;
  console.log(`${label.padEnd(44)} ${runsPerSecond.toFixed(1).padStart(7)} runs/s  ${(events / seconds / 1000).toFixed(0).padStart(6)}k events/s  ${(events / SEEDS).toFixed(0).padStart(6)} events/run`);
}

console.log(`seaworthy bench: ${SEEDS} seeds of scenario random, 5 nodes, ${DEFAULT_TIMING.safetyMs / 1000} s safety phase + liveness phase, ${DEFAULT_WORKLOAD.clientCount} clients (node ${process.version})`);

measure('full pipeline (safety + liveness + lin)', (seed) => runSeed({ seed, scenario, nodeCount: 5 }).stats.events);

const implementation = builtinRaft();
const ctx = { nodeCount: 5, safetyMs: DEFAULT_TIMING.safetyMs, tickMs: DEFAULT_TIMING.tickMs, electionTicks: DEFAULT_TIMING.electionTicks };
function simulateOnly(seed: number) {
  const generated = scenario!.generate(Prng.forRun(seed).fork(`scenario/${scenario!.name}`), ctx);
  return simulate(
    {
      seed,
      nodeCount: 5,
      implementation,
      ...DEFAULT_TIMING,
      network: generated.network,
      workload: { ...DEFAULT_WORKLOAD, ...generated.workload },
      plan: generated.plan,
      record: false,
      ...(generated.disk === undefined ? {} : { disk: generated.disk }),
      ...(generated.clock === undefined ? {} : { clock: generated.clock }),
    },
    { observe: () => false },
  );
}
measure('simulation only (no checkers)', (seed) => simulateOnly(seed).stats.events);

const histories = Array.from({ length: 50 }, (_, i) => simulateOnly(i + 1).history);
const started = performance.now();
let ops = 0;
for (const h of histories) ops += checkHistory(h).ops;
const ms = performance.now() - started;
console.log(`${'linearizability check of a run history'.padEnd(44)} ${(ms / histories.length).toFixed(2).padStart(7)} ms/run  (${(ops / histories.length).toFixed(0)} ops/run)`);
