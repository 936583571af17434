/** `labbook reproduce ID`: re-runs a recorded run and checks the checkpoint is bit-identical. */
import { reproduce as reproduceRun } from '../../experiment';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { cell, table } from '../format';

const usage = 'labbook reproduce ID [--backend NAME] [--quiet] [--db PATH] [--json]';

export const reproduce: Command = {
  name: 'reproduce',
  summary: 're-run a recorded run with its config and seed; exit 0 only if the checkpoint is identical',
  usage,
  run(argv) {
    const { values, positionals } = parse(argv, { quiet: { type: 'boolean', default: false }, backend: { type: 'string' } }, usage, { name: 'run id', min: 1, max: 1 });
    const [id] = runIds(positionals, usage);
    return withRegistry(values.db, async (registry) => {
      const result = await reproduceRun(registry, id, { progress: !values.quiet && !values.json, backend: values.backend });
      if (values.json) printJson(result);
      else {
        const lines = [
          `run ${id} -> re-run ${result.rerun.id}: ${result.reproduced ? 'REPRODUCED' : 'NOT REPRODUCED'}`,
          `  checkpoint ${result.original.checkpoint?.sha256 ?? '-'}`,
          `          vs ${result.rerun.checkpoint?.sha256 ?? '-'}`,
        ];
        const inputs = [
          ...Object.entries(result.differences.config).map(([k, v]) => [`config.${k}`, ...v]),
          ...(result.differences.codeHash ? [['code hash', ...result.differences.codeHash]] : []),
          ...Object.entries(result.differences.datasets).map(([k, v]) => [`data.${k}`, ...v.map((d) => d?.sha256.slice(0, 12) ?? null)]),
          ...Object.entries(result.differences.env).map(([k, v]) => [`env.${k}`, ...v]),
        ];
        if (inputs.length) lines.push('', 'inputs that differ', table(['', 'original', 're-run'], inputs.map((r) => r.map(cell))).replace(/^/gm, '  '));
        const deltas = Object.entries(result.metricDeltas).filter(([, d]) => d !== 0);
        if (deltas.length) lines.push('', 'metric deltas (re-run - original)', table(['metric', 'delta'], deltas.map(([k, d]) => [k, cell(d)])).replace(/^/gm, '  '));
        print(lines.join('\n'));
      }
      return result.reproduced ? 0 : 1;
    });
  },
};
