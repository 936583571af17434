/** Coverage of what notebook cells ran in their kernels, merged into @vitest/coverage-v8's report (labbook/vitest-coverage). */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { invalidArgument } from '../errors';

/**
 * Set by the provider in vitest's main process before any worker starts (workers and their
 * kernels inherit it): the folder kernels write their V8 coverage to. The workers' own coverage
 * is not affected; only kernels started by describeNotebook get NODE_V8_COVERAGE.
 */
export const KERNEL_COVERAGE_ENV = 'LABBOOK_KERNEL_COVERAGE';

/** Where labbook/vitest-coverage is, beside this install's dist/ (the path vitest loads the provider from). */
const PROVIDER_MODULE = join(__dirname, '..', '..', 'vitest-coverage.mjs');

/**
 * For vitest.config's `test.coverage`: @vitest/coverage-v8 with what notebook kernels ran merged
 * in; `options` are coverage-v8's own (include, exclude, reporter, thresholds...). A function
 * because vitest types a custom provider's options without most of them.
 */
export function notebookCoverage(options: { [key: string]: unknown } = {}): { provider: 'custom'; customProviderModule: string } {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgument('notebookCoverage() options', "an object of @vitest/coverage-v8's options", options);
  if ('provider' in options || 'customProviderModule' in options) {
    throw invalidArgument('notebookCoverage() options', "@vitest/coverage-v8's options without `provider` and `customProviderModule`", options, 'Remove them: notebookCoverage() sets both.');
  }
  return { ...options, provider: 'custom', customProviderModule: PROVIDER_MODULE };
}

/** The environment a notebook's kernel gets: NODE_V8_COVERAGE when `vitest --coverage` runs with labbook's provider. */
export function kernelCoverageEnv(): { [key: string]: string } {
  const dir = process.env[KERNEL_COVERAGE_ENV];
  return dir ? { NODE_V8_COVERAGE: dir } : {};
}

/** One function's block coverage, as V8 reports it (offsets into the script as it ran). */
interface FunctionCoverage {
  functionName: string;
  isBlockCoverage: boolean;
  ranges: { startOffset: number; endOffset: number; count: number }[];
}

interface ScriptCoverage {
  url: string;
  functions: FunctionCoverage[];
}

/** What NODE_V8_COVERAGE writes per process: scripts, and the source maps Node found in them. */
interface ProcessCoverage {
  result: ScriptCoverage[];
  'source-map-cache'?: { [url: string]: { data?: SourceMap | null; lineLengths?: number[] } };
}

interface SourceMap {
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  [key: string]: unknown;
}

/** What @vitest/coverage-v8's v8ToIstanbul takes: the code V8 ran, the original, and its map. */
export interface ScriptSources {
  source: string;
  originalSource: string;
  sourceMap?: { sourcemap: SourceMap };
}

/**
 * A kernel script's sources as it ran there. The kernel loads labbook's dist/*.js through Node's
 * own loader (no vite transform, no module wrapper in the offsets), so the file on disk is the code
 * and its .js.map (Node records it in the coverage file) leads to the .ts. A .ts experiment was
 * transpiled in memory with an inline map: only its line lengths are recorded, which is all
 * offset-to-line mapping needs. Null for what is not the project's (node internals, packages,
 * cells, files gone since).
 */
