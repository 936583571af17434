import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { figurePage } from '../../kernel-lib/src/display/figure-page';
import { liveProgressOn } from '../../kernel-lib/src/display/live';
import { showOn } from '../../kernel-lib/src/display/show';
import { staticSvg } from '../../kernel-lib/src/display/static';
import { confusionMatrixHeatmap, learningCurves } from '../../kernel-lib/src/plots';
import type { TrainContext } from '../../kernel-lib/src/train/callbacks';
import { runCli, tempDb, tempDir } from '../helpers';
import { EVIL, recordRuns } from './fixture';
import { newKernelSession, recordingSink } from './recording';
import { parseSvgs } from './svg-xml';

/** What a viewer that runs no scripts and takes no CSS keeps of an HTML output (GitHub, an untrusted notebook). */
function stripped(html: string): string {
  return html
    .replace(/<script\b[^]*?<\/script>/gi, '')
    .replace(/<style\b[^]*?<\/style>/gi, '')
    .replace(/\sstyle="[^"]*"/gi, '');
}

/** The SVG documents of every data-URI image left in `html`. */
function images(html: string): string[] {
  return [...html.matchAll(/<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8'));
}

const figure = () => learningCurves([{ name: EVIL, epochs: [{ loss: 1, val_loss: 1.2 }, { loss: 0.5, val_loss: 0.9 }] }, { name: 'b', epochs: [{ loss: 2 }] }]);

beforeEach(() => newKernelSession());

describe('a figure shown in a notebook, with scripts and styles stripped', () => {
  it('still holds an <img> whose data URI is the figure drawn as SVG, also sent as image/svg+xml', () => {
    const sink = recordingSink();
    showOn({ kind: 'notebook', sink }, figure());
    const [output] = sink.outputs;
    const svg = staticSvg(figure());
    expect(output.data['image/svg+xml']).toBe(svg);
    const left = stripped(output.data['text/html'] as string);
    expect(left).not.toContain('<script');
    expect(images(left)).toEqual([svg]);
    expect(left).toMatch(/<img [^>]*alt="Learning curve: loss \(static image; the interactive chart needs JavaScript\)" width="700" height="380"/);
    const [parsed] = parseSvgs([svg]);
    expect(parsed.error).toBeNull();
    expect(parsed.texts).toEqual(expect.arrayContaining(['Learning curve: loss', 'loss', 'epoch', EVIL, 'b']));
  });

  it('is the same bytes in a new kernel session', () => {
    const once = () => {
      newKernelSession();
      delete (globalThis as { [key: symbol]: unknown })[Symbol.for('labbook.display.figureIds')];
      const sink = recordingSink();
      showOn({ kind: 'notebook', sink }, confusionMatrixHeatmap([[5, 1], [2, 7]], ['cat', 'dog']));
      return sink.outputs[0].data;
    };
    expect(once()).toEqual(once());
  });
});

describe('standalone pages read with JavaScript off', () => {
  it('a figure page shows the static chart', () => {
    const f = confusionMatrixHeatmap([[5, 1], [2, 7]], ['cat', EVIL]);
    expect(images(stripped(figurePage(f)))).toEqual([staticSvg(f)]);
  });

  let db: string;
  beforeAll(() => {
    db = tempDb();
    recordRuns(db, 'demo').registry.close();
  });

  it('labbook report shows every chart as a static image, named as its section', async () => {
    const file = join(tempDir('labbook-static-report-'), 'r.html');
    const result = await runCli(['report', '--experiment', 'demo', '-o', file, '--db', db]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const svgs = parseSvgs(images(stripped(readFileSync(file, 'utf8'))));
    expect(svgs).toHaveLength(3);
    expect(svgs.map((s) => s.error)).toEqual([null, null, null]);
    expect(svgs.map((s) => s.texts.find((t) => /^(Learning|Leaderboard|Parallel)/.test(t)))).toEqual([
      'Learning curves',
      expect.stringMatching(/^Leaderboard: val_accuracy/),
      expect.stringMatching(/^Parallel coordinates/),
    ]);
  });
});

describe('live progress with every <style> removed', () => {
  it('draws its bar and curves by attributes: fills, strokes, fonts and sizes on the elements', async () => {
    const sink = recordingSink();
    const cb = liveProgressOn(() => ({ kind: 'notebook', sink }), {}, () => 0);
    const ctx = { epochs: 2, stepsPerEpoch: 2, step: 0, epoch: 0 } as TrainContext;
    await cb.onTrainBegin?.(ctx);
    for (let e = 0; e < 2; e++) {
      Object.assign(ctx, { epoch: e, step: 2 * e + 1 });
      await cb.onEpochEnd?.(e, { loss: 1 - e / 4, val_loss: 1.1 - e / 4 }, ctx);
    }
    Object.assign(ctx, { step: 3 });
    await cb.onBatchEnd?.(3, { loss: 0.5, size: 4 }, ctx);
    const html = stripped(sink.outputs[sink.outputs.length - 1].data['text/html'] as string);
    const svgs = parseSvgs(html.match(/<svg [^]*?<\/svg>/g) ?? []);
    const [bar, chart] = svgs;
    expect(svgs.map((s) => s.error)).toEqual([null, null]);
    for (const svg of svgs) expect(svg.root!.attrs).toMatchObject({ width: expect.any(String), height: expect.any(String), viewBox: expect.any(String) });
    const rects = bar.elements.filter((e) => e.tag === 'rect');
    expect(rects.map((r) => [r.attrs.width, r.attrs.fill])).toEqual([['360', '#eeeeee'], ['270.0', '#1f77b4']]); // 3 of 4 steps
    const lines = chart.elements.filter((e) => e.tag === 'polyline');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l.attrs).toMatchObject({ fill: 'none', stroke: expect.stringMatching(/^#[0-9a-f]{6}$/), 'stroke-width': expect.any(String) });
    expect(chart.root!.attrs['font-family']).toBe('sans-serif');
    for (const t of chart.elements.filter((e) => e.tag === 'text')) expect(t.attrs).toMatchObject({ 'font-size': expect.any(String), fill: expect.any(String) });
    expect(chart.texts.join(' ')).toContain('loss');
  });
});
