/** `labbook show ID`: everything recorded about one run. */
import type { RunRecord } from '../../registry';
import { parse, runIds } from '../args';
import { type Command, isoTime, print, printJson, withRegistry } from '../command';
import { cell, formatDuration, formatTime, table } from '../format';
import { teamUrl } from '../team-store';
import { describePromise, recordedPromise } from '../../repro/promise';

const usage = 'labbook show ID [--db PATH] [--json]';

export const show: Command = {
  name: 'show',
  summary: 'everything recorded about one run',
  usage,
  run(argv) {
    const { values, positionals } = parse(argv, {}, usage, { name: 'run id', min: 1, max: 1 });
    const [id] = runIds(positionals, usage);
    const team = teamUrl(values.db);
    if (team) return (require('./team') as typeof import('./team')).teamShow(team, id, values.json);
    return withRegistry(values.db, (registry) => {
      const run = registry.getRun(id);
      if (values.json) printJson(showJson(run));
      else print(renderRun(run));
      return 0;
    });
  },
};

/** The documented JSON shape of `labbook show`. */
export function showJson(run: RunRecord) {
  return {
    id: run.id,
    experiment: run.experiment,
    name: run.name,
    status: run.status,
    seed: run.seed,
    config: run.config,
    configHash: run.configHash,
    codeHash: run.codeHash,
    parent: run.parent,
    children: run.children,
    env: run.env,
    startedAt: isoTime(run.startedAt),
    endedAt: isoTime(run.endedAt),
    params: run.params,
    tags: run.tags,
    datasets: run.datasets.map(({ name, sha256, rows, columns, source }) => ({ name, sha256, rows, columns, source })),
    metrics: Object.fromEntries(Object.entries(run.metrics).map(([k, m]) => [k, m.value])),
    metricStats: run.metrics,
    checkpoints: run.checkpoints.map(({ step, sha256, bytes }) => ({ step, sha256, bytes })),
    artifacts: run.artifacts.map(({ name, sha256, mediaType, bytes }) => ({ name, sha256, mediaType, bytes })),
    error: run.error,
  };
}

export function renderRun(run: RunRecord): string {
  const lines = [
    `run ${run.id}  ${cell(run.experiment)}${run.name ? ` (${cell(run.name)})` : ''}  ${cell(run.status)}`,
    `  seed ${run.seed}   started ${formatTime(run.startedAt)}   took ${run.endedAt === null ? '-' : formatDuration((run.endedAt - run.startedAt) / 1000)}`,
    `  config ${run.configHash.slice(0, 12)}   code ${run.codeHash?.slice(0, 12) ?? '-'}`,
  ];
  const promise = recordedPromise(run.env.reproducibility);
  // One line: where the same checkpoint SHA-256 is promised (env.reproducibility has the whole of it).
  lines.push(`  promise ${promise ? `bit-identical within the same ${promise.within.join(', ')}; recorded on ${describePromise(promise)}` : '- (recorded before runs recorded one)'}`);
  if (run.parent !== null || run.children.length) {
    lines.push(`  parent ${run.parent ?? '-'}   children ${run.children.length ? run.children.join(', ') : '-'}`);
  }
  if (run.error) lines.push(`  error: ${cell(run.error.split('\n')[0])}`);
  const section = (title: string, body: string) => lines.push('', title, body.replace(/^/gm, '  '));
  const params = Object.entries(run.params);
  if (params.length) section('params', table(['key', 'value'], params.map(([k, v]) => [k, cell(v)])));
  const metrics = Object.entries(run.metrics);
  if (metrics.length) {
    section('metrics', table(['key', 'last', 'step', 'min', 'max', 'points'], metrics.map(([k, m]) => [k, m.value, m.step, m.min, m.max, m.count])));
  }
  if (Object.keys(run.tags).length) section('tags', table(['key', 'value'], Object.entries(run.tags)));
  if (run.datasets.length) {
    section('datasets', table(['name', 'rows', 'columns', 'sha256', 'source'], run.datasets.map((d) => [d.name, d.rows, d.columns, d.sha256.slice(0, 16), d.source])));
  }
  if (run.checkpoints.length) {
    section('checkpoints', table(['step', 'bytes', 'sha256'], run.checkpoints.map((c) => [c.step, c.bytes, c.sha256])));
  }
  if (run.artifacts.length) {
    section('artifacts', table(['name', 'type', 'bytes', 'sha256'], run.artifacts.map((a) => [a.name, a.mediaType, a.bytes, a.sha256.slice(0, 16)])));
  }
  return lines.join('\n');
}
