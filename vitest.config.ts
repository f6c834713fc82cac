import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file makes its own databases; two at a time keeps a 2-core machine responsive.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
