/** The committed notebooks/*.ipynb open unmodified on the project's kernel and show no machine's temp or checkout paths. */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel-lib/src/nbtest';
import { ROOT, runCli, tempDir } from '../helpers';

const FOLDER = join(ROOT, 'notebooks');
const NOTEBOOKS = readdirSync(FOLDER).filter((name) => name.endsWith('.ipynb')).sort();

type Doc = { metadata: { kernelspec?: unknown; language_info?: unknown }; cells: { cell_type: string; outputs?: unknown[] }[] };
const read = (name: string): Doc => JSON.parse(readFileSync(join(FOLDER, name), 'utf8'));

describe('committed notebooks', () => {
  let kernelspec: unknown;
  let languageInfo: unknown;

  beforeAll(async () => {
    const spec = await runCli(['kernelspec', '--dir', join(tempDir('labbook-committed-'), 'jupyter'), '--json']);
    expect(spec.code, spec.stderr).toBe(0);
    const { kernelDir } = JSON.parse(spec.stdout) as { kernelDir: string };
    const json = JSON.parse(readFileSync(join(kernelDir, 'kernel.json'), 'utf8'));
    kernelspec = { name: basename(kernelDir), display_name: json.display_name, language: json.language };
    const kernel = await Kernel.start({ cwd: FOLDER });
    try {
      languageInfo = kernel.kernelInfo?.language_info;
    } finally {
      await kernel.shutdown();
    }
  }, 120_000);

  it('there are notebooks to check', () => {
    expect(NOTEBOOKS.length).toBeGreaterThan(0);
  });

  // Jupyter rewrites metadata that differs from its kernel's on opening, which marks the notebook modified.
  it.each(NOTEBOOKS)('%s: metadata.kernelspec is what `labbook kernelspec` writes, language_info what the kernel reports', (name) => {
    const { metadata } = read(name);
    expect(metadata.kernelspec).toEqual(kernelspec);
    expect(metadata.language_info).toEqual(languageInfo);
  });

  it.each(NOTEBOOKS)('%s: no output shows a path under the temp folder or the checkout', (name) => {
    // The test run has a TMPDIR of its own (tmp-guard.ts); the notebooks were executed under the machine's.
    const places = [...new Set([tmpdir(), '/tmp', '/var/tmp', ROOT])].map((dir) => `${dir.replace(/\/+$/, '')}/`);
    const found = read(name)
      .cells.flatMap((cell) => cell.outputs ?? [])
      .map((output) => JSON.stringify(output))
      .flatMap((text) => places.filter((place) => text.includes(place)).map((place) => `${place}… in ${text.slice(0, 200)}`));
    expect(found).toEqual([]);
  });
});
