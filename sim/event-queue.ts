/**
 * The simulator's agenda, ordered by (time, insertion sequence): equal times break ties by insertion
 * order, so the order of events is a pure function of the order they were scheduled in.
 *
 * Most events land within a second of now (ticks, message deliveries, timeouts), so the queue is a calendar
 * queue: a ring of one FIFO bucket per millisecond over a window of {@link WINDOW_MS} ms from now, plus a
 * binary heap for the rare events beyond the window. A bucket only ever holds one time (the window never
 * spans more than its size), and FIFO order within a bucket is insertion order, so comparing the next
 * bucket's head with the heap's top yields exactly the (time, sequence) order — in O(1) for the common case.
 */
import { assert, assertFail } from './assert.js';

export interface Scheduled {
  /** Simulated time in integer ms. */
  readonly atMs: number;
  /** Insertion sequence, assigned by the queue. */
  seq: number;
}

/** Ring size in ms; a power of two. */
const WINDOW_MS = 1024;
const MASK = WINDOW_MS - 1;

/**
 * One millisecond's FIFO: `items[head..tail)`. Emptied by resetting the indexes, never by truncating the array:
 * setting an array's length is a runtime call, and a truncated array regrows (reallocates) on the next push.
 */
interface Bucket<E> {
  items: (E | undefined)[];
  head: number;
  tail: number;
}

export class EventQueue<E extends Scheduled> {
  private readonly ring: Bucket<E>[] = Array.from({ length: WINDOW_MS }, () => ({ items: [], head: 0, tail: 0 }));
  /** Events in the ring. */
  private ringCount = 0;
  /** Events at or beyond nowMs + WINDOW_MS when pushed: a binary min-heap on (atMs, seq). */
  private readonly far: E[] = [];
  private nextSeq = 0;
  /** Invariant: nothing is ever scheduled before the last popped event's time. */
  private nowMs = 0;

  get size(): number {
    return this.ringCount + this.far.length;
  }

  get now(): number {
    return this.nowMs;
  }

  push(event: E): void {
    if (!(Number.isInteger(event.atMs))) assertFail(`event time must be an integer ms, got ${event.atMs}`);
    if (!(event.atMs >= this.nowMs)) assertFail(`event scheduled in the past: ${event.atMs} < ${this.nowMs}`);
    event.seq = this.nextSeq++;
    if (event.atMs < this.nowMs + WINDOW_MS) {
      const bucket = this.ring[event.atMs & MASK] as Bucket<E>;
      if (bucket.tail === bucket.items.length) bucket.items.push(event);
      else bucket.items[bucket.tail] = event;
      bucket.tail++;
      this.ringCount++;
    } else heapPush(this.far, event);
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): E | undefined {
    const bucket = this.nextBucket();
    const farTop = this.far[0];
    let event: E;
    if (bucket !== undefined && (farTop === undefined || before(bucket.items[bucket.head] as E, farTop))) {
      event = bucket.items[bucket.head] as E;
      bucket.items[bucket.head] = undefined;
      if (++bucket.head === bucket.tail) {
        bucket.head = 0;
        bucket.tail = 0;
      }
      this.ringCount--;
    } else if (farTop !== undefined) {
      event = heapPop(this.far);
    } else return undefined;
    this.nowMs = event.atMs;
    return event;
  }

  peekTime(): number | undefined {
    const bucket = this.nextBucket();
    const ringTime = bucket === undefined ? undefined : (bucket.items[bucket.head] as E).atMs;
    const farTime = this.far[0]?.atMs;
    if (ringTime === undefined) return farTime;
    return farTime === undefined || ringTime <= farTime ? ringTime : farTime;
  }

  /** The first non-empty bucket at or after now, if any. */
  private nextBucket(): Bucket<E> | undefined {
    if (this.ringCount === 0) return undefined;
    for (let t = this.nowMs; ; t++) {
      const bucket = this.ring[t & MASK] as Bucket<E>;
      if (bucket.head < bucket.tail) return bucket;
    }
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

function heapPush<E extends Scheduled>(heap: E[], event: E): void {
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

function heapPop<E extends Scheduled>(heap: E[]): E {
  const top = heap[0] as E;
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
  return top;
}
