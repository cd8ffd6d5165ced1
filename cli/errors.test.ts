import { describe, expect, it } from 'vitest';
import { describeInternalError } from './errors.js';

describe('describeInternalError', () => {
  it('is one line naming the error and the frame it came from', () => {
    const text = describeInternalError(new TypeError('x.trim is not a function'), false);
    expect(text).not.toContain('\n');
    expect(text).toMatch(/^seaworthy: internal error .*: TypeError: x\.trim is not a function \(.*errors\.test\.ts:\d+:\d+\)$/);
  });

  it('shows the whole stack when debugging, and copes with thrown non-errors', () => {
    expect(describeInternalError(new Error('boom'), true).split('\n').length).toBeGreaterThan(2);
    expect(describeInternalError('a string', false)).toMatch(/: a string$/);
  });
});
