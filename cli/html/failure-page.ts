/**
 * The HTML page of a failure class, written into its `run --artifacts` folder beside plan.json, repro.txt and
 * timeline.txt (cli/artifacts.ts `ArtifactExtra`): the class's first failing seed, rerun with its trace, drawn
 * like `replay --html` draws it. A class whose seed could not be rerun (the watchdog stopped it) gets no page.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { ArtifactExtra, ArtifactFile } from '../artifacts.js';
import type { FailureEvidence } from '../failure-evidence.js';
import { runPage } from './report.js';

/** The page's file name in a class folder. */
export const FAILURE_PAGE = 'failure.html';

/** The artifact extra that adds {@link FAILURE_PAGE} to each class folder. */
export const failurePage: ArtifactExtra = (evidence: FailureEvidence): readonly ArtifactFile[] => {
  if (evidence.verdict === null || evidence.verdict.trace === null) return [];
  const lines = [`repro: ${evidence.failure.repro}`, `or from this folder: ${evidence.planRepro('plan.json')}`, ...(evidence.note === undefined ? [] : [`note: ${evidence.note}`])];
  return [{ name: FAILURE_PAGE, content: runPage(evidence.verdict, { label: `failure class ${evidence.failure.property}`, lines }) }];
};

/**
 * The link from the batch page at `htmlFile` to a class's page in its artifacts `folder`, relative so the
 * two can be moved or attached together; null when the class has no folder or its page was not written.
 */
export function classPageHref(htmlFile: string, folder: string | undefined): string | null {
  if (folder === undefined) return null;
  const page = join(folder, FAILURE_PAGE);
  if (!existsSync(page)) return null;
  return relative(dirname(htmlFile), page).split(sep).map(encodeURIComponent).join('/');
}
