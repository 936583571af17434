/** `labbook run NAME|PATH`: trains an experiment and records it as a run. */
import { loadExperiment, resolveConfig, runExperiment } from '../../experiment';
import { keyValues, parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { teamUrl } from '../team-store';
import type { Registry } from '../../registry';
import { divertStdout } from '../divert';
import { cell, formatNumber } from '../format';
import { renderRun } from './show';
import { tagPairs } from './tag';

const usage = 'labbook run NAME|PATH [--set key=value ...] [--tag key=value ...] [--parent ID] [--seed N] [--backend NAME] [--quiet] [--db PATH] [--json]';

export const run: Command = {
  name: 'run',
  summary: 'train an experiment (from experiments/ or a file) and record the run',
  usage,
  run(argv) {
    const { values, positionals } = parse(
      argv,
      { set: { type: 'string', multiple: true }, tag: { type: 'string', multiple: true }, parent: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, quiet: { type: 'boolean', default: false } },
      usage,
      { name: 'experiment name or file', plural: 'experiment names or files', min: 1, max: 1 },
    );
    const experiment = loadExperiment(positionals[0]);
    const set = keyValues('--set', values.set ?? []);
    resolveConfig(experiment, set); // a mistake in --set is reported before any registry is created
    const tags = tagPairs('--tag', values.tag ?? [], usage);
    const parentId = toInt('--parent', values.parent);
    const seed = toInt('--seed', values.seed, 0);
    return withRegistry(values.db, async (registry) => {
      const start = () => runExperiment(experiment, { registry, set, tags, parentId, seed, backend: values.backend, progress: !values.quiet && !values.json, throwOnFailure: false });
      // With --json stdout is the JSON document alone: whatever the experiment prints goes to stderr.
      const summary = values.json ? await divertStdout(start) : await start();
      // With a team store named, the run (recorded locally first) is pushed to it now; an outage loses nothing.
      const team = teamUrl(values.db);
      const synced = team === undefined ? undefined : await pushRun(registry, team, summary.id);
      if (values.json) printJson(synced === undefined ? summary : { ...summary, synced });
      else {
        const figures = Object.entries(summary.metrics).map(([k, v]) => `${cell(k)} ${formatNumber(v)}`).join('  ');
        print(`${renderRun(registry.getRun(summary.id))}\n\n${figures || summary.error}\nregistry: ${registry.path}\nnext: npx labbook reproduce ${summary.id}   |   npx labbook runs --experiment ${cell(summary.experiment)}`);
      }
      // A run that failed in the experiment's own code is recorded (status failed); exit 1 says so.
      return summary.status === 'finished' ? 0 : 1;
    }, true);
  },
};

/** Syncs the run just recorded to the team store: one line on stderr either way; a failed push keeps the run pending for `labbook sync`. */
async function pushRun(registry: Registry, url: string, id: number): Promise<{ team: string; error: string | null }> {
  const { syncToTeam } = require('../../team/sync') as typeof import('../../team/sync');
  const result = await syncToTeam(registry, url, { runIds: [id] });
  if (result.error === null) process.stderr.write(`labbook: run ${id} synced to ${result.team}\n`);
  else process.stderr.write(`labbook: run ${id} is recorded locally but not synced yet (${result.error}). Run \`labbook sync\` when the team store is back.\n`);
  return { team: result.team, error: result.error };
}
