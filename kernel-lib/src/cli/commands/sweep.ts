/** `labbook sweep run FILE | resume ID | show ID` (and, on the team store, `create FILE | list | show ID | stop ID`): hyperparameter sweeps as a parent run with child trials. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { requireUserFile } from '../../experiment/loader';
import type { Registry } from '../../registry/registry';
import { reviseSweep, type SweepDefinition } from '../../sweep/define';
import { loadSweep } from '../../sweep/load';
import { runSweep } from '../../sweep/run';
import { localOnly, teamUrlFrom } from '../team-store';
import { parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { divertStdout } from '../divert';
import { analysis, counts, leaderboard, renderSweep, writeSweepPage } from './sweep-format';

const usage =
  'labbook sweep run FILE [--trials N] [--timeout S] [--seed N] | sweep resume ID | sweep show ID [--html FILE [--inline]]  [--db PATH] [--json]; ' +
  'team store: sweep create FILE --db postgres://... [--trials N] [--timeout S] [--seed N] [--max-attempts N] [--local PATH] | sweep list --db postgres://... | sweep show ID --db postgres://... | sweep stop ID --db postgres://...';
const ACTIONS = ['run', 'resume', 'show', 'create', 'list', 'stop'];
const TEAM_ONLY = ['create', 'list', 'stop'];

export const sweep: Command = {
  name: 'sweep',
  summary: 'run, resume or show a hyperparameter sweep (a parent run whose trials are child runs)',
  usage,
  help:
    'FILE is a .ts or .js module whose default export is defineSweep(...). Trials print one line each on stderr. ' +
    'With --db postgres://... (or LABBOOK_DB) the sweep lives in the team store: `create` records it and prints the `labbook worker` command to start on each machine (exit 1 when the team store cannot be reached: nothing is created), `list` lists the team sweeps with their trials by state, `show` reads one, `stop` ends it early.',
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      {
        trials: { type: 'string' }, timeout: { type: 'string' }, seed: { type: 'string' }, 'max-attempts': { type: 'string' }, local: { type: 'string' },
        html: { type: 'string' }, inline: { type: 'boolean', default: false },
      },
      usage,
      { name: 'argument', min: 1, max: 2 },
    );
    const [action, target] = positionals;
    if (!ACTIONS.includes(action)) {
      throw new LabbookError('INVALID_ARGUMENT', `Unknown sweep action \`${action}\`: expected one of ${ACTIONS.join(', ')}. Usage: ${usage}`);
    }
    // `list` alone takes no operand; every other action one (a file or a sweep id).
    if ((action === 'list') !== (target === undefined)) {
      const expected = action === 'list' ? 'no argument after `sweep list`' : `a ${action === 'run' || action === 'create' ? 'sweep file' : 'sweep id'} after \`sweep ${action}\``;
      throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments: expected ${expected}, received ${target === undefined ? 'none' : JSON.stringify(target)}. Usage: ${usage}`);
    }
    const defines = action === 'run' || action === 'create';
    if (!defines && (values.trials ?? values.timeout ?? values.seed) !== undefined) {
      throw new LabbookError('INVALID_ARGUMENT', `--trials, --timeout and --seed go with \`sweep run\` or \`sweep create\`: expected none with \`sweep ${action}\`. A resumed sweep keeps its recorded definition.`);
    }
    if (action !== 'create' && (values['max-attempts'] ?? values.local) !== undefined) {
      throw new LabbookError('INVALID_ARGUMENT', `--max-attempts and --local go with \`sweep create\`: expected none with \`sweep ${action}\`. Usage: ${usage}`);
    }
    if (action !== 'show' && (values.html !== undefined || values.inline)) {
      throw new LabbookError('INVALID_ARGUMENT', `--html and --inline go with \`sweep show\`: expected none with \`sweep ${action}\`. Usage: ${usage}`);
    }
    if (values.inline && values.html === undefined) {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid arguments: expected --inline only with --html FILE, received --inline alone. Usage: ${usage}`);
    }
    const page = values.html === undefined ? undefined : { file: values.html, inline: values.inline };
    const url = teamUrlFrom(values.db, TEAM_ONLY.includes(action) ? {
      missing: (received) => `\`labbook sweep ${action}\` works on the team store: expected --db postgres://... or LABBOOK_DB set to one, received ${received}. ${action === 'list' ? 'Local sweeps are parent runs: `labbook runs --experiment sweep:NAME`.' : 'A local sweep is `labbook sweep run FILE`.'}`,
    } : {});
    if (url !== undefined && (action === 'run' || action === 'resume')) {
      localOnly(`sweep ${action}`, values.db, 'Trials on the team store are run by workers: `labbook sweep create FILE --db postgres://...` records the sweep there, then `labbook worker --sweep ID --db postgres://...` on each machine runs its trials.');
    }
    if (url !== undefined) {
      const team = require('./sweep-team') as typeof import('./sweep-team');
      if (action === 'list') return team.listTeamSweepsCommand(url, values.json);
      if (action === 'show') return team.showTeamSweep(url, toInt('sweep id', target)!, values.json, page);
      if (action === 'stop') return team.stopTeamSweep(url, toInt('sweep id', target)!, values.json);
      const maxAttempts = toInt('--max-attempts', values['max-attempts']) ?? 3;
      return team.createTeamSweepFrom(url, definitionFrom(target, values), { local: values.local, maxAttempts, json: values.json });
    }
    if (action === 'show') return withRegistry(values.db, (registry) => show(registry, toInt('sweep id', target)!, values.json, page));
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const definition: SweepDefinition | null = action === 'run' ? definitionFrom(target, values) : null;
    const resume = action === 'resume' ? toInt('sweep id', target)! : undefined;
    return withRegistry(values.db, async (registry) => {
      const start = () => runSweep(definition, { registry, resume, progress: say });
      // With --json stdout is the JSON document alone: what an experiment prints goes to stderr.
      const summary = values.json ? await divertStdout(start) : await start();
      return show(registry, summary.id, values.json);
    }, action === 'run');
  },
};

function show(registry: Registry, id: number, json: boolean, page?: { file: string; inline: boolean }): number {
  const loaded = loadSweep(registry, id);
  const parent = registry.getRun(id);
  const written = page ? writeSweepPage(loaded, page.file, page.inline) : null;
  if (json) {
    const { best, importance } = analysis(loaded);
    printJson({ id, status: parent.status, stopped: parent.tags['sweep.stopped'] ?? null, definition: loaded.definition, counts: counts(loaded), best, importance, leaderboard: leaderboard(loaded), ...(written ? { html: written } : {}) });
  } else {
    if (written) process.stderr.write(`wrote ${written}\n`);
    print(renderSweep(loaded, { status: parent.status, resumed: !!parent.tags['sweep.resumed'], stopped: parent.tags['sweep.stopped'] ?? null }));
  }
  return 0;
}

/** The sweep file's definition with the command line's budget and seed. */
function definitionFrom(path: string, values: { trials?: string; timeout?: string; seed?: string }): SweepDefinition {
  const definition = loadSweepFile(path);
  const trials = toInt('--trials', values.trials);
  const timeS = values.timeout === undefined ? undefined : seconds(values.timeout);
  const budget = trials !== undefined || timeS !== undefined ? { trials: trials ?? null, timeS: timeS ?? null } : undefined;
  return reviseSweep(definition, { ...(budget ? { budget } : {}), ...(values.seed !== undefined ? { seed: toInt('--seed', values.seed, 0)! } : {}) });
}

