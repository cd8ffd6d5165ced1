/** Where a command writes: injected so commands can be run and checked in-process by tests. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Whether stderr is an interactive terminal (progress bars only there, never in CI). */
  readonly interactive: boolean;
  /** Width of the terminal stdout writes to, in columns; absent when stdout is not a terminal (no limit). */
  readonly columns?: number | undefined;
}

export const processIo: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  interactive: process.stderr.isTTY === true && process.env.CI !== 'true',
  // A getter: the terminal may be resized between two commands of one process.
  get columns(): number | undefined {
    return process.stdout.columns;
  },
};
