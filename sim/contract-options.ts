/**
 * Contract version 2's options (sim/contract.ts `ContractOptions`) resolved once per host into plain flags, and
 * the small pure rules they switch on: when a Ready must be fsynced (etcd's MustSync), when its messages may
 * leave before its entries are durable, and the base64 form of entry data. Kept apart from host.ts so the
 * host's hot path reads one boolean per rule and implementations that declare nothing pay nothing else.
 */
import type { ContractOptions, HardState, Ready, Role } from './contract.js';

/** `ContractOptions` with every default filled in. */
export interface ResolvedContract {
  /** `propose` may return `{accepted: true}` without index and term, from any node. */
  readonly unindexedProposals: boolean;
  readonly sendBeforeDurable: 'never' | 'leader' | 'any';
  readonly mustSync: boolean;
  readonly durableStateMachine: boolean;
  readonly base64Data: boolean;
  /** Configuration entries take effect when applied (`configurations: 'applied'`), not when appended. */
  readonly configurationsApplied: boolean;
}

/** Version 1: what every implementation that declares no `contract` gets. */
export const CONTRACT_V1: ResolvedContract = Object.freeze({
  unindexedProposals: false,
  sendBeforeDurable: 'never',
  mustSync: false,
  durableStateMachine: false,
  base64Data: false,
  configurationsApplied: false,
});

/** The flags for `options` (undefined: version 1). Assumes a validated declaration (cli/adapters/contract-options.ts). */
export function resolveContract(options: ContractOptions | undefined): ResolvedContract {
  if (options === undefined) return CONTRACT_V1;
  return {
    unindexedProposals: options.proposals === 'unindexed',
    sendBeforeDurable: options.sendBeforeDurable ?? 'never',
    mustSync: options.mustSync === true,
    durableStateMachine: options.stateMachine === 'durable',
    base64Data: options.entryData === 'base64',
    configurationsApplied: options.configurations === 'applied',
  };
}

/** Whether `ready` changes the durable term or vote (what a vote request or grant depends on). */
export function changesTermOrVote(ready: Ready, durable: HardState): boolean {
  const hs = ready.hardState;
  return hs !== undefined && (hs.term !== durable.term || hs.vote !== durable.vote);
}

/**
 * etcd's `MustSync`: a Ready's write needs an fsync when it carries entries or changes the term or vote; a
 * change of commit alone does not (Raft's commit index is volatile state, and a restarted node learns it again).
 */
export function mustSync(ready: Ready, durable: HardState): boolean {
  return ready.entries.length > 0 || changesTermOrVote(ready, durable);
}

/**
 * Whether `ready`'s messages may leave as soon as its write is issued, before the fsync completes, under
 * `rule`. Never when the Ready changes the term or vote: the rule lets only the Ready's own entries be in
 * flight (earlier Readys are durable already: the host takes no input while an fsync is in flight). `role` is
 * the role the node announces in this Ready, or its last announced one.
 */
export function mayLeaveEarly(rule: ResolvedContract['sendBeforeDurable'], role: Role, ready: Ready, durable: HardState): boolean {
  if (rule === 'never' || ready.messages.length === 0) return false;
  if (rule === 'leader' && role !== 'leader') return false;
  return !changesTermOrVote(ready, durable);
}

const encoder = new TextEncoder();
/** fatal: bytes that are not UTF-8 are binary data, not a client command. */
const decoder = new TextDecoder('utf-8', { fatal: true });
/** Standard base64 with padding (RFC 4648 §4), the only form accepted: two spellings of one entry must not differ. */
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The base64 form of `text`'s UTF-8 bytes (what a base64 implementation gets as a proposal's data). */
export function toBase64(text: string): string {
  const bytes = encoder.encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary);
}

/** Whether `data` is canonical standard base64 (padding included; the empty string is the empty entry). */
export function isCanonicalBase64(data: string): boolean {
  return CANONICAL_BASE64.test(data);
}

/** The UTF-8 text that base64 `data` carries, or undefined when its bytes are not UTF-8 (binary data). */
export function fromBase64(data: string): string | undefined {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The roles an implementation may announce in `softState.role`. */
export const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];

/** Why `role` announced by `node` is not allowed, or null when it is. */
export function roleProblem(role: unknown, leader: unknown, isPeer: (id: number) => boolean): string | null {
  if (!ROLES.includes(role as Role)) return `announced role ${JSON.stringify(role)}; softState.role must be one of ${ROLES.join(', ')}`;
  if (leader !== 0 && (!Number.isInteger(leader) || !isPeer(leader as number))) {
    return `announced leader ${JSON.stringify(leader)}; softState.leader must be 0 (unknown) or a node id`;
  }
  return null;
}
