/**
 * Our own Raft core, plugged in through the same contract as any user's implementation: the simulator
 * cannot tell it apart from a custom one.
 */
import type { CoreBug } from '../core/bugs.js';
import { RaftNode } from '../core/raft-node.js';
import type { CreateInit, MessageAnnotations, RaftImplementation, RaftInstance } from './contract.js';

export interface BuiltinOptions {
  /** A planted bug, to prove the checkers catch it; undefined for correct Raft. */
  readonly bug?: CoreBug;
  /** PreVote (thesis §9.6); on by default, as in a production deployment. */
  readonly preVote?: boolean;
  /** CheckQuorum: a leader that cannot reach a quorum steps down; on by default. */
  readonly checkQuorum?: boolean;
  /**
   * Declare the `membership-change` and `leadership-transfer` capabilities; on by default. Off, the core runs as a
   * fixed cluster (the swarm draws no membership family), as the golden pins, the planted core bugs and the bench
   * run it. Made here rather than by copying the implementation with fewer capabilities: a copy is not trusted, so
   * the host would re-validate every Ready and message of our own core.
   */
  readonly membership?: boolean;
  /**
   * Whether the simulator's host has the nodes it creates hand out one reused Ready object (`RaftNodeOptions.reuseReady`;
   * the host never keeps a Ready past advance()); on by default. Only the host's own path ({@link createForHost})
   * reads it: `create()` always makes nodes with fresh Readys, for any other caller. Off only to compare the two.
   */
  readonly hostReuseReady?: boolean;
}

/**
 * The implementations builtinRaft made, each with the create the simulator's host uses. The host trusts their
 * Readys and messages to be well formed (our core's types guarantee the shape) and skips re-validating them, a
 * measurable share of each event; anything else, a user's implementation or a copy of ours, is validated in full.
 * Membership only: no behaviour hangs on it but validation (and Ready reuse, which changes no behaviour either), and
 * the checkers judge the facts either way.
 */
const TRUSTED = new WeakMap<RaftImplementation, (init: CreateInit) => RaftInstance>();

/** Whether `implementation` is one builtinRaft made (its Readys need no shape validation). */
export function isTrustedImplementation(implementation: RaftImplementation): boolean {
  return TRUSTED.has(implementation);
}

/**
 * How the simulator's host creates a node of `implementation`: for one builtinRaft made, a node whose Readys are
 * reused (unless `hostReuseReady: false`), which is safe only for a caller that, as the host, never keeps a Ready
 * or its messages array past the advance() after it. Null for any other implementation (call its `create`).
 */
export function createForHost(implementation: RaftImplementation): ((init: CreateInit) => RaftInstance) | null {
  return TRUSTED.get(implementation) ?? null;
}

/** Our core's node for `init`: one literal for every case (`bug` and `reuseReady` undefined when off). */
function coreNode(init: CreateInit, preVote: boolean, checkQuorum: boolean, bug: CoreBug | undefined, reuseReady: boolean): RaftNode {
  return new RaftNode({ id: init.id, peers: init.peers, storage: init.storage, random: init.random, electionTicks: init.electionTicks, heartbeatTicks: init.heartbeatTicks, preVote, checkQuorum, bug, reuseReady });
}

/**
 * What our core's messages mean (core/messages.ts), for the checks on sent messages: PreVote requests and their
 * grants carry the campaign term unpersisted; a vote-resp without reject grants the vote; an append-resp without
 * reject acknowledges entries up to its `index`.
 */
export const CORE_MESSAGE_ANNOTATIONS: MessageAnnotations = Object.freeze({
  preVote: [{ type: 'pre-vote' }, { type: 'pre-vote-resp' }],
  voteGrant: { type: 'vote-resp', where: { reject: false } },
  appendAck: { type: 'append-resp', where: { reject: false }, matchField: 'index' },
});

export function builtinRaft(options: BuiltinOptions = {}): RaftImplementation {
  const preVote = options.preVote ?? true;
  const checkQuorum = options.checkQuorum ?? true;
  const membership = options.membership ?? true;
  const implementation: RaftImplementation = {
    name: options.bug === undefined ? 'seaworthy-core' : `seaworthy-core+${options.bug}`,
    // Declares what this instance does: a checker that relies on PreVote or CheckQuorum must not judge a core built without them.
    capabilities: [
      ...(preVote ? (['pre-vote'] as const) : []),
      ...(checkQuorum ? (['check-quorum'] as const) : []),
      'read-index',
      'snapshot',
      // RaftNode's proposeConfChange and transferLeadership (joint consensus, learners, thesis §3.10 transfer).
      ...(membership ? (['membership-change', 'leadership-transfer'] as const) : []),
    ],
    messageAnnotations: CORE_MESSAGE_ANNOTATIONS,
    // Fresh Readys for any caller of create(): tests, transcripts and adapters may keep them.
    create(init) {
      return coreNode(init, preVote, checkQuorum, options.bug, false);
    },
  };
  const hostReuseReady = options.hostReuseReady ?? true;
  TRUSTED.set(implementation, (init) => coreNode(init, preVote, checkQuorum, options.bug, hostReuseReady));
  return implementation;
}
