// The worker thread of the process adapter (cli/adapters/process.ts). It starts the implementation's child
// processes (and keeps spares booted ahead of need), reaps them, drains their stderr, and runs the watchdog.
// It does not carry the protocol's bytes: each process's stdin and stdout are named pipes (FIFOs) whose host
// ends the host thread reads and writes itself, synchronously (process-pipe.ts), so a round trip costs two
// context switches (host -> process -> host) instead of four thread hand-offs through this worker. Plain
// JavaScript on purpose: worker threads do not inherit tsx's loader when the CLI registers it through its API
// (bin/seaworthy.js).
//
// Requests from the host thread (one at a time, each answered exactly once, on the reply port; the host blocks
// on Atomics.wait over word 0 of `signal` until the answer is there):
//   {op: 'take'}              -> {ok: true, pid, stdinFd, stdoutFd, pollFd, startedMs} | {ok: false, error}
//       hands over a started process (a spare when one is alive) and starts a new spare. The host reads and
//       writes the two pipe ends until it hands them back; this worker keeps the process's stderr and exit.
//   {op: 'release', pid}      -> no answer: the host is done with the pipe ends, which this worker closes (a
//       file opened with openSync belongs to the thread that opened it: Node closes it when that thread ends).
//   {op: 'ended', pid, waitMs} -> {ok: true, exit, stderr}
//       how the process ended ("exited with code 3", or null if it has not within waitMs) and its stderr tail.
//   {op: 'close'}             -> {ok: true}
//
// The watchdog: words WATCH_* of `signal` describe the call in progress (process-pipe.ts writes them). Every
// WATCH_INTERVAL_MS this worker looks; a call past its deadline is claimed (compare-exchange of its token to
// its negation, so the host and the watchdog never both finish the same call) and its process group killed.
// The host's blocking read then ends (the pipe's only writer is gone) and the host reports the silence.
//
// Killing: a node's process leads its own process group (spawned detached), and every kill reaches the whole
// group. A simulated crash is SIGKILL at once (the host sends it); closing sends SIGTERM, waits KILL_GRACE_MS
// for the groups to go, then SIGKILLs them all. Each group leader's pid sits in `groups`, a table the main
// thread shares (cli/adapters/process-groups.ts), from spawn until the leader is reaped, so the main thread can
// kill them on Ctrl-C or when it terminates this worker's parent, when no cleanup here runs.
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const { signal, replyPort, command, cwd, groups, sparesWanted, epochMs } = workerData;
const signalWord = new Int32Array(signal);
/** Shared table of live group leaders; same slot protocol as process-groups.ts (compare-exchange 0 <-> pid). */
const groupTable = new Int32Array(groups);
const STDERR_TAIL_MAX = 2000;
const QUOTE_MAX = 300;
const CLOSE_WAIT_MS = 2_000;
/** Keep in step with KILL_GRACE_MS in process-groups.ts. */
const KILL_GRACE_MS = 300;
/** How often the watchdog looks at the call in progress: its precision, and its whole cost while calls go well. */
const WATCH_INTERVAL_MS = 20;
/** The call in progress (keep in step with process-pipe.ts): token (>0 running, <0 claimed), pid, deadline. */
const WATCH_TOKEN = 2;
const WATCH_PID = 3;
const WATCH_DEADLINE = 4;

/** The spawn gate after the pid slots (process-groups.ts): CLOSING, then SPAWNING, at the table's end. */
const CLOSING_WORD = groupTable.length - 2;
const SPAWNING_WORD = groupTable.length - 1;
const SLOT_COUNT = groupTable.length - 2;

function registerGroup(pid) {
  for (let i = 0; i < SLOT_COUNT; i++) if (Atomics.compareExchange(groupTable, i, 0, pid) === 0) return;
}

function unregisterGroup(pid) {
  for (let i = 0; i < SLOT_COUNT; i++) if (Atomics.compareExchange(groupTable, i, pid, 0) === pid) return;
}

