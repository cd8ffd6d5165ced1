/**
 * Which seeds a `run` batch covers and for how long: `--seeds`, `--seed-start` (a number, or `random` for a
 * fresh start drawn for nightly runs), `--shard` (cli/shard.ts) and `--time-budget`. Resolved once, before
 * anything runs, so every bad value is one line and exit 2 without costing a seed.
 */
import { randomInt } from 'node:crypto';
import parseDuration from 'parse-duration';
import { UsageError } from './errors.js';
import { parseCount, parseSeed } from './options.js';
import { resolveShard, shardRange } from './shard.js';
import type { Shard, ShardEnv, SeedRange } from './shard.js';

/** `--seeds` when neither it nor `--time-budget` is given: the batch size `run` always had. */
export const SEEDS_DEFAULT = 100;

/**
 * `--seed-start random` draws from [1, RANDOM_SEED_START_MAX): large enough that two nightly runs rarely
 * overlap, small enough that the number is easy to read back from a log and leaves room for any `--seeds`.
 */
export const RANDOM_SEED_START_MAX = 1_000_000_000_000;

/** Budgets above a week are a typo (`10d` for `10m`?), and a timer cannot hold much more than 24 days. */
export const TIME_BUDGET_MS_MAX = 7 * 24 * 3_600_000;

export interface BatchRange {
  /** The seeds this process runs: the shard's block of the batch, or the whole batch. */
  readonly range: SeedRange;
  /** The whole batch before sharding (equal to `range` without a shard). */
  readonly batch: SeedRange;
  readonly shard: Shard | null;
  /** `--seed-start random`: the start was drawn, and is printed first so the batch can be rerun exactly. */
  readonly seedStartDrawn: boolean;
  /** Without `--seeds` but with a time budget, the batch runs until the budget is spent. */
  readonly unbounded: boolean;
  /** `--time-budget` in ms of wall clock, or null. */
  readonly timeBudgetMs: number | null;
}

export interface BatchRangeArgs {
  readonly seeds?: unknown;
  readonly seedStart?: unknown;
  readonly shard?: unknown;
  readonly shardCount?: unknown;
  readonly timeBudget?: unknown;
}

/**
 * `--time-budget`: a duration with a unit (`90s`, `10m`, `1h30m`, `1.5h`), more than 0 and at most a week.
 * A bare number is refused: `10` could mean seconds or minutes, and a wrong guess costs a CI job.
 */
export function parseTimeBudget(raw: unknown): number {
  const text = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
  const ms = /^[\d.]+$/.test(text) ? null : parseDuration(text);
  if (ms === null || !Number.isFinite(ms) || ms <= 0 || ms > TIME_BUDGET_MS_MAX) {
    throw new UsageError(`--time-budget expects a duration with a unit, more than 0 and at most 7d (e.g. 90s, 10m, 1h30m), got ${JSON.stringify(raw)}`);
  }
  return Math.round(ms);
}

/** `--seed-start`: a whole number >= 0, or `random` (drawn here, from the operating system's generator). */
function parseSeedStart(raw: unknown, draw: () => number): { readonly seedStart: number; readonly drawn: boolean } {
  if (raw === 'random') return { seedStart: draw(), drawn: true };
  return { seedStart: parseSeed('seed-start', raw ?? 1), drawn: false };
}

/** Draws a fresh seed start; `run` only, never the simulator (which takes its seeds as given). */
export function drawSeedStart(): number {
  return randomInt(1, RANDOM_SEED_START_MAX);
}

/**
 * Resolves the batch's seeds: `env` supplies `SEAWORTHY_SHARD` and `JOB_COMPLETION_INDEX` (cli/shard.ts),
 * `draw` the start for `--seed-start random`. Throws a UsageError for any bad value.
 */
export function resolveBatchRange(args: BatchRangeArgs, env: ShardEnv, draw: () => number = drawSeedStart): BatchRange {
  const timeBudgetMs = args.timeBudget === undefined ? null : parseTimeBudget(args.timeBudget);
  const start = parseSeedStart(args.seedStart, draw);
  const unbounded = args.seeds === undefined && timeBudgetMs !== null;
  // Unbounded: every seed from the start up to the largest safe integer; the budget ends the batch.
  const seeds = unbounded ? Number.MAX_SAFE_INTEGER - start.seedStart : parseCount('seeds', args.seeds ?? SEEDS_DEFAULT);
  if (!Number.isSafeInteger(start.seedStart + seeds)) {
    throw new UsageError(`--seed-start ${start.seedStart} with --seeds ${seeds} goes past the largest seed, ${Number.MAX_SAFE_INTEGER}: lower one of them`);
  }
  const batch = { seedStart: start.seedStart, seeds };
  const shard = resolveShard(args, env);
  return { range: shard === null ? batch : shardRange(batch, shard), batch, shard, seedStartDrawn: start.drawn, unbounded, timeBudgetMs };
}

/** The flags that rerun exactly this batch (or this shard of it): what a drawn start is printed with. */
export function batchFlags(b: BatchRange): string {
  const parts = [`--seed-start ${b.batch.seedStart}`];
  if (!b.unbounded) parts.push(`--seeds ${b.batch.seeds}`);
  if (b.shard !== null) parts.push(`--shard ${b.shard.index}/${b.shard.count}`);
  return parts.join(' ');
}
