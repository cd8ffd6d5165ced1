/**
 * `npm run bench:process`: runs per second through the process adapter (examples/python-raft/node.py, one
 * process per node over NDJSON) beside the same seeds in-process (the JavaScript example, through the module
 * adapter's determinism guard) and our built-in core. Prints figures; never fails.
 */
import { loadCustomImplementation } from '../cli/adapters/index.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { RaftImplementation } from '../sim/contract.js';

const SEEDS = Number(process.argv[2] ?? 5);
const scenario = findScenario('random');
if (scenario === undefined) throw new Error('no random scenario');

function measure(label: string, implementation: RaftImplementation | undefined): void {
  const started = performance.now();
  let events = 0;
  let failed = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const verdict = runSeed({ seed, scenario: scenario!, nodeCount: 5, ...(implementation === undefined ? {} : { implementation }) });
    events += verdict.stats.events;
    if (!verdict.ok) failed++;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(40)} ${(SEEDS / seconds).toFixed(2).padStart(8)} runs/s  ${(events / seconds / 1000).toFixed(1).padStart(7)}k events/s  ${(events / SEEDS).toFixed(0).padStart(6)} events/run  ${failed} failed`);
}

console.log(`seaworthy bench:process: seeds 1..${SEEDS} of scenario random, 5 nodes (node ${process.version})`);
measure('built-in core (in process)', undefined);
const js = await loadCustomImplementation({ impl: 'examples/js-raft/index.js' }, 5, process.cwd());
if (js !== null) measure('examples/js-raft (--impl, in process)', js.implementation);
const py = await loadCustomImplementation({ implCmd: 'python3 examples/python-raft/node.py' }, 5, process.cwd());
if (py !== null) {
  try {
    measure('examples/python-raft (--impl-cmd)', py.implementation);
  } finally {
    py.close();
  }
}
