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
//   {op: 'took', pid}         -> no answer: the host has taken a spare this worker offered (below), or found it
//       dead and given it back ('release' follows); a new spare is started in its place.
//   Offers, unasked: {op: 'spare', ok: true, pid, group, stdinFd, stdoutFd, pollFd, startedMs} (no id), for every spare that
//       is ready while no take waits. The host keeps them and takes one without asking, so a node's (re)start
//       waits for no thread hand-off (on a loaded machine, the wait for this thread to be scheduled was most of a
//       take); it asks with 'take' only when it holds none.
//   {op: 'release', pid}      -> no answer: the host is done with the pipe ends, which this worker closes (a
//       file opened with openSync belongs to the thread that opened it: Node closes it when that thread ends).
//   {op: 'ended', pid, waitMs} -> {ok: true, exit, stderr}
//       how the process ended ("exited with code 3", or null if it has not within waitMs) and its stderr tail.
//   {op: 'close'}             -> {ok: true}
//   {op: 'fork-server'}       -> no answer: the implementation declared a fork server (docs/protocol.md § Fork
//       server); from now on spares are forked by one long-lived process of the command instead of started.
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
//
// The fork server (opt-in, declared by the process in its create reply): booting an interpreter per node
// incarnation is what a crash-heavy seed pays for (hundreds of restarts), so the command is started once more as
// a server whose first request is `fork`: it forks a child per spare, and the child opens the two FIFOs named in
// the request as its stdin and stdout and speaks the ordinary protocol from `create` on. A child is a fresh
// process that shares nothing with the node's earlier incarnations (the server never creates a node), so a crash
// stays a real process death. The children stay in the server's process group, so the table's entry for the
// server reaches them all; a single incarnation is killed by its pid. The server reaps them (the kernel does,
// with SIGCHLD ignored), so this worker learns that one has gone only from its pid being gone.
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

/**
 * Wires a spawned group leader to its owner (a node process or a fork server): keeps the tail of its stderr, reports
 * its end through `owner.onExit`, and once it is reaped kills whatever it left in its group and drops the pid from
 * the table (a group id stays unused while any member lives, so this SIGKILL cannot reach a stranger).
 */
function watchGroupLeader(owner) {
  const child = owner.child;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    owner.stderrTail = (owner.stderrTail + chunk).slice(-STDERR_TAIL_MAX);
  });
  child.on('error', (error) => owner.onExit(`could not be started: ${error.message}`));
  child.on('close', (code, sig) => owner.onExit(sig === null ? `exited with code ${code}` : `was killed by ${sig}`));
  child.on('exit', () => {
    if (owner.pid <= 0) return;
    signalGroup(owner.pid, 'SIGKILL');
    unregisterGroup(owner.pid);
  });
}
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

/** How long the fork server has to answer a `fork` (the child opens its pipes) before that spare fails. */
const FORK_WAIT_MS = 10_000;

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
 * FIFO pairs made ahead, each `{in, out, remove()}`: a new process's stdin and stdout, in a private temporary
 * directory. mkfifo is a program (Node has no call for it), and starting one costs about as much as a fork of
 * this whole Node process (10 ms on a loaded machine), which a crash storm restarting hundreds of fork-server
 * children would pay for every restart: so each run of it makes FIFO_BATCH pairs in one directory, removed
 * with its last pair.
 */
const fifoPairs = [];
const FIFO_BATCH = 8;
/** Callbacks waiting for a pair, while a batch is being made. */
const fifoWaiters = [];
let fifoBatchUnderway = false;

/**
 * Calls `done(error, pair)` with a FIFO pair, never synchronously; asynchronous so that starting a spare never
 * holds up the host's requests.
 */
function makeFifoPair(done) {
  fifoWaiters.push(done);
  if (fifoPairs.length > 0) setImmediate(serveFifoWaiters);
  else makeFifoBatch();
}

function serveFifoWaiters() {
  while (fifoWaiters.length > 0 && fifoPairs.length > 0) fifoWaiters.shift()(null, fifoPairs.shift());
  if (fifoWaiters.length > 0) makeFifoBatch();
}

