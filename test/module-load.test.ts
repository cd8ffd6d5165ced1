/**
 * `--impl` modules are loaded first in a worker thread with a wall-clock bound (cli/adapters/module-load-probe.ts):
 * a module whose top level never returns is refused in one line, exit 2, instead of hanging the CLI before any
 * seed's watchdog starts; every other load failure reads as before.
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './cli-helpers.js';

const FIXTURES = 'test/fixtures/run-lifecycle';

describe('--impl: a module that never finishes loading', () => {
  // Every command resolves its implementation through cli/target.ts, so `run` stands for all of them.
  it('run refuses it in one line naming the module, exit 2', async () => {
    const result = await runCliInProcess(['run', '--seeds', '3', '--nodes', '3', '--impl', `${FIXTURES}/loops-at-load.mjs`]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--impl: .*loops-at-load\.mjs did not finish loading within \d+ ms/);
  }, 60_000);

  it('still loads a working module and reports a module that throws at load as before', async () => {
    const fine = await runCliInProcess(['run', '--seeds', '2', '--nodes', '3', '--impl', 'examples/js-raft/index.js', '--json']);
    expect(fine.status, fine.stderr).toBe(0);
    const missing = await runCliInProcess(['run', '--seeds', '2', '--impl', `${FIXTURES}/no-such-module.mjs`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--impl: no such file/);
  }, 60_000);
});
