/** `labbook gc`: removes stored objects that no run references, and temp files of writes that died. */
import { parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { localOnly } from '../team-store';

const usage = 'labbook gc [--dry-run] [--grace SECONDS] [--db PATH] [--json]';

export const gc: Command = {
  name: 'gc',
  summary: 'remove stored checkpoints and artifacts that no run references',
  usage,
  run(argv) {
    const { values } = parse(argv, { 'dry-run': { type: 'boolean', default: false }, grace: { type: 'string' } }, usage);
    // Objects being written are safe whatever the grace (pins); the grace spares fresh unreferenced ones.
    const graceSeconds = toInt('--grace', values.grace, 0) ?? 600;
    localOnly('gc', values.db, 'The team store keeps every object a synced run references; collect a local registry instead: --db .labbook/labbook.db (or LABBOOK_LOCAL_DB), or unset LABBOOK_DB.');
    return withRegistry(values.db, (registry) => {
      const result = registry.gc({ dryRun: values['dry-run'], graceMs: graceSeconds * 1000 });
      if (values.json) printJson({ dryRun: values['dry-run'], ...result });
      else {
        const temps = result.unfinished.removed.length ? ` and ${result.unfinished.removed.length} unfinished writes` : '';
        print(`${values['dry-run'] ? 'would remove' : 'removed'} ${result.removed.length} objects${temps} (${result.bytes} bytes); kept ${result.kept}`);
      }
      return 0;
    });
  },
};