function makeFifoBatch() {
  if (fifoBatchUnderway) return;
  let dir;
  try {
    // This process's pid in the name (fifoDirectoryPrefix in process-groups.ts): the main thread removes what a
    // terminated worker leaves behind when the process exits.
    dir = mkdtempSync(join(tmpdir(), `seaworthy-fifo-${process.pid}-`));
  } catch (error) {
    for (const waiter of fifoWaiters.splice(0)) waiter(error, null);
    return;
  }
  fifoBatchUnderway = true;
  let left = FIFO_BATCH;
  const pairs = Array.from({ length: FIFO_BATCH }, (_, i) => {
    const paths = [join(dir, `in-${i}`), join(dir, `out-${i}`)];
    return {
      in: paths[0],
      out: paths[1],
      removed: false,
      remove() {
        if (this.removed) return;
        this.removed = true;
        for (const path of paths) rmSync(path, { force: true });
        if (--left === 0) rmSync(dir, { recursive: true, force: true });
      },
    };
  });
  execFile('mkfifo', ['-m', '600', ...pairs.flatMap((pair) => [pair.in, pair.out])], (error) => {
    fifoBatchUnderway = false;
    if (error !== null) {
      rmSync(dir, { recursive: true, force: true });
      for (const waiter of fifoWaiters.splice(0)) waiter(error, null);
      return;
    }
    fifoPairs.push(...pairs);
    serveFifoWaiters();
  });
}

/** Removes the FIFO pairs made and not used (the adapter is closing). */
function removeFifoPairs() {
  for (const pair of fifoPairs.splice(0)) pair.remove();
}

/**
 * Opens the FIFOs of `pair` and removes them (an open pipe needs no name, so nothing is left on disk). The opening
 * order matters. Each FIFO is first opened for reading without blocking, so that opening its write end does not
 * wait; then the ends that stay are opened in blocking mode (a blocking read is how the host waits for a reply
 * without spinning) and the helper end is closed, so that each pipe has exactly one reader and one writer: when
 * the process dies, the host's read sees end of file and its write sees EPIPE (the host's non-blocking helper
 * on stdout is a second reader, which changes neither). Node opens every file with
 * O_CLOEXEC, so no other child inherits an end.
 */
