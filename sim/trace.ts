/**
 * The trace of a run: a running hash over every observable event (always on, cheap) and, when asked for,
 * canonical readable lines (off on the hot path; built only for replay and reports).
 */
import { RunningHash } from './hash.js';

export type TraceKind =
  | 'phase'
  | 'fault'
  | 'role'
  | 'send'
  | 'drop'
  | 'deliver'
  | 'persist'
  | 'apply'
  | 'client'
  | 'crash'
  | 'restart'
  | 'violation';

export interface TraceLine {
  readonly atMs: number;
  readonly event: number;
  readonly kind: TraceKind;
  /** The node concerned; 0 for none. */
  readonly node: number;
  readonly text: string;
}

/** Stable numeric codes so the hash does not depend on string hashing of kinds. */
export const TRACE_CODE: Readonly<Record<TraceKind, number>> = {
  phase: 1,
  fault: 2,
  role: 3,
  send: 4,
  drop: 5,
  deliver: 6,
  persist: 7,
  apply: 8,
  client: 9,
  crash: 10,
  restart: 11,
  violation: 12,
};

export class Trace {
  readonly hash = new RunningHash();
  /** Readable lines, or null when not recording. */
  readonly lines: TraceLine[] | null;

  constructor(record: boolean) {
    this.lines = record ? [] : null;
  }

  get recording(): boolean {
    return this.lines !== null;
  }

  /** Records a readable line; callers check {@link recording} first so the text is built only when needed. */
  line(atMs: number, event: number, kind: TraceKind, node: number, text: string): void {
    this.lines?.push({ atMs, event, kind, node, text });
  }
}
