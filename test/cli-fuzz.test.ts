/**
 * Fuzzing the CLI's input: argv, saved plan files and history files, generated and mutated by fast-check.
 * Whatever comes in, the CLI answers with an exit code in {0, 1, 2} (lin-check may also say 3, "undecided"),
 * never a stack trace, and an exit 2 always comes with exactly one line on stderr naming the problem.
 *
 * In-process through `main(argv, io)` for speed; the last block sends the worst inputs through a real process.
 * Bounded: every case is cheap by construction (at most 2 seeds per run, shrink budgets of at most 2 runs,
 * small histories), and fast-check's seeds are fixed so a failure replays exactly.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePlanFile } from '../scenarios/plan-file.js';
import type { PlanFile } from '../scenarios/plan-file.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed, scenarioPlanOf } from '../scenarios/run-seed.js';
import { repoRoot, runCliInProcess } from './cli-helpers.js';
import type { CliResult } from './cli-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'seaworthy-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stack frame as Node prints it: "    at fn (file:line:col)". */
const STACK_FRAME = /^\s+at .*(:\d+:\d+\)?|<anonymous>\)?)$/m;

function expectWellBehaved(argv: readonly string[], r: CliResult & { readonly crashed?: boolean }, exitCodes: readonly number[] = [0, 1, 2]): void {
  const where = `seaworthy ${argv.map((a) => JSON.stringify(a)).join(' ')}\nstderr: ${r.stderr}`;
  expect(r.crashed ?? false, where).toBe(false);
  expect(exitCodes, where).toContain(r.status);
  expect(r.stderr, where).not.toMatch(STACK_FRAME);
  if (r.status === 2) {
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(lines, where).toHaveLength(1);
    expect(lines[0], where).toMatch(/^seaworthy: \S/);
  }
}

// ---- Fixtures: a valid plan file and valid histories, the seeds of the mutations. ----

function validPlanFile(): PlanFile {
  const scenario = findScenario('random');
  if (scenario === undefined) throw new Error('the random scenario is missing');
  const plan = scenarioPlanOf({ seed: 5, scenario, nodeCount: 3 });
  return { format: 'seaworthy-plan', version: 1, seed: 5, scenario: 'random', nodes: 3, bug: null, implementation: 'seaworthy-core', safetyOnly: true, property: null, traceHash: '', plan };
}

function validJsonlHistory(): string {
  const scenario = findScenario('random');
  if (scenario === undefined) throw new Error('the random scenario is missing');
  const verdict = runSeed({ seed: 3, scenario, nodeCount: 3, safetyOnly: true });
  // A prefix keeps the check instant; operations left open are treated as crashed, which is valid.
  return `${verdict.history.slice(0, 40).map((e) => JSON.stringify(e)).join('\n')}\n`;
}

const JEPSEN_HISTORY = ['0\t:invoke\t:write\t1', '0\t:ok\t:write\t1', '1 :invoke :cas [1 3]', '1 :ok :cas [1 3]', '2\t:invoke\t:read\tnil', '2\t:ok\t:read\t3'].map((l) => `INFO  jepsen.util - ${l}`).join('\n');
const PORCUPINE_HISTORY = [
  '{:process 0, :type :invoke, :f :put, :key "a", :value "x"}',
  '{:process 0, :type :ok, :f :put, :key "a", :value "x"}',
  '{:process 1, :type :invoke, :f :get, :key "a", :value nil}',
  '{:process 1, :type :ok, :f :get, :key "a", :value "x"}',
].join('\n');

const planPath = join(tmp, 'valid-plan.json');
const historyPath = join(tmp, 'valid.jsonl');
const existingFile = join(tmp, 'a-file');
const folder = join(tmp, 'a-folder');
writeFileSync(planPath, encodePlanFile(validPlanFile()));
writeFileSync(historyPath, validJsonlHistory());
writeFileSync(existingFile, 'not a plan');
mkdirSync(folder);

// ---- argv ----

/** Values a user might type, or mistype, after any flag. */
const VALUES = ['', '0', '1', '2', '3', '5', '-1', '1.5', 'abc', 'NaN', '0x10', '1e3', ' 2', '9007199254740993', 'random', 'partition', 'early-ack', 'double-vote', 'nope', '--', planPath, historyPath, existingFile, folder, join(tmp, 'missing.json')];