function openFifoPair(pair) {
  const stdinPath = pair.in;
  const stdoutPath = pair.out;
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
    pair.remove();
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
/** pid -> Proc of the spares offered to the host and not yet taken (their pipe ends are the host's to use). */
const offered = new Map();
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
  /** `pair`: the FIFOs made for it (makeFifoPair), or null with the `error` that prevented them. */
  constructor(error, pair) {
    this.startedMs = Date.now() - epochMs;
    this.exit = null;
    this.stderrTail = '';
    /** Callbacks waiting for the exit ('ended'). */
    this.waiters = [];
    /** Whether the host holds the pipe ends (handed out and not yet released). */
    this.handedOut = false;
    /** Whether the process leads its own group (a kill reaches the group), as every started one does. */
    this.group = true;
    let fds;
    try {
      if (pair === null) throw error;
      fds = openFifoPair(pair);
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
    watchGroupLeader(this);
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

  /** Whether it has ended (a started process's exit is an event: nothing to look at). */
  refresh() {
    return this.exit !== null;
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

/**
 * A child of the fork server, handed over like a started process. Its exit is not an event here (its parent,
 * the server, reaps it), so `refresh` looks for its pid, and a kill reaches the pid alone: its group is the
 * server's and holds every other node. Its stderr is the server's, shared by all children.
 */
class ForkedProc {
  /** `fds`: the host's pipe ends (openForkEnds), or null with `failure` when the fork did not happen. */
  constructor(pid, fds, startedMs, server, failure) {
    this.pid = pid;
    this.fds = fds;
    this.startedMs = startedMs;
    this.server = server;
    this.exit = null;
    this.waiters = [];
    this.handedOut = false;
    this.group = false;
    if (fds === null || pid <= 0) {
      this.pid = 0;
      this.fds = null;
      this.exit = failure;
      return;
    }
    procs.set(pid, this);
  }

  refresh() {
    if (this.exit === null) {
      try {
        process.kill(this.pid, 0);
      } catch {
        this.onExit('exited');
      }
    }
    return this.exit !== null;
  }

  stderrNote() {
    return this.server.stderrNote();
  }

  kill() {
    this.signal('SIGKILL');
  }

  signal(sig) {
    if (this.exit !== null || this.pid <= 0) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      this.refresh();
    }
  }
}
// The bookkeeping of an ended process and of its pipe ends is the same for both kinds.
ForkedProc.prototype.onExit = Proc.prototype.onExit;
ForkedProc.prototype.closeEnds = Proc.prototype.closeEnds;

/**
 * The implementation's fork server: one process of the command, started with ordinary pipes, whose requests are
 * `{"type":"fork","id","stdin","stdout"}` and whose replies, one per request in any order, are
 * `{"type":"forked","id","pid"}` once the child has opened both paths, or `{"type":"error","id","message"}`.
 */
class ForkServer {
  constructor() {
    this.exit = null;
    this.stderrTail = '';
    /** Forks answered: a server that dies having forked nothing is not started again (a broken command). */
    this.forkedCount = 0;
    /** id -> {done, timer} of the forks asked for and not answered. */
    this.pending = new Map();
    this.partial = '';
    this.child = spawnGroupLeader(['pipe', 'pipe', 'pipe']);
    this.pid = this.child.pid ?? 0;
    // A write to a server that has died fails later, as its exit: nothing to do here.
    this.child.stdin.on('error', () => {});
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => this.onOutput(chunk));
    // Its children are in its group: when it goes, they go (a node left without its server is not a state the
    // protocol knows).
    watchGroupLeader(this);
  }

  /** Asks for a child on the FIFOs `stdinPath` and `stdoutPath`; `done(problem, pid)`, once. */
  fork(stdinPath, stdoutPath, done) {
    // The server's stderr is the child's too: serveTakers adds it to the report.
    if (this.exit !== null) return done(`fork server ${this.exit}`, 0);
    const id = ++forkRequests;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      done(`fork server gave no answer to fork within ${FORK_WAIT_MS} ms`, 0);
    }, FORK_WAIT_MS);
    this.pending.set(id, { done, timer });
    this.child.stdin.write(`${JSON.stringify({ type: 'fork', id, stdin: stdinPath, stdout: stdoutPath })}\n`);
    return undefined;
  }

  onOutput(chunk) {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.onLine(line);
  }

  onLine(line) {
    let reply = null;
    try {
      reply = JSON.parse(line);
    } catch {
      // reported below, as a reply nobody asked for
    }
    const waiting = reply !== null && typeof reply === 'object' ? this.pending.get(reply.id) : undefined;
    if (waiting === undefined) {
      // Not an answer to a fork: the server broke the protocol, and none of its answers can be trusted now.
      this.fail(`fork server wrote a line that answers no fork request: ${quote(line)}`);
      return;
    }
    this.pending.delete(reply.id);
    clearTimeout(waiting.timer);
    if (reply.type === 'forked' && Number.isSafeInteger(reply.pid) && reply.pid > 0) {
      this.forkedCount++;
      waiting.done(null, reply.pid);
    } else if (reply.type === 'error') {
      waiting.done(`fork server could not fork: ${typeof reply.message === 'string' ? reply.message : quote(line)}`, 0);
    } else {
      waiting.done(`fork server replied to fork with ${quote(line)} (expected {"type":"forked","id","pid"})`, 0);
    }
  }

  /** Kills the server (and so every child) and fails the forks waiting. */
  fail(problem) {
    this.failure ??= problem;
    signalGroup(this.pid, 'SIGKILL');
    this.onExit(problem);
  }

  onExit(what) {
    if (this.exit !== null) return;
    this.exit = this.failure ?? what;
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      clearTimeout(waiting.timer);
      waiting.done(`fork server ${this.exit}`, 0);
    }
  }

  stderrNote() {
    const tail = this.stderrTail.trim();
    return tail === '' ? '' : `; the fork server's stderr (shared by its children) ends: ${quote(tail.split('\n').slice(-5).join(' | '))}`;
  }

  signal(sig) {
    if (this.exit === null && this.pid > 0) signalGroup(this.pid, sig);
  }

  kill() {
    this.signal('SIGKILL');
  }

  refresh() {
    return this.exit !== null;
  }
}

