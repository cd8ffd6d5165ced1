/**
 * Checks a paired history against a model: partitions it (P-compositionality), runs one resumable WGL search
 * per partition under a shared step budget, and explains the first failing partition.
 */
import type { Operation } from './history.js';
import type { Model } from './model.js';
import type { ExplainedOperation, LinExplanation, LinResult, LinVerdict, PartitionResult, PositionName } from './result.js';
import { TypedArena } from './arena.js';
import { PartitionSearch, searchArenaBytes } from './search.js';
import type { PartialLinearization, SearchStatus } from './search.js';

/**
 * Generous: the hardest shared history (kv c50-ok) needs about 1.3 million steps. Bounded because memo entries
 * grow with steps (roughly tens of bytes each); 20 million steps is seconds of search and at most a few
 * hundred MB.
 */
export const DEFAULT_STEP_BUDGET = 20_000_000;

/**
 * Work units (steps, candidates scanned, memo words compared) allowed across all partitions. Steps alone do
 * not bound time: on a history with hundreds of operations open at once, one step scans hundreds of
 * candidates. About 100 million units is a few seconds of search on one core; the hardest shared history
 * (kv c50-ok) needs about 5 million.
 */
export const DEFAULT_WORK_BUDGET = 150_000_000;

/** How often, in work units, the checker asks {@link CheckOptions.interrupted} whether to stop. */
const INTERRUPT_POLL_WORK = 1 << 18;

/** Steps the first round gives each partition; later rounds double it (iterative deepening across keys). */
const FIRST_SLICE_STEPS = 20_000;

export interface CheckOptions {
  /** Search steps allowed across all partitions before answering `unknown`. Default {@link DEFAULT_STEP_BUDGET}. */
  readonly stepBudget?: number;
  /** Work units allowed across all partitions before answering `unknown`. Default {@link DEFAULT_WORK_BUDGET}. */
  readonly workBudget?: number;
  /**
   * Asked every few hundred thousand work units; `true` stops the search with `unknown` (`stoppedBy:
   * 'interrupt'`). This is how a caller outside the deterministic folders imposes a wall-clock deadline: the
   * checker itself never reads a clock. Omit for a fully deterministic check.
   */
  readonly interrupted?: () => boolean;
  /** How explanations name positions; default `event`. */
  readonly positionName?: PositionName;
}

interface Part<State, Input, Output> {
  readonly key: string;
  readonly label: string;
  readonly ops: readonly Operation<Input, Output>[];
  readonly search: PartitionSearch<State, Input, Output>;
}

/**
 * The buffer the last check's searches were carved from, handed on to the next check. Allocating a buffer of tens
 * of KB per partition (and collecting it) was a tenth of checking a run's history; a check's searches die with the
 * check (its result keeps none of their arrays), so the next one may take the buffer over.
 */
let spareBuffer: ArrayBuffer | undefined;
/** Buffers up to this size are handed on; a larger one (a huge history's) is left to the collector. */
const SPARE_BUFFER_BYTES_MAX = 1 << 20;

/** An arena of `bytes` on the spare buffer when it is free and large enough. */
function takeArena(bytes: number): TypedArena {
  const spare = spareBuffer;
  // Taken while in use: a check started from inside a check (a model calling the checker) gets a buffer of its own.
  spareBuffer = undefined;
  if (spare !== undefined && spare.byteLength >= bytes) return new TypedArena(bytes, spare);
  // Rounded up, so that checks of slowly growing histories do not each allocate a slightly larger buffer.
  let capacity = 1 << 12;
  while (capacity < bytes) capacity *= 2;
  return new TypedArena(bytes, new ArrayBuffer(capacity));
}

function releaseArena(arena: TypedArena): void {
  if (arena.backing.byteLength <= SPARE_BUFFER_BYTES_MAX) spareBuffer = arena.backing;
}

/** Operations grouped by partition key, groups in order of first appearance, each in the order given. */
function groupByPartition<Input, Output>(
  ops: readonly Operation<Input, Output>[],
  partition: ((input: Input) => string) | undefined,
): { readonly keys: string[]; readonly groups: Operation<Input, Output>[][] } {
  const keys: string[] = [];
  const groups: Operation<Input, Output>[][] = [];
  // A history has a few keys: a scan of them finds an operation's group faster than a Map lookup by string; past
  // GROUPS_SCANNED_MAX the Map takes over.
  let byKey: Map<string, Operation<Input, Output>[]> | undefined;
  for (const op of ops) {
    const key = partition === undefined ? '' : partition(op.input);
    let group: Operation<Input, Output>[] | undefined;
    if (byKey === undefined) {
      for (let g = 0; g < keys.length; g++) {
        if (keys[g] === key) {
          group = groups[g];
          break;
        }
      }
    } else {
      group = byKey.get(key);
    }
    if (group === undefined) {
      group = [];
      keys.push(key);
      groups.push(group);
      if (byKey !== undefined) byKey.set(key, group);
      else if (keys.length > GROUPS_SCANNED_MAX) byKey = new Map(keys.map((k, g) => [k, groups[g] as Operation<Input, Output>[]]));
    }
    group.push(op);
  }
  return { keys, groups };
}

