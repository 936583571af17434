/** attachReference: builds a reference profile for a registered version whose run logged none, from a sample of its training data, and stores it with the version. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LabbookError } from '../errors';
import { loadModel } from '../model-package';
import { resolveModel } from '../model-registry/versions';
import { openRegistry, type Registry } from '../registry/registry';
import { buildProfile } from './profile';
import { attachProfile, referenceExamples } from './reference';

/** Returns the profile's SHA-256. `reference`: rows, a DataFrame, strings or arrays, or a .csv/.json file path. */
export async function attachReference(target: string, reference: unknown, options: { db?: string; registry?: Registry } = {}): Promise<string> {
  const registry = options.registry ?? openRegistry({ db: options.db, create: false });
  try {
    const version = resolveModel(registry, target);
    const model = await loadModel(`${version.name}/${version.version}`, { registry });
    try {
      const examples = typeof reference === 'string' ? readReference(reference, model.input.kind) : referenceExamples(reference);
      const seed = registry.getRun(version.runId).seed;
      const profile = buildProfile(model.input, examples, (sample) => model.predict(sample as never), seed);
      return attachProfile(registry, version, profile);
    } finally {
      model.dispose();
    }
  } finally {
    if (!options.registry) registry.close();
  }
}

/** A CSV with a header (a text model: its one column or `text`) or a JSON array. */
function readReference(file: string, kind: 'table' | 'text' | 'tensor'): unknown[] {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') {
    const { loadCsv } = require('../data/csv') as typeof import('../data/csv');
    const frame = loadCsv(file);
    if (kind === 'table') return referenceExamples(frame);
    if (kind === 'text') {
      const column = frame.columns.length === 1 ? frame.columns[0] : frame.columns.includes('text') ? 'text' : null;
      if (column === null) throw new LabbookError('INVALID_ARGUMENT', `Invalid reference CSV for a text model: expected one column or a \`text\` column, received ${frame.columns.join(', ')}. Keep only the texts.`);
      return (frame.column(column).values as unknown[]).map(String);
    }
    return frame.values as unknown[];
  }
  if (ext !== '.json') throw new LabbookError('INVALID_ARGUMENT', `Invalid reference file: expected a .csv or .json file of training examples, received ${JSON.stringify(file)}. Export a sample of the training data to CSV.`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LabbookError('INVALID_ARGUMENT', `Cannot read the reference ${JSON.stringify(file)}: expected a readable JSON array of examples, received ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path and the JSON.`);
  }
  return referenceExamples(value);
}
