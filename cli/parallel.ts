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
import type { StalledCall } from './adapters/call-watch.js';
import type { DeterminismReport, SeedOutcome } from './adapters/determinism.js';
import type { NondeterminismUsage } from './adapters/guard.js';
import { processGroupTable, terminateBehindSpawnGate } from './adapters/process-groups.js';
import { stoppedSummary } from './seed-summary.js';
import type { SeedSummary } from './seed-summary.js';
import type { SeedWorkerData, SeedWorkerMessage, SeedWorkerRequest } from './seed-worker-main.js';
import { SeedDealer, SeedReleaser } from './seed-order.js';
import type { SeedChunk } from './seed-order.js';
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

interface Slot {
  readonly worker: Worker;
  readonly watchdog: CallWatchdog | null;
  /** The seeds this worker is running; null when idle, verifying or closing. */
  chunk: SeedChunk | null;
  /** Seeds of `chunk` reported so far (they arrive in order). */
  received: number;
  /** Rerunning seeds for `--verify-determinism`. */
  verifying: boolean;
  closing: boolean;
}

interface Finished {
  readonly summary: SeedSummary;
  readonly usage: NondeterminismUsage | null;
}

/** Starts the pool; see {@link SeedPool}. */
export function startSeedPool(options: SeedPoolOptions): SeedPool {
  const pool = new WorkerPool(options);
  return { done: pool.done, stop: () => pool.finish(null) };
}

/** The workers of one batch, the seeds they run, and the watchdog over them. */
class WorkerPool {
  readonly done: Promise<SeedPoolResult>;
  private resolveDone!: (result: SeedPoolResult) => void;
  private rejectDone!: (error: Error) => void;
  private result: SeedPoolResult = { determinism: null, usage: null };
  private readonly dealer: SeedDealer;
  private readonly releaser: SeedReleaser<Finished>;
  private readonly slots = new Set<Slot>();
  private settled = false;
  private readonly plainArgs: TargetArgs;
  private readonly timer: ReturnType<typeof setInterval> | null;

  constructor(private readonly options: SeedPoolOptions) {
    this.done = new Promise<SeedPoolResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.dealer = new SeedDealer(options.seedStart, options.seeds, CHUNK_SEEDS);
    this.releaser = new SeedReleaser<Finished>(options.seedStart, (_seed, finished) => options.onSeed(finished.summary, finished.usage));
    // Flags are plain data: only what resolveTarget reads is sent, so the worker data stays cloneable.
    const { args } = options;
    this.plainArgs = { nodes: args.nodes, scenario: args.scenario, bug: args.bug, safetyOnly: args.safetyOnly, fullHeal: args.fullHeal === true, impl: args.impl, implCmd: args.implCmd, implTimeout: args.implTimeout };
    const watchdogMs = options.watchdogMs;
    this.timer = watchdogMs === null ? null : setInterval(() => this.watch(Date.now()), Math.max(5, Math.min(WATCH_INTERVAL_MS_MAX, Math.floor(watchdogMs / 4))));
    const workers = Math.max(1, Math.min(options.jobs, Math.ceil(options.seeds / CHUNK_SEEDS)));
    for (let i = 0; i < workers; i++) this.spawn();
  }

