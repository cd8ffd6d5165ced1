/**
 * The boundary between the host and a user's in-process implementation, where misbehaviour is named for what
 * it is rather than for the symptom it causes later:
 *
 * - What `ready()` returns is deep-frozen. The host keeps those values (messages sit on the network and may be
 *   delivered twice as the same object, entries are on the simulated disk and in the checkers' view of it), so
 *   an implementation that changes one after handing it out corrupts the run far from the cause, which then
 *   fails as `liveness` or a safety property. Frozen, the change throws a TypeError in the user's code at the
 *   line that makes it (ES modules run in strict mode), reported as an `implementation-error` saying so.
 * - A method that returns a Promise is named: the simulator is synchronous, and the work (and any error) of an
 *   async method would happen after the host had moved on.
 * - A throw is reported with the call it came from and the top frame of the user's own file.
 *
 * Only custom implementations pass through here (cli/adapters/guard.ts); our core is not frozen, so the
 * benchmark's hot path pays nothing.
 */
import { cwd } from 'node:process';
import { ImplementationFault } from '../../sim/host.js';
import type { NodeId } from '../../sim/contract.js';
import { topUserFrame } from './user-frame.js';

/** The instance methods the host calls, as named in reports (`tick()`). */
export type CallName = 'create' | 'tick' | 'step' | 'propose' | 'ready' | 'advance' | 'status' | 'readIndex' | 'compact' | 'proposeConfChange' | 'transferLeadership';

/**
 * Freezes `value` and everything reachable from it, in place, and returns it. An object that is already frozen
 * is not walked again: each Ready shares most of its objects with earlier ones (an entry is handed out in
 * `entries`, then in `committedEntries` and in the appends that carry it), and this keeps the walk to what is
 * new. (A WeakSet of walked objects cost 3-4x more: its entries weigh on every garbage collection.) The price:
 * below an object the user froze themselves, shallowly, nothing is frozen. Typed arrays, which cannot be
 * frozen and are not JSON values, are skipped. Iterative, so a deep structure cannot overflow the stack;
 * parents are frozen before their children are visited, so a cycle ends the walk.
 */
export function deepFreeze<T>(value: T): T {
  if (!isWalkable(value)) return value;
  const pending: object[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    Object.freeze(next);
    if (Array.isArray(next)) {
      for (let i = 0; i < next.length; i++) {
        const child: unknown = next[i];
        if (isWalkable(child)) pending.push(child);
      }
      continue;
    }
    for (const key of Object.keys(next)) {
      const child = (next as Record<string, unknown>)[key];
      if (isWalkable(child)) pending.push(child);
    }
  }
  return value;
}

/** An object or array that deepFreeze still has to freeze. */
function isWalkable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Object.isFrozen(value) && !ArrayBuffer.isView(value);
}

const CREATE_SYNC = 'create(init) must return the instance itself, synchronously (the simulator drives every node from one synchronous loop; see docs/contract.md)';

/** True for a Promise or any other thenable. */
export function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The fault for a `call` that returned a Promise. A rejection of that Promise is caught and dropped: it is the
 * same misbehaviour, already reported, and left alone it would crash the CLI as an unhandled rejection.
 */
export function promiseFault(node: NodeId, call: CallName, value: unknown): ImplementationFault {
  void (value as PromiseLike<unknown>).then(undefined, () => {});
  // Worded as sim/host.ts words it for the library API, which hands the object to the host unguarded.
  if (call === 'create') return new ImplementationFault(node, `create() returned a Promise: ${CREATE_SYNC}`);
  return new ImplementationFault(
    node,
    `${call}() returned a Promise: the contract's methods are synchronous (the simulator drives every node from one synchronous loop), so ${call}() must finish its work before it returns (see docs/contract.md)`,
  );
}

/** What V8 says when strict-mode code writes to, adds to or deletes from a frozen object or array. */
const FROZEN_WRITE = /^(Cannot assign to read only property|Cannot add property .*, object is not extensible|Cannot delete property|Cannot redefine property)/;

/**
 * The ImplementationFault for `error`, thrown by the user's `call` on `node`: the call, the error's message and
 * the top frame of the user's code. `handedOut` says whether any node's ready() has returned a (frozen) value
 * yet; only then is a write to a frozen object named as the mutation of a returned value. The value may be the
 * node's own or a message another node sent it (delivered as the very object that node's ready() returned),
 * and the TypeError does not say which, so the report names both.
 */
export function callFault(node: NodeId, call: CallName, error: unknown, handedOut: boolean): ImplementationFault {
  if (error instanceof ImplementationFault) return error;
  const text = errorText(error);
  const frame = topUserFrame(error, cwd());
  const at = frame === null ? '' : ` (at ${frame})`;
  if (handedOut && error instanceof TypeError && FROZEN_WRITE.test(error.message)) {
    return new ImplementationFault(
      node,
      `mutated a value already returned from ready() (its own, or a message it received), in ${call}(): ${error.message}${at}; the host keeps what ready() returns (messages in flight, entries on disk), so Seaworthy freezes it`,
    );
  }
  // node:assert's AssertionError is the library checking itself; any other throw is the adapter's failure.
  const kind = error instanceof Error && error.name === 'AssertionError' ? 'assertion' : 'adapter';
  return new ImplementationFault(node, `threw in ${call}(): ${text}${at}`, kind);
}

/** `message`, prefixed by the error's class when it says more than "Error" (a TypeError, a RangeError). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' || error.name === '' ? error.message : `${error.name}: ${error.message}`;
}
