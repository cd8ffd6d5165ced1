import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { seaworthyVersion } from './version.js';

const root = mkdtempSync(join(tmpdir(), 'seaworthy-version-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('seaworthyVersion', () => {
  it('reads the nearest package.json named seaworthy, from the sources or from dist/cli/', () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'seaworthy', version: '9.8.7' }));
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    // Another package's manifest on the way up (e.g. a nested install) is passed over.
    writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ name: 'something-else', version: '1.0.0' }));
    expect(seaworthyVersion(pathToFileURL(join(root, 'dist', 'cli', 'version.js')))).toBe('9.8.7');
  });

  it('matches this checkout', () => {
    expect(seaworthyVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
