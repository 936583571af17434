/** `labbook predict RUN_ID FILE`: a run's ready model (loadModel) on raw rows from a CSV or JSON file, or stdin. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LabbookError } from '../../errors';
import { parse, runIds } from '../args';
import { type Command, print, printJson, withRegistry } from '../command';
import { localOnly } from '../team-store';
import { table } from '../format';

const usage = 'labbook predict RUN_ID FILE|- [--checkpoint final|best] [--backend NAME] [--db PATH] [--json]';

export const predict: Command = {
  name: 'predict',
  summary: "predict with a run's logged model on raw rows from a .csv or .json file (- reads JSON from stdin)",
  usage,
  help: [
    'FILE: a .csv with a header, or .json holding an array: row objects (table models), strings',
    '(text models) or nested number arrays (tensor models). The target column is not needed.',
    'The run must have logged its model: logModel(run, model, {input: ...}) in the experiment.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { checkpoint: { type: 'string', default: 'final' }, backend: { type: 'string' } },
      usage,
      { name: 'argument', min: 2, max: 2 },
    );
    const [id] = runIds(positionals.slice(0, 1), usage);
    const checkpoint = values.checkpoint;
    if (checkpoint !== 'final' && checkpoint !== 'best') {
      throw new LabbookError('INVALID_ARGUMENT', `Invalid value for \`--checkpoint\`: expected final or best, received ${JSON.stringify(checkpoint)}. Usage: ${usage}`);
    }
    const file = positionals[1];
    localOnly('predict', values.db, 'Team run ids are not local ids and the model is read from a local registry: predict from the registry that recorded the run (--db .labbook/labbook.db, or LABBOOK_LOCAL_DB).');
    // Loaded here, not at the top: tfjs costs `labbook --help` and `labbook runs` a second.
    const { loadModel } = require('../../model-package') as typeof import('../../model-package');
    const { initBackend } = require('../../backend') as typeof import('../../backend');
    await initBackend({ prefer: values.backend });
    return withRegistry(values.db, async (registry) => {
      const model = await loadModel(id, { registry, checkpoint });
      try {
        const input = readInput(file, model.input.kind);
        const predictions = model.predict(input as never);
        if (values.json) printJson(predictions);
        else if (model.task === 'classification') {
          print(table(['row', 'label', 'confidence'], predictions.map((p, i) => ('label' in p ? [i, p.label, p.confidence.toFixed(4)] : [i, '', '']))));
        } else {
          print(table(['row', 'value'], predictions.map((p, i) => [i, 'value' in p ? String(p.value) : 'values' in p ? p.values.join(' ') : ''])));
        }
        return 0;
      } finally {
        model.dispose();
      }
    });
  },
};

/** A CSV becomes a frame (a text model reads its one column or `text`); JSON must be an array. */
function readInput(file: string, kind: 'table' | 'text' | 'tensor'): unknown {
  const ext = extname(file).toLowerCase();
  if (file !== '-' && ext === '.csv') {
    const { loadCsv } = require('../../data/csv') as typeof import('../../data/csv');
    const frame = loadCsv(file);
    if (kind === 'table') return frame;
    if (kind === 'text') {
      const column = frame.columns.length === 1 ? frame.columns[0] : frame.columns.includes('text') ? 'text' : null;
      if (column === null) throw new LabbookError('INVALID_ARGUMENT', `Invalid CSV for a text model: expected one column or a \`text\` column, received ${frame.columns.join(', ')}. Keep only the texts.`);
      return (frame.column(column).values as unknown[]).map(String);
    }
    return frame.values;
  }
  if (file !== '-' && ext !== '.json') {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid FILE: expected a .csv or .json file, or - for JSON on stdin, received ${JSON.stringify(file)}. Usage: ${usage}`);
  }
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new LabbookError('INVALID_ARGUMENT', `Cannot read ${file === '-' ? 'stdin' : JSON.stringify(file)}: expected a readable file, received ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid JSON in ${file === '-' ? 'stdin' : JSON.stringify(file)}: expected an array of rows, received text that does not parse (${(error as Error).message}). Fix the JSON.`);
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new LabbookError('INVALID_ARGUMENT', `Invalid input in ${file === '-' ? 'stdin' : JSON.stringify(file)}: expected a non-empty JSON array of rows, received ${Array.isArray(value) ? 'an empty array' : typeof value}. Wrap the rows in [ ].`);
  }
  return value;
}
