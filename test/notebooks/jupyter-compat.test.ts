import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import type { NotebookContext } from '../../kernel-lib/src/repro/notebook';
import { ROOT, runCli, tempDir } from '../helpers';

const run = promisify(execFile);

/**
 * The quickstart notebook executed by the standard Jupyter client (nbclient through nbconvert,
 * from Debian), on the kernelspec `labbook kernelspec` writes: labbook notebooks are ordinary
 * Jupyter notebooks, not something only labbook's own runner can execute.
 */
describe('Jupyter compatibility', () => {
  it('runs notebooks/01-quickstart.ipynb through nbconvert --execute on the project kernelspec', async () => {
    const dir = tempDir('labbook-jupyter-');
    const spec = await runCli(['kernelspec', '--dir', join(dir, 'jupyter'), '--json']);
    expect(spec.code).toBe(0);
    const db = join(dir, 'registry.db');
    await run(
      '/usr/bin/python3',
      ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=600', '--output-dir', dir, join(ROOT, 'notebooks', '01-quickstart.ipynb')],
      {
        cwd: join(ROOT, 'notebooks'),
        // JUPYTER_RUNTIME_DIR: the kernel's connection file goes into this test's folder, not ~/.local.
        env: { ...process.env, JUPYTER_PATH: join(dir, 'jupyter'), JUPYTER_PLATFORM_DIRS: '1', JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), LABBOOK_DB: db, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const executed = JSON.parse(readFileSync(join(dir, '01-quickstart.ipynb'), 'utf8')) as { cells: { cell_type: string; outputs?: { output_type: string; data?: object }[] }[] };
    const outputs = executed.cells.filter((c) => c.cell_type === 'code').flatMap((c) => c.outputs ?? []);
    expect(outputs.some((o) => o.output_type === 'display_data' && 'application/vnd.plotly.v1+json' in (o.data ?? {}))).toBe(true);
    const registry = openRegistry({ db, create: false });
    const [recorded] = registry.sql<{ id: number; status: string }>("SELECT id, status FROM runs");
    expect(recorded.status).toBe('finished');
    // nbclient names no notebook to the kernel: labbook finds it from the cells the kernel executed.
    expect((registry.getRun(recorded.id).env.notebook as NotebookContext | null)?.path).toBe('notebooks/01-quickstart.ipynb');
    registry.close();
  }, 600_000);
});
