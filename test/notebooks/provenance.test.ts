import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { notebookContext, type NotebookContext } from '../../kernel-lib/src/repro/notebook';
import { ROOT, runCli, tempDir } from '../helpers';

const run = promisify(execFile);

function writeNotebook(file: string, sources: string[]): void {
  const cells = sources.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }));
  const notebook = { cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 };
  writeFileSync(file, JSON.stringify(notebook));
}

/**
 * nbconvert (nbclient) names no notebook to the kernel it starts, as classic Notebook 6 does
 * not: a run must still record which notebook it ran for, and hash its code.
 */
describe('notebook provenance under a plain Jupyter client', () => {
  it('a run started by a notebook executed with nbconvert records the notebook, its executed cells, and a code hash', async () => {
    const dir = tempDir('labbook-provenance-');
    const spec = await runCli(['kernelspec', '--dir', join(dir, 'jupyter'), '--json']);
    expect(spec.code, spec.stderr).toBe(0);
    const db = join(dir, 'registry.db');
    const registryModule = JSON.stringify(join(ROOT, 'kernel-lib', 'dist', 'registry'));
    const train = join(dir, 'train.ipynb');
    writeNotebook(train, [`import { openRegistry } from ${registryModule};\nconst registry = openRegistry();`, '', "registry.startRun({ experiment: 'provenance', config: {} }).end();\nregistry.close();"]);
    writeNotebook(join(dir, 'other.ipynb'), ['const unrelated = 1;']); // a second notebook in the folder is not taken for it
    await run('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', '--output-dir', join(dir, 'out'), train], {
      cwd: dir,
      env: { ...process.env, JUPYTER_PATH: join(dir, 'jupyter'), JUPYTER_PLATFORM_DIRS: '1', JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), LABBOOK_DB: db, LABBOOK_NOTEBOOK: '', JPY_SESSION_NAME: '', PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` },
      maxBuffer: 16 * 1024 * 1024,
    });
    const registry = openRegistry({ db, create: false });
    const [recorded] = registry.sql<{ id: number }>('SELECT id FROM runs');
    const record = registry.getRun(recorded.id);
    registry.close();
    const saved = notebookContext({ LABBOOK_NOTEBOOK: train })!; // as labbook's own runner would record it
    expect(record.env.notebook).toMatchObject({ cellsSha256: saved.cellsSha256, executed: { cells: 2, notInFile: 0 } }); // nbclient skips the blank cell
    expect((record.env.notebook as NotebookContext | null)?.path?.endsWith('train.ipynb')).toBe(true);
    expect(record.codeHash).toBe(saved.cellsSha256);

    // labbook's own runner records the same notebook the same way: one code hash for both.
    const nbtestDb = join(dir, 'nbtest.db');
    const nbtest = await runCli(['nbtest', train, '--db', nbtestDb]);
    expect(nbtest.code, nbtest.stdout + nbtest.stderr).toBe(0);
    const again = openRegistry({ db: nbtestDb, create: false });
    const [first] = again.sql<{ id: number }>('SELECT id FROM runs ORDER BY id');
    const nbtestRun = again.getRun(first.id);
    again.close();
    expect(nbtestRun.codeHash).toBe(record.codeHash);
    expect(nbtestRun.env.notebook).toMatchObject({ cellsSha256: saved.cellsSha256, executed: { cells: 2, sha256: (record.env.notebook as NotebookContext | null)?.executed?.sha256, notInFile: 0 } });
  }, 300_000);
});
