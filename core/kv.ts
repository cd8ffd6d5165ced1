/**
 * The built-in key-value state machine: get / put / cas on integer values, with per-client
 * de-duplication so a retried command is applied at most once (Raft thesis §6.3).
 */
import type { StateMachine } from './state-machine.js';

export type KvOp = 'get' | 'put' | 'cas';

export interface KvCommand {
  /** The client session; sequence numbers are per client. */
  readonly client: number;
  /** Invariant: a client's commands carry increasing seq, starting at 1. */
  readonly seq: number;
  readonly op: KvOp;
  readonly key: string;
  /** put: the new value; cas: the value to set. */
  readonly value?: number;
  /** cas: the value the key must hold (null: never written). */
  readonly expected?: number | null;
}

/** get: the value read; put: ok; cas: ok when the compare held, else not ok (and nothing changed). */
export type KvResult = { readonly ok: true; readonly value: number | null } | { readonly ok: false };

/**
 * The command as JSON, its fields in the canonical order: client, seq, key, op, then cas's expected and the
 * value (absent fields left out). For a command built in that order (as the workload builds them) this is exactly
 * `JSON.stringify(command)`, written field by field: the generic walk was a measurable share of a run.
 */
export function encodeKvCommand(command: KvCommand): string {
  const { client, seq, key, op, expected, value } = command;
  let text = '{"client":' + jsonNumber(client) + ',"seq":' + jsonNumber(seq) + ',"key":' + jsonString(key) + ',"op":' + jsonString(op);
  if (expected !== undefined) text += ',"expected":' + (expected === null ? 'null' : jsonNumber(expected));
  if (value !== undefined) text += ',"value":' + jsonNumber(value);
  return text + '}';
}

/**
 * A string as JSON.stringify writes it. Keys and ops are short and need no escape, so they are quoted as they are
 * (two JSON.stringify calls were most of an encode's ~0.5 µs); anything JSON escapes (a quote, a backslash, a
 * control character, a surrogate, lone or paired) goes to JSON.stringify.
 */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return '"' + text + '"';
}

/** A number as JSON.stringify writes it (a finite number as String does; NaN and the infinities as null). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * The exact text the workload's commands encode to: fields in its order (client, seq, key, op, then cas's
 * expected and the value), integers without fraction or exponent, a key without escapes. Anything else is
 * left to JSON.parse.
 */
const CANONICAL_COMMAND =
  /^\{"client":(-?(?:0|[1-9]\d*)),"seq":(-?(?:0|[1-9]\d*)),"key":"([^"\\\u0000-\u001f]*)","op":"(get|put|cas)"(?:,"expected":(null|-?(?:0|[1-9]\d*)))?(?:,"value":(-?(?:0|[1-9]\d*)))?\}$/;

/**
 * Decodes `data` in the canonical shape without JSON.parse, building the object JSON.parse would (same fields,
 * same order, same numbers); undefined when `data` has another shape.
 */
function decodeCanonical(data: string): KvCommand | undefined {
  const m = CANONICAL_COMMAND.exec(data);
  if (m === null) return undefined;
  const command: { client: number; seq: number; key: string; op: KvOp; expected?: number | null; value?: number } = {
    client: Number(m[1]),
    seq: Number(m[2]),
    key: m[3]!,
    op: m[4] as KvOp,
  };
  if (m[5] !== undefined) command.expected = m[5] === 'null' ? null : Number(m[5]);
  if (m[6] !== undefined) command.value = Number(m[6]);
  return command;
}

/** Decodes entry data written by {@link encodeKvCommand}; undefined for data that is not a KV command. */
export function decodeKvCommand(data: string): KvCommand | undefined {
  if (data === '' || data.charCodeAt(0) !== 0x7b /* { */) return undefined;
  // Every command the workload writes takes the fast path; JSON.parse remains the definition of the format.
  const canonical = decodeCanonical(data);
  if (canonical !== undefined) return canonical;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const c = parsed as Record<string, unknown>;
  if (typeof c.client !== 'number' || typeof c.seq !== 'number' || typeof c.key !== 'string') return undefined;
  if (c.op !== 'get' && c.op !== 'put' && c.op !== 'cas') return undefined;
  return parsed as KvCommand;
}

