/** A run's artifacts: figures drawn with plotly (sanitized), images shown, everything else offered as a download. */
import { useEffect, useState } from 'preact/hooks';
import { api, type ArtifactRecord } from '../api';
import { formatBytes } from '../format';
import { Chart } from './chart';
import { Panel } from './run-sections';

const FIGURE = 'application/vnd.labbook.figure+json';
const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const baseType = (mediaType: string) => mediaType.split(';')[0].trim().toLowerCase();

/**
 * A figure is arbitrary JSON a run logged, so it cannot be passed through plotText without
 * breaking its own formatting. Instead only plain trace types are drawn: others can fetch from
 * the network (map tiles, geo outlines from a CDN) or run plotly code paths we do not need. Layout
 * annotations and images are dropped as they carry markup, links and external image URLs, and
 * updatemenus and sliders because their buttons call plotly methods with arguments the figure
 * chooses; a template is dropped as it can bring all of those back in.
 */
const TRACE_TYPES = new Set(['scatter', 'bar', 'heatmap', 'histogram', 'box', 'pie']);
const DROPPED_LAYOUT = ['annotations', 'images', 'updatemenus', 'sliders', 'template'];

type Plain = { [key: string]: unknown };
const isPlain = (value: unknown): value is Plain => value !== null && typeof value === 'object' && !Array.isArray(value);

export function safeFigure(raw: unknown): { data: Plain[]; layout: Plain; dropped: number } {
  const figure = isPlain(raw) ? raw : {};
  const traces = Array.isArray(figure.data) ? figure.data.filter(isPlain) : [];
  const data = traces.filter((trace) => TRACE_TYPES.has(typeof trace.type === 'string' ? trace.type : 'scatter'));
  const layout: Plain = isPlain(figure.layout) ? { ...figure.layout } : {};
  for (const key of DROPPED_LAYOUT) delete layout[key];
  return { data, layout, dropped: traces.length - data.length };
}

function FigureArtifact({ runId, artifact }: { runId: number; artifact: ArtifactRecord }) {
  const [figure, setFigure] = useState<ReturnType<typeof safeFigure> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    fetch(api.artifactUrl(runId, artifact.name), { signal: abort.signal })
      .then((response) => {
        if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
        return response.json() as Promise<unknown>;
      })
      .then(
        (raw) => setFigure(safeFigure(raw)),
        (e: Error) => abort.signal.aborted || setError(`Could not load the figure (${e.message}).`),
      );
    return () => abort.abort();
  }, [runId, artifact.name, artifact.sha256]);
  return (
    <figure class="artifact-figure" data-artifact={artifact.name}>
      <figcaption>
        <DownloadLink runId={runId} artifact={artifact} />
        {figure && figure.dropped > 0 && <span class="muted"> · {figure.dropped} trace(s) of types not drawn here</span>}
      </figcaption>
      {error && <p class="error">{error}</p>}
      {figure && <Chart data={figure.data} layout={figure.layout} height={320} testid="figure" />}
    </figure>
  );
}

function DownloadLink({ runId, artifact }: { runId: number; artifact: ArtifactRecord }) {
  return (
    <a href={`${api.artifactUrl(runId, artifact.name)}?download=1`} download={artifact.name} title={`sha256 ${artifact.sha256}`}>
      {artifact.name}
    </a>
  );
}

export function RunArtifacts({ runId, artifacts }: { runId: number; artifacts: ArtifactRecord[] }) {
  const figures = artifacts.filter((a) => baseType(a.mediaType) === FIGURE);
  const images = artifacts.filter((a) => IMAGES.has(baseType(a.mediaType)));
  const files = artifacts.filter((a) => !figures.includes(a) && !images.includes(a));
  return (
    <Panel title="Artifacts" testid="run-artifacts" wide>
      {artifacts.length === 0 && <p class="muted">none</p>}
      {figures.map((a) => (
        <FigureArtifact key={a.name} runId={runId} artifact={a} />
      ))}
      {images.length > 0 && (
        <div class="artifact-images">
          {images.map((a) => (
            <figure key={a.name}>
              <img src={api.artifactUrl(runId, a.name)} alt={a.name} loading="lazy" />
              <figcaption>
                <DownloadLink runId={runId} artifact={a} />
              </figcaption>
            </figure>
          ))}
        </div>
      )}
      {files.length > 0 && (
        <table class="grid">
          <thead>
            <tr>
              <th>name</th>
              <th>type</th>
              <th>size</th>
              <th>sha256</th>
            </tr>
          </thead>
          <tbody>
            {files.map((a) => (
              <tr key={a.name}>
                <td>
                  <DownloadLink runId={runId} artifact={a} />
                </td>
                <td>{a.mediaType}</td>
                <td class="num">{formatBytes(a.bytes)}</td>
                <td>
                  <code class="hash">{a.sha256}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
