/** labbook/vitest: notebooks as vitest tests (the plugin for vitest.config, and the suite it generates per notebook). */
export { notebooks, type NotebookPlugin } from './plugin';
export { describeNotebook, type VitestApi } from './describe';
export type { NotebookTestOptions } from './options';
export { notebookCoverage } from './coverage';
