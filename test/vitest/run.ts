/** Runs a child vitest over fixture notebooks with labbook's plugin, and reads its JSON report. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Finished, ROOT, runNode, tempDir } from '../helpers';

export interface VitestOutcome extends Finished {
  /** Test name -> status, from the JSON reporter (passed, failed, skipped, pending), in report order; a name two notebooks share is `file > name`. */
  tests: Map<string, { status: string; failureMessages: string[] }>;
  /** The one test whose name starts with `prefix` (in the notebook whose path ends with `file`, when given). */
  test(prefix: string, file?: string): { status: string; failureMessages: string[] };
  /** The default reporter's text. */
  text: string;
}

const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
export const NOTEBOOK_CONFIG = join(ROOT, 'test', 'fixtures', 'vitest', 'notebooks.config.ts');

/**
 * This process's environment for a child vitest, which must not think it runs inside this one:
 * vitest's own variables (VITEST*, TEST, NODE_ENV) and those `alsoDrop` matches are set to
 * undefined, which spawn leaves out, so it works as a whole env and merged over process.env (runNode).
 */
export function childVitestEnv(alsoDrop?: RegExp): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(VITEST|TEST$|NODE_ENV$)/.test(k) || alsoDrop?.test(k)) env[k] = undefined;
  return env;
}

export async function runVitest(notebooks: string[], options: object = {}, args: string[] = []): Promise<VitestOutcome> {
  const out = join(tempDir('labbook-vitest-report-'), 'report.json');
  const result = await runNode(
    [VITEST, 'run', '--config', NOTEBOOK_CONFIG, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args],
    { env: { ...childVitestEnv(), FORCE_COLOR: '0', NO_COLOR: '1', LABBOOK_TEST_NOTEBOOKS: JSON.stringify(notebooks), LABBOOK_TEST_NOTEBOOK_OPTIONS: JSON.stringify(options) } },
  );
  const tests = new Map<string, { status: string; failureMessages: string[] }>();
  const all: { file: string; title: string; status: string; failureMessages: string[] }[] = [];
  try {
    const report = JSON.parse(readFileSync(out, 'utf8')) as { testResults: { name: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
    for (const file of report.testResults) for (const t of file.assertionResults) all.push({ file: file.name, ...t });
  } catch {
    // No report: the child failed before running tests; its output says why.
  }
  for (const t of all) tests.set(all.filter((o) => o.title === t.title).length > 1 ? `${t.file} > ${t.title}` : t.title, t);
  const text = result.stdout + result.stderr;
  const test = (prefix: string, file?: string) => {
    const found = all.filter((t) => t.title.startsWith(prefix) && (file === undefined || t.file.endsWith(file)));
    if (found.length !== 1) throw new Error(`expected one test starting ${JSON.stringify(prefix)}${file ? ` in ${file}` : ''}, found ${found.length}:\n${text}`);
    return found[0];
  };
  return { ...result, tests, test, text };
}
