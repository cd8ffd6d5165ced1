/**
 * Runs a share of a batch's seeds in a worker thread: resolves the same target from the same flags, runs
 * each seed, and posts one {@link SeedSummary} per seed back to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed } from '../scenarios/run-seed.js';
import { summarize } from './seed-summary.js';
import { resolveTarget } from './target.js';
import type { TargetArgs } from './target.js';

export interface SeedWorkerData {
  readonly args: TargetArgs;
  readonly seeds: readonly number[];
}

export type SeedWorkerMessage =
  | { readonly kind: 'seed'; readonly summary: ReturnType<typeof summarize> }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly message: string };

const data = workerData as SeedWorkerData;
const port = parentPort;
if (port === null) throw new Error('seed-worker must run in a worker thread');
try {
  const target = await resolveTarget(data.args);
  try {
    for (const seed of data.seeds) port.postMessage({ kind: 'seed', summary: summarize(runSeed({ ...target.base, seed })) } satisfies SeedWorkerMessage);
  } finally {
    target.custom?.close();
  }
  port.postMessage({ kind: 'done' } satisfies SeedWorkerMessage);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies SeedWorkerMessage);
}
