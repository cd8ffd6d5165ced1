/**
 * The Wing & Gong / Lowe search (WGL) over one partition, with memoisation of (linearized set, state) and a step
 * budget. Resumable: {@link PartitionSearch.run} does at most a given number of steps and can be called again,
 * so the checker can share one budget fairly between partitions.
 *
 * Entries: each operation has a call node and, when it completed, a return node; the nodes form a doubly
 * linked list in real-time order. The search repeatedly tries to linearize a call node that precedes the first
 * return node (its operation may take effect now); reaching a return node means the pending operation can no
 * longer be placed, so it backtracks. Linearizing an operation "lifts" its nodes out of the list.
 *
 * Memo key: the linearized set is canonicalised without storing a bitset of the whole history. With `f` the
 * first completed operation (in call order) not yet linearized, every earlier completed operation is
 * linearized and every linearized later one was invoked before `f` returned (else it would have to follow
 * `f`). So (f, the bit words from f to the last operation invoked before f's return, the bits of the
 * operations that never completed) identifies the set, in space bounded by concurrency, not history length.
 */
import { ILLEGAL } from './model.js';
import type { Model } from './model.js';
import type { Operation } from './history.js';
import { TypedArena } from './arena.js';
import { invokedBefore, OrphanTracker } from './orphans.js';
import { rankByKey } from './ranking.js';

export type SearchStatus = 'linearizable' | 'not-linearizable' | 'pending';

/** The deepest partial linearization seen: operation indices (local to the partition) and the state after each. */
export interface PartialLinearization<State> {
  readonly ops: readonly number[];
  readonly statesAfter: readonly State[];
}

const NONE = -1;
/** The id of a state no operation requires or produces (distinct from every id and from NONE). */
const UNNAMED = -2;
/** No id yet (distinct from every id, NONE and UNNAMED). */
const UNSET = -3;
/** Fewest memo table slots (and entries) a search starts with; a power of two. */
const INITIAL_TABLE_SLOTS = 256;

/**
 * Memo table slots a search over `n` operations starts with: room for about n entries at a load of at most one
 * half, since a search of a run's history makes about one memo entry per operation (growing the tables cost more
 * than zeroing them at the right size). A power of two.
 */
function tableSlots(n: number): number {
  let slots = INITIAL_TABLE_SLOTS;
  while (slots < 2 * n + 2) slots *= 2;
  return slots;
}

/** How many of an operation's producers the stuck check looks at before assuming one is left. */
const PRODUCERS_SCANNED_MAX = 8;

