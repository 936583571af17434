import { readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { detectEnvironment, show } from '../../kernel-lib/src/display';
import { showOn } from '../../kernel-lib/src/display/show';
import { learningCurves } from '../../kernel-lib/src/plots';
import { diffRuns, searchRuns } from '../../kernel-lib/src/query';
import { tempDir } from '../support/temp';
import { EVIL, recordRuns, type Recorded } from './fixture';
import { newKernelSession, recordingSink, textStream } from './recording';

const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';
const PLOTLY_BANNER = /plotly\.js v\d+\.\d+\.\d+/g;

let recorded: Recorded;
beforeAll(() => {
  recorded = recordRuns();
});
afterAll(() => recorded.registry.close());
beforeEach(newKernelSession);

const notebook = (sink = recordingSink()) => ({ target: { kind: 'notebook' as const, sink }, sink });
const html = (data: { [mime: string]: unknown }) => data['text/html'] as string;

describe('show() in a notebook: tables, cards and diffs as HTML', () => {
  it('a DataFrame is a table with a dtypes row, head and tail around an ellipsis row when long', () => {
    const danfo = require('danfojs-node') as typeof import('danfojs-node');
    const frame = new danfo.DataFrame({ x: Array.from({ length: 30 }, (_, i) => i * 0.5), name: Array.from({ length: 30 }, (_, i) => (i === 0 ? EVIL : `r${i}`)) });
    const { target, sink } = notebook();
    showOn(target, frame, { maxRows: 6 });
    expect(sink.outputs).toHaveLength(1);
    const out = html(sink.outputs[0].data);
    expect(out).toContain('<tr class="lb-dtypes"><th></th><td>float32</td><td>string</td></tr>');
    const rows = out.split('<tbody>')[1].split('</tbody>')[0].split('</tr>').filter(Boolean);
    expect(rows).toHaveLength(7); // 3 head, the ellipsis, 3 tail
    expect(rows[3]).toContain('class="lb-ellipsis"');
    expect(rows[0]).toContain(`<th>0</th><td>0</td><td class="lb-text">${ESCAPED}</td>`);
    expect(rows[6]).toContain('<th>29</th><td>14.5</td><td class="lb-text">r29</td>');
    expect(out).toContain('30 rows × 2 columns');
    expect(out).not.toContain('<script>');
    // The same output carries a text rendering for front ends without HTML.
    expect(sink.outputs[0].data['text/plain']).toMatch(/^\s+x\s+name\n\s+float32\s+string\n0\s+0\s+<script>/);
  });

  it('a RunRecord is a card with status badge, seed, config, metrics, datasets and checkpoints, all escaped', () => {
    const { target, sink } = notebook();
    showOn(target, recorded.registry.getRun(recorded.ids[0]));
    const out = html(sink.outputs[0].data);
    expect(out).toContain(`run ${recorded.ids[0]} · demo (fast ${ESCAPED})`);
    expect(out).toMatch(/<span class="lb-badge" style="background:#2ca02c">finished<\/span>/);
    expect(out).toContain('seed <code>7</code>');
    expect(out).toContain(`<td class="lb-text">optimizer</td><td class="lb-text">${ESCAPED}</td>`);
    expect(out).toContain('<td class="lb-text">val_loss</td><td>0.5</td><td>2</td>');
    expect(out).toContain(`<td class="lb-text">train</td><td>100</td><td>5</td><td class="lb-text">abababababababab</td><td class="lb-text">${ESCAPED}</td>`);
    expect(out).toMatch(/<h4>checkpoints<\/h4>.*<td>30<\/td><td>4<\/td>/);
    expect(out).not.toMatch(/<script>alert/);
  });

  it('a failed run shows its error, escaped', () => {
    const { target, sink } = notebook();
    showOn(target, recorded.registry.getRun(recorded.ids[2]));
    const out = html(sink.outputs[0].data);
    expect(out).toContain('>failed</span>');
    expect(out).toContain(`<pre class="lb-error">Error: diverged ${ESCAPED}`);
  });

  it('RunSummary[] is the runsTable as HTML, with readable times and badges', () => {
    const { target, sink } = notebook();
    showOn(target, searchRuns(recorded.registry, { sort: 'id' }));
    const out = html(sink.outputs[0].data);
    const header = out.match(/<thead><tr>(.*?)<\/tr><\/thead>/)![1];
    expect(header).toBe(
      ['id', 'experiment', 'name', 'status', 'seed', 'started_at', 'config.lr', 'config.model.units', 'config.optimizer', 'metrics.accuracy', 'metrics.loss', 'metrics.val_accuracy', 'metrics.val_loss']
        .map((c) => `<th>${c}</th>`)
        .join(''),
    );
    expect(out).toMatch(/<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<\/td>/);
    expect(out.match(/class="lb-badge"/g)).toHaveLength(3);
    expect(out).toContain(ESCAPED);
    expect(out).not.toMatch(/<script>alert/);
  });

  it('a RunDiff is one table per section', () => {
    const { target, sink } = notebook();
    const [a, b] = recorded.ids;
    showOn(target, diffRuns(recorded.registry, [a, b]));
    const out = html(sink.outputs[0].data);
    expect(out.match(/<h4>(.*?)<\/h4>/g)).toEqual(['<h4>config</h4>', '<h4>seed and code</h4>', '<h4>metrics (latest; delta vs first run)</h4>', '<h4>checkpoints</h4>']);
    expect(out).toContain(`<thead><tr><th></th><th>run ${a}</th><th>run ${b}</th></tr></thead>`);
    expect(out).toContain(`<td class="lb-text">optimizer</td><td class="lb-text">${ESCAPED}</td><td class="lb-text">sgd</td>`);
    expect(out).toContain('<td class="lb-text">loss</td><td>0.4</td><td>0.8 (+0.4)</td>');
    expect(out).toContain('<b>checkpoints: differ</b>');
  });

  it('any other value is shown as text/plain', () => {
    const { target, sink } = notebook();
    showOn(target, { a: [1, 2], b: EVIL });
    expect(sink.outputs).toEqual([{ kind: 'display', handle: null, data: { 'text/plain': `{ a: [ 1, 2 ], b: '${EVIL}' }` } }]);
  });
});

describe('show() outside a notebook: text on the stream', () => {
  it('prints tables, cards and diffs as aligned text; a terminal cuts wide lines', () => {
    const stream = textStream();
    const summaries = searchRuns(recorded.registry, { sort: 'id' });
    expect(show(summaries, { stream })).toBeUndefined();
    const [header, first] = stream.text.split('\n');
    expect(header).toMatch(/^id\s+experiment\s+name\s+status\s+seed\s+started_at\s+config\.lr/);
    expect(first).toContain(`fast ${EVIL}`);
    const tty = textStream({ isTTY: true, columns: 40 });
    show(summaries, { stream: tty });
    expect(Math.max(...tty.text.trimEnd().split('\n').map((l) => l.length))).toBeLessThanOrEqual(40);
    const card = textStream();
    show(recorded.registry.getRun(recorded.ids[0]), { stream: card });
    expect(card.text).toMatch(new RegExp(`^run ${recorded.ids[0]}  demo \\(fast <script>.*\\)  finished\\n  seed 7 `));
    const diff = textStream();
    show(diffRuns(recorded.registry, recorded.ids.slice(0, 2)), { stream: diff });
    expect(diff.text).toMatch(/^config\n\s+run \d+\s+run \d+\n\s+lr\s+0\.1\s+0\.01/);
    expect(diff.text.trimEnd().endsWith('checkpoints: differ')).toBe(true);
  });

  it('tells a notebook, a terminal and a plain stream apart (this process is no tslab kernel)', () => {
    expect(detectEnvironment(textStream({ isTTY: true }))).toBe('terminal');
    expect(detectEnvironment(textStream())).toBe('stream');
  });
});

describe('figures', () => {
  const figure = learningCurves([{ name: EVIL, epochs: [{ loss: 1, val_loss: 1.2 }, { loss: 0.5, val_loss: 0.9 }] }, { name: 'b', epochs: [{ loss: 2 }] }]);

  it('send HTML and the plotly MIME type in one output; plotly.js goes in the first figure of a session only', () => {
    const { target, sink } = notebook();
    showOn(target, figure);
    showOn(target, figure);
    expect(sink.outputs.map((o) => Object.keys(o.data))).toEqual([
      ['text/html', 'application/vnd.plotly.v1+json', 'image/svg+xml'],
      ['text/html', 'application/vnd.plotly.v1+json', 'image/svg+xml'],
    ]);
    expect(sink.outputs[0].data['application/vnd.plotly.v1+json']).toEqual({ data: figure.data, layout: figure.layout });
    const [first, second] = sink.outputs.map((o) => html(o.data));
    expect(first.match(PLOTLY_BANNER)).toHaveLength(1);
    expect(first.length).toBeGreaterThan(1_000_000);
    expect(second.match(PLOTLY_BANNER)).toBeNull();
    expect(second.length).toBeLessThan(20_000);
    expect(second).toContain('window.Plotly.newPlot(el, spec.data, spec.layout, config)');
    for (const out of [first, second]) {
      // The run name cannot close the script: every </script> ends one of ours.
      expect(out.match(/<\/script>/gi)!.length).toBe(out.match(/<script/gi)!.length);
      expect(out).not.toMatch(/<script[^>]*\ssrc=/i);
    }
    showOn(target, figure, { embedPlotly: true });
    expect(html(sink.outputs[2].data).match(PLOTLY_BANNER)).toHaveLength(1);
  });

  it('fall back to one output per MIME type where the kernel takes one at a time', () => {
    const { target, sink } = notebook(recordingSink({ bundle: false }));
    showOn(target, figure);
    expect(sink.outputs.map((o) => Object.keys(o.data))).toEqual([['text/html'], ['application/vnd.plotly.v1+json']]);
  });

  it('wait for window.Plotly when their output renders before the one carrying the library', () => {
    const { target, sink } = notebook();
    showOn(target, figure); // carries the library
    showOn(target, figure);
    const out = html(sink.outputs[1].data);
    const id = out.match(/<div id="([^"]+)"/)![1];
    const script = out.match(/<script type="text\/javascript">\n([\s\S]*?)\n<\/script>/)![1];
    const el = { innerHTML: '' };
    const window: { Plotly?: { newPlot(...args: unknown[]): void } } = {};
    const timers: ((() => void) | null)[] = [];
    const plotted: unknown[][] = [];
    runInNewContext(script, {
      window,
      document: { getElementById: (wanted: string) => (wanted === id ? el : null) },
      setInterval: (fn: () => void) => timers.push(fn),
      clearInterval: (n: number) => (timers[n - 1] = null),
    });
    const tick = () => timers.forEach((t) => t?.());
    tick();
    expect(plotted).toHaveLength(0);
    window.Plotly = { newPlot: (...args: unknown[]) => void plotted.push(args) };
    tick();
    tick();
    expect(plotted).toHaveLength(1);
    expect(plotted[0][0]).toBe(el);
    expect(JSON.parse(JSON.stringify(plotted[0].slice(1, 3)))).toEqual([figure.data, figure.layout]);
    expect(plotted[0][3]).toMatchObject({ responsive: true, displaylogo: false });

    // A page where the library never arrives says so instead of staying blank.
    const lonely = { innerHTML: '' };
    const stuck: ((() => void) | null)[] = [];
    runInNewContext(script, {
      window: {},
      document: { getElementById: () => lonely },
      setInterval: (fn: () => void) => stuck.push(fn),
      clearInterval: (n: number) => (stuck[n - 1] = null),
    });
    for (let i = 0; i < 700; i++) stuck.forEach((t) => t?.());
    expect(lonely.innerHTML).toContain('plotly.js is not loaded on this page');
  });

  it('outside a notebook go to a standalone HTML file whose path is printed', () => {
    const stream = textStream();
    const file = join(tempDir('labbook-show-'), 'sub', 'curves.html');
    expect(show(figure, { stream, file })).toBe(file);
    expect(stream.text).toBe(`figure written to ${file}\n`);
    const page = readFileSync(file, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page.match(PLOTLY_BANNER)).toHaveLength(1);
    expect(page).toContain('<title>Learning curve: loss</title>');
    expect(page).not.toMatch(/<script[^>]*\ssrc=/i);
  });

  it("by default go to the project's .labbook/figures, named by content: a repeat is the same file, nothing under the temp dir", () => {
    const project = realpathSync(tempDir('labbook-show-project-'));
    writeFileSync(join(project, 'package.json'), '{}');
    // A temp dir of this test's own: other test files use the run's at the same time.
    const tmp = tempDir('labbook-show-tmp-');
    const [cwd, tmpBefore] = [process.cwd(), process.env.TMPDIR];
    process.chdir(project);
    process.env.TMPDIR = tmp;
    try {
      expect(tmpdir()).toBe(tmp);
      const stream = textStream();
      const first = show(figure, { stream })!;
      expect(first).toMatch(new RegExp(`^${join(project, '.labbook', 'figures')}/figure-[0-9a-f]{16}\\.html$`));
      expect(stream.text).toBe(`figure written to ${first}\n`);
      expect(show(figure, { stream: textStream() })).toBe(first);
      const other = show(figure, { stream: textStream(), title: 'another title' })!;
      expect(other).not.toBe(first);
      expect(readdirSync(join(project, '.labbook', 'figures')).sort()).toEqual([first, other].map((f) => f.split('/').pop()).sort());
      expect(readFileSync(first, 'utf8')).toContain('<title>Learning curve: loss</title>');
    } finally {
      process.chdir(cwd);
      if (tmpBefore === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpBefore;
    }
    expect(readdirSync(tmp)).toEqual([]);
  });
});
