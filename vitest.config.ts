import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file makes its own databases; most test time is spent waiting on databases and child processes, so four files run at once.
    poolOptions: { forks: { maxForks: 4, minForks: 1 } },
  },
});
