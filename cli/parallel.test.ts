import { describe, expect, it } from 'vitest';
import { describeInternalError } from './errors.js';
import { workerError } from './parallel.js';

describe('workerError', () => {
  it('keeps the worker\'s stack, so an internal error names the frame it came from, not the pool', () => {
    const error = workerError("Cannot read properties of undefined (reading 'range')", "TypeError: Cannot read properties of undefined (reading 'range')\n    at reactiveFaults (/repo/scenarios/reactive-faults.ts:44:3)");
    expect(describeInternalError(error, false)).toContain('reactiveFaults (/repo/scenarios/reactive-faults.ts:44:3)');
    expect(workerError('plain', null).message).toBe('plain');
  });
});