/** Plausible values per flag, so that most cases get past parsing and reach the command's own checks. */
const PLAUSIBLE: Readonly<Record<string, readonly string[]>> = {
  '--seed': ['1', '2', '3', '4'],
  '--seed-start': ['1', '7', '100'],
  '--nodes': ['3', '5'],
  '--scenario': ['random', 'minority-partition', 'crash-restart-storm', 'figure8', 'power-loss', 'clock-skew'],
  '--bug': ['early-ack', 'apply-beyond-commit', 'double-vote'],
  '--width': ['40', '80', '200'],
  '--plan': [planPath],
  '--out': [folder, join(tmp, 'new-out')],
  '--format': ['jsonl', 'jepsen-etcd', 'porcupine-kv'],
  '--timeout': ['0', '1', '5'],
};

/** The flags each command takes; the fuzz mostly uses these, sometimes another command's. */
const FLAGS_BY_COMMAND: Readonly<Record<string, readonly string[]>> = {
  run: ['--seed-start', '--nodes', '--scenario', '--bug', '--json', '--safety-only', '--shrink', '--out', '--verify-determinism'],
  replay: ['--seed', '--nodes', '--scenario', '--bug', '--trace', '--messages', '--width', '--json', '--safety-only', '--plan'],
  shrink: ['--seed', '--nodes', '--scenario', '--bug', '--safety-only', '--out', '--width', '--json'],
  'lin-check': ['--format', '--json', '--timeout', '--allow-empty'],
  bugs: ['--json'],
  scenarios: ['--json'],
};
const ALL_FLAGS = [...new Set([...Object.values(FLAGS_BY_COMMAND).flat(), '--impl', '--impl-timeout', '--frobnicate', '-x', '--help', '--version'])];
const BOOLEAN_FLAGS = new Set(['--json', '--safety-only', '--shrink', '--verify-determinism', '--trace', '--messages', '--allow-empty', '--help', '--version']);

const COMMANDS = ['run', 'replay', 'shrink', 'bugs', 'scenarios', 'lin-check', 'launch', '--version', ''];

function flagArb(command: string): fc.Arbitrary<string[]> {
  const own = FLAGS_BY_COMMAND[command] ?? [];
  const flag = own.length === 0 ? fc.constantFrom(...ALL_FLAGS) : fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...own) }, { weight: 1, arbitrary: fc.constantFrom(...ALL_FLAGS) });
  return flag.chain((name) => {
    const plausible = PLAUSIBLE[name];
    const value = fc.oneof(
      { weight: BOOLEAN_FLAGS.has(name) ? 6 : 0, arbitrary: fc.constant(undefined) },
      { weight: plausible === undefined ? 0 : 4, arbitrary: fc.constantFrom(...(plausible ?? [''])) },
      { weight: 2, arbitrary: fc.constantFrom(...VALUES) },
    );
    return value.map((v) => (v === undefined ? [name] : [name, v]));
  });
}

/**
 * Keeps a generated command cheap: `run` gets at most 2 seeds on one thread and shrinks of at most 2 runs;
 * `shrink` a budget of at most 2; the cost flags' own bad values are fuzzed separately below.
 */
function bounded(command: string, rest: readonly string[]): string[] {
  const args = command === '' ? [...rest] : [command, ...rest];
  if (command === 'run') args.push('--seeds', rest.length % 2 === 0 ? '1' : '2', '--jobs', '1', '--shrink-budget', '2');
  if (command === 'shrink') args.push('--shrink-budget', '2');
  return args;
}

const argvArb = fc
  .constantFrom(...COMMANDS)
  .chain((command) => fc.tuple(fc.constant(command), fc.array(flagArb(command), { maxLength: 4 }), fc.array(fc.constantFrom(...VALUES), { maxLength: command === 'lin-check' ? 2 : 1 })))
  .map(([command, flags, positional]) => bounded(command, [...flags.flat(), ...positional]));

/** The cost flags themselves, with hostile values: each must be refused or stay cheap. */
const costArgvArb = fc.oneof(
  fc.constantFrom('0', '-1', 'abc', '1.5', '', 'NaN', '1e3x', '2').map((v) => ['run', '--seeds', v, '--jobs', '1']),
  fc.constantFrom('0', '-1', 'abc', '257', '1.5', '').map((v) => ['run', '--seeds', '1', '--jobs', v]),
  fc.constantFrom('0', '-1', 'abc', '1.5', '').map((v) => ['shrink', '--seed', '1', '--bug', 'apply-beyond-commit', '--shrink-budget', v, '--out', folder]),
  fc.constantFrom('0', '-5', 'abc', '39', '10001', '1.5', '').map((v) => ['replay', '--seed', '2', '--nodes', '3', '--trace', '--width', v]),
  fc.constantFrom('0', '-1', 'abc', '').map((v) => ['run', '--seeds', '1', '--impl', join(tmp, 'missing.mjs'), '--impl-timeout', v]),
  // selftest runs every planted bug: only values it must refuse before starting.
  fc.tuple(fc.constantFrom('8', '0', 'abc', '', '3.5'), fc.boolean()).map(([v, corpus]) => ['selftest', '--nodes', v, ...(corpus ? ['--corpus'] : [])]),
  fc.tuple(fc.constantFrom('0', '-1', 'abc', ''), fc.boolean()).map(([v, corpus]) => ['selftest', '--shrink-budget', v, ...(corpus ? ['--corpus'] : [])]),
);

