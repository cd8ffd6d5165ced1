import { describe, expect, it } from 'vitest';
import { FactLog, confEntry, entries, entry, runChecker } from './fact-builders.js';
import { createSafetyCheckers } from './safety.js';

/** Every safety checker over `f`, with the run's initial nodes `nodeIds`. */
function violations(f: FactLog, nodeIds: number[]): string[] {
  return createSafetyCheckers(nodeIds).flatMap((c) => runChecker(c, f.facts).map((v) => `${v.property}@${v.event}`));
}

describe('outcome properties across membership changes', () => {
  it('pass a node joining with an empty log and catching up, and a removed node that keeps campaigning and never leads', () => {
    const f = new FactLog();
    const remove = confEntry(3, 1, [1, 2, 4]);
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1, commit: 1 }, entries(1, 1, 1));
    f.role(1, 'leader', 1);
    f.apply(1, entry(1, 1));
    f.join(4);
    const add = confEntry(2, 1, [1, 2, 3, 4]);
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1, commit: 1 }, [add]);
    f.persist(4, { term: 1, commit: 2 }, [entry(1, 1), add]); // the joined node's whole log at once
    f.apply(1, add);
    f.apply(4, entry(1, 1)); // it applies from index 1
    f.apply(4, add);
    for (const n of [1, 2, 4]) f.persist(n, { term: 1, vote: n === 4 ? 0 : 1, commit: 2 }, [remove]);
    f.apply(1, remove);
    // Node 3 never got its removal: in its log it is still a voter of [1, 2, 3, 4]. It campaigns in ever higher
    // terms; nobody votes for it (the others' logs are longer), so it never leads.
    for (const t of [2, 3, 4]) f.persist(3, { term: t, vote: 3, commit: 2 });
    f.role(3, 'candidate', 4);
    // A leader of term 5 in the new configuration has everything committed.
    for (const n of [1, 2, 4]) f.persist(n, { term: 5, vote: 2, commit: 3 });
    f.role(2, 'leader', 5);
    f.retire(3);
    expect(violations(f, [1, 2, 3])).toEqual([]);
  });

  it('catch a removed node that leads a later term without a committed entry (by leader completeness and leader votes)', () => {
    const f = new FactLog();
    const remove = confEntry(2, 1, [1, 2]);
    for (const n of [1, 2, 3]) f.persist(n, { term: 1, vote: 1 }, entries(1, 1, 1));
    f.role(1, 'leader', 1);
    for (const n of [1, 2]) f.persist(n, { term: 1, vote: 1, commit: 2 }, [remove]);
    f.apply(1, entry(1, 1));
    f.apply(1, remove);
    f.persist(3, { term: 3, vote: 3 }); // node 3 votes for itself only
    const bad = f.role(3, 'leader', 3);
    expect(violations(f, [1, 2, 3])).toEqual([`leader-completeness@${bad.event}`, `leader-votes@${bad.event}`]);
  });
});
