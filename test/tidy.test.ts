/**
 * The structure the code must keep, read from the sources rather than hoped for:
 * - determinism: the deterministic folders must not reach for the wall clock, Math.random, timers, the
 *   environment, real I/O, async scheduling or plain-object key order (one rule list, each rule with the folders
 *   it covers; this replaces the three scanning suites that core/, properties/ and properties/linearizability/
 *   used to keep, each with its own list);
 * - the import direction core ← sim ← properties ← scenarios ← cli, for production and test files alike (a
 *   test that needs a later layer belongs under test/).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The layers, innermost first: a folder may import only from itself and the folders before it. */
const LAYERS = ['core', 'sim', 'properties', 'scenarios', 'cli'] as const;
type Layer = (typeof LAYERS)[number];
const DETERMINISTIC: readonly Layer[] = ['core', 'sim', 'properties', 'scenarios'];

interface Rule {
  readonly pattern: RegExp;
  readonly why: string;
  /** Path prefixes (relative to the repository root, with `/`) the rule covers. */
  readonly scope: readonly string[];
}

/**
 * The mutation corpus (a second Raft, standing where a user's implementation would) is deterministic too, and
 * sits beside core/: it may import only types, and only from sim/contract.ts.
 */
const CORPUS = 'mutation-corpus';
const ALL = [...DETERMINISTIC, CORPUS].map((f) => `${f}/`);

