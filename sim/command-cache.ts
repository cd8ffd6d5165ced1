/**
 * The run's client commands as entry data and back: the workload encodes through it, and every host decodes
 * through it. A command the workload encoded is remembered, so decoding its data is a lookup that hands back the
 * workload's own command object (no parsing at all); any other data (a custom implementation's, a corrupted
 * entry's) is decoded once per distinct string.
 */
import { decodeKvCommand, encodeKvCommand } from '../core/kv.js';
import type { KvCommand } from '../core/kv.js';

export class CommandCache {
  private readonly commands = new Map<string, KvCommand | null>();

  /** The data `command` encodes to (core/kv.ts's format), remembered for {@link decode}. */
  encode(command: KvCommand): string {
    const data = encodeKvCommand(command);
    // One Map operation, not a lookup then an insert (a fresh key string costs each of them ~0.3 us). Replacing an
    // entry changes nothing a reader sees: equal data is an equal command (same fields, same values), and data the
    // workload encodes always decodes to a command, so it never replaces a remembered non-command.
    this.commands.set(data, command);
    return data;
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
}
