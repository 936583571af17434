/** The optimization history: each trial's objective value by trial number, and the best value found so far. */
import { useMemo } from 'preact/hooks';
import type { TrialItem } from '../api';
import { Chart, plotText } from './chart';

export function SweepHistory(props: { trials: TrialItem[]; metric: string; direction: 'minimize' | 'maximize' }) {
  const { trials, metric, direction } = props;
  const chart = useMemo(() => {
    const valued = trials.filter((t) => t.value !== null);
    const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
    let best: number | null = null;
    const bestSoFar = valued.map((t) => (best = best === null || better(t.value!, best) ? t.value! : best));
    return {
      data: [
        {
          type: 'scatter',
          mode: 'markers',
          name: 'trial',
          x: valued.map((t) => t.number),
          y: valued.map((t) => t.value),
          text: valued.map((t) => plotText(`trial ${t.number} · run ${t.run} · ${t.state}`)),
          hoverinfo: 'text+y',
          marker: { size: 8, color: '#0969da' },
        },
        { type: 'scatter', mode: 'lines', name: 'best so far', x: valued.map((t) => t.number), y: bestSoFar, line: { shape: 'hv', color: '#cf222e', width: 2 }, hoverinfo: 'skip' },
      ],
      layout: {
        showlegend: true,
        legend: { orientation: 'h', y: 1.12 },
        xaxis: { title: { text: 'trial' }, dtick: trials.length <= 20 ? 1 : undefined },
        yaxis: { title: { text: plotText(`${metric} (${direction})`) } },
      },
    };
  }, [trials, metric, direction]);
  if (chart.data[0].x.length === 0) return <p class="muted">No trial has a value yet.</p>;
  return <Chart data={chart.data} layout={chart.layout} height={280} testid="optimization-history" />;
}
