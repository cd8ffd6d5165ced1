/**
 * Cluster configurations as log entries carry them (Raft thesis §4): the one format the core, the host, the
 * checkers and the process protocol share, and the pure arithmetic on it (which configuration a proposal leads to,
 * majorities of a joint configuration). Like etcd's `confchange/` and `quorum/joint.go`, nothing here knows about
 * messages or time.
 *
 * A configuration entry holds the *whole* configuration that takes effect when the entry is appended (thesis §4.1:
 * a server always uses the latest configuration in its log, committed or not). Carrying the whole configuration,
 * not a delta, lets a checker or a freshly joined node read the configuration at any log position from the entries
 * alone, without the bootstrap configuration or the entries before.
 */
import type { NodeId } from './types.js';

/**
 * A configuration. Outside joint consensus `outgoing` is empty and `voters` decide elections and commitment.
 * During joint consensus (C_old,new, thesis §4.3) `outgoing` holds C_old's voters and `voters` C_new's: elections
 * and commitment need a majority of each.
 * Invariant: each list ascending and without duplicates; `voters` non-empty; `learners` disjoint from `voters`
 * and from `outgoing` (a learner is never counted in any quorum).
 */
export interface Configuration {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  readonly outgoing: readonly NodeId[];
}

/**
 * One change a proposal asks for. `add-voter` adds a node as a voter straight away (the single-server change of
 * thesis §4.1 when it is the only change); `add-learner` adds a non-voting member that receives the log;
 * `promote` turns a learner into a voter; `remove` drops a voter or learner.
 */
export interface ConfChange {
  readonly type: 'add-voter' | 'add-learner' | 'promote' | 'remove';
  readonly node: NodeId;
}

/**
 * What a client (the host's workload) proposes. One change that alters the voters by at most one node is a
 * single-server change: the next configuration is entered directly. Anything else is done through joint
 * consensus: the leader appends C_old,new, and once that is committed appends C_new by itself (etcd's auto-leave).
 */
export interface ConfChangeRequest {
  readonly changes: readonly ConfChange[];
}

/** Entry data of a configuration entry starts with this; client commands start with `{` and no-ops are empty. */
export const CONF_ENTRY_PREFIX = 'conf:';

/** A configuration of `voters` only, outside joint consensus. */
export function simpleConfiguration(voters: readonly NodeId[]): Configuration {
  // Already ascending (every caller's case): a copy, without the comparator sort's calls.
  const c: Configuration = { voters: isStrictlyAscending(voters) ? voters.slice() : [...voters].sort(ascending), learners: [], outgoing: [] };
  const problem = configurationProblem(c);
  if (problem !== undefined) throw new Error(`simpleConfiguration: ${problem}`);
  return c;
}

/** The entry data for `configuration`, its fields always in this order so equal configurations encode equally. */
export function encodeConfEntry(configuration: Configuration): string {
  const problem = configurationProblem(configuration);
  if (problem !== undefined) throw new Error(`encodeConfEntry: ${problem}`);
  const { voters, learners, outgoing } = configuration;
  return `${CONF_ENTRY_PREFIX}{"voters":[${voters.join(',')}],"learners":[${learners.join(',')}],"outgoing":[${outgoing.join(',')}]}`;
}

/** Whether entry `data` is a configuration entry (well formed or not). */
export function isConfEntryData(data: string): boolean {
  // The first character first: every appended entry is asked, and nearly all are commands ('{') or no-ops ('').
  // The length before it: charCodeAt(0) of a no-op's '' reads out of bounds, and in optimized code that path, first
  // met after optimizing, deoptimized every caller the check was inlined into (handleAppend, at a run's start).
  return data.length !== 0 && data.charCodeAt(0) === CONF_ENTRY_FIRST_CHAR && data.startsWith(CONF_ENTRY_PREFIX);
}

/** `c`, the first character of {@link CONF_ENTRY_PREFIX}. */
const CONF_ENTRY_FIRST_CHAR = 0x63;

/**
 * The configuration an entry's `data` carries; undefined when the data is not a configuration entry. A malformed
 * configuration entry (the prefix, then anything {@link configurationProblem} rejects) is reported as a string,
 * so a checker can say what an implementation wrote instead of skipping it.
 */
