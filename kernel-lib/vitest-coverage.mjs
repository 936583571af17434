// labbook/vitest-coverage: @vitest/coverage-v8 plus what notebook kernels ran (README, "Coverage").
// For vitest.config's coverage: {provider: 'custom', customProviderModule: 'labbook/vitest-coverage'}.
// An ES module because @vitest/coverage-v8 is one; labbook's CommonJS code is required beside it.
import { createRequire } from 'node:module';
import v8 from '@vitest/coverage-v8';

const { withNotebookCoverage } = createRequire(import.meta.url)('./dist/vitest/coverage');

// The worker side (startCoverage, takeCoverage, stopCoverage) is coverage-v8's own; only the
// main process's provider changes.
export default {
  ...v8,
  async getProvider() {
    const base = await v8.getProvider();
    const Provider = withNotebookCoverage(base.constructor);
    return new Provider();
  },
};
