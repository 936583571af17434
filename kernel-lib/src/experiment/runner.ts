/** Runs an experiment as a recorded run: config resolved, backend chosen, code hashed, outcome kept. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { initBackend } from '../backend';
import { openRegistry, type Registry } from '../registry/registry';
import { attachCallbacks } from '../train/attached';
import type { Callback } from '../train/callbacks';
import type { Run } from '../registry/run';
import type { Json, RunStatus } from '../registry/types';
import { hashFiles } from '../repro/hash';
import { pushEndedRuns, teamStoreFor, type TeamPush } from '../team/push-ended';
import { findProjectRoot } from '../repro/root';
import { type BaseConfig, type Experiment, type ExperimentResult, resolveConfig } from './define';

export interface RunExperimentOptions {
  registry?: Registry;
  /**
   * Settings to change from the experiment's defaults: dotted paths (`{'opt.lr': 0.1}`) and objects
   * merged into the default objects (`{model: {units: [64]}}` keeps model's other keys). The merged
   * config is what the run records and hashes.
   */
  set?: { [key: string]: Json };
  /** Record the run as a child of this run (a sweep's trials under the sweep). */
  parentId?: number;
  seed?: number;
  /** true: the terminal progress bar; a callback such as a notebook's liveProgress(); default off. */
  progress?: boolean | Callback;
  tags?: { [key: string]: string };
  /** tensorflow, native, wasm or cpu; default LABBOOK_BACKEND, else the fastest available. */
  backend?: string;
  /** false: a failing run is reported in the summary (status failed, error) instead of thrown. */
  throwOnFailure?: boolean;
  /**
   * Callbacks attached to the run: every train() the experiment calls with this run runs them too
   * (after its own). A function gets the run first, for callbacks that tag it (a sweep's pruner).
   */
  callbacks?: Callback[] | ((run: Run) => Callback[]);
  /**
   * The team store (a postgres:// URL) to push the run to once it has ended, failed runs too;
   * default LABBOOK_DB when it names one; false records locally only. The run is always recorded
   * locally first, so an unreachable store loses nothing: the summary says so and `labbook sync`
   * pushes it later.
   */
  team?: string | false;
}

export interface ExperimentRunSummary {
  id: number;
  experiment: string;
  status: RunStatus;
  seed: number;
  configHash: string;
  codeHash: string | null;
  checkpoint: { sha256: string } | null;
  metrics: ExperimentResult;
  /** The failure's message and stack when the run failed. */
  error: string | null;
  /** Present when a team store was named: the push's outcome (error null: the run is in the team store). */
  synced?: TeamPush;
}

let libraryFiles: string[] | null = null;

/** Every source file of labbook itself: a change to the training loop changes what a run did. */
function labbookFiles(): string[] {
  if (libraryFiles === null) {
    const root = join(__dirname, '..');
    // dist/ui-app is the web UI's browser bundle: it never runs in a training process, and a
    // rebuild (new asset names) must not change every run's code hash.
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? (dir === root && e.name === 'ui-app' ? [] : walk(join(dir, e.name))) : /\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
      );
    libraryFiles = walk(root).sort();
  }
  return libraryFiles;
}

/** The hash of the experiment's file and the labbook code it ran on. */
export function experimentCodeHash(experiment: Experiment<BaseConfig>): string | null {
  if (!experiment.file) return null;
  return hashFiles([experiment.file, ...labbookFiles()]);
}

/**
 * Runs the experiment in a new run of `experiment.name`. A throw inside it marks the run failed
 * (everything logged is kept) and is re-thrown.
 */
export async function runExperiment<C extends BaseConfig>(experiment: Experiment<C>, options: RunExperimentOptions = {}): Promise<ExperimentRunSummary> {
  const config = resolveConfig(experiment, options.set);
  const team = teamStoreFor(options.team);
  await initBackend({ prefer: options.backend });
  const registry = options.registry ?? openRegistry();
  try {
    const source = experiment.file ? relative(findProjectRoot(), experiment.file) : null;
    let id = 0;
    let metrics: ExperimentResult = {};
    try {
      metrics = await registry.withRun(
        {
          experiment: experiment.name,
          config,
          seed: options.seed,
          parentId: options.parentId,
          codeHash: experimentCodeHash(experiment as unknown as Experiment<BaseConfig>) ?? undefined,
          tags: { ...(source ? { source } : {}), ...options.tags },
        },
        async (run) => {
          id = run.id;
          if (options.callbacks) attachCallbacks(run, typeof options.callbacks === 'function' ? options.callbacks(run) : options.callbacks);
          const result = await experiment.run({ run, registry, config, seed: run.seed, progress: options.progress ?? false });
          if (Object.keys(result).length > 0) run.log(result);
          return result;
        },
      );
    } catch (error) {
      // before the run started (a bad config), or asked to throw: the caller sees the error itself
      if (id === 0) throw error;
      if (options.throwOnFailure !== false) {
        // The failed run (and what it logged) reaches the team store all the same.
        if (team !== undefined) await pushEndedRuns(registry, team, [id]);
        throw error;
      }
    }
    const synced = team === undefined ? undefined : await pushEndedRuns(registry, team, [id]);
    const record = registry.getRun(id);
    const final = record.checkpoints[record.checkpoints.length - 1];
    return {
      id,
      experiment: record.experiment,
      status: record.status,
      seed: record.seed,
      configHash: record.configHash,
      codeHash: record.codeHash,
      checkpoint: final ? { sha256: final.sha256 } : null,
      metrics,
      error: record.error,
      ...(synced ? { synced } : {}),
    };
  } finally {
    if (!options.registry) registry.close();
  }
}
