// Enforces the determinism rules of core/ (docs: "enforce it with a test, not with hope"): no clock, no global
// randomness, no I/O, no async in production files.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const forbidden = [/Math\.random/, /\bDate\b/, /\bperformance\./, /\bprocess\./, /\bsetTimeout\b|\bsetInterval\b|\bsetImmediate\b/, /\bPromise\b|\basync\b|\bawait\b/, /\bWeakRef\b/, /from 'node:/, /\bimport\(/, /:\s*any\b|\bas any\b|<any>/];

describe('core/ determinism', () => {
  const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  it('has production files to check', () => expect(files.length).toBeGreaterThan(5));
  for (const f of files) {
    it(`${f} uses no clock, global randomness, I/O or async`, () => {
      const code = readFileSync(join(here, f), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l))
        .join('\n');
      for (const re of forbidden) expect(code, `${f} matches ${re}`).not.toMatch(re);
    });
  }
});
