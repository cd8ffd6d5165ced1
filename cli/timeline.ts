/**
 * A readable, coloured timeline of a recorded run, in simulated-time order: one column per node with its
 * state after each step (role letter and term, commit index), then the step itself (faults, roles, persists,
 * applies, client operations, and with `messages` every send and delivery). The steps at which a property
 * was violated are marked `▶` and followed by the violation. With a `width`, the node columns get more
 * compact and the step text is cut so every line fits a terminal. It reads the run's typed trace records (node
 * state from the facts themselves) and renders each record's text with sim/trace.ts's `describeTraceRecord`.
 */
import chalk from 'chalk';
import type { NodeId, Role } from '../sim/contract.js';
import { MembershipNarrator } from './timeline-membership.js';
import type { Violation } from '../properties/types.js';
import { describeTraceRecord } from '../sim/trace.js';
import type { TraceKind, TraceRecord } from '../sim/trace.js';

const KIND_STYLE: Readonly<Record<TraceKind, (s: string) => string>> = {
  phase: chalk.bold.cyan,
  fault: chalk.bold.magenta,
  role: chalk.bold.green,
  send: chalk.dim,
  drop: chalk.dim.red,
  deliver: chalk.dim,
  persist: chalk.blue,
  apply: chalk.white,
  client: chalk.cyan,
  crash: chalk.bold.red,
  restart: chalk.bold.yellow,
  violation: chalk.bgRed.white.bold,
};

/** How the membership notes (configuration changes, transfers) stand out. */
const MEMBERSHIP_STYLE = chalk.bold.yellow;

export interface TimelineOptions {
  /** Show per-message send/deliver lines (they dominate long runs). */
  readonly messages: boolean;
  /** Fit lines to this many columns (0: no limit). */
  readonly width: number;
  /** Cluster size, for the node columns; inferred from the trace when absent. */
  readonly nodeCount?: number;
  /**
   * The initial voters, for describing the first configuration change (nodes 1..nodeCount when absent). Nodes
   * that join later get columns from the trace.
   */
  readonly bootstrap?: readonly NodeId[];
}

/** What the timeline knows of one node, from the trace records seen so far. */
interface NodeState {
  role: string;
  term: number;
  commit: number;
  applied: number;
  down: boolean;
  /** Not started yet (a node that joins later), or stopped for good; absent means false. */
  absent?: boolean;
  retired?: boolean;
}

const ROLE_LETTER: Readonly<Record<Role, string>> = { leader: 'L', candidate: 'C', 'pre-candidate': 'P', follower: 'F' };

/** Updates `s` from one trace record of its node; returns whether anything shown changed. */
export function updateNodeState(s: NodeState, record: TraceRecord): boolean {
  if (record.type !== 'fact') return false;
  const before = cellText(s, 'full');
  const fact = record.fact;
  switch (fact.kind) {
    case 'role':
      s.role = ROLE_LETTER[fact.role];
      s.term = fact.term;
      break;
    case 'persist':
      s.term = Math.max(s.term, fact.hardState.term);
      s.commit = Math.max(s.commit, fact.hardState.commit);
      break;
    case 'apply':
      s.applied = Math.max(s.applied, fact.entry.index);
      break;
    case 'crash':
      s.down = true;
      break;
    case 'restart':
      s.down = false;
      s.role = 'F';
      s.term = fact.stored.hardState.term;
      s.commit = fact.stored.hardState.commit;
      break;
    case 'join':
      s.absent = false;
      break;
    case 'retire':
      s.retired = true;
      break;
    default:
      break;
  }
  return cellText(s, 'full') !== before;
}

type CellMode = 'full' | 'compact' | 'tiny';
const CELL_WIDTH: Readonly<Record<CellMode, number>> = { full: 11, compact: 7, tiny: 4 };

function cellText(s: NodeState, mode: CellMode): string {
  if (s.retired) return mode === 'tiny' ? '--' : 'retired';
  if (s.absent) return '·';
  if (s.down) return mode === 'tiny' ? 'xx' : 'down';
  const commit = Math.max(s.commit, s.applied);
  if (mode === 'tiny') return `${s.role}${s.term}`;
  if (mode === 'compact') return `${s.role}${s.term}:${commit}`;
  return `${s.role}${s.term} c${commit}`;
}

/** Text columns left for the step after the time and node columns (never fewer than this). */
const STEP_WIDTH_MIN = 24;
const TIME_WIDTH = 8;