/**
 * Spawns a group leader and records it, inside the spawn gate: while the main thread kills the table, a
 * spawn waits for the kill to end, and a kill waits for a spawn under way to be recorded (process-groups.ts).
 */
function spawnGroupLeader(stdio) {
  for (;;) {
    Atomics.add(groupTable, SPAWNING_WORD, 1);
    const closers = Atomics.load(groupTable, CLOSING_WORD);
    if (closers === 0) break;
    Atomics.sub(groupTable, SPAWNING_WORD, 1);
    Atomics.wait(groupTable, CLOSING_WORD, closers);
  }
  try {
    // detached: the process leads its own group, so a kill reaches whatever the shell started.
    const child = spawn(command, { shell: true, cwd, detached: true, stdio });
    if ((child.pid ?? 0) > 0) registerGroup(child.pid);
    return child;
  } finally {
    Atomics.sub(groupTable, SPAWNING_WORD, 1);
  }
}

function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes two FIFOs for a new process, its stdin and its stdout, in a private temporary directory, and calls
 * `done(error, dir)`. Asynchronous (mkfifo is a program: Node has no call for it), so that starting a spare never
 * holds up the host's requests.
 */
function makeFifoPair(done) {
  let dir;
  try {
    dir = mkdtempSync(join(tmpdir(), 'seaworthy-fifo-'));
  } catch (error) {
    done(error, null);
    return;
  }
  execFile('mkfifo', ['-m', '600', join(dir, 'in'), join(dir, 'out')], (error) => {
    if (error !== null) rmSync(dir, { recursive: true, force: true });
    done(error, error === null ? dir : null);
  });
}

/**
 * Opens the FIFOs of `dir` and removes it (an open pipe needs no name, so nothing is left on disk). The opening
 * order matters. Each FIFO is first opened for reading without blocking, so that opening its write end does not
 * wait; then the ends that stay are opened in blocking mode (a blocking read is how the host waits for a reply
 * without spinning) and the helper end is closed, so that each pipe has exactly one reader and one writer: when
 * the process dies, the host's read sees end of file and its write sees EPIPE (the host's non-blocking helper
 * on stdout is a second reader, which changes neither). Node opens every file with
 * O_CLOEXEC, so no other child inherits an end.
 */
