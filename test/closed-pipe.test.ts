/**
 * `seaworthy replay --trace | head`: a reader that closes the pipe early ends the CLI quietly (exit 0, nothing
 * on stderr), as command-line tools do, instead of an unhandled EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './cli-helpers.js';

describe('a closed stdout pipe', () => {
  it('ends the CLI quietly, exit 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/bin.ts', 'replay', '--seed', '1', '--nodes', '3', '--trace'], { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Read the first chunk, then go away like `head` does.
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  }, 60_000);
});
