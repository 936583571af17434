/** Readable text for the diff of two runs that live in different registries (diffRecords computes it). */
import type { RunDiff } from '../query';

/** Readable lines for a diff: what differs in config, data, code, environment, metrics, checkpoint. */
export function renderRecordDiff(d: RunDiff, labels: [string, string]): string[] {
  const lines: string[] = [];
  const row = (name: string, x: unknown, y: unknown) => lines.push(`  ${name}: ${show(x)}  vs  ${show(y)}`);
  if (d.seed[0] !== d.seed[1]) row('seed', d.seed[0], d.seed[1]);
  for (const [k, [x, y]] of Object.entries(d.config)) row(`config.${k}`, x, y);
  for (const [k, [x, y]] of Object.entries(d.datasets)) row(`data.${k}`, x?.sha256.slice(0, 12) ?? null, y?.sha256.slice(0, 12) ?? null);
  if (d.codeHash[0] !== d.codeHash[1]) row('code hash', d.codeHash[0]?.slice(0, 12) ?? null, d.codeHash[1]?.slice(0, 12) ?? null);
  // The environment always differs in git state, pids and paths; only what shapes numbers is shown.
  for (const [k, [x, y]] of Object.entries(d.env)) if (/^(backend\.|tfjs$|labbook$|node$|lockfileSha256$)/.test(k)) row(`env.${k}`, x, y);
  for (const [k, m] of Object.entries(d.metrics)) {
    if (m.values[0] === m.values[1]) continue;
    const delta = m.deltas[1];
    row(`metrics.${k}`, m.values[0], `${show(m.values[1])}${delta === null ? '' : ` (${delta >= 0 ? '+' : ''}${delta})`}`);
  }
  row('final checkpoint', d.checkpoints[0], d.checkpoints[1]);
  return [`  (${labels[0]} vs ${labels[1]})`, ...lines];
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
}
