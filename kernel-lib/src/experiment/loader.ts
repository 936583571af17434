/** Finds and loads experiment files (`experiments/<name>.ts`), compiling TypeScript on require. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import Module from 'node:module';
import { extname, join, resolve, sep } from 'node:path';
import { LabbookError } from '../errors';
import { findProjectRoot } from '../repro/root';
import type { BaseConfig, Experiment } from './define';

const EXTENSIONS = ['.ts', '.js', '.cjs'];

type NodeModule = Module & { paths: string[] };
type ModuleInternals = { _nodeModulePaths(dir: string): string[]; _extensions: { [ext: string]: (module: NodeModule, filename: string) => void } };

/** The folders labbook itself resolves packages from (its install, then upward), src/ and dist/ alike. */
const LABBOOK_PATHS = (Module as unknown as ModuleInternals)._nodeModulePaths(resolve(__dirname, '..', '..'));

/**
 * An experiment file may live anywhere (a scratch folder, another checkout) yet imports
 * `labbook`, `@tensorflow/tfjs` and the rest that labbook brings: after a user module's own
 * node_modules folders, which still win, it also looks where labbook does. Packages under
 * node_modules keep node's lookup as it is.
 */
function resolveLabbookDependencies(): void {
  const extensions = (Module as unknown as ModuleInternals)._extensions;
  for (const ext of EXTENSIONS) {
    const load = extensions[ext];
    if (!load || (load as { labbookPaths?: boolean }).labbookPaths) continue;
    const wrapped = (module: NodeModule, filename: string): void => {
      if (!filename.includes(`${sep}node_modules${sep}`)) module.paths = [...module.paths, ...LABBOOK_PATHS.filter((p) => !module.paths.includes(p))];
      load(module, filename);
    };
    extensions[ext] = Object.assign(wrapped, { labbookPaths: true });
  }
}

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

/** The experiment a file exports (module.exports, the default export, or the only Experiment-shaped export). */
export function loadExperimentFile(path: string): Experiment<BaseConfig> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new LabbookError('NOT_FOUND', `No experiment file at ${file}: expected a .ts or .js file that exports defineExperiment(...).`);
  }
  if (extname(file) === '.ts') registerTypeScript();
  resolveLabbookDependencies();
  let exports: { [key: string]: unknown };
  try {
    exports = require(file) as { [key: string]: unknown };
  } catch (error) {
    throw missingModule(error, file) ?? error;
  }
  // `module.exports = defineExperiment(...)` (CommonJS) exports the experiment itself.
  const found = [exports, exports.default, ...Object.values(exports)].filter(isExperiment);
  const unique = [...new Set(found)];
  if (unique.length !== 1) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid experiment file ${file}: expected exactly one experiment exported (defineExperiment(...)), found ${unique.length}.`);
  }
  const experiment = unique[0];
  experiment.file ??= file;
  return experiment;
}

/** Requires another kind of user file (a sweep file) exactly as experiment files are required: .ts compiled, labbook's packages found. */
export function requireUserFile(path: string): { [key: string]: unknown } {
  const file = resolve(path);
  if (extname(file) === '.ts') registerTypeScript();
  resolveLabbookDependencies();
  try {
    return require(file) as { [key: string]: unknown };
  } catch (error) {
    throw missingModule(error, file) ?? error;
  }
}

/** A package the experiment imports that is installed neither beside it nor beside labbook: one line, not a stack. */
function missingModule(error: unknown, file: string): LabbookError | null {
  const e = error as { code?: string; message?: string };
  const name = e?.code === 'MODULE_NOT_FOUND' ? /^Cannot find module '([^']+)'/.exec(e.message ?? '')?.[1] : undefined;
  if (name === undefined) return null;
  const fix = /^[./]/.test(name) ? 'Fix the import' : `Install it (npm install ${name}) or fix the import`;
  return new LabbookError('NOT_FOUND', `Cannot load experiment file ${file}: it imports \`${name}\`, which cannot be found: expected a file beside it or a package in node_modules above it or above labbook, found none. ${fix}.`);
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
