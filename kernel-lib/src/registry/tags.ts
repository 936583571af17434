/** Tags as the run handle and the registry take them: checked names, values turned to text. */
import { invalidArgument } from '../errors';

export type TagValues = { [key: string]: string | number | boolean };

/** [name, value] pairs, or an error naming the first bad one (lengths are checked by the store). */
export function tagEntries(tags: unknown): [string, string][] {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw invalidArgument('tags', 'an object of tag names to strings, numbers or booleans, e.g. {purpose: "baseline"}', tags);
  }
  return Object.entries(tags).map(([k, v]): [string, string] => {
    if (k === '') throw invalidArgument('tag name', 'a non-empty string', k);
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw invalidArgument(`tags.${k}`, 'a string, number or boolean', v);
    return [k, String(v)];
  });
}
