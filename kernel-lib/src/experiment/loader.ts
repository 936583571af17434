/** Finds and loads experiment files (`experiments/<name>.ts`), compiling TypeScript on require. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { LabbookError } from '../errors';
import { findProjectRoot } from '../repro/root';
import type { BaseConfig, Experiment } from './define';

const EXTENSIONS = ['.ts', '.js', '.cjs'];

/**
 * Lets `require` load .ts files by transpiling them to CommonJS with the project's own
 * TypeScript (type checking is the editor's and tsc's job, not the runner's).
 */
function registerTypeScript(): void {
  const extensions = require.extensions as NodeJS.RequireExtensions;
  if (extensions['.ts']) return;
  let ts: typeof import('typescript');
  try {
    ts = require(require.resolve('typescript', { paths: [findProjectRoot(), __dirname] }));
  } catch {
    throw new LabbookError('NOT_FOUND', 'Cannot load a .ts experiment: expected the `typescript` package in this project. Install it (npm install -D typescript) or point at compiled .js.');
  }
  extensions['.ts'] = (module, filename) => {
    const source = require('node:fs').readFileSync(filename, 'utf8') as string;
    const { outputText } = ts.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false, inlineSourceMap: true },
    });
    (module as unknown as { _compile(code: string, file: string): void })._compile(outputText, filename);
  };
}

/** The experiment a file exports (default export or the only Experiment-shaped export). */
export function loadExperimentFile(path: string): Experiment<BaseConfig> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new LabbookError('NOT_FOUND', `No experiment file at ${file}: expected a .ts or .js file that exports defineExperiment(...).`);
  }
  if (extname(file) === '.ts') registerTypeScript();
  const exports = require(file) as { [key: string]: unknown };
  const found = [exports.default, ...Object.values(exports)].filter(isExperiment);
  const unique = [...new Set(found)];
  if (unique.length !== 1) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid experiment file ${file}: expected exactly one experiment exported (defineExperiment(...)), found ${unique.length}.`);
  }
  const experiment = unique[0];
  experiment.file ??= file;
  return experiment;
}

function isExperiment(value: unknown): value is Experiment<BaseConfig> {
  const e = value as Experiment<BaseConfig> | null;
  return !!e && typeof e === 'object' && typeof e.name === 'string' && typeof e.run === 'function' && typeof e.defaults === 'object';
}

export function experimentsDir(root = findProjectRoot()): string {
  return join(root, 'experiments');
}

/** Experiment files in the project's experiments/ folder, by file name. */
export function listExperimentFiles(root = findProjectRoot()): string[] {
  const dir = experimentsDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => EXTENSIONS.includes(extname(f)) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort()
    .map((f) => join(dir, f));
}

/** An experiment by file path, or by name from the project's experiments/ folder. */
export function loadExperiment(nameOrPath: string, root = findProjectRoot()): Experiment<BaseConfig> {
  if (/[\\/]/.test(nameOrPath) || EXTENSIONS.includes(extname(nameOrPath))) return loadExperimentFile(nameOrPath);
  const files = listExperimentFiles(root);
  const byFileName = files.find((f) => f.slice(f.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '') === nameOrPath);
  if (byFileName) {
    const experiment = loadExperimentFile(byFileName);
    if (experiment.name === nameOrPath) return experiment;
  }
  for (const file of files) {
    const experiment = loadExperimentFile(file);
    if (experiment.name === nameOrPath) return experiment;
  }
  const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1).replace(/\.[^.]+$/, ''));
  throw new LabbookError('NOT_FOUND', `No experiment named \`${nameOrPath}\`: expected one of ${names.join(', ') || '(none in ' + experimentsDir(root) + ')'}, or a path to an experiment file.`);
}
