/**
 * A checker that cannot fail is a defect: every planted bug must be caught by its scenario within its
 * seed bound, by a property that makes sense for it; and the correct core must pass the same scenarios.
 */
import { describe, expect, it } from 'vitest';
import { PLANTED_BUGS } from '../scenarios/planted-bugs.js';
import { findScenario } from '../scenarios/registry.js';
import { runSeed } from '../scenarios/run-seed.js';

// The per-persist invariants and the checks on our core's annotated messages (issue 11) judge the bad state
// when it is written, so they are often the first to report a bug the outcome checkers would catch later.
const EXPECTED_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'double-vote': ['election-safety', 'log-matching', 'state-machine-safety', 'leader-completeness', 'durability', 'durable-vote', 'vote-grant'],
  // Without the election no-op a leader may never commit in its own term once clients go quiet, so pending
  // ReadIndex reads can stall too: liveness is a legitimate way for this bug to show.
  'figure8-commit': ['leader-completeness', 'state-machine-safety', 'durability', 'liveness', 'commit-quorum'],
  'no-truncate': ['implementation-error', 'log-matching', 'state-machine-safety', 'leader-completeness', 'durability', 'commit-quorum', 'append-ack'],
  'forget-vote': ['election-safety', 'log-matching', 'state-machine-safety', 'leader-completeness', 'vote-grant'],
  'early-ack': ['leader-completeness', 'state-machine-safety', 'durability', 'linearizability', 'commit-quorum'],
  'apply-beyond-commit': ['leader-completeness', 'state-machine-safety', 'durability', 'linearizability', 'commit-quorum'],
  // The bug also keeps a leader that lost its quorum leading (it ignores CheckQuorum), which the stability
  // phase's cut-off leader episode judges, sometimes before a stale read is observed.
  'stale-read': ['linearizability', 'stability'],
  'ack-before-fsync': ['implementation-error', 'election-safety', 'log-matching', 'state-machine-safety', 'leader-completeness', 'durability', 'linearizability', 'commit-quorum', 'message-term', 'vote-grant', 'append-ack'],
  'ignore-checksums': ['log-matching', 'state-machine-safety', 'leader-completeness', 'durability', 'commit-quorum'],
  // Rolling the state machine back is snapshot-safety's; an older snapshot that does not match the log drops
  // committed entries, which the durability and per-persist checks see first when they are written.
  'stale-snapshot': ['snapshot-safety', 'durability', 'commit-quorum', 'state-machine-safety', 'log-matching'],
  'snapshot-drops-suffix': ['append-ack', 'durability', 'commit-quorum', 'log-matching', 'leader-completeness', 'state-machine-safety'],
  'no-snapshot-fallback': ['liveness'],
  // Membership bugs (issue 15): the per-persist configuration checks judge the entry or the election that breaks
  // the rule, before the outcome checkers see a lost commit.
  'conf-change-before-own-term-commit': ['configuration-entries', 'commit-quorum', 'leader-votes', 'election-safety', 'log-matching', 'leader-completeness', 'state-machine-safety', 'durability'],
  'joint-new-majority-only': ['leader-votes', 'commit-quorum', 'configuration-entries', 'election-safety', 'leader-completeness', 'state-machine-safety', 'durability'],
  'learner-vote-counted': ['commit-quorum', 'leader-votes', 'configuration-entries', 'election-safety', 'leader-completeness', 'state-machine-safety', 'durability'],
  'conf-from-committed': ['commit-quorum', 'leader-votes', 'configuration-entries', 'election-safety', 'leader-completeness', 'state-machine-safety', 'durability'],
  // Raft stays safe: the stale target loses its election, so only the transfer property sees the transfer fail.
  'transfer-to-lagging-target': ['transfer'],
};

describe('planted bugs are caught', () => {
  for (const bug of PLANTED_BUGS) {
    it(`${bug.name} is caught by scenario ${bug.scenario} within ${bug.seedsToCatchMax} seeds`, () => {
      const scenario = findScenario(bug.scenario);
      expect(scenario, `scenario ${bug.scenario}`).toBeDefined();
      if (scenario === undefined) return;
      const implementation = bug.implementation();
      for (let seed = 1; seed <= bug.seedsToCatchMax; seed++) {
        const verdict = runSeed({ seed, scenario, nodeCount: 5, implementation, ...(bug.hostBugs ? { hostBugs: bug.hostBugs } : {}) });
        if (verdict.ok) continue;
        const first = verdict.violations[0];
        expect(EXPECTED_PROPERTIES[bug.name] ?? []).toContain(first?.property);
        return;
      }
      expect.fail(`${bug.name} was not caught within ${bug.seedsToCatchMax} seeds of ${bug.scenario}`);
    });
  }
});

describe('the correct core passes every bug-catching scenario', () => {
  for (const name of [...new Set(PLANTED_BUGS.map((b) => b.scenario))]) {
    it(`passes 20 seeds of ${name}`, () => {
      const scenario = findScenario(name);
      if (scenario === undefined) return expect.fail(`no scenario ${name}`);
      for (let seed = 1; seed <= 20; seed++) {
        const verdict = runSeed({ seed, scenario, nodeCount: 5 });
        expect(verdict.violations, `seed ${seed}`).toEqual([]);
      }
    });
  }
});