/** Partition keys looked up by a scan (see groupByPartition). */
const GROUPS_SCANNED_MAX = 8;

/** The partitions of `ops`, their searches carved from `arena` (see {@link partitionsArenaBytes}). */
function partitionOps<State, Input, Output>(
  model: Model<State, Input, Output>,
  keys: readonly string[],
  groups: readonly Operation<Input, Output>[][],
  arena: TypedArena,
): Part<State, Input, Output>[] {
  const partition = model.partition;
  const parts: Part<State, Input, Output>[] = [];
  for (let g = 0; g < groups.length; g++) {
    const key = keys[g] as string;
    const group = groups[g] as Operation<Input, Output>[];
    const label = partition === undefined ? 'history' : (model.describePartition?.(key) ?? key);
    parts.push({ key, label, ops: group, search: new PartitionSearch(model, group, { arena }) });
  }
  return parts;
}

/** Bytes of one arena for the searches of `groups`: each one's, and 8 for aligning where it starts. */
function partitionsArenaBytes(groups: readonly (readonly unknown[])[]): number {
  let bytes = 0;
  for (const group of groups) bytes += searchArenaBytes(group.length) + 8;
  return bytes;
}

/**
 * Decides whether `ops` (sorted by call position, positions distinct) is linearizable with respect to `model`.
 * Deterministic; never throws for a well-formed history. When the budget runs out before every partition is
 * decided, and none has failed, the verdict is `unknown`.
 */
export function checkOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): LinResult {
  const { keys, groups } = groupByPartition(ops, model.partition);
  const arena = takeArena(partitionsArenaBytes(groups));
  try {
    return checkPartitions(model, ops, partitionOps(model, keys, groups, arena), options);
  } finally {
    releaseArena(arena);
  }
}

/** {@link checkOperations} once the partitions are made. */
function checkPartitions<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: readonly Operation<Input, Output>[],
  parts: readonly Part<State, Input, Output>[],
  options: CheckOptions,
): LinResult {
  const stepBudget = options.stepBudget ?? DEFAULT_STEP_BUDGET;
  const workBudget = options.workBudget ?? DEFAULT_WORK_BUDGET;
  // Listing each partition's first candidates is work done before any step.
  const spent = { steps: 0, work: parts.reduce((sum, part) => sum + part.search.work, 0) };
  let pending = parts.filter((part) => part.search.result === 'pending');
  let slice = FIRST_SLICE_STEPS;
  let failed: Part<State, Input, Output> | undefined;
  let stoppedBy: 'budget' | 'interrupt' | undefined;
  while (pending.length > 0 && failed === undefined && stoppedBy === undefined) {
    for (const part of pending) {
      const status = runSlice(part.search, slice, { stepBudget, workBudget, spent, interrupted: options.interrupted });
      if (status === 'not-linearizable') {
        failed = part;
        break;
      }
      if (status === 'budget' || status === 'interrupt') {
        stoppedBy = status;
        break;
      }
    }
    pending = pending.filter((part) => part.search.result === 'pending');
    slice *= 2;
  }

  const verdict: LinVerdict = failed !== undefined ? 'not-linearizable' : pending.length > 0 ? 'unknown' : 'linearizable';
  const partitions: PartitionResult[] = parts.map((part) => ({
    key: part.key,
    label: part.label,
    ops: part.ops.length,
    verdict: part.search.result === 'pending' ? 'unknown' : part.search.result,
    steps: part.search.steps,
    work: part.search.work,
  }));
  const base = { verdict, model: model.name, ops: ops.length, steps: spent.steps, stepBudget, work: spent.work, workBudget, partitions };
  if (verdict === 'unknown') return { ...base, stoppedBy: stoppedBy ?? 'budget' };
  if (failed === undefined) return base;
  return { ...base, explanation: explain(model, failed, options.positionName ?? 'event') };
}

