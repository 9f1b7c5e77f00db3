import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./test/helpers/global-setup.ts'],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each file gets its own database cloned from a migrated template, so files run in parallel.
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Outbound network is limited to the test's own loopback stubs: see test/helpers/block-network.ts. A failed
    // test keeps its database: see test/helpers/track-test-file.ts.
    setupFiles: ['./test/helpers/block-network.ts', './test/helpers/track-test-file.ts'],
  },
});
