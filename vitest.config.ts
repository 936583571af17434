import { defineConfig } from 'vitest/config';
// labbook's own integration, as a project that depends on labbook uses it (npm test builds dist first).
import { notebooks } from 'labbook/vitest';
import SummaryReporter from './test/summary-reporter';

export default defineConfig({
  // Every notebook is a test file: a test per code cell, then its reproducibility gate against the
  // checkpoint hashes the committed notebook publishes (no second execution: half the notebooks' CI time).
  plugins: [notebooks({ baseline: 'committed' })],
  test: {
    include: ['test/**/*.test.ts', 'notebooks/*.ipynb'],
    // Process, kernel and training tests spawn real processes; two cores are all we have.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The run's own TMPDIR, failed if anything is left in it; each file's tempDir() folders removed.
    globalSetup: ['./test/support/tmp-guard.ts'],
    setupFiles: ['./test/support/cleanup.ts'],
    reporters: ['default', new SummaryReporter()],
  },
});
