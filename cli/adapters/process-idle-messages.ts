/**
 * Idle messages (docs/protocol.md § The compact form, change 4): a compact-form reply may list the messages
 * whose `step` would change nothing in the node (`"idleMessages"`), so the host takes a null Ready for such a
 * step at once and holds the request, to write it in front of the node's next one. The commonest case is a
 * leader's heartbeat acknowledgements: a follower that is caught up answers every heartbeat with a match index
 * the leader already knows, and the leader does nothing with it.
 *
 * A pattern is an object of fields a message must match, every one: a string, boolean or number field must be
 * equal; a field given as `{"max": n}` matches a number at most n. This module only parses and matches them;
 * process.ts holds them per node and checks the held replies.
 */

/** One field of a pattern: the value a message's field must equal, or the most it may be. */
type FieldRule = { readonly field: string; readonly equals: string | number | boolean } | { readonly field: string; readonly max: number };

/** A parsed pattern: every rule must hold. */
export type IdleMessagePattern = readonly FieldRule[];

/** Most patterns one reply may list, and most fields one pattern may name: bounds on the host's work per step. */
export const IDLE_PATTERNS_MAX = 64;
export const IDLE_FIELDS_MAX = 16;

/**
 * Parses a reply's `idleMessages`: the patterns, or a string saying what is wrong (the caller reports it as an
 * implementation error). `undefined` (the field left out) is no pattern.
 */
export function parseIdleMessages(value: unknown): readonly IdleMessagePattern[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `"idleMessages" must be an array of message patterns, got ${describe(value)}`;
  if (value.length > IDLE_PATTERNS_MAX) return `"idleMessages" lists ${value.length} patterns, more than the ${IDLE_PATTERNS_MAX} allowed`;
  const patterns: IdleMessagePattern[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return `each pattern of "idleMessages" must be an object of message fields, got ${describe(item)}`;
    const entries = Object.entries(item as Record<string, unknown>);
    if (entries.length > IDLE_FIELDS_MAX) return `a pattern of "idleMessages" names ${entries.length} fields, more than the ${IDLE_FIELDS_MAX} allowed`;
    const rules: FieldRule[] = [];
    for (const [field, rule] of entries) {
      if (typeof rule === 'string' || typeof rule === 'boolean' || (typeof rule === 'number' && Number.isFinite(rule))) {
        rules.push({ field, equals: rule });
      } else if (isMaxRule(rule)) {
        rules.push({ field, max: rule.max });
      } else {
        return `field "${field}" of a pattern of "idleMessages" must be a string, a boolean, a number or {"max": number}, got ${describe(rule)}`;
      }
    }
    patterns.push(rules);
  }
  return patterns;
}

/**
 * Whether two `idleMessages` values are the same patterns, as JSON values (keys in any order): most replies repeat
 * the last one, and comparing them costs less than parsing again. False for anything that is not an array of
 * flat patterns (parseIdleMessages then judges it).
 */
export function samePatternValues(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x: unknown = a[i];
    const y: unknown = b[i];
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null || Array.isArray(x) || Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      const u = (x as Record<string, unknown>)[key];
      const v = (y as Record<string, unknown>)[key];
      if (u === v && typeof u !== 'object') continue;
      if (!isMaxRule(u) || !isMaxRule(v) || u.max !== v.max) return false;
    }
  }
  return true;
}

function isMaxRule(rule: unknown): rule is { max: number } {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return false;
  const keys = Object.keys(rule);
  const max = (rule as { max?: unknown }).max;
  return keys.length === 1 && typeof max === 'number' && Number.isFinite(max);
}

/** Whether `message` matches one of `patterns`. */
export function isIdleMessage(patterns: readonly IdleMessagePattern[], message: object): boolean {
  const fields = message as Record<string, unknown>;
  return patterns.some((rules) =>
    rules.every((rule) => {
      const value = fields[rule.field];
      return 'max' in rule ? typeof value === 'number' && value <= rule.max : value === rule.equals;
    }),
  );
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
