import { describe, expect, it } from 'vitest';
import { staticSvg } from '../../kernel-lib/src/display/static';
import { confusionMatrixHeatmap, leaderboard, learningCurves, metricVsParam, parallelCoordinates, type Figure } from '../../kernel-lib/src/plots';
import type { RunSummary } from '../../kernel-lib/src/query/search';
import { marks, parseSvgs, type ParsedSvg, type SvgElement } from './svg-xml';

const EVIL = `<b>"x" & y</b>`;
const LRS = [0.1, 0.01, 0.001, 0.0001, 0.05, 0.3];

/** Six finished runs in two experiments (one named with markup), lr over three decades. */
const runs: RunSummary[] = LRS.map((lr, i) => ({
  id: i + 1,
  experiment: i < 3 ? 'mlp' : `cnn ${EVIL}`,
  name: i === 2 ? `fast ${EVIL}` : null,
  status: 'finished',
  seed: i,
  startedAt: 0,
  endedAt: 1,
  parent: null,
  config: { lr, optimizer: i % 2 ? 'adam' : 'sgd', units: 16 * (i + 1) },
  metrics: { val_accuracy: 0.5 + i * 0.07 },
  tags: {},
}));

const curves = learningCurves([
  { name: `a ${EVIL}`, epochs: [{ loss: 1, val_loss: 1.2, accuracy: 0.5, val_accuracy: 0.45 }, { loss: 0.5, val_loss: 0.9, accuracy: 0.7, val_accuracy: 0.6 }, { loss: 0.3, val_loss: 0.8, accuracy: 0.8, val_accuracy: 0.7 }] },
  { name: 'b', epochs: [{ loss: 2, accuracy: 0.3 }, { loss: 1.5, accuracy: 0.4 }] },
]);
const figures: { [kind: string]: Figure } = {
  curves,
  confusion: confusionMatrixHeatmap([[5, 1, 0], [2, 7, 1], [0, 3, 9]], ['cat', 'dog', EVIL]),
  leaderboard: leaderboard(runs, { metric: 'val_accuracy' }),
  logScatter: metricVsParam(runs, { param: 'lr', metric: 'val_accuracy' }),
  categoryScatter: metricVsParam(runs, { param: 'optimizer', metric: 'val_accuracy' }),
  parallel: parallelCoordinates(runs, { metric: 'val_accuracy' }),
  unknown: { data: [{ type: 'scatter3d', x: [1], y: [2], z: [3] }], layout: { title: { text: 'a 3-D view' } } },
};
const svgs = Object.fromEntries(Object.entries(figures).map(([kind, f]) => [kind, staticSvg(f)]));
const kinds = Object.keys(svgs);
const parsed: { [kind: string]: ParsedSvg } = Object.fromEntries(parseSvgs(kinds.map((k) => svgs[k])).map((svg, i) => [kinds[i], svg]));

