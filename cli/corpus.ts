/**
 * The failure corpus of a batch: failures grouped by signature (the property and its message with numbers
 * and node ids normalised away), so a batch that hits one bug 300 times reports one failure class with its
 * seeds, not 300 lines.
 */

/** The failure fields grouping needs (RunFailure has them). */
export interface GroupableFailure {
  readonly seed: number;
  readonly property: string;
  readonly message: string;
  readonly repro: string;
}

export interface FailureClass {
  /** `property: normalised message`. */
  readonly signature: string;
  readonly property: string;
  /** Failures in the class. */
  readonly count: number;
  /** The first seeds of the class (at most {@link CLASS_SEEDS_MAX}), in the order they failed. */
  readonly seeds: readonly number[];
  /** Repro of the class's first seed. */
  readonly repro: string;
}

export const CLASS_SEEDS_MAX = 20;

/**
 * A message with what varies between seeds of one bug normalised: node ids (`node 3`, `nodes 4 and 1`,
 * `n2`, `1→4`) become `n`, other digit runs become `N`, quoted strings become `"…"`.
 */
export function normaliseMessage(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\b(nodes?)\s+\d+(?:(?:\s*,\s*|\s+and\s+)\d+)*/gi, (_m, word: string) => `${word} n`)
    .replace(/\bn\d+\b/g, 'n')
    .replace(/\b\d+(→)\d+\b/g, 'n$1n')
    .replace(/\d+/g, 'N');
}

export function failureSignature(property: string, message: string): string {
  return `${property}: ${normaliseMessage(message)}`;
}

/** Groups failures by signature; classes in order of their first failure. */
export function groupFailures(failures: readonly GroupableFailure[]): FailureClass[] {
  const classes = new Map<string, { property: string; count: number; seeds: number[]; repro: string }>();
  for (const f of failures) {
    const signature = failureSignature(f.property, f.message);
    const c = classes.get(signature);
    if (c === undefined) {
      classes.set(signature, { property: f.property, count: 1, seeds: [f.seed], repro: f.repro });
      continue;
    }
    c.count++;
    if (c.seeds.length < CLASS_SEEDS_MAX) c.seeds.push(f.seed);
  }
  return [...classes].map(([signature, c]) => ({ signature, ...c }));
}
