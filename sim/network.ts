/**
 * The simulated network between nodes: latency, loss, duplication and partitions. It decides the fate of
 * each message (dropped, delivered once, or delivered twice, and after how long); the simulation schedules
 * the deliveries. Reordering falls out of independent per-copy latencies.
 */
import { assert } from './assert.js';
import type { Prng } from './prng.js';

/** Knobs whose zero value means "no fault" (probabilities are per-mille, exact). */
export interface NetworkOptions {
  readonly latencyMsMin: number;
  readonly latencyMsMax: number;
  /** Chance that a message is dropped, per 1000. */
  readonly lossPerMille: number;
  /** Chance that a delivered message is delivered a second time, per 1000. */
  readonly duplicatePerMille: number;
  /** Chance that a copy takes a long detour (up to `longDelayMsMax`), per 1000: heavy reordering. */
  readonly longDelayPerMille: number;
  readonly longDelayMsMax: number;
}

export const RELIABLE_NETWORK: NetworkOptions = Object.freeze({
  latencyMsMin: 1,
  latencyMsMax: 5,
  lossPerMille: 0,
  duplicatePerMille: 0,
  longDelayPerMille: 0,
  longDelayMsMax: 0,
});

export class Network {
  /** blocked[from * stride + to] = 1 when messages from `from` to `to` are cut. Node ids are 1-based. */
  private readonly blocked: Uint8Array;
  private readonly stride: number;
  private options: NetworkOptions;
  /** Delays of the copies decided by the last {@link route} call. */
  readonly delays: number[] = [0, 0];

  constructor(
    readonly nodeCount: number,
    options: NetworkOptions,
    private readonly prng: Prng,
  ) {
    this.stride = nodeCount + 1;
    this.blocked = new Uint8Array(this.stride * this.stride);
    this.options = validate(options);
  }

  get settings(): NetworkOptions {
    return this.options;
  }

  setOptions(options: NetworkOptions): void {
    this.options = validate(options);
  }

  /**
   * Decides the fate of one message: returns how many copies arrive (0, 1 or 2) and leaves their delays in
   * {@link delays}. Draws from the PRNG only for faults that are switched on.
   */
  route(from: number, to: number): number {
    if (this.isBlocked(from, to)) return 0;
    const o = this.options;
    if (this.prng.chance(o.lossPerMille, 1000)) return 0;
    this.delays[0] = this.latency();
    if (!this.prng.chance(o.duplicatePerMille, 1000)) return 1;
    this.delays[1] = this.latency();
    return 2;
  }

  /** One delay for a message on an unpartitioned path (client traffic uses this too). */
  latency(): number {
    const o = this.options;
    if (this.prng.chance(o.longDelayPerMille, 1000)) return this.prng.range(o.latencyMsMax, Math.max(o.latencyMsMax, o.longDelayMsMax));
    return this.prng.range(o.latencyMsMin, o.latencyMsMax);
  }

  /** Whether a message from a client reaches its node (clients see loss, not partitions). */
  clientMessageArrives(): boolean {
    return !this.prng.chance(this.options.lossPerMille, 1000);
  }

  isBlocked(from: number, to: number): boolean {
    return this.blocked[from * this.stride + to] === 1;
  }

  /** Cuts one direction of one link (an asymmetric partition when only one direction is cut). */
  block(from: number, to: number): void {
    this.checkNode(from);
    this.checkNode(to);
    this.blocked[from * this.stride + to] = 1;
  }

  /**
   * Splits the cluster into groups that cannot talk to each other. Nodes missing from every group are
   * isolated on their own.
   */
  partition(groups: readonly (readonly number[])[]): void {
    const groupOf = new Int32Array(this.stride).fill(-1);
    groups.forEach((group, g) => {
      for (const node of group) {
        this.checkNode(node);
        assert(groupOf[node] === -1, `node ${node} is in two partition groups`);
        groupOf[node] = g;
      }
    });
    for (let a = 1; a <= this.nodeCount; a++) {
      for (let b = 1; b <= this.nodeCount; b++) {
        const ga = groupOf[a] as number;
        const together = a === b || (ga !== -1 && ga === groupOf[b]);
        this.blocked[a * this.stride + b] = together ? 0 : 1;
      }
    }
  }

  /** Cuts every link between the two sides; the bridge (in neither side) keeps talking to all. */
  bridge(bridgeNode: number, sides: readonly [readonly number[], readonly number[]]): void {
    this.checkNode(bridgeNode);
    this.heal();
    for (const a of sides[0]) {
      for (const b of sides[1]) {
        assert(a !== bridgeNode && b !== bridgeNode, `bridge node ${bridgeNode} cannot be on a side`);
        this.block(a, b);
        this.block(b, a);
      }
    }
  }

  /** Restores every link. */
  heal(): void {
    this.blocked.fill(0);
  }

  private checkNode(node: number): void {
    assert(Number.isInteger(node) && node >= 1 && node <= this.nodeCount, `no node ${node} in the network`);
  }
}

function validate(o: NetworkOptions): NetworkOptions {
  assert(Number.isInteger(o.latencyMsMin) && o.latencyMsMin >= 0, 'latencyMsMin must be an integer >= 0');
  assert(Number.isInteger(o.latencyMsMax) && o.latencyMsMax >= o.latencyMsMin, 'latencyMsMax must be >= latencyMsMin');
  for (const name of ['lossPerMille', 'duplicatePerMille', 'longDelayPerMille'] as const) {
    const value = o[name];
    assert(Number.isInteger(value) && value >= 0 && value <= 1000, `${name} must be an integer in [0, 1000]`);
  }
  assert(Number.isInteger(o.longDelayMsMax) && o.longDelayMsMax >= 0, 'longDelayMsMax must be an integer >= 0');
  assert(o.longDelayPerMille === 0 || o.longDelayMsMax >= o.latencyMsMax, 'longDelayMsMax must be >= latencyMsMax when long delays are on');
  return o;
}
