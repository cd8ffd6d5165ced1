/**
 * Seaworthy's own version, read from its package.json at run time. The file is found by walking up from this
 * module, so it works from the TypeScript sources (cli/) and from the compiled output (dist/cli/) alike.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders to climb at most: dist/cli/ sits two below the package root; a few more spare. */
const LEVELS_MAX = 6;

/**
 * The `version` of the nearest enclosing package.json named "seaworthy". Throws when none is found, which
 * means a broken install, not bad input.
 */
export function seaworthyVersion(from: string | URL = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let level = 0; level <= LEVELS_MAX; level++) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest !== null && manifest.name === 'seaworthy' && typeof manifest.version === 'string') return manifest.version;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`no package.json named "seaworthy" above ${fileURLToPath(from)}`);
}

function readManifest(path: string): { readonly name?: unknown; readonly version?: unknown } | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    // Absent or unreadable: keep climbing (a nested package.json of another package is skipped the same way).
    return null;
  }
}
