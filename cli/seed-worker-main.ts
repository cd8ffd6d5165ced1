/**
 * Runs seeds in a worker thread for cli/parallel.ts: resolves the same target from the same flags once, then
 * runs each chunk of seeds the main thread hands it and posts one {@link SeedSummary} per seed, in order.
 *
 * With a call watch (`--impl` modules), every call into the implementation is marked on it, so the main
 * thread can see a call that never returns and terminate this thread. Process groups started here (for
 * `--impl-cmd`) go into the main thread's table, so they are killed even when this thread is terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSeed } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import type { ScenarioPlan } from '../scenarios/types.js';
import { CallWatch, watchCalls } from './adapters/call-watch.js';
import { verifyDeterminism } from './adapters/determinism.js';
import type { DeterminismReport, SeedOutcome } from './adapters/determinism.js';
import type { NondeterminismUsage } from './adapters/guard.js';
import { adoptProcessGroupTable } from './adapters/process-groups.js';
import { summarize } from './seed-summary.js';
import type { SeedSummary } from './seed-summary.js';
import { resolveTarget } from './target.js';
import type { TargetArgs } from './target.js';

export interface SeedWorkerData {
  readonly args: TargetArgs;
  /** The call watch's buffer, when the main thread watches calls into a module implementation. */
  readonly watch: SharedArrayBuffer | null;
  /** The main thread's table of live process groups (cli/adapters/process-groups.ts). */
  readonly groups: SharedArrayBuffer;
}

/** Main thread -> worker. */
export type SeedWorkerRequest =
  /** Run seeds `from` .. `from + count - 1`, then answer `chunk-done`. */
  | { readonly kind: 'run'; readonly from: number; readonly count: number }
  /**
   * `--verify-determinism`: rerun a sample of the batch's seeds here, where this thread's share of the batch
   * already ran, so state a module keeps across runs shows up as a different trace; answer `verified`.
   */
  | { readonly kind: 'verify'; readonly outcomes: readonly SeedOutcome[] }
  /** One seed's whole verdict (replay): answer `verdict`. */
  | { readonly kind: 'verdict'; readonly seed: number; readonly record: boolean; readonly plan: ScenarioPlan | null }
  /** No more seeds: release the implementation (kill its processes) and answer `closed`. */
  | { readonly kind: 'close' };

/** Worker -> main thread. */
export type SeedWorkerMessage =
  /** `usage`: the module's clock and Math.random uses during this seed, when it has any. */
  | { readonly kind: 'seed'; readonly summary: SeedSummary; readonly usage: NondeterminismUsage | null }
  | { readonly kind: 'chunk-done' }
  | { readonly kind: 'verified'; readonly report: DeterminismReport; readonly usage: NondeterminismUsage | null }
  | { readonly kind: 'verdict'; readonly verdict: Verdict }
  | { readonly kind: 'closed' }
  /** `stack`: the worker's own, so an internal error names the frame it came from, not the pool. */
  | { readonly kind: 'error'; readonly message: string; readonly stack: string | null };

const data = workerData as SeedWorkerData;
const port = parentPort;
if (port === null) throw new Error('seed-worker must run in a worker thread');
const post = (message: SeedWorkerMessage): void => port.postMessage(message);

adoptProcessGroupTable(data.groups);
try {
  const target = await resolveTarget(data.args);
  const watch = data.watch === null ? null : new CallWatch(data.watch);
  const inner = target.base.implementation;
  const base = watch === null || inner === undefined ? target.base : { ...target.base, implementation: watchCalls(inner, watch) };
  const usage = target.custom?.usage;
  /** Runs `fn` and returns the clock and Math.random uses it added (null when none). */
  const counting = <T>(fn: () => T): { value: T; usage: NondeterminismUsage | null } => {
    const before = usage === undefined ? null : { ...usage };
    const value = fn();
    if (usage === undefined || before === null) return { value, usage: null };
    const delta = { mathRandom: usage.mathRandom - before.mathRandom, clock: usage.clock - before.clock };
    return { value, usage: delta.mathRandom > 0 || delta.clock > 0 ? delta : null };
  };
  port.on('message', (request: SeedWorkerRequest) => {
    try {
      if (request.kind === 'close') {
        target.custom?.close();
        post({ kind: 'closed' });
        return;
      }
      if (request.kind === 'verdict') {
        watch?.beginSeed(request.seed);
        post({ kind: 'verdict', verdict: runSeed({ ...base, seed: request.seed, record: request.record, ...(request.plan === null ? {} : { plan: request.plan }) }) });
        return;
      }
      if (request.kind === 'verify') {
        const verified = counting(() => verifyDeterminism(base, request.outcomes));
        post({ kind: 'verified', report: verified.value, usage: verified.usage });
        return;
      }
      for (let seed = request.from; seed < request.from + request.count; seed++) {
        watch?.beginSeed(seed);
        const ran = counting(() => summarize(runSeed({ ...base, seed })));
        post({ kind: 'seed', summary: ran.value, usage: ran.usage });
      }
      post({ kind: 'chunk-done' });
    } catch (error) {
      target.custom?.close();
      post(errorMessage(error));
    }
  });
} catch (error) {
  post(errorMessage(error));
}

function errorMessage(error: unknown): SeedWorkerMessage {
  return error instanceof Error ? { kind: 'error', message: error.message, stack: error.stack ?? null } : { kind: 'error', message: String(error), stack: null };
}
