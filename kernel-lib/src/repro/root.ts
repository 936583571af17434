/** Finding the project a run belongs to (a leaf module: hashing, env capture and the registry path all need it). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { invalidArgument } from '../errors';

/**
 * The project root: the nearest folder at or above `start` holding a package.json or a .labbook/
 * folder, lifted to the workspace root when that package.json belongs to a workspace (an outer
 * package.json lists its folder in `workspaces`, as npm, yarn and pnpm-with-npm-layout do), so
 * every folder of a monorepo shares one registry, one experiments/ and one lockfile. `start`
 * itself when nothing is above it.
 */
export function findProjectRoot(start: string = process.cwd()): string {
  if (typeof start !== 'string') throw invalidArgument('start', 'a folder path', start);
  const origin = resolve(start);
  for (let dir = origin; ; dir = dirname(dir)) {
    const hasPackage = existsSync(join(dir, 'package.json'));
    if (hasPackage || isFolder(join(dir, '.labbook'))) return hasPackage ? (workspaceRootOf(dir) ?? dir) : dir;
    if (dirname(dir) === dir) return origin;
  }
}

/** The nearest folder above `pkg` whose package.json lists `pkg` among its workspaces, else null. */
function workspaceRootOf(pkg: string): string | null {
  for (let dir = pkg; dirname(dir) !== dir; ) {
    dir = dirname(dir);
    const patterns = workspacePatterns(join(dir, 'package.json'));
    if (patterns.length > 0 && matchesWorkspaces(relative(dir, pkg).split(sep).join('/'), patterns)) return dir;
  }
  return null;
}

/** `workspaces` as npm (an array) or yarn (`{packages: [...]}`) writes it; [] when absent or unreadable. */
function workspacePatterns(file: string): string[] {
  if (!existsSync(file)) return [];
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown };
    const list = Array.isArray(json.workspaces) ? json.workspaces : (json.workspaces as { packages?: unknown } | undefined)?.packages;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return []; // a broken package.json elsewhere is not this project's concern
  }
}

/** Whether `rel` matches a pattern and no `!pattern` after it (globs: `*` within a folder name, `**` across folders). */
function matchesWorkspaces(rel: string, patterns: string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globRegExp(negated ? pattern.slice(1) : pattern).test(rel)) matched = !negated;
  }
  return matched;
}

function globRegExp(pattern: string): RegExp {
  const clean = pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  const body = clean
    .split('/')
    .map((part) => (part === '**' ? '(?:.*)' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
    .join('/')
    .replace(/\/\(\?:\.\*\)/g, '(?:/.*)?')
    .replace(/^\(\?:\.\*\)\//, '(?:.*/)?');
  return new RegExp(`^${body}$`);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
