import { describe, expect, it } from 'vitest';
import { IDLE_FIELDS_MAX, IDLE_PATTERNS_MAX, isIdleMessage, parseIdleMessages, samePatternValues } from './process-idle-messages.js';
import type { IdleMessagePattern } from './process-idle-messages.js';

function patterns(value: unknown): readonly IdleMessagePattern[] {
  const parsed = parseIdleMessages(value);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('idle message patterns', () => {
  const ack = { type: 'append-resp', from: 2, to: 1, term: 3, success: true, matchIndex: 7 };

  it('matches a message whose every named field is equal, or at most the max', () => {
    const heartbeatAcks = patterns([{ type: 'append-resp', from: 2, term: 3, success: true, matchIndex: { max: 7 } }]);
    expect(isIdleMessage(heartbeatAcks, ack)).toBe(true);
    expect(isIdleMessage(heartbeatAcks, { ...ack, matchIndex: 5 })).toBe(true);
    // One field off is enough not to match: a new match index, another follower, a failure, a newer term.
    expect(isIdleMessage(heartbeatAcks, { ...ack, matchIndex: 8 })).toBe(false);
    expect(isIdleMessage(heartbeatAcks, { ...ack, from: 3 })).toBe(false);
    expect(isIdleMessage(heartbeatAcks, { ...ack, success: false })).toBe(false);
    expect(isIdleMessage(heartbeatAcks, { ...ack, term: 4 })).toBe(false);
    // A field the message lacks never matches, nor a max over a field that is not a number.
    expect(isIdleMessage(patterns([{ hint: 1 }]), ack)).toBe(false);
    expect(isIdleMessage(patterns([{ type: { max: 9 } }]), ack)).toBe(false);
  });

  it('matches if any pattern matches; none for an empty list, all for an empty pattern', () => {
    const two = patterns([{ type: 'vote-resp' }, { type: 'append-resp', term: { max: 3 } }]);
    expect(isIdleMessage(two, ack)).toBe(true);
    expect(isIdleMessage(two, { ...ack, type: 'append' })).toBe(false);
    expect(isIdleMessage(patterns(undefined), ack)).toBe(false);
    expect(isIdleMessage(patterns([]), ack)).toBe(false);
    expect(isIdleMessage(patterns([{}]), ack)).toBe(true);
  });

  it('says what is wrong with a malformed declaration', () => {
    expect(parseIdleMessages({ type: 'x' })).toBe('"idleMessages" must be an array of message patterns, got {"type":"x"}');
    expect(parseIdleMessages(['append-resp'])).toBe('each pattern of "idleMessages" must be an object of message fields, got "append-resp"');
    expect(parseIdleMessages([{ term: { max: 'x' } }])).toMatch(/^field "term" of a pattern .* got \{"max":"x"\}$/);
    expect(parseIdleMessages([{ term: { max: 3, min: 1 } }])).toMatch(/^field "term" of a pattern/);
    expect(parseIdleMessages([{ term: null }])).toMatch(/^field "term" of a pattern .* got null$/);
    expect(parseIdleMessages(Array.from({ length: IDLE_PATTERNS_MAX + 1 }, () => ({})))).toBe(`"idleMessages" lists ${IDLE_PATTERNS_MAX + 1} patterns, more than the ${IDLE_PATTERNS_MAX} allowed`);
    const wide = Object.fromEntries(Array.from({ length: IDLE_FIELDS_MAX + 1 }, (_, i) => [`f${i}`, i]));
    expect(parseIdleMessages([wide])).toBe(`a pattern of "idleMessages" names ${IDLE_FIELDS_MAX + 1} fields, more than the ${IDLE_FIELDS_MAX} allowed`);
  });

  it('tells the same patterns again (keys in any order) from any other value', () => {
    const given = [{ type: 'vote-resp', term: { max: 4 } }, { type: 'append-resp', from: 2, term: 5, success: true, matchIndex: { max: 7 } }];
    expect(samePatternValues(given, [{ term: { max: 4 }, type: 'vote-resp' }, { matchIndex: { max: 7 }, success: true, term: 5, from: 2, type: 'append-resp' }])).toBe(true);
    expect(samePatternValues([], [])).toBe(true);
    // A max moved, a value changed type, a field more, a pattern less, or not patterns at all: parsed again.
    expect(samePatternValues(given, [given[0], { ...given[1], matchIndex: { max: 8 } }])).toBe(false);
    expect(samePatternValues(given, [given[0], { ...given[1], term: '5' }])).toBe(false);
    expect(samePatternValues(given, [given[0], { ...given[1], to: 1 }])).toBe(false);
    expect(samePatternValues(given, [given[0]])).toBe(false);
    expect(samePatternValues(given, [given[0], { ...given[1], matchIndex: { max: 7, min: 1 } }])).toBe(false);
    expect(samePatternValues([{ term: [1] }], [{ term: [1] }])).toBe(false);
    expect(samePatternValues(undefined, undefined)).toBe(false);
    expect(samePatternValues('x', 'x')).toBe(false);
  });
});
