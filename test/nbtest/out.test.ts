/** `labbook nbtest --out`: executed copies carry the kernel's metadata, nbformat's layout, and can replace the notebooks in place. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel-lib/src/nbtest';
import { runCli, tempDir } from '../helpers';

type Cell = { cell_type: string; id: string; metadata: object; source: string | string[]; outputs?: { output_type: string; text?: string[] }[]; execution_count?: number | null };
type Doc = { metadata: { [key: string]: unknown }; cells: Cell[] };

/** A notebook as Jupyter would have saved it before: the stock tslab metadata, a key of its own, sources as lines. */
function writeFixture(file: string, sources: string[]): void {
  const cells = sources.map((source, i) => ({ cell_type: 'code', id: `cell-${i}`, execution_count: null, metadata: { tags: [`t${i}`] }, outputs: [], source: source.split(/(?<=\n)/) }));
  const metadata = { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, language_info: { name: 'typescript' }, keep: { me: true } };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata, cells }, null, 2));
}

async function nbtest(args: string[]): Promise<{ code: number | null; notebooks: { path: string; status: string; output: string | null; registry: string | null }[] }> {
  const result = await runCli(['nbtest', ...args, '--json']);
  expect(result.stderr).toBe('');
  return { code: result.code, notebooks: JSON.parse(result.stdout).notebooks };
}

/** What a real tslab kernel answers to kernel_info_request. */
async function kernelLanguageInfo(cwd: string): Promise<unknown> {
  const kernel = await Kernel.start({ cwd });
  try {
    return kernel.kernelInfo?.language_info;
  } finally {
    await kernel.shutdown();
  }
}

/** nbformat's own layout: keys sorted at every level, indent 1, a trailing newline. */
function nbformatText(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as { [k: string]: unknown })[k])])) : v;
  return `${JSON.stringify(sort(value), null, 1)}\n`;
}

describe('labbook nbtest --out', () => {
  it('records the kernelspec it ran and the kernel\'s language_info, keeping the other metadata, each cell\'s source and metadata', async () => {
    const dir = tempDir('labbook-nbtest-meta-');
    const source = join(dir, 'src', 'hello.ipynb');
    writeFixture(source, ["const greeting = 'hi';\nconsole.log(greeting);", 'console.log("two\\nlines");']);
    const { code, notebooks } = await nbtest([source, '--out', join(dir, 'out'), '--no-repro']);
    expect(code).toBe(0);
    expect(notebooks[0].output).toBe(join(dir, 'out', 'hello.ipynb'));

    const spec = await runCli(['kernelspec', '--dir', join(dir, 'jupyter'), '--json']);
    expect(spec.code, spec.stderr).toBe(0);
    const { kernelDir } = JSON.parse(spec.stdout) as { kernelDir: string };
    const kernelJson = JSON.parse(readFileSync(join(kernelDir, 'kernel.json'), 'utf8'));

    const text = readFileSync(join(dir, 'out', 'hello.ipynb'), 'utf8');
    const written: Doc = JSON.parse(text);
    const original: Doc = JSON.parse(readFileSync(source, 'utf8'));
    expect(written.metadata.kernelspec).toEqual({ name: basename(kernelDir), display_name: kernelJson.display_name, language: kernelJson.language });
    expect(written.metadata.language_info).toEqual(await kernelLanguageInfo(dir));
    expect(written.metadata.keep).toEqual({ me: true });
    expect(written.cells.map((c) => [c.id, c.source, c.metadata])).toEqual(original.cells.map((c) => [c.id, c.source, c.metadata]));
    // Output text is split into lines as nbformat writes it, so a diff of two executions is line by line.
    expect(written.cells.map((c) => c.outputs)).toEqual([[{ output_type: 'stream', name: 'stdout', text: ['hi\n'] }], [{ output_type: 'stream', name: 'stdout', text: ['two\n', 'lines\n'] }]]);
    expect(text).toBe(nbformatText(written));
  }, 120_000);

  it('with the notebooks\' own folder: rewrites passing notebooks in place, keeps a failing one as it was, writes nothing else there', async () => {
    const root = tempDir('labbook-nbtest-inplace-');
    writeFileSync(join(root, 'package.json'), '{"name": "inplace-fixture", "private": true}\n');
    const folder = join(root, 'notebooks');
    writeFixture(join(folder, 'a.ipynb'), ["console.log('a');", '1 + 1']);
    writeFixture(join(folder, 'b.ipynb'), ["throw new Error('b fails');"]);
    const failing = readFileSync(join(folder, 'b.ipynb'), 'utf8');
    const before: Doc = JSON.parse(readFileSync(join(folder, 'a.ipynb'), 'utf8'));

    const first = await nbtest([folder, '--out', folder]);
    expect(first.code).toBe(1);
    expect(first.notebooks.map((n) => [basename(n.path), n.status, n.output])).toEqual([['a.ipynb', 'passed', join(folder, 'a.ipynb')], ['b.ipynb', 'failed', null]]);
    // Registries are kept in the project's .labbook/ (ignored by git), never beside the notebooks.
    expect(first.notebooks.map((n) => n.registry)).toEqual(['a', 'b'].map((n) => join(root, '.labbook', 'nbtest', 'notebooks', `${n}.labbook.db`)));
    expect(readdirSync(folder).sort()).toEqual(['a.ipynb', 'b.ipynb']);
    expect(readFileSync(join(folder, 'b.ipynb'), 'utf8')).toBe(failing);

    const executed = readFileSync(join(folder, 'a.ipynb'), 'utf8');
    const doc: Doc = JSON.parse(executed);
    expect(doc.cells.map((c) => [c.source, c.metadata])).toEqual(before.cells.map((c) => [c.source, c.metadata]));
    expect(doc.cells.map((c) => [c.execution_count, c.outputs?.flatMap((o) => o.text)])).toEqual([[1, ['a\n']], [2, ['2\n']]]);

    // Executing it again in place changes nothing: the file holds only what an execution determines.
    const second = await nbtest([join(folder, 'a.ipynb'), '--out', folder]);
    expect(second.code).toBe(0);
    expect(readFileSync(join(folder, 'a.ipynb'), 'utf8')).toBe(executed);
    expect(readdirSync(folder).sort()).toEqual(['a.ipynb', 'b.ipynb']);
  }, 180_000);

  it('refuses --param with the notebooks\' own folder: the injected cell would be saved into them', async () => {
    const folder = join(tempDir('labbook-nbtest-inplace-param-'), 'notebooks');
    writeFixture(join(folder, 'a.ipynb'), ['let n = 1;']);
    const before = readFileSync(join(folder, 'a.ipynb'), 'utf8');
    const result = await runCli(['nbtest', folder, '--out', folder, '--param', 'n=2']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--param.*another folder/);
    expect(readFileSync(join(folder, 'a.ipynb'), 'utf8')).toBe(before);
  }, 60_000);
});