/**
 * A stored value as JSON.stringify writes it inside an array. Always a number for commands the workload encodes;
 * a command decoded by JSON.parse is not checked for it, so anything else is left to JSON.stringify.
 */
function jsonValue(v: unknown): string {
  return typeof v === 'number' ? jsonNumber(v) : (JSON.stringify(v) as string);
}

const OK_NULL: KvResult = Object.freeze({ ok: true, value: null });
const NOT_OK: KvResult = Object.freeze({ ok: false });
const OK_NULL_JSON = '{"ok":true,"value":null}';
const NOT_OK_JSON = '{"ok":false}';

/**
 * A session's last result as JSON.stringify writes it. The two shared results are constants; any other (a get's
 * value, or a result restored from a snapshot, whose fields keep the text's order) goes to JSON.stringify.
 */
function jsonResult(r: KvResult): string {
  if (r === OK_NULL) return OK_NULL_JSON;
  if (r === NOT_OK) return NOT_OK_JSON;
  return JSON.stringify(r);
}

function isKvResult(v: unknown): v is KvResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as { ok?: unknown; value?: unknown };
  return r.ok === false || (r.ok === true && (r.value === null || typeof r.value === 'number'));
}

interface Session {
  lastSeq: number;
  lastResult: KvResult;
}

export class KvStateMachine implements StateMachine<KvResult> {
  /** Invariant: keys are never deleted (toSnapshot's cached order relies on it). */
  private readonly values = new Map<string, number>();
  /** Invariant: clients are never deleted (toSnapshot's cached order relies on it). */
  private readonly sessions = new Map<number, Session>();
  /** `values`' keys sorted, valid while its length equals `values.size`. */
  private keyOrder: readonly string[] = [];
  /** `sessions`' clients sorted, valid while its length equals `sessions.size`. */
  private clientOrder: readonly number[] = [];
  /** Each key's `["key",` in JSON. */
  private readonly keyPrefixes = new Map<string, string>();

  apply(data: string): KvResult | undefined {
    const command = decodeKvCommand(data);
    return command === undefined ? undefined : this.applyCommand(command);
  }

  /** Applies an already decoded command (the host decodes once to also match client replies). */
  applyCommand(command: KvCommand): KvResult {
    const session = this.sessions.get(command.client);
    if (session !== undefined && command.seq <= session.lastSeq) {
      // A retry of a command already applied: answer as the first time, change nothing (thesis §6.3).
      // Older sequence numbers cannot be retried by a well-behaved client, which has one command outstanding.
      return command.seq === session.lastSeq ? session.lastResult : NOT_OK;
    }
    const result = this.execute(command);
    if (session === undefined) this.sessions.set(command.client, { lastSeq: command.seq, lastResult: result });
    else {
      session.lastSeq = command.seq;
      session.lastResult = result;
    }
    return result;
  }

  /**
   * A copy sharing nothing mutable with this one: the host's durable image of its state machine
   * (contract version 2, `stateMachine: 'durable'`), taken when it persists and restored on a restart.
   */
  clone(): KvStateMachine {
    const copy = new KvStateMachine();
    for (const [key, value] of this.values) copy.values.set(key, value);
    for (const [client, session] of this.sessions) copy.sessions.set(client, { ...session });
    // Shared: both are replaced, never changed in place.
    copy.keyOrder = this.keyOrder;
    copy.clientOrder = this.clientOrder;
    return copy;
  }

