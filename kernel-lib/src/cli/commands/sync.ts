/** `labbook sync`: pushes the local registry's runs to the PostgreSQL team store; what was pushed, what is pending. */
import { resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { openRegistry, type Registry } from '../../registry';
import { explainDatabaseError } from '../../registry/file';
import { resolveDbPath } from '../../registry/paths';
import { redactUrl, syncToTeam } from '../../team/sync';
import type { PendingRun } from '../../team/sync';
import { parse } from '../args';
import { type Command, print, printJson } from '../command';
import { teamUrlFrom } from '../team-store';

const usage = 'labbook sync [--db postgres://USER:PASSWORD@HOST:PORT/DB] [--local PATH] [--run ID ...] [--batch-size N] [--json]';

/** The local registry: --local, else LABBOOK_DB when it is a file, else LABBOOK_LOCAL_DB, else .labbook/labbook.db at the project root. */
export function openLocal(local: string | undefined, db: string | undefined): Registry {
  const path = local ? resolve(local) : resolveDbPath(db);
  try {
    return openRegistry({ db: path, create: false });
  } catch (error) {
    throw explainDatabaseError(error, path);
  }
}

export function pendingLine(p: PendingRun): string {
  const what = p.started ? `${p.points} points, ${p.objects} objects to push` : `not pushed yet (${p.points} points, ${p.objects} objects)`;
  return `  run ${p.id} (${p.status}): ${what}${p.status === 'running' ? '; still running, pushed again by the next sync' : ''}`;
}

export const sync: Command = {
  name: 'sync',
  summary: 'push local runs to the PostgreSQL team store (resumable); exit 1 when an outage cut it short',
  usage,
  help: 'Exit codes: 0 everything pushed (running runs as far as they got), 1 pushed partly (the team store went away, or a corrupt local object was refused): run it again, 2 a mistake in the command.',
  async run(argv) {
    const { values } = parse(argv, { local: { type: 'string' }, run: { type: 'string', multiple: true }, 'batch-size': { type: 'string' } }, usage);
    const batch = values['batch-size'];
    if (batch !== undefined && !/^[1-9]\d{0,8}$/.test(batch)) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--batch-size\`: expected a positive integer (metric points per INSERT), received ${JSON.stringify(batch)}. Usage: ${usage}`);
    }
    const url = teamUrlFrom(values.db, {
      strict: usage,
      missing: (received) => `No team store: expected --db postgres://... or LABBOOK_DB set to one, received ${received}. Usage: ${usage}`,
    });
    const runIds = (values.run ?? []).map((r) => {
      if (!/^[1-9]\d{0,15}$/.test(r)) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--run\`: expected a run id (a positive integer), received ${JSON.stringify(r)}. Usage: ${usage}`);
      return Number(r);
    });
    const registry = openLocal(values.local, url);
    try {
      const result = await syncToTeam(registry, url, { runIds: runIds.length ? runIds : undefined, batchSize: batch === undefined ? undefined : Number(batch) });
      const partly = result.error !== null || result.refused.length > 0;
      if (values.json) {
        printJson(result);
        return partly ? 1 : 0;
      }
      const lines = [`pushed to ${result.team}: ${result.runs} runs, ${result.points} points, ${result.objects} objects (${result.bytes} bytes)`];
      for (const r of result.refused) lines.push(`refused an object of run ${r.run}: ${r.reason}; it was not pushed (reproduce the run to re-create it)`);
      if (result.error !== null) {
        // A refused privilege is fixed by a grant, not by waiting: the error itself says which.
        const when = /permission denied/i.test(result.error) ? 'once the role has the privilege named' : 'when the team store is back';
        lines.push(`sync cut short: ${redactUrl(result.error).replace(/\.$/, '')}. Everything committed is kept; run \`labbook sync\` again ${when}.`);
      }
      lines.push(result.pending.length ? `pending: ${result.pending.length} runs` : 'pending: nothing');
      lines.push(...result.pending.map(pendingLine));
      print(lines.join('\n'));
      return partly ? 1 : 0;
    } catch (error) {
      throw explainDatabaseError(error, registry.path);
    } finally {
      registry.close();
    }
  },
};
