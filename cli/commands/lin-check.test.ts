import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { linCheckCommand, runLinCheck } from './lin-check.js';

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

describe('linCheckCommand', () => {
  it('parses files, --format choices and --json, and sets the exit code', async () => {
    const previous = process.exitCode;
    const writes: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      writes.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await yargs(['lin-check', '--json', '--format', 'jsonl', good]).command(linCheckCommand).strict().parseAsync();
      expect(process.exitCode).toBe(0);
    } finally {
      process.stdout.write = write;
      process.exitCode = previous;
    }
    expect(JSON.parse(writes.join(''))).toMatchObject({ file: good, linearizable: true, ops: 2 });
    const parseBadFormat = async (): Promise<string> => {
      try {
        await yargs(['lin-check', '--format', 'csv', good])
          .command(linCheckCommand)
          .strict()
          .fail((message) => {
            throw new Error(message);
          })
          .parseAsync();
      } catch (error) {
        return error instanceof Error ? error.message : 'error';
      }
      return 'parsed';
    };
    expect(await parseBadFormat()).toMatch(/Invalid values/);
  });
});
