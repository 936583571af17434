/** One registered model: its aliases, its versions newest first with the run each came from, and how its aliases moved. */
import { useApi } from '../use-api';
import { api, type ModelVersionItem } from '../api';
import { Link } from '../components/link';
import { AliasBadges } from '../components/model-aliases';
import { StatusBadge } from '../components/status';
import { formatNumber, formatTime } from '../format';

/** A SHA-256 shortened for the table; the whole hash is its tooltip. */
function Hash(props: { sha256: string }) {
  return (
    <code class="hash" title={props.sha256}>
      {props.sha256.slice(0, 12)}…
    </code>
  );
}

/** The version's lineage: the run it was registered from, with that run's latest metrics. */
function Lineage(props: { version: ModelVersionItem }) {
  const { version } = props;
  const run = version.run;
  if (run === null) return <span class="muted">run #{version.runId} (no longer in this registry)</span>;
  const metrics = Object.keys(run.metrics).sort();
  return (
    <div>
      <Link href={`/runs/${version.runId}`}>#{version.runId}{run.name === null ? '' : ` ${run.name}`}</Link> <span class="muted">{run.experiment}</span>{' '}
      <StatusBadge status={run.status} />
      {metrics.length > 0 && (
        <div class="metric-list">
          {metrics.map((key) => (
            <span key={key}>
              {key} <b>{formatNumber(run.metrics[key])}</b>
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

export function ModelPage(props: { name: string }) {
  const { data: model, error } = useApi((signal) => api.model(props.name, signal), [props.name]);

  if (error !== null) {
    return (
      <p class="error">
        {error.message} <Link href="/models">Back to the models</Link>.
      </p>
    );
  }
  if (model === null) return <p class="muted">Loading the model…</p>;
  return (
    <div class="view">
      <h1>
        {model.name} <span class="muted">model</span>
      </h1>
      <dl class="facts">
        <dt>aliases</dt>
        <dd>
          <AliasBadges aliases={model.aliases} />
        </dd>
        <dt>versions</dt>
        <dd>{model.versions.length}</dd>
        <dt>created</dt>
        <dd>{formatTime(model.createdAt)}</dd>
        {model.description && (
          <>
            <dt>description</dt>
            <dd>{model.description}</dd>
          </>
        )}
      </dl>

      <h2>Versions</h2>
      <div class="table-scroll">
        <table class="view-table" data-testid="model-versions">
          <thead>
            <tr>
              <th>version</th>
              <th>aliases</th>
              <th>run</th>
              <th>checkpoint</th>
              <th>weights</th>
              <th>artifact</th>
              <th>note</th>
              <th>created</th>
            </tr>
          </thead>
          <tbody>
            {model.versions.map((version) => (
              <tr key={version.version} data-testid="version-row">
                <td>v{version.version}</td>
                <td class="badges">
                  {version.aliases.map((alias) => (
                    <span key={alias} class="badge alias">{alias}</span>
                  ))}
                </td>
                <td class="wrap">
                  <Lineage version={version} />
                </td>
                <td>{version.checkpoint}</td>
                <td>
                  <Hash sha256={version.weightsSha256} />
                </td>
                <td>
                  <Hash sha256={version.artifactSha256} />
                </td>
                <td class="wrap">{version.note ?? ''}</td>
                <td>{formatTime(version.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>Alias history</h2>
      {model.history.length === 0 ? (
        <p class="muted">No alias has been set.</p>
      ) : (
        <table class="view-table" data-testid="alias-history">
          <thead>
            <tr>
              <th>alias</th>
              <th>from → to</th>
              <th>who</th>
              <th>when</th>
            </tr>
          </thead>
          <tbody>
            {model.history.map((move, i) => (
              <tr key={i}>
                <td>{move.alias}</td>
                <td>
                  {move.fromVersion === null ? 'none' : `v${move.fromVersion}`} → {move.toVersion === null ? 'removed' : `v${move.toVersion}`}
                </td>
                <td>{move.who}</td>
                <td>{formatTime(move.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
