#!/usr/bin/env node
/** The `labbook` command: dispatches to a command; a user's mistake is one line and exit 2. */
import { LabbookError } from '../errors';
import type { Command } from './command';
import { visible } from './escape';
import { refreshKernelspecBeforeCommand } from './commands/kernelspec';

/** A command as `labbook --help` lists it; `load` requires its module only when it is the one run. */
interface Entry {
  name: string;
  summary: string;
  load: () => Command;
}

// Loading every command up front cost `labbook runs` a second (tfjs, zeromq): a command's
// module, and what it imports, loads only when that command runs. Summaries match each
// module's `summary` (a test checks), so `--help` loads none of them.
const COMMANDS: Entry[] = [
  { name: 'run', summary: 'train an experiment (from experiments/ or a file) and record the run', load: () => (require('./commands/run') as typeof import('./commands/run')).run },
  { name: 'reproduce', summary: 're-run a recorded run with its config and seed; exit 0 only if the checkpoint is identical (3: original damaged)', load: () => (require('./commands/reproduce') as typeof import('./commands/reproduce')).reproduce },
  { name: 'runs', summary: 'list runs (filter with --where, sort with --sort)', load: () => (require('./commands/runs') as typeof import('./commands/runs')).runs },
  { name: 'show', summary: 'everything recorded about one run', load: () => (require('./commands/show') as typeof import('./commands/show')).show },
  { name: 'diff', summary: 'compare runs: config, environment, data, code, metrics, checkpoints', load: () => (require('./commands/diff') as typeof import('./commands/diff')).diff },
  { name: 'ui', summary: 'browse runs, compare them, and see sweeps and models in a web UI (read-only; http://127.0.0.1:8600)', load: () => (require('./commands/ui') as typeof import('./commands/ui')).ui },
  { name: 'report', summary: 'write one standalone HTML report of runs: table, diff, learning curves, leaderboard', load: () => (require('./commands/report') as typeof import('./commands/report')).report },
  { name: 'predict', summary: "predict with a run's logged model on raw rows from a .csv or .json file (- reads JSON from stdin)", load: () => (require('./commands/predict') as typeof import('./commands/predict')).predict },
  { name: 'models', summary: 'the model registry: named model versions of runs, with aliases (list, show, register, alias, delete, export)', load: () => (require('./commands/models') as typeof import('./commands/models')).models },
  { name: 'serve', summary: 'serve a registered model (or a run\'s model) over HTTP: TF Serving REST and KServe v2, micro-batched, /metrics', load: () => (require('./commands/serve') as typeof import('./commands/serve')).serve },
  { name: 'monitor', summary: "a served model's drift, predictions, latency and errors from its sampled requests, with alerts (exit 3 on one with --fail-on-alert)", load: () => (require('./commands/monitor') as typeof import('./commands/monitor')).monitor },
  { name: 'artifact', summary: "write a run's artifact (checked against its hash) to a file or stdout; a figure as HTML with --html", load: () => (require('./commands/artifact') as typeof import('./commands/artifact')).artifact },
  { name: 'export', summary: 'export runs with config and latest metrics as CSV or JSON', load: () => (require('./commands/export') as typeof import('./commands/export')).exportRuns },
  { name: 'sql', summary: 'run a read-only SQL query against the registry schema', load: () => (require('./commands/sql') as typeof import('./commands/sql')).sql },
  { name: 'tag', summary: 'set or delete tags of a run (ended runs too)', load: () => (require('./commands/tag') as typeof import('./commands/tag')).tag },
  { name: 'delete', summary: 'delete ended runs (their stored objects are freed by `labbook gc`)', load: () => (require('./commands/delete') as typeof import('./commands/delete')).del },
  { name: 'gc', summary: 'remove stored checkpoints and artifacts that no run references', load: () => (require('./commands/gc') as typeof import('./commands/gc')).gc },
  { name: 'nbtest', summary: 'execute notebooks on the tslab kernel as tests; their checkpointed runs must reproduce bit for bit', load: () => (require('./commands/nbtest') as typeof import('./commands/nbtest')).nbtest },
  { name: 'kernelspec', summary: "write a Jupyter kernelspec for this project's tslab (use with JUPYTER_PATH)", load: () => (require('./commands/kernelspec') as typeof import('./commands/kernelspec')).kernelspec },
  { name: 'sync', summary: 'push local runs to the PostgreSQL team store (resumable); exit 1 when an outage cut it short', load: () => (require('./commands/sync') as typeof import('./commands/sync')).sync },
  { name: 'status', summary: 'what the local registry has not yet pushed to the team store, the last sync, and whether the store is reachable', load: () => (require('./commands/status') as typeof import('./commands/status')).status },
  { name: 'sweep', summary: 'run, resume or show a hyperparameter sweep (a parent run whose trials are child runs)', load: () => (require('./commands/sweep') as typeof import('./commands/sweep')).sweep },
  { name: 'worker', summary: "pull a team sweep's trials from PostgreSQL and train them here, until the sweep is done (run one per machine, any number)", load: () => (require('./commands/worker') as typeof import('./commands/worker')).worker },
  { name: 'demo', summary: 'record a small seeded demo run and print it', load: () => (require('./commands/demo') as typeof import('./commands/demo')).demo },
];

/** For tests: the table `labbook --help` is printed from. */
export const COMMAND_TABLE: readonly Entry[] = COMMANDS;

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'labbook — reproducible experiment runs in SQLite',
    '',
    'usage: labbook COMMAND [options]   (every command takes --db PATH and --json)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'labbook COMMAND --help shows its usage. The registry is --db, else $LABBOOK_DB, else .labbook/labbook.db at the project root.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${(require('../../package.json') as { version: string }).version}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    throw new LabbookError('INVALID_ARGUMENT', `Unknown command \`${name}\`: expected one of ${COMMANDS.map((c) => c.name).join(', ')}. Run \`labbook --help\`.`);
  }
  const command = entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\nusage: ${command.usage}\n${command.help ? `\n${command.help}\n` : ''}`);
    return 0;
  }
  // A checkout that was moved or copied still has a kernelspec running the old tree's tslab.
  if (entry.name !== 'kernelspec') refreshKernelspecBeforeCommand();
  return command.run(rest);
}

/** Runs the command line and sets the exit code: a user's mistake is one line and exit 2; a team store failure one line and exit 1. */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof LabbookError) {
        process.stderr.write(`labbook: ${visible(error.message, '\n')}\n`);
        // A team store that is down or refuses is no mistake in the command (run it again later): 1, as `labbook sync` exits.
        process.exitCode = error.code === 'TEAM_STORE' ? 1 : 2;
      } else {
        process.stderr.write(`labbook: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}

// `node kernel-lib/dist/cli/main.js` works too (tests and scripts); `npx labbook` goes through bin/labbook.js.
if (require.main === module) runCli(process.argv.slice(2));
