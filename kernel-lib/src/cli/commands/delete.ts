/** `labbook delete ID...`: removes ended runs and everything they recorded (objects go at `gc`). */
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { localOnly } from '../team-store';

const usage = 'labbook delete ID [ID...] [--db PATH] [--json]';

export const del: Command = {
  name: 'delete',
  summary: 'delete ended runs (their stored objects are freed by `labbook gc`)',
  usage,
  run(argv) {
    const { values, positionals } = parse(argv, {}, usage, { name: 'run id', min: 1, max: Infinity });
    const ids = runIds(positionals, usage);
    localOnly('delete', values.db, 'The team store keeps what sync pushed; delete from a local registry: --db .labbook/labbook.db (or LABBOOK_LOCAL_DB).');
    return withRegistry(values.db, (registry) => {
      registry.deleteRuns(ids); // all or nothing; a parent goes only with its children
      if (values.json) printJson({ deleted: ids });
      else print(`deleted ${ids.length} run${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}`);
      return 0;
    });
  },
};
