/**
 * TypeScript implementations behind `--impl` (`.ts`, `.mts`, `.cts`). Seaworthy itself ships as compiled
 * JavaScript, and Node 20 cannot import TypeScript on its own, so a TypeScript module is loaded through the
 * user's own tsx (a dev dependency of their project, resolved from the working directory first, then from
 * Seaworthy's own install). A checkout run through tsx (tests, `npm run seaworthy`) already has the loader.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';

const TYPESCRIPT_EXTENSION = /\.(ts|mts|cts)$/;

let registered = false;

/** Whether `path` names a TypeScript module that needs a loader. */
export function isTypeScriptModule(path: string): boolean {
  return TYPESCRIPT_EXTENSION.test(path);
}

/** True when this very file runs as TypeScript source, i.e. a TypeScript loader is already active. */
function runningFromSource(): boolean {
  return import.meta.url.endsWith('.ts');
}

/**
 * Makes `import()` of TypeScript files work in this thread (worker threads need their own call). Throws a
 * UsageError naming the fix when tsx cannot be found.
 */
export async function ensureTypeScriptLoader(cwd: string, forPath: string): Promise<void> {
  if (registered || runningFromSource()) return;
  const apiPath = resolveTsxApi(cwd);
  if (apiPath === undefined) {
    throw new UsageError(`--impl: ${forPath} is TypeScript; install tsx in your project (npm install --save-dev tsx) or compile it to JavaScript first`);
  }
  const api = (await import(pathToFileURL(apiPath).href)) as { register: () => unknown };
  api.register();
  registered = true;
}

function resolveTsxApi(cwd: string): string | undefined {
  for (const base of [join(cwd, 'package.json'), import.meta.url]) {
    try {
      return createRequire(base).resolve('tsx/esm/api');
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}
