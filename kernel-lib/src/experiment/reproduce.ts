/** reproduce(): re-runs a recorded run's experiment with its config and seed and compares the outcome. */
import { availableBackends } from '../backend';
import { basename } from 'node:path';
import { LabbookError } from '../errors';
import { diffRuns, inputEnv, type RunDiff } from '../query/diff';
import type { Registry } from '../registry/registry';
import type { RunRecord } from '../registry/types';
import type { Callback } from '../train/callbacks';
import { promiseDifferences, recordedPromise, type ReproPromise } from '../repro/promise';
import { findProjectRoot } from '../repro/root';
import type { BaseConfig, Experiment } from './define';
import { experimentsDir, listExperimentFiles, loadExperimentFile } from './loader';
import { loadRecordedExperiment } from './recorded';
import { type ExperimentRunSummary, runExperiment } from './runner';

export interface ReproduceResult {
  original: { id: number; status: string; seed: number; configHash: string; codeHash: string | null; checkpoint: { sha256: string } | null };
  rerun: ExperimentRunSummary;
  /** The re-run finished and its final checkpoint is bit-identical to the original's intact one. */
  reproduced: boolean;
  /** reproduced; not-reproduced; original-damaged: the original's stored checkpoint is missing or corrupt. */
  verdict: 'reproduced' | 'not-reproduced' | 'original-damaged';
  /** What is wrong with each run's stored final checkpoint, or null when its bytes verify. */
  damaged: { original: string | null; rerun: string | null };
  checkpointMatch: boolean;
  /** Inputs that differ between the two runs: config, code, data, environment (its input keys: see NOT_INPUT_ENV). */
  differences: Pick<RunDiff, 'config' | 'env' | 'datasets'> & { codeHash: RunDiff['codeHash'] | null };
  /** rerun minus original, per metric. */
  metricDeltas: { [metric: string]: number | null };
  /**
   * Each run's recorded bit-identity promise (null for a run recorded before promises were), and
   * the covered fields in which the re-run is outside the original's: a differing checkpoint is
   * then explained; with none, it is a real reproducibility failure.
   */
  promise: { original: ReproPromise | null; rerun: ReproPromise | null; outside: string[] };
}

/**
 * The experiment to re-run: the file the caller names, else the one the run records, found only in
 * the project's experiments/ folder (a registry's names never pick any other file to execute).
 */
function experimentOf(original: RunRecord, file: string | undefined): Experiment<BaseConfig> {
  if (file !== undefined) return loadExperimentFile(file);
  const root = findProjectRoot();
  try {
    return loadRecordedExperiment({ runId: original.id, name: original.experiment, source: original.tags.source }, root);
  } catch (error) {
    // No `source` tag: registry.startRun() in a script or notebook recorded it, not an experiment.
    if (error instanceof LabbookError && error.code === 'NOT_FOUND' && original.tags.source === undefined) throw notAnExperiment(original, root);
    throw error;
  }
}

/** Why a run that a script or notebook recorded cannot be re-run, and what can be done instead. */
function notAnExperiment(run: RunRecord, root: string): LabbookError {
  const notebook = (run.env.notebook as { path?: unknown } | null | undefined)?.path;
  const by = typeof notebook === 'string' ? `the notebook ${notebook}` : 'a script';
  const names = listExperimentFiles(root).map((f) => basename(f).replace(/\.[^.]+$/, ''));
  const rerun = typeof notebook === 'string' ? `re-execute the notebook (labbook nbtest ${notebook}), or ` : '';
  return new LabbookError(
    'NOT_FOUND',
    `No experiment named \`${run.experiment}\` in ${experimentsDir(root)} for run ${run.id}: expected one of ${names.join(', ') || '(none)'}. ` +
      `Run ${run.id} was recorded by ${by}, not from an experiment file: it names no file to re-run, and \`labbook show ${run.id}\` has everything it recorded. ` +
      `To re-run it, ${rerun}put its training in a file exporting defineExperiment(...) and pass it: labbook reproduce ${run.id} --experiment-file PATH.`,
  );
}

/**
 * Re-runs run `id` with its recorded config and seed, on its recorded backend unless another is
 * asked for (or the recorded one cannot start here: then the default, and the difference shows).
 * `experimentFile` runs that file instead of the experiment the run records (the caller vouches for it).
 */
export async function reproduce(
  registry: Registry,
  id: number,
  options: { progress?: boolean | Callback; backend?: string; experimentFile?: string } = {},
): Promise<ReproduceResult> {
  const original = registry.getRun(id);
  if (original.status === 'running') {
    throw new LabbookError('INVALID_ARGUMENT', `Run ${id} is still running: expected an ended run to reproduce. Wait for it to end.`);
  }
  const experiment = experimentOf(original, options.experimentFile);
  // Checked before the re-run: its save of the same bytes would repair the object and hide the damage.
  const final = original.checkpoints[original.checkpoints.length - 1];
  const originalDamage = final ? registry.objects.verify(final.sha256, final.bytes) : null;
  const recorded = (original.env.backend as { name?: string } | undefined)?.name;
  const available = await availableBackends();
  const backend = options.backend ?? (recorded && (available as string[]).includes(recorded) ? recorded : undefined);
  const rerun = await runExperiment(experiment, {
    backend,
    registry,
    set: original.config,
    seed: original.seed,
    progress: options.progress,
    tags: { reproduces: String(id) },
  });
  const diff = diffRuns(registry, [id, rerun.id]);
  const rerunRecord = registry.getRun(rerun.id);
  const rerunCheckpoints = rerunRecord.checkpoints;
  const promise = { original: recordedPromise(original.env.reproducibility), rerun: recordedPromise(rerunRecord.env.reproducibility) };
  const rerunFinal = rerunCheckpoints[rerunCheckpoints.length - 1];
  const rerunDamage = rerunFinal ? registry.objects.verify(rerunFinal.sha256, rerunFinal.bytes) : null;
  // Equal recorded hashes prove nothing when the bytes behind them are not the ones hashed.
  const reproduced = rerun.status === 'finished' && diff.checkpointEqual && originalDamage === null && rerunDamage === null;
  const metricDeltas: ReproduceResult['metricDeltas'] = {};
  for (const [key, m] of Object.entries(diff.metrics)) {
    if (!key.startsWith('epoch_seconds') && key !== 'samples_per_sec') metricDeltas[key] = m.deltas[1];
  }
  return {
    original: {
      id,
      status: original.status,
      seed: original.seed,
      configHash: original.configHash,
      codeHash: original.codeHash,
      checkpoint: final ? { sha256: final.sha256 } : null,
    },
    rerun,
    reproduced,
    verdict: originalDamage !== null ? 'original-damaged' : reproduced ? 'reproduced' : 'not-reproduced',
    damaged: { original: originalDamage, rerun: rerunDamage },
    checkpointMatch: diff.checkpointEqual,
    differences: {
      config: diff.config,
      // Only environment keys that are inputs: which backends were skipped is history, not a cause.
      env: inputEnv(diff.env),
      datasets: diff.datasets,
      codeHash: diff.codeHash[0] === diff.codeHash[1] ? null : diff.codeHash,
    },
    metricDeltas,
    promise: { ...promise, outside: promise.original && promise.rerun ? promiseDifferences(promise.original, promise.rerun) : [] },
  };
}