function openFifoPair(dir) {
  const stdinPath = join(dir, 'in');
  const stdoutPath = join(dir, 'out');
  try {
    const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;
    const inHelper = openSync(stdinPath, O_RDONLY | O_NONBLOCK);
    const hostIn = openSync(stdinPath, O_WRONLY);
    const childIn = openSync(stdinPath, O_RDONLY);
    closeSync(inHelper);
    // The helper stays: through it the host looks, without blocking, for a line nobody asked for.
    const hostPoll = openSync(stdoutPath, O_RDONLY | O_NONBLOCK);
    const childOut = openSync(stdoutPath, O_WRONLY);
    const hostOut = openSync(stdoutPath, O_RDONLY);
    return { hostIn, hostOut, hostPoll, childIn, childOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function closeQuietly(fd) {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

/** pid -> Proc, for every process started and not yet reaped. */
const procs = new Map();
/**
 * Processes started ahead of need, so that a node's (re)start does not wait for an interpreter to boot: one per
 * node of the cluster (at least one), because a seed starts every node at once and a crash storm restarts
 * several at the same instant; with a single spare all but the first would wait for a boot.
 */
const spares = [];
const SPARES_MAX = Math.max(1, Number.isInteger(sparesWanted) ? sparesWanted : 1);
/** Set once the adapter closes: no more spares. */
let closing = false;

function answer(message) {
  replyPort.postMessage(message);
  Atomics.add(signalWord, 0, 1);
  Atomics.notify(signalWord, 0);
}

function quote(text) {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

class Proc {
  /** `dir`: the FIFOs made for it (makeFifoPair), or null with the `error` that prevented them. */
  constructor(error, dir) {
    this.startedMs = Date.now() - epochMs;
    this.exit = null;
    this.stderrTail = '';
    /** Callbacks waiting for the exit ('ended'). */
    this.waiters = [];
    /** Whether the host holds the pipe ends (handed out and not yet released). */
    this.handedOut = false;
    let fds;
    try {
      if (dir === null) throw error;
      fds = openFifoPair(dir);
    } catch (failure) {
      this.pid = 0;
      this.fds = null;
      this.onExit(`could not be started: its pipes could not be made (${failure instanceof Error ? failure.message : String(failure)})`);
      return;
    }
    this.fds = fds;
    try {
      this.child = spawnGroupLeader([fds.childIn, fds.childOut, 'pipe']);
    } finally {
      closeSync(fds.childIn);
      closeSync(fds.childOut);
    }
    this.pid = this.child.pid ?? 0;
    if (this.pid > 0) procs.set(this.pid, this);
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_MAX);
    });
    this.child.on('error', (error) => this.onExit(`could not be started: ${error.message}`));
    this.child.on('close', (code, sig) => this.onExit(sig === null ? `exited with code ${code}` : `was killed by ${sig}`));
    // The leader is reaped: whatever it started in its group goes with it, then the pid leaves the table (a
    // group id stays unused while any member lives, so this SIGKILL cannot reach a stranger).
    this.child.on('exit', () => {
      if (this.pid <= 0) return;
      signalGroup(this.pid, 'SIGKILL');
      unregisterGroup(this.pid);
    });
  }

  onExit(what) {
    if (this.exit !== null) return;
    this.exit = what;
    procs.delete(this.pid);
    if (this.handedOut) rememberEnded(this);
    else this.closeEnds();
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Closes the host's pipe ends, once. */
  closeEnds() {
    if (this.fds === null) return;
    closeQuietly(this.fds.hostIn);
    closeQuietly(this.fds.hostOut);
    closeQuietly(this.fds.hostPoll);
    this.fds = null;
  }

  stderrNote() {
    const tail = this.stderrTail.trim();
    return tail === '' ? '' : `; its stderr ends: ${quote(tail.split('\n').slice(-5).join(' | '))}`;
  }

  /** A simulated crash, or a watchdog kill: the whole group at once. */
  kill() {
    this.signal('SIGKILL');
  }

  signal(sig) {
    if (this.exit !== null || this.pid <= 0) return;
    if (!signalGroup(this.pid, sig)) this.child.kill(sig);
  }
}

/** Spares being started (their FIFOs being made), and the host's takes waiting for one. */
let starting = 0;
const takers = [];

/** Starts spares until SPARES_MAX are alive or on their way. */
function topUp() {
  while (!closing && spares.length + starting < Math.max(SPARES_MAX, takers.length)) {
    starting++;
    makeFifoPair((error, dir) => {
      starting--;
      if (closing) {
        if (dir !== null) rmSync(dir, { recursive: true, force: true });
        return;
      }
      spares.push(new Proc(error, dir));
      serveTakers();
    });
  }
}

/**
 * Hands each waiting take a started process, then tops the spares up, after the answer, off the host's path.
 * A spare that died before the take came (killed from outside while it waited) is not handed out; one started
 * for this take that died already (a command that exits at once) is reported as the node's failure, so a
 * command that cannot run is not restarted forever.
 */
function serveTakers() {
  while (takers.length > 0 && spares.length > 0) {
    const proc = spares.shift();
    const taker = takers[0];
    if (proc.exit !== null && proc.startedMs < taker.sinceMs) continue;
    takers.shift();
    if (proc.exit !== null || proc.fds === null) {
      taker.reply({ ok: false, error: `process ${proc.exit}${proc.stderrNote()}` });
      continue;
    }
    proc.handedOut = true;
    taker.reply({ ok: true, pid: proc.pid, stdinFd: proc.fds.hostIn, stdoutFd: proc.fds.hostOut, pollFd: proc.fds.hostPoll, startedMs: proc.startedMs });
  }
  topUp();
}

/** How `pid` ended, waiting up to `waitMs` for it (the host saw its pipe close, the exit event may lag). */
function ended(pid, waitMs, reply) {
  const proc = procs.get(pid) ?? endedProcs.get(pid);
  if (proc === undefined) return reply({ ok: true, exit: null, stderr: '' });
  const done = () => {
    clearTimeout(timer);
    reply({ ok: true, exit: proc.exit, stderr: proc.stderrNote() });
  };
  if (proc.exit !== null) return reply({ ok: true, exit: proc.exit, stderr: proc.stderrNote() });
  const timer = setTimeout(() => {
    proc.waiters = proc.waiters.filter((w) => w !== done);
    reply({ ok: true, exit: null, stderr: proc.stderrNote() });
  }, waitMs);
  proc.waiters.push(done);
}

/** The last processes handed out that have ended, so 'ended' still finds one reaped before the host asked. */
const endedProcs = new Map();
const ENDED_KEPT_MAX = 64;
function rememberEnded(proc) {
  endedProcs.set(proc.pid, proc);
  if (endedProcs.size > ENDED_KEPT_MAX) endedProcs.delete(endedProcs.keys().next().value);
}

/** The watchdog's look at the call in progress (see the header). */
function watch() {
  const token = Atomics.load(signalWord, WATCH_TOKEN);
  if (token <= 0) return;
  const pid = Atomics.load(signalWord, WATCH_PID);
  const deadline = Atomics.load(signalWord, WATCH_DEADLINE);
  if (Date.now() - epochMs <= deadline) return;
  if (Atomics.compareExchange(signalWord, WATCH_TOKEN, token, -token) !== token) return;
  const proc = procs.get(pid);
  if (proc !== undefined) proc.kill();
  else if (pid > 0) signalGroup(pid, 'SIGKILL');
}

const watchTimer = setInterval(watch, WATCH_INTERVAL_MS);
topUp();

/**
 * SIGTERM to every group, SIGKILL to the groups still there after KILL_GRACE_MS (a process may ignore
 * SIGTERM), then a bounded wait until each leader has been reaped, so none is left as a zombie.
 */
function closeAll(done) {
  closing = true;
  clearInterval(watchTimer);
  for (const taker of takers.splice(0)) taker.reply({ ok: false, error: 'process adapter closed' });
  const all = [...procs.values()];
  spares.splice(0);
  for (const proc of all) proc.signal('SIGTERM');
  const startedMs = Date.now();
  let killed = false;
  const finish = () => {
    for (const proc of all) proc.closeEnds();
    done();
  };
  const timer = setTimeout(finish, KILL_GRACE_MS + CLOSE_WAIT_MS);
  const check = () => {
    if (all.every((p) => p.exit !== null)) {
      clearTimeout(timer);
      finish();
      return;
    }
    if (!killed && Date.now() - startedMs >= KILL_GRACE_MS) {
      killed = true;
      for (const proc of all) proc.kill();
    }
    setTimeout(check, 5);
  };
  check();
}

parentPort.on('message', (request) => {
  const reply = (message) => answer({ ...message, id: request.id });
  switch (request.op) {
    case 'take':
      takers.push({ reply, sinceMs: Date.now() - epochMs });
      return serveTakers();
    case 'release': {
      const proc = procs.get(request.pid) ?? endedProcs.get(request.pid);
      if (proc !== undefined) {
        proc.handedOut = false;
        proc.closeEnds();
      }
      return undefined;
    }
    case 'ended':
      return ended(request.pid, request.waitMs, reply);
    case 'close':
      return closeAll(() => reply({ ok: true }));
    default:
      return reply({ ok: false, error: `unknown op ${String(request.op)}` });
  }
});
