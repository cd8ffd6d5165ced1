import { describe, expect, it } from 'vitest';
import { compileMatcher, matchesMessage } from './message-matcher.js';

describe('message matchers', () => {
  it('sort declared fields by name, whatever the declaration order', () => {
    expect(compileMatcher({ type: 'r', where: { z: 1, a: true } })).toEqual({ type: 'r', fields: ['a', 'z'], values: [true, 1] });
    expect(compileMatcher({ type: 'r' })).toEqual({ type: 'r', fields: [], values: [] });
  });

  it('match the type and every field exactly', () => {
    const c = compileMatcher({ type: 'vote-resp', where: { reject: false } });
    expect(matchesMessage(c, { type: 'vote-resp', from: 1, to: 2, term: 1, reject: false })).toBe(true);
    expect(matchesMessage(c, { type: 'vote-resp', from: 1, to: 2, term: 1, reject: true })).toBe(false);
    expect(matchesMessage(c, { type: 'vote-resp', from: 1, to: 2, term: 1 })).toBe(false); // absent is not false
    expect(matchesMessage(c, { type: 'vote', from: 1, to: 2, term: 1, reject: false })).toBe(false);
  });
});
