/** Finding the notebooks named on a command line: files, and every *.ipynb under folders. */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { invalidArgument, LabbookError } from '../errors';

const SKIPPED_FOLDERS = new Set(['.ipynb_checkpoints', 'node_modules', '.git']);

/** Absolute paths, in the order given; a folder's notebooks sorted by path. */
export function findNotebooks(paths: readonly string[]): string[] {
  if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p === '')) {
    throw invalidArgument('paths', 'notebook files or folders', paths);
  }
  const found: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw invalidArgument('PATH', 'a notebook file or a folder of notebooks', path, 'Check the path.');
    }
    if (stats.isDirectory()) found.push(...walk(resolve(path)).sort());
    else if (path.endsWith('.ipynb')) found.push(resolve(path));
    else throw invalidArgument('PATH', 'a .ipynb file or a folder', path);
  }
  const unique = [...new Set(found)];
  if (unique.length === 0) {
    throw new LabbookError('INVALID_ARGUMENT', `No notebooks found: expected .ipynb files under ${paths.map((p) => JSON.stringify(p)).join(', ') || 'the given paths'}, received none.`);
  }
  return unique;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) out.push(...walk(join(dir, entry.name)));
    } else if (entry.name.endsWith('.ipynb')) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** Each notebook's path relative to the deepest folder holding them all: unique names under --out. */
export function outputNames(notebooks: readonly string[]): string[] {
  let base = dirname(notebooks[0]);
  for (const nb of notebooks) {
    while (!(dirname(nb) + sep).startsWith(base.endsWith(sep) ? base : base + sep)) base = dirname(base);
  }
  return notebooks.map((nb) => relative(base, nb));
}

/** How a path is shown: relative to the working folder when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : path;
}
