/**
 * Determinism is the product: the deterministic folders must not reach for the wall clock, Math.random,
 * timers, the environment, real I/O or async scheduling. This test reads the sources and fails on any such use.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const DETERMINISTIC = ['core', 'sim', 'properties', 'scenarios'];

const FORBIDDEN: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  { pattern: /\bMath\.random\b/, why: 'randomness must come from the seeded PRNG' },
  { pattern: /\bDate\.now\b|\bnew Date\b|\bDate\(/, why: 'time must be simulated' },
  { pattern: /\bperformance\.now\b|\bprocess\.hrtime\b/, why: 'time must be simulated' },
  { pattern: /\bset(Timeout|Interval|Immediate)\b|\bqueueMicrotask\b/, why: 'no real timers' },
  { pattern: /\bprocess\.(env|argv|stdout|stderr|exit|cwd)\b/, why: 'no process state outside cli/' },
  { pattern: /from ['"](node:)?(fs|child_process|net|http|https|worker_threads|os)(\/promises)?['"]/, why: 'no real I/O outside cli/' },
  { pattern: /\basync\s+function\b|\bawait\b|\bnew Promise\b/, why: 'no async scheduling in the simulation' },
  { pattern: /\bWeakRef\b|\bFinalizationRegistry\b/, why: 'GC timing is not deterministic' },
];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Drops comments so documentation may name what it forbids. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('tidy: deterministic folders', () => {
  for (const folder of DETERMINISTIC) {
    it(`${folder}/ uses no nondeterministic API`, () => {
      const problems: string[] = [];
      for (const file of sources(join(root, folder))) {
        const lines = code(readFileSync(file, 'utf8')).split('\n');
        lines.forEach((line, i) => {
          for (const rule of FORBIDDEN) {
            if (rule.pattern.test(line)) problems.push(`${relative(root, file)}:${i + 1}: ${line.trim()} (${rule.why})`);
          }
        });
      }
      expect(problems).toEqual([]);
    });
  }

  it('catches a planted violation (the check itself can fail)', () => {
    const sample = code('const x = Math.random();\n// Math.random in a comment is fine\n');
    const hits = sample.split('\n').filter((l) => FORBIDDEN.some((r) => r.pattern.test(l)));
    expect(hits).toEqual(['const x = Math.random();']);
  });
});
