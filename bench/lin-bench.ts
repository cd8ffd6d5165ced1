/**
 * `npm run bench:lin`: linearizability checker timings. Parsing is excluded from every figure. Prints tables
 * and never fails (verdicts that differ from expected.tsv are flagged in the table, not thrown).
 *
 * Reference (README of the shared data): Porcupine takes ~535 ms for all 102 etcd logs, 139 ms for kv c50-ok,
 * and runs out of memory explaining c50-bad.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOperations } from '../properties/linearizability/checker.js';
import type { HistoryEvent } from '../properties/linearizability/history.js';
import { registerMapModel } from '../properties/linearizability/models/register-map.js';
import { pairNativeEvents } from '../properties/linearizability/native.js';
import { checkParsed, parseHistory } from '../properties/linearizability/parse/index.js';
import type { ParsedHistory } from '../properties/linearizability/parse/index.js';
import type { LinResult } from '../properties/linearizability/result.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '../../shared/data/porcupine');

interface Row {
  readonly name: string;
  readonly ops: number;
  readonly verdict: string;
  readonly steps: number;
  readonly ms: number;
  readonly note: string;
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

function table(title: string, rows: readonly Row[]): void {
  console.log(`\n${title}`);
  const header = ['history', 'ops', 'verdict', 'steps', 'ms', ''];
  const cells = rows.map((r) => [r.name, String(r.ops), r.verdict, String(r.steps), r.ms.toFixed(2), r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]): string => c.map((x, i) => (i === 0 || i === 2 || i === 5 ? x.padEnd(widths[i] as number) : x.padStart(widths[i] as number))).join('  ');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
}

function row(name: string, result: LinResult, ms: number, expectedLinearizable?: boolean): Row {
  let note = '';
  if (expectedLinearizable !== undefined && (result.verdict === 'linearizable') !== expectedLinearizable) note = 'MISMATCH';
  if (result.verdict === 'unknown') note = 'UNDECIDED';
  if (result.verdict === 'not-linearizable') note = result.explanation === undefined ? 'NO EXPLANATION' : 'explained';
  return { name, ops: result.ops, verdict: result.verdict, steps: result.steps, ms, note };
}

// ---- shared corpus ------------------------------------------------------------------------------------
const expected = readFileSync(join(DATA, 'expected.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const [file, verdict] = l.split('\t') as [string, string];
    return { file, linearizable: verdict === 'linearizable', history: parseHistory(readFileSync(join(DATA, file), 'utf8')) };
  });
const etcd = expected.filter((e) => e.file.startsWith('jepsen/'));
const kv = expected.filter((e) => e.file.startsWith('kv/'));

function pass(entries: readonly { file: string; linearizable: boolean; history: ParsedHistory }[]): { rows: Row[]; ms: number } {
  const rows = entries.map((e) => {
    const { value, ms } = timed(() => checkParsed(e.history));
    return row(e.file, value, ms, e.linearizable);
  });
  return { rows, ms: rows.reduce((sum, r) => sum + r.ms, 0) };
}

const firstEtcd = pass(etcd);
const sortedEtcd = [...firstEtcd.rows].sort((a, b) => b.ms - a.ms);
table('etcd logs, first (cold) pass — slowest 12 of 102', sortedEtcd.slice(0, 12));
const medianMs = [...firstEtcd.rows].sort((a, b) => a.ms - b.ms)[Math.floor(firstEtcd.rows.length / 2)]?.ms ?? 0;
const warm = [1, 2, 3, 4, 5].map(() => pass(etcd).ms);
const decided = firstEtcd.rows.filter((r) => r.verdict !== 'unknown').length;
const mismatches = firstEtcd.rows.filter((r) => r.note === 'MISMATCH').length;
const explained = firstEtcd.rows.filter((r) => r.note === 'explained').length;
console.log(`\nall 102 etcd logs: cold ${firstEtcd.ms.toFixed(1)} ms, warm best ${Math.min(...warm).toFixed(1)} ms (Porcupine ~535 ms)`);
console.log(`  median file ${medianMs.toFixed(2)} ms; decided ${String(decided)}/102; mismatches ${String(mismatches)}; not linearizable and explained ${String(explained)}`);

/** Element-wise fastest of several passes: the machine may be shared, so the minimum is the stable figure. */
function bestOf(runs: number, once: () => Row[]): Row[] {
  let best = once();
  for (let i = 1; i < runs; i++) best = once().map((r, j) => ((best[j] as Row).ms <= r.ms ? (best[j] as Row) : r));
  return best;
}

