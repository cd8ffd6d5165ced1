/**
 * Every `--impl-cmd` process group alive anywhere in this CLI process, in one table that every thread shares,
 * so the main thread can kill them all on any exit path: a normal end, an exception, Ctrl-C, SIGTERM, or a
 * worker thread terminated while it owned processes.
 *
 * Why a SharedArrayBuffer and not a Set: the processes are spawned by process-worker.js, a worker thread that
 * may itself run inside a seed worker (`run --jobs`, or the supervised runner). When the main thread
 * terminates that seed worker, neither worker gets to run its cleanup; the table survives them, because the
 * main thread holds the same memory. Each slot holds the pid of a process-group leader (the process was
 * spawned `detached`, so its pid is its group id), or 0. Writers claim and release slots with
 * compare-exchange, so threads never lose each other's entries.
 *
 * The last two words of the table are a spawn gate, because a pid can only be recorded after the spawn
 * returns: a process spawned while the main thread kills the table, or by a worker terminated between the
 * spawn and the record, would otherwise be missed and outlive the CLI (seen in CI: Ctrl-C during a run of
 * stubborn processes left one behind). CLOSING counts the closers; SPAWNING counts spawns under way. A
 * spawner adds one to SPAWNING, then reads CLOSING; a closer adds one to CLOSING, then waits for SPAWNING to
 * reach 0. Both use sequentially consistent atomics, so at least one sees the other: either the closer waits
 * for the spawn to be recorded, or the spawner sees CLOSING and waits (process-worker.js) until it is 0.
 * The gate is closed around every kill of the table and around every termination of a worker that may
 * own processes ({@link terminateBehindSpawnGate}).
 */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Slots in the table: process groups alive at once (jobs × (nodes + probe + spare), with room to spare). */
export const PROCESS_GROUP_SLOTS = 4096;

/** Gate words after the slots (see above); process-worker.js finds them at the same places from the end. */
const CLOSING_FROM_END = 2;
const SPAWNING_FROM_END = 1;
const GATE_WORDS = 2;

/** Wall-clock ms the killer waits for spawns under way to be recorded; a spawn takes a few ms. */
const SPAWN_WAIT_MS = 2_000;

/** Wall-clock ms a group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 300;

let table: Int32Array | null = null;

/**
 * The table of this thread: the one a parent thread handed down with {@link adoptProcessGroupTable}, else a
 * new one (the main thread's, or a worker's own when nobody handed one down).
 */
export function processGroupTable(): Int32Array {
  table ??= new Int32Array(new SharedArrayBuffer((PROCESS_GROUP_SLOTS + GATE_WORDS) * Int32Array.BYTES_PER_ELEMENT));
  return table;
}

/**
 * Makes `buffer` (a parent thread's {@link processGroupTable}) this thread's table. Call it in a worker before
 * anything spawns; a worker that adopts nothing keeps its processes to itself, and only its own exit hook
 * kills them.
 */
export function adoptProcessGroupTable(buffer: SharedArrayBuffer): void {
  table = new Int32Array(buffer);
}

/** Slots for pids: the table without its gate words. */
function slotCount(groups: Int32Array): number {
  return groups.length - GATE_WORDS;
}

/** Records a live group leader; false when the table is full (the adapter's own close still kills it). */
export function registerProcessGroup(groups: Int32Array, pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  for (let i = 0; i < slotCount(groups); i++) {
    if (Atomics.compareExchange(groups, i, 0, pid) === 0) return true;
  }
  return false;
}

/** Forgets a group whose leader has been reaped (its pid may now be reused by an unrelated process). */
export function unregisterProcessGroup(groups: Int32Array, pid: number): void {
  for (let i = 0; i < slotCount(groups); i++) {
    if (Atomics.load(groups, i) === pid && Atomics.compareExchange(groups, i, pid, 0) === pid) return;
  }
}

/** The group leaders currently in the table. */
export function liveProcessGroups(groups: Int32Array): number[] {
  const pids: number[] = [];
  for (let i = 0; i < slotCount(groups); i++) {
    const pid = Atomics.load(groups, i);
    if (pid !== 0) pids.push(pid);
  }
  return pids;
}

