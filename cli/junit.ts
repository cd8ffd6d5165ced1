/**
 * A batch's summary as JUnit XML (`run --junit FILE`, `merge --junit FILE`), the report every CI renders.
 * One test suite per scenario; in it one test case per failure class (named by its signature, failing with
 * its repro, its artifacts folder and the first and last lines of its timeline), and a passing test case
 * per property that no seed violated, so a passing batch shows what it checked. Built with fast-xml-parser's
 * builder, which escapes every attribute and text.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { SAFETY_PROPERTIES } from '../properties/safety.js';
import type { RunSummary } from './commands/run.js';

/** The summary fields the report reads; `classes` may carry the evidence fields `run` adds. */
export type JunitSummary = Pick<RunSummary, 'version' | 'runs' | 'failed' | 'seedStart' | 'scenario' | 'nodes' | 'bug' | 'implementation' | 'wallMs' | 'interrupted' | 'implementationErrors' | 'determinism' | 'shard' | 'timeBudget' | 'unfinishedSeeds' | 'safetyOnly' | 'skipped'> & {
  readonly classes: readonly JunitClass[];
};

/** A failure class as the report needs it. */
export interface JunitClass {
  readonly signature: string;
  readonly property: string;
  readonly count: number;
  readonly seeds: readonly number[];
  readonly repro: string;
  readonly artifact?: string;
  readonly timelineExcerpt?: readonly string[];
}

/** The properties every run judges, in catalogue order: a passing case each unless a class violated it. */
export function judgedProperties(safetyOnly: boolean): string[] {
  return [...SAFETY_PROPERTIES.map((p) => p.name), 'linearizability', ...(safetyOnly ? [] : ['liveness'])];
}

/** XML 1.0 allows no control characters but tab, newline and carriage return; a message could carry any. */
function xmlText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '�');
}

function failureText(c: JunitClass, runs: number): string {
  const more = c.count > c.seeds.length ? `, … ${c.count - c.seeds.length} more` : '';
  return xmlText(
    [
      `${c.count} of ${runs} seeds failed this way: seeds ${c.seeds.join(', ')}${more}`,
      `repro: ${c.repro}`,
      ...(c.artifact === undefined ? [] : [`artifacts: ${c.artifact} (plan.json replays with: npx seaworthy replay --plan ${c.artifact}/plan.json --trace)`]),
      ...(c.timelineExcerpt === undefined || c.timelineExcerpt.length === 0 ? [] : ['', `timeline of seed ${c.seeds[0] ?? '?'}:`, ...c.timelineExcerpt]),
    ].join('\n'),
  );
}

type XmlNode = Record<string, unknown>;

function testCases(s: JunitSummary, classname: string): XmlNode[] {
  const failing = new Set(s.classes.map((c) => c.property));
  const passing = judgedProperties(s.safetyOnly === true)
    .filter((p) => !failing.has(p))
    .map((p) => ({ '@_classname': classname, '@_name': p, '@_time': '0' }));
  const failures = s.classes.map((c) => ({
    '@_classname': classname,
    '@_name': xmlText(c.signature),
    '@_time': '0',
    failure: { '@_message': xmlText(c.signature), '@_type': c.property, '#text': failureText(c, s.runs) },
  }));
  const extra: XmlNode[] = [];
  if (s.determinism !== undefined && s.determinism.nondeterministic.length > 0) {
    const text = s.determinism.nondeterministic.map((n) => n.message).join('\n');
    extra.push({ '@_classname': classname, '@_name': 'determinism', '@_time': '0', failure: { '@_message': `${s.determinism.nondeterministic.length} rerun seeds gave a different trace hash`, '@_type': 'determinism', '#text': xmlText(text) } });
  }
  if (s.interrupted) {
    extra.push({ '@_classname': classname, '@_name': 'batch', '@_time': '0', error: { '@_message': `interrupted after ${s.runs} seeds: the batch did not finish`, '@_type': 'interrupted' } });
  }
  if (s.skipped === true) {
    extra.push({ '@_classname': classname, '@_name': 'batch', '@_time': '0', skipped: { '@_message': 'the scenario needs a capability the implementation lacks: nothing ran' } });
  }
  return [...failures, ...(s.skipped === true ? [] : passing), ...extra];
}

function properties(s: JunitSummary): XmlNode[] {
  const entries: [string, string][] = [
    ['seaworthy.version', s.version],
    ['seedStart', String(s.seedStart)],
    ['runs', String(s.runs)],
    ['scenario', s.scenario],
    ['nodes', s.nodes === null ? 'drawn per seed' : String(s.nodes)],
    ['implementation', s.implementation],
  ];
  if (s.bug !== null) entries.push(['bug', s.bug]);
  if (s.shard !== undefined) entries.push(['shard', `${s.shard.index}/${s.shard.count}`], ['batchSeedStart', String(s.shard.batchSeedStart)]);
  if (s.timeBudget !== undefined) entries.push(['timeBudgetMs', String(s.timeBudget.ms)], ['timeBudgetSpent', String(s.timeBudget.spent)]);
  if (s.unfinishedSeeds !== undefined) entries.push(['unfinishedSeeds', s.unfinishedSeeds.join(',')]);
  return entries.map(([name, value]) => ({ '@_name': name, '@_value': xmlText(value) }));
}

/** The JUnit XML document of a summary (UTF-8, with its XML declaration). */
export function junitXml(s: JunitSummary): string {
  const classname = `seaworthy.${s.scenario}`;
  const cases = testCases(s, classname);
  const count = (key: string): number => cases.filter((c) => key in c).length;
  const counts = { '@_tests': String(cases.length), '@_failures': String(count('failure')), '@_errors': String(count('error')), '@_skipped': String(count('skipped')), '@_time': (s.wallMs / 1000).toFixed(3) };
  const suite = {
    '@_name': `seaworthy run: scenario ${s.scenario}${s.shard === undefined ? '' : ` (shard ${s.shard.index}/${s.shard.count})`}`,
    ...counts,
    properties: { property: properties(s) },
    testcase: cases,
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
  return builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, testsuites: { '@_name': 'seaworthy', ...counts, testsuite: [suite] } }) as string;
}
