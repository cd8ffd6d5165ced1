/**
 * A user's implementation chosen by flags: `--impl PATH` (a module) or `--impl-cmd "CMD"` (a process speaking
 * docs/protocol.md). Resolved once per command by cli/target.ts.
 */
import { DEFAULT_TIMING } from '../../scenarios/run-seed.js';
import type { RaftImplementation } from '../../sim/contract.js';
import { UsageError } from '../errors.js';
import { describeUsage, guardNondeterminism } from './guard.js';
import type { NondeterminismUsage } from './guard.js';
import { isMainThread } from 'node:worker_threads';
import { MODULE_LOAD_MS_MIN, probeModuleLoad } from './module-load-probe.js';
import { loadModuleImplementation } from './module.js';
import { DEFAULT_IMPL_TIMEOUT_MS, ProcessAdapter } from './process.js';

export interface CustomImplementationArgs {
  readonly impl?: unknown;
  readonly implCmd?: unknown;
  readonly implTimeout?: unknown;
  readonly bug?: unknown;
}

export interface CustomImplementation {
  readonly implementation: RaftImplementation;
  /** The flags that select this implementation again, for repro lines (`--impl examples/x.js`). */
  readonly flags: string;
  /** Things the user should know after a run (e.g. the module used Math.random); empty when none. */
  notices(): string[];
  /** Releases what the implementation holds (child processes); idempotent. */
  close(): void;
  /**
   * `--impl` only: the wall-clock ms one call may take before the seed's worker thread is stopped (cli/parallel.ts
   * enforces it); null for `--impl-cmd`, whose adapter has its own watchdog.
   */
  readonly watchdogMs: number | null;
  /** `--impl` only: the live count of clock and Math.random uses (summed across threads by `run`). */
  readonly usage?: Readonly<NondeterminismUsage>;
}

/** The custom implementation selected by `args`, or null when none is. Throws UsageError on bad flags. */
export async function loadCustomImplementation(args: CustomImplementationArgs, nodeCount: number, cwd: string): Promise<CustomImplementation | null> {
  const impl = args.impl;
  const implCmd = args.implCmd;
  if (impl === undefined && implCmd === undefined) {
    if (args.implTimeout !== undefined) throw new UsageError('--impl-timeout applies only with --impl or --impl-cmd');
    return null;
  }
  if (impl !== undefined && implCmd !== undefined) throw new UsageError('--impl and --impl-cmd are mutually exclusive: pick one implementation');
  if (args.bug !== undefined) throw new UsageError(`--bug plants a bug in the built-in core; it cannot be combined with ${impl !== undefined ? '--impl' : '--impl-cmd'}`);
  if (impl !== undefined) {
    if (typeof impl !== 'string' || impl === '') throw new UsageError(`--impl expects a module path, got ${JSON.stringify(impl)}`);
    const watchdogMs = parseTimeout(args.implTimeout);
    // The main thread cannot stop its own import: load it in a thread that can be stopped first. Seed
    // workers skip this, since the main thread's probe of the same module has passed.
    if (isMainThread) await probeModuleLoad(impl, cwd, Math.max(watchdogMs, MODULE_LOAD_MS_MIN));
    const loaded = await loadModuleImplementation(impl, cwd);
    const guarded = guardNondeterminism(loaded, DEFAULT_TIMING.tickMs);
    return {
      implementation: guarded.implementation,
      flags: `--impl ${shellQuote(impl)}${watchdogMs === DEFAULT_IMPL_TIMEOUT_MS ? '' : ` --impl-timeout ${watchdogMs}`}`,
      notices: () => {
        const line = describeUsage(loaded.name, guarded.usage);
        return line === null ? [] : [line];
      },
      close: () => {},
      watchdogMs,
      usage: guarded.usage,
    };
  }
  if (typeof implCmd !== 'string' || implCmd.trim() === '') throw new UsageError(`--impl-cmd expects a command line, got ${JSON.stringify(implCmd)}`);
  const timeoutMs = parseTimeout(args.implTimeout);
  const adapter = ProcessAdapter.start({ command: implCmd, cwd, timeoutMs, nodeCount });
  return {
    implementation: adapter.implementation,
    flags: `--impl-cmd ${shellQuote(implCmd)}${timeoutMs === DEFAULT_IMPL_TIMEOUT_MS ? '' : ` --impl-timeout ${timeoutMs}`}`,
    notices: () => [],
    close: () => adapter.close(),
    watchdogMs: null,
  };
}

function parseTimeout(raw: unknown): number {
  if (raw === undefined) return DEFAULT_IMPL_TIMEOUT_MS;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || raw === '' || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--impl-timeout expects a whole number of milliseconds >= 1, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
