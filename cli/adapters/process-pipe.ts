/**
 * The host's end of one `--impl-cmd` process: request lines written and reply lines read synchronously, on the
 * thread that runs the simulation, through the named pipes process-worker.js set up as the process's stdin and
 * stdout. A blocking read is how the host waits: the kernel wakes it when the reply's bytes arrive, so a round
 * trip costs the two context switches a pipe needs and no thread hand-off (docs/protocol.md § Cost). Before it
 * blocks, the host tries a few non-blocking reads (spin-budget.ts): a reply that comes within them saves the host's
 * wake-up, and a budget that adapts keeps the spin from burning a core the process needs.
 *
 * A blocking read cannot time itself out, so the watchdog runs on the worker thread (process-worker.js): this
 * module publishes the call in progress in shared words (a token, the pid, a deadline that moves with every
 * byte received), the worker kills the process group once the deadline passes, and the read here then ends at
 * the pipe's end of file and reports the silence. The token is claimed by compare-exchange on both sides, so a
 * call is either finished here or killed there, never both.
 *
 * Requests never deadlock on the pipes: the host writes all of a call's lines before reading, and only the last
 * line's reply may be large (the lines in front of it are deferred `advance`s and ticks, whose replies are
 * short), so the process never waits on a full stdout while the host waits on a full stdin.
 */
import { readSync, writeSync } from 'node:fs';
import { SpinBudget } from './spin-budget.js';

/** The longest reply line the protocol accepts, in bytes, newline excluded (docs/protocol.md § Limits). */
export const LINE_BYTES_MAX = 16 * 1024 * 1024;
/**
 * A new process may take this long from its start to send its first reply, however short the watchdog: an
 * interpreter or a JVM starting on a loaded machine is not an implementation that stopped replying.
 */
export const PROCESS_START_MS = 10_000;
const QUOTE_MAX = 300;
const READ_CHUNK_BYTES = 64 * 1024;
/** How long the host waits for the worker to see a process's exit after its stdout closed. */
const EXIT_WAIT_MS = 2_000;
const OVER_LIMIT = `over the protocol's limit of ${LINE_BYTES_MAX} bytes (16 MiB) per line (docs/protocol.md)`;

/** Word indices of the call in progress in the shared signal buffer; keep in step with process-worker.js. */
export const WATCH_TOKEN = 2;
export const WATCH_PID = 3;
export const WATCH_DEADLINE = 4;
/** Words the shared signal buffer needs: the worker's reply counter, its progress counter, and the three above. */
export const SIGNAL_WORDS = 5;

/** The pipe ends and facts of a started process, as process-worker.js hands them over. */
export interface ProcessEnds {
  readonly pid: number;
  /**
   * Whether the process leads its own process group (a started process) and a kill reaches the group, or is a
   * fork server's child (docs/protocol.md § Fork server), in the server's group with every other node, and a
   * kill reaches its pid alone.
   */
  readonly group: boolean;
  readonly stdinFd: number;
  readonly stdoutFd: number;
  /** A non-blocking reader of the same stdout pipe: to look for output nobody asked for, and to spin on a reply. */
  readonly pollFd: number;
  /** When the process was started, in ms since `epochMs` of the {@link CallWatch}. */
  readonly startedMs: number;
}

/** How a process ended, from the worker: `exit` is null when it had not within the wait. */
export interface ProcessEnding {
  readonly exit: string | null;
  /** "; its stderr ends: ..." or "". */
  readonly stderr: string;
}

export type CallOutcome = { readonly ok: true; readonly lines: readonly string[] } | { readonly ok: false; readonly error: string };

/** The shared words through which the worker's watchdog sees the call in progress. */
export class CallWatch {
  private token = 0;

  /** `words`: the shared signal buffer; `epochMs`: the wall-clock origin of its deadlines (they are int32 ms). */
  constructor(
    private readonly words: Int32Array,
    readonly epochMs: number,
  ) {}

