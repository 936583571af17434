import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectMistakes, runCli, tempDb, tempDir } from '../helpers';
import { EVIL, recordRuns } from './fixture';

let db: string;
let ids: number[];
let out: string;
beforeAll(() => {
  db = tempDb();
  const recorded = recordRuns(db, 'demo');
  ids = recorded.ids;
  recorded.registry.close();
  out = tempDir('labbook-report-');
});

/** The figure spec a report's section plots, read back from its script. */
function spec(page: string, id: string): { data: { [key: string]: unknown }[]; layout: { [key: string]: unknown } } {
  const at = page.indexOf(`<div id="${id}"`);
  expect(at).toBeGreaterThan(0);
  return JSON.parse(page.slice(at).match(/var spec = (.*);\n/)![1]);
}

describe('labbook report', () => {
  it('writes one standalone page with --inline: plotly.js inline once, the runs, their diff and the charts', async () => {
    const file = join(out, 'nested', 'demo.html');
    const result = await runCli(['report', '--experiment', 'demo', '--inline', '-o', file, '--db', db, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ file, runs: ids });
    const page = readFileSync(file, 'utf8');

    expect(page.match(/plotly\.js v\d+\.\d+\.\d+/g)).toHaveLength(1);
    expect(page).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(page).not.toMatch(/<link[^>]*href=["']?https?:/i);
    expect(page.match(/<\/script>/gi)!.length).toBe(page.match(/<script/gi)!.length);
    // Every run is in the table, every user string escaped.
    for (const id of ids) expect(page).toContain(`<tr><td>${id}</td><td class="lb-text">demo</td>`);
    expect(page).toContain('fast &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).not.toContain(EVIL);
    expect(page.match(/<h3 class="lb-title">(.*?)<\/h3>/g)).toEqual([
      '<h3 class="lb-title">Runs</h3>',
      '<h3 class="lb-title">What differs</h3>',
      '<h3 class="lb-title">Environment</h3>',
      '<h3 class="lb-title">Learning curves</h3>',
      '<h3 class="lb-title">Leaderboard: val_accuracy</h3>',
      '<h3 class="lb-title">Parameters and result</h3>',
    ]);

    // Learning curves: loss and accuracy panels, train and validation, runs aligned by epoch.
    const curves = spec(page, 'labbook-report-fig-1-learning-curves');
    expect(curves.data.map((t) => [t.text, t.yaxis])).toEqual([
      [`#${ids[0]} fast ${EVIL} (train)`, 'y'],
      [`#${ids[0]} fast ${EVIL} (validation)`, 'y'],
      [`#${ids[1]} (train)`, 'y'],
      [`#${ids[1]} (validation)`, 'y'],
      [`#${ids[2]} (train)`, 'y'],
      [`#${ids[0]} fast ${EVIL} (train)`, 'y2'],
      [`#${ids[0]} fast ${EVIL} (validation)`, 'y2'],
      [`#${ids[1]} (train)`, 'y2'],
      [`#${ids[1]} (validation)`, 'y2'],
    ]);
    // One legend entry per run.
    expect(curves.data.filter((t) => t.showlegend).map((t) => t.name)).toEqual([`#${ids[0]} fast ${EVIL}`, `#${ids[1]}`, `#${ids[2]}`]);
    expect(curves.data[3].y).toEqual([1.3, null, 0.9]); // the NaN is a gap
    expect(curves.data[4].y).toEqual([9, null, null]);

    const board = spec(page, 'labbook-report-fig-2-leaderboard-val-accuracy');
    expect(board.data[0].y).toEqual([`#${ids[0]} fast ${EVIL}`, `#${ids[1]}`]);
    const parallel = spec(page, 'labbook-report-fig-3-parameters-and-result');
    expect((parallel.data[0].dimensions as { label: string }[]).map((d) => d.label)).toEqual(['lr', 'model.units', 'optimizer', 'val_accuracy']); // 0.1 and 0.01: one decade, linear
  });

  it('takes run ids, prints the file path, and leaves the diff out for one run', async () => {
    const file = join(out, 'one.html');
    const result = await runCli(['report', String(ids[1]), '-o', file, '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${file}\n`);
    const page = readFileSync(file, 'utf8');
    expect(page).not.toContain('What differs');
    expect(page).toContain(`<title>labbook report: runs #${ids[1]}</title>`);
    expect(page).toContain('These runs share every config value');
  });

  it('refuses mistakes with one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['report', '--experiment', 'demo'], /^labbook: Missing `-o FILE\.html`: expected the report's output file, received none\. Usage: labbook report /],
      [['report', '--experiment', 'dem', '-o', join(out, 'x.html')], /^labbook: Unknown experiment "dem": expected one of "demo"\./],
      [['report', '99', '-o', join(out, 'x.html')], /^labbook: No run with id 99 in this registry/],
      [['report', '--where', 'config.lr > 100', '-o', join(out, 'x.html')], /^labbook: No runs matched where config\.lr > 100: expected at least one run, received none\./],
      [['report', '1', '--experiment', 'demo', '-o', join(out, 'x.html')], /^labbook: Invalid arguments: expected run ids or --experiment\/--where, received both\./],
      [['report', '1', '--metric', 'acc', '-o', join(out, 'x.html')], /^labbook: Invalid value for `--metric`: expected one of "accuracy", "loss", "val_accuracy", "val_loss", received "acc"\./],
    ];
    await expectMistakes(cases, db);
  });

  it('is listed in labbook --help', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/\n {2}report +write one standalone HTML report of runs/);
  });
});

// A registry that does not exist is reported, not created (as every read command does).
describe('labbook report on a missing registry', () => {
  it('exits 2 without creating it', async () => {
    const result = await runCli(['report', '--experiment', 'demo', '-o', join(tempDir('labbook-r-'), 'x.html'), '--db', tempDb()]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