table('kv histories, first pass (partitioned by key; Porcupine: c50-ok 139 ms, c50-bad 24 ms, c50-bad explanation OOM)', pass(kv).rows);
table('kv histories, best of 5 passes', bestOf(5, () => pass(kv).rows));

// ---- generated histories ------------------------------------------------------------------------------
/** xorshift32: a fixed-seed stream, so every run benchmarks the same histories. */
function rng(seed: number): (bound: number) => number {
  let x = seed | 0 || 1;
  return (bound) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % bound;
  };
}

/**
 * A linearizable-by-construction register-map history: `clients` processes, operations of 1-20 ticks with a
 * linearization point inside, reads / writes / cas on `keys` keys, a few crashed (info) operations.
 */
function generate(opCount: number, keys: number, clients: number, seed: number, infoPerMille: number): HistoryEvent[] {
  const next = rng(seed);
  const free = new Array<number>(clients).fill(0);
  interface Planned {
    readonly process: number;
    readonly f: 'read' | 'write' | 'cas';
    readonly key: string;
    readonly value: number;
    readonly expected: number;
    readonly call: number;
    readonly ret: number;
    readonly at: number;
    readonly info: boolean;
    readonly takesEffect: boolean;
  }
  const planned: Planned[] = [];
  let now = 0;
  for (let i = 0; i < opCount; i++) {
    now += next(3) === 0 ? 1 : 0;
    const process = next(clients);
    const start = Math.max(now, free[process] as number);
    const ticks = 1 + next(20);
    free[process] = start + ticks + 1;
    const pick = next(10);
    const info = next(1000) < infoPerMille;
    planned.push({
      process,
      f: pick < 5 ? 'read' : pick < 8 ? 'write' : 'cas',
      key: `k${String(next(keys))}`,
      value: next(5),
      expected: next(5),
      call: start * 4 + 1,
      ret: (start + ticks) * 4 + 2,
      at: (start + next(ticks)) * 4 + 3,
      info,
      takesEffect: next(2) === 0,
    });
  }
  const state = new Map<string, number>();
  const events: { at: number; order: number; event: HistoryEvent }[] = [];
  const byPoint = planned.map((p, i) => ({ p, i })).sort((a, b) => a.p.at - b.p.at || a.i - b.i);
  for (const { p, i } of byPoint) {
    const current = state.get(p.key) ?? null;
    const effective = !p.info || p.takesEffect;
    let type: 'ok' | 'fail' | 'info' = p.info ? 'info' : 'ok';
    let value: unknown = null;
    if (p.f === 'read') value = p.info ? null : current;
    else if (p.f === 'write') {
      value = p.value;
      if (effective) state.set(p.key, p.value);
    } else {
      value = [p.expected, p.value];
      if (current === p.expected) {
        if (effective) state.set(p.key, p.value);
      } else if (!p.info) type = 'fail';
    }
    const invokeValue = p.f === 'read' ? null : p.f === 'write' ? p.value : [p.expected, p.value];
    events.push({ at: p.call, order: i, event: { process: p.process, type: 'invoke', f: p.f, key: p.key, value: invokeValue } });
    events.push({ at: p.ret, order: i, event: { process: p.process, type, f: p.f, key: p.key, value } });
  }
  return events.sort((a, b) => a.at - b.at || a.order - b.order).map((e) => e.event);
}

/** Generates until at least `size` operations survive pairing (failed cas and crashed reads are dropped). */
function scaling(title: string, sizes: readonly number[], keys: number, clients: number, infoPerMille: number): void {
  const rows: Row[] = [];
  for (const size of sizes) {
    let invocations = size;
    let ops = pairNativeEvents(generate(invocations, keys, clients, 0x5ea + size, infoPerMille));
    while (ops.length < size) {
      invocations = Math.ceil((invocations * size) / ops.length) + 10;
      ops = pairNativeEvents(generate(invocations, keys, clients, 0x5ea + size, infoPerMille));
    }
    const open = ops.filter((op) => op.ret === null).length;
    const name = `${String(size / 1000)}k ops (${String(open)} open)`;
    rows.push(...bestOf(2, () => [timed(() => checkOperations(registerMapModel, ops))].map(({ value, ms }) => row(name, value, ms, true))));
  }
  table(title, rows);
}

scaling('scaling, best of 2: 100 keys, 20 clients, 0.5% crashed ops (target: 100k ops < 1 s)', [1_000, 10_000, 100_000], 100, 20, 5);
scaling('scaling, best of 2: one key, 10 clients, no crashes', [1_000, 10_000, 100_000], 1, 10, 0);
scaling('scaling, best of 2: one key, 10 clients, 0.1% crashed ops (each stays open to the end)', [1_000, 10_000, 100_000], 1, 10, 1);
