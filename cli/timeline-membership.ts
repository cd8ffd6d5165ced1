/**
 * The timeline's account of membership changes and leadership transfers, read from the trace's facts (never from
 * text): a configuration entry the first time any node persists it (entered or left joint consensus, a learner
 * added, promoted, a voter added, a node removed) and the first time any node applies it (committed), and each
 * accepted transfer with how it ended (completed when its target announces leadership, aborted when another node
 * does, or when the next transfer is asked first). Joins and retirements are facts of their own and read as such.
 */
import { decodeConfEntry, isConfEntryData, simpleConfiguration } from '../core/configuration.js';
import type { Configuration } from '../core/configuration.js';
import type { NodeId } from '../sim/contract.js';
import type { TraceRecord } from '../sim/trace.js';

function ids(list: readonly NodeId[]): string {
  return `{${list.join(',')}}`;
}

function configurationOf(data: string): Configuration | undefined {
  if (!isConfEntryData(data)) return undefined;
  const c = decodeConfEntry(data);
  return typeof c === 'object' ? c : undefined;
}

/** What changed from `prev` to `next`, in words. */
export function describeConfigurationChange(prev: Configuration, next: Configuration): string {
  if (next.outgoing.length > 0) return `entered joint consensus: C_old ${ids(next.outgoing)} and C_new ${ids(next.voters)} must both agree${next.learners.length > 0 ? `, learners ${ids(next.learners)}` : ''}`;
  const parts: string[] = [];
  if (prev.outgoing.length > 0) parts.push(`left joint consensus: voters ${ids(next.voters)}`);
  const before = new Set([...prev.voters, ...prev.outgoing, ...prev.learners]);
  for (const id of next.voters) {
    if (prev.learners.includes(id)) parts.push(`node ${id} promoted from learner to voter`);
    else if (!before.has(id)) parts.push(`node ${id} added as a voter`);
  }
  for (const id of next.learners) if (!before.has(id)) parts.push(`node ${id} added as a learner`);
  for (const id of [...before].sort((x, y) => x - y)) if (!next.voters.includes(id) && !next.learners.includes(id)) parts.push(`node ${id} removed`);
  if (parts.length === 0) parts.push(`voters ${ids(next.voters)}${next.learners.length > 0 ? `, learners ${ids(next.learners)}` : ''} (unchanged)`);
  return parts.join('; ');
}

interface PendingTransfer {
  readonly from: NodeId;
  readonly target: NodeId;
  readonly atMs: number;
}

export class MembershipNarrator {
  /** The configuration before the next one appended: the newest appended anywhere (by term, then index). */
  private current: Configuration | null;
  private currentTerm = 0;
  private currentIndex = 0;
  private readonly appended = new Set<string>();
  private readonly committed = new Set<string>();
  private transfer: PendingTransfer | null = null;

  /** `bootstrap`: the initial voters (unknown: taken as empty until the first configuration entry). */
  constructor(bootstrap: readonly NodeId[]) {
    this.current = bootstrap.length === 0 ? null : simpleConfiguration(bootstrap);
  }

  /** The notes one trace record gives rise to (usually none). */
  notes(record: TraceRecord): string[] {
    if (record.type !== 'fact') return [];
    const fact = record.fact;
    switch (fact.kind) {
      case 'persist': {
        const out: string[] = [];
        for (const e of fact.entries) {
          const next = configurationOf(e.data);
          const key = `${e.index}/${e.term}`;
          if (next === undefined || this.appended.has(key)) continue;
          this.appended.add(key);
          const prev = this.current ?? { voters: [], learners: [], outgoing: [] };
          out.push(`configuration ${key} appended: ${describeConfigurationChange(prev, next)}`);
          if (e.term > this.currentTerm || (e.term === this.currentTerm && e.index > this.currentIndex)) {
            this.current = next;
            this.currentTerm = e.term;
            this.currentIndex = e.index;
          }
        }
        return out;
      }
      case 'apply': {
        const c = configurationOf(fact.entry.data);
        const key = `${fact.entry.index}/${fact.entry.term}`;
        if (c === undefined || this.committed.has(key)) return [];
        this.committed.add(key);
        return [`configuration ${key} committed: voters ${ids(c.voters)}${c.outgoing.length > 0 ? ` and ${ids(c.outgoing)} (joint)` : ''}${c.learners.length > 0 ? `, learners ${ids(c.learners)}` : ''}`];
      }
      case 'transfer': {
        const out: string[] = [];
        if (this.transfer !== null) out.push(`transfer ${this.transfer.from} → ${this.transfer.target} aborted: no leader change before the next transfer`);
        this.transfer = null;
        if (fact.accepted) {
          this.transfer = { from: fact.node, target: fact.target, atMs: fact.atMs };
          out.push(`transfer requested: leader ${fact.node} → node ${fact.target}`);
        } else out.push(`transfer to node ${fact.target} refused by node ${fact.node}`);
        return out;
      }
      case 'role': {
        const t = this.transfer;
        if (t === null || fact.role !== 'leader') return [];
        this.transfer = null;
        const after = `${fact.atMs - t.atMs} ms after the request`;
        if (fact.node === t.target) return [`transfer ${t.from} → ${t.target} completed: node ${t.target} leads in term ${fact.term}, ${after}`];
        return [`transfer ${t.from} → ${t.target} aborted: node ${fact.node} leads in term ${fact.term}, ${after}`];
      }
      default:
        return [];
    }
  }
}
