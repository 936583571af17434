/** `labbook gc`: removes stored objects that no run references. */
import { parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';

const usage = 'labbook gc [--dry-run] [--grace SECONDS] [--db PATH] [--json]';

export const gc: Command = {
  name: 'gc',
  summary: 'remove stored checkpoints and artifacts that no run references',
  usage,
  run(argv) {
    const { values } = parse(argv, { 'dry-run': { type: 'boolean', default: false }, grace: { type: 'string' } }, usage);
    // Objects younger than the grace period may belong to a run that is writing them right now.
    const graceSeconds = toInt('--grace', values.grace, 0) ?? 600;
    return withRegistry(values.db, (registry) => {
      const result = registry.gc({ dryRun: values['dry-run'], graceMs: graceSeconds * 1000 });
      if (values.json) printJson({ dryRun: values['dry-run'], ...result });
      else print(`${values['dry-run'] ? 'would remove' : 'removed'} ${result.removed.length} objects (${result.bytes} bytes); kept ${result.kept}`);
      return 0;
    });
  },
};
