/** A model version's lineage, read from its run: config, data fingerprints, code hash, environment and metrics. */
import { LabbookError } from '../errors';
import type { Registry } from '../registry/registry';
import type { Json } from '../registry/types';
import type { ModelLineage, ModelVersion } from './types';

// The lines of a run's environment that tell two deployments apart; the run keeps the rest.
const ENVIRONMENT_KEYS = ['labbook', 'node', 'tfjs', 'os', 'backend', 'git'];

export function lineageOf(registry: Registry, version: ModelVersion, ref: string): ModelLineage {
  let run;
  try {
    run = registry.getRun(version.runId);
  } catch (error) {
    // The schema keeps a registered run from being deleted; this is a registry edited by hand.
    if (error instanceof LabbookError && error.code === 'NOT_FOUND') {
      throw new LabbookError('NOT_FOUND', `Model version ${ref} points at run ${version.runId}: expected that run in the registry, received none. Delete the version (labbook models delete ${version.name}/${version.version}).`);
    }
    throw error;
  }
  const environment: { [key: string]: Json } = {};
  for (const key of ENVIRONMENT_KEYS) if (run.env[key] !== undefined) environment[key] = run.env[key];
  return {
    runId: run.id,
    experiment: run.experiment,
    runName: run.name,
    status: run.status,
    seed: run.seed,
    config: run.config,
    datasets: run.datasets.map((d) => ({ name: d.name, sha256: d.sha256, rows: d.rows, columns: d.columns, source: d.source })),
    codeHash: run.codeHash,
    environment,
    metrics: Object.fromEntries(Object.entries(run.metrics).map(([k, m]) => [k, m.value])),
    checkpointSha256: version.weightsSha256,
  };
}
