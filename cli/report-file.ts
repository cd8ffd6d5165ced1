/**
 * Report files (`run --json-file`, `--junit`, `merge --junit`): the path is checked before the batch starts,
 * so a typo never costs an hour of seeds, and a write that still fails at the end (a full disk, a folder
 * that vanished) is one line on stderr, with the report still printed: nothing already found is lost.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkOutDir } from './out-dir.js';
import { UsageError } from './errors.js';
import type { Io } from './io.js';

/** The path given to `flag`, after checking that its folder exists or can be created and is writable. */
export function checkReportFile(flag: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw new UsageError(`${flag} expects a file path, got ${JSON.stringify(raw)}`);
  if (raw.endsWith('/')) throw new UsageError(`${flag} expects a file path, got the folder ${JSON.stringify(raw)}`);
  checkOutDir(dirname(resolve(raw)), '.', { flag, purpose: 'the report' });
  return raw;
}

/**
 * Writes `content` to `file` (through a temporary file and a rename, so a reader never sees half of it);
 * returns false after one line on stderr when it cannot.
 */
export function writeReportFile(flag: string, file: string, content: string, io: Io): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    writeFileSync(temporary, content);
    renameSync(temporary, file);
    return true;
  } catch (error) {
    io.stderr(`seaworthy: ${flag}: could not write ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
