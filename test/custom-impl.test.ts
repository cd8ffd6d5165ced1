/**
 * Custom implementations: loading a module (--impl), driving processes (--impl-cmd), the capability gate,
 * determinism verification, and every way an implementation can misbehave — each must end as an
 * `implementation-error` of its seed, never as a crash or a hang of the harness.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { missingCapabilities, skipNotice } from '../cli/adapters/capabilities.js';
import { firstDivergence, pickSeeds } from '../cli/adapters/determinism.js';
import { loadCustomImplementation } from '../cli/adapters/index.js';
import { implementationProblems, loadModuleImplementation } from '../cli/adapters/module.js';
import { ProcessAdapter } from '../cli/adapters/process.js';
import { executeRun } from '../cli/commands/run.js';
import type { RunArgs } from '../cli/commands/run.js';
import { UsageError } from '../cli/errors.js';
import type { Io } from '../cli/io.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { repoRoot, runCli } from './cli-helpers.js';

const random = findScenario('random') as Scenario;
const FIXTURES = 'test/fixtures/custom-impl';
const PYTHON = 'python3';
/** Short, so the watchdog test waits little wall-clock time; long enough for a loaded machine to boot python. */
const WATCHDOG_MS = 400;

function captureIo(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, stdout: (l) => lines.push(l), stderr: (l) => lines.push(l), interactive: false };
}