interface SliceLimits {
  readonly stepBudget: number;
  readonly workBudget: number;
  /** Totals across partitions, updated in place. */
  readonly spent: { steps: number; work: number };
  readonly interrupted: (() => boolean) | undefined;
}

/**
 * Runs one partition for up to `slice` steps in chunks of {@link INTERRUPT_POLL_WORK} work units, polling
 * `interrupted` between chunks. Returns the partition's status, or why the whole check must stop.
 */
function runSlice<State, Input, Output>(
  search: PartitionSearch<State, Input, Output>,
  slice: number,
  limits: SliceLimits,
): SearchStatus | 'budget' | 'interrupt' {
  const { spent } = limits;
  const stepEnd = search.steps + slice;
  for (;;) {
    const steps = Math.min(stepEnd - search.steps, limits.stepBudget - spent.steps);
    const work = Math.min(INTERRUPT_POLL_WORK, limits.workBudget - spent.work);
    const stepsBefore = search.steps;
    const workBefore = search.work;
    const status = search.run(steps, work);
    spent.steps += search.steps - stepsBefore;
    spent.work += search.work - workBefore;
    if (status !== 'pending') return status;
    if (spent.steps >= limits.stepBudget || spent.work >= limits.workBudget) return 'budget';
    if (search.steps >= stepEnd) return 'pending';
    if (limits.interrupted?.() === true) return 'interrupt';
  }
}

function explainOp<State, Input, Output>(model: Model<State, Input, Output>, op: Operation<Input, Output>): ExplainedOperation {
  const described = {
    id: op.id,
    process: op.process,
    description: model.describeOperation(op.input, op.output),
    call: op.call,
    ret: op.ret,
  };
  return {
    ...described,
    ...(op.callAtMs === undefined ? {} : { callAtMs: op.callAtMs }),
    ...(op.retAtMs === undefined ? {} : { retAtMs: op.retAtMs }),
  };
}

/**
 * Search allowed to the explanation's second look at a failed partition: enough for every shared history,
 * bounded so that explaining never costs more than a fraction of the default budget.
 */
const EXPLAIN_STEP_BUDGET = 200_000;
const EXPLAIN_WORK_BUDGET = 4_000_000;

/**
 * The deepest legal partial linearization of a failed partition. The lookahead that made the search fail
 * fast also cuts its partial linearizations short (it abandons a prefix as soon as some later operation is
 * doomed), so a second search without it, under a small budget, usually goes further; the deeper of the two
 * is shown. Both are legal prefixes, so the explanation is right either way.
 */
function deepestPrefix<State, Input, Output>(model: Model<State, Input, Output>, part: Part<State, Input, Output>): PartialLinearization<State> {
  const pruned = part.search.longest();
  if (!part.search.usesLookahead) return pruned;
  const plain = new PartitionSearch(model, part.ops, { lookahead: false });
  plain.run(EXPLAIN_STEP_BUDGET, EXPLAIN_WORK_BUDGET);
  const full = plain.longest();
  return full.ops.length > pruned.ops.length ? full : pruned;
}

function explain<State, Input, Output>(
  model: Model<State, Input, Output>,
  part: Part<State, Input, Output>,
  positionName: PositionName,
): LinExplanation {
  const longest = deepestPrefix(model, part);
  const placed = new Set(longest.ops);
  // The failing operation: the earliest-returning completed one that the longest prefix could not reach.
  let failing: Operation<Input, Output> | undefined;
  for (let i = 0; i < part.ops.length; i++) {
    const op = part.ops[i] as Operation<Input, Output>;
    if (placed.has(i) || op.ret === null) continue;
    if (failing === undefined || op.ret < (failing.ret as number)) failing = op;
  }
  if (failing === undefined) throw new Error('a failed search must leave a completed operation unplaced');
  const target = failing;
  const initial = model.init();
  const lastState = longest.statesAfter.length === 0 ? initial : (longest.statesAfter[longest.statesAfter.length - 1] as State);
  const concurrent = part.ops.filter(
    (op) => op !== target && op.call < (target.ret as number) && (op.ret === null || op.ret > target.call),
  );
  return {
    partition: part.label,
    positionName,
    initialState: model.describeState(initial),
    failing: explainOp(model, target),
    longest: longest.ops.map((index, i) => ({
      op: explainOp(model, part.ops[index] as Operation<Input, Output>),
      stateAfter: model.describeState(longest.statesAfter[i] as State),
    })),
    stateBeforeFailing: model.describeState(lastState),
    concurrent: concurrent.map((op) => explainOp(model, op)),
  };
}
