import { describe, expect, it } from 'vitest';
import { resolveContract } from '../../sim/contract-options.js';
import { contractProblems, parseContract } from './contract-options.js';

describe('contract version 2: configurations', () => {
  it("accepts 'appended' and 'applied', and resolves 'applied' to apply-time configurations", () => {
    for (const configurations of ['appended', 'applied'] as const) {
      expect(contractProblems({ version: 2, configurations })).toEqual([]);
      expect(resolveContract(parseContract({ version: 2, configurations })).configurationsApplied).toBe(configurations === 'applied');
    }
    expect(resolveContract(undefined).configurationsApplied).toBe(false);
    expect(resolveContract(parseContract({ version: 2 })).configurationsApplied).toBe(false);
  });

  it('refuses anything else, naming the field', () => {
    expect(contractProblems({ version: 2, configurations: 'committed' })).toEqual([expect.stringMatching(/^"contract\.configurations": .*docs\/contract\.md/)]);
  });
});
