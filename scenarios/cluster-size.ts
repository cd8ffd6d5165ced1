/**
 * The cluster size of a run: 1 to 7 nodes, even sizes included. Unless a size is given, the swarm draws one per
 * seed from a PRNG stream of its own (`cluster-size`), so drawing it never shifts any other draw of the run, and
 * the same seed always gets the same size (repro lines still name it, so a repro never depends on this table).
 */
import { Prng } from '../sim/prng.js';

/** The smallest and largest clusters Seaworthy runs. A 1-node cluster is legal Raft: it elects itself and commits alone. */
export const NODES_MIN = 1;
export const NODES_MAX = 7;

/**
 * Shares of each drawn size, out of 32. Five nodes keep most seeds (20 of 32): the rare interleavings the
 * default swarm finds on 5 nodes (a deposed leader serving reads, a vote cleared within a term) come at about
 * one seed in 100 to 200 there, and an even spread over 1..7 lost three of them within 300 seeds of the mutation
 * corpus. Even sizes get 6 of 32 seeds: quorum arithmetic right only for odd sizes (ceil(n / 2) is a majority
 * of 3 and 5, not of 2, 4 or 6) fails at the first seed of any even size, so a small share finds it early.
 * 1 node (the one-voter paths) and 7 (three nodes down) now and then.
 */
const SIZE_SHARES: readonly (readonly [nodes: number, shares: number])[] = [
  [1, 1],
  [2, 1],
  [3, 3],
  [4, 3],
  [5, 20],
  [6, 2],
  [7, 2],
];

/** One entry per share, so a uniform pick is the weighted draw. */
const DRAWN_SIZES: readonly number[] = Object.freeze(SIZE_SHARES.flatMap(([nodes, shares]) => Array.from({ length: shares }, () => nodes)));

/** The cluster size the swarm draws for `seed`. Pure. */
export function drawnNodeCount(seed: number): number {
  return Prng.forRun(seed).fork('cluster-size').pick(DRAWN_SIZES);
}

/** The size a run uses: the one given, else the one drawn for its seed. */
export function nodeCountOf(config: { readonly seed: number; readonly nodeCount?: number | undefined }): number {
  return config.nodeCount ?? drawnNodeCount(config.seed);
}
