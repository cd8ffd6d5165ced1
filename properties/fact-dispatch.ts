/**
 * Routes each observed fact to the checkers that judge its kind. A run has a dozen checkers and about four
 * thousand facts; calling every checker on every fact made the fact path a megamorphic call per checker per
 * fact, most of them returning null at once (an apply fact concerns four checkers, a role fact three).
 * Checkers that declare {@link Checker.factKinds} get only those kinds; the others still get every fact.
 */
import type { Fact } from '../sim/facts.js';
import type { Checker, Violation } from './types.js';

type FactKind = Fact['kind'];

/** Every fact kind the dispatch knows; a kind added later reaches the checkers that declare none. */
const KNOWN_KINDS: readonly FactKind[] = ['persist', 'role', 'apply', 'ack', 'crash', 'restart', 'snapshot', 'restore', 'join', 'retire', 'conf-proposal', 'transfer'];

/** The rare kinds routed through one list (see {@link FactDispatch.observe}). */
const MEMBERSHIP_KINDS: readonly FactKind[] = ['join', 'retire', 'conf-proposal', 'transfer'];

export class FactDispatch {
  private readonly persist: readonly Checker[];
  private readonly role: readonly Checker[];
  private readonly apply: readonly Checker[];
  private readonly ack: readonly Checker[];
  private readonly crash: readonly Checker[];
  private readonly restart: readonly Checker[];
  private readonly snapshot: readonly Checker[];
  private readonly restore: readonly Checker[];
  /** Membership facts (join, retire, conf-proposal, transfer): rare, so one list, filtered by kind per fact. */
  private readonly membership: readonly Checker[];
  /** The checkers that declare no kinds: they judge every fact, including kinds unknown here. */
  private readonly undeclared: readonly Checker[];

  /** Keeps `checkers`' order within each kind, so violations of one fact come out in the same order as before. */
  constructor(checkers: readonly Checker[]) {
    if (checkers.length === 0) {
      // Most runs have no extra checker (stability only where the plan has a calm window): ten filters, each with a
      // closure, and ten arrays cost each such run ~45k instructions for lists that are all empty.
      this.persist = this.role = this.apply = this.ack = this.crash = NO_CHECKERS;
      this.restart = this.snapshot = this.restore = this.membership = this.undeclared = NO_CHECKERS;
      return;
    }
    const judges = (kind: FactKind): readonly Checker[] => objectList(checkers.filter((c) => c.factKinds === undefined || c.factKinds.includes(kind)));
    this.persist = judges('persist');
    this.role = judges('role');
    this.apply = judges('apply');
    this.ack = judges('ack');
    this.crash = judges('crash');
    this.restart = judges('restart');
    this.snapshot = judges('snapshot');
    this.restore = judges('restore');
    this.membership = objectList(checkers.filter((c) => c.factKinds === undefined || c.factKinds.some((k) => MEMBERSHIP_KINDS.includes(k))));
    this.undeclared = objectList(checkers.filter((c) => c.factKinds === undefined));
    for (const c of checkers) {
      for (const kind of c.factKinds ?? []) {
        if (!KNOWN_KINDS.includes(kind)) throw new Error(`checker ${c.property} declares fact kind '${kind}', which the fact dispatch does not route`);
      }
    }
  }

  /** Feeds `fact` to the checkers of its kind, in order; appends what they report to `violations`. */
  observe(fact: Fact, violations: Violation[]): void {
    const checkers = this.judgesOf(fact.kind);
    const filter = checkers === this.membership;
    for (let i = 0; i < checkers.length; i++) {
      const checker = checkers[i] as Checker;
      if (filter && checker.factKinds !== undefined && !checker.factKinds.includes(fact.kind)) continue;
      const violation = checker.observe(fact);
      if (violation !== null) violations.push(violation);
    }
  }

  private judgesOf(kind: FactKind): readonly Checker[] {
    switch (kind) {
      case 'persist':
        return this.persist;
      case 'role':
        return this.role;
      case 'apply':
        return this.apply;
      case 'ack':
        return this.ack;
      case 'crash':
        return this.crash;
      case 'restart':
        return this.restart;
      case 'snapshot':
        return this.snapshot;
      case 'restore':
        return this.restore;
      case 'join':
      case 'retire':
      case 'conf-proposal':
      case 'transfer':
        return this.membership;
      default:
        return this.undeclared;
    }
  }
}

/**
 * `list` in an array whose elements kind is objects even when it is empty. An empty array has another hidden class
 * (small-integer elements) than one holding checkers, so a run whose extra checkers judge some kinds and not others
 * (stability: persists, not applies), or a run with none after runs with some, reached the optimized fact path's loop
 * below with an array map it had not seen and deoptimized it. Pushing a checker and popping it leaves the kind at
 * objects (an array's elements kind never goes back).
 */
function objectList(list: readonly Checker[]): readonly Checker[] {
  const out: Checker[] = [PLACEHOLDER];
  out.pop();
  for (let i = 0; i < list.length; i++) out.push(list[i] as Checker);
  return out;
}

const PLACEHOLDER: Checker = Object.freeze({ property: 'election-safety', observe: () => null });

/**
 * The one empty list every dispatch without checkers shares: never written, and of the same hidden class as the lists
 * holding checkers (see {@link objectList}), so the fact path's loop sees one array map either way.
 */
const NO_CHECKERS: readonly Checker[] = objectList([]);
