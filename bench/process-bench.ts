/**
 * `npm run bench:process -- [SEEDS] [NODES] [--scenario NAME] [--python CMD] [--against DIR]`: runs per second
 * through the process adapter (examples/python-raft/node.py, one process per node over NDJSON), in the compact
 * protocol form (2) with and without its predicted replies, its entry references and its fork server and in the lockstep form (1), beside the same seeds
 * in-process (the JavaScript example, through the module adapter's determinism guard) and our built-in core,
 * plus the round trips per run.
 * Defaults: 5 seeds of `random` on 3 nodes, `python3`.
 *
 * `--against DIR` compares with another checkout of Seaworthy (its own node_modules installed), for example a
 * worktree of an older commit: the same seeds of the Python example run there (that checkout's adapter,
 * simulator and example, through its default command) and here (the compact form), alternating seed by seed,
 * so that a shared machine's changing load weighs on both alike. The machine's load average is printed: read
 * the ratio, not the rates. Prints figures; never fails.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { loadCustomImplementation } from '../cli/adapters/index.js';
import { DEFAULT_IMPL_TIMEOUT_MS, ProcessAdapter } from '../cli/adapters/process.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import type { RaftImplementation } from '../sim/contract.js';

interface BenchArgs {
  readonly seeds: number;
  readonly nodes: number;
  readonly scenario: string;
  readonly python: string;
  readonly against: string | null;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) flags.set(arg.slice(2), argv[++i] ?? '');
    else positional.push(arg);
  }
  return {
    seeds: Number(positional[0] ?? 5),
    nodes: Number(positional[1] ?? 3),
    scenario: flags.get('scenario') ?? 'random',
    python: flags.get('python') ?? 'python3',
    against: flags.has('against') ? resolve(flags.get('against') ?? '') : null,
  };
}

const args = parseArgs(process.argv.slice(2));
const scenario = findScenario(args.scenario);
if (scenario === undefined) throw new Error(`no scenario ${args.scenario}`);
const exampleCommand = `${args.python} examples/python-raft/node.py`;

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}

function measure(label: string, implementation: RaftImplementation | undefined, roundTrips?: () => number): void {
  const tripsBefore = roundTrips?.() ?? 0;
  const started = performance.now();
  let events = 0;
  let failed = 0;
  for (let seed = 1; seed <= args.seeds; seed++) {
    const verdict = runSeed({ seed, scenario: scenario!, nodeCount: args.nodes, ...(implementation === undefined ? {} : { implementation }) });
    events += verdict.stats.events;
    if (!verdict.ok) failed++;
  }
  const seconds = (performance.now() - started) / 1000;
  const trips = roundTrips === undefined ? '' : `  ${((roundTrips() - tripsBefore) / args.seeds).toFixed(0).padStart(6)} round trips/run`;
  console.log(`${label.padEnd(44)} ${(args.seeds / seconds).toFixed(2).padStart(8)} runs/s  ${(events / seconds / 1000).toFixed(1).padStart(7)}k events/s  ${(events / args.seeds).toFixed(0).padStart(6)} events/run  ${failed} failed${trips}`);
}

/** The other checkout's modules, loaded from its own tree (its tsx resolves its own imports). */
interface Checkout {
  readonly runSeed: (config: Record<string, unknown>) => { readonly stats: { readonly events: number }; readonly ok: boolean };
  readonly scenario: unknown;
  readonly implementation: unknown;
  close(): void;
}

async function loadCheckout(dir: string): Promise<Checkout> {
  const adapters = (await import(`${dir}/cli/adapters/index.ts`)) as { loadCustomImplementation: (flags: Record<string, unknown>, nodes: number, cwd: string) => Promise<{ implementation: unknown; close(): void } | null> };
  const registry = (await import(`${dir}/scenarios/registry.ts`)) as { findScenario: (name: string) => unknown };
  const pipeline = (await import(`${dir}/scenarios/run-seed.ts`)) as { runSeed: Checkout['runSeed'] };
  const loaded = await adapters.loadCustomImplementation({ implCmd: `${args.python} ${dir}/examples/python-raft/node.py` }, args.nodes, dir);
  const theirScenario = registry.findScenario(args.scenario);
  if (loaded === null || theirScenario === undefined) throw new Error(`${dir}: no process adapter or no scenario ${args.scenario}`);
  return { runSeed: pipeline.runSeed, scenario: theirScenario, implementation: loaded.implementation, close: () => loaded.close() };
}

