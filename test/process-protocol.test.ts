/**
 * The two forms of the process protocol (docs/protocol.md): the lockstep form (1), which every process speaks
 * unless it says otherwise, and the compact form (2), whose replies carry the next Ready and whose idle
 * advances and quiet ticks are not waited for. The host must see the same values either way: same seed, same trace hash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { liveProcessGroups, processGroupTable } from '../cli/adapters/process-groups.js';
import { ProcessAdapter } from '../cli/adapters/process.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Scenario } from '../scenarios/types.js';
import { repoRoot } from './cli-helpers.js';

const EXAMPLE = 'python3 examples/python-raft/node.py';
const FIXTURE = 'python3 test/fixtures/custom-impl/compact-misbehaving.py';
const adapters: ProcessAdapter[] = [];
// Closing stops every fork server and its children; under a loaded full suite that has taken over vitest's 10 s.
afterAll(() => {
  for (const a of adapters) a.close();
}, 60_000);

function start(command: string): ProcessAdapter {
  const adapter = ProcessAdapter.start({ command, cwd: repoRoot, timeoutMs: 5_000, nodeCount: 3 });
  adapters.push(adapter);
  return adapter;
}

function scenario(name: string): Scenario {
  const found = findScenario(name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

describe('process protocol forms', () => {
  it('gives the same trace hash in the lockstep and the compact form, in fewer round trips', () => {
    const lockstep = start(`${EXAMPLE} --protocol 1`);
    const compact = start(EXAMPLE);
    // random exercises partitions and clients; crash-restart-storm replaces processes with advances deferred.
    for (const [name, seed] of [['random', 1], ['crash-restart-storm', 2]] as const) {
      const config = { seed, scenario: scenario(name), nodeCount: 3, safetyOnly: true, safetyMs: 1_500 };
      const tripsBefore = [lockstep.roundTrips, compact.roundTrips] as const;
      const old = runSeed({ ...config, implementation: lockstep.implementation });
      const now = runSeed({ ...config, implementation: compact.implementation });
      expect(old.violations).toEqual([]);
      expect(now.traceHash).toBe(old.traceHash);
      // Held advances and quiet ticks: about half the lockstep form's round trips (round trips are deterministic).
      expect(compact.roundTrips - tripsBefore[1]).toBeLessThan(0.6 * (lockstep.roundTrips - tripsBefore[0]));
    }
  }, 120_000);

  it('refuses a create reply whose "protocol" is neither 1 nor 2 (usage error at the probe)', () => {
    expect(() => start(`${FIXTURE} --mode bad-protocol`)).toThrow(/"protocol" must be 1 \(lockstep, the default\) or 2 .*got 3/);
  });

  it('reports a compact-form reply without "ready" as an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode no-ready`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared "protocol": 2, but its reply to tick carries no "ready"/);
  }, 60_000);

  it('checks a deferred advance: a Ready after an advance declared idle is an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode broken-promise`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared "idleAfterAdvance" on its last Ready, but its reply to that advance carries a Ready/);
  }, 60_000);

  it('checks held ticks: a Ready in the reply to a tick declared quiet is an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode quiet-lie`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared this tick quiet \("idleTicks"\), but its reply to it carries a Ready/);
  }, 60_000);

  it('refuses an "idleTicks" that is not a whole number of ticks, 0 or more', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode bad-idle-ticks`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/replied with "idleTicks" -1; it must be a whole number of ticks, 0 or more/);
  }, 60_000);

  it('checks held steps: a Ready in the reply to a step of a message declared idle is an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode idle-lie`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/declared this message idle \("idleMessages"\), but its reply to its step carries a Ready \(docs\/protocol\.md § The compact form\): \{"type":"step","message":\{.*\} -> \{"type":"ok","ready":\{/);
  }, 60_000);

  it('refuses an "idleMessages" pattern whose field is neither a value nor {"max": n}', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode bad-idle-messages`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/replied with field "term" of a pattern of "idleMessages" must be a string, a boolean, a number or \{"max": number\}, got \[1\]/);
  }, 60_000);

  it('gives the same trace hash with predicted replies as without, in fewer round trips', () => {
    const plain = start(`${EXAMPLE} --no-predict`);
    const predicting = start(EXAMPLE);
    // random: heartbeats between client writes and partitions; crash-restart-storm: predictions of replaced processes.
    for (const [name, seed] of [['random', 1], ['random', 2], ['crash-restart-storm', 2]] as const) {
      const config = { seed, scenario: scenario(name), nodeCount: 3, safetyOnly: true, safetyMs: 1_500 };
      const tripsBefore = [plain.roundTrips, predicting.roundTrips] as const;
      const old = runSeed({ ...config, implementation: plain.implementation });
      const now = runSeed({ ...config, implementation: predicting.implementation });
      expect(old.violations).toEqual([]);
      expect(now.traceHash).toBe(old.traceHash);
      expect(predicting.roundTrips - tripsBefore[1]).toBeLessThan(plain.roundTrips - tripsBefore[0]);
    }
  }, 120_000);

  it('gives the same trace hash with entry references as with every entry written out, in fewer reply bytes', () => {
    const plain = start(`${EXAMPLE} --no-entry-refs`);
    const referring = start(EXAMPLE);
    const snapshotting = [start(`${EXAMPLE} --snapshots --no-entry-refs`), start(`${EXAMPLE} --snapshots`)] as const;
    // random and crash-restart-storm: appends, commits, truncations and restarts; snapshot-lagging-follower: an
    // installed snapshot replaces the log the references are read from.
    for (const [name, seed, pair] of [['random', 1, [plain, referring]], ['crash-restart-storm', 2, [plain, referring]], ['snapshot-lagging-follower', 1, snapshotting]] as const) {
      const config = { seed, scenario: scenario(name), nodeCount: 3, safetyOnly: true, safetyMs: 1_500 };
      const old = runSeed({ ...config, implementation: pair[0].implementation });
      const now = runSeed({ ...config, implementation: pair[1].implementation });
      expect(old.violations).toEqual([]);
      expect(now.violations).toEqual([]);
      expect(now.traceHash).toBe(old.traceHash);
    }
  }, 120_000);

  it('refuses an "entryRefs" that is not a boolean, or declared in the lockstep form (usage errors at the probe)', () => {
    expect(() => start(`${FIXTURE} --mode bad-entry-refs`)).toThrow(/"entryRefs" must be true or false .*got "yes"/);
    expect(() => start(`${FIXTURE} --mode lockstep-entry-refs`)).toThrow(/"entryRefs" needs the compact form \("protocol": 2\)/);
  });

  it('reports a reference to entries the host does not hold as an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode ref-out-of-range`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/process wrote a reference \{"\$entries":\[1000,1001\]\} to entries the host does not hold \(it holds 1\.\.\d+ of this node's log\) as "committedEntries" in its reply to (tick|step|propose|advance)/);
  }, 60_000);

  it('checks predicted replies: another Ready in the reply to a predicted tick is an implementation error', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode predict-lie`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/process predicted its Ready for this tick \("predictions"\), but its reply to it carries another \(docs\/protocol\.md § The compact form\): \{"type":"tick"\} -> .*; predicted \{"entries":\[\],"messages":\[\],"committedEntries":\[\]\}/);
  }, 60_000);

  it('refuses "predictions" that are not {"inputs": [...], "then": {...}}', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode bad-predictions`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/replied with "predictions" must have an array "inputs", got 3/);
  }, 60_000);

  it('runs a fixture in the compact form cleanly when it behaves', () => {
    const verdict = runSeed({ seed: 1, scenario: scenario('random'), nodeCount: 3, implementation: start(`${FIXTURE} --mode none`).implementation, safetyOnly: true, safetyMs: 1_000 });
    expect(verdict.violations).toEqual([]);
  }, 60_000);

  it('keeps a started spare process per node, so that no node of a starting seed waits for a boot', async () => {
    const before = liveProcessGroups(processGroupTable()).length;
    // Without the fork server, each spare is a started process leading its own group (with it, see below).
    const adapter = start(`${EXAMPLE} --no-fork`);
    const storage = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
    for (const id of [1, 2, 3]) {
      adapter.implementation.create({ id, peers: [1, 2, 3], storage, seed: id, random: () => 0, electionTicks: 10, heartbeatTicks: 2 }).ready();
    }
    // 3 nodes' processes and 3 spares (with one spare, 3 + 1, plus the probe until it is reaped). The spares are
    // started after each answer, off the host's path: wait for them, bounded.
    const started = (): number => liveProcessGroups(processGroupTable()).length - before;
    const deadline = Date.now() + 30_000;
    while (started() < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started()).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it('hands out no offered spare that was killed while it waited: the restart gets a live process', async () => {
    const before = new Set(liveProcessGroups(processGroupTable()));
    const adapter = start(`${EXAMPLE} --no-fork`);
    const storage = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
    const init = { peers: [1, 2, 3], storage, seed: 1, random: () => 0, electionTicks: 10, heartbeatTicks: 2 };
    for (const id of [1, 2, 3]) adapter.implementation.create({ ...init, id }).ready();
    // The spares started after those takes are offered to the host (process-worker.js): kill every one of them.
    const spares = (): number[] => liveProcessGroups(processGroupTable()).filter((pgid) => !before.has(pgid) && !adapter.processIds.includes(pgid));
    const deadline = Date.now() + 30_000;
    while (spares().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const killed = spares();
    expect(killed.length).toBeGreaterThanOrEqual(3);
    for (const pgid of killed) process.kill(-pgid, 'SIGKILL');
    // Reaped (the worker drops a group from the table once its leader is), so none of them can pass for alive.
    while (spares().some((pgid) => killed.includes(pgid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const restarted = adapter.implementation.create({ ...init, id: 1 });
    expect(restarted.ready()).toBeNull();
    expect(killed).not.toContain(adapter.processIds[0]);
  }, 60_000);
});

/** The state letter and process group of `pid` from /proc, or null when it does not exist (Linux). */
function procStat(pid: number): { state: string; ppid: number; pgid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return null;
  }
}

