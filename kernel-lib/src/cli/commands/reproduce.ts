/** `labbook reproduce ID`: re-runs a recorded run and checks the checkpoint is bit-identical. */
import { reproduce as reproduceRun } from '../../experiment';
import { LabbookError } from '../../errors';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { localOnly } from '../team-store';
import { cell, fitTable, table } from '../format';
import { describePromise, promiseScope } from '../../repro/promise';
import type { ReproduceResult } from '../../experiment/reproduce';

const usage = 'labbook reproduce ID [PATH | --experiment-file PATH] [--backend NAME] [--quiet] [--db PATH] [--json]';

/** Exit codes a script can branch on; 2 stays every command's code for a usage mistake. */
const EXIT = { reproduced: 0, 'not-reproduced': 1, 'original-damaged': 3 } as const;

const help = [
  'exit codes:',
  '  0  reproduced: the re-run finished and its final checkpoint is bit-identical to the original\'s',
  '  1  not reproduced: the checkpoints differ, the re-run failed, or its stored checkpoint does not verify',
  '  2  a usage mistake (bad arguments, no such run or registry)',
  '  3  the original is damaged: its stored checkpoint is missing or its bytes no longer hash to the recorded SHA-256',
].join('\n');

export const reproduce: Command = {
  name: 'reproduce',
  summary: 're-run a recorded run with its config and seed; exit 0 only if the checkpoint is identical (3: original damaged)',
  usage,
  help,
  run(argv) {
    const { values, positionals } = parse(argv, { quiet: { type: 'boolean', default: false }, backend: { type: 'string' }, 'experiment-file': { type: 'string' } }, usage, { name: 'run id', plural: 'arguments (a run id, then an optional experiment file)', min: 1, max: 2 });
    const [id] = runIds(positionals.slice(0, 1), usage);
    // A file named on the command line is one the user vouches for, as `labbook run PATH` is.
    const experimentFile = experimentFileOf(positionals[1], values['experiment-file']);
    localOnly('reproduce', values.db, 'Team run ids are not local ids and a re-run reads the original\'s checkpoint from a local registry: reproduce from the registry that recorded the run (--db .labbook/labbook.db, or LABBOOK_LOCAL_DB).');
    return withRegistry(values.db, async (registry) => {
      const result = await reproduceRun(registry, id, { progress: !values.quiet && !values.json, backend: values.backend, experimentFile });
      if (values.json) printJson(result);
      else {
        const lines = [
          `run ${id} -> re-run ${result.rerun.id}: ${result.verdict.replace('-', ' ').toUpperCase()}`,
          `  checkpoint ${result.original.checkpoint?.sha256 ?? '-'}`,
          `          vs ${result.rerun.checkpoint?.sha256 ?? '-'}`,
        ];
        if (result.damaged.original) {
          const repaired = result.checkpointMatch && result.damaged.rerun === null;
          lines.push(`  original damaged: ${result.damaged.original}${repaired ? '; the re-run wrote bytes with the recorded SHA-256, so the object is whole again' : ''}`);
        }
        if (result.damaged.rerun) lines.push(`  re-run damaged: ${result.damaged.rerun}`);
        if (result.verdict === 'not-reproduced' && !result.checkpointMatch) lines.push(`  ${promiseLine(result.promise)}`);
        const inputs = [
          ...Object.entries(result.differences.config).map(([k, v]) => [`config.${k}`, ...v]),
          ...(result.differences.codeHash ? [['code hash', ...result.differences.codeHash]] : []),
          ...Object.entries(result.differences.datasets).map(([k, v]) => [`data.${k}`, ...v.map((d) => d?.sha256.slice(0, 12) ?? null)]),
          // The promise has its own line above; its fields repeat the backend's and versions'.
          ...Object.entries(result.differences.env).filter(([k]) => !k.startsWith('reproducibility.')).map(([k, v]) => [`env.${k}`, ...v]),
        ];
        if (inputs.length) lines.push('', 'inputs that differ', fitTable(['', 'original', 're-run'], inputs.map((r) => r.map(cell)), undefined, 2, [0]));
        const deltas = Object.entries(result.metricDeltas).filter(([, d]) => d !== 0);
        if (deltas.length) lines.push('', 'metric deltas (re-run - original)', table(['metric', 'delta'], deltas.map(([k, d]) => [k, cell(d)])).replace(/^/gm, '  '));
        print(lines.join('\n'));
      }
      return EXIT[result.verdict];
    });
  },
};

/** Whether a differing checkpoint is explained by a difference the original's promise does not cover, or is a real failure. */
function promiseLine(promise: ReproduceResult['promise']): string {
  const { original, rerun, outside } = promise;
  if (!original || !rerun) return `the ${original ? 're-run' : 'original'} records no reproducibility promise (recorded before labbook recorded them): whether this is a real failure cannot be told`;
  const short = (p: NonNullable<typeof original>) => `${p.backend ?? 'no tfjs backend'}${p.isaBaseline ? ` ${p.isaBaseline}` : ''} / tfjs ${p.tfjs ?? '(none)'} / Node ${p.node} / ${p.platform} ${p.arch}`;
  if (outside.length > 0) {
    return `outside the promise: recorded on ${short(original)}, reproduced on ${short(rerun)} (${outside.join('; ')}); ${promiseScope(original)}, so a different checkpoint is expected here. Reproduce it inside the promise (e.g. --backend ${original.backend ?? 'NAME'} on a machine of that kind).`;
  }
  return `inside the promise (${describePromise(original)}): the difference is a real reproducibility failure, not the machine's. Check for unseeded randomness, data read in a varying order, or code that changed.`;
}

function experimentFileOf(positional: string | undefined, option: string | undefined): string | undefined {
  if (positional !== undefined && option !== undefined && positional !== option) {
    throw new LabbookError('INVALID_ARGUMENT', `Two experiment files: expected one, received ${JSON.stringify(positional)} and --experiment-file ${JSON.stringify(option)}. Pass one of them. Usage: ${usage}`);
  }
  return positional ?? option;
}
