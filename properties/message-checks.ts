/**
 * Checks on the messages a node sends, against its durable state at that moment, for implementations that
 * declare {@link MessageAnnotations} (opt-in: messages are otherwise opaque). Three properties:
 * - message-term: no message carries a `term` above the sender's durable term (Raft Figure 2 persists
 *   `currentTerm` before responding to or issuing any RPC of that term), except declared PreVote traffic,
 *   which carries the term a pre-candidate would campaign in without persisting it (thesis §9.6);
 * - vote-grant: a declared vote grant goes out only when the sender's durable hard state holds that term and a
 *   vote for the receiver (the Rafty and go-raft bugs: a vote kept only in memory, or `votedFor` not saved);
 * - append-ack: a declared append acknowledgement claims only indexes the sender's durable log reaches (an
 *   acknowledgement sent before the fsync that stores the entries).
 * The durable state comes from persist and restart facts (fed through {@link MessageChecker.observe}), which
 * the host emits only after fsync, so a message sent before its Ready is durable is judged against the state
 * before it.
 */
import type { Message, MessageAnnotations, NodeId } from '../sim/contract.js';
import { DurableNodes } from './durable-state.js';
import { compileMatcher as compile, matchesMessage as matches } from '../sim/message-matcher.js';
import type { CompiledMatcher } from '../sim/message-matcher.js';
import type { Fact, PersistFact, RestartFact } from '../sim/facts.js';
import type { PropertyName, Violation } from './types.js';

/** Judges sent messages; fed every fact too (to track durable state), in run order. */
export interface MessageChecker {
  /** Tracks durable state; never reports a violation itself. */
  observe(fact: Fact): void;
  /** {@link observe} for a persist and a restart fact, the only kinds it tracks (RunCheckers calls them directly). */
  persist(fact: PersistFact): void;
  restart(fact: RestartFact): void;
  /** Judges one message as it is sent, at simulated time `atMs` and event `event`. */
  sent(message: Message, atMs: number, event: number): Violation | null;
}

/** An implementation's {@link MessageAnnotations} compiled once: what every run's message checker matches with. */
interface CompiledAnnotations {
  readonly preVote: readonly CompiledMatcher[];
  readonly voteGrant: CompiledMatcher | null;
  readonly appendAck: CompiledMatcher | null;
  /** The declared types (null: none declared), compared before anything else (see `sent`). */
  readonly voteGrantType: string | null;
  readonly appendAckType: string | null;
  /** The append acknowledgement's field holding the index it claims ('' when none is declared). */
  readonly matchField: string;
}

/**
 * Compiled annotations by the annotations object they came from. An implementation's annotations are usually one
 * frozen object for every run (ours and paper-raft's are), and compiling them (`Object.keys`, a sort and a map per
 * matcher) was a twentieth of the checkers' per-run set-up, so each run's checker looks them up instead. Only frozen
 * objects are kept: an adapter that builds or edits its annotations between runs gets them compiled afresh each run,
 * as before. A WeakMap, so an adapter's annotations are not kept alive by this module; nothing iterates it, so it
 * stays deterministic. The compiled form is read-only and holds no run state.
 */
const COMPILED = new WeakMap<MessageAnnotations, CompiledAnnotations>();

function compiledAnnotations(annotations: MessageAnnotations): CompiledAnnotations {
  let compiled = COMPILED.get(annotations);
  if (compiled === undefined) {
    const voteGrant = annotations.voteGrant === undefined ? null : compile(annotations.voteGrant);
    const appendAck = annotations.appendAck === undefined ? null : compile(annotations.appendAck);
    compiled = {
      preVote: (annotations.preVote ?? []).map(compile),
      voteGrant,
      appendAck,
      voteGrantType: voteGrant === null ? null : voteGrant.type,
      appendAckType: appendAck === null ? null : appendAck.type,
      matchField: annotations.appendAck?.matchField ?? '',
    };
    if (Object.isFrozen(annotations)) COMPILED.set(annotations, compiled);
  }
  return compiled;
}

/**
 * Creates the message checker for `annotations`. `nodeIds` only pre-sizes per-node state. With `shared`, the checker
 * reads each sender's durable term, vote and last index from those durable nodes instead of keeping its own copy,
 * and its caller feeds them every persist and restart fact (the run's per-persist invariants do) before any message
 * sent after it is judged; {@link MessageChecker.persist} and `restart` then do nothing.
 */
export function createMessageChecker(annotations: MessageAnnotations, nodeIds: readonly NodeId[] = [], shared?: DurableNodes): MessageChecker {
  const { preVote, voteGrant, appendAck, voteGrantType, appendAckType, matchField } = compiledAnnotations(annotations);
  // The declared types are compared before anything else: a match needs its type, and most messages are appends
  // and their responses, which are neither vote grants nor (for the requests) acknowledgements.
  /** Every node's durable term, vote and last stored index: the run's (shared) or this checker's own. */
  const durable = shared ?? new DurableNodes(nodeIds);
  const owns = shared === undefined;

  function isPreVote(m: Message): boolean {
    for (let k = 0; k < preVote.length; k++) if (matches(preVote[k] as CompiledMatcher, m)) return true;
    return false;
  }

  function violation(property: PropertyName, m: Message, atMs: number, event: number, message: string, evidence: object): Violation {
    return { property, atMs, event, nodes: [m.from], message, evidence: { ...evidence, messageType: m.type, from: m.from, to: m.to, term: m.term } };
  }

  function persist(fact: PersistFact): void {
    if (owns) durable.of(fact.node).persist(fact);
  }

  function restart(fact: RestartFact): void {
    if (owns) durable.of(fact.node).restart(fact);
  }

  return {
    observe(fact: Fact): void {
      if (fact.kind === 'persist') persist(fact);
      else if (fact.kind === 'restart') restart(fact);
    },
    persist,
    restart,
    sent(m: Message, atMs: number, event: number): Violation | null {
      const node = m.from;
      // A sender no persist or restart has shown (a node that joined and has not written yet) holds nothing.
      const held = durable.peek(node);
      const term = held === undefined ? 0 : held.term;
      const type = m.type;
      if (m.term > term && !isPreVote(m)) {
        return violation('message-term', m, atMs, event, `Node ${node} sent ${type} of term ${m.term} to node ${m.to} while its durable term was ${term}: a term must be persisted before any message of that term.`, {
          durableTerm: term,
        });
      }
      // The cheap tests first: the matcher's field reads are keyed loads of a name known only at run time, and
      // most grants and acknowledgements are legitimate, so they are read only for a suspect message.
      if (type === voteGrantType) {
        const vote = held === undefined ? 0 : held.vote;
        if ((term !== m.term || vote !== m.to) && matches(voteGrant as CompiledMatcher, m)) {
          const held = vote === 0 ? 'no vote' : `a vote for node ${vote}`;
          return violation('vote-grant', m, atMs, event, `Node ${node} granted its vote to node ${m.to} in term ${m.term} while its disk held term ${term} and ${held}: a vote must be durable before it is granted.`, {
            durableTerm: term,
            durableVote: vote,
          });
        }
      }
      if (type === appendAckType) {
        const claimed = m[matchField];
        const last = held === undefined ? 0 : held.lastIndex;
        if (typeof claimed === 'number' && claimed > last && matches(appendAck as CompiledMatcher, m)) {
          return violation('append-ack', m, atMs, event, `Node ${node} acknowledged entries up to index ${claimed} to node ${m.to} while its durable log ended at index ${last}: entries must be durable before they are acknowledged.`, {
            matchIndex: claimed,
            durableLastIndex: last,
          });
        }
      }
      return null;
    },
  };
}
