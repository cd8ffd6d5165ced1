/**
 * Test-only: turns generated operation specs into a well-formed history, shared by the suites that compare
 * the checker with the brute-force oracle on random histories. Not shipped (tsconfig.build.json excludes it).
 */
import type { HistoryEvent } from './history.js';

/** One generated operation: who calls what, how it ends, and how many specs later it returns. */
export interface OperationSpec {
  readonly process: number;
  readonly f: 'read' | 'write' | 'cas';
  /** The key; 'x' when absent (single-key histories). */
  readonly key?: string;
  /** The value written, or the new value of a cas. */
  readonly v: number;
  /** The value a read returns, or the expected value of a cas. */
  readonly e: number | null;
  readonly end: 'ok' | 'fail' | 'info';
  readonly returnAfter: number;
}

/**
 * Interleaves invocations and completions as the specs say, keeping one outstanding operation per process
 * (a spec whose process is busy is skipped); completions still due at the end follow in order.
 */
export function interleavedHistory(specs: readonly OperationSpec[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const due: { at: number; event: HistoryEvent }[] = [];
  const busy = new Set<number>();
  specs.forEach((s, i) => {
    for (const d of due.filter((x) => x.at <= i)) {
      events.push(d.event);
      busy.delete(d.event.process);
    }
    due.splice(0, due.length, ...due.filter((x) => x.at > i));
    if (busy.has(s.process)) return;
    const key = s.key ?? 'x';
    const value = s.f === 'read' ? null : s.f === 'write' ? s.v : [s.e, s.v];
    events.push({ process: s.process, type: 'invoke', f: s.f, key, value });
    busy.add(s.process);
    const result = s.f === 'read' ? (s.end === 'ok' ? (s.e ?? null) : null) : value;
    due.push({ at: i + s.returnAfter, event: { process: s.process, type: s.end, f: s.f, key, value: result } });
  });
  for (const d of due.sort((a, b) => a.at - b.at)) events.push(d.event);
  return events;
}
