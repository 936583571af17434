/** `labbook sweep run FILE | resume ID | show ID`: hyperparameter sweeps as a parent run with child trials. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LabbookError } from '../../errors';
import { requireUserFile } from '../../experiment/loader';
import type { Registry } from '../../registry/registry';
import { reviseSweep, type SweepDefinition } from '../../sweep/define';
import { loadSweep } from '../../sweep/load';
import { runSweep } from '../../sweep/run';
import { parse, toInt } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { divertStdout } from '../divert';
import { counts, leaderboard, renderSweep } from './sweep-format';

const usage = 'labbook sweep run FILE [--trials N] [--timeout S] [--seed N] | sweep resume ID | sweep show ID  [--db PATH] [--json]';
const ACTIONS = ['run', 'resume', 'show'];

export const sweep: Command = {
  name: 'sweep',
  summary: 'run, resume or show a hyperparameter sweep (a parent run whose trials are child runs)',
  usage,
  help: 'FILE is a .ts or .js module whose default export is defineSweep(...). Trials print one line each on stderr.',
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { trials: { type: 'string' }, timeout: { type: 'string' }, seed: { type: 'string' } },
      usage,
      { name: 'argument', min: 2, max: 2 },
    );
    const [action, target] = positionals;
    if (!ACTIONS.includes(action)) {
      throw new LabbookError('INVALID_ARGUMENT', `Unknown sweep action \`${action}\`: expected one of ${ACTIONS.join(', ')}. Usage: ${usage}`);
    }
    if (action !== 'run' && (values.trials ?? values.timeout ?? values.seed) !== undefined) {
      throw new LabbookError('INVALID_ARGUMENT', `--trials, --timeout and --seed go with \`sweep run\`: expected none with \`sweep ${action}\`. A resumed sweep keeps its recorded definition.`);
    }
    if (action === 'show') return withRegistry(values.db, (registry) => show(registry, toInt('sweep id', target)!, values.json));
    const say = (line: string) => process.stderr.write(`${line}\n`);
    let definition: SweepDefinition | null = null;
    if (action === 'run') {
      definition = loadSweepFile(target);
      const trials = toInt('--trials', values.trials);
      const timeS = values.timeout === undefined ? undefined : seconds(values.timeout);
      const budget = trials !== undefined || timeS !== undefined ? { trials: trials ?? null, timeS: timeS ?? null } : undefined;
      definition = reviseSweep(definition, { ...(budget ? { budget } : {}), ...(values.seed !== undefined ? { seed: toInt('--seed', values.seed, 0)! } : {}) });
    }
    const resume = action === 'resume' ? toInt('sweep id', target)! : undefined;
    return withRegistry(values.db, async (registry) => {
      const start = () => runSweep(definition, { registry, resume, progress: say });
      // With --json stdout is the JSON document alone: what an experiment prints goes to stderr.
      const summary = values.json ? await divertStdout(start) : await start();
      return show(registry, summary.id, values.json);
    }, action === 'run');
  },
};

function show(registry: Registry, id: number, json: boolean): number {
  const loaded = loadSweep(registry, id);
  const parent = registry.getRun(id);
  if (json) {
    printJson({ id, status: parent.status, stopped: parent.tags['sweep.stopped'] ?? null, definition: loaded.definition, counts: counts(loaded), best: leaderboard(loaded).find((r) => r.rank === 1) ?? null, leaderboard: leaderboard(loaded) });
  } else {
    print(renderSweep(loaded, parent));
  }
  return 0;
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
