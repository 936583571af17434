/** The notebook a process runs for, when it is a Jupyter kernel: its path and a hash of its code cells. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { canonicalJson, sha256 } from './hash';
import { findProjectRoot } from './root';

export interface NotebookContext {
  /** Relative to the project root. */
  path: string;
  /** SHA-256 of the code cells' sources, in order (outputs and markdown do not count). */
  cellsSha256: string;
}

/**
 * labbook's notebook runner sets LABBOOK_NOTEBOOK; Jupyter Server (2.x) sets JPY_SESSION_NAME for
 * the kernels it starts. Either names the .ipynb file; the kernel's working folder is the
 * notebook's own, which resolves a bare or server-relative name.
 */
export function notebookContext(env: NodeJS.ProcessEnv = process.env): NotebookContext | null {
  const named = env.LABBOOK_NOTEBOOK || env.JPY_SESSION_NAME;
  if (!named || !named.endsWith('.ipynb')) return null;
  const candidates = isAbsolute(named) ? [named] : [resolve(named), resolve(basename(named))];
  const file = candidates.find((c) => existsSync(c));
  if (!file) return null;
  try {
    const notebook = JSON.parse(readFileSync(file, 'utf8')) as { cells?: { cell_type: string; source: string | string[] }[] };
    const sources = (notebook.cells ?? []).filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
    return { path: relative(findProjectRoot(), file).split('\\').join('/'), cellsSha256: sha256(canonicalJson(sources)) };
  } catch {
    return null; // not valid notebook JSON: record nothing rather than fail the run
  }
}
