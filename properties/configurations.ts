/**
 * The configuration at every position of every node's persisted log, from observed facts only (Raft thesis §4.1:
 * a server uses the latest configuration in its log, committed or not). The configuration at a log position is the
 * one the latest configuration entry at or before it carries (entries carry the whole configuration, see
 * core/configuration.ts), else the bootstrap configuration: the run's initial nodes, all voters. A node that
 * joined with an empty disk (a `join` fact) has no bootstrap configuration: until a configuration entry names it
 * its log carries none, and it may neither vote nor lead.
 *
 * Checkers never ask an implementation what its configuration is; they read it here, where it comes from the
 * entries the host saw reach the disks. Cost: one character test per persisted entry (configuration entries start
 * with `conf:`, or `Y29uZj` in base64, client commands with `{`, no-ops are empty), so runs without membership changes pay next to
 * nothing; {@link Configurations.changed} tells the checkers when they can keep their fixed-cluster fast path.
 */
import { allVoters, decodeConfEntry, isConfEntryData, isJoint, simpleConfiguration } from '../core/configuration.js';
import { fromBase64, isCanonicalBase64 } from '../sim/contract-options.js';
import type { Configuration } from '../core/configuration.js';
import type { Entry, NodeId } from '../sim/contract.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';

export type { Configuration } from '../core/configuration.js';

/** Code of `c`, the first character of `conf:`: the cheap test before the prefix comparison. */
const CONF_FIRST_CHAR = 0x63;
/** Code of `Y`, the first character of `conf:` in base64 (`Y29uZj…`), for implementations with `entryData: 'base64'`. */
const CONF_BASE64_FIRST_CHAR = 0x59;
/** How every base64 text of `conf:` + anything starts. */
const CONF_BASE64_PREFIX = 'Y29uZj';

/**
 * The text of a configuration entry's data (`conf:` + JSON), whether the implementation hands the host text or,
 * with `entryData: 'base64'`, the base64 of that text (docs/contract.md: the entry's bytes are the text); undefined
 * for any other entry. Client commands start with `{` (base64 `eyJ`) and no-ops are empty, so the first character
 * settles almost every entry.
 */
export function confEntryText(data: string): string | undefined {
  // A no-op's '' first: its charCodeAt(0) reads out of bounds, a path that deoptimizes optimized callers when first met.
  if (data.length === 0) return undefined;
  const first = data.charCodeAt(0);
  if (first === CONF_FIRST_CHAR) return isConfEntryData(data) ? data : undefined;
  if (first !== CONF_BASE64_FIRST_CHAR || !data.startsWith(CONF_BASE64_PREFIX) || !isCanonicalBase64(data)) return undefined;
  const text = fromBase64(data);
  return text !== undefined && isConfEntryData(text) ? text : undefined;
}

/** Position in `entries` of the first configuration entry, or `entries.length` when there is none. */
function firstConfEntry(entries: readonly Entry[]): number {
  for (let k = 0; k < entries.length; k++) {
    const data = (entries[k] as Entry).data;
    // The first-character test inline: a restart hands over the whole stored log, and V8 does not inline
    // confEntryText here, so a call per entry was most of this scan's cost.
    // Length first, as in confEntryText: no-ops are ''.
    const first = data.length === 0 ? 0 : data.charCodeAt(0);
    if ((first === CONF_FIRST_CHAR || first === CONF_BASE64_FIRST_CHAR) && confEntryText(data) !== undefined) return k;
  }
  return entries.length;
}

/** A configuration entry found malformed in a persisted log. */
export interface MalformedConfEntry {
  readonly node: NodeId;
  readonly index: number;
  readonly term: number;
  /** What {@link decodeConfEntry} found wrong with it. */
  readonly problem: string;
}

/** The configuration entries of one node's persisted log. */
class NodeConfigurationLog {
  /** Positions of the well-formed configuration entries, ascending. Invariant: same length as `configs`, `terms`. */
  readonly indexes: number[] = [];
  readonly terms: number[] = [];
  readonly configs: Configuration[] = [];
  /** The configuration before the first entry: the bootstrap one, or null for a node that joined empty. */
  initial: Configuration | null;

  constructor(initial: Configuration | null) {
    this.initial = initial;
  }

  /** Forgets the configuration entries at `index` and beyond (the log is replaced from there). */
  truncateFrom(index: number): void {
    const indexes = this.indexes;
    while (indexes.length > 0 && (indexes[indexes.length - 1] as number) >= index) {
      indexes.pop();
      this.terms.pop();
      this.configs.pop();
    }
  }

