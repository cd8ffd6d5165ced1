/** style.md: properties/ stays deterministic. Enforced by reading the sources, not by hope. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(fileURLToPath(import.meta.url));
const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bDate\b/, 'Date'],
  [/\bMath\.random\b/, 'Math.random'],
  [/\bperformance\b/, 'performance'],
  [/\bprocess\.(?!process)/, 'process'],
  [/\bset(Timeout|Interval|Immediate)\b/, 'timers'],
  [/\basync\b|\bPromise\b|\bawait\b/, 'async'],
  [/\bWeakRef\b/, 'WeakRef'],
  [/from 'node:/, 'node built-ins'],
  [/\bObject\.(keys|values|entries)\b|\bfor \(const \w+ in\b/, 'plain-object key order'],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('linearizability sources are deterministic', () => {
  it.each(sources(ROOT).map((path) => relative(ROOT, path)))('%s', (file) => {
    const code = readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join('\n');
    for (const [pattern, name] of FORBIDDEN) expect(pattern.test(code), `${file} uses ${name}`).toBe(false);
  });
});
