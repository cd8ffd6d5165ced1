/**
 * Runs a share of the mutation corpus in a worker thread (`selftest --corpus --jobs N`) and posts one
 * {@link CorpusRow} per mutant back to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MUTATIONS } from '../mutation-corpus/index.js';
import type { MutationName } from '../mutation-corpus/index.js';
import { runCorpusMutation } from './corpus-selftest.js';
import type { CorpusOptions, CorpusRow } from './corpus-selftest.js';

export interface CorpusWorkerData {
  readonly names: readonly MutationName[];
  readonly options: CorpusOptions;
}

export type CorpusWorkerMessage =
  | { readonly kind: 'row'; readonly row: CorpusRow }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly message: string };

const data = workerData as CorpusWorkerData;
const port = parentPort;
if (port === null) throw new Error('corpus-worker must run in a worker thread');
try {
  for (const name of data.names) {
    const mutation = MUTATIONS.find((m) => m.name === name);
    if (mutation === undefined) throw new Error(`unknown mutation ${name}`);
    port.postMessage({ kind: 'row', row: runCorpusMutation(mutation, data.options) } satisfies CorpusWorkerMessage);
  }
  port.postMessage({ kind: 'done' } satisfies CorpusWorkerMessage);
} catch (error) {
  port.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) } satisfies CorpusWorkerMessage);
}
