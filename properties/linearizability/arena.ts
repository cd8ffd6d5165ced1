/**
 * One buffer for a partition search's many small typed arrays. A typed array of more than a few dozen bytes gets
 * a backing store of its own outside the JavaScript heap (an allocation, zeroing, and external memory the collector
 * tracks); a search over a hundred operations made about forty of them per partition, three partitions per run.
 * Views into one zeroed buffer cost one such allocation. A request beyond the capacity gets an array of its own,
 * so a wrong size estimate costs speed, never correctness. Views never overlap: each request takes fresh bytes.
 * A check carves all its partitions' searches from one arena, on a buffer it hands on to the next check.
 */
export class TypedArena {
  private readonly buffer: ArrayBuffer;
  /** Next free byte. Requests align it to their element size first. */
  private offset = 0;

  /**
   * `bytes`: the capacity; the sum of the requests' sizes plus their alignment (3 bytes after each 1-byte request,
   * 4 before each 8-byte one). `reuse`: a buffer of at least `bytes` to carve from instead of a new one (its first
   * `bytes` are zeroed first); it must no longer back any array in use.
   */
  constructor(bytes: number, reuse?: ArrayBuffer) {
    if (reuse === undefined || reuse.byteLength < bytes) {
      this.buffer = new ArrayBuffer(bytes);
    } else {
      new Uint8Array(reuse, 0, bytes).fill(0);
      this.buffer = reuse;
    }
  }

  /** The buffer the arrays are carved from (to lend to a later arena once none of them is in use). */
  get backing(): ArrayBuffer {
    return this.buffer;
  }

  /** A zeroed Int32Array of `length`. */
  int32(length: number): Int32Array {
    const at = this.take(length * 4, 4);
    return at < 0 ? new Int32Array(length) : new Int32Array(this.buffer, at, length);
  }

  /** A zeroed Uint32Array of `length`. */
  uint32(length: number): Uint32Array {
    const at = this.take(length * 4, 4);
    return at < 0 ? new Uint32Array(length) : new Uint32Array(this.buffer, at, length);
  }

  /** A zeroed Float64Array of `length`. */
  float64(length: number): Float64Array {
    const at = this.take(length * 8, 8);
    return at < 0 ? new Float64Array(length) : new Float64Array(this.buffer, at, length);
  }

  /** A zeroed Uint8Array of `length`. */
  uint8(length: number): Uint8Array {
    const at = this.take(length, 1);
    return at < 0 ? new Uint8Array(length) : new Uint8Array(this.buffer, at, length);
  }

  /** The offset of `bytes` fresh bytes aligned to `align`, or -1 when they do not fit. */
  private take(bytes: number, align: number): number {
    const at = Math.ceil(this.offset / align) * align;
    if (at + bytes > this.buffer.byteLength) return -1;
    this.offset = at + bytes;
    return at;
  }
}
