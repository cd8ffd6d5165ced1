/**
 * Probe combinations in a compact, mergeable form. The distinct-combination count of a batch cannot be added
 * up from its shards' counts (two shards may reach the same combination), so a shard's summary lists the
 * combinations themselves; as a hexadecimal bit set over `PROBES` (bit i: the i-th probe was hit), each is a
 * few characters instead of the few hundred of the `+`-joined names.
 */
import { PROBES } from '../properties/probes.js';

/** The combination hit by a run (or a batch) with these probe counts, as a hex bit set. */
export function probeCombinationKey(counts: Readonly<Record<string, number>>): string {
  let mask = 0n;
  PROBES.forEach((p, i) => {
    if ((counts[p.name] ?? 0) > 0) mask |= 1n << BigInt(i);
  });
  return mask.toString(16);
}
