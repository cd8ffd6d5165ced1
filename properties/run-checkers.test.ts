import { describe, expect, it } from 'vitest';
import { voteResponseMessage } from '../core/messages.js';
import { CORE_MESSAGE_ANNOTATIONS } from '../sim/builtin.js';
import type { NodeId } from '../sim/contract.js';
import type { Fact } from '../sim/facts.js';
import { FactLog, confEntry, entries, entry } from './fact-builders.js';
import { RunCheckers } from './run-checkers.js';
import { createStabilityChecker, STABILITY_STEP_DOWN_ELECTIONS } from './stability.js';
import type { Checker } from './types.js';

function run(facts: readonly Fact[], nodeIds: readonly NodeId[], extraCheckers: readonly Checker[] = []): RunCheckers {
  const checkers = new RunCheckers({ nodeIds, electionMs: 100, extraCheckers });
  for (const fact of facts) checkers.observe(fact);
  return checkers;
}

let event = 0;
/** A persist with no entries at `atMs` (FactLog spaces its facts evenly; the stability window needs chosen times). */
const persistAt = (atMs: number, node: NodeId, term: number, vote: NodeId | 0, commit: number): Fact => ({ kind: 'persist', atMs, event: event++, node, hardState: { term, vote, commit }, entries: [] });
const roleAt = (atMs: number, node: NodeId, role: 'leader' | 'follower', term: number): Fact => ({ kind: 'role', atMs, event: event++, node, role, leader: role === 'leader' ? node : 0, term });

describe('RunCheckers: commit-only persists (no entries, the same term and vote as the node last persisted)', () => {
  it('still tell the per-persist invariants the commit index (configuration-entries counts on it)', () => {
    // Node 1 leads term 2; it learns its no-op (3, 2) committed only from a commit-only persist. A configuration
    // entry it then appends is legal: it has committed an entry of its own term. (The later persist's own hard state
    // says commit 2 so that only the commit-only persist can have told the checker about index 3.)
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1, commit: 2 }, entries(1, 2, 1));
    for (const n of [2, 3]) f.persist(n, { term: 2, vote: 1, commit: 2 });
    f.persist(1, { term: 2, vote: 1, commit: 2 }, [entry(3, 2, '')]);
    f.role(1, 'leader', 2);
    for (const n of [2, 3]) f.persist(n, { term: 2, vote: 1, commit: 2 }, [entry(3, 2, '')]);
    f.persist(1, { term: 2, vote: 1, commit: 3 }); // commit-only
    f.persist(1, { term: 2, vote: 1, commit: 2 }, [confEntry(4, 2, [1, 2])]);
    expect(run(f.facts, [1, 2, 3]).violations).toEqual([]);
    // Without that persist the same append is the 2015 bug.
    const without = f.facts.filter((fact) => !(fact.kind === 'persist' && fact.node === 1 && fact.hardState.commit === 3));
    expect(run(without, [1, 2, 3]).violations).toMatchObject([{ property: 'configuration-entries', evidence: { rule: 'own-term-first' } }]);
  });

  it('are only those that keep the vote: a vote cast in a term already stored is counted', () => {
    // Node 2 stores term 2 (no vote: it heard of the term first), then votes for node 1 in it: a persist with no
    // entries and the same term, but another vote, which leader-votes must see.
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 1 });
    f.persist(2, { term: 2, vote: 0 });
    f.persist(2, { term: 2, vote: 1 });
    f.role(1, 'leader', 2);
    const checkers = new RunCheckers({ nodeIds: [1, 2, 3], electionMs: 100, annotations: CORE_MESSAGE_ANNOTATIONS });
    for (const fact of f.facts) checkers.observe(fact);
    // Its grant goes out once the vote is durable: the message checker saw that persist too.
    expect(checkers.sent?.(voteResponseMessage('vote-resp', 2, 1, 2, false), 100, 100)).toBe(false);
    expect(checkers.violations).toEqual([]);
  });

  it('are only those of a fixed cluster: once a configuration entry is on a disk, every persist takes the full path', () => {
    // The malformed entry is reported at its persist; the next persist of node 2 (commit-only by its hard state)
    // clears what the configurations found, so nothing more is reported.
    const f = new FactLog();
    const bad = f.persist(2, { term: 1 }, [{ index: 1, term: 1, data: 'conf:{"voters":[3,1]}' }]);
    f.persist(2, { term: 1, commit: 1 });
    expect(run(f.facts, [1, 2, 3]).violations).toMatchObject([{ property: 'configuration-entries', event: bad.event }]);
  });

  it('still reach the run\'s extra checkers: a stability deadline passing at one is reported at it', () => {
    const away = { kind: 'away' as const, nodes: [1], fromMs: 1000, toMs: 2000 };
    const stepDownMs = 1000 + STABILITY_STEP_DOWN_ELECTIONS * 100;
    const facts = [
      persistAt(190, 1, 2, 1, 0),
      persistAt(195, 2, 2, 1, 0),
      persistAt(195, 3, 2, 1, 0),
      roleAt(200, 1, 'leader', 2),
      roleAt(210, 2, 'follower', 2),
      roleAt(210, 3, 'follower', 2),
      persistAt(stepDownMs + 5, 2, 2, 1, 1), // commit-only: node 2's term and vote as it last persisted them
    ];
    const stability = createStabilityChecker([away], { nodeIds: [1, 2, 3], electionMs: 100, settleMs: 300 });
    const checkers = run(facts, [1, 2, 3], [stability]);
    expect(checkers.violations).toMatchObject([{ property: 'stability', event: facts[6]!.event, evidence: { stepDown: true, leader: 1 } }]);
  });

  it('still move the probes\' clock: a transfer whose deadline passed at one is counted as aborted', () => {
    const f = new FactLog();
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, entries(1, 1, 1));
    f.lead(1, 1);
    f.transfer(1, 2);
    // FactLog spaces facts 10 ms apart: the 100 ms deadline passes at the eleventh fact after the transfer.
    for (let k = 0; k < 11; k++) f.persist(3, { term: 1, vote: 1, commit: 1 });
    expect(run(f.facts, [1, 2, 3]).probes.counts['transfer-aborted']).toBe(1);
  });
});
