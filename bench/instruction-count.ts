/**
 * `npm run bench:instructions -- [SEEDS] [--mode full|sim] [--warmup N] [--tree DIR]...`: the instructions one run
 * of the bench's standard configuration costs, counted by valgrind (cachegrind, no cache simulation) under
 * `node --predictable --predictable-gc-schedule` (one thread, garbage collection on a fixed schedule).
 *
 * Why count instructions: on a shared machine wall-clock A/B runs drift by a few percent even side by side, more
 * than most single changes are worth; an instruction count barely moves with the load. What it does not see
 * (cache misses, the work of V8's background threads, which `--predictable` folds into the main one) `npm run
 * bench` measures: count to choose between changes, then confirm with the bench.
 *
 * Each tree (default: this checkout; `--tree` again to compare others, e.g. a worktree of an older commit) is
 * compiled afresh with its own tsconfig.json into a temporary directory (a stale `dist/` cannot be measured by
 * mistake, and a checkout from before `npm run build` existed works too), then counted twice, with WARMUP seeds alone and with WARMUP + SEEDS, so the steady-state cost of one run is the
 * difference over SEEDS: start-up and compiling the hot paths, which dominate a short batch, fall out. Trees run
 * one after the other, never at the same time (two valgrinds side by side moved the counts by 0.2%). The work and a digest of the measured runs' trace hashes
 * and verdicts are printed per tree, so a change that alters behaviour shows. Defaults: 100 seeds, 30 warm-up,
 * `full` (simulation, checkers, linearizability; `sim` is the simulation alone). Prints figures; never fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Mode = 'full' | 'sim';

interface Args {
  readonly seeds: number;
  readonly warmup: number;
  readonly mode: Mode;
  readonly trees: readonly string[];
}

/** What the driver prints for one count. */
interface DriverReport {
  readonly work: { readonly events: number; readonly messages: number; readonly clientOps: number };
  readonly digest: string;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const DRIVER = join(HERE, 'instruction-driver.mjs');
const USAGE = 'usage: npm run bench:instructions -- [SEEDS] [--mode full|sim] [--warmup N] [--tree DIR]...';

function usage(message: string): never {
  process.stderr.write(`bench:instructions: ${message} (${USAGE})\n`);
  process.exit(2);
}

function positiveInteger(text: string | undefined, what: string, allowZero = false): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < (allowZero ? 0 : 1)) usage(`${what} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(text ?? '')}`);
  return n;
}

export function parseArgs(argv: readonly string[]): Args {
  let seeds = 100;
  let warmup = 30;
  let mode: Mode = 'full';
  const trees: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--mode') {
      const m = argv[++i];
      if (m !== 'full' && m !== 'sim') usage(`--mode must be full or sim, got ${JSON.stringify(m ?? '')}`);
      mode = m;
    } else if (a === '--warmup') warmup = positiveInteger(argv[++i], '--warmup', true);
    else if (a === '--tree') {
      const t = argv[++i];
      if (t === undefined) usage('--tree needs a directory');
      trees.push(resolve(t));
    } else if (/^\d+$/.test(a)) seeds = positiveInteger(a, 'SEEDS');
    else usage(`unknown argument ${JSON.stringify(a)}`);
  }
  if (trees.length === 0) trees.push(resolve(HERE, '..'));
  return { seeds, warmup, mode, trees };
}

/** Instructions and report of one counted run of the driver. */
/** Compiles `tree` with its own tsconfig.json and this checkout's TypeScript into a new temporary directory. */
function compile(tree: string): string {
  const out = mkdtempSync(join(tmpdir(), 'seaworthy-instructions-'));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const flags = ['--noEmit', 'false', '--outDir', out, '--rootDir', tree, '--incremental', 'false', '--declaration', 'false', '--sourceMap', 'false'];
  const r = spawnSync(process.execPath, [tsc, '-p', join(tree, 'tsconfig.json'), ...flags], { encoding: 'utf8' });
  // Type errors still emit (noEmitOnError is off): an older tree checked by an older TypeScript may have some.
  if (!existsSync(join(out, 'scenarios', 'run-seed.js'))) {
    rmSync(out, { recursive: true, force: true });
    usage(`compiling ${tree} gave no scenarios/run-seed.js: ${(r.stdout + r.stderr).split('\n')[0] ?? ''}`);
  }
  // The compiled modules import the tree's own dependencies (an older tree may still import seedrandom).
  if (existsSync(join(tree, 'node_modules'))) symlinkSync(join(tree, 'node_modules'), join(out, 'node_modules'));
  return out;
}

function count(compiled: string, mode: Mode, warmup: number, seeds: number): { instructions: number; report: DriverReport } {
  const argv = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--predictable', '--predictable-gc-schedule', DRIVER, compiled, mode, String(warmup), String(seeds)];
  const r = spawnSync('valgrind', argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.error !== undefined) usage(`cannot run valgrind (${r.error.message}); install it, e.g. apt-get install valgrind`);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || refs === null || !line.startsWith('{')) {
    const why = r.stderr.split('\n').find((l) => /Error|error/.test(l) && !l.startsWith('==')) ?? `exit ${r.status}`;
    usage(`counting ${compiled} failed: ${why.trim()}`);
  }
  return { instructions: Number(refs[1]!.replaceAll(',', '')), report: JSON.parse(line) as DriverReport };
}

function millions(n: number): string {
  return `${(n / 1e6).toFixed(2)}M`;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  for (const tree of args.trees) {
    if (!existsSync(join(tree, 'scenarios', 'run-seed.ts')) || !existsSync(join(tree, 'tsconfig.json'))) usage(`${tree} is not a seaworthy checkout (expected scenarios/run-seed.ts and tsconfig.json there)`);
  }
  const [l1] = loadavg();
  console.log(`instructions per run, ${args.mode === 'full' ? 'full pipeline' : 'simulation only'}: ${args.seeds} seeds after ${args.warmup} warm-up, load ${l1!.toFixed(1)} at start`);
  let first: { perRun: number; report: DriverReport } | null = null;
  for (const tree of args.trees) {
    const compiled = compile(tree);
    let alone: ReturnType<typeof count>;
    let measured: ReturnType<typeof count>;
    try {
      alone = count(compiled, args.mode, args.warmup, 0);
      measured = count(compiled, args.mode, args.warmup, args.seeds);
    } finally {
      rmSync(compiled, { recursive: true, force: true });
    }
    const perRun = (measured.instructions - alone.instructions) / args.seeds;
    const { work, digest } = measured.report;
    const ratio = first === null ? '' : `  ${(perRun / first.perRun).toFixed(3)}x of the first tree`;
    const same = first === null ? '' : work.events === first.report.work.events && digest === first.report.digest ? '  same runs' : '  DIFFERENT RUNS (work or trace hashes differ)';
    console.log(`${tree}: ${millions(perRun)} instructions a run${ratio}  (start-up and warm-up ${millions(alone.instructions)}; per run ${Math.round(work.events / args.seeds)} events, ${Math.round(work.messages / args.seeds)} messages, ${Math.round(work.clientOps / args.seeds)} client ops; digest ${digest})${same}`);
    first ??= { perRun, report: measured.report };
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
