/**
 * The events of a run's agenda (the event queue), shared by the simulation, which dispatches them, and the
 * fault injector, which holds some of them for paused nodes and clogged links.
 */
import type { KvResult } from '../core/kv.js';
import type { Message, NodeId } from './contract.js';
import type { FaultEvent } from './faults.js';

export type SimEvent =
  /** A node's tick; the event object is reused for the node's next tick. */
  | { atMs: number; seq: number; readonly kind: 'tick'; readonly node: NodeId; readonly incarnation: number }
  | { readonly atMs: number; seq: number; readonly kind: 'deliver'; readonly message: Message }
  /** A fault event of the plan, or a restart the simulation scheduled. */
  | { readonly atMs: number; seq: number; readonly kind: 'fault'; readonly fault: FaultEvent }
  | { readonly atMs: number; seq: number; readonly kind: 'client-next'; readonly slot: number }
  | { readonly atMs: number; seq: number; readonly kind: 'client-timeout'; readonly slot: number; readonly attempt: number }
  | {
      readonly atMs: number;
      seq: number;
      readonly kind: 'client-request';
      readonly slot: number;
      readonly node: NodeId;
      readonly session: number;
      readonly seq_: number;
      readonly data: string;
    }
  /** A node's answer reaches a client: a result, or (null) a rejection with a leader hint. */
  | {
      readonly atMs: number;
      seq: number;
      readonly kind: 'client-reply';
      readonly slot: number;
      readonly from: NodeId;
      readonly session: number;
      readonly seq_: number;
      readonly result: KvResult | null;
      readonly leaderHint: NodeId | 0;
    }
  | { readonly atMs: number; seq: number; readonly kind: 'fsync'; readonly node: NodeId; readonly incarnation: number }
  /** An unstruck crash point expires. */
  | { readonly atMs: number; seq: number; readonly kind: 'disarm'; readonly node: NodeId }
  /** A timed network or clock fault ends: a latency spike, a clog (`node` 0) or a pause of `node`. */
  | { readonly atMs: number; seq: number; readonly kind: 'fault-end'; readonly fault: FaultEvent; readonly node: NodeId }
  | { readonly atMs: number; seq: number; readonly kind: 'liveness-start' }
  | { readonly atMs: number; seq: number; readonly kind: 'liveness-check' };

export type DeliverEvent = Extract<SimEvent, { kind: 'deliver' }>;
export type ClientRequestEvent = Extract<SimEvent, { kind: 'client-request' }>;
/** What waits for a paused node: its messages, client requests and fsync completions. */
export type PausedInput = Extract<SimEvent, { kind: 'deliver' | 'client-request' | 'fsync' }>;