let forkRequests = 0;
/** The fork server once the host has asked for one ('fork-server'), else null: spares are started. */
let forkServer = null;

/**
 * The live fork server, started again when the last one has gone after serving: a server that never forked
 * anything stays, dead, so that its failure is reported to every take instead of starting servers forever.
 */
function liveForkServer() {
  if (forkServer.exit !== null && forkServer.forkedCount > 0) forkServer = new ForkServer();
  return forkServer;
}

/**
 * Opens the host's ends of the FIFOs of `pair` before the child exists, without blocking: each FIFO gets a helper
 * end of the other direction first (a reader of `in`, a writer of `out`), so the host's own ends open at once,
 * in blocking mode. The helpers are closed once the child has opened its ends (its server said `forked`), so
 * that each pipe then has one reader and one writer, exactly as for a started process (openFifoPair).
 */
function openForkEnds(pair) {
  const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;
  const opened = [];
  const open = (name, flags) => {
    const fd = openSync(pair[name], flags);
    opened.push(fd);
    return fd;
  };
  try {
    const inHelper = open('in', O_RDONLY | O_NONBLOCK);
    const hostIn = open('in', O_WRONLY);
    const hostPoll = open('out', O_RDONLY | O_NONBLOCK);
    const outHelper = open('out', O_WRONLY | O_NONBLOCK);
    const hostOut = open('out', O_RDONLY);
    return { hostIn, hostOut, hostPoll, helpers: [inHelper, outHelper] };
  } catch (error) {
    for (const fd of opened) closeQuietly(fd);
    throw error;
  }
}

/** Makes one spare through the fork server, on the FIFOs of `pair` (made by makeFifoPair, or `error`). */
function forkSpare(error, pair) {
  const server = liveForkServer();
  const startedMs = Date.now() - epochMs;
  let ends;
  try {
    if (pair === null) throw error;
    ends = openForkEnds(pair);
  } catch (failure) {
    pair?.remove();
    starting--;
    spares.push(new ForkedProc(0, null, startedMs, server, `could not be started: its pipes could not be made (${failure instanceof Error ? failure.message : String(failure)})`));
    serveTakers();
    return;
  }
  server.fork(pair.in, pair.out, (problem, pid) => {
    for (const fd of ends.helpers) closeQuietly(fd);
    pair.remove();
    starting--;
    const fds = { hostIn: ends.hostIn, hostOut: ends.hostOut, hostPoll: ends.hostPoll };
    if (problem !== null || closing) {
      for (const fd of Object.values(fds)) closeQuietly(fd);
      if (pid > 0) signalPid(pid, 'SIGKILL');
      if (closing) return;
      spares.push(new ForkedProc(0, null, startedMs, server, `could not be started: ${problem}`));
    } else {
      spares.push(new ForkedProc(pid, fds, startedMs, server, null));
    }
    serveTakers();
  });
}

