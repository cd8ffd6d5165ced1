import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'mutation-corpus/**/*.test.ts', 'sim/**/*.test.ts', 'properties/**/*.test.ts', 'scenarios/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
