/**
 * `--impl PATH`: loads a user's module (JavaScript, or TypeScript through the user's tsx) that
 * exports a RaftImplementation as its default export or as `implementation`, and checks its shape before any
 * seed runs, with one line per missing or wrong member.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';
import type { Capability, RaftImplementation, RaftInstance } from '../../sim/contract.js';
import { UsageError } from '../errors.js';
import { ensureTypeScriptLoader, isTypeScriptModule } from './typescript-loader.js';
import { annotationProblems } from './annotations.js';
import { contractProblems } from './contract-options.js';
import { declaresMethodCapability, missingCapabilityMethods } from './capability-methods.js';

export const CAPABILITIES: readonly Capability[] = ['pre-vote', 'check-quorum', 'membership-change', 'snapshot', 'leadership-transfer', 'read-index', 'lease-read'];

/**
 * Imports `path` (relative to `cwd`) and returns its implementation. Throws a UsageError when the file is
 * missing, fails to load, or exports no valid RaftImplementation.
 */
export async function loadModuleImplementation(path: string, cwd: string): Promise<RaftImplementation> {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute)) throw new UsageError(`--impl: no such file ${JSON.stringify(path)} (resolved to ${absolute})`);
  if (isTypeScriptModule(absolute)) await ensureTypeScriptLoader(cwd, path);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--impl: ${path} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const candidate = loaded.default ?? loaded.implementation;
  if (candidate === undefined) {
    const names = Object.keys(loaded);
    throw new UsageError(
      `--impl: ${path} exports no RaftImplementation: expected a default export or a named export "implementation", got ${names.length === 0 ? 'no exports' : `exports ${names.join(', ')}`}`,
    );
  }
  const problems = implementationProblems(candidate);
  if (problems.length > 0) {
    throw new UsageError(`--impl: ${path} does not export a valid RaftImplementation (see docs/contract.md):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return candidate as RaftImplementation;
}

/** Everything wrong with `value` as a RaftImplementation, one line each (empty when it is one). */
export function implementationProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [`expected an object {name, capabilities?, create}, got ${describe(value)}`];
  if (types.isPromise(value)) {
    return ['expected an object {name, capabilities?, create}, got a Promise: export the implementation itself (await it at the top level of the module)'];
  }
  const impl = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof impl.name !== 'string' || impl.name === '') problems.push(`"name": expected a non-empty string, got ${describe(impl.name)}`);
  if (typeof impl.create !== 'function') problems.push(`"create": expected a function (init) => RaftInstance, got ${describe(impl.create)}`);
  else if (types.isAsyncFunction(impl.create)) {
    // Caught here, before any seed runs: every call of an async create would return a Promise.
    problems.push('"create": expected a synchronous function (init) => RaftInstance, got an async function; the simulator is synchronous, so create must return the instance itself');
  }
  problems.push(...capabilityProblems(impl.capabilities));
  problems.push(...annotationProblems(impl.messageAnnotations));
  problems.push(...contractProblems(impl.contract));
  return problems;
}

/** Problems with a declared capability list (absent is fine). */
export function capabilityProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [`"capabilities": expected an array of ${CAPABILITIES.join(' | ')}, got ${describe(value)}`];
  return value
    .filter((c) => !CAPABILITIES.includes(c as Capability))
    .map((c) => `"capabilities": unknown capability ${describe(c)}; expected one of ${CAPABILITIES.join(', ')}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (undefined)';
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return String(value);
  }
}

/**
 * For an implementation declaring `membership-change` or `leadership-transfer`: creates one probe instance (node 1
 * of 3, first start) and names the methods those capabilities promise that it lacks, as one line; null when it has
 * them or declares neither. Run only in the throwaway load thread (module-load-worker-main.ts), so the probe
 * instance cannot touch the module state the seeds later see.
 */
export function capabilityMethodProblem(path: string, implementation: RaftImplementation): string | null {
  if (!declaresMethodCapability(implementation.capabilities)) return null;
  let instance: unknown;
  try {
    instance = implementation.create({
      id: 1,
      peers: [1, 2, 3],
      storage: { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] },
      random: () => 0.5,
      seed: 0,
      electionTicks: 10,
      heartbeatTicks: 2,
    });
  } catch (error) {
    return `--impl: ${path}: create() threw on a first start (node 1 of 3), probed for the methods its capabilities promise: ${error instanceof Error ? error.message : String(error)}`;
  }
  // Not an instance at all (a Promise, a value without tick()): the host names that on the first seed.
  if (typeof instance !== 'object' || instance === null || types.isPromise(instance)) return null;
  const missing = missingCapabilityMethods(implementation.capabilities, instance as RaftInstance);
  if (missing.length === 0) return null;
  return `--impl: ${path} declares ${missing.length === 1 ? 'a capability' : 'capabilities'} without the method: its instances have no ${missing.join(' and no ')} (docs/contract.md § Capabilities); implement it or drop the capability`;
}
