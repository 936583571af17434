/** `labbook diff ID ID...`: what differs between runs, and whether their checkpoints match. */
import { diffRuns, type RunDiff } from '../../query';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { cell, fitTable } from '../format';
import { teamUrl } from '../team-store';

const usage = 'labbook diff ID ID [ID...] [--all] [--db PATH] [--json]';

export const diff: Command = {
  name: 'diff',
  summary: 'compare runs: config, environment, data, code, metrics, checkpoints',
  usage,
  run(argv) {
    const { values, positionals } = parse(argv, { all: { type: 'boolean', default: false } }, usage, { name: 'run id', min: 2, max: Infinity });
    const ids = runIds(positionals, usage, 2);
    const team = teamUrl(values.db);
    const output = (result: RunDiff) => {
      if (values.json) printJson(result);
      else print(renderDiff(result, values.all));
      return 0;
    };
    if (team) return (require('./team') as typeof import('./team')).teamDiff(team, ids, values.all).then(output);
    return withRegistry(values.db, (registry) => {
      const result = diffRuns(registry, ids, { all: values.all });
      if (values.json) printJson(result);
      else print(renderDiff(result, values.all));
      return 0;
    });
  },
};

/** Sections of what differs (everything with --all), each a table fitted to 100 columns. */
function renderDiff(d: RunDiff, all: boolean): string {
  const header = ['', ...d.runs.map((id) => `run ${id}`)];
  const lines: string[] = [];
  const section = (title: string, rows: unknown[][]) => {
    if (rows.length === 0) return;
    lines.push(title, fitTable(header, rows.map((r) => r.map(cell)), undefined, 2, [0]), '');
  };
  // The seed is an input like the config: equal configs with different seeds train differently.
  const seedRow = all || new Set(d.seed).size > 1 ? [['seed', ...d.seed]] : [];
  section(seedRow.length ? 'seed and config' : 'config', [...seedRow, ...Object.entries(d.config).map(([k, v]) => [k, ...v])]);
  section('environment', Object.entries(d.env).map(([k, v]) => [k, ...v]));
  section('datasets', Object.entries(d.datasets).map(([k, v]) => [k, ...v.map((f) => (f ? `${f.sha256.slice(0, 12)} ${f.rows}x${f.columns}` : null))]));
  if (new Set(d.codeHash).size > 1) section('code', [['code hash', ...d.codeHash.map((h) => h?.slice(0, 12) ?? null)]]);
  section('metrics (latest; delta vs first run)', Object.entries(d.metrics).map(([k, m]) => [
    k,
    // No delta where the first run lacks the metric (a compression child's size beside its source).
    ...m.values.map((v, i) => (i === 0 || v === null || m.deltas[i] === null ? v : `${cell(v)} (${(m.deltas[i] ?? 0) >= 0 ? '+' : ''}${cell(m.deltas[i])})`)),
  ]));
  section('checkpoint', [['final sha256', ...d.checkpoints.map((h) => h?.slice(0, 16) ?? null)]]);
  lines.push(d.checkpointEqual ? 'checkpoints: identical' : 'checkpoints: differ');
  return lines.join('\n');
}
