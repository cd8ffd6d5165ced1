// Run under valgrind by bench/instruction-count.ts (plain JavaScript, so no TypeScript loader's work is counted):
//   node --predictable --predictable-gc-schedule bench/instruction-driver.mjs COMPILED MODE WARMUP SEEDS
// Imports a tree's modules compiled into COMPILED (the tree's layout: COMPILED/scenarios/run-seed.js...), runs WARMUP seeds (1..WARMUP) of the bench's
// standard configuration, then SEEDS measured seeds (1001..1000+SEEDS), in MODE `full` (runSeed: simulation,
// checkers, linearizability) or `sim` (the simulation with a do-nothing observer), and prints one JSON line: the
// work of the measured seeds and a digest of their trace hashes and verdicts, so that two trees can be shown to
// do the same runs.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [compiled, mode, warmupArg, seedsArg] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(compiled, path)).href);
const { runSeed, DEFAULT_TIMING, DEFAULT_WORKLOAD } = await load('scenarios/run-seed.js');
const { findScenario } = await load('scenarios/registry.js');
const { builtinRaft } = await load('sim/builtin.js');
const { simulate } = await load('sim/simulation.js');
const { Prng } = await load('sim/prng.js');

const scenario = findScenario('random');
// The bench's core: the fixed-cluster built-in core, trusted as the one a user runs (bench/run-bench.ts).
const implementation = builtinRaft({ membership: false });
const ctx = {
  nodeCount: 5,
  safetyMs: DEFAULT_TIMING.safetyMs,
  tickMs: DEFAULT_TIMING.tickMs,
  electionTicks: DEFAULT_TIMING.electionTicks,
  capabilities: implementation.capabilities ?? [],
};

// The same run as bench/run-bench.ts's simulateOnly, written out again on purpose: this driver runs the compiled
// modules of any checkout (fbf3bb9 included), so it can import nothing of this one's but what every tree exports.
function simulationOnly(seed) {
  const g = scenario.generate(Prng.forRun(seed).fork(`scenario/${scenario.name}`), ctx);
  const options = {
    seed,
    nodeCount: 5,
    implementation,
    ...DEFAULT_TIMING,
    network: g.network,
    workload: { ...DEFAULT_WORKLOAD, ...g.workload },
    plan: g.plan,
    record: false,
    ...(g.disk === undefined ? {} : { disk: g.disk }),
    ...(g.clock === undefined ? {} : { clock: g.clock }),
  };
  return simulate(options, { observe: () => false });
}

const runOne = mode === 'sim' ? simulationOnly : (seed) => runSeed({ seed, scenario, nodeCount: 5, implementation });
const warmup = Number(warmupArg);
const seeds = Number(seedsArg);
for (let seed = 1; seed <= warmup; seed++) runOne(seed);
const work = { events: 0, messages: 0, clientOps: 0 };
let digest = 0;
const fold = (text) => {
  for (let i = 0; i < text.length; i++) digest = (Math.imul(digest, 31) + text.charCodeAt(i)) | 0;
};
for (let seed = 1001; seed <= 1000 + seeds; seed++) {
  const result = runOne(seed);
  const { events, messagesSent, clientOps } = result.stats;
  work.events += events;
  work.messages += messagesSent;
  work.clientOps += clientOps.ok + clientOps.fail + clientOps.info;
  fold(`${result.traceHash}${result.ok === false ? '!' : ''}`);
}
console.log(JSON.stringify({ mode, warmup, seeds, work, digest: (digest >>> 0).toString(16) }));
