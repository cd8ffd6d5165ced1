// Loads a sibling module of a worker-thread entry in whichever form this copy of Seaworthy has: the compiled
// `.js` of an installed package (dist/), or the TypeScript source of a checkout run through tsx (tests, `npm run
// seaworthy`). Plain JavaScript on purpose: worker threads inherit no loader, so this file must run before
// any TypeScript can. Every worker entry (seed workers, module-implementation workers) goes through here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Imports `<stem>.js` next to `entryUrl` when it exists, else registers tsx and imports `<stem>.ts`.
 * @param {string} entryUrl the calling entry's `import.meta.url`
 * @param {string} stem a relative path without extension, e.g. './seed-worker-main'
 */
export async function loadCompiledOrSource(entryUrl, stem) {
  const compiled = new URL(`${stem}.js`, entryUrl);
  if (existsSync(fileURLToPath(compiled))) return import(compiled.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(new URL(`${stem}.ts`, entryUrl).href);
}
