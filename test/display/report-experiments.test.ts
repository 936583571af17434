import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../kernel-lib/src/registry';
import { runCli, tempDb, tempDir } from '../helpers';
import { EVIL } from './fixture';

type Spec = { data: { [key: string]: unknown }[]; layout: { [key: string]: unknown } };

/** Every figure a report plots, by its element id, read back from the scripts. */
function specs(page: string): Map<string, Spec> {
  const out = new Map<string, Spec>();
  for (const m of page.matchAll(/<div id="(labbook-report-fig-[^"]+)"[\s\S]*?var spec = (.*);\n/g)) out.set(m[1], JSON.parse(m[2]));
  return out;
}

let db: string;
let page: string;
const byExperiment: { [experiment: string]: number[] } = { mlp: [], cnn: [], tree: [] };
const LONG = `a very long value ${'x'.repeat(300)}`;

// 17 runs of three experiments with different configs; 2 tree runs log no val_accuracy.
beforeAll(async () => {
  db = tempDb();
  const registry = openRegistry({ db });
  const env = (i: number) => ({ extra: { note: EVIL, long: LONG, list: [{ name: 'webgl', reason: `no GPU ${i % 2}` }] } });
  for (let i = 0; i < 6; i++) {
    const run = registry.startRun({ experiment: 'mlp', config: { lr: 0.001 * (i + 1), units: 32 * (1 + (i % 3)), optimizer: i % 2 ? 'adam' : 'sgd' }, seed: i, env: env(i) });
    for (let e = 0; e < 3; e++) run.log({ loss: 1 - 0.1 * e - 0.01 * i, val_loss: 1.1 - 0.1 * e, val_accuracy: 0.5 + 0.05 * e + 0.01 * i }, e);
    run.end();
    byExperiment.mlp.push(run.id);
  }
  for (let i = 0; i < 6; i++) {
    const run = registry.startRun({ experiment: 'cnn', config: { lr: 0.01, filters: 8 * (i + 1), kernel: 3 + 2 * (i % 2) }, seed: i, env: env(i) });
    for (let e = 0; e < 3; e++) run.log({ loss: 0.9 - 0.1 * e, accuracy: 0.6 + 0.05 * e, val_accuracy: 0.55 + 0.05 * e + 0.005 * i }, e);
    run.end();
    byExperiment.cnn.push(run.id);
  }
  for (let i = 0; i < 5; i++) {
    const run = registry.startRun({ experiment: 'tree', config: { depth: 2 + i, trees: 10 * (i + 1) }, seed: i, env: env(i) });
    run.log(i < 3 ? { val_accuracy: 0.7 + 0.01 * i } : { rmse: 0.3 }, 0);
    run.end();
    byExperiment.tree.push(run.id);
  }
  registry.close();
  const file = join(tempDir('labbook-report-exp-'), 'all.html');
  const result = await runCli(['report', '--where', 'id > 0', '-o', file, '--db', db]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  page = readFileSync(file, 'utf8');
});

describe('labbook report over runs of several experiments', () => {
  it('draws parallel coordinates per experiment, with a line for every run the leaderboard ranks', () => {
    const figures = specs(page);
    const board = figures.get('labbook-report-fig-2-leaderboard-val-accuracy')!;
    expect((board.data[0].y as string[]).length).toBe(15);
    const parallel = [...figures.entries()].filter(([id]) => id.includes('parameters-and-result'));
    expect(parallel.map(([id]) => id)).toEqual([
      'labbook-report-fig-3-parameters-and-result-mlp',
      'labbook-report-fig-4-parameters-and-result-cnn',
      'labbook-report-fig-5-parameters-and-result-tree',
    ]);
    const drawn = parallel.map(([, spec]) => {
      const dims = spec.data[0].dimensions as { label: string; values: number[] }[];
      for (const d of dims) expect(d.values).toHaveLength((spec.data[0].line as { color: number[] }).color.length);
      return [dims.map((d) => d.label), dims[0].values.length, (spec.layout.title as { text: string }).text];
    });
    expect(drawn).toEqual([
      [['lr', 'optimizer', 'units', 'val_accuracy'], 6, 'Parallel coordinates: val_accuracy'],
      [['filters', 'kernel', 'val_accuracy'], 6, 'Parallel coordinates: val_accuracy'],
      [['depth', 'trees', 'val_accuracy'], 3, 'Parallel coordinates: val_accuracy (3 of 5 runs; left out: 2 without val_accuracy)'],
    ]);
    expect(page).not.toContain('lack a value');
  });

  it('lists each run once in the legend, in colours no two runs share', () => {
    const curves = specs(page).get('labbook-report-fig-1-learning-curves')!;
    const entries = curves.data.filter((t) => t.showlegend);
    const names = entries.map((t) => t.name);
    expect(names).toHaveLength(15); // the two tree runs without val_accuracy logged no curve
    expect(new Set(names).size).toBe(15);
    const colours = entries.map((t) => (t.line as { color: string }).color);
    expect(new Set(colours).size).toBe(15);
    // A run's train and validation curves share its entry and colour; the dash tells them apart.
    for (const t of curves.data) {
      const owner = entries.find((e) => e.legendgroup === t.legendgroup)!;
      expect([t.name, (t.line as { color: string }).color]).toEqual([owner.name, (owner.line as { color: string }).color]);
    }
    expect(curves.layout.legend).toEqual({ title: { text: 'solid: train, dashed: validation' } });
    const board = specs(page).get('labbook-report-fig-2-leaderboard-val-accuracy')!;
    expect(new Set((board.data[0].marker as { color: string[] }).color).size).toBe(15);
  });

  it('shows the environment as a key/value table: dotted paths, values escaped and whole', () => {
    const at = page.indexOf('<h3 class="lb-title">Environment</h3>');
    expect(at).toBeGreaterThan(page.indexOf('<h3 class="lb-title">What differs</h3>'));
    const table = page.slice(at, page.indexOf('</table>', at));
    expect(table).toContain('<th>key</th><th>value</th><th>runs</th>');
    expect(table).toMatch(/>extra\.note<\/th><td[^>]*>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;<\/td><td class="lb-text">all<\/td>/);
    expect(table).toContain(`>${LONG}</td>`); // whole, wrapped by its cell rather than cut
    expect(table).toMatch(/>extra\.list\.0\.name<\/th><td[^>]*>webgl</);
    const odd = byExperiment.mlp.filter((_, i) => i % 2 === 1).concat(byExperiment.cnn.filter((_, i) => i % 2 === 1), byExperiment.tree.filter((_, i) => i % 2 === 1));
    expect(table).toContain(`>no GPU 1</td><td class="lb-text">${odd.sort((a, b) => a - b).map((id) => `#${id}`).join(', ')}</td>`);
    expect(table).not.toContain('{&quot;');
    expect(page).not.toContain(EVIL);
    // The diff no longer repeats the environment as JSON cells.
    const diff = page.slice(page.indexOf('What differs'), at);
    expect(diff).not.toContain('<h4>environment</h4>');
  });
});