export function kernelScriptSources(script: ScriptCoverage, cache: ProcessCoverage['source-map-cache']): ScriptSources | null {
  if (!script.url.startsWith('file://')) return null;
  const file = fileURLToPath(script.url);
  if (file.includes(`${sep}node_modules${sep}`) || !existsSync(file)) return null;
  const onDisk = readFileSync(file, 'utf8');
  const cached = cache?.[script.url];
  if (!cached?.data) return { source: onDisk, originalSource: onDisk };
  const lengths = cached.lineLengths ?? [];
  const ranOnDisk = lengths.length > 0 && onDisk.split(/\n/).every((line, i) => i >= lengths.length || line.replace(/\r$/, '').length === lengths[i]);
  // Stand-in characters, not blanks (which count as empty lines), as c8 does.
  const source = ranOnDisk ? onDisk : lengths.map((n) => '.'.repeat(n)).join('\n');
  const sources = cached.data.sources.filter((s): s is string => s !== null).map((s) => new URL(s, script.url).href);
  const sourcesContent = sources.map((url, i) => cached.data?.sourcesContent?.[i] ?? readOrEmpty(fileURLToPath(url)));
  if (sources.length === 0) return { source: onDisk, originalSource: onDisk };
  return { source, originalSource: sourcesContent[0], sourceMap: { sourcemap: { ...cached.data, sources, sourcesContent } } };
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Every script coverage the kernels wrote (one JSON file per kernel process, and per v8.takeCoverage()). */
export function readKernelCoverage(dir: string): { script: ScriptCoverage; sources: ScriptSources }[] {
  if (!existsSync(dir)) return [];
  const found: { script: ScriptCoverage; sources: ScriptSources }[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    let coverage: ProcessCoverage;
    try {
      coverage = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ProcessCoverage;
    } catch {
      continue; // a kernel killed while writing leaves a partial file: its coverage is lost, not the report
    }
    for (const script of coverage.result ?? []) {
      const sources = kernelScriptSources(script, coverage['source-map-cache']);
      if (sources) found.push({ script, sources });
    }
  }
  return found;
}

/** The members of @vitest/coverage-v8's V8CoverageProvider that the subclass uses. */
interface V8Provider {
  ctx: { config: { root: string } };
  coverageFilesDirectory: string;
  testExclude: { shouldInstrument(file: string): boolean };
  initialize(ctx: unknown): void;
  clean(clean?: boolean): Promise<void>;
  generateCoverage(options: { allTestsRun?: boolean }): Promise<CoverageMap>;
  getUntestedFiles(testedFiles: string[]): Promise<CoverageMap>;
  createCoverageMap(): CoverageMap;
  v8ToIstanbul(url: string, wrapperLength: number, sources: ScriptSources, functions: FunctionCoverage[]): Promise<unknown>;
}

interface CoverageMap {
  files(): string[];
  merge(other: unknown): void;
  filter(keep: (file: string) => boolean): void;
}

type ProviderClass = new () => V8Provider;

/**
 * @vitest/coverage-v8's provider, extended: kernels started by the notebook tests write V8
 * coverage into a folder under vitest's own coverage temp folder (removed with it), and
 * generateCoverage converts it against the files the kernels ran and merges it in before files
 * nothing ran are added as uncovered (so a file only a notebook ran is not also reported empty).
 */
export function withNotebookCoverage(Base: ProviderClass): ProviderClass {
  return class NotebookCoverageProvider extends Base {
    private kernelMap: CoverageMap | null = null;

    private get kernelDir(): string {
      return join(this.coverageFilesDirectory, 'labbook-kernels');
    }

    override initialize(ctx: unknown): void {
      super.initialize(ctx);
      process.env[KERNEL_COVERAGE_ENV] = this.kernelDir;
    }

    override async clean(clean = true): Promise<void> {
      await super.clean(clean);
      mkdirSync(this.kernelDir, { recursive: true });
    }

    override async generateCoverage(options: { allTestsRun?: boolean }): Promise<CoverageMap> {
      const kernels = this.createCoverageMap();
      for (const { script, sources } of readKernelCoverage(this.kernelDir)) kernels.merge(await this.v8ToIstanbul(script.url, 0, sources, script.functions));
      // Filtered after mapping: include/exclude name the .ts sources, not the dist/*.js that ran.
      kernels.filter((file) => this.testExclude.shouldInstrument(file));
      this.kernelMap = kernels;
      const map = await super.generateCoverage(options);
      map.merge(kernels);
      this.kernelMap = null;
      return map;
    }

    override async getUntestedFiles(testedFiles: string[]): Promise<CoverageMap> {
      return super.getUntestedFiles([...testedFiles, ...(this.kernelMap?.files() ?? []).map((f) => pathToFileURL(resolve(f)).pathname)]);
    }
  };
}
