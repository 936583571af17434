import { configDefaults, defineConfig } from 'vitest/config';
// labbook's own integration, as a project that depends on labbook uses it (npm test builds dist first).
import { notebooks } from 'labbook/vitest';
import SummaryReporter from './test/summary-reporter';

/**
 * The two installs from scratch (the README's quick start on a fresh clone, a fresh project that
 * installs the packed labbook): six minutes of npm, g++ and waiting on children between them.
 * vitest runs one pool of workers per pool kind, side by side; these two get the threads pool, so
 * they run beside the other files (one fork at a time on two cores) instead of after them.
 */
const INSTALLS = ['test/readme/quickstart.test.ts', 'test/vitest/fresh-project.test.ts'];

const shared = {
  // Process, kernel and training tests spawn real processes; two cores are all we have.
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // The run's own TMPDIR (set before either pool starts, so both inherit it), failed if anything is
  // left in it; each file's tempDir() folders removed.
  globalSetup: ['./test/support/tmp-guard.ts'],
  setupFiles: ['./test/support/cleanup.ts'],
};

export default defineConfig({
  test: {
    reporters: ['default', new SummaryReporter()],
    projects: [
      {
        // Every notebook is a test file: a test per code cell, then its reproducibility gate against the
        // checkpoint hashes the committed notebook publishes (no second execution: half the notebooks' CI time).
        plugins: [notebooks({ baseline: 'committed' })],
        test: {
          ...shared,
          name: 'labbook',
          include: ['test/**/*.test.ts', 'notebooks/*.ipynb'],
          exclude: [...configDefaults.exclude, ...INSTALLS],
        },
      },
      { test: { ...shared, name: 'installs', include: INSTALLS, pool: 'threads' } },
    ],
  },
});