/** Every determinism rule, once. Production files only: tests may time and read files. */
const RULES: readonly Rule[] = [
  { pattern: /\bMath\.random\b/, why: 'randomness must come from the seeded PRNG', scope: ALL },
  { pattern: /\bDate\b/, why: 'time must be simulated', scope: ALL },
  { pattern: /\bperformance\b|\bprocess\.hrtime\b/, why: 'time must be simulated', scope: ALL },
  { pattern: /\bset(Timeout|Interval|Immediate)\b|\bqueueMicrotask\b/, why: 'no real timers', scope: ALL },
  { pattern: /\bprocess\./, why: 'no process state outside cli/', scope: ALL },
  { pattern: /from ['"](node:)?(fs|child_process|net|http|https|worker_threads|os)(\/promises)?['"]/, why: 'no real I/O outside cli/', scope: ALL },
  { pattern: /from ['"]node:/, why: 'no Node built-ins in deterministic code', scope: ALL },
  { pattern: /\bimport\(/, why: 'dynamic import() is for cli/ only', scope: ALL },
  // Promise as code (constructed, called, or a type), not the word in a message that tells a user not to return one.
  { pattern: /\basync\b|\bawait\b|\bnew Promise\b|\bPromise[.<]/, why: 'no async scheduling in the simulation', scope: ALL },
  { pattern: /\bWeakRef\b|\bFinalizationRegistry\b/, why: 'GC timing is not deterministic', scope: ALL },
  { pattern: /\brequire\(/, why: 'ESM imports only', scope: ALL },
  { pattern: /:\s*any\b|\bas any\b|<any>/, why: 'no any (use unknown)', scope: ALL },
  { pattern: /\bObject\.(keys|values|entries)\b|\bfor \(const \w+ in\b/, why: 'plain-object key order is an accident of insertion', scope: ['properties/'] },
];

function sources(dir: string, tests: boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path, tests));
    else if (name.endsWith('.ts') && name.endsWith('.test.ts') === tests) out.push(path);
  }
  return out;
}

/** Drops comments so documentation may name what it forbids. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function posix(path: string): string {
  return path.split(sep).join('/');
}

/** `file:line: text (why)` for every rule a production file breaks. */
function ruleProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const rules = RULES.filter((r) => r.scope.some((prefix) => file.startsWith(prefix)));
  code(text)
    .split('\n')
    .forEach((line, i) => {
      for (const rule of rules) if (rule.pattern.test(line)) problems.push(`${file}:${i + 1}: ${line.trim()} (${rule.why})`);
    });
  return problems;
}

/** `file: imports X (why)` for every relative import that points outward against the layer order. */
function importProblems(file: string, text: string): string[] {
  const layer = LAYERS.indexOf(file.split('/')[0] as Layer);
  if (layer < 0) return [];
  const problems: string[] = [];
  for (const m of code(text).matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = posix(relative(root, resolve(root, file, '..', m[1] as string)));
    // The library entry (index.ts) sits beside cli/: it exposes the whole pipeline.
    const targetLayer = target === 'index.js' ? LAYERS.length - 1 : LAYERS.indexOf(target.split('/')[0] as Layer);
    if (targetLayer > layer) problems.push(`${file}: imports ${m[1]} (${LAYERS[layer]}/ may import only ${LAYERS.slice(0, layer + 1).join(', ')})`);
  }
  return problems;
}

describe('tidy: deterministic folders', () => {
  for (const folder of DETERMINISTIC) {
    it(`${folder}/ uses no nondeterministic API`, () => {
      const problems = sources(join(root, folder), false).flatMap((path) => ruleProblems(posix(relative(root, path)), readFileSync(path, 'utf8')));
      expect(problems).toEqual([]);
    });
  }

  it('catches planted violations (the check itself can fail), and covers each rule only where it applies', () => {
    const sample = 'const x = Math.random();\n// Math.random in a comment is fine\nfor (const k in o) f(k);\n';
    expect(ruleProblems('sim/x.ts', sample)).toEqual(['sim/x.ts:1: const x = Math.random(); (randomness must come from the seeded PRNG)']);
    expect(ruleProblems('properties/x.ts', sample)).toHaveLength(2);
    expect(ruleProblems('cli/x.ts', sample)).toEqual([]);
  });
});

/** `file: imports X (why)` for every import of a corpus file other than its own modules and sim/contract.ts types. */
function corpusImportProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const m of code(text).matchAll(/^\s*(import|export)(\s+type)?\b[^'"]*?from\s*['"]([^'"]+)['"]/gm)) {
    const spec = m[3] as string;
    const typeOnly = m[2] !== undefined;
    const target = spec.startsWith('.') ? posix(relative(root, resolve(root, file, '..', spec))) : spec;
    if (target.startsWith(`${CORPUS}/`)) continue;
    if (target === 'sim/contract.js' && typeOnly) continue;
    if (!file.endsWith('.test.ts') || spec.startsWith('.')) problems.push(`${file}: imports ${spec} (${CORPUS}/ may import only types from sim/contract.ts)`);
  }
  return problems;
}

describe('tidy: the mutation corpus stands where a user\'s implementation would', () => {
  it(`${CORPUS}/ uses no nondeterministic API`, () => {
    const problems = sources(join(root, CORPUS), false).flatMap((path) => ruleProblems(posix(relative(root, path)), readFileSync(path, 'utf8')));
    expect(problems).toEqual([]);
  });

  it(`${CORPUS}/ imports only its own modules and types from sim/contract.ts (tests may also use packages)`, () => {
    const files = [...sources(join(root, CORPUS), false), ...sources(join(root, CORPUS), true)];
    const problems = files.flatMap((path) => corpusImportProblems(posix(relative(root, path)), readFileSync(path, 'utf8')));
    expect(problems).toEqual([]);
  });

  it('catches a planted corpus import of a value or of another module', () => {
    const sample = "import type { Message } from '../sim/contract.js';\nimport { assert } from '../core/assert.js';\nimport { Prng } from '../sim/contract.js';\n";
    expect(corpusImportProblems(`${CORPUS}/x.ts`, sample)).toEqual([
      `${CORPUS}/x.ts: imports ../core/assert.js (${CORPUS}/ may import only types from sim/contract.ts)`,
      `${CORPUS}/x.ts: imports ../sim/contract.js (${CORPUS}/ may import only types from sim/contract.ts)`,
    ]);
    expect(ruleProblems(`${CORPUS}/x.ts`, 'const t = Date.now();\n')).toHaveLength(1);
  });
});

describe('tidy: import direction (core ← sim ← properties ← scenarios ← cli)', () => {
  for (const folder of LAYERS) {
    it(`${folder}/ imports nothing from a later layer (tests included)`, () => {
      const files = [...sources(join(root, folder), false), ...sources(join(root, folder), true)];
      const problems = files.flatMap((path) => importProblems(posix(relative(root, path)), readFileSync(path, 'utf8')));
      expect(problems).toEqual([]);
    });
  }

  it('catches a planted outward import', () => {
    const sample = "import { runSeed } from '../scenarios/run-seed.js';\nimport { assert } from './assert.js';\n";
    expect(importProblems('sim/x.test.ts', sample)).toEqual(["sim/x.test.ts: imports ../scenarios/run-seed.js (sim/ may import only core, sim)"]);
    expect(importProblems('cli/x.ts', sample)).toEqual([]);
    expect(importProblems('scenarios/x.test.ts', "import { runSeed } from '../index.js';\n")).toEqual(["scenarios/x.test.ts: imports ../index.js (scenarios/ may import only core, sim, properties, scenarios)"]);
    expect(importProblems('properties/linearizability/x.ts', "import type { Fact } from '../../sim/facts.js';\n")).toEqual([]);
  });
});
