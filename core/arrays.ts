/**
 * Arrays that hold objects, made so from the start. An empty array literal has small-integer elements until its
 * first object arrives: every new node's (or log's, or disk's) first store changes its elements kind, so the sites
 * that store into such arrays meet two array maps, and a push site that has seen both calls the generic
 * `Array.prototype.push` builtin instead of storing inline (measured on the simulation's event pool: 0.85% of a
 * run's instructions). Pushing an object and popping it leaves the kind at objects: an elements kind never goes
 * back.
 */

/** A new, empty array whose elements kind is already objects. */
export function objectList<T>(): T[] {
  const list: unknown[] = [PLACEHOLDER];
  list.pop();
  return list as T[];
}

const PLACEHOLDER = Object.freeze({});
