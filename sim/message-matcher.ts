/**
 * Compiled {@link MessageMatcher}s (sim/contract.ts): a declared `where` object becomes two arrays sorted by
 * field name, so matching never depends on the insertion order of the implementation's object, and a match is
 * a type comparison plus a few field reads, with no allocation (it runs on every message sent).
 */
import type { Message, MessageMatcher } from './contract.js';

/** A matcher with its field conditions as arrays, sorted by field name. */
export interface CompiledMatcher {
  readonly type: string;
  readonly fields: readonly string[];
  readonly values: readonly (string | number | boolean)[];
}

/** Compiles `m`; its `where` keys are read once, here, and sorted. */
export function compileMatcher(m: MessageMatcher): CompiledMatcher {
  const where = m.where ?? {};
  const fields = Object.keys(where).sort();
  return { type: m.type, fields, values: fields.map((f) => where[f] as string | number | boolean) };
}

/** Whether `message` has the matcher's type and every declared field holds exactly the declared value. */
export function matchesMessage(c: CompiledMatcher, message: Message): boolean {
  if (message.type !== c.type) return false;
  for (let k = 0; k < c.fields.length; k++) if (message[c.fields[k] as string] !== c.values[k]) return false;
  return true;
}