  nowMs(): number {
    return Date.now() - this.epochMs;
  }

  /** Publishes a call to `pid`; returns its token. */
  begin(pid: number, deadlineMs: number): number {
    this.token = this.token >= 0x3fffffff ? 1 : this.token + 1;
    Atomics.store(this.words, WATCH_PID, pid);
    Atomics.store(this.words, WATCH_DEADLINE, Math.min(deadlineMs, 0x7fffffff));
    Atomics.store(this.words, WATCH_TOKEN, this.token);
    return this.token;
  }

  /** Moves the deadline of the call in progress (bytes arrived). */
  extend(deadlineMs: number): void {
    Atomics.store(this.words, WATCH_DEADLINE, Math.min(deadlineMs, 0x7fffffff));
  }

  /** Whether the watchdog has claimed the call in progress (and killed its process). */
  claimed(): boolean {
    return Atomics.load(this.words, WATCH_TOKEN) < 0;
  }

  /** Ends call `token`; false when the watchdog claimed it first (it has killed the process). */
  end(token: number): boolean {
    return Atomics.compareExchange(this.words, WATCH_TOKEN, token, 0) === token;
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

function requestType(line: string): string {
  const match = /"type"\s*:\s*"([^"]*)"/.exec(line);
  return match?.[1] ?? 'request';
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}

/**
 * One process's pipes. Not reentrant: one call at a time, on the thread that owns the adapter.
 * Invariant: `parts`/`lineBytes` hold only the line in progress; after a finished call they are empty unless
 * the process wrote beyond its replies (then `problem` says so).
 */
export class ProcessPipe {
  private readonly buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  private parts: Buffer[] = [];
  private lineBytes = 0;
  /** Wall-clock ms (watch time) when the line in progress went over the limit; null while within it. */
  private overSinceMs: number | null = null;
  /** Whether a whole reply line has come yet: until then the process may still be starting. */
  private replied = false;
  /** A protocol breach seen after a call, reported at the next one. */
  private problem: string | null = null;
  private closed = false;
  /** Non-blocking reads to try before blocking on a reply (see spin-budget.ts). */
  private readonly spin = new SpinBudget();

  constructor(
    private readonly ends: ProcessEnds,
    private readonly watch: CallWatch,
    private readonly ending: (pid: number, waitMs: number) => ProcessEnding,
    /** Hands the ends back to the worker that opened them, to close: a file is closed by the thread that opened it. */
    private readonly handBack: (ends: ProcessEnds) => void,
  ) {}

  get pid(): number {
    return this.ends.pid;
  }

  /**
   * Writes `lines` (one request each) and reads one reply line per request. Never throws for the process's
   * faults: they come back as `{ok: false, error}` in the words of docs/protocol.md, the process killed where
   * it broke the protocol or went silent for `timeoutMs` (counted from the last byte received).
   */
  call(lines: readonly string[], timeoutMs: number): CallOutcome {
    // What the call is named in an error ("tick + ready"): only an error needs it, so it is spelled then.
    const type = (): string => lines.map(requestType).join(' + ');
    if (this.closed) return { ok: false, error: `process was killed before ${type()} was sent` };
    if (this.problem === null) this.lookForStrayOutput();
    if (this.problem !== null) return { ok: false, error: `process ${this.problem}` };
    const token = this.watch.begin(this.ends.pid, this.deadline(this.watch.nowMs(), timeoutMs));
    const outcome = this.exchange(lines, type, timeoutMs);
    if (this.watch.end(token) || !outcome.ok) return outcome;
    // Every reply came, but the watchdog had already claimed the call and killed the process.
    return this.silence(type, timeoutMs);
  }

  /** The number a kill signals: the process's group, or a fork server's child's pid (see ProcessEnds.group). */
  get killTarget(): number {
    return this.ends.group ? -this.ends.pid : this.ends.pid;
  }