/** The same seeds there and here, alternating, each side's wall time summed. */
async function sideBySide(dir: string): Promise<void> {
  const there = await loadCheckout(dir);
  const here = ProcessAdapter.start({ command: exampleCommand, cwd: process.cwd(), timeoutMs: DEFAULT_IMPL_TIMEOUT_MS, nodeCount: args.nodes });
  const seconds = { there: 0, here: 0 };
  // CPU of this process (the simulation's thread and the adapter's worker), not of the Python processes.
  const cpu = { there: 0, here: 0 };
  const events = { there: 0, here: 0 };
  const timed = (side: 'there' | 'here', run: () => number): void => {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    events[side] += run();
    const used = process.cpuUsage(cpuBefore);
    cpu[side] += (used.user + used.system) / 1e6;
    seconds[side] += (performance.now() - started) / 1000;
  };
  try {
    for (let seed = 1; seed <= args.seeds; seed++) {
      timed('there', () => there.runSeed({ seed, scenario: there.scenario, nodeCount: args.nodes, implementation: there.implementation }).stats.events);
      timed('here', () => runSeed({ seed, scenario: scenario!, nodeCount: args.nodes, implementation: here.implementation }).stats.events);
      console.log(`  seed ${seed}: there ${seconds.there.toFixed(2)} s, here ${seconds.here.toFixed(2)} s so far (load ${load()})`);
    }
  } finally {
    there.close();
    here.close();
  }
  const row = (label: string, side: 'there' | 'here'): string =>
    `${label.padEnd(44)} ${(seconds[side] / args.seeds).toFixed(2).padStart(8)} s/seed  ${(cpu[side] / args.seeds).toFixed(2).padStart(6)} s host CPU/seed  ${(events[side] / args.seeds).toFixed(0).padStart(6)} events/run`;
  console.log(row(`${dir} (its default form)`, 'there'));
  console.log(row('this checkout (compact form)', 'here'));
  console.log(`speedup per seed: ${(seconds.there / seconds.here).toFixed(2)}x wall, ${(cpu.there / cpu.here).toFixed(2)}x host CPU (load average now ${load()})`);
}

console.log(`seaworthy bench:process: seeds 1..${args.seeds} of scenario ${args.scenario}, ${args.nodes} nodes, "${exampleCommand}" (node ${process.version}, load average ${load()})`);
if (args.against !== null) {
  await sideBySide(args.against);
} else {
  measure('built-in core (in process)', undefined);
  const js = await loadCustomImplementation({ impl: 'examples/js-raft/index.js' }, args.nodes, process.cwd());
  if (js !== null) measure('examples/js-raft (--impl, in process)', js.implementation);
  // The example declares a fork server (docs/protocol.md § Fork server); --no-fork starts every incarnation.
  for (const [form, flag] of [['compact form, 2', ''], ['compact form, no predictions', ' --no-predict'], ['compact form, no entry references', ' --no-entry-refs'], ['compact form, no fork server', ' --no-fork'], ['lockstep form, 1', ' --protocol 1']] as const) {
    const py = ProcessAdapter.start({ command: `${exampleCommand}${flag}`, cwd: process.cwd(), timeoutMs: DEFAULT_IMPL_TIMEOUT_MS, nodeCount: args.nodes });
    try {
      measure(`examples/python-raft (--impl-cmd, ${form})`, py.implementation, () => py.roundTrips);
    } finally {
      py.close();
    }
  }
  console.log(`load average at the end: ${load()}`);
}
