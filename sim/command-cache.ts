/**
 * Decoding of entry data into client commands, once per distinct command per run: every node applies the same
 * entries, so the cluster's hosts share one cache.
 */
import { decodeKvCommand } from '../core/kv.js';
import type { KvCommand } from '../core/kv.js';

export class CommandCache {
  private readonly commands = new Map<string, KvCommand | null>();

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
