/**
 * Validation of declared message annotations (sim/contract.ts `MessageAnnotations`), for `--impl` modules and
 * the `create` reply of `--impl-cmd` processes: a malformed declaration is a usage error before any seed runs,
 * never a check that silently matches nothing.
 */
import { z } from 'zod';
import type { MessageAnnotations } from '../../sim/contract.js';

const matcher = z
  .object({
    type: z.string().min(1),
    where: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();

const annotationsSchema = z
  .object({
    preVote: z.array(matcher).optional(),
    voteGrant: matcher.optional(),
    appendAck: matcher.extend({ matchField: z.string().min(1) }).strict().optional(),
  })
  .strict();

/** Everything wrong with a declared `messageAnnotations` value, one line each (empty when absent or valid). */
export function annotationProblems(value: unknown): string[] {
  if (value === undefined) return [];
  const parsed = annotationsSchema.safeParse(value);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = ['messageAnnotations', ...issue.path.map(String)].join('.');
    return `"${path}": ${issue.message}`;
  });
}

/** `value` as MessageAnnotations when valid, else undefined (call {@link annotationProblems} first to report why). */
export function parseAnnotations(value: unknown): MessageAnnotations | undefined {
  if (value === undefined) return undefined;
  const parsed = annotationsSchema.safeParse(value);
  return parsed.success ? (parsed.data as MessageAnnotations) : undefined;
}
