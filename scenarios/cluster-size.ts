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
 * The drawn sizes, one entry per share (16 shares): mostly 3 to 5, where every fault shape fits and
 * crashes are allowed (f >= 1); even sizes (2, 4, 6) in 7 of 16 seeds, because that is where quorum arithmetic
 * that is right only for odd sizes shows (ceil(n / 2) is a majority of 3 and 5, not of 4); 1 and 7 at the edges
 * now and then (a lone node exercises the one-voter paths; 7 allows three nodes down).
 */
const DRAWN_SIZES: readonly number[] = Object.freeze([1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 7, 7]);

/** The cluster size the swarm draws for `seed`. Pure. */
export function drawnNodeCount(seed: number): number {
  return Prng.forRun(seed).fork('cluster-size').pick(DRAWN_SIZES);
}

/** The size a run uses: the one given, else the one drawn for its seed. */
export function nodeCountOf(config: { readonly seed: number; readonly nodeCount?: number | undefined }): number {
  return config.nodeCount ?? drawnNodeCount(config.seed);
}
