/**
 * The mutation corpus: bugs planted in the second Raft (`paper-raft.ts`), each a one-line switch. A mutation
 * is a named flag in {@link MutationFlags}; the buggy line in the node is guarded by that flag and nothing
 * else, so the correct node and each mutant differ by exactly one line.
 *
 * The corpus measures what Seaworthy's *default* settings catch on code that was not written together with
 * its scenarios (issue 11, item 7). The classes are those of the issue and of the built-in catalog
 * (`core/bugs.ts`).
 */

/** The class a mutation belongs to (the classes and the built-in catalog's). */
export type MutationClass =
  | 'figure-8'
  | 'durability'
  | 'election'
  | 'liveness'
  | 'pre-vote'
  | 'check-quorum'
  | 'read-index'
  | 'quorum'
  | 'replication'
  | 'commit'
  | 'apply';

export type MutationName =
  | 'figure8-commit'
  | 'term-not-persisted'
  | 'vote-not-persisted'
  | 'vote-cleared-same-term'
  | 'term-backwards-after-restart'
  | 'strict-vote-log-check'
  | 'pre-vote-bumps-term'
  | 'pre-vote-resets-timer'
  | 'no-leader-lease'
  | 'check-quorum-stale-activity'
  | 'read-without-confirm'
  | 'read-before-term-commit'
  | 'even-size-quorum'
  | 'ack-before-persist'
  | 'truncate-on-every-append'
  | 'stale-term-append'
  | 'uncapped-follower-commit'
  | 'apply-uncommitted'
  | 'double-vote'
  | 'no-truncate'
  | 'commit-on-propose'
  | 'stale-append-reply'
  | 'match-reports-last-index'
  | 'vote-ignores-log'
  | 'stale-vote-reply';

/** Which mutations are switched on; the empty object is the correct Raft. */
export type MutationFlags = Readonly<Partial<Record<MutationName, true>>>;

export interface Mutation {
  readonly name: MutationName;
  readonly class: MutationClass;
  /** One line: what the mutant does wrong, and the Raft rule it breaks. */
  readonly description: string;
  /**
   * Set on an *equivalent mutant* (mutation testing's term): one whose effect no property of a single run can
   * observe under the fault model, so no test can fail on it. It stays in the corpus and runs with the others,
   * but the corpus score leaves it out, as mutation scores conventionally do. The text says why, with evidence.
   */
  readonly equivalent?: string;
}

/** Every mutation of the corpus, in the order the corpus table lists them. */
export const MUTATIONS: readonly Mutation[] = Object.freeze([
  { name: 'figure8-commit', class: 'figure-8', description: 'the leader commits an entry of an earlier term once a majority stores it (Raft §5.4.2); the election no-op is still appended' },
  { name: 'term-not-persisted', class: 'durability', description: 'a term learned from a message is kept in memory only until some later vote or campaign writes the hard state' },
  { name: 'vote-not-persisted', class: 'durability', description: 'a granted vote is replied at once but written only with the next term change, so a restart forgets it' },
  { name: 'vote-cleared-same-term', class: 'election', description: 'becoming a follower clears the vote even when the term did not change, so a node can vote twice in a term' },
  { name: 'term-backwards-after-restart', class: 'durability', description: 'on restart the term is taken from the last log entry instead of the stored hard state, so the durable term goes backwards' },
  { name: 'strict-vote-log-check', class: 'liveness', description: 'a vote needs both a last term and a last index at least ours (Raft §5.4.1 compares lexicographically), so some electable candidates are refused' },
  { name: 'pre-vote-bumps-term', class: 'pre-vote', description: 'a pre-vote request with a higher term makes the receiver adopt that term, so a node rejoining after a partition deposes the leader' },
  {
    name: 'pre-vote-resets-timer',
    class: 'pre-vote',
    description: 'granting a pre-vote resets the election timer, so competing pre-candidates delay each other\'s elections',
    // paper-raft keeps its vote lease (ticks since the leader was heard) apart from the election timer, as the
    // thesis does (§4.2.3), so the reset only re-arms a timer: elections get slower, never blocked, unless a node
    // that can send but not receive runs a clock ~2x faster than every other. docs/mutation-corpus.md has the
    // measurement (liveness convergence times of 300 seeds, mutant against correct: the same within noise).
    equivalent: 'only slows elections: a granted pre-vote re-arms the granter\'s timer, but the lease is a separate counter, so no election is ever refused; 300 default-swarm seeds converge in the same time as the correct Raft (median 200 ms for both; 99th percentile 3.5 s for the mutant, 3.3 s for the correct Raft)',
  },
  { name: 'no-leader-lease', class: 'check-quorum', description: 'pre-votes and votes are granted while a current leader was heard from within the election timeout (thesis §4.2.3), so a rejoining node deposes a healthy leader' },
  { name: 'check-quorum-stale-activity', class: 'check-quorum', description: 'the leader never clears its record of which followers answered, so a leader cut off from the majority never steps down (thesis §6.2)' },
  { name: 'read-without-confirm', class: 'read-index', description: 'a leader releases a read at once at its commit index, without confirming with a quorum that it still leads (thesis §6.4)' },
  { name: 'read-before-term-commit', class: 'read-index', description: 'a new leader releases reads before it has committed an entry of its own term, so its commit index may be behind (thesis §6.4 step 1)' },
  { name: 'even-size-quorum', class: 'quorum', description: 'the quorum is ceil(n / 2), which is a majority only for odd cluster sizes (two disjoint halves of 4 nodes can both lead)' },
  { name: 'ack-before-persist', class: 'durability', description: 'a follower sends its append acknowledgement in a Ready before the one that persists the entries' },
  { name: 'truncate-on-every-append', class: 'replication', description: 'a follower deletes everything after prevLogIndex on every append, not only on a conflict, so a reordered old append deletes committed entries' },
  { name: 'stale-term-append', class: 'replication', description: 'a follower accepts an append whose term is below its own (Raft Figure 2: reply false if term < currentTerm)' },
  { name: 'uncapped-follower-commit', class: 'commit', description: 'a follower sets commitIndex = min(leaderCommit, its last index) instead of the index of the last new entry, committing a stale suffix' },
  { name: 'apply-uncommitted', class: 'apply', description: 'a follower applies every entry it stores, before the leader says it is committed' },
  { name: 'double-vote', class: 'election', description: 'a node grants its vote to any candidate with an up-to-date log, even after voting for another in the same term' },
  { name: 'no-truncate', class: 'replication', description: 'a follower keeps its own entry where the leader\'s conflicts, and reports success' },
  { name: 'commit-on-propose', class: 'commit', description: 'the leader marks each proposed entry committed at once, before any follower stores it' },
  { name: 'stale-append-reply', class: 'commit', description: 'the leader counts append acknowledgements from earlier terms toward its match indexes' },
  { name: 'match-reports-last-index', class: 'commit', description: 'a follower acknowledges its last log index instead of prevLogIndex + entries, claiming a stale suffix it was never sent' },
  { name: 'vote-ignores-log', class: 'election', description: 'a node grants votes without checking that the candidate\'s log is at least as up-to-date (Raft §5.4.1)' },
  { name: 'stale-vote-reply', class: 'election', description: 'a candidate counts vote grants that were given in an earlier term' },
] as const);

/** True when `name` is a mutation of the corpus (for parsing user input in cli/). */
export function isMutationName(name: string): name is MutationName {
  return MUTATIONS.some((m) => m.name === name);
}
