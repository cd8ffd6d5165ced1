/**
 * The client workload: a few clients issuing get / put / cas to whichever node they believe leads, with
 * per-request timeouts, retries under the same (session, seq) so the state machine applies each command at
 * most once, and a recorded history for the linearizability checker. It owns the client side of the traffic
 * both ways: requests out, and the routing of a node's answer (a result or a rejection) back to the client
 * waiting for it.
 */
import type { KvCommand, KvResult } from '../core/kv.js';
import { ClientHistory } from './client-history.js';
import type { ClientHistoryEvent } from './client-history.js';
import { CommandCache } from './command-cache.js';
import type { NodeId } from './contract.js';
import type { Prng } from './prng.js';

export type { ClientHistoryEvent } from './client-history.js';

export interface WorkloadOptions {
  readonly clientCount: number;
  readonly keys: readonly string[];
  /** How long a client waits for one reply before trying another node. */
  readonly requestTimeoutMs: number;
  /** How long a client keeps retrying one operation before giving up on it (recorded as `info`). */
  readonly opTimeoutMs: number;
  /** Pause between a client's operations, uniform in [0, thinkMsMax]. */
  readonly thinkMsMax: number;
  /** Most operations all clients invoke in a run (absent: unbounded). Shrinking lowers it. */
  readonly opsMax?: number;
}

/** What the workload needs from the simulation: sending both ways, timers, and knowing which nodes exist. */
export interface WorkloadContext {
  readonly nowMs: number;
  readonly nodeCount: number;
  /** Sends the client's request to `node`; it may be lost. */
  sendRequest(slot: number, node: NodeId, session: number, seq: number, data: string): void;
  /**
   * Sends a node's answer to the client in `slot`: a result, or (null) a rejection with a leader hint; it may
   * be lost. It arrives as {@link Workload.onReply}.
   */
  sendReply(slot: number, from: NodeId, session: number, seq: number, result: KvResult | null, leaderHint: NodeId | 0): void;
  /** Schedules {@link Workload.onTimeout} for this attempt after `delayMs`. */
  scheduleTimeout(slot: number, attempt: number, delayMs: number): void;
  /** Schedules {@link Workload.startNext} after `delayMs`. */
  scheduleNext(slot: number, delayMs: number): void;
}

interface Operation {
  /** The operation's row in the client history. */
  readonly index: number;
  readonly f: ClientHistoryEvent['f'];
  /** The command as entry data (the command itself is remembered by the {@link CommandCache}). */
  readonly data: string;
  readonly deadlineMs: number;
}

interface Client {
  /** The session id; also the history's process id. A new one starts after an operation is given up. */
  session: number;
  seq: number;
  target: NodeId;
  attempt: number;
  op: Operation | null;
}

export interface WorkloadCounts {
  ok: number;
  fail: number;
  info: number;
  retries: number;
}

export class Workload {
  /** The history, recorded as operations paired as they happen. */
  readonly clientHistory: ClientHistory;
  readonly counts: WorkloadCounts = { ok: 0, fail: 0, info: 0, retries: 0 };
  private readonly clients: Client[] = [];
  /** session -> client slot */
  private readonly slotOfSession = new Map<number, number>();
  private nextSession = 1;
  private nextValue = 1;
  /** Operations invoked so far. */
  private invoked = 0;
  /** Whether clients start new operations (off once the safety phase ends). */
  private accepting = true;
  /** Whether clients may give up on an operation (off in the liveness phase: everything must finish). */
  private mayGiveUp = true;

  constructor(
    private readonly options: WorkloadOptions,
    private readonly prng: Prng,
    private readonly ctx: WorkloadContext,
    /** Encodes the clients' commands; the simulation shares it with the hosts, which decode through it. */
    private readonly commands: CommandCache = new CommandCache(),
  ) {
    this.clientHistory = new ClientHistory(options.keys);
    for (let slot = 0; slot < options.clientCount; slot++) {
      const session = this.newSession(slot);
      this.clients.push({ session, seq: 0, target: 1 + prng.int(ctx.nodeCount), attempt: 0, op: null });
    }
  }

  /** Schedules every client's first operation. */
  begin(): void {
    for (let slot = 0; slot < this.clients.length; slot++) this.ctx.scheduleNext(slot, this.prng.range(0, this.options.thinkMsMax));
  }

  /** The liveness phase: clients start nothing new and never give up on what they started. */
  finishOnly(): void {
    this.accepting = false;
    this.mayGiveUp = false;
  }

  /** The history as native events (built from {@link Workload.clientHistory} on first read; the same objects after). */
  get history(): readonly ClientHistoryEvent[] {
    return this.clientHistory.events();
  }

  /** A node applied a client's command (or served its read) and answers the client waiting on it. */
  answered(node: NodeId, command: KvCommand, result: KvResult): void {
    const slot = this.slotOf(command.client);
    if (slot < 0) return;
    this.ctx.sendReply(slot, node, command.client, command.seq, result, 0);
  }

  /** A node rejected the client's request (it does not lead): the client hears so, with the node's hint. */
  rejected(slot: number, node: NodeId, session: number, seq: number, leaderHint: NodeId | 0): void {
    this.ctx.sendReply(slot, node, session, seq, null, leaderHint);
  }