  /** Ends the pool: with an error (rejects `done`), or stopped or complete (reports what finished, resolves). */
  finish(error: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== null) clearInterval(this.timer);
    // `done` settles once the workers are gone, so a kill of the process table after it misses nothing.
    const gone = Promise.all([...this.slots].map((slot) => terminateBehindSpawnGate(slot.worker)));
    this.slots.clear();
    if (error !== null) {
      void gone.finally(() => this.rejectDone(error));
      return;
    }
    // After a stop, seeds that finished beyond one still running are reported too, in seed order.
    this.releaser.flush();
    void gone.then(() => this.resolveDone(this.result));
  }

  private spawn(): void {
    const watch = this.options.watchdogMs === null ? null : new CallWatch();
    const data: SeedWorkerData = { args: this.plainArgs, watch: watch?.buffer ?? null, groups: processGroupTable().buffer as SharedArrayBuffer };
    const worker = new Worker(new URL('./seed-worker.mjs', import.meta.url), { workerData: data });
    const watchdog = watch === null || this.options.watchdogMs === null ? null : new CallWatchdog(watch, this.options.watchdogMs);
    const slot: Slot = { worker, watchdog, chunk: null, received: 0, verifying: false, closing: false };
    this.slots.add(slot);
    worker.on('message', (message: SeedWorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error) => this.finish(error));
    worker.on('exit', (code) => {
      if (!this.settled && this.slots.has(slot)) this.finish(new Error(`a seed worker thread exited unexpectedly (code ${code})`));
    });
    this.assign(slot);
  }

  /** Gives an idle worker its next chunk; with none left, the determinism reruns (last worker) or close. */
  private assign(slot: Slot): void {
    const chunk = this.dealer.take();
    slot.chunk = chunk;
    slot.received = 0;
    if (chunk !== null) {
      post(slot, { kind: 'run', from: chunk.from, count: chunk.count });
      return;
    }
    const end = this.options.seedStart + this.options.seeds;
    const last = [...this.slots].every((other) => other === slot || other.closing);
    if (this.options.verify !== undefined && last && this.releaser.reportedUpTo === end) {
      // The last worker with work: every seed has been reported, so the sample is complete.
      slot.verifying = true;
      post(slot, { kind: 'verify', outcomes: this.options.verify() });
      return;
    }
    slot.closing = true;
    post(slot, { kind: 'close' });
  }

  private onMessage(slot: Slot, message: SeedWorkerMessage): void {
    // A terminated worker's last messages may still arrive: its seeds have been given back and run again.
    if (this.settled || !this.slots.has(slot)) return;
    switch (message.kind) {
      case 'seed':
        slot.received++;
        this.releaser.finished(message.summary.seed, { summary: message.summary, usage: message.usage });
        return;
      case 'chunk-done':
        this.assign(slot);
        return;
      case 'verified':
        this.result = { determinism: message.report, usage: message.usage };
        slot.verifying = false;
        slot.closing = true;
        post(slot, { kind: 'close' });
        return;
      case 'closed':
        this.slots.delete(slot);
        void slot.worker.terminate();
        if (this.slots.size === 0) this.finish(null);
        return;
      case 'error':
        this.finish(workerError(message.message, message.stack));
        return;
      case 'verdict':
        return; // only runSeedWatched asks for one
    }
  }

  /** Samples every worker's call watch at wall-clock `nowMs`. */
  private watch(nowMs: number): void {
    for (const slot of [...this.slots]) {
      const stalled = slot.closing ? null : (slot.watchdog?.check(nowMs) ?? null);
      if (stalled !== null) this.replace(slot, stalled);
    }
  }

  /** A call ran past the watchdog: report its seed, give back the rest of the chunk, start a fresh worker. */
  private replace(slot: Slot, stalled: StalledCall): void {
    const timeoutMs = this.options.watchdogMs ?? 0;
    if (slot.verifying) {
      // A rerun hung where the batch's run of the same seed did not: the module is not deterministic, but
      // there is no report to give; the run fails saying why.
      this.finish(new Error(`--verify-determinism: rerunning seed ${stalled.seed}, node ${stalled.node}: ${stalled.call}() did not return within ${timeoutMs} ms, although it did in the batch`));
      return;
    }
    const chunk = slot.chunk;
    if (chunk === null) return;
    this.slots.delete(slot);
    void terminateBehindSpawnGate(slot.worker);
    const firstUnreported = chunk.from + slot.received;
    const chunkEnd = chunk.from + chunk.count;
    // Seeds run in order, so the stalled seed is the chunk's first unreported one; the watch names it.
    const seed = stalled.seed >= firstUnreported && stalled.seed < chunkEnd ? stalled.seed : firstUnreported;
    this.dealer.giveBack(firstUnreported, seed - firstUnreported);
    this.dealer.giveBack(seed + 1, chunkEnd - seed - 1);
    const summary = stoppedSummary(this.options.implementationName, { seed, node: stalled.node, call: stalled.call, sequence: stalled.sequence, timeoutMs });
    this.releaser.finished(seed, { summary, usage: null });
    this.spawn();
  }
}

function post(slot: Slot, request: SeedWorkerRequest): void {
  slot.worker.postMessage(request);
}

/** The error a worker reported, with the worker's stack, so it points where the error happened. */
export function workerError(message: string, stack: string | null): Error {
  const error = new Error(message);
  if (stack !== null) error.stack = stack;
  return error;
}

/**
 * Runs seeds one after another on this thread, calling `runOne` for each. It yields to the event loop between
 * seeds, so a signal (cli/interrupt.ts) is handled after the seed in progress and `stop()` ends the loop there,
 * with everything finished so far reported.
 */
export function runSeedsOnThisThread(seedStart: number, seeds: number, runOne: (seed: number) => void): SeedPool {
  let stopped = false;
  const done = (async (): Promise<SeedPoolResult> => {
    for (let seed = seedStart; seed < seedStart + seeds && !stopped; seed++) {
      runOne(seed);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { determinism: null, usage: null };
  })();
  return {
    done,
    stop: () => {
      stopped = true;
    },
  };
}
