/** Metric against one config parameter: a point per run in its colour; non-numeric parameters on a category axis. */
import { useMemo } from 'preact/hooks';
import type { Compare } from '../api';
import { formatValue } from '../format';
import { Chart, plotText } from './chart';
import { runColors, runTitle } from './compare-view';

export function ParamSelect(props: { data: Compare; param: string | null; onChange: (param: string) => void }) {
  return (
    <label>
      parameter{' '}
      <select value={props.param ?? ''} onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}>
        {Object.keys(props.data.diff.config).map((key) => (
          <option key={key} value={key}>{key}</option>
        ))}
      </select>
    </label>
  );
}

export function CompareScatter(props: { data: Compare; param: string | null; metric: string | null }) {
  const { data, param, metric } = props;
  const chart = useMemo(() => {
    if (param === null || metric === null) return null;
    const xs = data.diff.config[param] ?? [];
    const ys = data.diff.metrics[metric]?.values ?? [];
    // Runs without the parameter or the metric have no place on this plot.
    const shown = data.runs.map((run, i) => ({ run, x: xs[i], y: ys[i] })).filter((p) => p.x !== null && p.x !== undefined && p.y !== null);
    const colors = runColors(data.runs);
    const numeric = shown.every((p) => typeof p.x === 'number');
    const numbers = shown.map((p) => p.x as number);
    const log = numeric && Math.min(...numbers) > 0 && Math.max(...numbers) / Math.min(...numbers) >= 100;
    return {
      count: shown.length,
      data: [
        {
          type: 'scatter',
          mode: 'markers',
          x: shown.map((p) => (numeric ? p.x : plotText(formatValue(p.x)))),
          y: shown.map((p) => p.y),
          text: shown.map((p) => plotText(runTitle(p.run))),
          marker: { color: shown.map((p) => colors.get(p.run.id)), size: 9, line: { width: 1, color: '#fff' } },
          hoverinfo: 'text+x+y',
        },
      ],
      layout: {
        showlegend: false,
        xaxis: { title: { text: plotText(param) }, type: numeric ? (log ? 'log' : 'linear') : 'category' },
        yaxis: { title: { text: plotText(metric) } },
      },
    };
  }, [data, param, metric]);
  if (chart === null) return <p class="muted">These runs have no config or no metrics to plot.</p>;
  if (chart.count === 0) return <p class="muted">No run has both {param} and {metric}.</p>;
  return <Chart data={chart.data} layout={chart.layout} height={320} testid="metric-vs-param" />;
}
