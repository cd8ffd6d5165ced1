/**
 * The simulator's agenda: a binary min-heap of events ordered by (time, insertion sequence). Equal times
 * break ties by insertion order, so the order of events is a pure function of the order they were
 * scheduled in.
 */
import { assert } from './assert.js';

export interface Scheduled {
  /** Simulated time in integer ms. */
  readonly atMs: number;
  /** Insertion sequence, assigned by the queue. */
  seq: number;
}

export class EventQueue<E extends Scheduled> {
  private readonly heap: E[] = [];
  private nextSeq = 0;
  /** Invariant: nothing is ever scheduled before the last popped event's time. */
  private nowMs = 0;

  get size(): number {
    return this.heap.length;
  }

  get now(): number {
    return this.nowMs;
  }

  push(event: E): void {
    assert(Number.isInteger(event.atMs), `event time must be an integer ms, got ${event.atMs}`);
    assert(event.atMs >= this.nowMs, `event scheduled in the past: ${event.atMs} < ${this.nowMs}`);
    event.seq = this.nextSeq++;
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as E;
      if (!before(event, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as E;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        let child = left;
        if (right < n && before(heap[right] as E, heap[left] as E)) child = right;
        const c = heap[child] as E;
        if (!before(c, last)) break;
        heap[i] = c;
        i = child;
      }
      heap[i] = last;
    }
    this.nowMs = top.atMs;
    return top;
  }

  peekTime(): number | undefined {
    return this.heap[0]?.atMs;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
