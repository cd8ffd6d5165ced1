/**
 * The CLI as users script it: exit codes, one-line errors, JSON last lines. Most cases run in-process
 * through `main(argv, io)`; the last block goes through a real process to cover the entry itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printShrinkReport, shrinkAndSave } from '../cli/commands/shrink.js';
import type { Io } from '../cli/io.js';
import { resolveTarget } from '../cli/target.js';
import { decodePlanFile } from '../scenarios/plan-file.js';
import { runCli, runCliInProcess } from './cli-helpers.js';
import type { CliResult } from './cli-helpers.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const tmp = mkdtempSync(join(tmpdir(), 'seaworthy-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A seed that apply-beyond-commit fails on (its first failing seed). */
const FAILING_SEED = 1;

function expectOneLine(r: CliResult, mentions: string): void {
  const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('npm warn'));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(mentions);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

async function expectUsageError(args: readonly string[], mentions: string): Promise<CliResult> {
  const r = await runCliInProcess(args);
  expect(r.crashed, r.stderr).toBe(false);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  expectOneLine(r, mentions);
  return r;
}

describe('seaworthy CLI, in-process', () => {
  it('run --json ends with a summary line, carries the version and exits 0 on a clean pass', async () => {
    const r = await runCliInProcess(['run', '--seeds', '5', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.lastLine) as Record<string, unknown>;
    expect(summary).toMatchObject({ runs: 5, failed: 0, failures: [], version: packageVersion });
    for (const field of ['events', 'simulatedMs', 'wallMs', 'faults']) expect(summary).toHaveProperty(field);
  });

  it('run --jobs gives the same summary on worker threads as on one thread', async () => {
    const one = await runCliInProcess(['run', '--seeds', '16', '--bug', 'early-ack', '--jobs', '1', '--json']);
    const two = await runCliInProcess(['run', '--seeds', '16', '--bug', 'early-ack', '--jobs', '2', '--json']);
    expect(one.status, one.stderr).toBe(1);
    expect(two.status, two.stderr).toBe(1);
    const strip = (line: string): unknown => {
      const { wallMs: _wallMs, ...rest } = JSON.parse(line) as { wallMs: number };
      return rest;
    };
    expect(strip(two.lastLine)).toEqual(strip(one.lastLine));
  });

  it('run exits 1 and names the seed and property when a planted bug is caught', async () => {
    const r = await runCliInProcess(['run', '--seeds', '30', '--bug', 'early-ack', '--json', '--jobs', '1']);
    expect(r.status).toBe(1);
    const summary = JSON.parse(r.lastLine) as { failed: number; failures: { seed: number; property: string; message: string }[] };
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.failures[0]).toHaveProperty('seed');
    // commit-quorum (an entry applied before a majority stores it) is where an early ack is seen first on some sizes.
    expect(summary.failures[0]?.property).toMatch(/safety|completeness|durability|matching|linearizability|commit-quorum/);
  });

  it('replay --trace prints a timeline and the trace hash', async () => {
    const r = await runCliInProcess(['replay', '--seed', '3', '--trace', '--nodes', '3']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('becomes leader');
    expect(r.stdout).toMatch(/trace hash [0-9a-f]{16}/);
  });

  it('replay --trace cuts the timeline to the terminal width, or to --width', async () => {
    const timeline = (r: CliResult): string[] => r.stdout.split('\n').filter((l) => l.includes('│'));
    const terminal = await runCliInProcess(['replay', '--seed', '3', '--trace', '--nodes', '3'], { columns: 60 });
    expect(timeline(terminal).length).toBeGreaterThan(10);
    for (const line of timeline(terminal)) expect(line.length).toBeLessThanOrEqual(60);
    const flag = await runCliInProcess(['replay', '--seed', '3', '--trace', '--nodes', '3', '--width', '50'], { columns: 60 });
    for (const line of timeline(flag)) expect(line.length).toBeLessThanOrEqual(50);
    const unlimited = await runCliInProcess(['replay', '--seed', '3', '--trace', '--nodes', '3']);
    expect(Math.max(...timeline(unlimited).map((l) => l.length))).toBeGreaterThan(60);
  });

  it('bugs --json lists the planted bugs', async () => {
    const r = await runCliInProcess(['bugs', '--json']);
    expect(r.status).toBe(0);
    const bugs = JSON.parse(r.lastLine) as { name: string }[];
    expect(bugs.map((b) => b.name)).toEqual(expect.arrayContaining(['double-vote', 'figure8-commit', 'no-truncate', 'forget-vote', 'early-ack']));
  });

  it('--version prints the package version, with or without a command; --help lists the commands', async () => {
    for (const args of [['--version'], ['run', '--version']]) {
      const r = await runCliInProcess(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(packageVersion);
    }
    const help = await runCliInProcess(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('seaworthy replay');
    expect(help.stdout).toContain('--version');
  });

  it('rejects bad input with one line and exit 2', async () => {
    await expectUsageError(['run', '--seeds', 'abc'], '--seeds');
    await expectUsageError(['run', '--seeds', '0'], '--seeds');
    await expectUsageError(['run', '--seeds', '2', '--frobnicate'], 'frobnicate');
    await expectUsageError(['run', '--seeds', '2', '--scenario', 'nope'], 'unknown scenario');
    await expectUsageError(['run', '--seeds', '2', '--bug', 'nope'], 'unknown bug');
    await expectUsageError(['run', '--seeds', '2', '--nodes', '8'], '--nodes');
    await expectUsageError(['run', '--seeds', '2', '--nodes', '0'], '--nodes expects a whole number of nodes from 1 to 7');
    await expectUsageError(['replay', '--seed', '-1'], '--seed');
    await expectUsageError(['replay'], 'seed');
    await expectUsageError(['launch'], 'launch');
    await expectUsageError([], 'expected a command');
    await expectUsageError(['run', '--seeds', '2', '--jobs', '0'], '--jobs');
    await expectUsageError(['rnu'], 'unknown command "rnu"; did you mean run?');
    await expectUsageError(['bugs', '--allow-empty'], 'Unknown argument: allow-empty');
  });

  it('refuses a flag given twice instead of passing an array on', async () => {
    await expectUsageError(['run', '--seeds', '1', '--seeds', '2'], '--seeds was given 2 times (1, 2); give it once');
    await expectUsageError(['lin-check', '--timeout', '0', '--timeout', '0', 'x.jsonl'], '--timeout was given 2 times');
  });

  it('refuses --width 0, negative and non-numeric widths', async () => {
    for (const width of ['0', '-5', 'abc', '12.5']) {
      await expectUsageError(['replay', '--seed', '3', '--trace', '--width', width], '--width expects a whole number of columns from 40');
      await expectUsageError(['shrink', '--seed', '3', '--width', width], '--width');
    }
  });

  it('--impl-timeout quotes what was typed, not "null"', async () => {
    const r = await expectUsageError(['run', '--seeds', '1', '--impl-cmd', 'node nothing.js', '--impl-timeout', 'abc'], '--impl-timeout');
    expect(r.stderr).toContain('"abc"');
    expect(r.stderr).not.toContain('null');
  });
});

describe('replay --plan, in-process', () => {
  const planPath = join(tmp, 'plan.json');
  const savedPlan = {
    format: 'seaworthy-plan',
    version: 1,
    seed: 4,
    scenario: 'random',
    nodes: 3,
    bug: null,
    implementation: 'seaworthy-core',
    safetyOnly: true,
    property: null,
    traceHash: '',
    plan: {
      network: { latencyMsMin: 1, latencyMsMax: 3, lossPerMille: 0, duplicatePerMille: 0, longDelayPerMille: 0, longDelayMsMax: 0 },
      plan: { events: [{ atMs: 100, kind: 'crash', node: 2 }, { atMs: 300, kind: 'restart', node: 2 }] },
      knobs: {},
    },
  };

  it('replays a hand-written plan', async () => {
    writeFileSync(planPath, JSON.stringify(savedPlan));
    const r = await runCliInProcess(['replay', '--plan', planPath, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.lastLine)).toMatchObject({ seed: 4, nodes: 3, ok: true });
  });

  it('refuses a hand-edited knob out of range with its path and range, before anything runs', async () => {
    const path = join(tmp, 'loss.json');
    writeFileSync(path, JSON.stringify({ ...savedPlan, plan: { ...savedPlan.plan, network: { ...savedPlan.plan.network, lossPerMille: 5000 } } }));
    const r = await expectUsageError(['replay', '--plan', path], 'plan.network.lossPerMille: expected a whole number in 0..1000, got 5000');
    expect(r.stdout).toBe('');
  });

  it('names the plan file field when its scenario or bug is unknown, not a flag the user did not type', async () => {
    const scenario = join(tmp, 'scenario.json');
    writeFileSync(scenario, JSON.stringify({ ...savedPlan, scenario: 'meteor-strike' }));
    const r = await expectUsageError(['replay', '--plan', scenario], 'scenario: expected one of random,');
    expect(r.stderr).toContain('got "meteor-strike"');
    expect(r.stderr).not.toContain('--scenario');
    const bug = join(tmp, 'bug.json');
    writeFileSync(bug, JSON.stringify({ ...savedPlan, bug: 'gremlin' }));
    await expectUsageError(['replay', '--plan', bug], 'bug: expected null or one of');
  });

  it('refuses --seed, --scenario, --bug and --nodes together with --plan instead of ignoring them', async () => {
    writeFileSync(planPath, JSON.stringify(savedPlan));
    await expectUsageError(['replay', '--plan', planPath, '--seed', '9'], '--seed cannot be combined with --plan');
    await expectUsageError(['replay', '--plan', planPath, '--scenario', 'random'], '--scenario cannot be combined with --plan');
    await expectUsageError(['replay', '--plan', planPath, '--bug', 'early-ack'], '--bug cannot be combined with --plan');
    await expectUsageError(['replay', '--plan', planPath, '--nodes', '5'], '--nodes cannot be combined with --plan');
  });
});

describe('shrink output, in-process', () => {
  it('refuses --out naming an existing regular file before shrinking anything', async () => {
    const file = join(tmp, 'not-a-folder');
    writeFileSync(file, 'precious');
    const r = await expectUsageError(['shrink', '--seed', String(FAILING_SEED), '--bug', 'apply-beyond-commit', '--out', file], 'exists and is not a folder');
    expect(r.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe('precious');
    await expectUsageError(['shrink', '--seed', String(FAILING_SEED), '--bug', 'apply-beyond-commit', '--out', join(file, 'below')], 'is not a folder');
    await expectUsageError(['run', '--seeds', '2', '--shrink', '--out', file], 'exists and is not a folder');
  });

  it('saves into a new folder it creates', async () => {
    const out = join(tmp, 'new', 'folder');
    const r = await runCliInProcess(['shrink', '--seed', String(FAILING_SEED), '--bug', 'apply-beyond-commit', '--out', out, '--shrink-budget', '3', '--json']);
    expect(r.status, r.stderr).toBe(1);
    const report = JSON.parse(r.lastLine) as { file: string; saved: boolean };
    expect(report.saved).toBe(true);
    expect(decodePlanFile(readFileSync(report.file, 'utf8')).ok).toBe(true);
  });

  it('prints a finished result that cannot be written instead of losing it', async () => {
    // The folder check passed earlier, then the location stopped being writable (here: a file is in the way).
    const blocked = join(tmp, 'blocked');
    writeFileSync(blocked, '');
    const target = await resolveTarget({ nodes: 5, scenario: undefined, bug: 'apply-beyond-commit', safetyOnly: false });
    const shrunk = shrinkAndSave(target, FAILING_SEED, { outDir: blocked, budget: 2, progress: false });
    expect(shrunk).not.toBeNull();
    if (shrunk === null) return;
    expect(shrunk.report.saved).toBe(false);
    expect(shrunk.report.saveError).toMatch(/EEXIST|ENOTDIR/);
    expect(shrunk.report.planFile?.plan).toEqual(shrunk.outcome.minimal);
    const out: string[] = [];
    const io: Io = { stdout: (line) => out.push(line), stderr: () => undefined, interactive: false };
    printShrinkReport(shrunk.report, shrunk.outcome, io, { width: 0, nodeCount: 5 });
    const text = out.join('\n');
    expect(text).toContain('could not save');
    const printed = text.slice(text.indexOf('{\n'), text.lastIndexOf('\n}') + 2);
    const decoded = decodePlanFile(printed);
    expect(decoded.ok).toBe(true);
  });
});

describe('seaworthy CLI, through a real process', () => {
  it('--version and a usage error reach the terminal as one line each, with the right exit code', () => {
    const version = runCli(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(packageVersion);
    const bad = runCli(['run', '--seeds', 'abc']);
    expect(bad.status).toBe(2);
    expectOneLine(bad, '--seeds');
  });

  it('run --json exits 1 on a planted bug with the summary as the last line', () => {
    const r = runCli(['run', '--seeds', '10', '--bug', 'apply-beyond-commit', '--json', '--jobs', '1']);
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.lastLine)).toMatchObject({ runs: 10, version: packageVersion });
  });
});