  /** SIGKILL to the process (its whole group if it leads one: a simulated crash, or a broken protocol), and the pipes closed. */
  kill(): void {
    if (this.closed) return;
    try {
      process.kill(this.killTarget, 'SIGKILL');
    } catch {
      // already gone
    }
    this.release();
  }

  /**
   * Gives up the host's ends: the worker closes them (Node tracks a file opened with openSync on a worker
   * thread as that thread's, so only that thread may close it), and the process reads end of file on its stdin.
   */
  release(): void {
    if (this.closed) return;
    this.closed = true;
    this.handBack(this.ends);
  }

  private exchange(lines: readonly string[], type: () => string, timeoutMs: number): CallOutcome {
    const request = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    try {
      for (let at = 0; at < request.length; ) at += writeSync(this.ends.stdinFd, request, at, request.length - at);
    } catch (error) {
      if (errorCode(error) !== 'EPIPE') throw error;
      return this.ended(`before ${type()} was sent`, '');
    }
    const replies: string[] = [];
    while (replies.length < lines.length) {
      let count = this.spinRead();
      if (count < 0) {
        try {
          count = readSync(this.ends.stdoutFd, this.buffer, 0, this.buffer.length, null);
        } catch (error) {
          if (errorCode(error) === 'EINTR' || errorCode(error) === 'EAGAIN') continue;
          throw error;
        }
      }
      if (count === 0) return this.endOfOutput(type, timeoutMs);
      const oversize = this.take(count, replies, lines.length);
      if (oversize !== null) {
        this.kill();
        const { stderr } = this.ending(this.ends.pid, 0);
        return { ok: false, error: `process wrote a reply line to ${type()} of ${oversize} bytes, ${OVER_LIMIT}; it was killed${stderr}` };
      }
      this.watch.extend(this.deadline(this.watch.nowMs(), timeoutMs));
    }
    return { ok: true, lines: replies };
  }

  /**
   * Tries the spin budget's non-blocking reads for the reply (a process answering in microseconds is caught
   * without the host sleeping and being woken). Returns the bytes read, or -1 when none came: then the blocking
   * read waits. An empty read ends the spin with -1 too: it is end of file, or a process that has not opened its
   * stdout yet, and the blocking read tells which, as it did before the spin.
   */
  private spinRead(): number {
    const reads = this.spin.next();
    if (reads === 0) return -1;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      for (let k = 0; k < reads; k++) {
        let count: number;
        try {
          count = readSync(this.ends.pollFd, this.buffer, 0, this.buffer.length, null);
        } catch (error) {
          const code = errorCode(error);
          if (code === 'EAGAIN' || code === 'EINTR') continue;
          throw error;
        }
        if (count === 0) return -1;
        this.spin.found();
        return count;
      }
      this.spin.missed();
      return -1;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /**
   * Between calls the process owes nothing, so any byte on its stdout now is a line nobody asked for (a reply
   * too many, or logging on stdout). A non-blocking read finds it; the usual answer is EAGAIN, an exception,
   * so its stack trace is switched off for the look (an exception with a trace costs more than the read).
   */
  private lookForStrayOutput(): void {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let count = 0;
    try {
      count = readSync(this.ends.pollFd, this.buffer, 0, this.buffer.length, null);
    } catch (error) {
      if (errorCode(error) === 'EAGAIN') return;
      throw error;
    } finally {
      Error.stackTraceLimit = limit;
    }
    // 0: end of file, the process has gone; the call reports how.
    if (count > 0) this.problem = `wrote a line nobody asked for (one reply per request): ${quote(this.buffer.toString('utf8', 0, Math.min(count, 4 * QUOTE_MAX)).split('\n')[0] ?? '')}`;
  }

  /**
   * Splits the `count` bytes just read into lines, appending whole ones to `replies`. A line is decoded only
   * once whole, so a character split across two reads survives. Bytes beyond the last expected reply are a
   * line nobody asked for. Returns the size of a line over the limit, once it has ended, else null.
   */
  private take(count: number, replies: string[], expected: number): number | null {
    const chunk = this.buffer;
    for (let start = 0; start < count; ) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline < 0 || newline >= count ? count : newline;
      this.lineBytes += end - start;
      if (this.overSinceMs === null && this.lineBytes > LINE_BYTES_MAX) {
        this.overSinceMs = this.watch.nowMs();
        this.parts = [];
      }
      if (end === count) {
        if (this.overSinceMs === null && end > start) this.parts.push(Buffer.from(chunk.subarray(start, end)));
        return null;
      }
      const bytes = this.lineBytes;
      const over = this.overSinceMs !== null;
      let line = '';
      if (!over) line = this.parts.length === 0 ? chunk.toString('utf8', start, end) : Buffer.concat([...this.parts, chunk.subarray(start, end)]).toString('utf8');
      this.parts = [];
      this.lineBytes = 0;
      this.overSinceMs = null;
      start = end + 1;
      if (over) return bytes;
      this.replied = true;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (replies.length < expected) {
        replies.push(line);
        continue;
      }
      if (this.problem === null && line.trim() !== '') this.problem = `wrote a line nobody asked for (one reply per request): ${quote(line)}`;
    }
    return null;
  }

