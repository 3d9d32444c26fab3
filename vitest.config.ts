import { defineConfig } from 'vitest/config';

const PROPERTY = 'test/**/*.property.test.ts';
const INTEGRATION = 'test/integration/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Fails a test file whose code writes one of the suite's secrets to stdout or stderr.
    // And zod/mini's English messages, which the code loads with its issue formatting: some tests read messages straight from a schema.
    setupFiles: ['test/support/noSecrets.ts', 'shared/config/zodIssues.ts'],
    hookTimeout: 120_000,
    // Integration files each start their own local stack on free ports; two at once suit a 2-core machine.
    maxWorkers: 2,
    projects: [
      // Seconds: every unit test, without the property tests' many generated cases.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [PROPERTY, INTEGRATION] } },
      { extends: true, test: { name: 'property', include: [PROPERTY] } },
      // The handlers wired by local mode's embedded SQS, against the simulators on 127.0.0.1.
      { extends: true, test: { name: 'integration', include: [INTEGRATION] } },
    ],
  },
});
