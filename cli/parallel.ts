/**
 * Runs a batch's seeds on worker threads: `run --jobs N`, and every `--impl`/`--impl-cmd` run (on one worker
 * unless asked), so the main thread stays free to watch the clock and to answer Ctrl-C.
 *
 * Seeds are handed out in small chunks as workers ask for them and never listed: the batch may be as large as
 * a safe integer allows. Summaries come back in any order and are released to `onSeed` in seed order, holding
 * only those that finished ahead of a slower seed, so the result does not depend on how many jobs ran it.
 *
 * With a watchdog (`--impl` modules), a call into the implementation that runs past `watchdogMs` gets its
 * worker terminated: the seed is reported as an implementation error naming the node and call, a fresh
 * worker takes over, and the batch goes on with the next seed.
 */
import { Worker } from 'node:worker_threads';
import { CallWatch, CallWatchdog } from './adapters/call-watch.js';
import type { DeterminismReport, SeedOutcome } from './adapters/determinism.js';
import type { NondeterminismUsage } from './adapters/guard.js';
import { processGroupTable } from './adapters/process-groups.js';
import { stoppedSummary } from './seed-summary.js';
import type { SeedSummary } from './seed-summary.js';
import type { SeedWorkerData, SeedWorkerMessage, SeedWorkerRequest } from './seed-worker-main.js';
import type { TargetArgs } from './target.js';

/** Seeds per hand-out: small, so jobs finish together and few summaries wait for a slower seed. */
const CHUNK_SEEDS = 4;
/** How often the watchdog samples each worker, at most (ms of wall clock). */
const WATCH_INTERVAL_MS_MAX = 100;

export interface SeedPoolOptions {
  readonly args: TargetArgs;
  readonly seedStart: number;
  readonly seeds: number;
  readonly jobs: number;
  /** Wall-clock ms one call into a module implementation may take; null: no watchdog. */
  readonly watchdogMs: number | null;
  /** The implementation's name, for the summary of a seed the watchdog stopped. */
  readonly implementationName: string;
  /** Each finished seed, in seed order, with the module's clock/Math.random uses in it (if any). */
  readonly onSeed: (summary: SeedSummary, usage: NondeterminismUsage | null) => void;
  /**
   * `--verify-determinism`: called once every seed is reported; the outcomes it returns are rerun on the
   * worker that finished last (cli/adapters/determinism.ts), where part of the batch ran before.
   */
  readonly verify?: () => readonly SeedOutcome[];
}

/** What a pool leaves besides the seeds: the determinism report, when asked for and not stopped. */
export interface SeedPoolResult {
  readonly determinism: DeterminismReport | null;
  /** The module's clock and Math.random uses during the reruns. */
  readonly usage: NondeterminismUsage | null;
}

export interface SeedPool {
  /** Settles when every seed has been reported, or after {@link stop}; rejects when a worker fails. */
  readonly done: Promise<SeedPoolResult>;
  /**
   * Stops at once: no more seeds are handed out, the workers are terminated (their seeds in flight are
   * dropped), and the seeds already finished are reported in seed order before `done` resolves.
   */
  stop(): void;
}

interface Chunk {
  readonly from: number;
  readonly count: number;
}

interface Slot {
  readonly worker: Worker;
  readonly watch: CallWatch | null;
  readonly watchdog: CallWatchdog | null;
  chunk: Chunk | null;
  /** Rerunning seeds for `--verify-determinism`. */
  verifying: boolean;
  /** Seeds of `chunk` reported so far (they arrive in order). */
  received: number;
  closing: boolean;
}

type Finished = { readonly summary: SeedSummary; readonly usage: NondeterminismUsage | null };

