/** The model registry: each registered model, its versions and where its aliases point. */
import { ApiFailure, api } from '../api';
import { useApi } from '../use-api';
import { Link } from '../components/link';
import { AliasBadges } from '../components/model-aliases';
import { formatTime } from '../format';

export function ModelsPage(_props: {}) {
  const { data: models, error } = useApi((signal) => api.models(signal), []);

  // A store without a model registry (the PostgreSQL team store) answers 404 with why: that is information, not a failure.
  if (error instanceof ApiFailure && error.status === 404) {
    return (
      <div class="view">
        <h1>Models</h1>
        <p class="note">{error.message}</p>
      </div>
    );
  }
  if (error !== null) return <p class="error">{error.message}</p>;
  if (models === null) return <p class="muted">Loading the models…</p>;
  return (
    <div class="view">
      <h1>Models</h1>
      {models.length === 0 ? (
        <p class="note">
          No registered models yet. <code>npx labbook models register NAME RUN_ID</code> registers a run’s checkpoint as a version.
        </p>
      ) : (
        <div class="table-scroll">
          <table class="view-table">
            <thead>
              <tr>
                <th>model</th>
                <th>description</th>
                <th class="num">versions</th>
                <th class="num">latest</th>
                <th>aliases</th>
                <th>created</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.name} data-testid="model-row">
                  <td>
                    <Link href={`/models/${encodeURIComponent(model.name)}`}>{model.name}</Link>
                  </td>
                  <td class="wrap">{model.description ?? ''}</td>
                  <td class="num">{model.versions}</td>
                  <td class="num">{model.latestVersion === null ? '–' : `v${model.latestVersion}`}</td>
                  <td>
                    <AliasBadges aliases={model.aliases} />
                  </td>
                  <td>{formatTime(model.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
