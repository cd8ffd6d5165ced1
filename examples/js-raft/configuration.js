// Cluster configurations as docs/contract.md § Membership changes describes them, written from that page alone:
// a configuration entry's data is `conf:` followed by JSON {voters, learners, outgoing} (the whole configuration
// it leads to, lists ascending), in effect on a node as soon as the node has appended it (Raft thesis §4.1).
// Pure functions only: the node (raft.js) decides when to use them.

const PREFIX = 'conf:';

/**
 * @typedef {{ voters: number[], learners: number[], outgoing: number[] }} Configuration
 * @typedef {{ type: 'add-voter' | 'add-learner' | 'promote' | 'remove', node: number }} ConfChange
 */

/** @param {readonly number[]} voters @returns {Configuration} */
export function simple(voters) {
  return { voters: sorted(voters), learners: [], outgoing: [] };
}

/** @param {Configuration} c @returns {string} entry data */
export function encode(c) {
  return `${PREFIX}${JSON.stringify({ voters: c.voters, learners: c.learners, outgoing: c.outgoing })}`;
}

/** The configuration an entry carries, or null for any other entry (client commands, no-ops). @param {string} data */
export function decode(data) {
  if (!data.startsWith(PREFIX)) return null;
  const o = JSON.parse(data.slice(PREFIX.length));
  return { voters: o.voters, learners: o.learners ?? [], outgoing: o.outgoing ?? [] };
}

/** @param {Configuration} c */
export function isJoint(c) {
  return c.outgoing.length > 0;
}

/** Whether `id` votes in `c` (in either half while joint). @param {Configuration | null} c @param {number} id */
export function isVoter(c, id) {
  return c !== null && (c.voters.includes(id) || c.outgoing.includes(id));
}

/** Every voter of either half, ascending. @param {Configuration} c */
export function allVoters(c) {
  return sorted([...new Set([...c.voters, ...c.outgoing])]);
}

/** Every member (voters of either half, learners): whom a leader replicates to. @param {Configuration} c */
export function allMembers(c) {
  return sorted([...new Set([...c.voters, ...c.outgoing, ...c.learners])]);
}

/**
 * The highest index a majority of `voters` stores, and of `outgoing` too while joint (thesis §4.3: joint
 * consensus needs both majorities). @param {Configuration} c @param {(id: number) => number} match
 */
export function committedIndex(c, match) {
  const incoming = majorityIndex(c.voters, match);
  return isJoint(c) ? Math.min(incoming, majorityIndex(c.outgoing, match)) : incoming;
}

/** Whether the granted votes win an election in `c`: a majority of each half. @param {Configuration} c @param {Set<number>} granted */
export function wins(c, granted) {
  const half = (voters) => voters.filter((v) => granted.has(v)).length > voters.length / 2;
  return half(c.voters) && (!isJoint(c) || half(c.outgoing));
}

/**
 * The configuration `changes` lead to from `current`, or null when they cannot apply: a joint `current` (it must
 * be left first), a node added twice, a promotion of a non-learner, a removal of a stranger, no voter left. One
 * change altering the voters by at most one node is a single-server change (thesis §4.1, entered directly);
 * anything else goes through joint consensus, with C_old's voters as `outgoing` (thesis §4.3).
 * @param {Configuration} current @param {readonly ConfChange[]} changes @returns {Configuration | null}
 */
export function next(current, changes) {
  if (isJoint(current) || changes.length === 0) return null;
  const voters = new Set(current.voters);
  const learners = new Set(current.learners);
  for (const { type, node } of changes) {
    if (!Number.isInteger(node) || node < 1) return null;
    const member = voters.has(node) || learners.has(node);
    if (type === 'add-voter' && !member) voters.add(node);
    else if (type === 'add-learner' && !member) learners.add(node);
    else if (type === 'promote' && learners.delete(node)) voters.add(node);
    else if (type !== 'remove' || !(voters.delete(node) || learners.delete(node))) return null;
  }
  if (voters.size === 0) return null;
  const result = { voters: sorted(voters), learners: sorted(learners) };
  const moved = result.voters.filter((v) => !current.voters.includes(v)).length + current.voters.filter((v) => !result.voters.includes(v)).length;
  return { ...result, outgoing: changes.length === 1 && moved <= 1 ? [] : current.voters };
}

/** C_new of a joint configuration: what the leader appends once C_old,new is committed. @param {Configuration} c */
export function leaveJoint(c) {
  return { voters: c.voters, learners: c.learners, outgoing: [] };
}

function majorityIndex(voters, match) {
  const indexes = voters.map(match).sort((a, b) => b - a);
  return indexes[Math.floor(voters.length / 2)] ?? 0;
}

function sorted(ids) {
  return [...ids].sort((a, b) => a - b);
}