function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

describe('fork server (docs/protocol.md § Fork server)', () => {
  const FORKING = 'python3 test/fixtures/custom-impl/fork-misbehaving.py';
  const storm = { seed: 1, nodeCount: 3, safetyOnly: true, safetyMs: 1_500 } as const;

  it('gives the same trace hash as a process started per incarnation, and its children share the server group', () => {
    const started = start(`${EXAMPLE} --no-fork`);
    const forked = start(EXAMPLE);
    const config = { ...storm, scenario: scenario('crash-restart-storm') };
    const old = runSeed({ ...config, implementation: started.implementation });
    const now = runSeed({ ...config, implementation: forked.implementation });
    expect(old.violations).toEqual([]);
    expect(now.traceHash).toBe(old.traceHash);
    expect(now.stats.events).toBe(old.stats.events);
    // The crashes restarted nodes on forked children: in the server's group (one table entry covers them all),
    // not leading groups of their own as started processes do.
    const groups = liveProcessGroups(processGroupTable());
    const nodes = forked.processIds.map((pid) => ({ pid, pgid: procStat(pid)?.pgid ?? 0 }));
    expect(nodes.length).toBe(3);
    const childPgids = nodes.filter(({ pid, pgid }) => pgid !== pid).map(({ pgid }) => pgid);
    expect(childPgids.length).toBeGreaterThan(0);
    for (const pgid of childPgids) expect(groups).toContain(pgid);
    for (const pid of started.processIds) expect(procStat(pid)?.pgid).toBe(pid);
  }, 120_000);

  it('kills a stuck forked child through the watchdog, and the seed is an implementation error', () => {
    const adapter = ProcessAdapter.start({ command: `${FORKING} --mode child-hangs`, cwd: repoRoot, timeoutMs: 1_000, nodeCount: 3 });
    adapters.push(adapter);
    // The first seed runs on the processes started before the server was asked for: the second is all forks.
    runSeed({ ...storm, safetyMs: 30, scenario: scenario('random'), implementation: adapter.implementation });
    const verdict = runSeed({ ...storm, scenario: scenario('random'), implementation: adapter.implementation });
    expect(verdict.violations.map((v) => v.property)).toEqual(['implementation-error']);
    expect(verdict.violations[0]?.message).toMatch(/process gave no reply to tick( \+ \w+)* within 1000 ms \(wall clock\) and was killed/);
  }, 60_000);

  it('reports a fork server that answers a fork with the wrong reply, or exits, as the restarted node failing', () => {
    for (const [mode, expected] of [
      ['bad-reply', /process could not be started: fork server replied to fork with "\{\\"type\\":\\"spawned\\",\\"id\\":\d+\}" \(expected \{"type":"forked","id","pid"\}\)/],
      ['server-exits', /process could not be started: fork server exited with code 4; the fork server's stderr \(shared by its children\) ends: "fork server giving up"/],
    ] as const) {
      const verdict = runSeed({ ...storm, scenario: scenario('crash-restart-storm'), implementation: start(`${FORKING} --mode ${mode}`).implementation });
      expect(verdict.violations.map((v) => v.property), mode).toEqual(['implementation-error']);
      expect(verdict.violations[0]?.message, mode).toMatch(expected);
    }
  }, 60_000);

  it('refuses a "forkServer" that is not true or false (usage error at the probe)', () => {
    expect(() => start(`${FORKING} --mode bad-flag`)).toThrow(/"forkServer" must be true or false \(docs\/protocol\.md § Fork server\), got "yes"/);
  });

  it('keeps a forked spare per node, in the server group', async () => {
    const before = new Set(liveProcessGroups(processGroupTable()));
    const adapter = start(EXAMPLE);
    const storage = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] };
    // The first three nodes take the processes started before the probe's answer; their spares are forked.
    for (const id of [1, 2, 3]) {
      adapter.implementation.create({ id, peers: [1, 2, 3], storage, seed: id, random: () => 0, electionTicks: 10, heartbeatTicks: 2 }).ready();
    }
    // The most children one process of the group has: the server's spares (a version manager's shim, such as
    // pyenv's, runs helpers in the group too, one at a time).
    const spares = (pgid: number): number => {
      const parents = readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .map((name) => procStat(Number(name)))
        .filter((stat) => stat !== null && stat.pgid === pgid && stat.state !== 'Z')
        .map((stat) => stat?.ppid ?? 0);
      return Math.max(0, ...parents.map((ppid) => parents.filter((p) => p === ppid).length));
    };
    const servers = (): number[] => liveProcessGroups(processGroupTable()).filter((pgid) => !before.has(pgid) && !adapter.processIds.includes(pgid));
    const deadline = Date.now() + 30_000;
    while (!servers().some((pgid) => spares(pgid) >= 3) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(Math.max(0, ...servers().map(spares))).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it('leaves no forked child behind when closed', () => {
    const adapter = start(EXAMPLE);
    runSeed({ ...storm, scenario: scenario('crash-restart-storm'), implementation: adapter.implementation });
    const nodes = [...adapter.processIds];
    const pgids = nodes.map((pid) => procStat(pid)?.pgid ?? 0).filter((pgid) => pgid > 0);
    adapter.close();
    const members = (): number[] =>
      readdirSync('/proc')
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .filter((pid) => pgids.includes(procStat(pid)?.pgid ?? -1) && running(pid));
    const deadline = Date.now() + 5_000;
    while (members().length > 0 && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    expect(members()).toEqual([]);
    expect(nodes.filter(running)).toEqual([]);
  }, 60_000);
});
