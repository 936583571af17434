import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationReport } from '../../kernel-lib/src/metrics/prf';
import { confusionMatrixHeatmap } from '../../kernel-lib/src/plots';
import { openRegistry } from '../../kernel-lib/src/registry';
import { expectMistakes, runCli, tempDb, tempDir } from '../helpers';

let db: string;
let id: number;
let other: number;
const BINARY = new Uint8Array([0, 1, 2, 0x1b, 0x5b, 0xff]);

beforeAll(async () => {
  db = tempDb();
  const registry = openRegistry({ db });
  const log = (seed: number) =>
    registry.withRun({ experiment: 'penguins', seed }, (run) => {
      run.logArtifact('confusion', confusionMatrixHeatmap([[5, 1], [2, 7]], ['cat', 'dog']));
      run.logArtifact('report', classificationReport([0, 1, 1], [0, 1, 0]));
      run.logArtifact('weights', BINARY);
      return run.id;
    });
  id = await log(1);
  other = await log(2);
  registry.close();
});

describe('labbook artifact', () => {
  it('writes the exact bytes to -o FILE, or to a pipe', async () => {
    const out = tempDir('labbook-artifact-');
    const file = join(out, 'weights.bin');
    const written = await runCli(['artifact', String(id), 'weights', '-o', file, '--db', db]);
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toBe(`${file}\n`);
    expect(new Uint8Array(readFileSync(file))).toEqual(BINARY);

    const piped = await runCli(['artifact', String(id), 'report', '--db', db]);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toEqual(classificationReport([0, 1, 1], [0, 1, 0]));

    const meta = await runCli(['artifact', String(id), 'confusion', '--json', '--db', db]);
    expect(JSON.parse(meta.stdout)).toEqual({ run: id, name: 'confusion', mediaType: 'application/vnd.labbook.figure+json', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number), file: null });
    expect(JSON.parse(meta.stdout).bytes).toBeLessThan(100 * 1024);
  });

  it('renders a figure to HTML: byte-stable, plotly.js beside it (or inline with --inline)', async () => {
    const out = tempDir('labbook-artifact-html-');
    const pages = [];
    for (const [run, name] of [[id, 'a.html'], [id, 'b.html'], [other, 'c.html']] as const) {
      const result = await runCli(['artifact', String(run), 'confusion', '--html', '-o', join(out, name), '--db', db]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      pages.push(readFileSync(join(out, name), 'utf8'));
    }
    expect(pages[1]).toBe(pages[0]);
    expect(readdirSync(out)).toEqual(['a.html', 'b.html', 'c.html', expect.stringMatching(/^plotly-[\d.]+(\.min)?\.js$/)]);
    expect(pages[0].length).toBeLessThan(100 * 1024);
    expect(pages[0]).toContain(`<title>confusion (run ${id})</title>`);
    expect(pages[0]).toMatch(/<div id="labbook-fig-[0-9a-f]{16}"/);

    const inline = join(out, 'inline', 'x.html');
    expect((await runCli(['artifact', String(id), 'confusion', '--html', '--inline', '-o', inline, '--db', db])).code).toBe(0);
    expect(readdirSync(join(out, 'inline'))).toEqual(['x.html']);
    expect(readFileSync(inline, 'utf8').match(/plotly\.js v\d+\.\d+\.\d+/g)).toHaveLength(1);
  });

  it('refuses mistakes with one line and exit 2', async () => {
    const out = tempDir('labbook-artifact-bad-');
    const cases: [string[], RegExp][] = [
      [['artifact', String(id)], /^labbook: Missing arguments: expected 2 arguments, received 1\. Usage: labbook artifact ID NAME/],
      [['artifact', String(id), 'confusoin'], /^labbook: Run \d+ has no artifact "confusoin": expected one of "confusion", "report", "weights"\. Did you mean "confusion"\?\n$/],
      [['artifact', '99', 'confusion'], /^labbook: No run with id 99 in this registry/],
      [['artifact', String(id), 'report', '--html', '-o', join(out, 'r.html')], /^labbook: Artifact "report" is not what was asked for: expected a figure \(\{data: \[\.\.\.\], layout: \{\.\.\.\}\}\), received JSON of another shape\./],
      [['artifact', String(id), 'confusion', '--inline'], /^labbook: Invalid arguments: expected --inline only with --html/],
    ];
    await expectMistakes(cases, db);
  });

  it('never hands out bytes that fail their hash', async () => {
    const damaged = tempDb();
    const registry = openRegistry({ db: damaged });
    const run = registry.startRun({ experiment: 'x', seed: 1 });
    const { sha256 } = run.logArtifact('notes', 'hello');
    run.end();
    writeFileSync(join(registry.objects.dir, sha256), 'hellO');
    registry.close();
    const result = await runCli(['artifact', String(run.id), 'notes', '--db', damaged]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^labbook: Stored object [0-9a-f]{64} is corrupt/);
  });

  it('is listed in labbook --help, and labbook show lists the artifacts', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/\n {2}artifact +write a run's artifact/);
    const shown = await runCli(['show', String(id), '--db', db]);
    expect(shown.stdout).toMatch(/artifacts\n +name +type +bytes +sha256\n +confusion +application\/vnd\.labbook\.figure\+json/);
  });
});
