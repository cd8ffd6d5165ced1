/**
 * Stable one-line text for entries, messages and Readys, used by traces, golden tests and reports. The format is
 * part of the golden files: change it only deliberately. Not for the hot path (it builds strings).
 *
 *   entry:    `3/2 "set x 1"` (index/term, JSON-quoted data) or `4/3 noop`
 *   message:  `1->2 append t3 prev=4/2 commit=4 [5/3 "x"]`, `2->1 append-resp t3 ok index=5`,
 *             `2->1 append-resp t3 reject index=4 hint=3/2`, `1->2 vote t3 last=5/2`, `2->1 vote-resp t3 granted`
 *             a read-confirmation round shows as ` ctx=2` after `commit=` or after the response's index/hint;
 *             `1->2 timeout-now t3`; a transfer campaign's `2->3 vote t4 last=5/3 transfer`; a snapshot chunk names its
 *             configuration's `learners=` and `outgoing=` only when it has some
 *   Ready:    `soft=leader/1 hard=t3/v1/c5 entries=[…] msgs=[…; …] committed=[…] reads=[7@5, 8@5]` (absent parts
 *             omitted; a read state is requestId@index)
 */
import { isCoreMessage } from './messages.js';
import type { CoreMessage } from './messages.js';
import type { Entry, Message, Ready } from './types.js';

export function describeEntry(e: Entry): string {
  return `${e.index}/${e.term} ${e.data === '' ? 'noop' : JSON.stringify(e.data)}`;
}

export function describeEntries(ents: readonly Entry[]): string {
  return `[${ents.map(describeEntry).join(', ')}]`;
}

function describeCtx(ctx: number | undefined): string {
  return ctx === undefined ? '' : ` ctx=${ctx}`;
}

/** ` name=1,2` for a non-empty optional id list; nothing otherwise, so messages without it read as before. */
function describeIds(name: string, ids: readonly number[] | undefined): string {
  return ids === undefined || ids.length === 0 ? '' : `${name}=${ids.join(',')}`;
}

function describeCorePayload(m: CoreMessage): string {
  switch (m.type) {
    case 'append':
      return ` prev=${m.prevLogIndex}/${m.prevLogTerm} commit=${m.commit}${describeCtx(m.ctx)} ${describeEntries(m.entries)}`;
    case 'append-resp':
      return (m.reject ? ` reject index=${m.index} hint=${m.hintIndex}/${m.hintTerm}` : ` ok index=${m.index}`) + describeCtx(m.ctx);
    case 'vote':
    case 'pre-vote':
      return ` last=${m.lastLogIndex}/${m.lastLogTerm}${m.transfer === true ? ' transfer' : ''}`;
    case 'vote-resp':
    case 'pre-vote-resp':
      return m.reject ? ' rejected' : ' granted';
    case 'snapshot':
      return ` snap=${m.snapshotIndex}/${m.snapshotTerm} peers=${m.peers.join(',')}${describeIds(' learners', m.learners)}${describeIds(' outgoing', m.outgoing)} offset=${m.offset} chunk=${JSON.stringify(m.chunk)}${m.done ? ' done' : ''}`;
    case 'snapshot-resp':
      return ` snap=${m.snapshotIndex} received=${m.received}`;
    case 'timeout-now':
      return '';
  }
}

/** Messages that are not the core's own (another implementation's, or malformed) list their extra fields sorted. */
function describeForeignPayload(m: Message): string {
  const keys = Object.keys(m).filter((k) => k !== 'type' && k !== 'from' && k !== 'to' && k !== 'term');
  keys.sort();
  return keys.map((k) => ` ${k}=${JSON.stringify(m[k]) ?? 'undefined'}`).join('');
}

export function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} t${m.term}`;
  return head + (isCoreMessage(m) ? describeCorePayload(m) : describeForeignPayload(m));
}

export function describeReady(r: Ready): string {
  const parts: string[] = [];
  if (r.softState !== undefined) parts.push(`soft=${r.softState.role}/${r.softState.leader}`);
  if (r.hardState !== undefined) parts.push(`hard=t${r.hardState.term}/v${r.hardState.vote}/c${r.hardState.commit}`);
  if (r.entries.length > 0) parts.push(`entries=${describeEntries(r.entries)}`);
  if (r.messages.length > 0) parts.push(`msgs=[${r.messages.map(describeMessage).join('; ')}]`);
  if (r.committedEntries.length > 0) parts.push(`committed=${describeEntries(r.committedEntries)}`);
  if (r.snapshot !== undefined) parts.push(`snapshot=${r.snapshot.index}/${r.snapshot.term}`);
  if (r.readStates !== undefined && r.readStates.length > 0) {
    parts.push(`reads=[${r.readStates.map((s) => `${s.requestId}@${s.index}`).join(', ')}]`);
  }
  return parts.length === 0 ? 'empty' : parts.join(' ');
}