function signalPid(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Spares being started (their FIFOs being made), and the host's takes waiting for one. */
let starting = 0;
const takers = [];

/**
 * Forked spares wanted per started one: a fork costs a millisecond and a few pages, so with a fork server a
 * crash storm's burst of restarts finds more of them ready.
 */
const FORKED_SPARES_FACTOR = 2;

/** Starts spares until SPARES_MAX (more with a fork server) are alive or on their way. */
function topUp() {
  const wanted = forkServer === null ? SPARES_MAX : FORKED_SPARES_FACTOR * SPARES_MAX;
  // Offered spares count only while no take waits: a host that asks with 'take' has not seen them (the offer
  // crossed its request) and is blocked until this answers, so counting them would leave the taker with nothing
  // on its way, unanswered until the adapter's timeout. The host still takes the offered ones later.
  const offeredUsable = takers.length === 0 ? offered.size : 0;
  while (!closing && spares.length + starting + offeredUsable < Math.max(wanted, takers.length)) {
    starting++;
    makeFifoPair((error, pair) => {
      if (closing) {
        starting--;
        pair?.remove();
        return;
      }
      if (forkServer !== null) return forkSpare(error, pair);
      starting--;
      spares.push(new Proc(error, pair));
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
    proc.refresh();
    if (proc.exit !== null && proc.startedMs < taker.sinceMs) continue;
    takers.shift();
    if (proc.exit !== null || proc.fds === null) {
      taker.reply({ ok: false, error: `process ${proc.exit}${proc.stderrNote()}` });
      continue;
    }
    proc.handedOut = true;
    taker.reply({ ok: true, ...handOver(proc) });
  }
  if (takers.length === 0) offerSpares();
  topUp();
}

function handOver(proc) {
  return { pid: proc.pid, group: proc.group, stdinFd: proc.fds.hostIn, stdoutFd: proc.fds.hostOut, pollFd: proc.fds.hostPoll, startedMs: proc.startedMs };
}

/**
 * Offers the host every spare that is ready ('spare' messages). One that could not be started stays here: the
 * next take reports it, as before.
 */
function offerSpares() {
  for (let i = 0; i < spares.length; ) {
    const proc = spares[i];
    if (proc.exit !== null || proc.fds === null || closing) {
      i++;
      continue;
    }
    spares.splice(i, 1);
    proc.handedOut = true;
    offered.set(proc.pid, proc);
    replyPort.postMessage({ op: 'spare', ok: true, ...handOver(proc) });
  }
}

/**
 * How `pid` ended, waiting up to `waitMs` for it (the host saw its pipe close, the exit event may lag). A fork
 * server's child has no exit event here: its pid is looked for every ENDED_POLL_MS instead.
 */
function ended(pid, waitMs, reply) {
  const proc = procs.get(pid) ?? endedProcs.get(pid);
  if (proc === undefined) return reply({ ok: true, exit: null, stderr: '' });
  if (proc.refresh()) return reply({ ok: true, exit: proc.exit, stderr: proc.stderrNote() });
  const poll = proc.group ? null : setInterval(() => proc.refresh(), ENDED_POLL_MS);
  const done = () => {
    clearTimeout(timer);
    if (poll !== null) clearInterval(poll);
    reply({ ok: true, exit: proc.exit, stderr: proc.stderrNote() });
  };
  const timer = setTimeout(() => {
    if (poll !== null) clearInterval(poll);
    proc.waiters = proc.waiters.filter((w) => w !== done);
    reply({ ok: true, exit: null, stderr: proc.stderrNote() });
  }, waitMs);
  proc.waiters.push(done);
  return undefined;
}
const ENDED_POLL_MS = 5;

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
  removeFifoPairs();
  for (const taker of takers.splice(0)) taker.reply({ ok: false, error: 'process adapter closed' });
  // The fork server's SIGTERM reaches its children too (its group); its end of input comes first.
  const all = [...procs.values(), ...(forkServer === null ? [] : [forkServer])];
  spares.splice(0);
  offered.clear();
  forkServer?.child.stdin.end();
  for (const proc of all) proc.signal('SIGTERM');
  const startedMs = Date.now();
  let killed = false;
  const finish = () => {
    for (const proc of all) proc.closeEnds?.();
    done();
  };
  const timer = setTimeout(finish, KILL_GRACE_MS + CLOSE_WAIT_MS);
  const check = () => {
    if (all.every((p) => p.refresh())) {
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
    case 'took':
      offered.delete(request.pid);
      return topUp();
    case 'release': {
      const proc = procs.get(request.pid) ?? endedProcs.get(request.pid);
      if (proc !== undefined) {
        proc.handedOut = false;
        proc.closeEnds();
        // A fork server's child leaves no exit event to end its entry: the host is done with it (it has killed
        // it, or its stdin is closed), and the server's group covers it until it has gone.
        if (!proc.group && procs.get(proc.pid) === proc) {
          procs.delete(proc.pid);
          rememberEnded(proc);
        }
      }
      return undefined;
    }
    case 'ended':
      return ended(request.pid, request.waitMs, reply);
    case 'close':
      return closeAll(() => reply({ ok: true }));
    case 'fork-server':
      // Started now, so that it boots while the spares already started are used.
      if (forkServer === null && !closing) forkServer = new ForkServer();
      return undefined;
    default:
      return reply({ ok: false, error: `unknown op ${String(request.op)}` });
  }
});
