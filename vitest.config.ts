import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Process, kernel and training tests spawn real processes; two cores are all we have.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
