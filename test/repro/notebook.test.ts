import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { notebookContext } from '../../kernel-lib/src/repro/notebook';
import { tempDb, tempDir } from '../helpers';

function notebook(cells: { cell_type: string; source: string; outputs?: unknown[] }[]): string {
  const file = join(tempDir('labbook-nb-'), 'analysis.ipynb');
  writeFileSync(file, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return file;
}

afterEach(() => {
  delete process.env.LABBOOK_NOTEBOOK;
});

describe('notebook context', () => {
  it('hashes the code cells only, so outputs and markdown do not change it', () => {
    const a = notebookContext({ LABBOOK_NOTEBOOK: notebook([{ cell_type: 'code', source: 'let x = 1;' }, { cell_type: 'markdown', source: '# A' }]) });
    const b = notebookContext({ LABBOOK_NOTEBOOK: notebook([{ cell_type: 'code', source: 'let x = 1;', outputs: [{ text: 'hi' }] }, { cell_type: 'markdown', source: '# B' }]) });
    const c = notebookContext({ LABBOOK_NOTEBOOK: notebook([{ cell_type: 'code', source: 'let x = 2;' }]) });
    expect(a?.cellsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b?.cellsSha256).toBe(a?.cellsSha256);
    expect(c?.cellsSha256).not.toBe(a?.cellsSha256);
    expect(a?.path?.endsWith('analysis.ipynb')).toBe(true);
  });

  it('is null outside a notebook or for a file that is not one', () => {
    expect(notebookContext({})).toBeNull();
    expect(notebookContext({ JPY_SESSION_NAME: '/nowhere/missing.ipynb' })).toBeNull();
    const bad = join(tempDir('labbook-nb-'), 'broken.ipynb');
    writeFileSync(bad, '{not json');
    expect(notebookContext({ LABBOOK_NOTEBOOK: bad })).toBeNull();
  });

  it('gives a run started in a notebook its cells hash as code hash and the notebook in its environment', () => {
    const file = notebook([{ cell_type: 'code', source: 'const run = registry.startRun(...)' }]);
    process.env.LABBOOK_NOTEBOOK = file;
    const registry = openRegistry({ db: tempDb() });
    const run = registry.startRun({ experiment: 'nb' });
    run.end();
    const record = registry.getRun(run.id);
    expect(record.codeHash).toBe(notebookContext()?.cellsSha256);
    expect(record.env.notebook).toEqual(notebookContext());
    registry.close();
  });
});
