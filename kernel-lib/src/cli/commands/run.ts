/** `labbook run NAME|PATH`: trains an experiment and records it as a run. */
import { loadExperiment, resolveConfig, runExperiment } from '../../experiment';
import { keyValues, parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { teamUrl } from '../team-store';
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
      // With a team store named (--db or LABBOOK_DB), the run, recorded locally first, is pushed when it ends; an outage loses nothing.
      const team = teamUrl(values.db) ?? false;
      const start = () => runExperiment(experiment, { registry, set, tags, parentId, seed, backend: values.backend, progress: !values.quiet && !values.json, throwOnFailure: false, team });
      // With --json stdout is the JSON document alone: whatever the experiment prints goes to stderr.
      const summary = values.json ? await divertStdout(start) : await start();
      if (summary.synced?.error === null) process.stderr.write(`labbook: run ${summary.id} synced to ${summary.synced.team}\n`);
      else if (summary.synced) process.stderr.write(`labbook: run ${summary.id} is recorded locally but not synced yet (${summary.synced.error}). Run \`labbook sync\` when the team store is back.\n`);
      if (values.json) printJson(summary);
      else {
        const figures = Object.entries(summary.metrics).map(([k, v]) => `${cell(k)} ${formatNumber(v)}`).join('  ');
        print(`${renderRun(registry.getRun(summary.id))}\n\n${figures || summary.error}\nregistry: ${registry.path}\nnext: npx labbook reproduce ${summary.id}   |   npx labbook runs --experiment ${cell(summary.experiment)}`);
      }
      // A run that failed in the experiment's own code is recorded (status failed); exit 1 says so.
      return summary.status === 'finished' ? 0 : 1;
    }, true);
  },
};
