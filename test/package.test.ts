/**
 * Seaworthy as a user gets it: `npm pack`, install the tarball into an empty project, then run the installed
 * command and import the library from plain JavaScript and from type-checked TypeScript. Catches what tests
 * of the checkout cannot: files missing from the package, a `bin` or `exports` pointing at TypeScript, a
 * runtime dependency kept in devDependencies.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './cli-helpers.js';

const INSTALL_TIMEOUT_MS = 240_000;
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment without the npm_* variables of the `npm test` that runs us (they would redirect npm). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { FORCE_COLOR: '0' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  }
  return env;
}

function run(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: cleanEnv(), timeout: INSTALL_TIMEOUT_MS });
  if (result.error !== undefined) throw result.error;
  return result;
}

function expectSuccess(result: SpawnSyncReturns<string>, what: string): void {
  if (result.status !== 0) throw new Error(`${what} exited ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

describe('the packed npm package', () => {
  let work = '';
  let project = '';

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'seaworthy-pack-'));
    // `npm pack` runs the `prepare` script, so the tarball holds a dist/ built from this checkout.
    expectSuccess(run('npm', ['pack', '--pack-destination', work, '--silent'], repoRoot), 'npm pack');
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${work}`);
    project = join(work, 'project');
    expectSuccess(run('mkdir', ['-p', project], work), 'mkdir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    expectSuccess(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], project), 'npm install <tarball>');
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('ships compiled JavaScript and declarations, not TypeScript sources', () => {
    const installed = join(project, 'node_modules', 'seaworthy');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(manifest.dependencies?.tsx).toBeUndefined();
    expect(readdirSync(join(installed, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'cli']));
    expect(readdirSync(installed)).not.toContain('core');
  });

  it('npx seaworthy --version prints the version', () => {
    const result = run('npx', ['--no-install', 'seaworthy', '--version'], project);
    expectSuccess(result, 'npx seaworthy --version');
    expect(result.stdout.trim()).toBe(version);
  });

  it('npx seaworthy run --seeds 20 --json fuzzes the built-in core (on worker threads too)', () => {
    const result = run('npx', ['--no-install', 'seaworthy', 'run', '--seeds', '20', '--jobs', '2', '--json'], project);
    expectSuccess(result, 'npx seaworthy run');
    const lines = result.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1] ?? '') as { runs: number; failed: number };
    expect(summary).toMatchObject({ runs: 20, failed: 0 });
  });

  it('npx seaworthy replay --html writes a page with its viewer inlined (dist/cli/html/viewer.js ships)', () => {
    const result = run('npx', ['--no-install', 'seaworthy', 'replay', '--seed', '1', '--nodes', '3', '--safety-only', '--html', 'run.html'], project);
    expectSuccess(result, 'npx seaworthy replay --html');
    const page = readFileSync(join(project, 'run.html'), 'utf8');
    expect(page).toContain('<script id="seaworthy-data" type="application/json">');
    expect(page).toContain('function makeWindow(');
    expect(page).not.toContain('sourceMappingURL');
  });

  it('a plain .mjs file imports checkSeeds and runs 20 seeds against its own implementation', () => {
    // raft.js keeps its configuration rules (membership changes) in a module of its own.
    for (const file of ['raft.js', 'configuration.js']) copyFileSync(join(repoRoot, 'examples', 'js-raft', file), join(project, file));
    writeFileSync(
      join(project, 'check.mjs'),
      [
        "import { checkSeeds } from 'seaworthy';",
        "import { createRaft } from './raft.js';",
        'const result = checkSeeds({ seeds: 20, nodes: 3, implementation: createRaft() });',
        'console.log(JSON.stringify({ ok: result.ok, runs: result.runs, failures: result.failures.length }));',
      ].join('\n'),
    );
    const result = run(process.execPath, ['check.mjs'], project);
    expectSuccess(result, 'node check.mjs');
    expect(JSON.parse(result.stdout.trim())).toEqual({ ok: true, runs: 20, failures: 0 });
  });

  it('TypeScript users get the declarations through the exports map', () => {
    writeFileSync(
      join(project, 'typed.ts'),
      [
        "import { checkSeeds, SCENARIOS } from 'seaworthy';",
        "import type { CheckSeedsResult, RaftImplementation } from 'seaworthy';",
        'declare const mine: RaftImplementation;',
        'const result: CheckSeedsResult = checkSeeds({ seeds: 1, implementation: mine });',
        'const firstSeed: number | undefined = result.failures[0]?.seed;',
        'const names: string[] = SCENARIOS.map((s) => s.name);',
        'export { firstSeed, names };',
        '// @ts-expect-error: seeds is a number',
        "checkSeeds({ seeds: 'many' });",
      ].join('\n'),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', 'typed.ts'], project);
    expectSuccess(result, 'tsc typed.ts');
  });
});
