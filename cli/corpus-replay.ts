/**
 * `seaworthy replay --corpus DIR`: a regression corpus. Every plan file under DIR (at any depth: a failure
 * artifacts folder can be copied in whole) is replayed, and its verdict compared with the one the file
 * records: `"property": null` means every property must hold, a property name means that property must
 * still be the first one violated. A changed verdict fails the corpus (exit 1): a fixed bug stays fixed,
 * and a planted one stays caught. Trace hashes are reported but not judged, since they change whenever the
 * simulator or the implementation does, deliberately or not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import chalk from 'chalk';
import { runSeed } from '../scenarios/run-seed.js';
import { PLAN_FILE_FORMAT } from '../scenarios/plan-file.js';
import { missingCapabilities } from './adapters/capabilities.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { loadPlanFile, targetArgsFromPlan } from './plan-load.js';
import { resolveTarget } from './target.js';
import type { TargetArgs } from './target.js';
import { runSeedWatched } from './watched-seed.js';

/** One corpus plan's replay. */
export interface CorpusReplay {
  readonly file: string;
  readonly seed: number;
  /** The verdict the file records: the first violated property, or null for "every property holds". */
  readonly expected: string | null;
  /** The verdict now; undefined when the plan was skipped (`skipped` says why). */
  readonly got?: string | null;
  readonly ok: boolean;
  readonly savedTraceHash: string;
  readonly traceHash?: string;
  readonly skipped?: string;
}

/** Corpus plans replayed at most: a folder with more is a mistake (a home folder?), not a corpus. */
export const CORPUS_PLANS_MAX = 10_000;

/** The plan files under `dir`, in path order; other files (run.json, summary.json, notes) are passed over. */
export function corpusPlanFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--corpus ${JSON.stringify(dir)}: ${code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : String(code ?? error)}; expected a folder of plan files`);
  }
  const files = entries.filter((e) => e.endsWith('.json')).sort().map((e) => join(dir, e)).filter(isPlanFile);
  if (files.length === 0) throw new UsageError(`--corpus ${JSON.stringify(dir)}: no plan files in it; expected files written by run (failure artifacts' plan.json), shrink or run --shrink`);
  if (files.length > CORPUS_PLANS_MAX) throw new UsageError(`--corpus ${JSON.stringify(dir)}: ${files.length} plan files, more than ${CORPUS_PLANS_MAX}; expected a folder of regression plans`);
  return files;
}

/** A file claiming the plan format (a broken one is then reported by loadPlanFile, not passed over). */
function isPlanFile(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes(`"${PLAN_FILE_FORMAT}"`);
  } catch {
    return false;
  }
}

/** Replays one plan with the command's other flags (`--impl`, `--impl-cmd`, ...). */
async function replayOne(file: string, args: TargetArgs): Promise<CorpusReplay> {
  const saved = loadPlanFile(file);
  const target = await resolveTarget(targetArgsFromPlan(args, saved));
  const base = { file, seed: saved.seed, expected: saved.property, savedTraceHash: saved.traceHash };
  try {
    const missing = missingCapabilities(target.scenario, target.base.implementation);
    if (missing.length > 0) return { ...base, ok: true, skipped: `the implementation lacks ${missing.join(', ')}` };
    const watchdogMs = target.custom?.watchdogMs ?? null;
    const outcome = watchdogMs === null
      ? { verdict: runSeed({ ...target.base, seed: saved.seed, plan: saved.plan }) }
      : await runSeedWatched(targetArgsFromPlan(args, saved), { seed: saved.seed, record: false, plan: saved.plan }, watchdogMs, target.base.implementation?.name ?? 'module');
    if ('stopped' in outcome) return { ...base, got: 'implementation-error', ok: saved.property === 'implementation-error' };
    const got = outcome.verdict.violations[0]?.property ?? null;
    return { ...base, got, ok: got === saved.property, traceHash: outcome.verdict.traceHash };
  } finally {
    target.custom?.close();
  }
}

/** Replays every plan of the corpus; exit 1 when a verdict changed. */
export async function replayCorpus(dir: string, args: TargetArgs & { readonly json: boolean }, io: Io): Promise<number> {
  const files = corpusPlanFiles(dir);
  const results: CorpusReplay[] = [];
  for (const file of files) results.push(await replayOne(file, args));
  const changed = results.filter((r) => !r.ok);
  if (args.json) {
    io.stdout(JSON.stringify({ corpus: dir, plans: results.length, changed: changed.length, results }));
    return changed.length === 0 ? 0 : 1;
  }
  const verdict = (p: string | null | undefined): string => (p === null ? 'every property holds' : p === undefined ? '-' : `${p} violated`);
  for (const r of results) {
    const name = relative(dir, r.file);
    if (r.skipped !== undefined) io.stdout(chalk.yellow(`- ${name}: skipped (${r.skipped})`));
    else if (r.ok) io.stdout(`${chalk.green('✔')} ${name}: ${verdict(r.got)}${r.traceHash === r.savedTraceHash ? '' : chalk.dim(' (trace differs from the saved one)')}`);
    else io.stdout(chalk.red(`✘ ${name}: expected ${verdict(r.expected)}, got ${verdict(r.got)} — replay it: npx seaworthy replay --plan ${r.file} --trace`));
  }
  io.stdout(changed.length === 0 ? chalk.green(`✔ corpus ${dir}: ${results.length} plans, every verdict as recorded`) : chalk.red(`✘ corpus ${dir}: ${changed.length} of ${results.length} verdicts changed`));
  return changed.length === 0 ? 0 : 1;
}
