/**
 * The one fake `HostContext` for host tests: it logs what the host asks of the simulation (facts, sends,
 * replies, fsyncs, incidents) in order, and records the trace, so a test can drive a `NodeHost` alone.
 */
import type { KvCommand, KvResult } from '../core/kv.js';
import type { Message, NodeId } from './contract.js';
import type { Fact } from './facts.js';
import type { HostContext, HostIncident } from './host.js';
import { Trace } from './trace.js';

export class FakeHostContext implements HostContext {
  nowMs = 0;
  eventIndex = 0;
  readonly trace = new Trace(true);
  /** Everything the host asked for, as short text in call order (`observe persist`, `send append`, ...). */
  readonly log: string[] = [];
  readonly facts: Fact[] = [];
  readonly sent: Message[] = [];
  readonly replies: { readonly node: NodeId; readonly command: KvCommand; readonly result: KvResult }[] = [];
  readonly fsyncs: { readonly node: NodeId; readonly incarnation: number; readonly delayMs: number }[] = [];
  readonly incidents: { readonly node: NodeId; readonly incident: HostIncident }[] = [];

  observe(fact: Fact): void {
    this.facts.push(fact);
    this.log.push(`observe ${fact.kind}`);
  }

  send(message: Message): void {
    this.sent.push(message);
    this.log.push(`send ${message.type}`);
  }

  reply(node: NodeId, command: KvCommand, result: KvResult): void {
    this.replies.push({ node, command, result });
    this.log.push(`reply ${command.client}/${command.seq}`);
  }

  scheduleFsync(node: NodeId, incarnation: number, delayMs: number): void {
    this.fsyncs.push({ node, incarnation, delayMs });
    this.log.push(`fsync in ${delayMs} ms`);
  }

  incident(node: NodeId, incident: HostIncident): void {
    this.incidents.push({ node, incident });
    this.log.push(`incident ${incident.kind}`);
  }
}
