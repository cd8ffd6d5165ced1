import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateRegisterHistory } from '../../properties/linearizability/generate.js';
import { UsageError } from '../errors.js';
import { main } from '../main.js';
import { runLinCheck } from './lin-check.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/porcupine');
const scratch = mkdtempSync(join(tmpdir(), 'lin-check-'));

function capture(): { out: { stdout(line: string): void; stderr(line: string): void }; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) }, stdout, stderr };
}

function file(name: string, lines: readonly string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const good = file('good.jsonl', [
  '{"process":0,"type":"invoke","f":"write","key":"x","value":3}',
  '{"process":0,"type":"ok","f":"write","key":"x","value":3}',
  '{"process":1,"type":"invoke","f":"read","key":"x","value":null}',
  '{"process":1,"type":"ok","f":"read","key":"x","value":3}',
]);

async function usageError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return 'no error';
}

describe('runLinCheck', () => {
  it('prints one JSON line per file and exits 1 when any is not linearizable', async () => {
    const { out, stdout } = capture();
    const files = [good, join(DATA, 'jepsen/etcd_002.log'), join(DATA, 'jepsen/etcd_000.log')];
    const code = await runLinCheck({ files, json: true }, out);
    expect(code).toBe(1);
    const rows = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((r) => [r.file, r.linearizable, r.ops])).toEqual([
      [good, true, 2],
      [files[1], true, 77],
      [files[2], false, 85],
    ]);
    for (const row of rows) expect(Object.keys(row)).toEqual(['file', 'linearizable', 'ops', 'ms']);
  });

  it('exits 0 when every file is linearizable, honouring --format', async () => {
    const { out, stdout } = capture();
    expect(await runLinCheck({ files: [join(DATA, 'kv/c01-ok.txt')], format: 'porcupine-kv', json: false }, out)).toBe(0);
    expect(stdout).toHaveLength(1);
    expect(stdout[0]).toContain('linearizable');
    expect(stdout[0]).toContain('c01-ok.txt');
  });

  it('explains a non-linearizable file in human output', async () => {
    const { out, stdout } = capture();
    expect(await runLinCheck({ files: [join(DATA, 'kv/c10-bad.txt')], json: false }, out)).toBe(1);
    const text = stdout.join('\n');
    expect(text).toContain('NOT linearizable');
    expect(text).toContain('cannot linearize process');
    expect(text).toContain('longest partial linearization');
  });

  it('throws a one-line UsageError for a missing file or a malformed line, before any output', async () => {
    const { out, stdout } = capture();
    const missing = join(scratch, 'missing.jsonl');
    expect(await usageError(runLinCheck({ files: [good, missing], json: false }, out))).toBe(`${missing}: cannot read the history: no such file`);
    const bad = file('bad.jsonl', [
      '{"process":0,"type":"invoke","f":"write","key":"x","value":3}',
      '{"process":0,"type":"ok","f":"write","key":"x","value":3}',
      '{"process":0,"type":"done","f":"read","key":"x","value":null}',
    ]);
    expect(await usageError(runLinCheck({ files: [bad], json: false }, out))).toBe(`${bad}:3: expected "type" to be invoke|ok|fail|info, got "done"`);
    expect(await usageError(runLinCheck({ files: [join(DATA, 'jepsen/etcd_000.log')], format: 'jsonl', json: false }, out))).toMatch(
      /etcd_000\.log:1: expected a JSON object, got invalid JSON/,
    );
    expect(stdout).toEqual([]);
  });
});

describe('lin-check on empty and undecidable histories (issue 9, items 4 and 6)', () => {
  it('refuses a history with no operations (exit 2) unless --allow-empty', async () => {
    const { out, stdout } = capture();
    const empty = file('empty.jsonl', []);
    const etcdEmpty = join(DATA, 'jepsen/etcd_095.log');
    expect(await usageError(runLinCheck({ files: [good, empty], json: false }, out))).toBe(
      `${empty}: the history has no operations (did the recorder write nothing?); pass --allow-empty to accept it`,
    );
    expect(await usageError(runLinCheck({ files: [etcdEmpty], json: true }, out))).toMatch(/etcd_095\.log: the history has no operations/);
    expect(stdout).toEqual([]);
    expect(await runLinCheck({ files: [empty, etcdEmpty], json: true, allowEmpty: true }, out)).toBe(0);
    expect(stdout.map((line) => (JSON.parse(line) as { ops: number }).ops)).toEqual([0, 0]);
  });

  /** A single-key history with 100 clients and a third of its operations crashed: the search cannot decide it at once. */
  const hard = file(
    'hard.jsonl',
    generateRegisterHistory({ operations: 800, keys: 1, clients: 100, crashPerMille: 300, values: 100, ticksMax: 300, seed: 1 }).map((e) => JSON.stringify(e)),
  );
  /** A clock that jumps a second per reading: the first deadline poll finds the time limit passed. */
  const jumpingClock = (): (() => number) => {
    let ms = 0;
    return () => (ms += 1000);
  };

  it('answers unknown within --timeout and exits 3, naming the time limit', async () => {
    const { out, stdout } = capture();
    const code = await runLinCheck({ files: [good, hard], json: false, timeoutSeconds: 1.5, nowMs: jumpingClock() }, out);
    expect(code).toBe(3);
    expect(stdout[1]).toContain('unknown');
    expect(stdout[2]).toMatch(/^ {2}unknown: not decided within --timeout 1\.5 s \(\d+ steps, \d+ work units\)$/);
    expect(stdout[stdout.length - 1]).toBe('    allow more time with --timeout SECONDS to decide');
    const json = capture();
    expect(await runLinCheck({ files: [hard], json: true, timeoutSeconds: 1.5, nowMs: jumpingClock() }, json.out)).toBe(3);
    expect(JSON.parse(json.stdout[0] as string)).toMatchObject({ file: hard, linearizable: 'unknown', undecidedBy: 'timeout' });
  });

  it('exits 1, not 3, when one file is undecided and another is not linearizable', async () => {
    const { out } = capture();
    const files = [hard, join(DATA, 'jepsen/etcd_000.log')];
    expect(await runLinCheck({ files, json: true, timeoutSeconds: 1.5, nowMs: jumpingClock() }, out)).toBe(1);
  });
});

describe('linCheckCommand', () => {
  it('parses files, --format choices, --json, --timeout and --allow-empty through main()', async () => {
    const run = async (argv: readonly string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> => {
      const { out, stdout, stderr } = capture();
      const code = await main(argv, { ...out, interactive: false });
      return { code, stdout, stderr };
    };
    const ok = await run(['lin-check', '--json', '--format', 'jsonl', '--timeout', '5', good]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout.join(''))).toMatchObject({ file: good, linearizable: true, ops: 2 });
    const badFormat = await run(['lin-check', '--format', 'csv', good]);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr.join('\n')).toMatch(/Invalid values/);
    for (const timeout of ['abc', '-1', '']) {
      const bad = await run(['lin-check', '--timeout', timeout, good]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toEqual([`seaworthy: expected --timeout to be a number of seconds (0 for no limit), got ${JSON.stringify(timeout)}`]);
      expect(bad.stdout).toEqual([]);
    }
    const empty = file('empty-cli.jsonl', []);
    expect((await run(['lin-check', empty])).code).toBe(2);
    expect((await run(['lin-check', '--allow-empty', empty])).code).toBe(0);
  });
});
