/**
 * Runs the mutation corpus on worker threads (`selftest --corpus --jobs N`): mutants are dealt round-robin
 * (neighbours in the catalog differ in cost, so each worker gets a mix) and the rows come back in catalog
 * order, so the table does not depend on how many jobs ran it. Only the timings do.
 */
import { Worker } from 'node:worker_threads';
import type { Mutation } from '../mutation-corpus/index.js';
import type { CorpusOptions, CorpusRow } from './corpus-selftest.js';
import type { CorpusWorkerData, CorpusWorkerMessage } from './corpus-worker-main.js';

export async function runCorpusInWorkers(mutations: readonly Mutation[], options: CorpusOptions, jobs: number, onRow: (row: CorpusRow) => void): Promise<CorpusRow[]> {
  const shares: Mutation[][] = Array.from({ length: Math.max(1, Math.min(jobs, mutations.length)) }, () => []);
  mutations.forEach((m, i) => shares[i % shares.length]?.push(m));
  const byName = new Map<string, CorpusRow>();
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          const workerData: CorpusWorkerData = { names: share.map((m) => m.name), options };
          const worker = new Worker(new URL('./corpus-worker.mjs', import.meta.url), { workerData });
          worker.on('message', (message: CorpusWorkerMessage) => {
            if (message.kind === 'row') {
              byName.set(message.row.name, message.row);
              onRow(message.row);
            } else if (message.kind === 'done') void worker.terminate().then(() => resolve());
            else void worker.terminate().then(() => reject(new Error(message.message)));
          });
          worker.on('error', reject);
        }),
    ),
  );
  return mutations.map((m) => {
    const row = byName.get(m.name);
    if (row === undefined) throw new Error(`worker lost mutation ${m.name}`);
    return row;
  });
}