/** Sends `signal` to the whole group `pgid`; false when no process of the group exists any more. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every group in the table, synchronously: SIGTERM to each, up to `graceMs` of wall clock for them to
 * go, then SIGKILL to each group still there, and the table is emptied. Synchronous on purpose: it runs in
 * `process.on('exit')` and in signal handlers, where no event loop turn is left. A group whose leader has died
 * but not been reaped still answers, so a stubborn group costs the whole grace; there is no way to tell a
 * zombie leader from a live group member without /proc, and a short wait on an error path is cheap.
 * Closes the spawn gate first and waits (bounded) for spawns under way to be recorded, so a process started
 * during the kill is not missed; `final` leaves the gate closed for good (the process is exiting).
 * Returns the groups it signalled.
 */
export function killProcessGroupsSync(groups: Int32Array, graceMs = KILL_GRACE_MS, final = false): number[] {
  closeSpawnGate(groups);
  try {
    return killRecorded(groups, graceMs);
  } finally {
    // A final kill (the process is ending) leaves the gate closed: a spawner still running waits for the exit.
    if (!final) openSpawnGate(groups);
  }
}

/**
 * Closes the spawn gate (one more closer) and waits, bounded, for the spawns under way to be recorded.
 * Synchronous; only ever called on a thread that does not spawn itself (process-worker.js spawns).
 */
export function closeSpawnGate(groups: Int32Array): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  Atomics.add(groups, groups.length - CLOSING_FROM_END, 1);
  const deadline = Date.now() + SPAWN_WAIT_MS;
  while (Atomics.load(groups, groups.length - SPAWNING_FROM_END) > 0 && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 2);
}

/** Undoes one {@link closeSpawnGate}; the last closer to leave wakes the waiting spawners. */
export function openSpawnGate(groups: Int32Array): void {
  const closing = groups.length - CLOSING_FROM_END;
  if (Atomics.sub(groups, closing, 1) === 1) Atomics.notify(groups, closing);
}

/**
 * Terminates a worker that may own `--impl-cmd` processes (directly or through a nested adapter worker)
 * behind the closed spawn gate, so it cannot be stopped between spawning a process and recording it; the
 * gate opens again once the worker is gone. Resolves when it is.
 */
export async function terminateBehindSpawnGate(worker: { terminate(): Promise<number> }, groups: Int32Array = processGroupTable()): Promise<void> {
  closeSpawnGate(groups);
  try {
    await worker.terminate();
  } finally {
    openSpawnGate(groups);
  }
}

function killRecorded(groups: Int32Array, graceMs: number): number[] {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const pids = liveProcessGroups(groups);
  const signalled = pids.filter((pid) => signalGroup(pid, 'SIGTERM'));
  const deadline = Date.now() + graceMs;
  let alive = signalled;
  while (alive.length > 0 && Date.now() < deadline) {
    Atomics.wait(sleeper, 0, 0, 10);
    alive = alive.filter((pid) => signalGroup(pid, 0));
  }
  for (const pid of alive) signalGroup(pid, 'SIGKILL');
  for (const pid of pids) unregisterProcessGroup(groups, pid);
  return signalled;
}

let exitHookInstalled = false;

/**
 * In the main thread, kills the whole table on process exit: the last line of defence for every path that
 * ends the process without closing the adapters (an exception, an interrupted run). Signal handling itself
 * lives in cli/interrupt.ts, which kills the table too. A no-op in worker threads: their 'exit' would kill
 * other workers' groups in the shared table, and a terminated worker runs no hook anyway.
 */
export function installProcessGroupExitHook(): void {
  if (exitHookInstalled || !isMainThread) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    killProcessGroupsSync(processGroupTable(), KILL_GRACE_MS, true);
    removeFifoDirectories();
  });
}

/**
 * The prefix of the temporary directories in which process-worker.js makes FIFO pairs ahead of need (keep in
 * step with it): this process's pid, so that what a terminated worker thread left can be found and removed.
 */
export function fifoDirectoryPrefix(pid: number = process.pid): string {
  return `seaworthy-fifo-${pid}-`;
}

/**
 * Removes this process's FIFO directories: a worker thread terminated before its adapter closed (an interrupted
 * batch, a seed worker replaced) leaves the pairs it had made ahead behind. Runs on exit; never throws.
 */
export function removeFifoDirectories(dir: string = tmpdir(), pid: number = process.pid): void {
  try {
    const prefix = fifoDirectoryPrefix(pid);
    for (const name of readdirSync(dir)) if (name.startsWith(prefix)) rmSync(join(dir, name), { recursive: true, force: true });
  } catch {
    // a temporary directory that cannot be read leaves nothing of ours to remove
  }
}
