/**
 * `npm run bench:process [SEEDS] [NODES]`: runs per second through the process adapter
 * (examples/python-raft/node.py, one process per node over NDJSON), in the compact protocol form (2) and in the
 * lockstep form (1), beside the same seeds in-process (the JavaScript example, through the module adapter's
 * determinism guard) and our built-in core, plus the round trips per run. Prints figures; never fails.
 */
import { loadCustomImplementation } from '../cli/adapters/index.js';
import { DEFAULT_IMPL_TIMEOUT_MS, ProcessAdapter } from '../cli/adapters/process.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { RaftImplementation } from '../sim/contract.js';

const SEEDS = Number(process.argv[2] ?? 5);
const NODES = Number(process.argv[3] ?? 5);
const scenario = findScenario('random');
if (scenario === undefined) throw new Error('no random scenario');

function measure(label: string, implementation: RaftImplementation | undefined, roundTrips?: () => number): void {
  const tripsBefore = roundTrips?.() ?? 0;
  const started = performance.now();
  let events = 0;
  let failed = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const verdict = runSeed({ seed, scenario: scenario!, nodeCount: NODES, ...(implementation === undefined ? {} : { implementation }) });
    events += verdict.stats.events;
    if (!verdict.ok) failed++;
  }
  const seconds = (performance.now() - started) / 1000;
  const trips = roundTrips === undefined ? '' : `  ${((roundTrips() - tripsBefore) / SEEDS).toFixed(0).padStart(6)} round trips/run`;
  console.log(`${label.padEnd(44)} ${(SEEDS / seconds).toFixed(2).padStart(8)} runs/s  ${(events / seconds / 1000).toFixed(1).padStart(7)}k events/s  ${(events / SEEDS).toFixed(0).padStart(6)} events/run  ${failed} failed${trips}`);
}

console.log(`seaworthy bench:process: seeds 1..${SEEDS} of scenario random, ${NODES} nodes (node ${process.version})`);
measure('built-in core (in process)', undefined);
const js = await loadCustomImplementation({ impl: 'examples/js-raft/index.js' }, NODES, process.cwd());
if (js !== null) measure('examples/js-raft (--impl, in process)', js.implementation);
for (const [form, flag] of [['compact form, 2', ''], ['lockstep form, 1', ' --protocol 1']] as const) {
  const py = ProcessAdapter.start({ command: `python3 examples/python-raft/node.py${flag}`, cwd: process.cwd(), timeoutMs: DEFAULT_IMPL_TIMEOUT_MS, nodeCount: NODES });
  try {
    measure(`examples/python-raft (--impl-cmd, ${form})`, py.implementation, () => py.roundTrips);
  } finally {
    py.close();
  }
}
