/** The experiment a recorded run names, loaded only from the project's experiments/ folder (never any file a registry names). */
import { existsSync, realpathSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { LabbookError } from '../errors';
import type { BaseConfig, Experiment } from './define';
import { experimentsDir, listExperimentFiles, loadExperimentFile } from './loader';

/** What a run recorded about its experiment: its name and the `source` tag (a path from the project root). */
export interface RecordedExperiment {
  runId: number;
  name: string;
  source?: string;
}

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const EXTENSIONS = ['.ts', '.js', '.cjs'];

/**
 * A registry is data anyone may hand over (a shared file, a copied folder), while loading an
 * experiment runs its code: so the names it holds pick only among the files the project keeps in
 * experiments/, judged by where they really are once symlinks are followed. Any other file runs
 * only when the user names it (`labbook reproduce ID --experiment-file PATH`).
 */
export function loadRecordedExperiment(recorded: RecordedExperiment, root: string): Experiment<BaseConfig> {
  const dir = experimentsDir(root);
  const realDir = existsSync(dir) ? realpathSync(dir) : dir;
  const refuse = (what: string, why: string): LabbookError =>
    new LabbookError(
      'UNTRUSTED_FILE',
      `Run ${recorded.runId} records ${what}, ${why}: reproduce only loads experiments from ${dir}, since a registry can name any file. If you trust the file, pass it explicitly: labbook reproduce ${recorded.runId} --experiment-file PATH.`,
    );
  /** Where `file` really is when that is outside experiments/, else null. */
  const escapes = (file: string): string | null => {
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      return `${file} (a link that cannot be followed)`;
    }
    return inside(real, realDir) ? null : real;
  };

  const { source } = recorded;
  if (source !== undefined) {
    const what = `experiment \`${recorded.name}\` with source \`${source}\``;
    const file = resolve(root, source);
    if (isAbsolute(source) || !inside(file, dir)) throw refuse(what, "which is outside the project's experiments folder");
    if (!PLAIN_NAME.test(basename(file)) || !EXTENSIONS.includes(extname(file)) || file.endsWith('.d.ts')) {
      throw refuse(what, 'which is not an experiment file name (a plain name ending .ts, .js or .cjs)');
    }
    // A source that is gone (renamed, moved) leaves the name to find the experiment by.
    if (existsSync(file)) {
      const real = escapes(file);
      if (real) throw refuse(what, `which links to ${real}, outside the project's experiments folder`);
      return loadExperimentFile(file);
    }
  }

  const { name } = recorded;
  if (!PLAIN_NAME.test(name)) {
    throw refuse(`experiment \`${name}\``, 'which is not a plain experiment name (letters, digits, ".", "_", "-") to look up in experiments/');
  }
  const files = listExperimentFiles(root);
  const stem = (f: string): string => basename(f).replace(/\.[^.]+$/, '');
  const safe = files.filter((f) => escapes(f) === null);
  const byFileName = files.find((f) => stem(f) === name);
  if (byFileName) {
    const real = escapes(byFileName);
    if (real) throw refuse(`experiment \`${name}\`, found as ${relative(root, byFileName)}`, `which links to ${real}, outside the project's experiments folder`);
    const experiment = loadExperimentFile(byFileName);
    if (experiment.name === name) return experiment;
  }
  for (const file of safe) {
    if (file === byFileName) continue;
    const experiment = loadExperimentFile(file);
    if (experiment.name === name) return experiment;
  }
  throw new LabbookError(
    'NOT_FOUND',
    `No experiment named \`${name}\` in ${dir} for run ${recorded.runId}: expected one of ${safe.map(stem).join(', ') || '(none)'}. Restore its file there, or pass it explicitly: labbook reproduce ${recorded.runId} --experiment-file PATH.`,
  );
}

/** Whether `path` lies strictly inside `dir` (both already absolute). */
function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
