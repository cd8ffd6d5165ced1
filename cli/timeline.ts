/** A readable, coloured timeline of a recorded run: one line per observable event, in simulated time. */
import chalk from 'chalk';
import type { Violation } from '../properties/types.js';
import type { TraceKind, TraceLine } from '../sim/trace.js';

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

export interface TimelineOptions {
  /** Hide per-message send/deliver lines (they dominate long runs). */
  readonly messages: boolean;
  /** Cut lines to this many columns (0: no limit). */
  readonly width: number;
}

export function formatTimeline(lines: readonly TraceLine[], violations: readonly Violation[], options: TimelineOptions): string[] {
  const out: string[] = [];
  const violationAt = new Map<number, Violation[]>();
  for (const v of violations) violationAt.set(v.event, [...(violationAt.get(v.event) ?? []), v]);
  let lastEvent = -1;
  const flushViolations = (upTo: number): void => {
    for (const [event, vs] of [...violationAt].sort((a, b) => a[0] - b[0])) {
      if (event > upTo) continue;
      for (const v of vs) out.push(KIND_STYLE.violation(` ✘ ${v.property} at ${v.atMs} ms (event ${v.event}): ${v.message} `));
      violationAt.delete(event);
    }
  };
  for (const line of lines) {
    if (line.event !== lastEvent) flushViolations(lastEvent);
    lastEvent = line.event;
    if (!options.messages && (line.kind === 'send' || line.kind === 'deliver')) continue;
    const time = `${String(line.atMs).padStart(6)} ms`;
    const node = line.node === 0 ? '    ' : `n${line.node}`.padEnd(4);
    const text = cut(`${line.kind.padEnd(8)} ${line.text}`, options.width === 0 ? 0 : Math.max(20, options.width - 16));
    out.push(`${chalk.dim(time)}  ${chalk.bold(node)} ${KIND_STYLE[line.kind](text)}`);
  }
  flushViolations(Number.MAX_SAFE_INTEGER);
  return out;
}

function cut(text: string, width: number): string {
  return width > 0 && text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