/** A deterministic 30-bit mix of an operation index (Murmur3 finaliser), so XOR-combined set hashes spread. */
function opHash(index: number): number {
  let h = Math.imul(index + 1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/**
 * Bytes of the arena a search over `n` operations carves its fixed-size arrays from (see the constructor): the
 * 4-byte arrays (memo tables, entry links, per-operation and per-level arrays, bit sets, candidates, the lookahead
 * tables and the orphan tracker's), the 8-byte sort keys of the rankings with their alignment, then the 1-byte
 * ones with room for their alignment.
 */
export function searchArenaBytes(n: number): number {
  const tables = 6 * tableSlots(n);
  const search = 2 * (2 * n + 1) + 17 * n + 6 * (n + 1) + (n >>> 5) + 1 + ((n + 31) >>> 5) + Math.max(64, 4 * n);
  // Ranks with their insertion sorts' scratch, the returns' order (linkEntries), and the orphan tracker: its
  // consumers are at most PRODUCERS_TRACKED_MAX per operation, its keys at most two per operation.
  const ranking = 4 * n + 3 * n;
  const orphans = 4 * n + 1 + 8 * n + 2 * n + 1;
  const sortKeys = 4 * (2 * n + 1);
  return 4 * (tables + search + ranking + orphans + sortKeys) + 6 * n + 2 + 4 * 6;
}

/*
 * A memo key's closed and open bit words are compared and copied by the same two helpers: the open words exist only
 * in partitions with an operation that never completed, rare in a run's history, and loops of their own first ran
 * late in a process, without type feedback, deoptimizing the search (V8 keeps the feedback per function, so the
 * loops here are fed by the closed words of every partition).
 */

/** True when pool[at, at + to - from) equals words[from, to). */
function sameWords(pool: Uint32Array, at: number, words: Uint32Array, from: number, to: number): boolean {
  for (let w = from; w < to; w++) if (pool[at + w - from] !== words[w]) return false;
  return true;
}

/** Copies words[from, to) to pool from `at`; returns the offset after them. */
function copyWords(pool: Uint32Array, at: number, words: Uint32Array, from: number, to: number): number {
  for (let w = from; w < to; w++) pool[at + w - from] = words[w] as number;
  return at + to - from;
}

export class PartitionSearch<State, Input, Output> {
  private readonly n: number;
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly hasReturn: Uint8Array;
  private readonly readOnly: Uint8Array;
  /** 1 when the model says the operation's result state is fixed by the operation ({@link Model.determinesState}). */
  private readonly determined: Uint8Array;
  /**
   * For an operation that never completed: the nearest earlier such operation with the same input, else -1.
   * Invariant: placed twins form a prefix in invocation order, so checking this one twin suffices.
   */
  private readonly twinBefore: Int32Array;
  /** Closed (completed) operations are numbered in call order; open ones separately. -1 when not applicable. */
  private readonly closedIndex: Int32Array;
  private readonly openIndex: Int32Array;
  private readonly closedCount: number;
  /** Invariant: windowEnd[c] is the last closed index whose call precedes closed operation c's return. */
  private readonly windowEnd: Int32Array;
  private readonly closedBits: Uint32Array;
  private readonly openBits: Uint32Array;
  private readonly hashes: Int32Array;
  private readonly inputs: readonly Input[];
  private readonly outputs: readonly Output[];

  // Memo table: hash -> first entry; entries chained, keys packed into a growable word pool.
  // Open-addressing table (linear probing, load <= 3/4): slot -> memo hash and the first entry of its chain.
  // Small to start (they grow by doubling): a run's history makes a few partitions of about a hundred operations,
  // and zeroing 32 KB of tables per partition was a measurable share of checking it. The verdict, steps and work
  // do not depend on the sizes.
  private tableHash: Int32Array;
  private tableFirst: Int32Array;
  private tableUsed = 0;
  private entryNext: Int32Array;
  private entryOffset: Int32Array;
  private entryState: State[] = [];
  private entryCount = 0;
  private pool: Uint32Array;
  private poolLength = 0;

  // Search state (saved between run() calls).
  private readonly stackOp: Int32Array;
  private readonly stackForced: Uint8Array;
  private readonly stackState: State[] = [];
  /**
   * Chains of never-completed operations. Invariant: stack levels [chainBase, depth) hold only operations that
   * never completed, and level chainBase - 1 (if any) a completed one; so the chain started in state
   * stackState[chainBase] (the current state when chainBase === depth: no chain). stackChainBase[d] is
   * chainBase as it was at level d, restored on backtrack.
   */
  private chainBase = 0;
  private readonly stackChainBase: Int32Array;
  private depth = 0;
  private state: State;
  /**
   * Candidates of each configuration on the stack: the operations invoked before the first pending return,
   * in order of return (earliest deadline first; never-completed ones last). Level d's candidates live in
   * candidates[candidateStart[d], candidateStart[d] + candidateCount[d]); candidateCursor[d] is the next to try.
   */
  private candidates: Int32Array;
  private readonly candidateStart: Int32Array;
  private readonly candidateCount: Int32Array;
  private readonly candidateCursor: Int32Array;
  /** Read-only candidates illegal in the level's state, stored after the level's tried candidates (never tried). */
  private readonly candidateExtra: Int32Array;
  /**
   * Lookahead ({@link Model.requires}): for a completed operation needing one state, producers[producerStart[op]
   * ... producerStart[op] + producerCount[op]) lists the operations that produce that state and were invoked
   * before its return (in call order); requiredId[op] names the state (NONE: none). States are named by the ids
   * of their keys ({@link Model.stateKey}) in keyIds, so the search compares integers, not strings.
   */
  private readonly requiredId: Int32Array;
  private readonly producerStart: Int32Array;
  private readonly producerCount: Int32Array;
  private producers: Int32Array;
  /** For never-completed operations: the state each needs to take effect (NONE: none) (lookahead). */
  private readonly openRequiredId: Int32Array;
  /** For every operation: the state it produces (NONE: none, or not a state-changing operation). */
  private readonly producedId: Int32Array;
  /** State key -> id, for every state some operation requires or produces. */
  private readonly keyIds = new Map<string, number>();
  /** Number or null state -> the id of its key (see stateId). */
  private readonly valueIds = new Map<number | null, number>();
  /** The number or null state stateId named last, and its id (UNSET before the first). */
  private lastValue: number | null = null;
  private lastValueId = UNSET;
  /** Whether the lookahead tables were built and there is a completed operation to use them on. */
  private readonly lookahead: boolean;
  /**
   * Per chain-start level: the states a chain of never-completed operations started there may usefully pass
   * through (see usefulStates), or null when any state may be needed. Valid while chainTargetsReady[level] is
   * 1; recomputed on each new visit of the level.
   */
  private readonly chainTargets: (Set<number> | null)[] = [];
  private readonly chainTargetsReady: Uint8Array;
  /** Orphaned operations (see orphans.ts); null when the model has no lookahead. */
  private readonly orphans: OrphanTracker | null;
  /** Scratch for collectCandidates: never-completed candidates, appended after the sorted completed ones. */
  private readonly openScratch: Int32Array;
  /** Scratch for collectCandidates: read-only candidates illegal in the level's state (left out of the list). */
  private readonly illegalScratch: Int32Array;
  /** Invariant: rank orders closed operations by return, then open ones by call. */
  private readonly rank: Int32Array;
  private closedLeft: number;
  /** Invariant: every closed operation with index < firstOpen is linearized; firstOpen itself is not. */
  private firstOpen = 0;
  private hash = 0;
  private status: SearchStatus = 'pending';
  private stepCount = 0;
  /**
   * Work done so far: one unit per step, per candidate scanned when listing a level's candidates, and per memo
   * word compared or stored. Unlike steps, work tracks time: a step over hundreds of open candidates costs
   * hundreds of units. Invariant: workCount >= stepCount.
   */
  private workCount = 0;

  // Deepest partial linearization; longest[0, stableDepth) equals the current stack's prefix.
  private readonly longestOp: Int32Array;
  private readonly longestState: State[] = [];
  private longestDepth = 0;
  private stableDepth = 0;

  /**
   * `lookahead: false` turns off the pruning by {@link Model.requires} (the orphan and stuck checks): the
   * search is slower but its longest partial linearization goes as far as legal steps allow, which is what an
   * explanation should show. Default true. `arena`: where the search's fixed-size arrays come from, with room for
   * {@link searchArenaBytes} of `ops.length` (default: an arena of its own).
   */
  constructor(
    private readonly model: Model<State, Input, Output>,
    ops: readonly Operation<Input, Output>[],
    options: { readonly lookahead?: boolean; readonly arena?: TypedArena } = {},
  ) {
    const n = ops.length;
    this.n = n;
    this.head = 2 * n;
    const arena = options.arena ?? new TypedArena(searchArenaBytes(n));
    const slots = tableSlots(n);
    this.tableHash = arena.int32(slots);
    this.tableFirst = arena.int32(slots).fill(NONE);
    // About one entry per operation, of a few words each: two words per slot (the pool grows on demand), and an
    // entry for every two words of pool, the fewest an entry takes (see `store`).
    this.entryNext = arena.int32(slots);
    this.entryOffset = arena.int32(slots);
    this.pool = arena.uint32(2 * slots);
    this.next = arena.int32(2 * n + 1).fill(NONE);
    this.prev = arena.int32(2 * n + 1).fill(NONE);
    this.hasReturn = arena.uint8(n);
    this.readOnly = arena.uint8(n);
    this.determined = arena.uint8(n);
    this.closedIndex = arena.int32(n).fill(NONE);
    this.openIndex = arena.int32(n).fill(NONE);
    this.hashes = arena.int32(n);
    this.twinBefore = arena.int32(n).fill(NONE);
    const lastTwin = new Map<string, number>();
    // Filled by push, not map: map made the arrays of long partitions holey, another map for the search's reads
    // of them, which then deoptimized on the first long partition.
    const inputs: Input[] = [];
    const outputs: Output[] = [];
    for (let i = 0; i < n; i++) {
      const op = ops[i] as Operation<Input, Output>;
      inputs.push(op.input);
      outputs.push(op.output);
    }
    this.inputs = inputs;
    this.outputs = outputs;
    this.stackOp = arena.int32(n);
    this.stackForced = arena.uint8(n);
    this.stackChainBase = arena.int32(n + 1);
    this.longestOp = arena.int32(n);

    const closedRets: number[] = [];
    let closed = 0;
    let open = 0;
    for (let i = 0; i < n; i++) {
      const op = ops[i] as Operation<Input, Output>;
      if (i > 0 && (ops[i - 1] as Operation<Input, Output>).call >= op.call) {
        throw new Error(`operations must be sorted by call position (index ${String(i)})`);
      }
      this.hashes[i] = opHash(i);
      this.readOnly[i] = model.readOnly?.(op.input, op.output) === true ? 1 : 0;
      this.determined[i] = model.determinesState?.(op.input, op.output) === true ? 1 : 0;
      if (op.ret === null) {
        this.openIndex[i] = open++;
        if (model.inputKey !== undefined) {
          const key = model.inputKey(op.input);
          this.twinBefore[i] = lastTwin.get(key) ?? NONE;
          lastTwin.set(key, i);
        }
      } else {
        if (op.ret <= op.call) throw new Error(`operation ${String(i)} returns before it is called`);
        this.hasReturn[i] = 1;
        this.closedIndex[i] = closed++;
        closedRets.push(op.ret);
      }
    }
    this.closedCount = closed;
    this.closedLeft = closed;
    this.closedBits = arena.uint32((closed >>> 5) + 1);
    this.openBits = arena.uint32((open + 31) >>> 5);

    // Returns are not sorted in call order, so each window is found by its own forward scan: O(concurrency).
    this.windowEnd = arena.int32(closed);
    const closedCalls: number[] = [];
    for (const op of ops) if (op.ret !== null) closedCalls.push(op.call);
    for (let c = 0; c < closed; c++) {
      const ret = closedRets[c] as number;
      let end = c;
      while (end + 1 < closed && (closedCalls[end + 1] as number) < ret) end++;
      this.windowEnd[c] = end;
    }

    this.linkEntries(ops, arena);
    this.state = model.init();
    this.rank = this.rankCandidates(ops, arena);
    this.candidates = arena.int32(Math.max(64, 4 * n));
    this.openScratch = arena.int32(n);
    this.illegalScratch = arena.int32(n);
    this.producerStart = arena.int32(n);
    this.producerCount = arena.int32(n);
    this.producers = arena.int32(n);
    this.requiredId = arena.int32(n).fill(NONE);
    this.openRequiredId = arena.int32(n).fill(NONE);
    this.producedId = arena.int32(n).fill(NONE);
    this.chainTargetsReady = arena.uint8(n + 1);
    // The orphan tracker reads the lookahead tables: it exists exactly when they could be built.
    const built = options.lookahead !== false && this.buildLookahead(ops, arena.int32(2 * n + 1));
    this.lookahead = built && closed > 0;
    this.orphans = built
      ? OrphanTracker.fromLookahead(n, {
          requiredId: this.requiredId,
          keyCount: this.keyIds.size,
          stateId: (state: unknown) => this.stateId(state as State),
          producers: this.producers,
          producerStart: this.producerStart,
          producerCount: this.producerCount,
          arena,
        })
      : null;
    this.candidateStart = arena.int32(n + 1);
    this.candidateCount = arena.int32(n + 1);
    this.candidateCursor = arena.int32(n + 1);
    this.candidateExtra = arena.int32(n + 1);
    if (closed === 0) this.status = 'linearizable';
    else this.collectCandidates(0, this.state);
  }

  /**
   * The order in which candidates are tried (any order is sound; this one is fast on real histories):
   * earliest return first, which places the operation whose return comes next first, as just-in-time
   * linearization does; never-completed operations last, in call order. An overwriting operation is tried
   * no earlier than the completed mutating operations invoked before it and still running at its invocation,
   * since placing those first is the only way to hide their effects behind it.
   */
  private rankCandidates(ops: readonly Operation<Input, Output>[], arena: TypedArena): Int32Array {
    const n = ops.length;
    const model = this.model;
    const keys = arena.float64(n);
    let latestMutatingRet = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const op = ops[i] as Operation<Input, Output>;
      if (op.ret === null) {
        keys[i] = Number.MAX_VALUE;
        continue;
      }
      let key = op.ret;
      if (model.overwrites?.(op.input) === true && latestMutatingRet > op.call) key = Math.max(key, latestMutatingRet + 0.5);
      keys[i] = key;
      if (this.readOnly[i] === 0) latestMutatingRet = Math.max(latestMutatingRet, op.ret);
    }
    return rankByKey(keys, arena);
  }

  /**
   * Fills the lookahead tables when the model has them and every state-changing operation names the state it
   * produces (otherwise an unnamed producer could make any operation legal, and nothing is pruned); returns
   * whether it did. `groupCount`: zeroed scratch of 2n + 1 entries (an operation names at most two keys, and only
   * an operation that never completed names a second one before the last loop).
   */
  private buildLookahead(ops: readonly Operation<Input, Output>[], groupCount: Int32Array): boolean {
    const model = this.model;
    const requires = model.requires;
    const produces = model.produces;
    if (requires === undefined || produces === undefined || model.stateKey === undefined) return false;
    const n = ops.length;
    const keyIds = this.keyIds;
    // Producers grouped by the state they produce, groups in order of first appearance, each in call order: a
    // counting sort over the produced keys' ids (which are numbered in that order).
    let producerTotal = 0;
    for (let i = 0; i < n; i++) {
      const op = ops[i] as Operation<Input, Output>;
      const key = produces(op.input, op.output);
      if (op.ret === null) this.openRequiredId[i] = this.keyId(requires(op.input, op.output));
      if (key === undefined) {
        if (this.readOnly[i] === 0) return false;
        continue;
      }
      const id = this.keyId(key);
      this.producedId[i] = id;
      groupCount[id + 1] = (groupCount[id + 1] as number) + 1;
      producerTotal++;
    }
    // Every id so far has a group, empty for a key only required (the layout of the groups is no matter: each
    // operation reads its own group's range); a key first named below has none.
    const groups = keyIds.size;
    for (let id = 1; id <= groups; id++) groupCount[id] = (groupCount[id] as number) + (groupCount[id - 1] as number);
    // groupCount[id] is now where group id starts; filling advances it to where the group ends.
    const producers = this.producers;
    for (let i = 0; i < n; i++) {
      const id = this.producedId[i] as number;
      if (id === NONE) continue;
      producers[groupCount[id] as number] = i;
      groupCount[id] = (groupCount[id] as number) + 1;
    }
    if (producerTotal < n) this.producers = producers.subarray(0, producerTotal);
    for (let i = 0; i < n; i++) {
      const op = ops[i] as Operation<Input, Output>;
      if (op.ret === null) continue;
      const id = this.keyId(requires(op.input, op.output));
      this.requiredId[i] = id;
      if (id === NONE || id >= groups) continue;
      // The group of id now ends at groupCount[id]; it starts where the previous one ends.
      const start = id === 0 ? 0 : (groupCount[id - 1] as number);
      this.producerStart[i] = start;
      this.producerCount[i] = invokedBefore(ops, producers, start, groupCount[id] as number, op.ret);
    }
    return true;
  }

  /** The id of a state key (a new one for a key not seen yet); NONE for no key. */
  private keyId(key: string | undefined): number {
    if (key === undefined) return NONE;
    let id = this.keyIds.get(key);
    if (id === undefined) this.keyIds.set(key, (id = this.keyIds.size));
    return id;
  }

  /**
   * The id of `state`'s key; UNNAMED when no operation requires or produces that state. Asked on every placement
   * (the orphans' dead check): a number or null state (a register's) is looked up by value, so its key string is
   * built once per value, not once per placement. Sound because keyIds is complete once the search is built and
   * a key is a function of the state.
   */
  private stateId(state: State): number {
    if (typeof state !== 'number' && state !== null) return this.keyIds.get((this.model.stateKey as (state: State) => string)(state)) ?? UNNAMED;
    // Half the questions repeat the one before (the stuck check and the orphans' dead check of one placement).
    if (state === this.lastValue && this.lastValueId !== UNSET) return this.lastValueId;
    let id = this.valueIds.get(state as number | null);
    if (id === undefined) {
      id = this.keyIds.get((this.model.stateKey as (state: State) => string)(state)) ?? UNNAMED;
      this.valueIds.set(state as number | null, id);
    }
    this.lastValue = state as number | null;
    this.lastValueId = id;
    return id;
  }

  /** True when some operation other than `op` that produces the state `op` needs is still unplaced. */
  private producerLeft(op: number): boolean {
    const start = this.producerStart[op] as number;
    const end = start + (this.producerCount[op] as number);
    // Latest-invoked first: those are the likeliest to be unplaced. Only the last few are looked at, so a
    // value written thousands of times costs no more than a rare one; a longer list counts as "maybe".
    const first = Math.max(start, end - PRODUCERS_SCANNED_MAX);
    for (let k = end - 1; k >= first; k--) {
      this.workCount++;
      const p = this.producers[k] as number;
      if (p !== op && !this.isPlaced(p)) return true;
    }
    return first > start;
  }

  /** Builds the entry list: call nodes 0..n-1, return nodes n..2n-1, merged by position. */
  private linkEntries(ops: readonly Operation<Input, Output>[], arena: TypedArena): void {
    const n = this.n;
    const next = this.next;
    const prev = this.prev;
    // The completed operations in order of return (ties by index): the inverse of their ranks by return position.
    const closedCount = this.closedCount;
    const retKeys = arena.float64(closedCount);
    const closedOps = arena.int32(closedCount);
    for (let i = 0; i < n; i++) {
      const c = this.closedIndex[i] as number;
      if (c === NONE) continue;
      retKeys[c] = (ops[i] as Operation<Input, Output>).ret as number;
      closedOps[c] = i;
    }
    const byRet = rankByKey(retKeys, arena);
    const returns = arena.int32(closedCount);
    for (let c = 0; c < closedCount; c++) returns[byRet[c] as number] = closedOps[c] as number;
    let last = this.head;
    let r = 0;
    for (let i = 0; i <= n; i++) {
      // Returns before call i (before the end, after the last call), then call i.
      const call = i < n ? (ops[i] as Operation<Input, Output>).call : Number.POSITIVE_INFINITY;
      while (r < returns.length && ((ops[returns[r] as number] as Operation<Input, Output>).ret as number) < call) {
        const node = n + (returns[r] as number);
        next[last] = node;
        prev[node] = last;
        last = node;
        r++;
      }
      if (i === n) break;
      next[last] = i;
      prev[i] = last;
      last = i;
    }
  }

  /** True when the lookahead pruned this search (so its partial linearizations may stop short). */
  get usesLookahead(): boolean {
    return this.orphans !== null || this.lookahead;
  }

  get steps(): number {
    return this.stepCount;
  }

  /** Work units spent so far (see {@link PartitionSearch.run}). */
  get work(): number {
    return this.workCount;
  }

  get result(): SearchStatus {
    return this.status;
  }

  /** Operation count of the partition. */
  get size(): number {
    return this.n;
  }

  /** The deepest partial linearization found so far (meaningful after a `not-linearizable` result). */
  longest(): PartialLinearization<State> {
    return {
      ops: Array.from(this.longestOp.subarray(0, this.longestDepth)),
      statesAfter: this.longestState.slice(0, this.longestDepth),
    };
  }

  /**
   * Searches for at most `stepLimit` more steps (one step = one attempt to place an operation, or one
   * backtrack) and about `workLimit` more work units (a step, a candidate scanned, a memo word compared; the
   * last step may overshoot by one level's candidate scan). Returns the status; `pending` when a limit was
   * reached first.
   */
  run(stepLimit: number, workLimit = Number.POSITIVE_INFINITY): SearchStatus {
    if (this.status !== 'pending') return this.status;
    const model = this.model;
    const inputs = this.inputs;
    const outputs = this.outputs;
    const readOnly = this.readOnly;
    const hasReturn = this.hasReturn;
    const twinBefore = this.twinBefore;
    const equal = model.equal;
    const stackOp = this.stackOp;
    const stackForced = this.stackForced;
    const stackState = this.stackState;
    const stackChainBase = this.stackChainBase;
    const determined = this.determined;
    let state = this.state;
    let depth = this.depth;
    let chainBase = this.chainBase;
    const orphans = this.orphans;
    const lookahead = this.lookahead;
    const same = (a: State, b: State): boolean => (equal === undefined ? Object.is(a, b) : equal(a, b));
    const stepEnd = this.stepCount + Math.max(0, Math.floor(stepLimit));
    const workEnd = this.workCount + Math.max(0, Math.floor(workLimit));
    let steps = this.stepCount;
    let status: SearchStatus = 'pending';
    const candidateStart = this.candidateStart;
    const candidateCount = this.candidateCount;
    const candidateCursor = this.candidateCursor;

    while (steps < stepEnd && this.workCount < workEnd) {
      steps++;
      this.workCount++;
      const cursor = candidateCursor[depth] as number;
      let backtrack = cursor >= (candidateStart[depth] as number) + (candidateCount[depth] as number);
      if (!backtrack) {
        candidateCursor[depth] = cursor + 1;
        const op = this.candidates[cursor] as number;
        let after = model.step(state, inputs[op] as Input, outputs[op] as Output);
        const open = hasReturn[op] === 0;
        if (after !== ILLEGAL && open) {
          // An operation that never completed may also never take effect: placing it where it changes
          // nothing, or before its identical earlier twin, only loses options.
          const twin = twinBefore[op] as number;
          if (equal === undefined ? Object.is(after, state) : equal(after, state)) after = ILLEGAL;
          else if (twin !== NONE && !this.isPlaced(twin)) after = ILLEGAL;
        }
        if (after !== ILLEGAL && chainBase < depth && determined[op] === 1) {
          // Inside a chain of never-completed operations that started in state s0: if this operation was
          // already legal (and, if it never completed, effective) in s0, placing it there instead reaches the
          // same state with fewer operations used up, and the ancestor at s0 tries that; so the chain was
          // useless. The same holds for a chain that only returns to s0. (Dominance, not equality: sound
          // because that ancestor is explored in full.)
          const start = stackState[chainBase] as State;
          const atStart = model.step(start, inputs[op] as Input, outputs[op] as Output);
          if (atStart !== ILLEGAL && (!open || !same(atStart, start))) after = ILLEGAL;
          else if (open && same(after, start)) after = ILLEGAL;
        }
        if (after !== ILLEGAL && open && lookahead) {
          const level = chainBase < depth ? chainBase : depth;
          if (!this.chainCanEnd(level, level === depth ? state : (stackState[level] as State), after)) after = ILLEGAL;
        }
        if (after !== ILLEGAL) {
          this.mark(op);
          if (this.closedLeft === 0) {
            status = 'linearizable';
            break;
          }
          if (orphans !== null && orphans.dead(after)) {
            // Some operation can no longer take effect after this placement: try the next candidate.
            this.unmark(op);
            continue;
          }
          if (!this.seen(after)) {
            stackOp[depth] = op;
            stackForced[depth] = readOnly[op] as number;
            stackState[depth] = state;
            stackChainBase[depth] = chainBase;
            if (!open) chainBase = depth + 1;
            depth++;
            state = after;
            this.lift(op);
            this.collectCandidates(depth, state);
            if (depth > this.longestDepth) this.recordLongest(depth, state);
            continue;
          }
          this.unmark(op);
          // The configuration with this read-only operation added was explored and failed; since placing it
          // now loses nothing, the current configuration fails too.
          backtrack = readOnly[op] === 1;
        }
        if (!backtrack) continue;
      }
      // Backtrack: undo the last placement; undo forced (read-only) placements transitively.
      let forced = true;
      while (forced) {
        if (depth === 0) {
          status = 'not-linearizable';
          break;
        }
        depth--;
        const op = stackOp[depth] as number;
        forced = stackForced[depth] === 1;
        state = stackState[depth] as State;
        chainBase = stackChainBase[depth] as number;
        this.unmark(op);
        this.unlift(op);
        if (depth < this.stableDepth) this.stableDepth = depth;
      }
      if (status !== 'pending') break;
    }

    this.state = state;
    this.depth = depth;
    this.chainBase = chainBase;
    this.stepCount = steps;
    this.status = status;
    return status;
  }

  /**
   * Lists level `depth`'s candidates (calls before the first return node): completed operations sorted by
   * rank, then never-completed ones in call order (their rank order), so the insertion sort never shifts past
   * them. When a read-only candidate is legal in `state`, it is the level's only candidate: placing it now
   * loses no linearization (Lowe, "Testing for linearizability", §4: it can move earlier to any point where
   * it is legal, and every operation that must precede it is already placed), so nothing else needs trying.
   */
  private collectCandidates(depth: number, state: State): void {
    const start =
      depth === 0 ? 0 : (this.candidateStart[depth - 1] as number) + (this.candidateCount[depth - 1] as number) + (this.candidateExtra[depth - 1] as number);
    const n = this.n;
    const next = this.next;
    const rank = this.rank;
    const hasReturn = this.hasReturn;
    const readOnly = this.readOnly;
    const model = this.model;
    const openLater = this.openScratch;
    let opens = 0;
    const illegal = this.illegalScratch;
    let illegalCount = 0;
    if (start + n > this.candidates.length) {
      const grown = new Int32Array(Math.max(this.candidates.length * 2, start + n));
      grown.set(this.candidates);
      this.candidates = grown;
    }
    const buffer = this.candidates;
    let end = start;
    let scanned = 0;
    let forced = NONE;
    for (let node = next[this.head] as number; node !== NONE && node < n; node = next[node] as number) {
      scanned++;
      if (hasReturn[node] === 0) {
        openLater[opens++] = node;
        continue;
      }
      if (readOnly[node] === 1) {
        if (model.step(state, this.inputs[node] as Input, this.outputs[node] as Output) !== ILLEGAL) {
          forced = node;
          break;
        }
        // Illegal in this level's state, which no placement at this level changes: trying it would be a
        // wasted step. The stuck check below still looks at it.
        illegal[illegalCount++] = node;
        continue;
      }
      // Insertion sort by rank: candidate lists are short (bounded by concurrency) and nearly sorted. Written so
      // that a shift runs the same operations as a plain append: a shift is rare, and the first one, late in a
      // process, deoptimized this function when its operations had their own (so far unfed) code.
      const r = rank[node] as number;
      let i = end;
      for (;;) {
        const before = i > start ? (buffer[i - 1] as number) : NONE;
        const stop = before === NONE || (rank[before] as number) < r;
        buffer[i] = stop ? node : before;
        const below = i - 1;
        if (stop) break;
        i = below;
      }
      scanned += end - i;
      end++;
    }
    if (forced !== NONE) {
      buffer[start] = forced;
      end = start + 1;
    } else if (this.lookahead && (this.stuck(start, end, state) || this.stuckAmong(illegal, illegalCount))) {
      end = start;
    } else {
      for (let k = 0; k < opens; k++) buffer[end++] = openLater[k] as number;
    }
    // The illegal read-only candidates are kept after the tried ones: a chain started here may be what makes
    // one of them legal, so usefulStates reads them. They are never tried at this level.
    const extra = forced === NONE ? illegalCount : 0;
    for (let k = 0; k < extra; k++) buffer[end + k] = illegal[k] as number;
    this.workCount += scanned;
    this.chainTargetsReady[depth] = 0;
    this.candidateStart[depth] = start;
    this.candidateCount[depth] = end - start;
    this.candidateExtra[depth] = extra;
    this.candidateCursor[depth] = start;
  }

  /** The stuck check for read-only candidates already known to be illegal in the level's state. */
  private stuckAmong(ops: Int32Array, count: number): boolean {
    for (let k = 0; k < count; k++) {
      const op = ops[k] as number;
      if (this.requiredId[op] !== NONE && !this.producerLeft(op)) return true;
    }
    return false;
  }

  /**
   * True when a completed candidate in buffer[start, end) is illegal in `state` and no unplaced operation
   * invoked before its return can produce the state it needs: no extension of this configuration can place it.
   */
  private stuck(start: number, end: number, state: State): boolean {
    const current = this.stateId(state);
    for (let k = start; k < end; k++) {
      const op = this.candidates[k] as number;
      const needed = this.requiredId[op] as number;
      if (needed !== NONE && needed !== current && !this.producerLeft(op)) return true;
    }
    return false;
  }

  /**
   * True when a chain of never-completed operations started at level `level` (in `levelState`) and now in
   * `state` can still end in a state that a completed candidate of that level needs and lacks. A chain that
   * cannot is useless: the next completed operation would be one already legal where the chain started.
   */
  private chainCanEnd(level: number, levelState: State, state: State): boolean {
    const useful = this.usefulStates(level, levelState);
    return useful === null || useful.has(this.stateId(state));
  }

  /**
   * The states a chain started at `level` may usefully pass through, computed on first use in this visit of
   * the level: the states some completed candidate needs and lacks there, closed backwards over the level's
   * unplaced never-completed candidates (a cas from a to b makes a useful when b is). Null when any state may
   * be needed (a completed candidate that is legal in several states, but not in this one).
   */
  private usefulStates(level: number, state: State): Set<number> | null {
    if (this.chainTargetsReady[level] === 1) return this.chainTargets[level] ?? null;
    const current = this.stateId(state);
    let useful: Set<number> | null = new Set<number>();
    const start = this.candidateStart[level] as number;
    const end = start + (this.candidateCount[level] as number) + (this.candidateExtra[level] as number);
    const edges = new Map<number, number[]>();
    for (let k = start; k < end && useful !== null; k++) {
      const op = this.candidates[k] as number;
      if (this.hasReturn[op] === 0) {
        const from = this.openRequiredId[op] as number;
        const to = this.producedId[op] as number;
        if (from === NONE || to === NONE || this.isPlaced(op)) continue;
        let sources = edges.get(to);
        if (sources === undefined) edges.set(to, (sources = []));
        sources.push(from);
        continue;
      }
      const needed = this.requiredId[op] as number;
      if (needed !== NONE) {
        if (needed !== current) useful.add(needed);
      } else if (this.model.step(state, this.inputs[op] as Input, this.outputs[op] as Output) === ILLEGAL) {
        useful = null;
      }
    }
    if (useful !== null) {
      const queue = [...useful];
      for (let q = 0; q < queue.length; q++) {
        for (const from of edges.get(queue[q] as number) ?? []) {
          if (useful.has(from)) continue;
          useful.add(from);
          queue.push(from);
        }
      }
    }
    this.workCount += 2 * (end - start);
    this.chainTargets[level] = useful;
    this.chainTargetsReady[level] = 1;
    return useful;
  }

  private isPlaced(op: number): boolean {
    const c = this.closedIndex[op] as number;
    if (c !== NONE) return ((this.closedBits[c >>> 5] as number) & (1 << (c & 31))) !== 0;
    const o = this.openIndex[op] as number;
    return ((this.openBits[o >>> 5] as number) & (1 << (o & 31))) !== 0;
  }

  private recordLongest(depth: number, state: State): void {
    for (let i = this.stableDepth; i < depth; i++) {
      this.longestOp[i] = this.stackOp[i] as number;
      this.longestState[i] = i + 1 < depth ? (this.stackState[i + 1] as State) : state;
    }
    this.longestDepth = depth;
    this.stableDepth = depth;
  }

  private mark(op: number): void {
    if (this.orphans !== null) this.workCount += this.orphans.place(op);
    this.hash ^= this.hashes[op] as number;
    const c = this.closedIndex[op] as number;
    if (c === NONE) {
      const o = this.openIndex[op] as number;
      this.openBits[o >>> 5] = (this.openBits[o >>> 5] as number) | (1 << (o & 31));
      return;
    }
    this.closedBits[c >>> 5] = (this.closedBits[c >>> 5] as number) | (1 << (c & 31));
    this.closedLeft--;
    if (c === this.firstOpen) {
      let f = c + 1;
      while (f < this.closedCount && ((this.closedBits[f >>> 5] as number) & (1 << (f & 31))) !== 0) f++;
      this.firstOpen = f;
    }
  }

  private unmark(op: number): void {
    if (this.orphans !== null) this.workCount += this.orphans.unplace(op);
    this.hash ^= this.hashes[op] as number;
    const c = this.closedIndex[op] as number;
    if (c === NONE) {
      const o = this.openIndex[op] as number;
      this.openBits[o >>> 5] = (this.openBits[o >>> 5] as number) & ~(1 << (o & 31));
      return;
    }
    this.closedBits[c >>> 5] = (this.closedBits[c >>> 5] as number) & ~(1 << (c & 31));
    this.closedLeft++;
    if (c < this.firstOpen) this.firstOpen = c;
  }

  private lift(op: number): void {
    const next = this.next;
    const prev = this.prev;
    const p = prev[op] as number;
    const q = next[op] as number;
    next[p] = q;
    if (q !== NONE) prev[q] = p;
    if (this.hasReturn[op] === 1) {
      const r = this.n + op;
      const rp = prev[r] as number;
      const rq = next[r] as number;
      next[rp] = rq;
      if (rq !== NONE) prev[rq] = rp;
    }
  }

  private unlift(op: number): void {
    const next = this.next;
    const prev = this.prev;
    if (this.hasReturn[op] === 1) {
      const r = this.n + op;
      const rp = prev[r] as number;
      const rq = next[r] as number;
      next[rp] = r;
      if (rq !== NONE) prev[rq] = r;
    }
    const p = prev[op] as number;
    const q = next[op] as number;
    next[p] = op;
    if (q !== NONE) prev[q] = op;
  }

  /** True when (current linearized set, state) is memoised; otherwise memoises it and returns false. */
  private seen(state: State): boolean {
    const f = this.firstOpen;
    const lo = f >>> 5;
    const hi = (this.windowEnd[f] as number) >>> 5;
    const closedBits = this.closedBits;
    const openBits = this.openBits;
    const openWords = openBits.length;
    const pool = this.pool;
    const equal = this.model.equal;
    const hashState = this.model.hashState;
    const key = hashState === undefined ? this.hash : (this.hash + Math.imul(hashState(state), 0x9e3779b1)) & 0x3fffffff;
    const mask = this.tableFirst.length - 1;
    let slot = key & mask;
    while (this.tableFirst[slot] !== NONE && this.tableHash[slot] !== key) slot = (slot + 1) & mask;
    const first = this.tableFirst[slot] as number;
    const words = 2 + hi - lo + openWords;
    let e = first;
    while (e !== NONE) {
      this.workCount += words;
      const off = this.entryOffset[e] as number;
      if (pool[off] === f && sameWords(pool, off + 1, closedBits, lo, hi + 1) && sameWords(pool, off + 2 + hi - lo, openBits, 0, openWords)) {
        const other = this.entryState[e] as State;
        if (equal === undefined ? Object.is(other, state) : equal(other, state)) return true;
      }
      e = this.entryNext[e] as number;
    }
    this.workCount += words;
    this.store(slot, key, first, f, lo, hi, state);
    return false;
  }

  private store(slot: number, key: number, chain: number, f: number, lo: number, hi: number, state: State): void {
    const words = 1 + (hi - lo + 1) + this.openBits.length;
    // Invariant: 2 * entryNext.length >= pool.length. An entry takes at least two words (its first open
    // operation and one closed word), so while the pool has room for this entry the entry arrays have too; they
    // grow only with the pool. (A branch of their own, first taken late in a batch, had no type feedback and
    // deoptimized `seen`, which inlines this method.)
    if (this.poolLength + words > this.pool.length) {
      const grown = new Uint32Array(Math.max(this.pool.length * 2, this.poolLength + words));
      grown.set(this.pool);
      this.pool = grown;
      const entries = Math.max(this.entryNext.length * 2, (grown.length + 1) >>> 1);
      const nextGrown = new Int32Array(entries);
      nextGrown.set(this.entryNext);
      this.entryNext = nextGrown;
      const offsetGrown = new Int32Array(entries);
      offsetGrown.set(this.entryOffset);
      this.entryOffset = offsetGrown;
    }
    const pool = this.pool;
    let off = this.poolLength;
    const e = this.entryCount++;
    this.entryOffset[e] = off;
    this.entryNext[e] = chain;
    this.entryState[e] = state;
    pool[off] = f;
    off = copyWords(pool, off + 1, this.closedBits, lo, hi + 1);
    this.poolLength = copyWords(pool, off, this.openBits, 0, this.openBits.length);
    if (chain === NONE) this.tableUsed++;
    this.tableHash[slot] = key;
    this.tableFirst[slot] = e;
    // Grown past a load of 3/4, not 1/2: sized for one entry per operation at half load, a run's partitions
    // (up to ~1.3 entries per operation) then never grow it in the bench's batches. A growth is a branch first
    // taken late in a batch, and without type feedback it deoptimized `seen`, which inlines this method.
    if (this.tableUsed * 4 > this.tableFirst.length * 3) this.growTable();
  }

  private growTable(): void {
    const oldHash = this.tableHash;
    const oldFirst = this.tableFirst;
    const size = oldFirst.length * 2;
    const mask = size - 1;
    this.tableHash = new Int32Array(size);
    this.tableFirst = new Int32Array(size).fill(NONE);
    for (let i = 0; i < oldFirst.length; i++) {
      const first = oldFirst[i] as number;
      if (first === NONE) continue;
      const key = oldHash[i] as number;
      let slot = key & mask;
      while (this.tableFirst[slot] !== NONE) slot = (slot + 1) & mask;
      this.tableHash[slot] = key;
      this.tableFirst[slot] = first;
    }
  }
}