/** The definition a sweep file exports by default (or as module.exports). */
function loadSweepFile(path: string): SweepDefinition {
  const file = resolve(path);
  if (!/\.(ts|js|cjs)$/.test(file)) throw new LabbookError('INVALID_ARGUMENT', `Invalid sweep file ${file}: expected a .ts or .js file whose default export is defineSweep(...).`);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new LabbookError('NOT_FOUND', `No sweep file at ${file}: expected a .ts or .js file whose default export is defineSweep(...).`);
  }
  const exports = requireUserFile(file);
  const found = [exports.default, exports].find(isDefinition);
  if (!found) {
    const names = Object.keys(exports);
    throw new LabbookError('INVALID_ARGUMENT', `Invalid sweep file ${file}: expected a default export of defineSweep(...), found ${names.length ? `exports ${names.join(', ')}` : 'no exports'}. End the file with \`export default defineSweep({...})\`.`);
  }
  return found;
}

function isDefinition(value: unknown): value is SweepDefinition {
  const d = value as SweepDefinition | null;
  return !!d && typeof d === 'object' && typeof d.experiment === 'string' && typeof d.objective === 'object' && typeof d.sampler === 'object' && typeof d.space === 'object';
}

function seconds(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(value > 0)) throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--timeout\`: expected a positive number of seconds, received ${JSON.stringify(text)}.`);
  return value;
}
