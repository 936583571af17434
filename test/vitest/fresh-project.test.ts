/** A fresh npm project that installs the packed labbook runs its notebook as vitest tests: the default report and JUnit XML. */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, type Finished, ROOT, tempDir } from '../helpers';
import { childVitestEnv } from './run';

const run = promisify(execFile);

/**
 * What a user does: `npm pack`ed labbook (the files a registry would serve: dist/, bin/,
 * vitest.js), installed with vitest and tslab by a real `npm install`, install scripts included
 * (better-sqlite3 compiles as on a user's machine). --prefer-offline: the packages come from the
 * npm cache that `npm ci` filled for this checkout, at the versions this checkout uses; only what
 * that cache lacks is asked of the registry (`npm ci` on a lockfile without download addresses
 * caches abbreviated package documents, and this install may want a full one: --offline then
 * failed with ENOTCACHED for tslab), so the test is not slowed by the network (about 1 min to resolve and unpack, 1-2 min to compile
 * better-sqlite3 on two cores). The overrides are the ones README tells a project to copy:
 * danfojs-node's tfjs-node and xlsx.
 */
const version = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const CONFIG = `import { defineConfig } from 'vitest/config';
import { notebooks } from 'labbook/vitest';
export default defineConfig({ plugins: [notebooks()], test: { include: ['notebooks/**/*.ipynb'] } });
`;

const FIRST = [
  "import * as lb from 'labbook';",
  'const registry = lb.openRegistry({ create: true });',
  "const run = registry.startRun({ experiment: 'fresh', config: { lr: 0.1 }, seed: 1 });",
  'run.log({ loss: 0.5 }, 0);',
  'run.end();',
  "console.log(`run ${run.id} ended`);",
].join('\n');
const THROWS = "throw new Error('the assay came back empty');";
const LAST = "console.log('the end');";

function notebook(cells: string[]): string {
  const code = cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }));
  const doc = {
    cells: [{ cell_type: 'markdown', metadata: {}, source: '# A fresh project' }, ...code],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(doc, null, 1)}\n`;
}

/** The parent's own vitest, labbook and npm settings stay out: the project runs as in a fresh shell (without colours, to read its report). */
function cleanEnv(): NodeJS.ProcessEnv {
  return { ...childVitestEnv(/^(LABBOOK_|npm_|NODE_OPTIONS$|FORCE_COLOR$)/), NO_COLOR: '1' };
}

function npx(cwd: string, args: string[]): Promise<Finished> {
  return collect(spawn('npx', args, { cwd, env: cleanEnv() }));
}

interface JunitCase {
  name: string;
  classname: string;
  skipped: boolean;
  failure: { message: string | null; text: string } | null;
}

/** Parsed by Python's xml.etree, as a CI system's JUnit reader would: not by labbook's or vitest's code. */
async function readJunit(file: string): Promise<{ root: string; tests: number; failures: number; cases: JunitCase[] }> {
  const script = `import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = []
for c in root.iter('testcase'):
    f = c.find('failure')
    cases.append({'name': c.get('name'), 'classname': c.get('classname'), 'skipped': c.find('skipped') is not None,
                  'failure': None if f is None else {'message': f.get('message'), 'text': f.text or ''}})
print(json.dumps({'root': root.tag, 'tests': int(root.get('tests')), 'failures': int(root.get('failures')), 'cases': cases}))`;
  const { stdout } = await run('python3', ['-c', script, file]);
  return JSON.parse(stdout);
}

describe('a fresh project with labbook installed', () => {
  let project: string;

  beforeAll(async () => {
    project = tempDir('labbook-fresh-');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: join(ROOT, 'kernel-lib'), env: cleanEnv() });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    const manifest = {
      name: 'fresh-project',
      version: '1.0.0',
      private: true,
      overrides: { '@tensorflow/tfjs-node': 'npm:@tensorflow/tfjs@4.22.0', xlsx: '0.18.5' },
      allowScripts: { 'better-sqlite3': true, zeromq: true, esbuild: true, 'core-js': false },
    };
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await run('npm', ['install', `./${packed.filename}`, `vitest@${version('vitest')}`, `tslab@${version('tslab')}`, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 });
    writeFileSync(join(project, 'vitest.config.ts'), CONFIG);
    mkdirSync(join(project, 'notebooks'));
  }, 20 * 60_000);

  it('reports a failing cell with its number, source and message, the later cells not run, and writes JUnit XML', async () => {
    writeFileSync(join(project, 'notebooks', 'assay.ipynb'), notebook([FIRST, THROWS, LAST]));
    const result = await npx(project, ['vitest', 'run', 'assay.ipynb', '--reporter=default', '--reporter=junit', '--outputFile.junit=report.xml']);
    const report = result.stdout + result.stderr;
    expect(result.code, report).toBe(1);
    expect(report).toContain('notebooks/assay.ipynb');
    expect(report).toContain('cell 2 [2] failed');
    expect(report).toContain(THROWS);
    expect(report).toContain('Error: the assay came back empty');
    expect(report).toMatch(/cell 3: console\.log\('the end'\);[^\n]*(skipped|not run)/);

    const junit = await readJunit(join(project, 'report.xml'));
    expect(junit.root).toBe('testsuites');
    expect(junit.cases.map((c) => c.name)).toEqual([
      "cell 1: import * as lb from 'labbook';",
      `cell 2: ${THROWS}`,
      "cell 3: console.log('the end');",
      expect.stringMatching(/^reproduces: /),
    ]);
    expect(junit.cases.every((c) => c.classname === 'notebooks/assay.ipynb')).toBe(true);
    const [first, failing, later, repro] = junit.cases;
    expect(first.failure).toBeNull();
    expect(first.skipped).toBe(false);
    expect(failing.failure?.text).toContain('the assay came back empty');
    expect(failing.failure?.text).toContain(THROWS);
    expect([later.skipped, repro.skipped]).toEqual([true, true]);
    expect(junit.failures).toBe(1);
  }, 5 * 60_000);

  it('passes when every cell does: exit 0', async () => {
    writeFileSync(join(project, 'notebooks', 'clean.ipynb'), notebook([FIRST, LAST]));
    const result = await npx(project, ['vitest', 'run', 'clean.ipynb']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Tests\s+3 passed \(3\)/);
  }, 5 * 60_000);
});
