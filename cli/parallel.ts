/**
 * Runs a batch's seeds on several worker threads (`run --jobs N`). Each worker takes a contiguous share of
 * the seeds; results come back as they finish and are returned in seed order, so the output of a batch does
 * not depend on how many jobs ran it.
 */
import { Worker } from 'node:worker_threads';
import type { SeedSummary } from './seed-summary.js';
import type { SeedWorkerData, SeedWorkerMessage } from './seed-worker-main.js';
import type { TargetArgs } from './target.js';

export async function runSeedsInWorkers(args: TargetArgs, seeds: readonly number[], jobs: number, onSeed: (summary: SeedSummary, done: number) => void): Promise<SeedSummary[]> {
  const shares: number[][] = Array.from({ length: Math.min(jobs, seeds.length) }, () => []);
  const shareSize = Math.ceil(seeds.length / shares.length);
  seeds.forEach((seed, i) => shares[Math.floor(i / shareSize)]?.push(seed));
  const bySeed = new Map<number, SeedSummary>();
  // Flags are plain data: only what resolveTarget reads is sent, so the worker data stays cloneable.
  const plainArgs: TargetArgs = { nodes: args.nodes, scenario: args.scenario, bug: args.bug, safetyOnly: args.safetyOnly, impl: args.impl, implCmd: args.implCmd, implTimeout: args.implTimeout };
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(new URL('./seed-worker.mjs', import.meta.url), { workerData: { args: plainArgs, seeds: share } satisfies SeedWorkerData });
          worker.on('message', (message: SeedWorkerMessage) => {
            if (message.kind === 'seed') {
              bySeed.set(message.summary.seed, message.summary);
              onSeed(message.summary, bySeed.size);
            } else if (message.kind === 'done') void worker.terminate().then(() => resolve());
            else void worker.terminate().then(() => reject(new Error(message.message)));
          });
          worker.on('error', reject);
        }),
    ),
  );
  return seeds.map((seed) => {
    const summary = bySeed.get(seed);
    if (summary === undefined) throw new Error(`worker lost seed ${seed}`);
    return summary;
  });
}
