/** Where a command writes: injected so commands can be run and checked in-process by tests. */
export interface Io {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Whether stderr is an interactive terminal (progress bars only there, never in CI). */
  readonly interactive: boolean;
}

export const processIo: Io = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  interactive: process.stderr.isTTY === true && process.env.CI !== 'true',
};
