#!/usr/bin/env node
// The installed command. Runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci`, `npm
// install` and `npm pack` run through the `prepare` script), so starting it transpiles nothing.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('seaworthy: the compiled CLI (dist/) is missing; run `npm run build` in the seaworthy checkout\n');
  process.exit(2);
}
await import(entry.href);
