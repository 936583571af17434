/** Compare 2 to 100 runs: overlaid curves, diff, leaderboard, parallel coordinates, metric vs parameter. The URL is the whole view. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { compareIds } from '../../../src/ui/page-requests';
import { api, type Compare } from '../api';
import { CompareCurves, CurveControls } from '../components/compare-curves';
import { CompareDiff } from '../components/compare-diff';
import { CompareLeaderboard, MetricSelect } from '../components/compare-leaderboard';
import { CompareRuns } from '../components/compare-runs';
import { CompareScatter, ParamSelect } from '../components/compare-scatter';
import { compareHref, metricKeys, readView, runTitle, varyingConfig } from '../components/compare-view';
import { Link } from '../components/link';
import { ParallelCoordinates } from '../components/parallel-coordinates';
import { higherIsBetter } from '../format';
import { navigate } from '../router';

export function ComparePage(props: { query: URLSearchParams }) {
  const { query } = props;
  const ids = query.get('ids') ?? '';
  // Times cross the wire only for charts by time: by step they would be a third of the bytes for nothing.
  const byTime = query.get('x') === 'time';
  const [loaded, setLoaded] = useState<{ ids: string; times: boolean; data: Compare } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [curvesDrawn, setCurvesDrawn] = useState(false);
  const [rest, setRest] = useState(false);

  useEffect(() => {
    // Back to charts by step, the times already here are kept rather than fetched again.
    if (loaded !== null && loaded.ids === ids && (loaded.times || !byTime)) return;
    const controller = new AbortController();
    setError(null);
    // The ids go to the server as typed, so its message about a bad one quotes what the URL says.
    api.compare(compareIds(query), byTime, controller.signal).then(
      (data) => setLoaded({ ids, times: byTime, data }),
      (e: Error) => {
        if (!controller.signal.aborted) setError(e.message);
      },
    );
    return () => controller.abort();
  }, [ids, byTime]);
  const data = loaded?.data ?? null;

  const view = useMemo(() => (data ? readView(query, data) : null), [data, query]);
  // Switching to time, the charts stay by step until the times arrive.
  const x = view?.x === 'time' && !loaded?.times ? 'step' : (view?.x ?? 'step');
  const set = (changes: Record<string, string | null>) => navigate(compareHref(query, changes), true);

  if (error !== null) {
    return (
      <div class="view">
        <p class="error">{error}</p>
        <p>
          <Link href="/">Back to the runs</Link> to pick 2 to 100 runs to compare.
        </p>
      </div>
    );
  }
  if (data === null || view === null) return <p class="muted">Loading the comparison…</p>;
  const remove = (id: number) => set({ ids: data.runs.filter((run) => run.id !== id).map((run) => run.id).join(',') });

  return (
    <div class="view compare">
      <h1>Compare {data.runs.length} runs</h1>
      <CompareRuns runs={data.runs} onRemove={remove} />

      <section>
        <h2>Curves</h2>
        <CurveControls metrics={metricKeys(data)} keys={view.keys} x={view.x} smooth={view.smooth} set={set} />
        <CompareCurves data={data} keys={view.keys} x={x} smooth={view.smooth} onPreviewed={() => setRest(true)} onPainted={() => setCurvesDrawn(true)} />
      </section>

      {/* Below the curves, drawn the task after they first show: the curves paint without waiting for ~5,000 table cells. */}
      {rest && (
        <>
          <section>
            <h2>
              Differences{' '}
              <label class="toggle">
                <input type="checkbox" checked={view.all} onChange={(e) => set({ all: (e.currentTarget as HTMLInputElement).checked ? '1' : null })} /> show all
              </label>
            </h2>
            <CompareDiff data={data} all={view.all} />
          </section>

          <section>
            <h2>
              Leaderboard <MetricSelect data={data} metric={view.metric} onChange={(metric) => set({ metric })} />
            </h2>
            <CompareLeaderboard data={data} metric={view.metric} />
          </section>

          <section>
            <h2>
              Parallel coordinates <MetricSelect data={data} metric={view.metric} onChange={(metric) => set({ metric })} />
            </h2>
            {view.metric === null ? (
              <p class="muted">These runs logged no metrics.</p>
            ) : (
              <ParallelCoordinates
                testid="parallel-coordinates"
                dims={varyingConfig(data).map((key) => ({ label: key, values: data.diff.config[key] }))}
                lines={data.runs.map((run) => ({ label: runTitle(run), href: `/runs/${run.id}` }))}
                color={{ label: view.metric, values: data.diff.metrics[view.metric].values, higherIsBetter: higherIsBetter(view.metric) }}
              />
            )}
          </section>

          <section>
            <h2>
              Metric vs parameter <ParamSelect data={data} param={view.param} onChange={(param) => set({ param })} />{' '}
              <MetricSelect data={data} metric={view.metric} onChange={(metric) => set({ metric })} />
            </h2>
            {curvesDrawn || view.keys.length === 0 ? <CompareScatter data={data} param={view.param} metric={view.metric} /> : <p class="muted">Drawing the curves first…</p>}
          </section>
        </>
      )}
    </div>
  );
}