  /**
   * The watchdog's deadline from `nowMs` (the last byte, or the request): `timeoutMs` of silence; a process
   * that has not replied yet has until PROCESS_START_MS after its start; a line over the limit gets `timeoutMs`
   * to end however fast its bytes come, so an endless line cannot hold the run.
   */
  private deadline(nowMs: number, timeoutMs: number): number {
    const quiet = nowMs + timeoutMs;
    const start = this.replied ? quiet : Math.max(quiet, this.ends.startedMs + PROCESS_START_MS);
    return this.overSinceMs === null ? start : Math.min(start, this.overSinceMs + timeoutMs);
  }

  /** The process's stdout ended mid-call: the watchdog killed it, or it exited (or closed its stdout). */
  private endOfOutput(type: () => string, timeoutMs: number): CallOutcome {
    if (this.watch.claimed()) return this.silence(type, timeoutMs);
    const started = this.partial();
    return this.ended(`before replying to ${type()}`, started === '' ? '' : `; unfinished output ${quote(started)}`);
  }

  private ended(when: string, partial: string): CallOutcome {
    const { exit, stderr } = this.ending(this.ends.pid, EXIT_WAIT_MS);
    this.kill();
    return { ok: false, error: `process ${exit ?? 'closed its stdout'} ${when}${partial}${stderr}` };
  }

  /** The watchdog killed the process: say how long it was silent, and what it had written of a line. */
  private silence(type: () => string, timeoutMs: number): CallOutcome {
    this.kill();
    const { stderr } = this.ending(this.ends.pid, EXIT_WAIT_MS);
    let error: string;
    if (this.overSinceMs !== null) {
      error = `process wrote a reply line to ${type()} of more than ${this.lineBytes} bytes, ${OVER_LIMIT}; the line had not ended ${timeoutMs} ms later, and the process was killed`;
    } else if (this.lineBytes === 0) {
      const start = this.replied ? '' : `, nor within ${PROCESS_START_MS} ms of its start,`;
      error = `process gave no reply to ${type()} within ${timeoutMs} ms (wall clock)${start} and was killed`;
    } else {
      const started = this.partial();
      error = `process wrote ${this.lineBytes} bytes of a reply line to ${type()}, then nothing for ${timeoutMs} ms (wall clock), and was killed${started === '' ? '' : `; unfinished output ${quote(started)}`}`;
    }
    return { ok: false, error: `${error}${stderr}` };
  }

  /** The start of the unfinished line, decoded (for reports). */
  private partial(): string {
    return Buffer.concat(this.parts.slice(0, 4)).subarray(0, 4 * QUOTE_MAX).toString('utf8');
  }
}
