/**
 * Validation of a declared contract version 2 (sim/contract.ts `ContractOptions`), for `--impl` modules and the
 * `create` reply of `--impl-cmd` processes: a malformed declaration is a usage error before any seed runs,
 * naming the field, never an option silently ignored.
 */
import { z } from 'zod';
import type { ContractOptions } from '../../sim/contract.js';

const contractSchema = z
  .object({
    version: z.literal(2),
    proposals: z.enum(['indexed', 'unindexed']).optional(),
    sendBeforeDurable: z.enum(['never', 'leader', 'any']).optional(),
    mustSync: z.boolean().optional(),
    stateMachine: z.enum(['volatile', 'durable']).optional(),
    entryData: z.enum(['text', 'base64']).optional(),
    configurations: z.enum(['appended', 'applied']).optional(),
  })
  .strict();

/** Everything wrong with a declared `contract` value, one line each (empty when absent or valid). */
export function contractProblems(value: unknown): string[] {
  if (value === undefined) return [];
  const parsed = contractSchema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `"${['contract', ...issue.path.map(String)].join('.')}": ${issue.message} (docs/contract.md § Contract version 2)`);
}

/** `value` as ContractOptions when valid, else undefined (call {@link contractProblems} first to report why). */
export function parseContract(value: unknown): ContractOptions | undefined {
  if (value === undefined) return undefined;
  const parsed = contractSchema.safeParse(value);
  return parsed.success ? (parsed.data as ContractOptions) : undefined;
}