function cellMode(width: number, nodeCount: number): CellMode {
  if (width === 0) return 'full';
  for (const mode of ['full', 'compact', 'tiny'] as const) if (TIME_WIDTH + nodeCount * CELL_WIDTH[mode] + 2 + STEP_WIDTH_MIN <= width) return mode;
  return 'tiny';
}

/** The timeline's lines (see the file's TSDoc); `violations` are shown right after the step that caused them. */
export function formatTimeline(lines: readonly TraceRecord[], violations: readonly Violation[], options: TimelineOptions): string[] {
  // Nodes that joined later have ids above the initial cluster's: their columns come from the trace.
  let nodeCount = options.nodeCount ?? 0;
  for (const l of lines) nodeCount = Math.max(nodeCount, l.node);
  const bootstrap = options.bootstrap ?? initialNodes(lines, options.nodeCount ?? nodeCount);
  const narrator = new MembershipNarrator(bootstrap);
  const mode = cellMode(options.width, nodeCount);
  const cw = CELL_WIDTH[mode];
  const stepWidth = options.width === 0 ? 0 : Math.max(STEP_WIDTH_MIN, options.width - TIME_WIDTH - nodeCount * cw - 2);
  const initial = new Set(bootstrap);
  const states: NodeState[] = Array.from({ length: nodeCount + 1 }, (_, id) => ({ role: 'F', term: 0, commit: 0, applied: 0, down: false, absent: !initial.has(id), retired: false }));
  const violatingEvents = new Set(violations.map((v) => v.event));
  const pending = new Map<number, Violation[]>();
  for (const v of violations) pending.set(v.event, [...(pending.get(v.event) ?? []), v]);

  const out: string[] = [];
  const header = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`.padEnd(cw)).join('');
  out.push(chalk.bold(`${'time ms'.padStart(TIME_WIDTH - 1)} ${header}│ step`));
  const flush = (upTo: number): void => {
    for (const event of [...pending.keys()].sort((a, b) => a - b)) {
      if (event > upTo) continue;
      for (const v of pending.get(event) ?? []) out.push(KIND_STYLE.violation(cut(`▶ ✘ ${v.property} at ${v.atMs} ms (event ${v.event}, nodes ${v.nodes.join(',') || '-'}): ${v.message}`, options.width)));
      pending.delete(event);
    }
  };
  let lastEvent = -1;
  for (const line of lines) {
    if (line.event !== lastEvent) flush(lastEvent);
    lastEvent = line.event;
    const state = line.node >= 1 && line.node <= nodeCount ? states[line.node] : undefined;
    const changed = state !== undefined && updateNodeState(state, line);
    if (!options.messages && (line.kind === 'send' || line.kind === 'deliver' || line.kind === 'drop')) continue;
    const marker = violatingEvents.has(line.event) ? chalk.red.bold('▶') : ' ';
    const time = `${String(line.atMs).padStart(TIME_WIDTH - 2)}`;
    const cells = states
      .slice(1)
      .map((s, i) => {
        const text = cellText(s, mode).padEnd(cw);
        if (i + 1 !== line.node) return chalk.dim(text);
        return changed ? chalk.inverse(text.trimEnd()) + ' '.repeat(cw - text.trimEnd().length) : chalk.bold(text);
      })
      .join('');
    const who = line.node === 0 ? '   ' : `n${line.node} `.padEnd(3);
    const step = cut(`${who}${line.kind.padEnd(8)} ${describeTraceRecord(line)}`, stepWidth);
    out.push(`${marker}${chalk.dim(time)} ${cells}│ ${KIND_STYLE[line.kind](step)}`);
    // Configuration changes and transfers get a line of their own, right under the fact that shows them.
    for (const note of narrator.notes(line)) out.push(` ${chalk.dim(time)} ${' '.repeat(nodeCount * cw)}│ ${MEMBERSHIP_STYLE(cut(`◆  ${note}`, stepWidth))}`);
  }
  flush(Number.MAX_SAFE_INTEGER);
  return out;
}

/** The initial voters: nodes 1..count, less any that has a join fact (it started later, with an empty disk). */
function initialNodes(lines: readonly TraceRecord[], count: number): NodeId[] {
  const joined = new Set<NodeId>();
  for (const l of lines) if (l.type === 'fact' && l.fact.kind === 'join') joined.add(l.node);
  return Array.from({ length: count }, (_, i) => i + 1).filter((id) => !joined.has(id));
}

function cut(text: string, width: number): string {
  return width > 0 && text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
