/**
 * `npm run bench:shrink`: for each planted bug, the seeds to its first failure, the time to shrink it and
 * the plan's size before and after (fault events, client operations: invoke events in the run's history) and
 * whether the shrink met the target (<= 10 of each, under 30 s). Prints figures; never fails.
 */
import { PLANTED_BUGS } from '../scenarios/planted-bugs.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import { SHRINK_BUDGET_DEFAULT, shrinkFailure } from '../scenarios/shrink.js';

const budget = Number(process.env.SHRINK_BUDGET ?? SHRINK_BUDGET_DEFAULT);
const rows: string[][] = [['bug', 'scenario', 'seed', 'find ms', 'property', 'events', 'client ops', 'runs', 'shrink ms', 'goal']];
for (const bug of PLANTED_BUGS) {
  const scenario = findScenario(bug.scenario);
  if (scenario === undefined) continue;
  const base = { scenario, nodeCount: 5, implementation: bug.implementation(), ...(bug.hostBugs === undefined ? {} : { hostBugs: bug.hostBugs }) };
  const findStarted = performance.now();
  let seed = 0;
  for (let s = 1; s <= bug.seedsToCatchMax && seed === 0; s++) if (!runSeed({ ...base, seed: s }).ok) seed = s;
  const findMs = performance.now() - findStarted;
  if (seed === 0) {
    rows.push([bug.name, scenario.name, `none in ${bug.seedsToCatchMax}`, findMs.toFixed(0), '-', '-', '-', '-', '-', '-']);
    continue;
  }
  const started = performance.now();
  const outcome = shrinkFailure({ config: { ...base, seed }, budget });
  const shrinkMs = performance.now() - started;
  if (outcome === null) continue;
  rows.push([
    bug.name,
    scenario.name,
    String(seed),
    findMs.toFixed(0),
    outcome.property,
    `${outcome.before.events} → ${outcome.after.events}`,
    `${outcome.before.clientOps} → ${outcome.after.clientOps}`,
    `${outcome.runs}${outcome.exhausted ? ' (budget)' : ''}`,
    shrinkMs.toFixed(0),
    // The target: at most 10 fault events and 10 client operations (invoke events), under 30 s.
    outcome.after.events <= 10 && outcome.after.clientOps <= 10 && shrinkMs < 30_000 ? 'met' : 'missed',
  ]);
  process.stderr.write(`${bug.name} done\n`);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
console.log(`shrink budget ${budget} runs per bug, 5 nodes, Node ${process.version}`);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
