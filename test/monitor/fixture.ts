/** Test support for monitoring: deterministic table data (in distribution and shifted) and a registry whose 'rows' model logged a reference profile and whose 'tiny' one did not. */
import Database from 'better-sqlite3';
import { logModel } from '../../kernel-lib/src/model-package';
import { models, openRegistry } from '../../kernel-lib/src';
import { tempDb } from '../helpers';
import { tinyModel, tinyRun } from '../model-registry/fixture';

/** n rows of a, b, c ~ N(0, 1) from mulberry32 and Box–Muller: the same rows for the same seed; `shiftA` moves `a`. */
export function tableRows(n: number, seed: number, shiftA = 0): { a: number; b: number; c: number }[] {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return Array.from({ length: n }, () => ({ a: normal() + shiftA, b: normal(), c: normal() }));
}

/** 'rows' (table a, b, c; trained on tableRows(400, 1), which logModel profiles) and 'tiny' (tensor, no profile). */
export async function monitoredRegistry(): Promise<string> {
  const db = tempDb();
  const registry = openRegistry({ db });
  try {
    models.registerModel(registry, 'tiny', await tinyRun(registry, 1));
    const run = registry.startRun({ experiment: 'rows', config: {}, seed: 5 });
    const model = tinyModel(5);
    await logModel(run, model, { input: { kind: 'table', features: ['a', 'b', 'c'] }, task: 'classification', labels: ['no', 'yes'], reference: tableRows(400, 1) });
    model.dispose();
    run.end();
    models.registerModel(registry, 'rows', run.id);
  } finally {
    registry.close();
  }
  return db;
}

export function sampleCount(db: string, model: string): number {
  const raw = new Database(db, { readonly: true });
  try {
    return (raw.prepare('SELECT count(*) AS n FROM monitor_samples WHERE model = ?').get(model) as { n: number }).n;
  } finally {
    raw.close();
  }
}

/** Waits until the server's writer has flushed `n` samples of `model` (it flushes every second). */
export async function waitForSamples(db: string, model: string, n: number): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (sampleCount(db, model) >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${n} samples of ${model}, have ${sampleCount(db, model)}`);
}
