/** notebooks(): the Vite plugin that makes each .ipynb a vitest test file (one test per code cell). */
import { invalidArgument } from '../errors';
import { checkTestOptions, type NotebookTestOptions } from './options';

/** The part of Vite's Plugin interface used here, so labbook needs no Vite types at run time. */
export interface NotebookPlugin {
  name: string;
  enforce: 'pre';
  load(id: string): string | null;
}

/**
 * In vitest.config: `plugins: [notebooks()]` and `test: {include: ['notebooks/**\/*.ipynb', ...]}`.
 * A collected notebook is loaded as a small module that calls describeNotebook with vitest's own
 * describe/it/hooks (passed in: vitest cannot be require()d, and there must be one instance of it)
 * and loads labbook with Node's require from the notebook's folder, as the project installed it.
 */
export function notebooks(options: NotebookTestOptions = {}): NotebookPlugin {
  const checked = checkTestOptions(options);
  return {
    name: 'labbook:notebooks',
    enforce: 'pre',
    load(id: string): string | null {
      const file = id.split('?')[0];
      if (!file.endsWith('.ipynb')) return null;
      if (file.includes('\0')) throw invalidArgument('notebook path', 'a file path', file);
      return [
        `import { afterAll, beforeAll, expect, it } from 'vitest';`,
        `import { createRequire } from 'node:module';`,
        `const { describeNotebook } = createRequire(${JSON.stringify(file)})('labbook/vitest');`,
        `describeNotebook(${JSON.stringify(file)}, ${JSON.stringify(checked)}, { afterAll, beforeAll, expect, it });`,
        '',
      ].join('\n');
    },
  };
}