describe('staticSvg draws every figure labbook makes, without a browser', () => {
  it('as well-formed SVG with a size and a viewBox', () => {
    for (const [kind, svg] of Object.entries(parsed)) {
      expect(svg.error, kind).toBeNull();
      expect(svg.root!.tag).toBe('svg');
      expect(svg.root!.attrs).toMatchObject({ width: expect.stringMatching(/^\d+$/), height: expect.stringMatching(/^\d+$/), viewBox: expect.stringMatching(/^0 0 \d+ \d+$/) });
    }
  });

  it('learning curves: both panels with their axis titles and ticks, a line and a marker per point, dashed validation, one legend entry per run', () => {
    const svg = parsed.curves;
    expect(svg.texts).toEqual(expect.arrayContaining(['Learning curves', 'loss', 'accuracy', 'epoch', '1', '2', '3', '0.5', '1.0', 'solid: train, dashed: validation', `a ${EVIL}`, 'b']));
    const lines = marks(svg, 'lb-trace-scatter', 'path');
    expect(lines).toHaveLength(6); // two runs, loss/val_loss and accuracy/val_accuracy (run b has no validation)
    expect(lines.filter((l) => l.attrs['stroke-dasharray'])).toHaveLength(2);
    expect(marks(svg, 'lb-trace-scatter', 'circle')).toHaveLength(3 * 4 + 2 * 2);
    expect(new Set(lines.map((l) => l.attrs.stroke))).toEqual(new Set(['#1f77b4', '#ff7f0e']));
    // Two panels: the loss lines lie above the accuracy lines (one subplot each, by domain).
    const ys = (l: SvgElement) => [...l.attrs.d.matchAll(/,([\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...lines.slice(0, 3).flatMap(ys))).toBeLessThan(Math.min(...lines.slice(3).flatMap(ys)));
  });

  it('confusion matrix: a cell per count, coloured by the scale, the counts written on them, class names on both axes', () => {
    const svg = parsed.confusion;
    const cells = marks(svg, 'lb-trace-heatmap', 'rect');
    expect(cells).toHaveLength(9);
    expect(new Set(cells.map((c) => c.attrs.fill)).size).toBeGreaterThan(3);
    expect(svg.texts).toEqual(expect.arrayContaining(['Confusion matrix', 'predicted', 'true', 'cat', 'dog', EVIL, '5', '7', '9']));
    expect(svg.texts.filter((t) => /^\d$/.test(t)).length).toBeGreaterThanOrEqual(9);
  });

  it('leaderboard: a bar per run with its value, run names as categories', () => {
    const svg = parsed.leaderboard;
    expect(marks(svg, 'lb-trace-bar', 'rect')).toHaveLength(6);
    expect(svg.texts).toEqual(expect.arrayContaining(['val_accuracy', 'run', '#1', `#3 fast ${EVIL}`, '0.85', '0.5']));
  });

  it('metric vs param: a marker per run, decades on a log axis, categories on a text axis, experiments in the legend', () => {
    expect(marks(parsed.logScatter, 'lb-trace-scatter', 'circle')).toHaveLength(6);
    expect(parsed.logScatter.texts).toEqual(expect.arrayContaining(['lr', 'val_accuracy', '1e-4', '0.001', '0.01', '0.1', 'mlp', `cnn ${EVIL}`]));
    expect(marks(parsed.categoryScatter, 'lb-trace-scatter', 'circle')).toHaveLength(6);
    expect(parsed.categoryScatter.texts).toEqual(expect.arrayContaining(['optimizer', 'adam', 'sgd']));
  });

  it('parallel coordinates: a polyline per run coloured by the metric, an axis per dimension with its ticks', () => {
    const svg = parsed.parallel;
    const lines = marks(svg, 'lb-trace-parcoords', 'polyline');
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((l) => l.attrs.stroke)).size).toBe(6);
    expect(lines.every((l) => l.attrs.points.split(' ').length === 5)).toBe(true);
    expect(svg.texts).toEqual(expect.arrayContaining(['experiment', 'lr (log)', 'optimizer', 'units', 'val_accuracy', 'mlp', `cnn ${EVIL}`, '0.0001', 'adam']));
  });

  it('a trace type it cannot draw gets a note in the frame, not an exception', () => {
    expect(parsed.unknown.texts).toEqual(expect.arrayContaining(['a 3-D view', 'trace type scatter3d has no static rendering; open in a notebook with JavaScript']));
    const odd = [{ data: [], layout: {} }, { data: [{}, { type: 'bar' }, { type: 'heatmap', z: 'x' }, { type: 'parcoords' }], layout: { xaxis: 3 } }] as Figure[];
    expect(parseSvgs(odd.map((f) => staticSvg(f))).map((svg) => svg.error)).toEqual([null, null]);
  });
});

describe('staticSvg output', () => {
  it('is the same bytes for the same figure, with numbers rounded to 2 decimals', () => {
    for (const [kind, figure] of Object.entries(figures)) {
      expect(staticSvg(JSON.parse(JSON.stringify(figure)) as Figure), kind).toBe(svgs[kind]);
      expect(svgs[kind]).not.toMatch(/="[^"]*\d\.\d{3}[^"]*"/);
    }
  });

  it('escapes user text: names never become markup', () => {
    for (const svg of Object.values(svgs)) {
      expect(svg).not.toContain('<b>');
      expect(svg).not.toContain('"x"');
    }
    expect(svgs.curves).toContain('a &lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;');
  });
});
