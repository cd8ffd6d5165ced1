/**
 * One seed of an `--impl` module under the wall-clock watchdog, for `replay`: the seed runs on a seed worker
 * (cli/seed-worker-main.ts) and the main thread stops the worker when one call into the module runs past
 * `--impl-timeout`. Without it, the repro line printed for a seed the watchdog stopped in `run` would hang.
 */
import { Worker } from 'node:worker_threads';
import type { Verdict } from '../scenarios/run-seed.js';
import type { ScenarioPlan } from '../scenarios/types.js';
import { CallWatch, CallWatchdog } from './adapters/call-watch.js';
import { processGroupTable, terminateBehindSpawnGate } from './adapters/process-groups.js';
import { workerError } from './parallel.js';
import { stoppedSummary } from './seed-summary.js';
import type { SeedWorkerData, SeedWorkerMessage, SeedWorkerRequest } from './seed-worker-main.js';
import type { TargetArgs } from './target.js';

/** How often the watchdog samples the call in progress, at most (ms of wall clock). */
const WATCH_INTERVAL_MS_MAX = 100;

export interface WatchedSeed {
  readonly seed: number;
  readonly record: boolean;
  readonly plan: ScenarioPlan | null;
}

/** The verdict, or, when a call never returned, the implementation-error line naming seed, node and call. */
export type WatchedOutcome = { readonly verdict: Verdict } | { readonly stopped: string };

/**
 * Runs `run.seed` of the target `args` select on a worker thread, stopping it after a call lasts `watchdogMs`.
 * Rejects when the worker fails (its target does not resolve, or the simulator throws).
 */
export function runSeedWatched(args: TargetArgs, run: WatchedSeed, watchdogMs: number, implementationName: string): Promise<WatchedOutcome> {
  const watch = new CallWatch();
  const watchdog = new CallWatchdog(watch, watchdogMs);
  const plainArgs: TargetArgs = { nodes: args.nodes, scenario: args.scenario, bug: args.bug, safetyOnly: args.safetyOnly, fullHeal: args.fullHeal === true, impl: args.impl, implCmd: args.implCmd, implTimeout: args.implTimeout };
  const data: SeedWorkerData = { args: plainArgs, watch: watch.buffer, groups: processGroupTable().buffer as SharedArrayBuffer };
  const worker = new Worker(new URL('./seed-worker.mjs', import.meta.url), { workerData: data });
  return new Promise<WatchedOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: WatchedOutcome | Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      void terminateBehindSpawnGate(worker);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setInterval(() => {
      const stalled = watchdog.check(Date.now());
      if (stalled === null) return;
      const summary = stoppedSummary(implementationName, { seed: run.seed, node: stalled.node, call: stalled.call, sequence: stalled.sequence, timeoutMs: watchdogMs });
      settle({ stopped: summary.firstViolation?.message ?? `seed ${run.seed} was stopped by the watchdog` });
    }, Math.max(5, Math.min(WATCH_INTERVAL_MS_MAX, Math.floor(watchdogMs / 4))));
    worker.on('message', (message: SeedWorkerMessage) => {
      if (message.kind === 'verdict') settle({ verdict: message.verdict });
      else if (message.kind === 'error') settle(workerError(message.message, message.stack));
    });
    worker.on('error', (error) => settle(error));
    worker.on('exit', (code) => settle(new Error(`the seed worker thread exited unexpectedly (code ${code})`)));
    worker.postMessage({ kind: 'verdict', seed: run.seed, record: run.record, plan: run.plan } satisfies SeedWorkerRequest);
  });
}
