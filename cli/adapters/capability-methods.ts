/**
 * The instance methods the membership capabilities promise. A declared capability is how a scenario decides to
 * run against an implementation, so one declared without its method would make every membership scenario fail
 * at its first change, far from the cause: `--impl` refuses it when the module loads instead (one line, exit 2).
 *
 * Only the two capabilities of membership changes are held to a method here. `read-index` and `snapshot` were
 * declared without a check before them, and refusing such a module now would break an implementation that ran.
 */
import type { Capability, RaftInstance } from '../../sim/contract.js';

/** Capability -> the RaftInstance method it requires. */
export const CAPABILITY_METHODS: ReadonlyArray<readonly [Capability, 'proposeConfChange' | 'transferLeadership']> = [
  ['membership-change', 'proposeConfChange'],
  ['leadership-transfer', 'transferLeadership'],
];

/** Whether `capabilities` declares any capability that requires an instance method (so a probe instance is worth creating). */
export function declaresMethodCapability(capabilities: readonly Capability[] | undefined): boolean {
  return CAPABILITY_METHODS.some(([capability]) => capabilities?.includes(capability) === true);
}

/** The required methods `instance` lacks, as `proposeConfChange() (membership-change)`; empty when none. */
export function missingCapabilityMethods(capabilities: readonly Capability[] | undefined, instance: RaftInstance): string[] {
  return CAPABILITY_METHODS.filter(([capability, method]) => capabilities?.includes(capability) === true && typeof instance[method] !== 'function').map(
    ([capability, method]) => `${method}() (${capability})`,
  );
}
