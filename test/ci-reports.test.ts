/**
 * The reports a CI batch leaves: JUnit XML (checked with an independent XML parser, @xmldom/xmldom, which
 * throws on any warning or error) listing the failure classes of a planted bug, and the failure artifacts
 * (one complete, replayable folder per failure class), in-process.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { judgedProperties } from '../cli/junit.js';
import { runCliInProcess } from './cli-helpers.js';

interface Summary {
  runs: number;
  failed: number;
  classes: { signature: string; property: string; count: number; seeds: number[]; artifact?: string; timelineExcerpt?: string[] }[];
  artifacts?: string;
}

/** Parses strictly: any warning or error of the parser fails the test. */
function parseXml(text: string): Element {
  const doc = new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
  const root = doc.documentElement;
  if (root === null) throw new Error('no root element');
  return root;
}

const elements = (root: Element, name: string): Element[] => Array.from(root.getElementsByTagName(name));
const tempDir = (label: string): string => mkdtempSync(join(tmpdir(), `seaworthy-${label}-`));

describe('run --junit', () => {
  it('writes XML that parses, with a failing case per failure class of a planted bug and a passing case per property that held', async () => {
    const dir = tempDir('junit');
    const file = join(dir, 'nested', 'junit.xml');
    const r = await runCliInProcess(['run', '--seeds', '12', '--bug', 'early-ack', '--nodes', '3', '--jobs', '1', '--junit', file, '--artifacts', join(dir, 'art'), '--json']);
    expect(r.status).toBe(1);
    const s = JSON.parse(r.lastLine) as Summary;
    expect(s.classes.length).toBeGreaterThan(0);
    const root = parseXml(readFileSync(file, 'utf8'));
    expect(root.tagName).toBe('testsuites');
    const [suite] = elements(root, 'testsuite');
    const cases = elements(root, 'testcase');
    const failing = cases.filter((c) => c.getElementsByTagName('failure').length > 0);
    expect(failing.map((c) => c.getAttribute('name'))).toEqual(s.classes.map((c) => c.signature));
    expect(suite?.getAttribute('failures')).toBe(String(s.classes.length));
    expect(suite?.getAttribute('tests')).toBe(String(cases.length));
    const failed = new Set(s.classes.map((c) => c.property));
    expect(cases.filter((c) => c.getElementsByTagName('failure').length === 0).map((c) => c.getAttribute('name'))).toEqual(judgedProperties(false).filter((p) => !failed.has(p)));
    const first = s.classes[0];
    const text = failing[0]?.getElementsByTagName('failure')[0]?.textContent ?? '';
    expect(text).toContain(`repro: npx seaworthy replay --seed ${first?.seeds[0]}`);
    expect(text).toContain(`timeline of seed ${first?.seeds[0]}:`);
    // The excerpt ends at the violation.
    expect(text.trimEnd().split('\n').pop()).toMatch(new RegExp(`^✘ ${first?.property} at \\d+ ms`));
    expect(text).toContain(`${first?.artifact ?? '?'}/plan.json`);
  });

  it('gives a passing batch passing cases only, and escapes what it quotes', async () => {
    const file = join(tempDir('junit-pass'), 'junit.xml');
    const r = await runCliInProcess(['run', '--seeds', '3', '--nodes', '3', '--jobs', '1', '--safety-only', '--junit', file]);
    expect(r.status).toBe(0);
    const root = parseXml(readFileSync(file, 'utf8'));
    const cases = elements(root, 'testcase');
    expect(cases.map((c) => c.getAttribute('name'))).toEqual(judgedProperties(true));
    expect(root.getAttribute('failures')).toBe('0');
    expect(elements(root, 'failure')).toHaveLength(0);
  });
});

describe('run --junit, --json-file: a skipped batch', () => {
  it('still writes both reports: the batch is one skipped test case', async () => {
    const dir = tempDir('junit-skip');
    // Our core does not declare lease-read, which lease-skew requires: nothing runs.
    const r = await runCliInProcess(['run', '--scenario', 'lease-skew', '--seeds', '2', '--junit', join(dir, 'junit.xml'), '--json-file', join(dir, 'summary.json')]);
    expect(r.status).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { skipped: boolean }).skipped).toBe(true);
    const root = parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    expect(elements(root, 'testcase')).toHaveLength(1);
    expect(elements(root, 'skipped')).toHaveLength(1);
    expect(root.getAttribute('skipped')).toBe('1');
  });
});

describe('run: failure artifacts', () => {
  it('writes one complete folder per failure class, whose plan replays to the same violation', async () => {
    const dir = tempDir('artifacts');
    const r = await runCliInProcess(['run', '--seeds', '40', '--bug', 'apply-beyond-commit', '--jobs', '2', '--artifacts', dir, '--shrink', '--shrink-budget', '40', '--out', join(dir, 'shrunk'), '--json']);
    expect(r.status).toBe(1);
    const s = JSON.parse(r.lastLine) as Summary;
    expect(s.artifacts).toBe(dir);
    expect(s.classes.length).toBeGreaterThan(0);
    for (const c of s.classes) {
      const folder = c.artifact ?? '';
      expect(folder.startsWith(dir)).toBe(true);
      expect(readdirSync(folder).sort()).toEqual(['failure.html', 'plan.json', 'repro.txt', 'run.json', 'shrunk-plan.json', 'timeline.txt']);
      const run = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8')) as { seed: number; property: string; signature: string };
      expect([run.seed, run.property, run.signature]).toEqual([c.seeds[0], c.property, c.signature]);
      expect(readFileSync(join(folder, 'repro.txt'), 'utf8')).toContain(`replay --plan ${join(folder, 'plan.json')} --trace`);
      expect(readFileSync(join(folder, 'timeline.txt'), 'utf8')).toMatch(new RegExp(`✘ ${c.property} at \\d+ ms`));
      const replayed = await runCliInProcess(['replay', '--plan', join(folder, 'plan.json'), '--json']);
      expect(replayed.status).toBe(1);
      expect((JSON.parse(replayed.lastLine) as { violations: { property: string }[] }).violations[0]?.property).toBe(c.property);
      const shrunk = await runCliInProcess(['replay', '--plan', join(folder, 'shrunk-plan.json'), '--json']);
      expect((JSON.parse(shrunk.lastLine) as { violations: { property: string }[] }).violations[0]?.property).toBe(c.property);
    }
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toEqual(s);
  });

  it('writes nothing for a passing batch, nor with --no-artifacts', async () => {
    const dir = join(tempDir('artifacts-none'), 'out');
    expect((await runCliInProcess(['run', '--seeds', '2', '--nodes', '3', '--jobs', '1', '--artifacts', dir])).status).toBe(0);
    expect(existsSync(dir)).toBe(false);
    const r = await runCliInProcess(['run', '--seeds', '3', '--bug', 'early-ack', '--nodes', '3', '--jobs', '1', '--no-artifacts', '--json']);
    expect(r.status).toBe(1);
    expect((JSON.parse(r.lastLine) as Summary).classes.every((c) => c.artifact === undefined && c.timelineExcerpt === undefined)).toBe(true);
  });

  it('refuses an --artifacts path that cannot be a folder, before any seed runs', async () => {
    const r = await runCliInProcess(['run', '--seeds', '3', '--artifacts', 'package.json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^seaworthy: --artifacts: "package\.json" exists and is not a folder; expected a folder for the failure artifacts/);
  });
});
