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
  /** `typeHash`: the hash of the message's type, computed once when it was sent (the trace mixes it again on delivery). */
  | { readonly atMs: number; seq: number; readonly kind: 'deliver'; readonly message: Message; readonly typeHash: number }
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
  | { readonly atMs: number; seq: number; readonly kind: 'liveness-check' }
  /** The membership driver's next attempt (sim/membership.ts). */
  | { readonly atMs: number; seq: number; readonly kind: 'membership-step' };

export type DeliverEvent = Extract<SimEvent, { kind: 'deliver' }>;
export type ClientRequestEvent = Extract<SimEvent, { kind: 'client-request' }>;
/** What waits for a paused node: its messages, client requests and fsync completions. */
export type PausedInput = Extract<SimEvent, { kind: 'deliver' | 'client-request' | 'fsync' }>;

/**
 * Every agenda event at run time: one object shape for all kinds, so the event loop's and the queue's property
 * reads stay monomorphic (a dozen object shapes through one loop made them megamorphic, a measurable share of
 * each event). The constructors below fill every field in this order; the union above is the typed view.
 */
interface EventRecord {
  atMs: number;
  seq: number;
  kind: SimEvent['kind'];
  node: NodeId;
  incarnation: number;
  slot: number;
  attempt: number;
  session: number;
  seq_: number;
  leaderHint: NodeId | 0;
  from: NodeId;
  message: Message | null;
  typeHash: number;
  fault: FaultEvent | null;
  data: string;
  result: KvResult | null;
}

type Of<K extends SimEvent['kind']> = Extract<SimEvent, { kind: K }>;

/**
 * Makes agenda events, all of one shape, and recycles them: the simulation hands back the events it is done
 * with ({@link release}), so a run allocates a few hundred event objects instead of one per event (deliveries
 * alone are half of all events). Only the simulation's own handlers release, and only events no queue, hold
 * or copy still refers to.
 */
export class EventPool {
  /*
   * Starts with object elements although empty: a run's pool is new, and an empty array literal has small-integer
   * elements until its first push of an event, so every run's first release met another array map at the push
   * site, and the optimised handlers then called the generic `Array.prototype.push` builtin on every release
   * instead of storing inline (~0.85% of a run's instructions). Pushing an event and popping it leaves the kind at
   * objects (an array's elements kind never goes back).
   */
  private readonly free: EventRecord[] = objectElements();

  /** Hands an event back for reuse; the caller must hold no other reference to it. */
  release(event: SimEvent): void {
    const e = event as unknown as EventRecord;
    // Drop references so a pooled event keeps no message, fault or result alive.
    e.message = null;
    e.fault = null;
    e.result = null;
    this.free.push(e);
  }

  private blank(kind: SimEvent['kind'], atMs: number): EventRecord {
    const e = this.free.pop();
    if (e === undefined) return newRecord(kind, atMs);
    e.atMs = atMs;
    e.seq = 0;
    e.kind = kind;
    return e;
  }

  tickEvent(atMs: number, node: NodeId, incarnation: number): Of<'tick'> {
    const e = this.blank('tick', atMs);
    e.node = node;
    e.incarnation = incarnation;
    return e as unknown as Of<'tick'>;
  }

  deliverEvent(atMs: number, message: Message, typeHash: number): DeliverEvent {
    const e = this.blank('deliver', atMs);
    e.message = message;
    e.typeHash = typeHash;
    return e as unknown as DeliverEvent;
  }

  faultEvent(atMs: number, fault: FaultEvent): Of<'fault'> {
    const e = this.blank('fault', atMs);
    e.fault = fault;
    return e as unknown as Of<'fault'>;
  }

  faultEndEvent(atMs: number, fault: FaultEvent, node: NodeId): Of<'fault-end'> {
    const e = this.blank('fault-end', atMs);
    e.fault = fault;
    e.node = node;
    return e as unknown as Of<'fault-end'>;
  }

  clientNextEvent(atMs: number, slot: number): Of<'client-next'> {
    const e = this.blank('client-next', atMs);
    e.slot = slot;
    return e as unknown as Of<'client-next'>;
  }

  clientTimeoutEvent(atMs: number, slot: number, attempt: number): Of<'client-timeout'> {
    const e = this.blank('client-timeout', atMs);
    e.slot = slot;
    e.attempt = attempt;
    return e as unknown as Of<'client-timeout'>;
  }

  clientRequestEvent(atMs: number, request: { readonly slot: number; readonly node: NodeId; readonly session: number; readonly seq: number; readonly data: string }): ClientRequestEvent {
    const e = this.blank('client-request', atMs);
    e.slot = request.slot;
    e.node = request.node;
    e.session = request.session;
    e.seq_ = request.seq;
    e.data = request.data;
    return e as unknown as ClientRequestEvent;
  }

    clientReplyEvent(
    atMs: number,
    reply: { readonly slot: number; readonly from: NodeId; readonly session: number; readonly seq: number; readonly result: KvResult | null; readonly leaderHint: NodeId | 0 },
): Of<'client-reply'> {
    const e = this.blank('client-reply', atMs);
    e.slot = reply.slot;
    e.from = reply.from;
    e.session = reply.session;
    e.seq_ = reply.seq;
    e.result = reply.result;
    e.leaderHint = reply.leaderHint;
    return e as unknown as Of<'client-reply'>;
  }

  fsyncEvent(atMs: number, node: NodeId, incarnation: number): Of<'fsync'> {
    const e = this.blank('fsync', atMs);
    e.node = node;
    e.incarnation = incarnation;
    return e as unknown as Of<'fsync'>;
  }

  nodeEvent(kind: 'disarm', atMs: number, node: NodeId): Of<'disarm'> {
    const e = this.blank(kind, atMs);
    e.node = node;
    return e as unknown as Of<'disarm'>;
  }

  phaseEvent<K extends 'liveness-start' | 'liveness-check' | 'membership-step'>(kind: K, atMs: number): Of<K> {
    return this.blank(kind, atMs) as unknown as Of<K>;
  }

  /** A copy of `event` at another time (to re-queue an input a node could not take yet), with the same shape. */
  retimed<E extends SimEvent>(event: E, atMs: number): E {
    const src = event as unknown as EventRecord;
    const e = this.blank(src.kind, atMs);
    e.node = src.node;
    e.incarnation = src.incarnation;
    e.slot = src.slot;
    e.attempt = src.attempt;
    e.session = src.session;
    e.seq_ = src.seq_;
    e.leaderHint = src.leaderHint;
    e.from = src.from;
    e.message = src.message;
    e.typeHash = src.typeHash;
    e.fault = src.fault;
    e.data = src.data;
    e.result = src.result;
    return e as unknown as E;
  }
}

/** An empty array of event records whose elements kind is already objects (see {@link EventPool}'s `free`). */
function objectElements(): EventRecord[] {
  const list: EventRecord[] = [newRecord('tick', 0)];
  list.pop();
  return list;
}

/** A new event record: the one place one is built, so every event has the same hidden class. */
function newRecord(kind: SimEvent['kind'], atMs: number): EventRecord {
  return { atMs, seq: 0, kind, node: 0, incarnation: 0, slot: 0, attempt: 0, session: 0, seq_: 0, leaderHint: 0, from: 0, message: null, typeHash: 0, fault: null, data: '', result: null };
}
