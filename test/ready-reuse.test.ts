/**
 * The host runs our core with reused Readys (RaftNodeOptions.reuseReady, through builtin.ts `createForHost`): sound
 * only because nothing on the host's side keeps a Ready or its messages array past advance(). If something did, a
 * later Ready would change what it kept, and the run would differ from one with fresh Readys: same seeds with reuse
 * on and off must give the same verdict, byte for byte (trace hash, stats, violations, probe counts).
 */
import { describe, expect, it } from 'vitest';
import { CORE_BUGS } from '../core/bugs.js';
import { findScenario, SCENARIOS } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';
import type { Verdict } from '../scenarios/run-seed.js';
import { builtinRaft, createForHost } from '../sim/builtin.js';
import type { BuiltinOptions } from '../sim/builtin.js';

/** A verdict as comparable text: everything but the recorded trace and histories (not recorded here anyway). */
function verdictText(v: Verdict): string {
  const { trace: _trace, history: _history, clientHistory: _clientHistory, ...rest } = v as Verdict & { trace?: unknown; history?: unknown; clientHistory?: unknown };
  return JSON.stringify(rest);
}

function both(options: BuiltinOptions, run: (implementation: ReturnType<typeof builtinRaft>) => Verdict): [string, string] {
  return [verdictText(run(builtinRaft({ ...options, hostReuseReady: false }))), verdictText(run(builtinRaft(options)))];
}

describe('Ready reuse in the host', () => {
  it('is only the host path of builtinRaft: create() hands out fresh Readys, a copy of the core has no host path', () => {
    const core = builtinRaft();
    expect(createForHost(core)).not.toBeNull();
    expect(createForHost({ ...core })).toBeNull();
    const init = { id: 1, peers: [1], storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, random: () => 0.5, seed: 1, electionTicks: 2, heartbeatTicks: 1 };
    for (const [node, shared] of [[core.create(init), false], [createForHost(core)!(init), true]] as const) {
      const seen = new Set<object>();
      for (let i = 0; i < 30; i++) {
        node.tick();
        for (let r = node.ready(); r !== null; r = node.ready()) {
          seen.add(r);
          node.advance();
        }
      }
      if (shared) expect(seen.size).toBe(1);
      else expect(seen.size).toBeGreaterThan(1);
    }
  });

  it('changes no verdict: every scenario x 2 seeds on the default core, with reuse on and off', () => {
    let runs = 0;
    for (const scenario of SCENARIOS) {
      for (const seed of [1, 2]) {
        const [off, on] = both({}, (implementation) => runSeed({ seed, scenario, implementation }));
        expect(on, `${scenario.name}/${seed}`).toBe(off);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(40);
  }, 120_000);

  it('changes no recorded trace or history (a recording run keeps what each Ready caused)', () => {
    for (const name of ['random', 'crash-restart-storm', 'snapshot-heavy']) {
      const [off, on] = [false, true].map((hostReuseReady) =>
        JSON.stringify(runSeed({ seed: 3, scenario: findScenario(name)!, implementation: builtinRaft({ hostReuseReady }), record: true }), (key, value: unknown) => (key === 'clientHistory' ? undefined : value)),
      );
      expect(on, name).toBe(off);
    }
  });

  it('changes no verdict of a planted core bug (failing runs included) or of the bench configuration', () => {
    let failing = 0;
    for (const bug of CORE_BUGS) {
      for (const seed of [1, 2, 3]) {
        const [off, on] = both({ bug: bug.name, membership: false }, (implementation) => runSeed({ seed, scenario: findScenario('random')!, implementation }));
        expect(on, `${bug.name}/${seed}`).toBe(off);
        if (off.includes('"ok":false')) failing++;
      }
    }
    expect(failing).toBeGreaterThan(0);
    for (let seed = 1; seed <= 10; seed++) {
      const [off, on] = both({ membership: false }, (implementation) => runSeed({ seed, scenario: findScenario('random')!, nodeCount: 5, implementation }));
      expect(on, `bench/${seed}`).toBe(off);
    }
  }, 120_000);
});