  /**
   * The whole state as text, for a snapshot (Raft §7): values and client sessions (a restored node must keep
   * de-duplicating retries, thesis §6.3), sorted, so equal states always give equal text and equal digests.
   */
  toSnapshot(): string {
    // Exactly JSON.stringify({ values: [[key, value]…] by key, sessions: [[client, lastSeq, lastResult]…] by
    // client }), written piece by piece: the host snapshots every few applied entries, and spreading both maps
    // into pair arrays and sorting them through a comparator each time was most of the cost. The sorted key and
    // client lists are kept between snapshots (keys and clients are only ever added, so an unchanged size means
    // an unchanged set), and each key's `["key",` prefix is written once.
    const keys = this.sortedKeys();
    let text = '{"values":[';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (i > 0) text += ',';
      text += (this.keyPrefixes.get(key) ?? this.keyPrefix(key)) + jsonValue(this.values.get(key)) + ']';
    }
    text += '],"sessions":[';
    const clients = this.sortedClients();
    for (let i = 0; i < clients.length; i++) {
      const client = clients[i] as number;
      const session = this.sessions.get(client) as Session;
      if (i > 0) text += ',';
      text += '[' + jsonNumber(client) + ',' + jsonNumber(session.lastSeq) + ',' + jsonResult(session.lastResult) + ']';
    }
    return text + ']}';
  }

  /** The keys in `toSnapshot`'s order: by UTF-16 code units, as the `<` comparison of strings orders them. */
  private sortedKeys(): readonly string[] {
    if (this.keyOrder.length !== this.values.size) this.keyOrder = [...this.values.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.keyOrder;
  }

  /** The clients in `toSnapshot`'s order: ascending. */
  private sortedClients(): readonly number[] {
    if (this.clientOrder.length !== this.sessions.size) this.clientOrder = [...this.sessions.keys()].sort((a, b) => a - b);
    return this.clientOrder;
  }

  /** `["key",` as JSON writes it, remembered. */
  private keyPrefix(key: string): string {
    const prefix = '[' + jsonString(key) + ',';
    this.keyPrefixes.set(key, prefix);
    return prefix;
  }

  /**
   * The state machine `toSnapshot` described, or null when `data` is not such a text (corrupt or foreign data:
   * the caller decides what that means).
   */
  static fromSnapshot(data: string): KvStateMachine | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const values = (parsed as { values?: unknown }).values;
    const sessions = (parsed as { sessions?: unknown }).sessions;
    if (!Array.isArray(values) || !Array.isArray(sessions)) return null;
    const sm = new KvStateMachine();
    // Indexed loops, no destructuring: this runs at every restore (a few a run) and TurboFan compiles it in the
    // bench's window, where a for-of's inlined iterator protocol made its code an eighth larger (5.9k -> 5.2k bytes).
    for (let i = 0; i < values.length; i++) {
      const v: unknown = values[i];
      if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'number') return null;
      sm.values.set(v[0], v[1]);
    }
    for (let i = 0; i < sessions.length; i++) {
      const s: unknown = sessions[i];
      if (!Array.isArray(s) || typeof s[0] !== 'number' || typeof s[1] !== 'number' || !isKvResult(s[2])) return null;
      sm.sessions.set(s[0], { lastSeq: s[1], lastResult: s[2] });
    }
    return sm;
  }

  /** The current value of `key`, or null. For tests and display. */
  read(key: string): number | null {
    return this.values.get(key) ?? null;
  }

  private execute(command: KvCommand): KvResult {
    switch (command.op) {
      case 'get': {
        const value = this.values.get(command.key);
        return value === undefined ? OK_NULL : { ok: true, value };
      }
      case 'put':
        this.values.set(command.key, command.value ?? 0);
        return OK_NULL;
      case 'cas': {
        const current = this.values.get(command.key) ?? null;
        if (current !== (command.expected ?? null)) return NOT_OK;
        this.values.set(command.key, command.value ?? 0);
        return OK_NULL;
      }
    }
  }
}
