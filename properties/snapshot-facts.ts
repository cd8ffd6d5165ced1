/**
 * A snapshot stands for the log prefix up to its index (Raft §7). The checkers judge logs, so this module gives
 * them logs: it rewrites the two facts whose stored log starts after a snapshot into facts about the whole log,
 * taking the prefix from the persisted logs the run already keeps (the node's own when it holds the snapshot's last
 * entry, else that of any node that does — log matching makes them equal, and is judged on its own):
 *
 * - an `installed` snapshot replaces the node's whole stored log, and the persist fact of the same fsync follows it
 *   at once (the host emits them together): that persist becomes one of the prefix plus its own entries;
 * - a restart from a stored snapshot becomes a restart whose stored log is the prefix plus the entries after it.
 *
 * Every other fact passes unchanged (the same object), so runs without snapshots see exactly the facts they saw.
 * A snapshot whose last entry no node ever persisted has no prefix to stand for: its facts pass unchanged, and
 * the persist (a gap) or restart is judged as it is — snapshot-safety names the cause.
 */
import type { Entry, NodeId, Snapshot, StoredState } from '../sim/contract.js';
import { persistFact, restartFact } from '../sim/facts.js';
import type { Fact, PersistFact, RestartFact, SnapshotFact } from '../sim/facts.js';
import type { PersistedLog, PersistedLogs } from './persisted-log.js';

/**
 * The persisted log that holds (index, term): `node`'s own when it does, else the first other that does, among
 * `nodeIds` first, then among the nodes that joined later (a cluster whose initial nodes were all replaced).
 */
export function prefixSource(logs: PersistedLogs, nodeIds: readonly NodeId[], node: NodeId, index: number, term: number): PersistedLog | null {
  const own = logs.logOf(node);
  if (own.entryAt(index)?.term === term) return own;
  // Index loops, not for-of: these run a few times a run, and an iterator's protocol inlined into the restart path
  // was most of what TurboFan compiled for it.
  for (let k = 0; k < nodeIds.length; k++) {
    const id = nodeIds[k]!;
    const log = logs.logOf(id);
    if (id !== node && log.entryAt(index)?.term === term) return log;
  }
  return joinedSource(logs, nodeIds, node, index, term);
}

/** {@link prefixSource} among the nodes that joined later (rare: a cluster whose initial nodes were all replaced). */
function joinedSource(logs: PersistedLogs, nodeIds: readonly NodeId[], node: NodeId, index: number, term: number): PersistedLog | null {
  for (const id of logs.ids()) {
    if (id === node || nodeIds.includes(id)) continue;
    const log = logs.logOf(id);
    if (log.entryAt(index)?.term === term) return log;
  }
  return null;
}

/** Entries 1..index of `log`, then `rest`: one array built by pushes (a spread of two arrays inlines two iterators). */
function prefixThen(log: PersistedLog, index: number, rest: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  for (let i = 1; i <= index; i++) out.push(log.entryAt(i) as Entry);
  for (let k = 0; k < rest.length; k++) out.push(rest[k]!);
  return out;
}

export class SnapshotFactExpander {
  /** By node id: the installed snapshot whose persist fact comes next. */
  private readonly pendingInstall: (SnapshotFact | undefined)[] = [];

  /** `logs` must not have observed the fact being expanded yet (expand first, then feed the result to them). */
  constructor(
    private readonly logs: PersistedLogs,
    private readonly nodeIds: readonly NodeId[],
  ) {
    // Filled from position 0, so the array starts packed and stays so: an array that went from empty to holey at the
    // run's first install deoptimized the persist path that reads it.
    for (const id of nodeIds) while (this.pendingInstall.length <= id) this.pendingInstall.push(undefined);
  }

  /** Whether `node` installed a snapshot whose persist fact has not come yet (that persist will be expanded). */
  installPending(node: NodeId): boolean {
    return this.pendingInstall[node] !== undefined;
  }

  /** The fact the checkers should see in place of `fact`: `fact` itself unless a snapshot shortened its log. */
  expand(fact: Fact): Fact {
    switch (fact.kind) {
      case 'snapshot':
        if (fact.origin === 'installed') this.pendingInstall[fact.node] = fact;
        return fact;
      case 'persist':
        return this.persist(fact);
      case 'restart':
        return this.restart(fact);
      default:
        return fact;
    }
  }

  /** {@link expand} for a persist fact (RunCheckers calls it directly, with no switch). */
  persist(fact: PersistFact): PersistFact {
    return this.pendingInstall[fact.node] === undefined ? fact : this.expandPersist(fact);
  }

  /** {@link expand} for a restart fact. */
  restart(fact: RestartFact): RestartFact {
    this.pendingInstall[fact.node] = undefined;
    return fact.stored.snapshot === undefined ? fact : this.expandRestart(fact);
  }

  private expandPersist(fact: PersistFact): PersistFact {
    const snap = this.pendingInstall[fact.node] as SnapshotFact;
    this.pendingInstall[fact.node] = undefined;
    const source = prefixSource(this.logs, this.nodeIds, fact.node, snap.index, snap.term);
    if (source === null) return fact;
    // Built by the facts' own constructor, not spread: a fact of another object shape reaching the checkers'
    // optimized code (tuned on the host's facts) deoptimized each of them, and every recompile of the run's fact path
    // cost more instructions than the rest of that run's checking.
    return persistFact(fact.atMs, fact.event, fact.node, fact.hardState, prefixThen(source, snap.index, fact.entries));
  }

  private expandRestart(fact: RestartFact): RestartFact {
    const snap = fact.stored.snapshot as Snapshot;
    const source = prefixSource(this.logs, this.nodeIds, fact.node, snap.index, snap.term);
    if (source === null) return fact;
    const entries = prefixThen(source, snap.index, fact.stored.entries);
    // Constructors and the disk's field order (hardState, entries, snapshot), for the same shapes as the host's facts.
    const stored: StoredState = { hardState: fact.stored.hardState, entries, snapshot: snap };
    return restartFact(fact.atMs, fact.event, fact.node, stored, fact.applied);
  }
}
