/**
 * Output folders (`--out DIR`) are checked before any long work starts, so a shrink never runs for minutes
 * only to fail on the folder it was told to write to.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Who asked for the folder, for the messages: the flag (or variable) and what the folder is for. */
export interface OutDirUse {
  readonly flag: string;
  readonly purpose: string;
}

const OUT_FLAG: OutDirUse = { flag: '--out', purpose: 'the minimal plans' };

/**
 * The folder named by `--out` (or `fallback`), after checking that it is, or can be created as, a writable
 * folder: it exists as a folder, or its nearest existing ancestor is one. Creates nothing. Throws a
 * UsageError naming the problem (and `use.flag`, `--out` by default) otherwise.
 */
export function checkOutDir(raw: unknown, fallback: string, use: OutDirUse = OUT_FLAG): string {
  const { flag, purpose } = use;
  if (raw !== undefined && (typeof raw !== 'string' || raw.trim() === '')) throw new UsageError(`${flag} expects a folder, got ${JSON.stringify(raw)}`);
  const dir = raw ?? fallback;
  let probe = resolve(dir);
  for (;;) {
    const kind = kindOf(probe, flag);
    if (kind === 'folder') break;
    if (kind === 'other') {
      const what = probe === resolve(dir) ? `${JSON.stringify(dir)} exists and is not a folder` : `${JSON.stringify(probe)} is not a folder, so ${JSON.stringify(dir)} cannot be created`;
      throw new UsageError(`${flag}: ${what}; expected a folder for ${purpose}`);
    }
    const parent = dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  try {
    accessSync(probe, constants.W_OK);
  } catch {
    throw new UsageError(`${flag}: cannot write to ${JSON.stringify(probe)} (permission denied); expected a writable folder for ${purpose}`);
  }
  return dir;
}

function kindOf(path: string, flag: string): 'folder' | 'other' | 'absent' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'other';
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // ENOTDIR means an ancestor is a file: the caller walks up and reports that ancestor.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw new UsageError(`${flag}: cannot inspect ${JSON.stringify(path)}: ${String(code ?? error)}`);
  }
}
