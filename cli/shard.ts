/**
 * Sharding a batch over machines: `run --shard k/n` runs the k-th of n disjoint parts of the seed range, so a
 * CI matrix or a Kubernetes indexed Job splits one batch without a scheduler of ours. The parts are contiguous
 * blocks (Playwright's and Jest's `--shard` convention): shard k of n runs seeds
 * `seedStart + ⌊(k-1)·seeds/n⌋ .. seedStart + ⌊k·seeds/n⌋ - 1`, so the union of the n shards is exactly the
 * unsharded batch, each seed once, and the blocks differ in size by at most one seed.
 *
 * The shard may also come from the environment, for engines that set it there: `SEAWORTHY_SHARD=k/n` (any
 * CI), or a Kubernetes indexed Job's `JOB_COMPLETION_INDEX` (0-based) with a count from `--shard-count N` or
 * `SEAWORTHY_SHARD_COUNT`. Nothing is read from the environment unless one of our variables or flags asks for
 * it: `JOB_COMPLETION_INDEX` alone shards nothing.
 */
import { UsageError } from './errors.js';

/** One shard: `index` is 1-based (the `k` of `k/n`). Invariant: 1 <= index <= count. */
export interface Shard {
  readonly index: number;
  readonly count: number;
  /** Where it came from, for messages: `--shard`, `SEAWORTHY_SHARD` or `JOB_COMPLETION_INDEX`. */
  readonly source: string;
}

/** More shards than this is a typo, not a campaign (a Kubernetes Job allows 100 000 completions). */
export const SHARD_COUNT_MAX = 100_000;

/** The environment variables the shard may come from; a plain record so tests pass their own. */
export type ShardEnv = Readonly<Record<string, string | undefined>>;

function wholeNumber(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

function countOf(raw: number | null, what: string, got: string): number {
  if (raw === null || !Number.isSafeInteger(raw) || raw < 1 || raw > SHARD_COUNT_MAX) {
    throw new UsageError(`${what} expects a shard count from 1 to ${SHARD_COUNT_MAX}, got ${JSON.stringify(got)}`);
  }
  return raw;
}

/** Parses `k/n` (1 <= k <= n) as given to `what` (a flag or a variable), or throws a one-line UsageError. */
export function parseShardText(text: string, what: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match === null ? null : Number(match[1]);
  const count = match === null ? null : Number(match[2]);
  if (index === null || count === null || !Number.isSafeInteger(count) || count < 1 || count > SHARD_COUNT_MAX || index < 1 || index > count) {
    throw new UsageError(`${what} expects k/n with 1 <= k <= n <= ${SHARD_COUNT_MAX} (e.g. 2/4: the second of four shards), got ${JSON.stringify(text)}`);
  }
  return { index, count, source: what };
}

/**
 * The shard a run asks for, or null for the whole batch: `--shard k/n` first, then `SEAWORTHY_SHARD`, then
 * `JOB_COMPLETION_INDEX` with a count (`--shard-count`, else `SEAWORTHY_SHARD_COUNT`). A count without an
 * index, or an index out of range, is a UsageError: a Job that silently ran the whole batch on every pod
 * would cost n times the machines and report every failure n times.
 */
export function resolveShard(flags: { readonly shard?: unknown; readonly shardCount?: unknown }, env: ShardEnv): Shard | null {
  if (flags.shard !== undefined) {
    if (typeof flags.shard !== 'string') throw new UsageError(`--shard expects k/n (e.g. 2/4), got ${JSON.stringify(flags.shard)}`);
    if (flags.shardCount !== undefined) throw new UsageError('--shard-count goes with JOB_COMPLETION_INDEX; --shard k/n already names the count: drop one of them');
    return parseShardText(flags.shard, '--shard');
  }
  const named = env.SEAWORTHY_SHARD;
  if (named !== undefined && named !== '') return parseShardText(named, 'SEAWORTHY_SHARD');
  const countText = flags.shardCount !== undefined ? String(flags.shardCount) : env.SEAWORTHY_SHARD_COUNT;
  const countSource = flags.shardCount !== undefined ? '--shard-count' : 'SEAWORTHY_SHARD_COUNT';
  if (countText === undefined || countText === '') return null;
  const count = countOf(typeof flags.shardCount === 'number' ? flags.shardCount : wholeNumber(countText), countSource, countText);
  const indexText = env.JOB_COMPLETION_INDEX;
  if (indexText === undefined || indexText === '') {
    throw new UsageError(`${countSource} ${count} needs JOB_COMPLETION_INDEX (set by a Kubernetes indexed Job) to pick a shard; outside such a Job use --shard k/${count}`);
  }
  const zeroBased = wholeNumber(indexText);
  if (zeroBased === null || zeroBased >= count) {
    throw new UsageError(`JOB_COMPLETION_INDEX expects a whole number from 0 to ${count - 1} (${countSource} ${count}), got ${JSON.stringify(indexText)}`);
  }
  return { index: zeroBased + 1, count, source: 'JOB_COMPLETION_INDEX' };
}

/** A contiguous run of seeds. */
export interface SeedRange {
  readonly seedStart: number;
  readonly seeds: number;
}

/**
 * The seeds of `shard` within the batch `range`: a contiguous block, empty when there are fewer seeds than
 * shards and this shard gets none. Exact for any safe-integer range (BigInt arithmetic: `k·seeds` may pass
 * 2^53 when the range is unbounded, as with `--time-budget`).
 */
export function shardRange(range: SeedRange, shard: Shard): SeedRange {
  const total = BigInt(range.seeds);
  const from = (BigInt(shard.index - 1) * total) / BigInt(shard.count);
  const to = (BigInt(shard.index) * total) / BigInt(shard.count);
  return { seedStart: range.seedStart + Number(from), seeds: Number(to - from) };
}
