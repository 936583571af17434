/** KServe v2 (Open Inference Protocol) tensors: {name, shape, datatype, data} in, checked examples out; predictions to output tensors. */
import { describeValue } from '../errors';
import type { Prediction } from '../model-package';
import { outputColumns, type InputColumn, type Served } from './model';
import { badRequest, checkExample, names } from './rows';

const NUMERIC = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64'];
const FIX = 'Send {"inputs": [{"name", "shape", "datatype", "data"}, ...]} as GET /v2/models/NAME lists them.';

/** The datatype metadata names for an input; a request may send any numeric type for a number. */
export function v2Datatype(kind: InputColumn['kind'] | 'text'): string {
  return kind === 'text' || kind === 'category' ? 'BYTES' : 'FP32';
}

export function v2Examples(body: Record<string, unknown>, columns: InputColumn[]): unknown[] {
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) throw badRequest('`inputs`', 'a non-empty array of tensors', describeValue(inputs), FIX);
  const given = new Map<string, { shape: number[]; data: unknown[] }>();
  inputs.forEach((t, i) => {
    const tensor = t as Record<string, unknown> | null;
    if (tensor === null || typeof tensor !== 'object' || Array.isArray(tensor) || typeof tensor.name !== 'string') {
      throw badRequest(`\`inputs[${i}]\``, 'a tensor {"name", "shape", "datatype", "data"}', describeValue(t), FIX);
    }
    const column = columns.find((c) => c.name === tensor.name);
    if (!column) throw badRequest(`\`inputs[${i}].name\``, `one of ${names(columns)}`, JSON.stringify(tensor.name), FIX);
    given.set(column.name, checkTensor(tensor, column, `inputs[${i}]`));
  });
  const missing = columns.filter((c) => !given.has(c.name));
  if (missing.length > 0) throw badRequest('`inputs`', `the tensors ${names(missing)}`, `tensors ${names([...given.keys()].map((name) => ({ name })))}`, 'Add the missing inputs.');
  const n = given.get(columns[0].name)!.shape[0];
  for (const c of columns) {
    const rows = given.get(c.name)!.shape[0];
    if (rows !== n) throw badRequest(`\`${c.name}\` shape`, `${n} rows (as many as \`${columns[0].name}\`)`, `${rows}`, 'Send one value per example in every input.');
  }
  return Array.from({ length: n }, (_, i) => {
    if (columns.length === 1 && columns[0].kind !== 'number' && columns[0].kind !== 'category') return checkExample(example(given.get(columns[0].name)!, i), columns, `inputs[0].data[${i}]`);
    return checkExample(Object.fromEntries(columns.map((c) => [c.name, given.get(c.name)!.data[i]])), columns, `example[${i}]`);
  });
}

function checkTensor(tensor: Record<string, unknown>, column: InputColumn, where: string): { shape: number[]; data: unknown[] } {
  const { shape, datatype, data } = tensor;
  const wanted = `[n${column.shape.map((d) => `, ${d}`).join('')}]`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw badRequest(`\`${where}.shape\``, `an array of dimensions ${wanted}`, describeValue(shape), FIX);
  const per = shape.slice(1);
  const scalarOk = column.shape.length === 0 && per.length === 1 && per[0] === 1;
  if (shape[0] < 1 || (!scalarOk && (per.length !== column.shape.length || per.some((d, i) => d !== column.shape[i])))) {
    throw badRequest(`\`${where}.shape\``, `${wanted} with n ≥ 1`, `[${shape.join(', ')}]`, `Reshape \`${column.name}\`: one row per example.`);
  }
  const bytes = column.kind === 'text' || column.kind === 'category';
  const allowed = column.kind === 'text' ? ['BYTES'] : column.kind === 'category' ? ['BYTES', ...NUMERIC] : NUMERIC;
  if (typeof datatype !== 'string' || !allowed.includes(datatype)) {
    throw badRequest(`\`${where}.datatype\``, bytes ? (column.kind === 'text' ? '"BYTES"' : '"BYTES" or a numeric type') : `a numeric type (${v2Datatype(column.kind)}, ...)`, describeValue(datatype), FIX);
  }
  if (!Array.isArray(data)) throw badRequest(`\`${where}.data\``, 'an array (flat, or nested as the shape)', describeValue(data), FIX);
  const flat = (data as unknown[]).flat(Infinity);
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  if (flat.length !== size) throw badRequest(`\`${where}.data\``, `${size} values (the product of shape [${shape.join(', ')}])`, `${flat.length}`, 'Make data match the shape.');
  return { shape: [shape[0], ...(scalarOk ? [] : per)], data: flat };
}

/** Example i of a flat tensor, nested back to its shape. */
function example(tensor: { shape: number[]; data: unknown[] }, i: number): unknown {
  const per = tensor.shape.slice(1);
  const size = per.reduce((a, b) => a * b, 1);
  const nest = (flat: unknown[], dims: number[]): unknown => {
    if (dims.length === 0) return flat[0];
    const step = flat.length / dims[0];
    return Array.from({ length: dims[0] }, (_, j) => nest(flat.slice(j * step, (j + 1) * step), dims.slice(1)));
  };
  return nest(tensor.data.slice(i * size, (i + 1) * size), per);
}

/** One output tensor per named output: label (BYTES), confidence and probabilities (FP32), or value(s). */
export function v2Outputs(served: Served, predictions: Prediction[]): unknown[] {
  const n = predictions.length;
  return outputColumns(served).map((o) => {
    const column = predictions.map((p) => (p as Record<string, unknown>)[o.name]);
    const data = o.name === 'probabilities' ? column.flatMap((p) => served.model.labels!.map((l) => (p as Record<string, number>)[l])) : column.flat();
    return { name: o.name, datatype: o.kind === 'text' ? 'BYTES' : 'FP32', shape: [n, ...o.shape], data };
  });
}