// ---- plan files and histories ----

/** A JSON leaf or container a hand edit might leave behind. */
const leafArb = fc.oneof(
  fc.integer({ min: -3, max: 6 }),
  fc.constantFrom(5000, 1001, 1e9, 0.5, -0.0, Number.MAX_SAFE_INTEGER + 2, 1e300),
  fc.string({ maxLength: 3 }),
  fc.constantFrom('leader', 'crash', 'partition', 'before-fsync'),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.constant([[1, 2], [3]]),
);

function jsonPaths(value: unknown, prefix: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (typeof value !== 'object' || value === null) return here;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [...here, ...entries.flatMap(([k, v]) => jsonPaths(v, [...prefix, k]))];
}

type Mutation =
  | { readonly kind: 'set'; readonly path: readonly (string | number)[]; readonly value: unknown }
  /** A number moved a little: mostly still valid, so the run reaches the fault-model guard and the simulator. */
  | { readonly kind: 'nudge'; readonly path: readonly (string | number)[]; readonly delta: number; readonly factor: number }
  | { readonly kind: 'delete'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'truncate'; readonly at: number };

function mutationArb(doc: unknown, textLength: number): fc.Arbitrary<Mutation> {
  const paths = jsonPaths(doc);
  const numeric = paths.filter((p) => typeof valueAtPath(doc, p) === 'number');
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('nudge' as const), path: fc.constantFrom(...numeric), delta: fc.integer({ min: -3, max: 3 }), factor: fc.constantFrom(1, 1, 1, 2, 10, 0) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...paths), value: leafArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...paths) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.integer({ min: 0, max: textLength }) }) },
  );
}

function valueAtPath(doc: unknown, path: readonly (string | number)[]): unknown {
  let value = doc;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[key] : undefined;
  return value;
}

function applyMutations(text: string, mutations: readonly Mutation[]): string {
  const doc = JSON.parse(text) as unknown;
  for (const m of mutations) {
    if (m.kind === 'truncate') return JSON.stringify(doc).slice(0, m.at);
    let target = doc as Record<string | number, unknown>;
    for (const key of m.path.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== 'object' || next === null) break;
      target = next as Record<string | number, unknown>;
    }
    const last = m.path[m.path.length - 1] as string | number;
    if (m.kind === 'set') target[last] = m.value;
    else if (m.kind === 'nudge') target[last] = typeof target[last] === 'number' ? target[last] * m.factor + m.delta : m.delta;
    else if (Array.isArray(target) && typeof last === 'number') target.splice(last, 1);
    else delete target[last];
  }
  return JSON.stringify(doc);
}

/** A history file with a few local edits: a line dropped, duplicated, moved, cut short or rewritten. */
function historyMutationArb(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n').filter((l) => l !== '');
  const n = lines.length;
  const edit = fc.oneof(
    fc.record({ op: fc.constant('drop' as const), at: fc.nat(n - 1) }),
    fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(n - 1) }),
    fc.record({ op: fc.constant('move' as const), at: fc.nat(n - 1), to: fc.nat(n - 1) }),
    fc.record({ op: fc.constant('cut' as const), at: fc.nat(n - 1), keep: fc.nat(80) }),
    fc.record({ op: fc.constant('number' as const), at: fc.nat(n - 1), value: fc.constantFrom('-7', '0', '1.5', '99999999999999999999', 'nil', 'null', '"x"') }),
    fc.record({ op: fc.constant('word' as const), at: fc.nat(n - 1), value: fc.constantFrom('oops', 'ok', 'fail', 'info', 'invoke', 'cas', 'read', 'write', 'get', 'put', 'append') }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(n), value: fc.constantFrom('', '{}', '[]', 'null', '{"process":1}', '{:process 0}', 'garbage', '0 :ok :read') }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    const out = [...lines];
    for (const e of edits) {
      const line = out[Math.min(e.at, out.length - 1)] ?? '';
      const at = Math.min(e.at, Math.max(0, out.length - 1));
      if (e.op === 'drop') out.splice(at, 1);
      else if (e.op === 'duplicate') out.splice(at, 0, line);
      else if (e.op === 'move') out.splice(Math.min(e.to, out.length), 0, ...out.splice(at, 1));
      else if (e.op === 'cut') out[at] = line.slice(0, e.keep);
      else if (e.op === 'number') out[at] = line.replace(/-?\d+/, e.value);
      else if (e.op === 'word') out[at] = line.replace(/(?<=[":])(ok|fail|info|invoke|cas|read|write|get|put|append)\b/, e.value);
      else out.splice(Math.min(e.at, out.length), 0, e.value);
    }
    return out.join('\n');
  });
}

