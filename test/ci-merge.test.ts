/**
 * `seaworthy merge`: the merge of the four shard summaries of a batch equals the unsharded batch's summary,
 * wall time aside, failure classes de-duplicated across shards; one JUnit report for all; bad inputs are one
 * line and exit 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

type Json = Record<string, unknown>;

/** The summary without what a merge cannot equal: wall times (the batch's, each shrink's), and the merge's own description. */
function comparable(summary: Json): Json {
  const { wallMs: _wall, merged: _merged, ...rest } = summary;
  const shrunk = (rest.shrunk as Json[] | undefined)?.map(({ shrinkMs: _shrinkMs, ...report }) => report);
  return { ...rest, shrunk };
}

describe('merge', () => {
  it('merges the four shards of a batch into the unsharded summary (wall time aside), with one JUnit report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seaworthy-merge-'));
    const art = join(dir, 'artifacts');
    const batch = ['run', '--seeds', '40', '--seed-start', '1', '--bug', 'no-truncate', '--jobs', '1', '--artifacts', art, '--shrink', '--shrink-budget', '20', '--out', join(dir, 'shrunk')];
    const whole = JSON.parse((await runCliInProcess([...batch, '--json'])).lastLine) as Json & { classes: unknown[]; shrunk: unknown[] };
    expect(whole.classes.length).toBeGreaterThan(1);
    const files: string[] = [];
    for (let k = 1; k <= 4; k++) {
      const file = join(dir, `shard-${k}.json`);
      const r = await runCliInProcess([...batch, '--shard', `${k}/4`, '--json-file', file]);
      expect([0, 1]).toContain(r.status);
      files.push(file);
    }
    // Shard order on the command line does not matter.
    const merged = await runCliInProcess(['merge', files[2] ?? '', files[0] ?? '', files[3] ?? '', files[1] ?? '', '--junit', join(dir, 'merged.xml'), '--json']);
    expect(merged.status).toBe(1);
    const summary = JSON.parse(merged.lastLine) as Json & { merged: Json };
    expect(summary.merged).toEqual({ summaries: 4, shardCount: 4, missingShards: [], complete: true });
    expect(comparable(summary)).toEqual(comparable(whole));
    const xml = new DOMParser({ onError: (level, message) => { throw new Error(`XML ${level}: ${message}`); } }).parseFromString(readFileSync(join(dir, 'merged.xml'), 'utf8'), 'text/xml');
    expect(Array.from(xml.getElementsByTagName('failure'))).toHaveLength(whole.classes.length);
  });

  it('reports missing shards, and refuses overlapping, foreign or malformed summaries with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seaworthy-merge-bad-'));
    const base = ['run', '--seeds', '8', '--nodes', '3', '--jobs', '1'];
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    await runCliInProcess([...base, '--shard', '1/3', '--json-file', one]);
    await runCliInProcess([...base, '--shard', '3/3', '--json-file', two]);
    const partial = await runCliInProcess(['merge', one, two]);
    expect(partial.status).toBe(0);
    expect(partial.stdout).toContain('⚠ shard 2 of 3 missing');
    const again = await runCliInProcess(['merge', one, one]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^seaworthy: .* cover overlapping seeds/);
    const other = join(dir, 'other.json');
    await runCliInProcess(['run', '--seeds', '2', '--seed-start', '100', '--nodes', '5', '--jobs', '1', '--json-file', other]);
    expect((await runCliInProcess(['merge', one, other])).stderr).toMatch(/^seaworthy: cannot merge runs of different targets: nodes 3 in .*, 5 in /);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"runs": "many"}\n');
    const refused = await runCliInProcess(['merge', one, bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^seaworthy: bad summary file ".*bad\.json": version: /);
    expect((await runCliInProcess(['merge', join(dir, 'absent.json')])).stderr).toMatch(/no such file/);
  });
});
