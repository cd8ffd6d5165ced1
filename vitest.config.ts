import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'mutation-corpus/**/*.test.ts', 'sim/**/*.test.ts', 'properties/**/*.test.ts', 'scenarios/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    // Failing batches write failure artifacts by default (cli/artifacts.ts): in tests, outside the repository.
    env: { SEAWORTHY_ARTIFACTS: join(tmpdir(), 'seaworthy-test-artifacts') },
  },
});
