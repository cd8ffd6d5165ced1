/**
 * The run's client commands as entry data and back: the workload encodes through it, and every host decodes
 * through it. A command the workload encoded is remembered, so decoding its data is a lookup that hands back the
 * workload's own command object (no parsing at all); any other data (a custom implementation's, a corrupted
 * entry's) is decoded once per distinct string.
 */
import { decodeKvCommand, encodeKvCommand } from '../core/kv.js';
import type { KvCommand, KvOp } from '../core/kv.js';
import { assertFail } from './assert.js';

/** Client ids below this get their text prefix cached (the workload's sessions are small integers). */
const CACHED_CLIENTS_MAX = 4096;

/** The text between a command's seq and its optional fields, for each op of one key. */
interface KeyTexts {
  get: string | undefined;
  put: string | undefined;
  cas: string | undefined;
}

export class CommandCache {
  private readonly commands = new Map<string, KvCommand | null>();
  /** `{"client":N,"seq":` by client id N: a run has a handful of sessions, each encoding many commands. */
  private readonly prefixes: (string | undefined)[] = [];
  /** `,"key":K,"op":O` by key and op: a run draws from a few keys. */
  private readonly middles = new Map<string, KeyTexts>();

  /**
   * The data `command` encodes to (exactly core/kv.ts's `encodeKvCommand`), remembered for {@link decode}. Built
   * from cached pieces (the client's prefix, the key's and op's middle) so a command costs three to five string
   * concatenations rather than ten: encoding was about 1% of a run's instructions.
   */
  encode(command: KvCommand): string {
    const client = command.client;
    const seq = command.seq;
    const op = command.op;
    // Anything but small non-negative integer ids, integer seqs and the three ops takes the format's own encoder.
    const cached = Number.isInteger(client) && client >= 0 && client < CACHED_CLIENTS_MAX && Number.isInteger(seq) && (op === 'get' || op === 'put' || op === 'cas');
    if (!cached) return this.remember(encodeKvCommand(command), command);
    let text = this.prefix(client) + String(seq) + this.middle(command.key, op);
    const expected = command.expected;
    const value = command.value;
    if (expected !== undefined) text += ',"expected":' + (expected === null ? 'null' : jsonNumber(expected));
    if (value !== undefined) text += ',"value":' + jsonNumber(value);
    return this.remember(text + '}', command);
  }

  /** The command `data` encodes; undefined for a no-op (empty data) and for data that is no command. */
  decode(data: string): KvCommand | undefined {
    if (data === '') return undefined;
    let command = this.commands.get(data);
    if (command === undefined) {
      command = decodeKvCommand(data) ?? null;
      this.commands.set(data, command);
    }
    return command ?? undefined;
  }

  private remember(data: string, command: KvCommand): string {
    // The data is a concatenation (a tree of string pieces). Reading a character of it makes V8 flatten it into one
    // string in place, which the first reader of its text (the core's configuration-entry check) did anyway; done
    // before the Map hashes it, the hash reads that flat copy instead of writing the pieces out to a temporary
    // buffer of its own: ~700 instructions a command. Checked, so the read is not optimised away.
    if (data.charCodeAt(0) !== 0x7b /* { */) assertFail(`encoded command is not a JSON object: ${data}`);
    // One Map operation, not a lookup then an insert (a fresh key string costs each of them ~0.3 us). Replacing an
    // entry changes nothing a reader sees: equal data is an equal command (same fields, same values), and data the
    // workload encodes always decodes to a command, so it never replaces a remembered non-command.
    this.commands.set(data, command);
    return data;
  }

  private prefix(client: number): string {
    let text = this.prefixes[client];
    if (text === undefined) {
      // The client's part of encodeKvCommand's text (an integer prints as String does, as JSON writes it).
      text = '{"client":' + String(client) + ',"seq":';
      this.prefixes[client] = text;
    }
    return text;
  }

  private middle(key: string, op: KvOp): string {
    let texts = this.middles.get(key);
    if (texts === undefined) {
      texts = { get: undefined, put: undefined, cas: undefined };
      this.middles.set(key, texts);
    }
    let text = op === 'get' ? texts.get : op === 'put' ? texts.put : texts.cas;
    if (text === undefined) {
      // JSON.stringify is what encodeKvCommand writes a key and an op as (it only skips the call for plain text).
      text = ',"key":' + JSON.stringify(key) + ',"op":' + JSON.stringify(op);
      if (op === 'get') texts.get = text;
      else if (op === 'put') texts.put = text;
      else texts.cas = text;
    }
    return text;
  }
}

/** A number as JSON writes it (as encodeKvCommand does: String for finite numbers, null otherwise). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
