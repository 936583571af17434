import { defineConfig } from 'vitest/config';
import SummaryReporter from './test/summary-reporter';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Process, kernel and training tests spawn real processes; two cores are all we have.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The run's own TMPDIR, failed if anything is left in it; each file's tempDir() folders removed.
    globalSetup: ['./test/support/tmp-guard.ts'],
    setupFiles: ['./test/support/cleanup.ts'],
    reporters: ['default', new SummaryReporter()],
  },
});
