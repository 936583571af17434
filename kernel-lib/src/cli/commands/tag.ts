/** `labbook tag ID key=value ... [--delete key]`: change the tags of a run, ended or not. */
import { LabbookError } from '../../errors';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { table } from '../format';
import { localOnly } from '../team-store';

const usage = 'labbook tag ID key=value [key=value ...] [--delete KEY ...] [--db PATH] [--json]';

export const tag: Command = {
  name: 'tag',
  summary: 'set or delete tags of a run (ended runs too)',
  usage,
  run(argv) {
    const { values, positionals } = parse(argv, { delete: { type: 'string', multiple: true } }, usage, { name: 'run id', plural: 'arguments (a run id, then key=value pairs)', min: 1, max: Infinity });
    const [id] = runIds(positionals.slice(0, 1), usage);
    const set = tagPairs('tag', positionals.slice(1), usage);
    const remove = values.delete ?? [];
    if (Object.keys(set).length === 0 && remove.length === 0) {
      throw new LabbookError('INVALID_ARGUMENT', `Nothing to change: expected at least one key=value or --delete KEY, received neither. Usage: ${usage}`);
    }
    const both = remove.find((key) => Object.hasOwn(set, key));
    if (both !== undefined) {
      throw new LabbookError('INVALID_ARGUMENT', `Tag \`${both}\` is both set and deleted: expected one change per tag. Drop ${both}=... or --delete ${both}.`);
    }
    localOnly('tag', values.db, 'Tag the run in the local registry that recorded it (--db .labbook/labbook.db, or LABBOOK_LOCAL_DB); sync carries its tags to the team store.');
    return withRegistry(values.db, (registry) => {
      // Every deletion is checked before anything changes, so a typo changes nothing.
      const before = registry.getRun(id).tags;
      const missing = remove.find((key) => !Object.hasOwn(before, key));
      if (missing !== undefined) registry.deleteTag(id, missing); // throws, naming the tags the run has
      if (Object.keys(set).length) registry.setTags(id, set);
      for (const key of remove) registry.deleteTag(id, key);
      const tags = registry.getRun(id).tags;
      if (values.json) printJson({ id, tags });
      else print(Object.keys(tags).length ? `run ${id} tags\n${table(['key', 'value'], Object.entries(tags))}` : `run ${id} has no tags`);
      return 0;
    });
  },
};

/** `key=value` words as tags: the value is kept as text (`007` stays "007"), unlike --set's JSON. */
export function tagPairs(option: string, pairs: readonly string[], usage: string): { [key: string]: string } {
  const out: { [key: string]: string } = Object.create(null);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new LabbookError('INVALID_ARGUMENT', `Invalid ${option} ${JSON.stringify(pair)}: expected key=value. Usage: ${usage}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