export function decodeConfEntry(data: string): Configuration | string | undefined {
  if (!isConfEntryData(data)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.slice(CONF_ENTRY_PREFIX.length));
  } catch {
    return `configuration entry is not JSON after "${CONF_ENTRY_PREFIX}": ${data.slice(0, 80)}`;
  }
  if (parsed === null || typeof parsed !== 'object') return `configuration entry must hold an object, got ${data.slice(0, 80)}`;
  const o = parsed as Record<string, unknown>;
  const c = { voters: o['voters'], learners: o['learners'] ?? [], outgoing: o['outgoing'] ?? [] };
  if (!isIdList(c.voters) || !isIdList(c.learners) || !isIdList(c.outgoing)) {
    return `configuration entry needs voters, learners and outgoing as arrays of node ids, got ${data.slice(0, 80)}`;
  }
  const configuration: Configuration = { voters: c.voters, learners: c.learners, outgoing: c.outgoing };
  return configurationProblem(configuration) ?? configuration;
}

/** What breaks the {@link Configuration} invariant, or undefined when nothing does. */
export function configurationProblem(c: Configuration): string | undefined {
  // The three lists one after the other, without a list of pairs to destructure: every bootstrap configuration
  // (each node start, each run's checkers) passes through here.
  const problem = idListProblem('voters', c.voters) ?? idListProblem('learners', c.learners) ?? idListProblem('outgoing', c.outgoing);
  if (problem !== undefined) return problem;
  if (c.voters.length === 0) return 'a configuration needs at least one voter';
  for (const l of c.learners) {
    if (c.voters.includes(l) || c.outgoing.includes(l)) return `node ${l} cannot be both a learner and a voter`;
  }
  return undefined;
}

/** What makes `list` not a list of node ids, ascending without duplicates; undefined when nothing does. */
function idListProblem(name: string, list: readonly NodeId[]): string | undefined {
  for (let i = 0; i < list.length; i++) {
    const id = list[i] as number;
    if (!(Number.isInteger(id) && id >= 1)) return `${name} must hold node ids (integers >= 1), got ${id}`;
    if (i > 0 && !((list[i - 1] as number) < id)) return `${name} must be ascending without duplicates, got [${list.join(', ')}]`;
  }
  return undefined;
}

export function isJoint(c: Configuration): boolean {
  return c.outgoing.length > 0;
}

/** Every node that votes in `c` (either half of a joint configuration), ascending. */
export function allVoters(c: Configuration): NodeId[] {
  return union(c.voters, c.outgoing);
}

/** Every member of `c`: voters of either half and learners, ascending. The nodes a leader replicates to. */
export function allMembers(c: Configuration): NodeId[] {
  return union(union(c.voters, c.outgoing), c.learners);
}

export function isVoter(c: Configuration, id: NodeId): boolean {
  return c.voters.includes(id) || c.outgoing.includes(id);
}

export function sameConfiguration(a: Configuration, b: Configuration): boolean {
  return sameIds(a.voters, b.voters) && sameIds(a.learners, b.learners) && sameIds(a.outgoing, b.outgoing);
}

/**
 * The configuration `request` leads to from `current`, or a string saying why it cannot be applied (a change while
 * `current` is joint, adding a member twice, promoting a non-learner, removing a stranger, leaving no voter).
 * One change that alters the voters by at most one node gives a simple configuration; anything else a joint one
 * with `outgoing` = `current.voters`.
 */
export function nextConfiguration(current: Configuration, request: ConfChangeRequest): Configuration | string {
  if (isJoint(current)) return 'the configuration is joint: it must be left before another change';
  if (request.changes.length === 0) return 'a configuration change needs at least one change';
  const voters = new Set(current.voters);
  const learners = new Set(current.learners);
  for (const { type, node } of request.changes) {
    if (!(Number.isInteger(node) && node >= 1)) return `node ids are integers >= 1, got ${node}`;
    switch (type) {
      case 'add-voter':
        if (voters.has(node) || learners.has(node)) return `node ${node} is already a member`;
        voters.add(node);
        break;
      case 'add-learner':
        if (voters.has(node) || learners.has(node)) return `node ${node} is already a member`;
        learners.add(node);
        break;
      case 'promote':
        if (!learners.has(node)) return `node ${node} is not a learner`;
        learners.delete(node);
        voters.add(node);
        break;
      case 'remove':
        if (!voters.delete(node) && !learners.delete(node)) return `node ${node} is not a member`;
        break;
    }
  }
  if (voters.size === 0) return 'the change would leave no voter';
  const next = { voters: [...voters].sort(ascending), learners: [...learners].sort(ascending) };
  const simple = request.changes.length === 1 && symmetricDifference(current.voters, next.voters) <= 1;
  return { ...next, outgoing: simple ? [] : [...current.voters] };
}

