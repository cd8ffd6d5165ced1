/**
 * Builders for hand-written fact sequences, for checker tests: each fact gets the next event index and a
 * time 10 ms after the previous one, so a test can say which fact a violation must be reported on.
 */
import { encodeConfEntry } from '../core/configuration.js';
import type { ConfChangeRequest, Configuration } from '../core/configuration.js';
import { EMPTY_HARD_STATE } from '../core/types.js';
import type { Entry, HardState, NodeId, Role } from '../sim/contract.js';
import type {
  AckFact,
  ApplyFact,
  ConfProposalFact,
  CrashFact,
  Fact,
  JoinFact,
  PersistFact,
  RestartFact,
  RestoreFact,
  RetireFact,
  RoleFact,
  SnapshotFact,
  TransferFact,
} from '../sim/facts.js';
import type { Checker, Violation } from './types.js';

/** Time between consecutive built facts, in ms. */
export const FACT_STEP_MS = 10;

/** Shorthand for an entry. */
export function entry(index: number, term: number, data: string = `x${index}.${term}`): Entry {
  return { index, term, data };
}

/** Entries `from`..`to` of one term, with default data. */
export function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

/**
 * A configuration entry at (index, term) carrying `voters` (and optionally `learners`, and C_old's voters as
 * `outgoing` for a joint configuration), in the one format core/configuration.ts defines.
 */
export function confEntry(index: number, term: number, voters: readonly NodeId[], more: { learners?: readonly NodeId[]; outgoing?: readonly NodeId[] } = {}): Entry {
  const c: Configuration = { voters, learners: more.learners ?? [], outgoing: more.outgoing ?? [] };
  return { index, term, data: encodeConfEntry(c) };
}

export class FactLog {
  readonly facts: Fact[] = [];
  private event = 0;

  private base(node: NodeId): { atMs: number; event: number; node: NodeId } {
    const event = this.event++;
    return { atMs: event * FACT_STEP_MS, event, node };
  }

  private push<F extends Fact>(fact: F): F {
    this.facts.push(fact);
    return fact;
  }

  persist(node: NodeId, hardState: Partial<HardState>, persisted: readonly Entry[] = []): PersistFact {
    const hs: HardState = { ...EMPTY_HARD_STATE, ...hardState };
    return this.push({ ...this.base(node), kind: 'persist', hardState: hs, entries: persisted });
  }

  role(node: NodeId, role: Role, term: number, leader: NodeId | 0 = role === 'leader' ? node : 0): RoleFact {
    return this.push({ ...this.base(node), kind: 'role', role, leader, term });
  }

  /** A node becoming leader: persists its term and vote, then announces. */
  lead(node: NodeId, term: number): RoleFact {
    this.persist(node, { term, vote: node });
    return this.role(node, 'leader', term);
  }

  apply(node: NodeId, applied: Entry): ApplyFact {
    return this.push({ ...this.base(node), kind: 'apply', entry: applied });
  }

  ack(node: NodeId, index: number, term: number, clientId = 1, seq = 1): AckFact {
    return this.push({ ...this.base(node), kind: 'ack', clientId, seq, index, term });
  }

  crash(node: NodeId): CrashFact {
    return this.push({ ...this.base(node), kind: 'crash' });
  }

  /** A snapshot durably stored; `digest` stands for the state at `index` (equal states, equal digests). */
  snapshot(node: NodeId, index: number, term: number, digest: number, origin: SnapshotFact['origin'] = 'taken'): SnapshotFact {
    return this.push({ ...this.base(node), kind: 'snapshot', index, term, digest, origin });
  }

  restore(node: NodeId, index: number, term: number, digest: number, origin: RestoreFact['origin'] = 'install'): RestoreFact {
    return this.push({ ...this.base(node), kind: 'restore', index, term, digest, origin });
  }

  /** A restart from a stored snapshot ending at (index, term) and the entries after it. */
  restartFromSnapshot(node: NodeId, snapshot: { readonly index: number; readonly term: number }, storedEntries: readonly Entry[], hardState: Partial<HardState> = {}): RestartFact {
    const hs: HardState = { term: 0, vote: 0, commit: 0, ...hardState };
    return this.push({ ...this.base(node), kind: 'restart', stored: { hardState: hs, entries: storedEntries, snapshot: { ...snapshot, peers: [1, 2, 3], data: '' } } });
  }

  join(node: NodeId): JoinFact {
    return this.push({ ...this.base(node), kind: 'join' });
  }

  retire(node: NodeId): RetireFact {
    return this.push({ ...this.base(node), kind: 'retire' });
  }

  confProposal(node: NodeId, request: ConfChangeRequest, accepted = true): ConfProposalFact {
    return this.push({ ...this.base(node), kind: 'conf-proposal', request, accepted });
  }

  transfer(node: NodeId, target: NodeId, accepted = true): TransferFact {
    return this.push({ ...this.base(node), kind: 'transfer', target, accepted });
  }

  restart(node: NodeId, storedEntries: readonly Entry[], hardState: Partial<HardState> = {}): RestartFact {
    const hs: HardState = { ...EMPTY_HARD_STATE, ...hardState };
    return this.push({ ...this.base(node), kind: 'restart', stored: { hardState: hs, entries: storedEntries } });
  }
}

/** Feeds `facts` to `checker` in order and returns every violation reported, in order. */
export function runChecker(checker: Checker, facts: readonly Fact[]): Violation[] {
  const out: Violation[] = [];
  for (const f of facts) {
    const v = checker.observe(f);
    if (v !== null) out.push(v);
  }
  return out;
}
