/**
 * `npm run test:faults`: the fault suite alone, in its long form unless FAULT_SUITE says otherwise, one file at
 * a time (each one loads the 2-core machine on purpose). It lives here rather than at the top level because
 * tsconfig.json and the lint setup cover `test/` but not other top-level files. The short form of the same
 * files runs inside `npm test` through the default config.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/faults/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    env: { FAULT_SUITE: process.env['FAULT_SUITE'] ?? 'long' },
    // Outbound network is limited to the test's own loopback stubs, and a failed test keeps its database, as in the main suite.
    setupFiles: ['./test/helpers/block-network.ts', './test/helpers/track-test-file.ts'],
  },
});
