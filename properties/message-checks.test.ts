import { describe, expect, it } from 'vitest';
import { CORE_MESSAGE_ANNOTATIONS } from '../sim/builtin.js';
import type { Message } from '../sim/contract.js';
import { DurableNodes } from './durable-state.js';
import { FactLog, entries } from './fact-builders.js';
import { createMessageChecker } from './message-checks.js';
import type { MessageChecker } from './message-checks.js';
import type { Violation } from './types.js';

function msg(fields: { type: string; from: number; to: number; term: number; [k: string]: unknown }): Message {
  return fields;
}

/** Feeds the facts so far, then judges `m` as sent now. */
function judge(checker: MessageChecker, f: FactLog, m: Message): Violation | null {
  for (const fact of f.facts.splice(0)) checker.observe(fact);
  return checker.sent(m, 1000, 99);
}

describe('message checks', () => {
  it('passes messages of a durable term, declared pre-votes of a future term, durable grants and acks', () => {
    const c = createMessageChecker(CORE_MESSAGE_ANNOTATIONS, [1, 2, 3]);
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 3 }, entries(1, 4, 2));
    expect(judge(c, f, msg({ type: 'append', from: 1, to: 2, term: 2 }))).toBeNull();
    expect(judge(c, f, msg({ type: 'append', from: 1, to: 2, term: 1 }))).toBeNull(); // a lower term is news to nobody
    expect(judge(c, f, msg({ type: 'pre-vote', from: 1, to: 2, term: 3 }))).toBeNull();
    expect(judge(c, f, msg({ type: 'pre-vote-resp', from: 1, to: 2, term: 3, reject: false }))).toBeNull();
    expect(judge(c, f, msg({ type: 'vote-resp', from: 1, to: 3, term: 2, reject: false }))).toBeNull();
    expect(judge(c, f, msg({ type: 'vote-resp', from: 1, to: 2, term: 2, reject: true }))).toBeNull(); // a refusal
    expect(judge(c, f, msg({ type: 'append-resp', from: 1, to: 3, term: 2, reject: false, index: 4 }))).toBeNull();
    expect(judge(c, f, msg({ type: 'append-resp', from: 1, to: 3, term: 2, reject: true, index: 9 }))).toBeNull(); // a rejection
    f.crash(1);
    f.restart(1, entries(1, 4, 2), { term: 5, vote: 2 });
    expect(judge(c, f, msg({ type: 'vote-resp', from: 1, to: 2, term: 5, reject: false }))).toBeNull();
  });

  it('compiles frozen annotations once for every run, and an adapter\'s mutable annotations afresh each time', () => {
    // Two checkers of the same frozen annotations share the compilation but not their durable state.
    const a = createMessageChecker(CORE_MESSAGE_ANNOTATIONS, [1, 2]);
    const b = createMessageChecker(CORE_MESSAGE_ANNOTATIONS, [1, 2]);
    const f = new FactLog();
    f.persist(1, { term: 2, vote: 2 });
    expect(judge(a, f, msg({ type: 'vote-resp', from: 1, to: 2, term: 2, reject: false }))).toBeNull();
    expect(b.sent(msg({ type: 'vote-resp', from: 1, to: 2, term: 2, reject: false }), 1000, 99)?.property).toBe('message-term');
    // Annotations edited between runs (not frozen): each checker judges by what they say when it is made.
    const mutable: { voteGrant: { type: string; where: { reject: boolean } } } = { voteGrant: { type: 'vote-resp', where: { reject: false } } };
    const before = createMessageChecker(mutable, [1, 2]);
    mutable.voteGrant = { type: 'granted', where: { reject: false } };
    const after = createMessageChecker(mutable, [1, 2]);
    const grant = (type: string): Message => msg({ type, from: 1, to: 2, term: 0, reject: false });
    expect(before.sent(grant('vote-resp'), 1000, 99)?.property).toBe('vote-grant');
    expect(before.sent(grant('granted'), 1000, 99)).toBeNull();
    expect(after.sent(grant('vote-resp'), 1000, 99)).toBeNull();
    expect(after.sent(grant('granted'), 1000, 99)?.property).toBe('vote-grant');
  });

  it('reports a message whose term was never persisted (term kept in memory only)', () => {
    const c = createMessageChecker(CORE_MESSAGE_ANNOTATIONS, [1, 2, 3]);
    const f = new FactLog();
    f.persist(2, { term: 3 });
    const v = judge(c, f, msg({ type: 'append-resp', from: 2, to: 1, term: 4, reject: true, index: 0 }));
    expect(v).toMatchObject({ property: 'message-term', nodes: [2], atMs: 1000, event: 99, evidence: { durableTerm: 3, messageType: 'append-resp' } });
    expect(v!.message).toBe('Node 2 sent append-resp of term 4 to node 1 while its durable term was 3: a term must be persisted before any message of that term.');
    // Without the pre-vote exemption a pre-vote of a future term is reported too.
    const strict = createMessageChecker({}, [1, 2]);
    expect(strict.sent(msg({ type: 'pre-vote', from: 1, to: 2, term: 1 }), 0, 0)).toMatchObject({ property: 'message-term' });
  });

  it('reports a vote granted before it is durable (vote kept in memory, or a vote for someone else on disk)', () => {
    const c = createMessageChecker(CORE_MESSAGE_ANNOTATIONS, [1, 2, 3]);
    const f = new FactLog();
    f.persist(3, { term: 6 });
    const v = judge(c, f, msg({ type: 'vote-resp', from: 3, to: 1, term: 6, reject: false }));
    expect(v).toMatchObject({ property: 'vote-grant', nodes: [3], evidence: { durableTerm: 6, durableVote: 0 } });
    expect(v!.message).toBe('Node 3 granted its vote to node 1 in term 6 while its disk held term 6 and no vote: a vote must be durable before it is granted.');
    f.persist(3, { term: 6, vote: 2 });
    expect(judge(c, f, msg({ type: 'vote-resp', from: 3, to: 1, term: 6, reject: false }))).toMatchObject({ property: 'vote-grant', evidence: { durableVote: 2 } });
    // The vote was lost by a restart from a disk that never had it.
    f.crash(3);
    f.restart(3, [], { term: 6 });
    expect(judge(c, f, msg({ type: 'vote-resp', from: 3, to: 2, term: 6, reject: false }))).toMatchObject({ property: 'vote-grant' });
  });

  it('reports an acknowledgement of entries not yet durable (ack before persist)', () => {
    const c = createMessageChecker({ appendAck: { type: 'AppendEntriesReply', where: { success: true }, matchField: 'matchIndex' } }, [1, 2]);
    const f = new FactLog();
    f.persist(2, { term: 1 }, entries(1, 3, 1));
    expect(judge(c, f, msg({ type: 'AppendEntriesReply', from: 2, to: 1, term: 1, success: true, matchIndex: 3 }))).toBeNull();
    const v = judge(c, f, msg({ type: 'AppendEntriesReply', from: 2, to: 1, term: 1, success: true, matchIndex: 5 }));
    expect(v).toMatchObject({ property: 'append-ack', nodes: [2], evidence: { matchIndex: 5, durableLastIndex: 3 } });
    // A truncation shortens the durable log: acknowledging past its new end is reported.
    f.persist(2, { term: 2 }, entries(2, 2, 2));
    expect(judge(c, f, msg({ type: 'AppendEntriesReply', from: 2, to: 1, term: 2, success: true, matchIndex: 3 }))).toMatchObject({ property: 'append-ack' });
  });

  it('with shared durable nodes, judges by what their owner fed them and adds no node to them', () => {
    const durable = new DurableNodes([1, 2]);
    const c = createMessageChecker(CORE_MESSAGE_ANNOTATIONS, [1, 2], durable);
    const f = new FactLog();
    // The checker's own persist does nothing: the store's owner feeds it (the run's commit-quorum does).
    const fact = f.persist(2, { term: 3, vote: 1 }, entries(1, 2, 3));
    c.persist(fact);
    expect(c.sent(msg({ type: 'append', from: 2, to: 1, term: 3 }), 0, 0)).toMatchObject({ property: 'message-term', evidence: { durableTerm: 0 } });
    durable.of(2).persist(fact);
    expect(c.sent(msg({ type: 'append', from: 2, to: 1, term: 3 }), 0, 0)).toBeNull();
    expect(c.sent(msg({ type: 'vote-resp', from: 2, to: 1, term: 3, reject: false }), 0, 0)).toBeNull();
    expect(c.sent(msg({ type: 'append-resp', from: 2, to: 1, term: 3, reject: false, index: 3 }), 0, 0)).toMatchObject({ property: 'append-ack', evidence: { durableLastIndex: 2 } });
    const restart = f.restart(2, entries(1, 1, 3), { term: 4 });
    durable.of(2).restart(restart);
    expect(c.sent(msg({ type: 'append-resp', from: 2, to: 1, term: 4, reject: false, index: 2 }), 0, 0)).toMatchObject({ property: 'append-ack', evidence: { durableLastIndex: 1 } });
    // A sender the store has never seen (a node that joined) holds nothing, and stays out of the store's list.
    expect(c.sent(msg({ type: 'append', from: 7, to: 1, term: 1 }), 0, 0)).toMatchObject({ property: 'message-term', evidence: { durableTerm: 0 } });
    expect(durable.list.map((n) => n.id)).toEqual([1, 2]);
    expect(durable.peek(7)).toBeUndefined();
  });

  it('matches on every declared field, sorted by name', () => {
    const c = createMessageChecker({ voteGrant: { type: 'RequestVoteReply', where: { voteGranted: true, preVote: false } } }, [1, 2]);
    expect(c.sent(msg({ type: 'RequestVoteReply', from: 1, to: 2, term: 0, preVote: true, voteGranted: true }), 0, 0)).toBeNull();
    expect(c.sent(msg({ type: 'RequestVoteReply', from: 1, to: 2, term: 0, preVote: false, voteGranted: false }), 0, 0)).toBeNull();
    expect(c.sent(msg({ type: 'RequestVoteReply', from: 1, to: 2, term: 0, preVote: false, voteGranted: true }), 0, 0)).toMatchObject({ property: 'vote-grant' });
  });
});