/** C_new of a joint configuration: what the leader appends once C_old,new is committed. */
export function leaveJoint(c: Configuration): Configuration {
  return { voters: c.voters, learners: c.learners, outgoing: [] };
}

/**
 * The highest index stored by a majority of `c.voters` and, when joint, also by a majority of `c.outgoing`
 * (the smaller of the two, thesis §4.3). `matchIndex` gives each voter's durable match index.
 */
export function jointCommittedIndex(c: Configuration, matchIndex: (id: NodeId) => number): number {
  const incoming = majorityIndex(c.voters, matchIndex);
  return isJoint(c) ? Math.min(incoming, majorityIndex(c.outgoing, matchIndex)) : incoming;
}

/**
 * Outcome of an election in `c` given each voter's answer so far (true granted, false rejected, undefined
 * pending): won only with a majority of each half, lost as soon as either half can no longer reach one.
 */
export function jointVoteResult(c: Configuration, vote: (id: NodeId) => boolean | undefined): 'won' | 'lost' | 'pending' {
  const incoming = halfVoteResult(c.voters, vote);
  if (!isJoint(c)) return incoming;
  const outgoing = halfVoteResult(c.outgoing, vote);
  if (incoming === 'lost' || outgoing === 'lost') return 'lost';
  return incoming === 'won' && outgoing === 'won' ? 'won' : 'pending';
}

function majorityIndex(voters: readonly NodeId[], matchIndex: (id: NodeId) => number): number {
  const indexes = voters.map(matchIndex).sort((a, b) => b - a);
  return indexes[Math.floor(voters.length / 2)] as number;
}

function halfVoteResult(voters: readonly NodeId[], vote: (id: NodeId) => boolean | undefined): 'won' | 'lost' | 'pending' {
  const quorum = Math.floor(voters.length / 2) + 1;
  let granted = 0;
  let rejected = 0;
  for (const v of voters) {
    const answer = vote(v);
    if (answer === true) granted++;
    else if (answer === false) rejected++;
  }
  if (granted >= quorum) return 'won';
  if (voters.length - rejected < quorum) return 'lost';
  return 'pending';
}

function isIdList(v: unknown): v is NodeId[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

/**
 * The ascending set union of `a` and `b`, a fresh array. Lists that keep the {@link Configuration} invariant (the
 * only ones our core makes) are merged in one pass; anything else takes the general path, which defines the result.
 * A node (re)starts by deriving its members and voters through here, and the Set, spreads and comparator sort were
 * most of a restart's cost in the core.
 */
function union(a: readonly NodeId[], b: readonly NodeId[]): NodeId[] {
  if (isStrictlyAscending(a) && isStrictlyAscending(b)) return mergeAscending(a, b);
  return [...new Set([...a, ...b])].sort(ascending);
}

/** True when every element is a number greater than the one before (so no NaN, no duplicates, no -0 beside 0). */
function isStrictlyAscending(list: readonly NodeId[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const id = list[i];
    if (typeof id !== 'number' || (i > 0 && !((list[i - 1] as number) < id))) return false;
  }
  return true;
}

/** Merges two strictly ascending lists into one, an element in both kept once. */
function mergeAscending(a: readonly NodeId[], b: readonly NodeId[]): NodeId[] {
  const merged: NodeId[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as NodeId;
    const y = b[j] as NodeId;
    if (x < y) {
      merged.push(x);
      i++;
    } else if (y < x) {
      merged.push(y);
      j++;
    } else {
      merged.push(x);
      i++;
      j++;
    }
  }
  while (i < a.length) merged.push(a[i++] as NodeId);
  while (j < b.length) merged.push(b[j++] as NodeId);
  return merged;
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function symmetricDifference(a: readonly NodeId[], b: readonly NodeId[]): number {
  return a.filter((x) => !b.includes(x)).length + b.filter((x) => !a.includes(x)).length;
}

function ascending(a: number, b: number): number {
  return a - b;
}