  /** A node's answer reached the client in `slot`. */
  onReply(slot: number, from: NodeId, session: number, seq: number, result: KvResult | null, leaderHint: NodeId | 0): void {
    if (result === null) this.onNotLeader(slot, session, seq, leaderHint);
    else this.onApplied(slot, session, seq, from, result);
  }

  /** Operations invoked and not yet completed. */
  outstanding(): number {
    let n = 0;
    for (const c of this.clients) if (c.op !== null) n++;
    return n;
  }

  startNext(slot: number): void {
    const client = this.client(slot);
    if (!this.accepting || client.op !== null) return;
    if (this.options.opsMax !== undefined && this.invoked >= this.options.opsMax) return;
    this.invoked++;
    client.seq++;
    const key = this.prng.pick(this.options.keys);
    const roll = this.prng.int(10);
    // Each command is one literal, not a spread of shared fields: a spread-built object took JSON.stringify's slow
    // path (~10x slower in isolation, ~7% of a run in all). Same fields in the same order, so the same entry data.
    const session = client.session;
    const seq = client.seq;
    let command: KvCommand;
    let f: Operation['f'];
    let value = 0;
    let expected: number | null = null;
    if (roll < 4) {
      command = { client: session, seq, key, op: 'get' };
      f = 'read';
    } else if (roll < 8) {
      value = this.nextValue++;
      command = { client: session, seq, key, op: 'put', value };
      f = 'write';
    } else {
      // Compare against a recently written value (or "never written") so some compares succeed.
      expected = this.nextValue > 1 && this.prng.chance(3, 4) ? this.nextValue - 1 - this.prng.int(Math.min(3, this.nextValue - 1)) : null;
      value = this.nextValue++;
      command = { client: session, seq, key, op: 'cas', expected, value };
      f = 'cas';
    }
    const nowMs = this.ctx.nowMs;
    const index = this.clientHistory.invoke(session, f, key, value, expected, nowMs);
    client.op = { index, f, data: this.commands.encode(command), deadlineMs: nowMs + this.options.opTimeoutMs };
    this.dispatch(slot, client);
  }

  /** A node rejected the request: it is not the leader. Retry at its hint, or the next node. */
  onNotLeader(slot: number, session: number, seq: number, leaderHint: NodeId | 0): void {
    const client = this.client(slot);
    if (!this.isCurrent(client, session, seq)) return;
    client.target = leaderHint !== 0 && leaderHint !== client.target ? leaderHint : this.nextNode(client.target);
    this.counts.retries++;
    this.dispatch(slot, client);
  }

  /** A node applied the client's command and replied. */
  onApplied(slot: number, session: number, seq: number, from: NodeId, result: KvResult): void {
    const client = this.client(slot);
    if (!this.isCurrent(client, session, seq)) return;
    const op = client.op as Operation;
    client.target = from;
    // A failed result is only a cas whose compare failed: it changed nothing, so it did not take effect.
    if (!result.ok) this.complete(slot, client, 'fail', null);
    else this.complete(slot, client, 'ok', op.f === 'read' ? result.value : null);
  }

  onTimeout(slot: number, attempt: number): void {
    const client = this.client(slot);
    if (client.op === null || client.attempt !== attempt) return;
    if (this.mayGiveUp && this.ctx.nowMs >= client.op.deadlineMs) {
      // The command may still be applied later: the outcome is unknown, and this session ends (Jepsen's
      // convention: a process never reuses its id after an indeterminate operation).
      this.clientHistory.complete(client.op.index, 'info', null, this.ctx.nowMs);
      this.counts.info++;
      client.op = null;
      client.session = this.newSession(slot);
      client.seq = 0;
      this.ctx.scheduleNext(slot, this.prng.range(0, this.options.thinkMsMax));
      return;
    }
    client.target = this.nextNode(client.target);
    this.counts.retries++;
    this.dispatch(slot, client);
  }

  /** Which client slot a session belongs to, or -1. */
  slotOf(session: number): number {
    return this.slotOfSession.get(session) ?? -1;
  }

  /** `readValue`: what an `ok` read returned (null for the others). */
  private complete(slot: number, client: Client, type: 'ok' | 'fail', readValue: number | null): void {
    this.clientHistory.complete((client.op as Operation).index, type, readValue, this.ctx.nowMs);
    if (type === 'ok') this.counts.ok++;
    else this.counts.fail++;
    client.op = null;
    this.ctx.scheduleNext(slot, this.prng.range(0, this.options.thinkMsMax));
  }

  private dispatch(slot: number, client: Client): void {
    const op = client.op as Operation;
    client.attempt++;
    this.ctx.sendRequest(slot, client.target, client.session, client.seq, op.data);
    this.ctx.scheduleTimeout(slot, client.attempt, this.options.requestTimeoutMs);
  }

  private isCurrent(client: Client, session: number, seq: number): boolean {
    return client.op !== null && client.session === session && client.seq === seq;
  }

  private nextNode(node: NodeId): NodeId {
    return (node % this.ctx.nodeCount) + 1;
  }

  private newSession(slot: number): number {
    const session = this.nextSession++;
    this.slotOfSession.set(session, slot);
    return session;
  }

  private client(slot: number): Client {
    const c = this.clients[slot];
    if (c === undefined) throw new Error(`no client slot ${slot}`);
    return c;
  }
}
