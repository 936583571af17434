/** Request bodies of both protocols (TF Serving's row and columnar predict, KServe v2 infer) to checked examples, and predictions back to each response shape. */
import { describeValue } from '../errors';
import type { Prediction } from '../model-package';
import type { InputColumn } from './model';
import { badRequest, checkExample, names } from './rows';

const PREDICT_FIX = 'Send {"instances": [example, ...]} (row format) or {"inputs": ...} (columnar format).';

/** The body as JSON, or a 400: not JSON, or not an object. */
export function parseBody(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badRequest('request body', 'a JSON object', `text that does not parse as JSON (${(error as Error).message})`, 'Send a JSON body such as {"instances": [...]}.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('request body', 'a JSON object', describeValue(body), 'Wrap the request in { }.');
  return body as Record<string, unknown>;
}

/** TF Serving's predict body: `instances` (one entry per example) or `inputs` (the batch, or one array per named input). */
export function v1Examples(body: Record<string, unknown>, columns: InputColumn[]): { examples: unknown[]; columnar: boolean } {
  const hasInstances = 'instances' in body;
  const hasInputs = 'inputs' in body;
  if (hasInstances === hasInputs) {
    throw badRequest('predict request', 'exactly one of `instances` or `inputs`', hasInstances ? 'both' : `neither (fields: ${Object.keys(body).map((k) => JSON.stringify(k)).join(', ') || 'none'})`, PREDICT_FIX);
  }
  if (hasInstances) {
    const instances = body.instances;
    if (!Array.isArray(instances) || instances.length === 0) throw badRequest('`instances`', 'a non-empty array (one entry per example)', describeValue(instances), PREDICT_FIX);
    return { examples: instances.map((x, i) => checkExample(unwrapNamed(x, columns), columns, `instances[${i}]`)), columnar: false };
  }
  return { examples: columnarExamples(body.inputs, columns), columnar: true };
}

/** A single-input model's instance may also be {"input": value} (TF Serving's named form). */
function unwrapNamed(x: unknown, columns: InputColumn[]): unknown {
  const only = columns.length === 1 && columns[0].kind !== 'number' && columns[0].kind !== 'category' ? columns[0].name : null;
  if (only !== null && x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 1 && only in x) return (x as Record<string, unknown>)[only];
  return x;
}

function columnarExamples(inputs: unknown, columns: InputColumn[]): unknown[] {
  const single = columns.length === 1 && (columns[0].kind === 'text' || columns[0].kind === 'tensor');
  const batch = single ? unwrapNamed(inputs, columns) : inputs;
  if (single) {
    if (!Array.isArray(batch) || batch.length === 0) throw badRequest('`inputs`', `a non-empty array of examples (${columns[0].kind === 'text' ? 'strings' : `each of shape [${columns[0].shape.join(', ')}]`})`, describeValue(batch), PREDICT_FIX);
    return batch.map((x, i) => checkExample(x, columns, `inputs[${i}]`));
  }
  if (batch === null || typeof batch !== 'object' || Array.isArray(batch)) {
    throw badRequest('`inputs`', `an object with one array per feature (${names(columns)})`, describeValue(batch), PREDICT_FIX);
  }
  const byName = batch as Record<string, unknown>;
  const missing = columns.filter((c) => !(c.name in byName));
  if (missing.length > 0) throw badRequest('`inputs`', `the features ${names(missing)}`, `an object with ${names(Object.keys(byName).map((name) => ({ name }))) || 'no fields'}`, 'Add one array per missing feature.');
  const n = Array.isArray(byName[columns[0].name]) ? (byName[columns[0].name] as unknown[]).length : -1;
  for (const c of columns) {
    const values = byName[c.name];
    if (!Array.isArray(values) || values.length !== n || n === 0) {
      throw badRequest(`\`inputs.${c.name}\``, n > 0 ? `an array of ${n} values (as long as \`inputs.${columns[0].name}\`)` : 'a non-empty array', Array.isArray(values) ? `${values.length} values` : describeValue(values), 'Give every feature one value per example.');
    }
  }
  return Array.from({ length: n }, (_, i) => checkExample(Object.fromEntries(columns.map((c) => [c.name, (byName[c.name] as unknown[])[i]])), columns, `inputs[${i}]`));
}

/** Row format: one prediction per instance. Columnar: one array per named output. */
export function v1Response(predictions: Prediction[], columnar: boolean): unknown {
  if (!columnar) return { predictions };
  const keys = Object.keys(predictions[0]) as (keyof Prediction)[];
  return { outputs: Object.fromEntries(keys.map((k) => [k, predictions.map((p) => (p as Record<string, unknown>)[k])])) };
}
