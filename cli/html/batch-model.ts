/**
 * The batch view's data (`run --html`): pass and fail per scenario, the failure classes with their repro
 * commands (and a link to each class's page when `run --artifacts` wrote one), fault counts and coverage
 * probes with the missed ones flagged. Built from the run's JSON summary, so it shows exactly what `--json` says.
 */

/** The part of `run`'s JSON summary the batch view reads (see cli/commands/run.ts RunSummary). */
export interface BatchSummaryInput {
  readonly version: string;
  readonly runs: number;
  readonly passed: number;
  readonly failed: number;
  readonly seedStart: number;
  readonly scenario: string;
  readonly nodes: number | null;
  readonly bug: string | null;
  readonly implementation: string;
  readonly wallMs: number;
  readonly events: number;
  readonly simulatedMs: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly probes: Readonly<Record<string, number>>;
  readonly probesMissed: readonly string[];
  readonly clientOps: { readonly ok: number; readonly fail: number; readonly info: number };
  readonly classes: readonly { readonly signature: string; readonly property: string; readonly count: number; readonly seeds: readonly number[]; readonly repro: string }[];
  readonly failures: readonly { readonly seed: number; readonly message: string }[];
  readonly implementationErrors: number;
  readonly interrupted: boolean;
  readonly linUndecided?: readonly number[];
}

export interface BatchClass {
  readonly property: string;
  readonly message: string;
  readonly count: number;
  readonly seeds: readonly number[];
  readonly repro: string;
  /** The class's page, relative to the batch page; null when no artifacts were written. */
  readonly href: string | null;
}

export interface BatchData {
  readonly scenarios: readonly { readonly name: string; readonly passed: number; readonly failed: number }[];
  readonly facts: readonly (readonly [string, string])[];
  readonly classes: readonly BatchClass[];
  /** Fault kinds with a non-zero count, largest first. */
  readonly faults: readonly (readonly [string, number])[];
  /** Every probe with its hit count, in the summary's order; `missed` are the probes never hit. */
  readonly probes: readonly (readonly [string, number])[];
  readonly missed: readonly string[];
}

/** Builds the batch view; `hrefOf(classIndex)` names the page of each class when artifacts were written. */
export function buildBatchData(s: BatchSummaryInput, hrefOf: (classIndex: number) => string | null = () => null): BatchData {
  const seconds = s.wallMs / 1000;
  const facts: [string, string][] = [
    ['seeds', `${s.seedStart}..${s.seedStart + s.runs - 1} (${s.runs})`],
    ['implementation', s.implementation],
    ['nodes', s.nodes === null ? 'drawn per seed' : String(s.nodes)],
    ['bug', s.bug ?? 'none'],
    ['wall time', `${seconds.toFixed(1)} s`],
    ['simulated', `${Math.round(s.simulatedMs / 1000)} s, ${s.events} events`],
    ['client operations', `${s.clientOps.ok} ok, ${s.clientOps.fail} failed, ${s.clientOps.info} indeterminate`],
    ['seaworthy', s.version],
  ];
  if (s.implementationErrors > 0) facts.push(['implementation errors', String(s.implementationErrors)]);
  if (s.linUndecided !== undefined && s.linUndecided.length > 0) facts.push(['linearizability undecided', `seeds ${s.linUndecided.join(', ')}`]);
  if (s.interrupted) facts.push(['interrupted', 'the summary covers the seeds that finished']);
  return {
    scenarios: [{ name: s.scenario, passed: s.passed, failed: s.failed }],
    facts,
    classes: s.classes.map((c, i) => ({
      property: c.property,
      message: s.failures.find((f) => f.seed === c.seeds[0])?.message ?? c.signature,
      count: c.count,
      seeds: c.seeds,
      repro: c.repro,
      href: hrefOf(i),
    })),
    faults: Object.entries(s.faults)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    probes: Object.entries(s.probes),
    missed: s.probesMissed,
  };
}
