/**
 * The Ready objects a node hands out, and the reuse of them a caller may opt into (`RaftNodeOptions.reuseReady`).
 *
 * A node makes a Ready for nearly every input that changes something (~4 300 a run of the simulator), each an object
 * of seven fields and, most often, an array of one to four messages: about a fifth of what a run allocates. A caller
 * that never keeps a Ready or its messages array past `advance()` (the simulator's host) can have the node hand out
 * the same Ready object and the same message arrays again, refilled; every other caller (tests, transcripts,
 * adapters, anyone calling `ready()` directly) gets fresh objects, as the public contract has always promised.
 */
import type { Entry, HardState, Message, ReadState, Ready, Snapshot, SoftState } from './types.js';

/** A Ready whose fields the node may refill. Structurally a Ready; only ready-reuse.ts writes to it. */
interface MutableReady {
  entries: readonly Entry[];
  messages: readonly Message[];
  committedEntries: readonly Entry[];
  readStates: readonly ReadState[] | undefined;
  softState: SoftState | undefined;
  hardState: HardState | undefined;
  snapshot: Snapshot | undefined;
}

/**
 * Every Ready as one object shape: all seven fields, in one order, the optional ones undefined when there is
 * nothing to report (the contract treats undefined as absent). A Ready per optional-field combination made up to
 * eight hidden classes, so the host's reads of every Ready field were polymorphic or megamorphic loads. The reused
 * Ready is made here too, so fresh and reused Readys share that one shape.
 */
export function makeReady(
  entries: readonly Entry[],
  messages: readonly Message[],
  committedEntries: readonly Entry[],
  readStates: readonly ReadState[] | undefined,
  softState: SoftState | undefined,
  hardState: HardState | undefined,
  snapshot: Snapshot | undefined,
): Ready {
  const ready: MutableReady = { entries, messages, committedEntries, readStates, softState, hardState, snapshot };
  return ready;
}

/**
 * One node's reused Ready and message arrays. The arrays are kept per count (one, two and four messages: a reply, a
 * pair, a broadcast to the four followers of a 5-node cluster, most Readys' messages) rather than one array resized:
 * a store to an array's `length` is a runtime call in V8 even when it does not change the length. Other counts get
 * a fresh array. The arrays are made as literals of the count's size, so they have the same elements kind (objects)
 * and map as the fresh literals a node without reuse hands out. Their slots keep the last messages until refilled:
 * those are in flight in the network anyway, and clearing them would cost a store per message.
 */
export class ReusedReady {
  private readonly ready: MutableReady;
  private readonly one: (Message | undefined)[] = [undefined];
  private readonly two: (Message | undefined)[] = [undefined, undefined];
  private readonly four: (Message | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(noEntries: readonly Entry[], noMessages: readonly Message[]) {
    this.ready = makeReady(noEntries, noMessages, noEntries, undefined, undefined, undefined, undefined) as MutableReady;
  }

  /** The one-message array, holding `m`. */
  messages1(m: Message): readonly Message[] {
    const list = this.one;
    list[0] = m;
    return list as readonly Message[];
  }

  /** The two-message array, holding `a`, `b`. */
  messages2(a: Message, b: Message): readonly Message[] {
    const list = this.two;
    list[0] = a;
    list[1] = b;
    return list as readonly Message[];
  }

  /** The four-message array, holding `a`, `b`, `c`, `d`. */
  messages4(a: Message, b: Message, c: Message, d: Message): readonly Message[] {
    const list = this.four;
    list[0] = a;
    list[1] = b;
    list[2] = c;
    list[3] = d;
    return list as readonly Message[];
  }

  /** The reused Ready, refilled with these fields (every field written: nothing of the previous Ready shows through). */
  fill(
    entries: readonly Entry[],
    messages: readonly Message[],
    committedEntries: readonly Entry[],
    readStates: readonly ReadState[] | undefined,
    softState: SoftState | undefined,
    hardState: HardState | undefined,
    snapshot: Snapshot | undefined,
  ): Ready {
    const ready = this.ready;
    ready.entries = entries;
    ready.messages = messages;
    ready.committedEntries = committedEntries;
    ready.readStates = readStates;
    ready.softState = softState;
    ready.hardState = hardState;
    ready.snapshot = snapshot;
    return ready;
  }
}
