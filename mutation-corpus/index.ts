/**
 * The mutation corpus: a second, independently written Raft (`paper-raft.ts`) and the bugs planted in it
 * (`mutations.ts`). `paperRaft()` is the correct implementation; `paperRaft({ mutation })` is one mutant.
 * The default export lets `seaworthy run --impl mutation-corpus/index.ts` drive the correct one.
 */
import type { Capability, MessageAnnotations, RaftImplementation } from '../sim/contract.js';
import type { MutationName } from './mutations.js';
import { PaperRaftNode } from './paper-raft.js';

export { MUTATIONS, isMutationName } from './mutations.js';
export type { Mutation, MutationClass, MutationFlags, MutationName } from './mutations.js';
export { PaperRaftNode } from './paper-raft.js';

export interface PaperRaftOptions {
  /** The one planted bug; absent for the correct Raft. */
  readonly mutation?: MutationName;
  /** PreVote (thesis §9.6); default true. */
  readonly preVote?: boolean;
  /** CheckQuorum and the leader lease on votes (thesis §6.2, §4.2.3); default true. */
  readonly checkQuorum?: boolean;
}

/**
 * What paper-raft's messages mean, for the checks on sent messages (docs/contract.md): pre-vote requests and
 * replies carry the campaign term unpersisted; a granted, non-pre-vote RequestVoteReply grants the vote; a
 * successful AppendEntriesReply acknowledges entries up to its `matchIndex`.
 */
export const PAPER_RAFT_MESSAGE_ANNOTATIONS: MessageAnnotations = Object.freeze({
  preVote: [
    { type: 'RequestVote', where: { preVote: true } },
    { type: 'RequestVoteReply', where: { preVote: true } },
  ],
  voteGrant: { type: 'RequestVoteReply', where: { preVote: false, voteGranted: true } },
  appendAck: { type: 'AppendEntriesReply', where: { success: true }, matchField: 'matchIndex' },
});

/**
 * The paper Raft as a {@link RaftImplementation}, named `paper-raft` (or `paper-raft/<mutation>`). It declares
 * exactly the capabilities it has: `read-index` always, `pre-vote` and `check-quorum` when switched on.
 */
export function paperRaft(options: PaperRaftOptions = {}): RaftImplementation {
  const preVote = options.preVote ?? true;
  const checkQuorum = options.checkQuorum ?? true;
  const bug = options.mutation === undefined ? {} : { [options.mutation]: true as const };
  const capabilities: Capability[] = [...(preVote ? (['pre-vote'] as const) : []), ...(checkQuorum ? (['check-quorum'] as const) : []), 'read-index'];
  return {
    name: options.mutation === undefined ? 'paper-raft' : `paper-raft/${options.mutation}`,
    capabilities,
    messageAnnotations: PAPER_RAFT_MESSAGE_ANNOTATIONS,
    create: (init) => new PaperRaftNode(init, { preVote, checkQuorum, bug }),
  };
}

const correct: RaftImplementation = paperRaft();
export default correct;
