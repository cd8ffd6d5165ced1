/**
 * The simulator's agenda, ordered by (time, insertion sequence): equal times break ties by insertion
 * order, so the order of events is a pure function of the order they were scheduled in.
 *
 * Most events land within a second of now (ticks, message deliveries, timeouts), so the queue is a calendar
 * queue: a ring of one FIFO bucket per millisecond over a window of {@link WINDOW_MS} ms from now (each bucket a
 * list threaded through a slab of slots), plus a binary heap for the rare events beyond the window. A bucket only ever holds one time (the window never
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
/** No slot: the end of a bucket's list, or an empty bucket. */
const NONE = -1;
const SLOTS_INITIAL = 1024;

/**
 * The ring's events live in a slab of slots; each bucket is a FIFO list threaded through the slots by index.
 * Flat typed arrays instead of a bucket object with an array of its own per millisecond: a push or pop touched
 * the ring, the bucket, its array and the array's backing store, four scattered loads per event (push was ~4% of
 * a full-pipeline run, mostly cache misses); now it is the bucket's head or tail slot and the slab.
 */
export class EventQueue<E extends Scheduled> {
  /** First and last slot of each millisecond's list, NONE when empty. Invariant: head NONE iff tail NONE. */
  private readonly bucketHead = new Int32Array(WINDOW_MS).fill(NONE);
  private readonly bucketTail = new Int32Array(WINDOW_MS).fill(NONE);
  /** The event in each slot (undefined when free), and the next slot of its bucket's list. */
  private slab: (E | undefined)[] = new Array<E | undefined>(SLOTS_INITIAL).fill(undefined);
  private nextSlot = new Int32Array(SLOTS_INITIAL).fill(NONE);
  /** Free slots, a stack: `freeSlots[0, freeCount)`, the lowest slot on top. */
  private freeSlots = descendingSlots(SLOTS_INITIAL, 0);
  private freeCount = SLOTS_INITIAL;
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
      if (this.freeCount === 0) this.grow();
      const slot = this.freeSlots[--this.freeCount] as number;
      this.slab[slot] = event;
      this.nextSlot[slot] = NONE;
      const b = event.atMs & MASK;
      const tail = this.bucketTail[b] as number;
      if (tail === NONE) this.bucketHead[b] = slot;
      else this.nextSlot[tail] = slot;
      this.bucketTail[b] = slot;
      this.ringCount++;
    } else heapPush(this.far, event);
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): E | undefined {
    const b = this.nextBucket();
    const farTop = this.far[0];
    let event: E;
    const head = b === NONE ? NONE : (this.bucketHead[b] as number);
    if (head !== NONE && (farTop === undefined || before(this.slab[head] as E, farTop))) {
      event = this.slab[head] as E;
      this.slab[head] = undefined;
      const next = this.nextSlot[head] as number;
      this.bucketHead[b] = next;
      if (next === NONE) this.bucketTail[b] = NONE;
      this.freeSlots[this.freeCount++] = head;
      this.ringCount--;
    } else if (farTop !== undefined) {
      event = heapPop(this.far);
    } else return undefined;
    this.nowMs = event.atMs;
    return event;
  }

  peekTime(): number | undefined {
    const b = this.nextBucket();
    const ringTime = b === NONE ? undefined : (this.slab[this.bucketHead[b] as number] as E).atMs;
    const farTime = this.far[0]?.atMs;
    if (ringTime === undefined) return farTime;
    return farTime === undefined || ringTime <= farTime ? ringTime : farTime;
  }

  /** The ring index of the first non-empty bucket at or after now, or NONE when the ring is empty. */
  private nextBucket(): number {
    if (this.ringCount === 0) return NONE;
    const heads = this.bucketHead;
    for (let t = this.nowMs; ; t++) {
      const b = t & MASK;
      if (heads[b] !== NONE) return b;
    }
  }

  /** Doubles the slab when every slot holds an event (a run needs a few hundred at once; the bound is the run's). */
  private grow(): void {
    const size = this.slab.length;
    const slab = new Array<E | undefined>(size * 2).fill(undefined);
    for (let i = 0; i < size; i++) slab[i] = this.slab[i];
    this.slab = slab;
    const next = new Int32Array(size * 2).fill(NONE);
    next.set(this.nextSlot);
    this.nextSlot = next;
    // Every old slot is taken (that is why it grows): the new ones are free, lowest on top.
    this.freeSlots = descendingSlots(size * 2, size);
    this.freeCount = size;
  }
}

/**
 * A stack of free slots `count - 1` down to `from` (the lowest on top), in an Int32Array of `count`. A plain loop:
 * `Int32Array.from` with a mapping callback cost ~1% of a run, since every run builds a queue.
 */
function descendingSlots(count: number, from: number): Int32Array {
  const slots = new Int32Array(count);
  for (let i = 0, slot = count - 1; slot >= from; i++, slot--) slots[i] = slot;
  return slots;
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
