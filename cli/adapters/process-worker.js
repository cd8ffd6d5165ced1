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
import { spawn } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';

const { signal, replyPort, command, cwd } = workerData;
const signalWord = new Int32Array(signal);
const STDERR_TAIL_MAX = 2000;
const QUOTE_MAX = 300;
const CLOSE_WAIT_MS = 2_000;

/** slot -> Proc. Slot 0 is the capability probe; slots 1.. are node ids. */
const procs = new Map();
/** A process started ahead of need, so a node's (re)start does not wait for the interpreter to boot. */
let spare = null;

function answer(message) {
  replyPort.postMessage(message);
  Atomics.add(signalWord, 0, 1);
  Atomics.notify(signalWord, 0);
}

function quote(text) {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

class Proc {
  constructor() {
    // detached: the process leads its own group, so a kill reaches whatever the shell started.
    this.child = spawn(command, { shell: true, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid ?? 0;
    this.buffer = '';
    this.pending = null;
    this.exit = null;
    this.problem = null;
    this.stderrTail = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
    this.child.stderr.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_MAX);
    });
    this.child.stdin.on('error', () => {}); // EPIPE after an exit: reported through 'exit'
    this.child.on('error', (error) => this.onExit(`could not be started: ${error.message}`));
    this.child.on('close', (code, sig) => this.onExit(sig === null ? `exited with code ${code}` : `was killed by ${sig}`));
  }

  onData(chunk) {
    this.buffer += chunk;
    let newline;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, '');
      this.buffer = this.buffer.slice(newline + 1);
      const pending = this.pending;
      if (pending === null) {
        if (this.problem === null && line.trim() !== '') this.problem = `wrote a line nobody asked for (one reply per request): ${quote(line)}`;
        continue;
      }
      pending.replies.push(line);
      if (pending.replies.length < pending.expected) continue;
      this.pending = null;
      clearTimeout(pending.timer);
      pending.done({ ok: true, lines: pending.replies, pid: this.pid });
    }
  }

  onExit(what) {
    if (this.exit !== null) return;
    this.exit = what;
    const pending = this.pending;
    if (pending !== null) {
      this.pending = null;
      clearTimeout(pending.timer);
      const partial = this.buffer === '' ? '' : `; unfinished output ${quote(this.buffer)}`;
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
    const timer = setTimeout(() => {
      if (this.pending === null) return;
      this.pending = null;
      this.kill();
      done({ ok: false, error: `process gave no reply to ${type} within ${timeoutMs} ms (wall clock) and was killed${this.stderrNote()}` });
    }, timeoutMs);
    this.pending = { type, timer, done, expected: lines.length, replies: [] };
    this.child.stdin.write(`${lines.join('\n')}\n`);
  }

  kill() {
    if (this.exit !== null) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }
}

function requestType(line) {
  const match = /"type"\s*:\s*"([^"]*)"/.exec(line);
  return match === null ? 'request' : match[1];
}

function fresh(slot) {
  procs.get(slot)?.kill();
  const proc = spare ?? new Proc();
  spare = new Proc();
  procs.set(slot, proc);
  return proc;
}

/** Kills every process and waits (bounded) until each has been reaped, so none is left as a zombie. */
function closeAll(done) {
  const all = [...procs.values(), ...(spare === null ? [] : [spare])];
  procs.clear();
  spare = null;
  for (const proc of all) proc.kill();
  const timer = setTimeout(done, CLOSE_WAIT_MS);
  const check = () => {
    if (all.every((p) => p.exit !== null)) {
      clearTimeout(timer);
      done();
    } else setTimeout(check, 5);
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
