/**
 * The top frame of a user's code in an error's stack: when a custom implementation throws, the report points
 * at the line in the user's file, not at the simulator frames below it or at a builtin above it (a TypeError
 * from a frozen object, a JSON.parse error).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Seaworthy's own source folders, wherever the package runs from: this file is `<base>/cli/adapters/`, where
 * `<base>` is the repository (run through tsx) or its compiled `dist/`.
 */
const OWN_BASE = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const OWN_DIRS = ['cli', 'core', 'sim', 'properties', 'scenarios', 'bin'].map((d) => `${resolve(OWN_BASE, d)}${sep}`);
const OWN_FILES = ['index.ts', 'index.js'].map((f) => resolve(OWN_BASE, f));
const NODE_MODULES = `${sep}node_modules${sep}`;

/** One `at ...` line of a V8 stack: `at fn (file:line:col)` or `at file:line:col`. */
const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

interface Frame {
  readonly fn: string | undefined;
  readonly file: string;
  readonly line: string;
  readonly column: string;
}

/**
 * `fn (path:line:col)` for the first stack frame in a file that is neither Seaworthy's nor Node's, with the
 * path relative to `cwd` when it lies below it; null when the error has no such frame (not an Error, or the
 * stack holds only our frames). A frame under `node_modules` is taken only when no other user frame exists, so
 * a library the user calls does not hide the user's own line.
 */
export function topUserFrame(error: unknown, cwd: string): string | null {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return null;
  const frames: Frame[] = [];
  for (const text of error.stack.split('\n')) {
    const frame = parseFrame(text);
    if (frame !== null && !isOwnFile(frame.file)) frames.push(frame);
  }
  const chosen = frames.find((f) => !f.file.includes(NODE_MODULES)) ?? frames[0];
  if (chosen === undefined) return null;
  const below = relative(cwd, chosen.file);
  const shown = below !== '' && !below.startsWith('..') && !isAbsolute(below) ? below : chosen.file;
  const location = `${shown}:${chosen.line}:${chosen.column}`;
  return chosen.fn === undefined ? location : `${chosen.fn} (${location})`;
}

/** A frame with an absolute file path (file: URLs converted), or null for internals, eval and native frames. */
function parseFrame(text: string): Frame | null {
  const match = FRAME.exec(text);
  if (match === null) return null;
  const [, fn, where, line, column] = match;
  if (where === undefined || line === undefined || column === undefined) return null;
  let file = where;
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      return null;
    }
  }
  if (!isAbsolute(file)) return null; // node:internal/..., <anonymous>, native
  return { fn: fn?.replace(/^async /, ''), file, line, column };
}

function isOwnFile(file: string): boolean {
  return OWN_FILES.includes(file) || OWN_DIRS.some((dir) => file.startsWith(dir));
}
