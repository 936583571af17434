/** A run's start: startRun's options checked and turned into the row the store inserts (no database access here). */
import { invalidArgument } from '../errors';
import { captureEnvironment, withoutSecrets } from '../repro/env';
import { canonicalJson, hashFiles, sha256 } from '../repro/hash';
import { checkSeed, drawSeed } from '../repro/seed';
import { closestName } from '../suggest';
import { HOST, processStartTicks } from './lifecycle';
import { flattenParams, type Param } from './params';
import type { RunInit } from './run';
import type { NewRun } from './store';
import { tagEntries, type TagValues } from './tags';
import type { Config, Json } from './types';

export interface StartRunOptions {
  experiment: string;
  config?: Config;
  /** The root seed (uint32); drawn and recorded when absent. */
  seed?: number;
  name?: string;
  tags?: TagValues;
  /** The hash of the code that ran, or files whose contents make it up. */
  codeHash?: string;
  codeFiles?: string[];
  /** Extra environment sections merged over the captured environment. */
  env?: { [key: string]: Json };
  /** The id of an existing run this one belongs under (a sweep's trial under the sweep). */
  parentId?: number;
}

const START_OPTIONS = ['experiment', 'config', 'seed', 'name', 'tags', 'codeHash', 'codeFiles', 'env', 'parentId'];

/** What starting a run inserts (the row and its flattened params) and the handle's fields but its id. */
export interface StartPlan {
  row: NewRun;
  params: Param[];
  init: Omit<RunInit, 'id'>;
}

/** Checks every option before anything is written, draws the seed and captures the environment. */
export function planStart(options: StartRunOptions): StartPlan {
  if (!options || typeof options.experiment !== 'string' || options.experiment.trim() === '') {
    throw invalidArgument('experiment', 'a non-empty experiment name', options?.experiment, 'Pass startRun({experiment: "mnist-mlp", config}).');
  }
  // An option the registry does not know (`parent`, `tag`) would otherwise be dropped without a word.
  for (const key of Object.keys(options)) {
    if (START_OPTIONS.includes(key)) continue;
    const guess = closestName(key, START_OPTIONS, 3);
    throw invalidArgument('startRun option', `one of ${START_OPTIONS.join(', ')}`, key, guess ? `Did you mean \`${guess}\`?` : undefined);
  }
  const parentId = options.parentId ?? null;
  if (parentId !== null && (!Number.isSafeInteger(parentId) || parentId < 1)) {
    throw invalidArgument('parentId', 'the id of a recorded run (a positive integer)', parentId);
  }
  if (options.tags !== undefined) tagEntries(options.tags); // checked before the run exists
  const config = options.config ?? {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw invalidArgument('config', 'a plain object of settings', config);
  }
  const configJson = canonicalJson(config, 'config');
  const seed = options.seed === undefined ? drawSeed() : checkSeed(options.seed);
  // Sections passed in are scrubbed like providers' (a connection string, a token): never recorded.
  const env = { ...captureEnvironment(), ...(withoutSecrets(JSON.parse(canonicalJson(options.env ?? {}, 'env'))) as { [key: string]: Json }) };
  // In a notebook the code that ran is its cells: their hash stands in when none is given.
  const codeHash = options.codeHash ?? (options.codeFiles?.length ? hashFiles(options.codeFiles) : (env.notebook?.cellsSha256 ?? null));
  const name = options.name ?? null;
  const configHash = sha256(configJson);
  return {
    row: {
      experiment: options.experiment, name, seed, config: configJson, configHash, codeHash, parentId,
      env: canonicalJson(env, 'env'), host: HOST, pid: process.pid, pidStarted: processStartTicks(process.pid), now: Date.now(),
    },
    params: flattenParams(JSON.parse(configJson)),
    init: { experiment: options.experiment, name, seed, config: JSON.parse(configJson), configHash, codeHash, parent: parentId },
  };
}
