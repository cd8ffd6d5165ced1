// The worker thread of the process adapter (cli/adapters/process.ts). It owns the implementation's child
// processes and talks to them asynchronously; the main thread blocks on Atomics.wait until this worker has
// put exactly one reply on the reply port and bumped the signal word. Plain JavaScript on purpose: worker
// threads do not inherit tsx's loader when the CLI registers it through its API (bin/seaworthy.js).
//
// Requests from the main thread (one at a time, each answered exactly once):
//   {op: 'call', slot, lines, timeoutMs, fresh}  -> {ok: true, lines, pid} | {ok: false, error}
//       lines: one request, or a request followed by `ready` when the host is known to ask for it next
//       (written together, answered line by line: the process still sees one request, then the next).
//       fresh: kill the slot's process (if any) and start a new one before writing.
//   {op: 'kill', slot}                           -> {ok: true}
//   {op: 'close'}                                -> {ok: true}
//
// Killing: a node's process leads its own process group (spawned detached), and every kill reaches the whole
// group. A simulated crash is SIGKILL at once (a crash is abrupt); closing sends SIGTERM, waits KILL_GRACE_MS
// for the groups to go, then SIGKILLs them all. Each group leader's pid sits in `groups`, a table the main
// thread shares (cli/adapters/process-groups.ts), from spawn until the leader is reaped, so the main thread can
// kill them on Ctrl-C or when it terminates this worker's parent, when no cleanup here runs.
import { spawn } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';

const { signal, replyPort, command, cwd, groups, sparesWanted } = workerData;
const signalWord = new Int32Array(signal);
/** Shared table of live group leaders; same slot protocol as process-groups.ts (compare-exchange 0 <-> pid). */
const groupTable = new Int32Array(groups);
const STDERR_TAIL_MAX = 2000;
const QUOTE_MAX = 300;
/** The longest reply line the protocol accepts, in bytes, newline excluded (docs/protocol.md § Limits). */
const LINE_BYTES_MAX = 16 * 1024 * 1024;
/**
 * A new process may take this long from its start to send its first reply, however short the watchdog: an
 * interpreter or a JVM starting on a loaded machine is not an implementation that stopped replying. Keep in
 * step with PROCESS_START_MS in process.ts.
 */
