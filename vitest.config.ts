import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration files each start their own local stack on free ports; two at once suit a 2-core machine.
    maxWorkers: 2,
  },
});
