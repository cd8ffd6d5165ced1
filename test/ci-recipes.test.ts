/**
 * The CI recipes stay valid: both GitHub workflows (this repository's and the example) pass a workflow
 * validator (@action-validator/core, the GitHub workflow schema), the Kubernetes manifest is an indexed Job
 * whose shard count matches its completions, and every seaworthy flag the recipes use is one the CLI knows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, runCliInProcess } from './cli-helpers.js';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const WORKFLOWS = ['.github/workflows/seaworthy.yml', 'examples/ci/github-actions.yml'];
const RECIPES = [...WORKFLOWS, 'examples/ci/kubernetes-indexed-job.yaml', 'docs/ci.md'];

/** The flags given to `seaworthy <command>` in a text (through npx or bin/seaworthy.js), line continuations joined. */
function flagsOf(text: string, command: string): Set<string> {
  const joined = text.replace(/\\\n\s*/g, ' ').replace(/>-\n/g, ' ').replace(/\n\s+--/g, ' --');
  const flags = new Set<string>();
  for (const match of joined.matchAll(new RegExp(`seaworthy(?:\\.js)? ${command}\\b([^\\n\`]*)`, 'g'))) {
    for (const flag of (match[1] ?? '').matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)) flags.add(flag[1] ?? '');
  }
  return flags;
}

describe('CI recipes', () => {
  for (const file of WORKFLOWS) {
    it(`${file} is a valid GitHub Actions workflow`, () => {
      const state = validateWorkflow(read(file));
      expect(state.errors).toEqual([]);
    });
  }

  it('the validator does reject a broken workflow', () => {
    const broken = read(WORKFLOWS[0] ?? '').replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest');
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it('the Kubernetes recipe is an indexed Job whose shard count is its completions', () => {
    const job = parse(read('examples/ci/kubernetes-indexed-job.yaml')) as {
      kind: string;
      spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { restartPolicy: string; containers: { env: { name: string; value: string }[]; args: string[] }[] } } };
    };
    expect(job.kind).toBe('Job');
    expect(job.spec.completionMode).toBe('Indexed');
    const container = job.spec.template.spec.containers[0];
    expect(container?.env.find((e) => e.name === 'SEAWORTHY_SHARD_COUNT')?.value).toBe(String(job.spec.completions));
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    // Each pod writes its own reports: the index is in every path.
    for (const flag of ['--json-file', '--junit', '--artifacts']) expect(container?.args.join(' ')).toMatch(new RegExp(`${flag} \\S*\\$JOB_COMPLETION_INDEX`));
  });

  // How many distinct flags the recipes give each command at least: the extraction must find them.
  for (const [command, least] of [['run', 8], ['merge', 2], ['replay', 3]] as const) {
    it(`the recipes use only flags seaworthy ${command} knows`, async () => {
      const help = (await runCliInProcess([command, '--help'])).stdout;
      const used = new Set(RECIPES.flatMap((file) => [...flagsOf(read(file), command)]));
      expect(used.size).toBeGreaterThanOrEqual(least);
      for (const flag of used) expect(help, `${command} ${flag}`).toContain(flag.replace(/^--no-/, '--'));
    });
  }
});