const PROCESS_START_MS = 10_000;
/** Word 1 of the signal buffer counts stdout chunks, so the main thread can tell a slow reply from a stuck worker. */
const PROGRESS_WORD = 1;
const CLOSE_WAIT_MS = 2_000;
/** Keep in step with KILL_GRACE_MS in process-groups.ts. */
const KILL_GRACE_MS = 300;

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
function spawnGroupLeader() {
  for (;;) {
    Atomics.add(groupTable, SPAWNING_WORD, 1);
    const closers = Atomics.load(groupTable, CLOSING_WORD);
    if (closers === 0) break;
    Atomics.sub(groupTable, SPAWNING_WORD, 1);
    Atomics.wait(groupTable, CLOSING_WORD, closers);
  }
  try {
    // detached: the process leads its own group, so a kill reaches whatever the shell started.
    const child = spawn(command, { shell: true, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
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

/** slot -> Proc. Slot 0 is the capability probe; slots 1.. are node ids. */
const procs = new Map();
/**
 * Processes started ahead of need, so that a node's (re)start does not wait for an interpreter to boot: one per
 * node of the cluster (at least one), because a seed starts every node at once and a crash storm restarts
 * several at the same instant; with a single spare all but the first would wait for a boot.
 */
const spares = [];
const SPARES_MAX = Math.max(1, Number.isInteger(sparesWanted) ? sparesWanted : 1);

function answer(message) {
  replyPort.postMessage(message);
  Atomics.add(signalWord, 0, 1);
  Atomics.notify(signalWord, 0);
}

function quote(text) {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

/**
 * Splits a process's stdout into lines as bytes arrive. Each chunk is searched once, for its own newlines
 * (searching the whole buffered line again on every chunk made a 50 MB reply quadratic), and a line is decoded
 * only once it is whole, so a character split across two chunks survives. A line longer than LINE_BYTES_MAX is
 * not kept: its bytes are only counted, up to its newline, so that its refusal can give its size.
 */
class LineReader {
  constructor(onLine, onOversize) {
    this.onLine = onLine;
    this.onOversize = onOversize;
    this.parts = [];
    this.bytes = 0;
    /** Date.now() when the line in progress went over the limit; null while it is within it. */
    this.overSinceMs = null;
  }

  push(chunk) {
    for (let start = 0; ; ) {
      const newline = chunk.indexOf(0x0a, start);
      this.take(chunk.subarray(start, newline < 0 ? chunk.length : newline));
      if (newline < 0) return;
      this.finish();
      start = newline + 1;
    }
  }

  take(piece) {
    this.bytes += piece.length;
    if (this.overSinceMs !== null) return;
    if (this.bytes > LINE_BYTES_MAX) {
      this.overSinceMs = Date.now();
      this.parts = [];
    } else if (piece.length > 0) this.parts.push(piece);
  }

  finish() {
    const { parts, bytes, overSinceMs } = this;
    this.parts = [];
    this.bytes = 0;
    this.overSinceMs = null;
    if (overSinceMs !== null) this.onOversize(bytes);
    else this.onLine(Buffer.concat(parts, bytes).toString('utf8').replace(/\r$/, ''));
  }

  /** The start of the unfinished line, decoded (for reports). */
  partial() {
    return Buffer.concat(this.parts.slice(0, 4)).subarray(0, 4 * QUOTE_MAX).toString('utf8');
  }
}

class Proc {
  constructor() {
    this.child = spawnGroupLeader();
    this.pid = this.child.pid ?? 0;
    this.reader = new LineReader((line) => this.onLine(line), (bytes) => this.onOversize(bytes));
    /** Wall-clock time of the last stdout byte (or of the last request): the watchdog counts from here. */
    this.lastByteMs = 0;
    this.startedMs = Date.now();
    /** Whether a whole reply line has come yet: until then the process may still be starting. */
    this.replied = false;
    this.pending = null;
    this.exit = null;
    this.problem = null;
    this.stderrTail = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
    this.child.stderr.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_MAX);
    });
    this.child.stdin.on('error', () => {}); // EPIPE after an exit: reported through 'exit'
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

  onData(chunk) {
    this.lastByteMs = Date.now();
    if (signalWord.length > PROGRESS_WORD) Atomics.add(signalWord, PROGRESS_WORD, 1);
    this.reader.push(chunk);
  }

  onLine(line) {
    this.replied = true;
    const pending = this.pending;
    if (pending === null) {
      if (this.problem === null && line.trim() !== '') this.problem = `wrote a line nobody asked for (one reply per request): ${quote(line)}`;
      return;
    }
    pending.replies.push(line);
    if (pending.replies.length < pending.expected) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.done({ ok: true, lines: pending.replies, pid: this.pid });
  }

  /** A whole line over the limit: the request fails with the line's size, and the process is killed. */
  onOversize(bytes) {
    const pending = this.pending;
    const what = `wrote a reply line${pending === null ? ' nobody asked for' : ` to ${pending.type}`} of ${bytes} bytes, ${OVER_LIMIT}`;
    if (pending === null) {
      if (this.problem === null) this.problem = what;
      return;
    }
    this.pending = null;
    clearTimeout(pending.timer);
    this.kill();
    pending.done({ ok: false, error: `process ${what}; it was killed${this.stderrNote()}` });
  }

  onExit(what) {
    if (this.exit !== null) return;
    this.exit = what;
    const pending = this.pending;
    if (pending !== null) {
      this.pending = null;
      clearTimeout(pending.timer);
      const started = this.reader.partial();
      const partial = started === '' ? '' : `; unfinished output ${quote(started)}`;
      pending.done({ ok: false, error: `process ${what} before replying to ${pending.type}${partial}${this.stderrNote()}` });
    }
  }

  stderrNote() {
    const tail = this.stderrTail.trim();
    return tail === '' ? '' : `; its stderr ends: ${quote(tail.split('\n').slice(-5).join(' | '))}`;
  }

  call(lines, timeoutMs, done) {
    const type = lines.map(requestType).join(' + ');
    if (this.exit !== null) return done({ ok: false, error: `process ${this.exit} before ${type} was sent${this.stderrNote()}` });
    if (this.problem !== null) return done({ ok: false, error: `process ${this.problem}` });
    this.lastByteMs = Date.now();
    const pending = { type, timer: null, done, expected: lines.length, replies: [] };
    pending.timer = setTimeout(() => this.watch(pending, timeoutMs), timeoutMs);
    this.pending = pending;
    this.child.stdin.write(`${lines.join('\n')}\n`);
  }

  /**
   * The watchdog. It counts from the last byte received, not from the request: a large reply still being
   * written is progress, not silence. A process that has not replied yet also has until PROCESS_START_MS after
   * its start. A line over the limit gets `timeoutMs` more to end (so its size can be reported), however fast
   * its bytes come, so an endless line cannot hold the run.
   */
  watch(pending, timeoutMs) {
    if (this.pending !== pending) return;
    const now = Date.now();
    const quietLeftMs = timeoutMs - (now - this.lastByteMs);
    const startLeftMs = this.replied ? 0 : this.startedMs + PROCESS_START_MS - now;
    const overLeftMs = this.reader.overSinceMs === null ? Infinity : this.reader.overSinceMs + timeoutMs - now;
    const leftMs = Math.min(Math.max(quietLeftMs, startLeftMs), overLeftMs);
    if (leftMs > 0) {
      pending.timer = setTimeout(() => this.watch(pending, timeoutMs), leftMs);
      return;
    }
    this.pending = null;
    this.kill();
    const { type } = pending;
    let error;
    if (overLeftMs <= 0) {
      error = `process wrote a reply line to ${type} of more than ${this.reader.bytes} bytes, ${OVER_LIMIT}; the line had not ended ${timeoutMs} ms later, and the process was killed`;
    } else if (this.reader.bytes === 0) {
      const start = this.replied ? '' : `, nor within ${PROCESS_START_MS} ms of its start,`;
      error = `process gave no reply to ${type} within ${timeoutMs} ms (wall clock)${start} and was killed`;
    } else {
      const started = this.reader.partial();
      error = `process wrote ${this.reader.bytes} bytes of a reply line to ${type}, then nothing for ${timeoutMs} ms (wall clock), and was killed${started === '' ? '' : `; unfinished output ${quote(started)}`}`;
    }
    pending.done({ ok: false, error: `${error}${this.stderrNote()}` });
  }

  /** A simulated crash, or a watchdog kill: the whole group at once. */
  kill() {
    this.signal('SIGKILL');
  }

  signal(sig) {
    if (this.exit !== null) return;
    if (!signalGroup(this.pid, sig)) this.child.kill(sig);
  }
}

const OVER_LIMIT = `over the protocol's limit of ${LINE_BYTES_MAX} bytes (16 MiB) per line (docs/protocol.md)`;

function requestType(line) {
  const match = /"type"\s*:\s*"([^"]*)"/.exec(line);
  return match === null ? 'request' : match[1];
}

function fresh(slot) {
  procs.get(slot)?.kill();
  // A spare that died while it waited (killed from outside, or a command that exits at once) is not handed
  // out: the next one is, or a new process, whose failure is then reported as this node's.
  let proc = spares.shift();
  while (proc !== undefined && proc.exit !== null) proc = spares.shift();
  proc ??= new Proc();
  while (spares.length < SPARES_MAX) spares.push(new Proc());
  procs.set(slot, proc);
  return proc;
}

/**
 * SIGTERM to every group, SIGKILL to the groups still there after KILL_GRACE_MS (a process may ignore
 * SIGTERM), then a bounded wait until each leader has been reaped, so none is left as a zombie.
 */
function closeAll(done) {
  const all = [...procs.values(), ...spares.splice(0)];
  procs.clear();
  for (const proc of all) proc.signal('SIGTERM');
  const startedMs = Date.now();
  let killed = false;
  const timer = setTimeout(done, KILL_GRACE_MS + CLOSE_WAIT_MS);
  const check = () => {
    if (all.every((p) => p.exit !== null)) {
      clearTimeout(timer);
      done();
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
    case 'call': {
      const proc = request.fresh ? fresh(request.slot) : procs.get(request.slot);
      if (proc === undefined) return reply({ ok: false, error: `no process for node ${request.slot}` });
      proc.call(request.lines, request.timeoutMs, reply);
      return;
    }
    case 'kill':
      procs.get(request.slot)?.kill();
      procs.delete(request.slot);
      return reply({ ok: true });
    case 'close':
      return closeAll(() => reply({ ok: true }));
    default:
      return reply({ ok: false, error: `unknown op ${String(request.op)}` });
  }
});
