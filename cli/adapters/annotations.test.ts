import { describe, expect, it } from 'vitest';
import { CORE_MESSAGE_ANNOTATIONS } from '../../sim/builtin.js';
import { PAPER_RAFT_MESSAGE_ANNOTATIONS } from '../../mutation-corpus/index.js';
import { annotationProblems, parseAnnotations } from './annotations.js';
import { implementationProblems } from './module.js';

describe('message annotations validation', () => {
  it('accepts absent, empty and the shipped declarations', () => {
    expect(annotationProblems(undefined)).toEqual([]);
    expect(annotationProblems({})).toEqual([]);
    expect(annotationProblems(CORE_MESSAGE_ANNOTATIONS)).toEqual([]);
    expect(annotationProblems(PAPER_RAFT_MESSAGE_ANNOTATIONS)).toEqual([]);
    expect(parseAnnotations(JSON.parse(JSON.stringify(PAPER_RAFT_MESSAGE_ANNOTATIONS)))).toEqual(PAPER_RAFT_MESSAGE_ANNOTATIONS);
  });

  it('names each malformed field with its path', () => {
    expect(annotationProblems({ voteGrant: { type: 'vote-resp', where: { reject: null } } })[0]).toMatch(/^"messageAnnotations\.voteGrant\.where\.reject": /);
    expect(annotationProblems({ appendAck: { type: 'append-resp' } })[0]).toMatch(/^"messageAnnotations\.appendAck\.matchField": /);
    expect(annotationProblems({ preVote: { type: 'pre-vote' } })[0]).toMatch(/^"messageAnnotations\.preVote": /);
    expect(annotationProblems({ voteGrants: {} })).toHaveLength(1);
    expect(annotationProblems('yes')).toHaveLength(1);
    expect(parseAnnotations({ appendAck: { type: 'x' } })).toBeUndefined();
  });

  it('makes a malformed declaration on an --impl module a problem of the module, beside its other members', () => {
    const create = (): null => null;
    expect(implementationProblems({ name: 'ok', create, messageAnnotations: { appendAck: { type: 'ack' } } })).toEqual([
      expect.stringMatching(/^"messageAnnotations\.appendAck\.matchField": /),
    ]);
    expect(implementationProblems({ name: 'ok', create, messageAnnotations: PAPER_RAFT_MESSAGE_ANNOTATIONS })).toEqual([]);
  });
});
