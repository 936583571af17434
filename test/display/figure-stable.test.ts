import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { figurePage } from '../../kernel-lib/src/display/figure-page';
import { showOn } from '../../kernel-lib/src/display/show';
import { confusionMatrixHeatmap } from '../../kernel-lib/src/plots';
import { runCli, tempDb, tempDir } from '../helpers';
import { recordRuns } from './fixture';
import { newKernelSession, recordingSink } from './recording';

const figure = () => confusionMatrixHeatmap([[5, 1], [2, 7]], ['cat', 'dog']);
const ids = (page: string) => [...page.matchAll(/<div id="([^"]+)"/g)].map((m) => m[1]);

beforeEach(() => {
  newKernelSession();
  delete (globalThis as { [key: symbol]: unknown })[Symbol.for('labbook.display.figureIds')];
});

describe('HTML writers derive element ids from the content, never from a random draw', () => {
  it('a figure page is the same bytes every time, with an id from the spec', () => {
    const page = figurePage(figure());
    expect(figurePage(figure())).toBe(page);
    expect(ids(page)).toEqual([expect.stringMatching(/^labbook-fig-[0-9a-f]{16}$/)]);
    const other = figurePage(confusionMatrixHeatmap([[5, 1], [2, 8]], ['cat', 'dog']));
    expect(ids(other)).not.toEqual(ids(page));
  });

  it('notebook outputs are stable across kernel sessions; the same figure twice on one page gets its own element', () => {
    const session = () => {
      const sink = recordingSink();
      const target = { kind: 'notebook' as const, sink };
      showOn(target, figure());
      showOn(target, figure());
      return sink.outputs.map((o) => ids(o.data['text/html'] as string)[0]);
    };
    const first = session();
    expect(first[1]).toBe(`${first[0]}-2`);
    newKernelSession();
    delete (globalThis as { [key: symbol]: unknown })[Symbol.for('labbook.display.figureIds')];
    expect(session()).toEqual(first);
  });
});

describe('labbook report keeps reports small', () => {
  let db: string;
  let runIds: number[];
  beforeAll(() => {
    db = tempDb();
    const recorded = recordRuns(db, 'demo');
    runIds = recorded.ids;
    recorded.registry.close();
  });

  it('writes plotly.js once beside the reports and loads it from there; the charts keep stable ids', async () => {
    const out = tempDir('labbook-report-small-');
    for (const name of ['a.html', 'b.html']) {
      const result = await runCli(['report', '--experiment', 'demo', '-o', join(out, name), '--db', db]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const files = readdirSync(out).sort();
    expect(files).toEqual(['a.html', 'b.html', expect.stringMatching(/^plotly-\d+\.\d+\.\d+(\.min)?\.js$/)]);
    const lib = files.find((f) => f.endsWith('.js'))!;
    for (const name of ['a.html', 'b.html']) {
      const page = readFileSync(join(out, name), 'utf8');
      expect(statSync(join(out, name)).size).toBeLessThan(200 * 1024);
      expect(page).toContain(`<script type="text/javascript" src="${lib}"></script>`);
      expect(page).not.toMatch(/plotly\.js v\d+\.\d+\.\d+/);
      expect(ids(page)).toEqual(['labbook-report-fig-1-learning-curves', 'labbook-report-fig-2-leaderboard-val-accuracy', 'labbook-report-fig-3-parameters-and-result']);
    }
    expect(readFileSync(join(out, lib), 'utf8')).toMatch(/plotly\.js v\d+\.\d+\.\d+/);
  });

  it('--inline makes one self-contained file and writes nothing beside it', async () => {
    const out = tempDir('labbook-report-inline-');
    const file = join(out, 'one.html');
    const result = await runCli(['report', String(runIds[0]), '--inline', '-o', file, '--db', db]);
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual(['one.html']);
    const page = readFileSync(file, 'utf8');
    expect(page.match(/plotly\.js v\d+\.\d+\.\d+/g)).toHaveLength(1);
    expect(page).not.toMatch(/<script[^>]*\ssrc=/i);
  });
});