/** Starts the pool; see {@link SeedPool}. */
export function startSeedPool(options: SeedPoolOptions): SeedPool {
  let resolveDone!: (result: SeedPoolResult) => void;
  let rejectDone!: (error: Error) => void;
  let result: SeedPoolResult = { determinism: null, usage: null };
  const done = new Promise<SeedPoolResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const end = options.seedStart + options.seeds;
  let nextSeed = options.seedStart;
  /** Seeds taken back from a terminated worker, handed out before new ones. */
  const requeued: Chunk[] = [];
  /** Finished seeds waiting for an earlier one; Invariant: every key >= releaseSeed. */
  const waiting = new Map<number, Finished>();
  let releaseSeed = options.seedStart;
  const slots = new Set<Slot>();
  let settled = false;
  // Flags are plain data: only what resolveTarget reads is sent, so the worker data stays cloneable.
  const { args } = options;
  const plainArgs: TargetArgs = { nodes: args.nodes, scenario: args.scenario, bug: args.bug, safetyOnly: args.safetyOnly, impl: args.impl, implCmd: args.implCmd, implTimeout: args.implTimeout };

  const take = (): Chunk | null => {
    const again = requeued.shift();
    if (again !== undefined) return again;
    if (nextSeed >= end) return null;
    const count = Math.min(CHUNK_SEEDS, end - nextSeed);
    const chunk = { from: nextSeed, count };
    nextSeed += count;
    return chunk;
  };

  const release = (): void => {
    for (let next = waiting.get(releaseSeed); next !== undefined; next = waiting.get(releaseSeed)) {
      waiting.delete(releaseSeed);
      releaseSeed++;
      options.onSeed(next.summary, next.usage);
    }
  };

  const finish = (error: Error | null): void => {
    if (settled) return;
    settled = true;
    clearInterval(timer);
    for (const slot of slots) void slot.worker.terminate();
    slots.clear();
    if (error !== null) {
      rejectDone(error);
      return;
    }
    // After a stop, seeds that finished beyond one still running are reported too, in seed order.
    for (const seed of [...waiting.keys()].sort((a, b) => a - b)) {
      const finished = waiting.get(seed);
      if (finished !== undefined) options.onSeed(finished.summary, finished.usage);
    }
    waiting.clear();
    resolveDone(result);
  };

  const assign = (slot: Slot): void => {
    const chunk = take();
    slot.chunk = chunk;
    slot.received = 0;
    if (chunk !== null) post(slot, { kind: 'run', from: chunk.from, count: chunk.count });
    else if (options.verify !== undefined && releaseSeed === end && [...slots].every((other) => other === slot || other.closing)) {
      // The last worker with work: every seed has been reported, so the sample is complete.
      slot.verifying = true;
      post(slot, { kind: 'verify', outcomes: options.verify() });
    } else {
      slot.closing = true;
      post(slot, { kind: 'close' });
    }
  };

  const onMessage = (slot: Slot, message: SeedWorkerMessage): void => {
    if (settled) return;
    switch (message.kind) {
      case 'seed':
        slot.received++;
        waiting.set(message.summary.seed, { summary: message.summary, usage: message.usage });
        release();
        return;
      case 'chunk-done':
        assign(slot);
        return;
      case 'verified':
        result = { determinism: message.report, usage: message.usage };
        slot.verifying = false;
        slot.closing = true;
        post(slot, { kind: 'close' });
        return;
      case 'closed':
        slots.delete(slot);
        void slot.worker.terminate();
        if (slots.size === 0) finish(null);
        return;
      case 'error':
        finish(new Error(message.message));
        return;
    }
  };

  const spawn = (): void => {
    const watch = options.watchdogMs === null ? null : new CallWatch();
    const data: SeedWorkerData = { args: plainArgs, watch: watch?.buffer ?? null, groups: processGroupTable().buffer as SharedArrayBuffer };
    const worker = new Worker(new URL('./seed-worker.mjs', import.meta.url), { workerData: data });
    const slot: Slot = { worker, watch, watchdog: watch === null || options.watchdogMs === null ? null : new CallWatchdog(watch, options.watchdogMs), chunk: null, verifying: false, received: 0, closing: false };
    slots.add(slot);
    worker.on('message', (message: SeedWorkerMessage) => onMessage(slot, message));
    worker.on('error', (error) => finish(error));
    worker.on('exit', (code) => {
      if (!settled && slots.has(slot)) finish(new Error(`a seed worker thread exited unexpectedly (code ${code})`));
    });
    assign(slot);
  };

  /** A call ran past the watchdog: report its seed, requeue the rest of the chunk, replace the worker. */
  const replaceStalled = (slot: Slot, nowMs: number): void => {
    const chunk = slot.chunk;
    const stalled = slot.watchdog?.check(nowMs) ?? null;
    if (stalled === null || options.watchdogMs === null) return;
    if (slot.verifying) {
      // A rerun hung where the batch's run of the same seed did not: that alone says the module is not
      // deterministic, but there is no report to give; the run says why it has none.
      finish(new Error(`--verify-determinism: rerunning seed ${stalled.seed}, node ${stalled.node}: ${stalled.call}() did not return within ${options.watchdogMs} ms, although it did in the batch`));
      return;
    }
    if (chunk === null) return;
    slots.delete(slot);
    void slot.worker.terminate();
    const firstUnreported = chunk.from + slot.received;
    const chunkEnd = chunk.from + chunk.count;
    // The watch names the seed; it can only be the chunk's first unreported one, as seeds run in order.
    const seed = stalled.seed >= firstUnreported && stalled.seed < chunkEnd ? stalled.seed : firstUnreported;
    if (seed > firstUnreported) requeued.unshift({ from: firstUnreported, count: seed - firstUnreported });
    if (seed + 1 < chunkEnd) requeued.unshift({ from: seed + 1, count: chunkEnd - seed - 1 });
    requeued.sort((a, b) => a.from - b.from);
    const summary = stoppedSummary(options.implementationName, { seed, node: stalled.node, call: stalled.call, sequence: stalled.sequence, timeoutMs: options.watchdogMs });
    waiting.set(seed, { summary, usage: null });
    release();
    spawn();
  };

  const intervalMs = options.watchdogMs === null ? WATCH_INTERVAL_MS_MAX : Math.max(5, Math.min(WATCH_INTERVAL_MS_MAX, Math.floor(options.watchdogMs / 4)));
  const timer = setInterval(() => {
    const nowMs = Date.now();
    for (const slot of [...slots]) if (!slot.closing) replaceStalled(slot, nowMs);
  }, intervalMs);
  if (options.watchdogMs === null) clearInterval(timer);

  const workers = Math.max(1, Math.min(options.jobs, Math.ceil(options.seeds / CHUNK_SEEDS)));
  for (let i = 0; i < workers; i++) spawn();
  return { done, stop: () => finish(null) };
}

function post(slot: Slot, request: SeedWorkerRequest): void {
  slot.worker.postMessage(request);
}
