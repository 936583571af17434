/** `labbook status`: the local registry's runs not yet pushed to the team store, the last sync, and whether the store answers. */
import { syncStatus } from '../../team/sync';
import { parse } from '../args';
import { type Command, isoTime, print, printJson } from '../command';
import { teamUrlFrom } from '../team-store';
import { openLocal, pendingLine } from './sync';

const usage = 'labbook status [--db postgres://USER:PASSWORD@HOST:PORT/DB] [--local PATH] [--json]';

export const status: Command = {
  name: 'status',
  summary: 'what the local registry has not yet pushed to the team store, the last sync, and whether the store is reachable',
  usage,
  help: 'Exit codes: 0 shown, 1 the team store (--db or LABBOOK_DB) is unreachable, 2 a mistake in the command.',
  async run(argv) {
    const { values } = parse(argv, { local: { type: 'string' } }, usage);
    const url = teamUrlFrom(values.db, { strict: usage });
    const registry = openLocal(values.local, url);
    try {
      const s = await syncStatus(registry, url);
      const code = s.reachable === false ? 1 : 0;
      if (values.json) {
        printJson({ registry: registry.path, ...s, lastSync: isoTime(s.lastSync) });
        return code;
      }
      const lines = [`registry ${registry.path} (origin ${s.origin})`];
      if (s.team === null) lines.push('team store: none (pass --db postgres://... or set LABBOOK_DB)');
      else if (s.reachable === null) lines.push(`team store: ${s.team} (reachability not tried: pass --db with its URL)`);
      else lines.push(s.reachable ? `team store: ${s.team}, reachable` : `team store: ${s.team}, unreachable: ${s.unreachable}`);
      lines.push(`last sync: ${s.lastSync === null ? 'never' : isoTime(s.lastSync)}`);
      lines.push(s.pending.length ? `pending: ${s.pending.length} runs` : 'pending: nothing, every run is pushed');
      lines.push(...s.pending.map(pendingLine));
      print(lines.join('\n'));
      return code;
    } finally {
      registry.close();
    }
  },
};
