import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { CLI, ROOT, runNode, tempDir } from '../helpers';

const run = promisify(execFile);

/** A small project: package.json, tslab and labbook in node_modules (links to this checkout's), one notebook that records a run. */
function smallProject(root: string): void {
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(join(root, 'notebooks'));
  writeFileSync(join(root, 'package.json'), '{ "name": "moved-project", "private": true }\n');
  symlinkSync(join(ROOT, 'node_modules', 'tslab'), join(root, 'node_modules', 'tslab'));
  symlinkSync(join(ROOT, 'kernel-lib'), join(root, 'node_modules', 'labbook'));
  symlinkSync('../tslab/bin/tslab', join(root, 'node_modules', '.bin', 'tslab')); // as npm links a bin
  const source = "import { openRegistry } from 'labbook/dist/registry';\nconst registry = openRegistry();\nregistry.startRun({ experiment: 'moved', config: {} }).end();\nregistry.close();";
  const notebook = {
    cells: [{ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source }],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(root, 'notebooks', 'record.ipynb'), JSON.stringify(notebook));
}

const specOf = (root: string) => JSON.parse(readFileSync(join(root, '.labbook', 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8')) as { argv: string[]; env: { LABBOOK_PROJECT: string } };

describe('the kernelspec of a moved checkout', () => {
  it('is rewritten by the next labbook command to run the new tree\'s tslab, and a notebook run on it records into the new tree\'s registry', async () => {
    const parent = tempDir('labbook-kernelspec-');
    const first = join(parent, 'first');
    const second = join(parent, 'second');
    smallProject(first);
    const written = await runNode([CLI, 'kernelspec', '--json'], { cwd: first });
    expect(written.code, written.stderr).toBe(0);
    expect(specOf(first).argv[0]).toBe(join(first, 'node_modules', '.bin', 'tslab'));
    openRegistry({ db: join(first, '.labbook', 'labbook.db') }).close(); // an empty registry, so `labbook runs` has one to list

    renameSync(first, second);
    const env = { LABBOOK_DB: '' }; // the project's own registry, as a user's shell would have it
    const runs = await runNode([CLI, 'runs', '--json'], { cwd: second, env });
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stderr).toContain(`rewrote ${join(second, '.labbook', 'jupyter', 'kernels', 'tslab', 'kernel.json')}: it pointed at ${first}`);
    expect(specOf(second)).toMatchObject({ argv: [join(second, 'node_modules', '.bin', 'tslab'), 'kernel', '--config-path', '{connection_file}'], env: { LABBOOK_PROJECT: second } });
    const again = await runNode([CLI, 'runs', '--json'], { cwd: second, env });
    expect(again.stderr).toBe(''); // up to date now: left alone

    // Jupyter's own client (nbclient through nbconvert) on that kernelspec.
    await run('/usr/bin/python3', ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=300', '--output-dir', join(parent, 'out'), join(second, 'notebooks', 'record.ipynb')], {
      cwd: join(second, 'notebooks'),
      env: { ...process.env, LABBOOK_DB: '', JUPYTER_PATH: join(second, '.labbook', 'jupyter'), JUPYTER_PLATFORM_DIRS: '1', JUPYTER_RUNTIME_DIR: join(parent, 'runtime') },
      maxBuffer: 16 * 1024 * 1024,
    });
    const registry = openRegistry({ db: join(second, '.labbook', 'labbook.db'), create: false });
    expect(registry.sql('SELECT e.name AS experiment, r.status FROM runs r JOIN experiments e ON e.id = r.experiment_id')).toEqual([{ experiment: 'moved', status: 'finished' }]);
    registry.close();
  }, 300_000);
});
