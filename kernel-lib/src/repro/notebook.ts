/** The notebook a process runs for, when it is a Jupyter kernel: its path, a hash of its code cells, and the cells it executed. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { canonicalJson, sha256 } from './hash';
import { findProjectRoot } from './root';

export interface NotebookContext {
  /** Relative to the project root; null when the executed cells match no saved notebook in the kernel's folder. */
  path: string | null;
  /** SHA-256 of the saved notebook's code cells, in order (outputs and markdown do not count); of the executed cells when there is no saved notebook. */
  cellsSha256: string;
  /**
   * The cells this kernel executed so far (known in a kernel started from `labbook kernelspec`'s
   * spec): how many, a hash of their sources in execution order, and how many of them are not
   * among the saved notebook's code cells (edited since the last save, or injected).
   */
  executed?: { cells: number; sha256: string; notInFile: number };
}

/** What kernel-hook.ts keeps (read through the shared symbol, not an import, so reading never installs it). */
interface ExecutedCells {
  cwd: string;
  sources: string[];
}

/**
 * Where the notebook comes from, first found wins: LABBOOK_NOTEBOOK (labbook's notebook runner);
 * JPY_SESSION_NAME (Jupyter Server 2.x, so JupyterLab 4 and Notebook 7); else, for clients that
 * name no notebook to the kernel (classic Notebook 6, nbconvert/nbclient, which only start it in
 * the notebook's folder), the .ipynb in the kernel's starting folder holding the most of the
 * cells it executed.
 */
export function notebookContext(env: NodeJS.ProcessEnv = process.env): NotebookContext | null {
  const executed = (globalThis as { [key: symbol]: ExecutedCells | undefined })[Symbol.for('labbook.executedCells')];
  const ran = executed?.sources.filter((s) => s.trim() !== '');
  const named = env.LABBOOK_NOTEBOOK || env.JPY_SESSION_NAME;
  let file: string | undefined;
  if (named) {
    if (!named.endsWith('.ipynb')) return null;
    const candidates = isAbsolute(named) ? [named] : [resolve(named), resolve(basename(named))];
    file = candidates.find((c) => existsSync(c));
    if (!file) return null;
  } else if (executed && ran && ran.length > 0) {
    file = bestMatch(executed.cwd, ran);
  } else {
    return null;
  }
  const cells = file ? codeCells(file) : null;
  if (file && !cells) return null; // not valid notebook JSON: record nothing rather than fail the run
  const context: NotebookContext = {
    path: file ? relative(findProjectRoot(), file).split('\\').join('/') : null,
    cellsSha256: sha256(canonicalJson(cells ?? ran ?? [])),
  };
  if (ran) {
    const saved = new Set(cells ?? []);
    context.executed = { cells: ran.length, sha256: sha256(canonicalJson(ran)), notInFile: ran.filter((s) => !saved.has(s)).length };
  }
  return context;
}

function codeCells(file: string): string[] | null {
  try {
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as { cells?: { cell_type: string; source: string | string[] }[] };
    return (notebook.cells ?? []).filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
  } catch {
    return null;
  }
}

/** The one notebook in `folder` holding more of the executed cells than any other; none on a tie or no match (a guess is worse than no path). */
function bestMatch(folder: string, ran: readonly string[]): string | undefined {
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.ipynb')).sort();
  } catch {
    return undefined;
  }
  let best: string | undefined;
  let bestScore = 0;
  let tied = false;
  for (const name of names) {
    const cells = codeCells(join(folder, name));
    if (!cells) continue;
    const saved = new Set(cells);
    const score = ran.filter((s) => saved.has(s)).length;
    if (score > bestScore) [best, bestScore, tied] = [join(folder, name), score, false];
    else if (score === bestScore && score > 0) tied = true;
  }
  return tied ? undefined : best;
}

/** The compiled hook a tslab kernel preloads: beside this file in dist, or dist's when this runs from src. */
export function kernelHookFile(): string {
  const beside = join(__dirname, 'kernel-hook.js');
  return existsSync(beside) ? beside : resolve(__dirname, '..', '..', 'dist', 'repro', 'kernel-hook.js');
}