  /** Position in `indexes` of the last configuration entry at or before `index`, or -1 (binary search). */
  positionAt(index: number): number {
    const indexes = this.indexes;
    let lo = -1;
    let hi = indexes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((indexes[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  at(index: number): Configuration | null {
    const k = this.positionAt(index);
    return k < 0 ? this.initial : (this.configs[k] as Configuration);
  }
}

/** How the run's implementation puts configurations in force (contract version 2's `configurations`). */
export interface ConfigurationOptions {
  /**
   * True for `configurations: 'applied'` (etcd): a node counts in a configuration once it has applied its entry,
   * so until then it still counts in the configuration before it. Checkers then also accept that one.
   */
  readonly appliedInForce?: boolean;
}

/**
 * Every node's configurations, fed each persist, restart and join fact once, in order (other facts are ignored).
 * A fact must be fed here before any checker reads the configurations for it.
 */
export class Configurations {
  /** The bootstrap configuration: every initial node a voter. Null for a run with no initial node (tests). */
  readonly bootstrap: Configuration | null;
  /** See {@link ConfigurationOptions.appliedInForce}. */
  readonly appliedInForce: boolean;
  /**
   * Whether any configuration entry (well formed or not) has reached a disk, or a node has joined: from then on the
   * cluster may not be the bootstrap one, and checkers leave their fixed-cluster fast path for good.
   */
  changed = false;
  /** The malformed configuration entries the last persist or restart fact carried (empty: none). */
  readonly malformed: MalformedConfEntry[] = [];
  private readonly logs: (NodeConfigurationLog | undefined)[] = [];
  /** Position = node id: whether the node joined with an empty disk. */
  private readonly joined: boolean[] = [];
  /** Position = node id: whether the node was retired (stopped for good). */
  private readonly retired: boolean[] = [];
  /** Each distinct configuration entry text seen, decoded (bounded by the run's configuration entries). */
  private readonly decoded = new Map<string, Configuration | string | undefined>();

  /** `nodeIds`: the run's initial nodes, the bootstrap configuration's voters. */
  constructor(nodeIds: readonly NodeId[], options: ConfigurationOptions = {}) {
    this.bootstrap = nodeIds.length === 0 ? null : simpleConfiguration(nodeIds);
    this.appliedInForce = options.appliedInForce === true;
  }

  observe(fact: Fact): void {
    switch (fact.kind) {
      case 'persist':
        this.observePersist(fact);
        return;
      case 'restart':
        this.observeRestart(fact);
        return;
      case 'join':
        this.changed = true;
        this.joined[fact.node] = true;
        // A fresh disk: whatever an earlier process of this id stored is gone.
        this.logs[fact.node] = new NodeConfigurationLog(null);
        return;
      case 'retire':
        this.retired[fact.node] = true;
        return;
      default:
        return;
    }
  }

  /** The configuration at position `index` of `node`'s persisted log (0: before any entry); null: none. */
  at(node: NodeId, index: number): Configuration | null {
    return this.logOf(node).at(index);
  }

  /** The latest configuration in `node`'s persisted log, the one it uses (thesis §4.1); null: none. */
  latest(node: NodeId): Configuration | null {
    const log = this.logOf(node);
    const n = log.configs.length;
    return n === 0 ? log.initial : (log.configs[n - 1] as Configuration);
  }

  /**
   * The configuration before the one at position `index` of `node`'s log: what the latest configuration entry at or
   * before `index` replaced (the previous entry's, else the bootstrap one); undefined when no configuration entry
   * lies at or before `index`, null when the node had none before it (it joined empty). With apply-time
   * configurations, a node that has not applied that entry yet still counts in this one.
   */
  previousAt(node: NodeId, index: number): Configuration | null | undefined {
    const log = this.logOf(node);
    const k = log.positionAt(index);
    if (k < 0) return undefined;
    return k === 0 ? log.initial : (log.configs[k - 1] as Configuration);
  }

  /** Index of the latest configuration entry at or before `index` in `node`'s log; 0 when there is none. */
  entryIndexAt(node: NodeId, index: number): number {
    const log = this.logOf(node);
    const k = log.positionAt(index);
    return k < 0 ? 0 : (log.indexes[k] as number);
  }

  /**
   * The configurations carried by `node`'s configuration entries after position `index`, in log order, appended
   * to `out`.
   */
  configurationsAfter(node: NodeId, index: number, out: Configuration[]): Configuration[] {
    const log = this.logOf(node);
    for (let k = log.positionAt(index) + 1; k < log.configs.length; k++) out.push(log.configs[k] as Configuration);
    return out;
  }

  /** Position in {@link entriesOf}'s arrays of `node`'s first configuration entry after log position `index`. */
  positionAfter(node: NodeId, index: number): number {
    return this.logOf(node).positionAt(index) + 1;
  }

  /** The configuration entries of `node`'s log as (index, term) pairs, ascending (for probes and evidence). */
  entriesOf(node: NodeId): { readonly indexes: readonly number[]; readonly terms: readonly number[]; readonly configs: readonly Configuration[] } {
    return this.logOf(node);
  }

  isJoined(node: NodeId): boolean {
    return this.joined[node] === true;
  }

  isRetired(node: NodeId): boolean {
    return this.retired[node] === true;
  }

  private logOf(node: NodeId): NodeConfigurationLog {
    let log = this.logs[node];
    if (log === undefined) {
      log = new NodeConfigurationLog(this.joined[node] === true ? null : this.bootstrap);
      this.logs[node] = log;
    }
    return log;
  }

  /** {@link observe} for a persist fact (RunCheckers calls it directly, with no switch). */
  observePersist(fact: PersistFact): void {
    if (this.malformed.length > 0) this.malformed.length = 0;
    const entries = fact.entries;
    // Until the first configuration entry no log has any to truncate, so only the scan for one is needed.
    const from = this.changed ? 0 : firstConfEntry(entries);
    if (from === entries.length) return;
    const first = entries[0];
    if (first === undefined) return;
    const log = this.logOf(fact.node);
    if (log.indexes.length > 0) log.truncateFrom(first.index);
    this.addAll(fact.node, log, entries, from);
  }

  /** {@link observe} for a restart fact. */
  observeRestart(fact: RestartFact): void {
    if (this.malformed.length > 0) this.malformed.length = 0;
    const entries = fact.stored.entries;
    // The scan stays even on the fast path: a torn write can leave whole records of an append that was never
    // synced, so a restart may carry a configuration entry no persist fact did.
    const from = this.changed ? 0 : firstConfEntry(entries);
    if (from === entries.length) return;
    const log = this.logOf(fact.node);
    if (log.indexes.length > 0) log.truncateFrom(0);
    this.addAll(fact.node, log, entries, from);
  }

  /** Adds the configuration entries of `entries` from position `from` on to `node`'s log. */
  private addAll(node: NodeId, log: NodeConfigurationLog, entries: readonly Entry[], from: number): void {
    for (let k = from; k < entries.length; k++) {
      const e = entries[k] as Entry;
      const text = confEntryText(e.data);
      if (text !== undefined) this.add(node, log, e, text);
    }
  }

  /**
   * {@link decodeConfEntry}, once per distinct text: a restart hands back the node's whole stored log, and its
   * configuration entries were decoded when they were persisted. Decoding is pure and configurations are never
   * mutated, so sharing the decoded object changes nothing but the cost.
   */
  private decode(text: string): Configuration | string | undefined {
    if (this.decoded.has(text)) return this.decoded.get(text);
    const decoded = decodeConfEntry(text);
    this.decoded.set(text, decoded);
    return decoded;
  }

  private add(node: NodeId, log: NodeConfigurationLog, e: Entry, text: string): void {
    this.changed = true;
    const decoded = this.decode(text);
    if (typeof decoded === 'string') {
      this.malformed.push({ node, index: e.index, term: e.term, problem: decoded });
      return;
    }
    if (decoded === undefined) return;
    log.indexes.push(e.index);
    log.terms.push(e.term);
    log.configs.push(decoded);
  }
}

/** Whether `has` holds for a majority of `ids` (strictly more than half; false for an empty list). */
function majorityOf(ids: readonly NodeId[], has: (id: NodeId) => boolean): boolean {
  let count = 0;
  for (let k = 0; k < ids.length; k++) if (has(ids[k] as NodeId)) count++;
  return count > ids.length / 2;
}

/**
 * Whether `has` holds for a majority of each half of `c` (thesis §4.3: C_old,new decides with majorities of both
 * C_old and C_new). Learners are in neither half, so they never count.
 */
export function jointMajority(c: Configuration, has: (id: NodeId) => boolean): boolean {
  return majorityOf(c.voters, has) && (!isJoint(c) || majorityOf(c.outgoing, has));
}

/** How many of each half of `c` satisfy `has`, for messages: "2 of [1, 2, 3]" or "2 of [1, 2, 3] and 1 of [1, 4, 5]". */
export function describeQuorum(c: Configuration, has: (id: NodeId) => boolean): string {
  const half = (ids: readonly NodeId[]): string => `${ids.filter(has).length} of [${ids.join(', ')}]`;
  return isJoint(c) ? `${half(c.voters)} (C_new) and ${half(c.outgoing)} (C_old)` : half(c.voters);
}

/** A configuration as short text: `voters [1, 2, 3]`, with learners and C_old when there are. */
export function describeConfiguration(c: Configuration): string {
  let s = `voters [${c.voters.join(', ')}]`;
  if (c.learners.length > 0) s += ` learners [${c.learners.join(', ')}]`;
  if (isJoint(c)) s += ` joint with C_old [${c.outgoing.join(', ')}]`;
  return s;
}

/** Whether `node` votes in `c` (either half); false for no configuration. */
export function votesIn(c: Configuration | null, node: NodeId): boolean {
  return c !== null && (c.voters.includes(node) || c.outgoing.includes(node));
}

export { allVoters, isJoint };