function runArgs(extra: Partial<Record<keyof RunArgs, unknown>>): RunArgs {
  return { seeds: 3, seedStart: 1, nodes: 5, scenario: undefined, bug: undefined, json: true, safetyOnly: false, ...extra } as RunArgs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('--impl: module implementations', () => {
  it('loads a default export and a named `implementation` export', async () => {
    expect((await loadModuleImplementation('examples/js-raft/index.js', repoRoot)).name).toBe('js-raft');
    expect((await loadModuleImplementation('examples/js-raft/buggy.js', repoRoot)).name).toBe('js-raft+double-vote');
  });

  it('rejects a malformed module with one line per wrong member', async () => {
    const error = await loadModuleImplementation(`${FIXTURES}/bad-shape.js`, repoRoot).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toContain('does not export a valid RaftImplementation');
    expect(lines.slice(1)).toEqual([
      expect.stringContaining('"name": expected a non-empty string, got 42'),
      expect.stringContaining('"create": expected a function'),
      expect.stringContaining('unknown capability "warp-drive"'),
    ]);
    expect(implementationProblems({ name: 'ok', create: () => null })).toEqual([]);
    await expect(loadModuleImplementation('no/such/file.js', repoRoot)).rejects.toThrow(/no such file/);
  });

  it('refuses --impl with --bug or with --impl-cmd, and --impl-timeout without --impl or --impl-cmd', async () => {
    await expect(loadCustomImplementation({ impl: 'examples/js-raft/index.js', bug: 'double-vote' }, 5, repoRoot)).rejects.toThrow(/cannot be combined/);
    await expect(loadCustomImplementation({ impl: 'a.js', implCmd: 'python3 b.py' }, 5, repoRoot)).rejects.toThrow(/mutually exclusive/);
    await expect(loadCustomImplementation({ implTimeout: 100 }, 5, repoRoot)).rejects.toThrow(/only with --impl or --impl-cmd/);
    // --impl-timeout is the watchdog of both adapters: for a module it bounds each call (cli/parallel.ts).
    expect((await loadCustomImplementation({ impl: 'examples/js-raft/index.js', implTimeout: 100 }, 5, repoRoot))?.watchdogMs).toBe(100);
  });

  it('runs the JavaScript example from the CLI: it passes, and its repro lines name the module', () => {
    const ok = runCli(['run', '--impl', 'examples/js-raft/index.js', '--seeds', '8', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.lastLine) as { implementation: string; passed: number; implementationErrors: number };
    expect(summary).toMatchObject({ implementation: 'js-raft', passed: 8, implementationErrors: 0 });
    const usage = runCli(['run', '--impl', 'examples/js-raft/index.js', '--bug', 'double-vote']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/cannot be combined with --impl/);
  });

  it('catches the planted double vote of the JavaScript example', async () => {
    const buggy = await loadModuleImplementation('examples/js-raft/buggy.js', repoRoot);
    let caughtAt = 0;
    for (let seed = 1; seed <= 40 && caughtAt === 0; seed++) {
      const verdict = runSeed({ seed, scenario: random, nodeCount: 5, implementation: buggy, safetyOnly: true });
      // Its double vote breaks election safety, but the per-persist invariant (a durable vote changed within its
      // term) sees it first, at the persist itself.
      if (verdict.violations.some((v) => v.property === 'election-safety' || v.property === 'durable-vote')) caughtAt = seed;
    }
    expect(caughtAt).toBeGreaterThan(0);
  });

  it('reports a module that throws as an implementation error of its seed, with the message', async () => {
    const io = captureIo();
    const code = await executeRun(runArgs({ impl: `${FIXTURES}/throws.js`, seeds: 2 }), io);
    expect(code).toBe(1);
    const summary = JSON.parse(io.lines[io.lines.length - 1] as string) as { failed: number; implementationErrors: number; failures: { seed: number; property: string; message: string; repro: string }[] };
    expect(summary.implementationErrors).toBe(2);
    // The call is named, and so is the top frame in the user's file (relative to the working directory).
    expect(summary.failures[0]).toMatchObject({ seed: 1, property: 'implementation-error' });
    expect(summary.failures[0]?.message).toMatch(/^node 2 threw in tick\(\): boom at tick 5 \(at \S*tick \(test\/fixtures\/custom-impl\/throws\.js:13:\d+\)\)$/);
    expect(summary.failures[0]?.repro).toContain(`--impl ${FIXTURES}/throws.js`);
  });
});

describe('misbehaviour of module implementations, reported under the right name', () => {
  /** Runs `seed` of the random scenario against a fixture loaded as --impl loads it, with its guard. */
  async function verdictOf(fixture: string, seed = 1): Promise<Verdict> {
    const custom = await loadCustomImplementation({ impl: `${FIXTURES}/${fixture}` }, 5, repoRoot);
    if (custom === null) throw new Error('no implementation loaded');
    return runSeed({ seed, scenario: random, nodeCount: 5, implementation: custom.implementation });
  }

  it('reports a module that mutates a message it returned from ready() as an implementation error naming the mutation', async () => {
    const io = captureIo();
    const code = await executeRun(runArgs({ impl: `${FIXTURES}/mutates-message.js`, seeds: 1 }), io);
    expect(code).toBe(1);
    const summary = JSON.parse(io.lines[io.lines.length - 1] as string) as { failures: { seed: number; property: string; message: string }[] };
    expect(summary.failures[0]).toMatchObject({ seed: 1, property: 'implementation-error' });
    const message = summary.failures[0]?.message ?? '';
    expect(message).toMatch(/^node \d+ mutated a value already returned from ready\(\) \(its own, or a message it received\), in (tick|step)\(\): /);
    expect(message).toContain("Cannot assign to read only property 'entries'");
    expect(message).toMatch(/\(at recycle \(test\/fixtures\/custom-impl\/mutates-message\.js:24:\d+\)\)/);
  });

  it('names a change to a received message the same way: it is another node\'s returned value', async () => {
    const verdict = await verdictOf('mutates-received.js');
    expect(verdict.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^node \d+ mutated a value already returned from ready\(\) \(its own, or a message it received\), in step\(\): Cannot add property seen, object is not extensible \(at \S*step \(test\/fixtures\/custom-impl\/mutates-received\.js:13:\d+\)\)/),
    ]);
  });

  it('says that create() returned a Promise, with and without the CLI guard', async () => {
    const expected = /^node 1 create\(\) returned a Promise: create\(init\) must return the instance itself/;
    const guarded = await verdictOf('promise-create.js');
    expect(guarded.violations.map((v) => v.message)).toEqual([expect.stringMatching(expected)]);
    // The library API hands the object straight to the host, which names the Promise too.
    const raw = await loadModuleImplementation(`${FIXTURES}/promise-create.js`, repoRoot);
    const verdict = runSeed({ seed: 1, scenario: random, nodeCount: 5, implementation: raw });
    expect(verdict.violations.map((v) => v.message)).toEqual([expect.stringMatching(expected)]);
  });

  it('refuses an async create() when the module loads, and names a Promise returned by a method', async () => {
    await expect(loadModuleImplementation(`${FIXTURES}/async-create.js`, repoRoot)).rejects.toThrow(/"create": expected a synchronous function \(init\) => RaftInstance, got an async function/);
    await expect(loadModuleImplementation(`${FIXTURES}/promise-export.js`, repoRoot)).rejects.toThrow(/expected an object \{name, capabilities\?, create\}, got a Promise: export the implementation itself/);
    const verdict = await verdictOf('async-tick.js');
    expect(verdict.violations.map((v) => v.message)).toEqual([expect.stringMatching(/^node \d+ tick\(\) returned a Promise: the contract's methods are synchronous/)]);
  });
});

describe('determinism of module implementations', () => {
  it('substitutes Math.random during calls, so runs replay, and says so', async () => {
    const io = captureIo();
    const code = await executeRun(runArgs({ impl: `${FIXTURES}/uses-random.js`, seeds: 2, verifyDeterminism: true }), io);
    const summary = JSON.parse(io.lines[io.lines.length - 1] as string) as { passed: number; notices: string[]; determinism: { nondeterministic: unknown[] } };
    expect(code).toBe(0);
    expect(summary.determinism.nondeterministic).toEqual([]);
    expect(summary.notices[0]).toMatch(/used Math\.random \d+ times/);
  });

  it('--verify-determinism reports state kept across runs, with the first divergent event', async () => {
    const io = captureIo();
    const code = await executeRun(runArgs({ impl: `${FIXTURES}/nondeterministic.js`, seeds: 3, verifyDeterminism: true }), io);
    expect(code).toBe(1);
    const summary = JSON.parse(io.lines[io.lines.length - 1] as string) as { determinism: { checkedSeeds: number[]; nondeterministic: { seed: number; message: string; firstDivergence: unknown }[] } };
    expect(summary.determinism.checkedSeeds).toEqual([1, 2, 3]);
    const first = summary.determinism.nondeterministic[0];
    expect(first?.message).toMatch(/is not reproducible/);
    expect(first?.firstDivergence).not.toBeNull();
  });

  it('picks every failing seed and an even sample of passing ones; finds the first differing line', () => {
    const outcomes = Array.from({ length: 20 }, (_, i) => ({ seed: i + 1, ok: i !== 6, traceHash: 'h' }));
    expect(pickSeeds(outcomes).map((o) => o.seed)).toEqual([1, 6, 7, 11, 16, 20]);
    const line = (message: string) => ({ atMs: 1, event: 1, kind: 'violation' as const, node: 1, type: 'implementation-error' as const, message });
    expect(firstDivergence([line('a'), line('b')], [line('a'), line('c')])).toMatchObject({ index: 1 });
    expect(firstDivergence([line('a')], [line('a')])).toBeNull();
  });
});

describe('capabilities', () => {
  it('skips a scenario that requires a capability the implementation lacks', () => {
    const needy: Scenario = { ...random, name: 'needs-snapshots', requires: ['snapshot', 'pre-vote'] };
    const impl = { name: 'mine', capabilities: ['pre-vote' as const], create: () => { throw new Error('unused'); } };
    expect(missingCapabilities(needy, impl)).toEqual(['snapshot']);
    expect(missingCapabilities(random, impl)).toEqual([]);
    expect(missingCapabilities({ ...random, requires: ['pre-vote'] }, undefined)).toEqual([]); // our core has it
    expect(skipNotice(needy, 'mine', ['snapshot'])).toBe('skipped: scenario needs-snapshots requires snapshot, which mine does not declare in its capabilities');
  });
});

describe('--impl-cmd: process implementations', () => {
  const adapters: ProcessAdapter[] = [];
  const start = (mode: string, timeoutMs = 5_000): ProcessAdapter => {
    const adapter = ProcessAdapter.start({ command: `${PYTHON} ${FIXTURES}/misbehaving.py --mode ${mode}`, cwd: repoRoot, timeoutMs, nodeCount: 3 });
    adapters.push(adapter);
    return adapter;
  };
  afterAll(() => {
    for (const a of adapters) a.close();
  });

  /** Runs seed 1 with 3 nodes and returns its implementation error (node 1 misbehaves on its fifth tick). */
  function implementationError(adapter: ProcessAdapter): string {
    const verdict = runSeed({ seed: 1, scenario: random, nodeCount: 3, implementation: adapter.implementation, safetyOnly: true, safetyMs: 1_000 });
    const errors = verdict.violations.filter((v) => v.property === 'implementation-error');
    expect(errors).toHaveLength(1);
    return errors[0]?.message ?? '';
  }

  it('reports a process that stops replying: watchdog, killed, run reported', () => {
    const adapter = start('silent', WATCHDOG_MS);
    const message = implementationError(adapter);
    expect(message).toMatch(new RegExp(`^node 1 process gave no reply to tick \\+ ready within ${WATCHDOG_MS} ms \\(wall clock\\) and was killed`));
  });

  it('times the watchdog from the last byte received: a large reply written slowly is not cut off', () => {
    // 4 MiB in 6 pieces, 150 ms apart: 750 ms in all, more than the 600 ms watchdog, but never silent for as
    // long (450 ms of slack for a loaded machine).
    const verdict = runSeed({ seed: 1, scenario: random, nodeCount: 3, implementation: start('slow-big', 600).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.message)).toEqual([]);
  });

  it('reads a long reply of multi-byte characters intact, whichever byte the pipe splits it at', () => {
    const verdict = runSeed({ seed: 1, scenario: random, nodeCount: 3, implementation: start('unicode').implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.message)).toEqual([]);
  });

  it('reports a reply that stops half-way, with what came', () => {
    expect(implementationError(start('stall', WATCHDOG_MS))).toBe(
      `node 1 process wrote 33 bytes of a reply line to tick + ready, then nothing for ${WATCHDOG_MS} ms (wall clock), and was killed; unfinished output "{\\"type\\": \\"ready\\", \\"ready\\": {\\"entr"`,
    );
  });

  it('refuses a reply line over the 16 MiB limit, with its size', () => {
    expect(implementationError(start('oversize'))).toMatch(/^node 1 process wrote a reply line to tick \+ ready of 17825\d{3} bytes, over the protocol's limit of 16777216 bytes \(16 MiB\) per line \(docs\/protocol\.md\); it was killed/);
  });

  it('reports a line written between requests (logging on stdout), quoting it', () => {
    expect(implementationError(start('stdout-log'))).toBe('node 1 process wrote a line nobody asked for (one reply per request): "debug: tick 5 done"');
  });

  it('reports malformed JSON, quoting the reply', () => {
    expect(implementationError(start('malformed'))).toBe('node 1 process replied to tick with malformed JSON: {this is not json');
  });

  it('reports an unknown reply type, quoting the reply', () => {
    expect(implementationError(start('unknown-type'))).toBe('node 1 process replied to tick with unknown reply type "tock" (expected "ok"): {"type": "tock"}');
  });

  it('reports a message to a node that does not exist', () => {
    expect(implementationError(start('bad-peer'))).toMatch(/^node 1 process sent a message to node 9, which does not exist or is itself \(peers 1,2,3\): .*"to":9/);
  });

  it('reports a process that exits, with the tail of its stderr', () => {
    expect(implementationError(start('exit'))).toMatch(/^node 1 process exited with code 3 before replying to tick \+ ready; its stderr ends: "node 1 giving up"/);
  });

  it('kills every process when closed', () => {
    const adapter = start('none');
    runSeed({ seed: 2, scenario: random, nodeCount: 3, implementation: adapter.implementation, safetyOnly: true, safetyMs: 300 });
    const alive = [...adapter.processIds];
    expect(alive.length).toBe(3);
    adapter.close();
    const deadline = Date.now() + 5_000;
    while (alive.some(isAlive) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    expect(alive.filter(isAlive)).toEqual([]);
  });

  it('fails with a usage error when the command cannot even answer create', () => {
    expect(() => ProcessAdapter.start({ command: 'exit 7', cwd: repoRoot, timeoutMs: 2_000, nodeCount: 3 })).toThrow(/--impl-cmd "exit 7": the probe create failed: process exited with code 7/);
  });

  it('runs the Python example end to end from the CLI', () => {
    const ok = runCli(['run', '--impl-cmd', `${PYTHON} examples/python-raft/node.py`, '--seeds', '1', '--seed-start', '3', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.lastLine)).toMatchObject({ implementation: 'python-raft', passed: 1, implementationErrors: 0 });
  });
});
