/** `seaworthy scenarios`: the named fault scenarios, one line each. */
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_SCENARIO, SCENARIOS } from '../../scenarios/registry.js';
import { EXIT_PASS } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';

export function executeScenarios(args: { readonly json: boolean }, io: Io): number {
  const rows = SCENARIOS.map((s) => ({ name: s.name, description: s.description, assumes: s.assumes, injects: s.injects, requires: s.requires, default: s.name === DEFAULT_SCENARIO }));
  if (args.json) {
    io.stdout(JSON.stringify(rows));
    return EXIT_PASS;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const needs = r.requires.length > 0 ? chalk.dim(` (needs ${r.requires.join(', ')})`) : '';
    io.stdout(`${chalk.cyan(r.name.padEnd(width))}  ${r.description}${r.default ? chalk.dim(' [default]') : ''}${needs}`);
  }
  return EXIT_PASS;
}

export const scenariosCommand: CommandModule<object, { json: boolean }> = {
  command: 'scenarios',
  describe: 'list the named fault scenarios',
  builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<{ json: boolean }>,
  handler: handleWith(executeScenarios),
};
