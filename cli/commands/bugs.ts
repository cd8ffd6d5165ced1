/** `seaworthy bugs`: the planted bugs, to prove the checkers catch what they claim to. */
import chalk from 'chalk';
import type { Argv, CommandModule } from 'yargs';
import { PLANTED_BUGS } from '../../scenarios/planted-bugs.js';
import { EXIT_PASS } from '../errors.js';
import { handleWith } from '../command-context.js';
import type { Io } from '../io.js';

export function executeBugs(args: { readonly json: boolean }, io: Io): number {
  const rows = PLANTED_BUGS.map((b) => ({ name: b.name, description: b.description, scenario: b.scenario, seedsToCatchMax: b.seedsToCatchMax }));
  if (args.json) {
    io.stdout(JSON.stringify(rows));
    return EXIT_PASS;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) io.stdout(`${chalk.yellow(r.name.padEnd(width))}  ${r.description}`);
  io.stdout(chalk.dim(`try: npx seaworthy run --bug ${rows[0]?.name ?? 'NAME'} --seeds 200`));
  return EXIT_PASS;
}

export const bugsCommand: CommandModule<object, { json: boolean }> = {
  command: 'bugs',
  describe: 'list the planted bugs (deliberately broken variants of our core)',
  builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<{ json: boolean }>,
  handler: handleWith(executeBugs),
};
