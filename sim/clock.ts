/**
 * Node clocks: how far apart a node's ticks are in simulated time. Real oscillators run fast or slow
 * (skew, fixed per node) and their rate wanders with temperature and load (drift); Raft's timeouts are
 * counted in local ticks, so a fast node times out early and a slow leader's heartbeats arrive late.
 * Raft's safety never depends on clocks; its liveness needs them to be roughly right (thesis §3.4, §6.4.1
 * on bounded clock drift for leases).
 */
import { assert, assertFail } from './assert.js';
import type { Prng } from './prng.js';

/** Knobs whose zero value means "perfect clocks" (every node ticks exactly every tickMs). */
export interface ClockOptions {
  /** Each node's fixed rate error s, drawn once per node uniformly in [-max, +max], per 1000. */
  readonly skewPerMilleMax: number;
  /** A slowly wandering rate error d, re-drawn uniformly in [-max, +max] every `driftTicks` ticks, per 1000. */
  readonly driftPerMilleMax: number;
  /** Ticks between two re-draws of the drift; absent: {@link DRIFT_TICKS_DEFAULT}. */
  readonly driftTicks?: number;
}

export const PERFECT_CLOCKS: ClockOptions = Object.freeze({ skewPerMilleMax: 0, driftPerMilleMax: 0 });

export const DRIFT_TICKS_DEFAULT = 100;

/** Bound on |skew| + |drift|: a clock at least half and at most one and a half times the true rate. */
export const RATE_ERROR_PER_MILLE_MAX = 500;

/** Whether `options` describe clocks that are not all perfect. */
export function clocksAreImperfect(options: ClockOptions | undefined): boolean {
  return options !== undefined && (options.skewPerMilleMax > 0 || options.driftPerMilleMax > 0);
}

/**
 * The tick clocks of a cluster. A node's tick interval is tickMs * (1000 + s + d) / 1000 ms with s its skew
 * and d its current drift; the fractional part is carried in a per-node accumulator (in 1/1000 ms), so
 * over many ticks the node ticks at exactly that rate while every single interval is a whole ms >= 1.
 */
export class NodeClocks {
  /** Per node (1-based): fixed skew, per 1000. */
  private readonly skew: Int32Array;
  /** Per node: current drift, per 1000. */
  private readonly drift: Int32Array;
  /** Per node: intervals left before the drift is re-drawn. */
  private readonly driftLeft: Int32Array;
  /** Invariant: 0 <= carry[node] < 1000, the fraction of a ms owed to the node's next interval, in 1/1000 ms. */
  private readonly carry: Int32Array;
  private readonly driftTicks: number;
  private readonly driftMax: number;
  /** Drift streams, one per node, so one node's ticking never shifts another node's clock. */
  private readonly driftPrngs: readonly Prng[];

  /** @param prng a stream of the clocks' own (fork 'clock' off the run's root); drawn from only when on. */
  constructor(
    readonly nodeCount: number,
    readonly tickMs: number,
    options: ClockOptions,
    prng: Prng,
  ) {
    validate(options);
    if (!(Number.isInteger(tickMs) && tickMs >= 1)) assertFail(`tickMs must be an integer >= 1, got ${tickMs}`);
    this.driftTicks = options.driftTicks ?? DRIFT_TICKS_DEFAULT;
    this.driftMax = options.driftPerMilleMax;
    this.skew = new Int32Array(nodeCount + 1);
    this.drift = new Int32Array(nodeCount + 1);
    this.driftLeft = new Int32Array(nodeCount + 1);
    this.carry = new Int32Array(nodeCount + 1);
    const skewPrng = prng.fork('skew');
    const drifts: Prng[] = [];
    for (let node = 1; node <= nodeCount; node++) {
      if (options.skewPerMilleMax > 0) this.skew[node] = skewPrng.range(-options.skewPerMilleMax, options.skewPerMilleMax);
      if (this.driftMax > 0) drifts.push(prng.fork(`drift/${node}`));
    }
    this.driftPrngs = drifts;
  }

  /** The node's current rate error (skew + drift), per 1000: positive means it ticks slower than true time. */
  ratePerMille(node: number): number {
    return (this.skew[node] as number) + (this.drift[node] as number);
  }

  /** The node's fixed skew, per 1000. */
  skewPerMille(node: number): number {
    return this.skew[node] as number;
  }

  /** Simulated ms until the node's next tick. Draws only when drift is on, once every `driftTicks` calls. */
  nextIntervalMs(node: number): number {
    if (this.driftMax > 0) {
      const left = this.driftLeft[node] as number;
      if (left === 0) {
        this.drift[node] = (this.driftPrngs[node - 1] as Prng).range(-this.driftMax, this.driftMax);
        this.driftLeft[node] = this.driftTicks - 1;
      } else {
        this.driftLeft[node] = left - 1;
      }
    }
    const thousandths = this.tickMs * (1000 + this.ratePerMille(node)) + (this.carry[node] as number);
    const intervalMs = Math.floor(thousandths / 1000);
    if (intervalMs < 1) {
      // Only when tickMs is 1 and the clock runs fast: one ms is the finest the event queue can do.
      this.carry[node] = 0;
      return 1;
    }
    this.carry[node] = thousandths - intervalMs * 1000;
    return intervalMs;
  }
}

function validate(o: ClockOptions): void {
  for (const name of ['skewPerMilleMax', 'driftPerMilleMax'] as const) {
    const value = o[name];
    if (!(Number.isInteger(value) && value >= 0)) assertFail(`${name} must be an integer >= 0, got ${value}`);
  }
  assert(
    o.skewPerMilleMax + o.driftPerMilleMax <= RATE_ERROR_PER_MILLE_MAX,
    `skewPerMilleMax + driftPerMilleMax must be <= ${RATE_ERROR_PER_MILLE_MAX}, got ${o.skewPerMilleMax + o.driftPerMilleMax}`,
  );
  const driftTicks = o.driftTicks ?? DRIFT_TICKS_DEFAULT;
  if (!(Number.isInteger(driftTicks) && driftTicks >= 1)) assertFail(`driftTicks must be an integer >= 1, got ${driftTicks}`);
}
