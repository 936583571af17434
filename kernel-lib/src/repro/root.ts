/** Finding the project a run belongs to (a leaf module: hashing and env capture both need it). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { invalidArgument } from '../errors';

/** The nearest folder at or above `start` holding a package.json; `start` itself if none does. */
export function findProjectRoot(start: string = process.cwd()): string {
  if (typeof start !== 'string') throw invalidArgument('start', 'a folder path', start);
  const origin = resolve(start);
  for (let dir = origin; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return origin;
  }
}