let fileCounter = 0;
function tempFile(text: string, extension: string): string {
  const path = join(tmp, `case-${++fileCounter}.${extension}`);
  writeFileSync(path, text);
  return path;
}

describe('CLI fuzz, in-process', () => {
  it('any argv: exit 0, 1 or 2, no stack trace, and exit 2 with one line', async () => {
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        const r = await runCliInProcess(argv);
        expectWellBehaved(argv, r, argv[0] === 'lin-check' ? [0, 1, 2, 3] : [0, 1, 2]);
      }),
      { numRuns: 150, seed: 20_261_129 },
    );
  }, 60_000);

  it('hostile values of the flags that bound the work are refused or stay cheap', async () => {
    await fc.assert(
      fc.asyncProperty(costArgvArb, async (argv) => {
        expectWellBehaved(argv, await runCliInProcess(argv));
      }),
      { numRuns: 40, seed: 7 },
    );
  }, 60_000);

  it('mutated plan files: replay --plan answers with a verdict or one line, never an assertion', async () => {
    const text = encodePlanFile(validPlanFile());
    const doc = JSON.parse(text) as unknown;
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb(doc, text.length), { minLength: 1, maxLength: 3 }), async (mutations) => {
        const argv = ['replay', '--plan', tempFile(applyMutations(text, mutations), 'json'), '--json'];
        expectWellBehaved(argv, await runCliInProcess(argv));
      }),
      { numRuns: 100, seed: 42 },
    );
  }, 60_000);

  it('mutated history files: lin-check answers 0, 1, 2 or 3, never a stack trace', async () => {
    const sources: readonly (readonly [string, string])[] = [[readFileSync(historyPath, 'utf8'), 'jsonl'], [JEPSEN_HISTORY, 'log'], [PORCUPINE_HISTORY, 'edn']];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...sources).chain(([text, ext]) => historyMutationArb(text).map((t) => [t, ext] as const)), fc.boolean(), async ([text, ext], json) => {
        const argv = ['lin-check', tempFile(text, ext), ...(json ? ['--json'] : [])];
        expectWellBehaved(argv, await runCliInProcess(argv), [0, 1, 2, 3]);
      }),
      { numRuns: 80, seed: 3 },
    );
  }, 60_000);
});

describe('CLI fuzz, through a real process', () => {
  const execFileAsync = promisify(execFile);

  /** The entry as a user starts it; resolves with the status instead of throwing on a non-zero exit. */
  async function spawnCli(argv: readonly string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, ['--import', 'tsx', 'cli/bin.ts', ...argv], { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0' }, timeout: 120_000 });
      return { status: 0, stdout, stderr, lastLine: stdout.trim().split('\n').pop() ?? '' };
    } catch (error) {
      const e = error as { code?: unknown; stdout?: string; stderr?: string };
      return { status: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: e.stderr ?? '', lastLine: '' };
    }
  }

  it('the inputs that used to crash reach stderr as one line, exit 2', async () => {
    const loss = tempFile(encodePlanFile({ ...validPlanFile(), plan: { ...validPlanFile().plan, network: { ...validPlanFile().plan.network, lossPerMille: 5000 } } }), 'json');
    const cases = [
      ['replay', '--plan', loss],
      ['shrink', '--seed', '1', '--bug', 'apply-beyond-commit', '--out', existingFile],
      ['replay', '--seed', '3', '--trace', '--width', '0'],
      ['run', '--seeds', '1', '--impl-cmd', 'node nothing.js', '--impl-timeout', 'abc'],
    ];
    const results = await Promise.all(cases.map((argv) => spawnCli(argv)));
    results.forEach((r, i) => {
      expect(r.status, r.stderr).toBe(2);
      expectWellBehaved(cases[i] ?? [], r);
    });
  }, 120_000);
});
